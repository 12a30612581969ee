#include "engine/model/checkpoint/model_folder.h"

#include "checkpoint_test_util.h"
#include "engine/model/checkpoint/safetensors.h"

#include <gtest/gtest.h>

namespace engine::model {
namespace {

using test::golden_models;
using test::read_bytes;
using test::TempDir;
using test::write_bytes;

const char* const kDiT = "diffusion_pytorch_model_streaming_dmd.safetensors";

// A complete v1.1 folder (tiny and full) of the golden shrunk model, as symlinks.
void link_golden_v11(const TempDir& dir) {
    for (const char* name :
         {kDiT, "LQ_proj_in.ckpt", "TCDecoder.ckpt", "Wan2.1_VAE.pth", "posi_prompt.pth"}) {
        std::filesystem::create_symlink(golden_models() / "v1.1" / name, dir / name);
    }
}

const ModelFileReport& file_of(const ModelFolderReport& report, ModelComponent component) {
    for (const auto& f : report.files) {
        if (f.component == component) {
            return f;
        }
    }
    throw std::runtime_error("component not in report");
}

TEST(ModelFolder, RequiredFilesPerMode) {
    EXPECT_EQ(
        required_components(PipelineMode::Tiny),
        (std::vector<ModelComponent>{ModelComponent::DiT, ModelComponent::LQProjector,
                                     ModelComponent::TCDecoder, ModelComponent::PromptTensor}));
    EXPECT_EQ(required_components(PipelineMode::TinyLong), required_components(PipelineMode::Tiny));
    EXPECT_EQ(required_components(PipelineMode::Full),
              (std::vector<ModelComponent>{ModelComponent::DiT, ModelComponent::LQProjector,
                                           ModelComponent::WanVAE, ModelComponent::PromptTensor}));
}

TEST(ModelFolder, CompleteGoldenFolderPasses) {
    TempDir dir;
    link_golden_v11(dir);
    for (PipelineMode mode : {PipelineMode::Tiny, PipelineMode::TinyLong, PipelineMode::Full}) {
        const auto report = inspect_model_folder(dir.path(), ModelVersion::V1_1, mode);
        EXPECT_TRUE(report.ok()) << report.status().error().to_string();
        ASSERT_EQ(report.files.size(), 4u);
        for (const auto& f : report.files) {
            EXPECT_TRUE(f.present);
            EXPECT_GT(f.size_bytes, 0u);
            EXPECT_TRUE(f.structure_checked);
            EXPECT_FALSE(f.official_size);  // the golden model is shrunk
            EXPECT_EQ(f.keys_md5.size(), 32u);
        }
    }
    // A v1.0 folder is the same files with the OrderedDict projector.
    std::filesystem::remove(dir / "LQ_proj_in.ckpt");
    std::filesystem::create_symlink(golden_models() / "v1.0" / "LQ_proj_in.ckpt",
                                    dir / "LQ_proj_in.ckpt");
    EXPECT_TRUE(inspect_model_folder(dir.path(), ModelVersion::V1_0, PipelineMode::Tiny).ok());
}

TEST(ModelFolder, MissingFileSaysWhereToGetIt) {
    TempDir dir;
    link_golden_v11(dir);
    std::filesystem::remove(dir / "TCDecoder.ckpt");
    std::filesystem::remove(dir / "posi_prompt.pth");
    const auto report = inspect_model_folder(dir.path(), ModelVersion::V1_1, PipelineMode::Tiny);
    ASSERT_FALSE(report.ok());
    const auto& tc = file_of(report, ModelComponent::TCDecoder);
    EXPECT_FALSE(tc.present);
    ASSERT_TRUE(tc.problem);
    EXPECT_EQ(tc.problem->code, ErrorCode::ModelFileMissing);
    EXPECT_EQ(tc.problem->get("path"), (dir / "TCDecoder.ckpt").string());
    EXPECT_EQ(tc.problem->get("source"), "https://huggingface.co/JunhaoZhuang/FlashVSR-v1.1");
    const auto& prompt = file_of(report, ModelComponent::PromptTensor);
    ASSERT_TRUE(prompt.problem);
    EXPECT_EQ(prompt.problem->get("source"),
              "https://github.com/OpenImagingLab/FlashVSR/tree/main/examples/WanVSR/prompt_tensor");
    EXPECT_EQ(report.status().error().code, ErrorCode::ModelFileMissing);
    // Full mode does not need the TCDecoder; the prompt may live elsewhere.
    ModelFolderOptions elsewhere;
    elsewhere.prompt_path = golden_models() / "v1.1" / "posi_prompt.pth";
    EXPECT_TRUE(
        inspect_model_folder(dir.path(), ModelVersion::V1_1, PipelineMode::Full, elsewhere).ok());
    const auto v10 = inspect_model_folder(dir.path(), ModelVersion::V1_0, PipelineMode::Tiny);
    EXPECT_EQ(file_of(v10, ModelComponent::TCDecoder).problem->get("source"),
              "https://huggingface.co/JunhaoZhuang/FlashVSR");
}

TEST(ModelFolder, WrongFileIsRecognised) {
    TempDir dir;
    link_golden_v11(dir);
    // The TCDecoder saved under the VAE's name.
    std::filesystem::remove(dir / "Wan2.1_VAE.pth");
    std::filesystem::create_symlink(golden_models() / "v1.1" / "TCDecoder.ckpt",
                                    dir / "Wan2.1_VAE.pth");
    auto report = inspect_model_folder(dir.path(), ModelVersion::V1_1, PipelineMode::Full);
    const auto& vae = file_of(report, ModelComponent::WanVAE);
    ASSERT_TRUE(vae.problem);
    EXPECT_EQ(vae.problem->code, ErrorCode::ModelWrongFile);
    EXPECT_EQ(vae.problem->get("found_component"), "TCDecoder");

    // A safetensors file that is not FlashVSR at all, and a text file, in place of the DiT.
    StateDict other;
    other.insert("model.embed.weight", torch::zeros({4, 4}));
    std::filesystem::remove(dir / kDiT);
    ASSERT_TRUE(save_safetensors(dir / kDiT, other).ok());
    report = inspect_model_folder(dir.path(), ModelVersion::V1_1, PipelineMode::Tiny);
    const auto& dit = file_of(report, ModelComponent::DiT);
    ASSERT_TRUE(dit.problem);
    EXPECT_EQ(dit.problem->code, ErrorCode::ModelWrongFile);
    EXPECT_EQ(dit.problem->get("found_component"), "");
    write_bytes(dir / kDiT, "<html>404 Not Found</html>\n");
    report = inspect_model_folder(dir.path(), ModelVersion::V1_1, PipelineMode::Tiny);
    EXPECT_EQ(file_of(report, ModelComponent::DiT).problem->code, ErrorCode::ModelWrongFile);
}

TEST(ModelFolder, TruncatedDownloadIsDamaged) {
    TempDir dir;
    link_golden_v11(dir);
    for (const char* name : {"LQ_proj_in.ckpt", kDiT}) {
        const std::string bytes = read_bytes(golden_models() / "v1.1" / name);
        std::filesystem::remove(dir / name);
        write_bytes(dir / name, bytes.substr(0, bytes.size() * 2 / 3));
    }
    const auto report = inspect_model_folder(dir.path(), ModelVersion::V1_1, PipelineMode::Tiny);
    for (auto component : {ModelComponent::DiT, ModelComponent::LQProjector}) {
        const auto& f = file_of(report, component);
        ASSERT_TRUE(f.problem);
        EXPECT_EQ(f.problem->code, ErrorCode::ModelDamaged) << f.problem->to_string();
    }
    EXPECT_FALSE(file_of(report, ModelComponent::TCDecoder).problem);
}

TEST(ModelFolder, PresenceLevelReadsNothing) {
    TempDir dir;
    link_golden_v11(dir);
    std::filesystem::remove(dir / kDiT);
    write_bytes(dir / kDiT, "not a model");
    ModelFolderOptions presence;
    presence.level = VerifyLevel::Presence;
    const auto report =
        inspect_model_folder(dir.path(), ModelVersion::V1_1, PipelineMode::Tiny, presence);
    EXPECT_TRUE(report.ok());
    EXPECT_EQ(file_of(report, ModelComponent::DiT).size_bytes, 11u);
    EXPECT_FALSE(file_of(report, ModelComponent::DiT).structure_checked);
}

TEST(ModelFolder, ChecksumsClassifyVersionAndDamage) {
    TempDir dir;
    link_golden_v11(dir);
    auto sha = [](const std::filesystem::path& p) { return file_sha256(p).value(); };
    const auto golden = golden_models();
    // A reference table in the shape of the released one, for the golden files.
    std::vector<KnownModelFile> known = {
        {ModelComponent::LQProjector, ModelVersion::V1_0, sha(golden / "v1.0/LQ_proj_in.ckpt"), 0},
        {ModelComponent::LQProjector, ModelVersion::V1_1, sha(golden / "v1.1/LQ_proj_in.ckpt"),
         std::filesystem::file_size(golden / "v1.1/LQ_proj_in.ckpt")},
        {ModelComponent::DiT, ModelVersion::V1_1, sha(golden / "v1.1" / kDiT),
         std::filesystem::file_size(golden / "v1.1" / kDiT)},
        {ModelComponent::TCDecoder, std::nullopt, sha(golden / "v1.1/TCDecoder.ckpt"), 0},
    };
    ModelFolderOptions options;
    options.level = VerifyLevel::Checksum;
    options.known_files = known;
    auto report = inspect_model_folder(dir.path(), ModelVersion::V1_1, PipelineMode::Tiny, options);
    EXPECT_TRUE(report.ok()) << report.status().error().to_string();
    EXPECT_EQ(file_of(report, ModelComponent::DiT).checksum, ChecksumResult::Matched);
    EXPECT_EQ(file_of(report, ModelComponent::LQProjector).checksum, ChecksumResult::Matched);
    EXPECT_EQ(file_of(report, ModelComponent::PromptTensor).checksum, ChecksumResult::NoReference);
    EXPECT_EQ(file_of(report, ModelComponent::TCDecoder).sha256,
              sha(golden / "v1.1/TCDecoder.ckpt"));

    // The v1.0 projector in a v1.1 folder: same keys and shapes, only the hash tells.
    std::filesystem::remove(dir / "LQ_proj_in.ckpt");
    std::filesystem::create_symlink(golden / "v1.0/LQ_proj_in.ckpt", dir / "LQ_proj_in.ckpt");
    report = inspect_model_folder(dir.path(), ModelVersion::V1_1, PipelineMode::Tiny, options);
    const auto& lq = file_of(report, ModelComponent::LQProjector);
    ASSERT_TRUE(lq.problem);
    EXPECT_EQ(lq.problem->code, ErrorCode::ModelWrongVersion);
    EXPECT_EQ(lq.problem->get("found_version"), "1.0");

    // A DiT of the released size with one byte flipped in its data (safetensors has no CRC).
    std::string dit = read_bytes(golden / "v1.1" / kDiT);
    dit[dit.size() - 100] ^= 1;
    std::filesystem::remove(dir / kDiT);
    write_bytes(dir / kDiT, dit);
    // A TCDecoder with one byte flipped: its zip CRC catches it.
    std::string tc = read_bytes(golden / "v1.1/TCDecoder.ckpt");
    tc[tc.size() / 2] ^= 1;
    std::filesystem::remove(dir / "TCDecoder.ckpt");
    write_bytes(dir / "TCDecoder.ckpt", tc);
    report = inspect_model_folder(dir.path(), ModelVersion::V1_1, PipelineMode::Tiny, options);
    const auto& damaged_dit = file_of(report, ModelComponent::DiT);
    ASSERT_TRUE(damaged_dit.problem);
    EXPECT_EQ(damaged_dit.problem->code, ErrorCode::ModelDamaged);
    EXPECT_EQ(damaged_dit.checksum, ChecksumResult::Different);
    const auto& damaged_tc = file_of(report, ModelComponent::TCDecoder);
    ASSERT_TRUE(damaged_tc.problem);
    EXPECT_EQ(damaged_tc.problem->code, ErrorCode::ModelDamaged);
    EXPECT_NE(damaged_tc.problem->detail.find("CRC mismatch"), std::string::npos);

    // Against the released table the golden files are simply not the released bytes.
    ModelFolderOptions released;
    released.level = VerifyLevel::Checksum;
    TempDir clean;
    link_golden_v11(clean);
    report = inspect_model_folder(clean.path(), ModelVersion::V1_1, PipelineMode::Full, released);
    EXPECT_TRUE(report.ok()) << report.status().error().to_string();
    EXPECT_EQ(file_of(report, ModelComponent::DiT).checksum, ChecksumResult::NoReference);
    EXPECT_EQ(file_of(report, ModelComponent::WanVAE).checksum, ChecksumResult::Different);
}

TEST(ModelFolder, RecognisesEveryGoldenComponent) {
    const std::pair<const char*, ModelComponent> cases[] = {
        {"v1.1/diffusion_pytorch_model_streaming_dmd.safetensors", ModelComponent::DiT},
        {"v1.1/LQ_proj_in.ckpt", ModelComponent::LQProjector},
        {"v1.0/LQ_proj_in.ckpt", ModelComponent::LQProjector},
        {"v1.1/TCDecoder.ckpt", ModelComponent::TCDecoder},
        {"v1.1/Wan2.1_VAE.pth", ModelComponent::WanVAE},
        {"v1.1/posi_prompt.pth", ModelComponent::PromptTensor},
    };
    for (const auto& [file, component] : cases) {
        auto info = inspect_checkpoint(golden_models() / file);
        ASSERT_TRUE(info.ok());
        auto match = recognise_component(info.value());
        ASSERT_TRUE(match) << file;
        EXPECT_EQ(match->component, component) << file;
        EXPECT_FALSE(match->official_size) << file;
    }
}

}  // namespace
}  // namespace engine::model
