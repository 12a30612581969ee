// Opt-in checks of the released FlashVSR files (label real_weights). They run when
// FLASHVSR_REAL_MODEL_DIR points at a folder with the downloaded files of one version
// (FLASHVSR_REAL_MODEL_VER = 1.0 or 1.1, default 1.1) and skip loudly otherwise.

#include "engine/model/checkpoint/model_folder.h"
#include "engine/pipeline/upscaler.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>

namespace {
namespace fs = std::filesystem;
namespace ckpt = engine::model;

struct RealModel {
    fs::path folder;
    ckpt::ModelVersion version = ckpt::ModelVersion::V1_1;
};

std::optional<RealModel> real_model() {
    const char* dir = std::getenv("FLASHVSR_REAL_MODEL_DIR");
    if (dir == nullptr || dir[0] == '\0') {
        return std::nullopt;
    }
    RealModel m;
    m.folder = dir;
    const char* ver = std::getenv("FLASHVSR_REAL_MODEL_VER");
    if (ver != nullptr && std::string(ver) == "1.0") {
        m.version = ckpt::ModelVersion::V1_0;
    }
    return m;
}

#define REQUIRE_REAL_MODEL(var)                                                           \
    auto var = real_model();                                                              \
    if (!var) {                                                                           \
        GTEST_SKIP() << "FLASHVSR_REAL_MODEL_DIR is not set: real-weight checks skipped " \
                        "(point it at the downloaded FlashVSR folder to run them)";       \
    }

TEST(RealWeights, FilesAreTheReleasedOnes) {
    REQUIRE_REAL_MODEL(model);
    ckpt::ModelFolderOptions options;
    options.level = ckpt::VerifyLevel::Checksum;
    auto report = ckpt::inspect_model_folder(model->folder, model->version,
                                             ckpt::PipelineMode::Tiny, options);
    for (const auto& file : report.files) {
        std::printf("%-55s %s %llu bytes sha256 %s keys_md5 %s%s\n", file.path.string().c_str(),
                    file.present ? "present" : "MISSING",
                    static_cast<unsigned long long>(file.size_bytes), file.sha256.c_str(),
                    file.keys_md5.c_str(),
                    file.problem ? (" problem: " + file.problem->to_string()).c_str() : "");
        EXPECT_TRUE(file.official_size) << file.path;
    }
    EXPECT_TRUE(report.ok());
}

TEST(RealWeights, LoadsAndUpscalesAShortClip) {
    REQUIRE_REAL_MODEL(model);
    engine::pipeline::UpscalerConfig config;
    config.model_dir = model->folder;
    config.version = model->version == ckpt::ModelVersion::V1_0
                         ? engine::pipeline::ModelVersion::V10
                         : engine::pipeline::ModelVersion::V11;
    const int width = 96;
    const int height = 64;
    const auto t0 = std::chrono::steady_clock::now();
    auto upscaler = engine::pipeline::Upscaler::create(config, width, height);
    ASSERT_TRUE(upscaler.ok()) << upscaler.error().to_string();
    const double load_s =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::printf("load: %.1f s on %s\n", load_s, (*upscaler)->device_description().c_str());

    std::vector<engine::Frame> out;
    const int frames = 25;
    for (int i = 0; i < frames; ++i) {
        engine::Frame f;
        f.allocate(width, height, engine::SampleType::U8);
        f.index = i;
        f.pts = i;
        auto* s = f.samples<std::uint8_t>();
        for (int y = 0; y < height; ++y) {
            for (int x = 0; x < width; ++x) {
                for (int c = 0; c < 3; ++c) {
                    s[(y * width + x) * 3 + c] =
                        static_cast<std::uint8_t>((x * 3 + y * 2 + i * 4 + c * 60) % 256);
                }
            }
        }
        ASSERT_TRUE((*upscaler)->push(f, out).ok());
    }
    // Until a call appends nothing (a tile-major run hands its frames out in slices).
    for (std::size_t before = out.size();; before = out.size()) {
        ASSERT_TRUE((*upscaler)->finish(out).ok());
        if (out.size() == before) {
            break;
        }
    }
    ASSERT_EQ(static_cast<int>(out.size()), frames);
    double sum = 0;
    for (const auto& f : out) {
        EXPECT_EQ(f.width, width * 4);
        EXPECT_EQ(f.height, height * 4);
        for (std::size_t i = 0; i < f.sample_count(); i += 97) {
            const float v = f.samples<float>()[i];
            ASSERT_TRUE(v >= 0.0f && v <= 1.0f);
            sum += v;
        }
    }
    // Trained weights on a smooth pattern: the output is neither black nor saturated.
    const double mean = sum / (frames * ((out[0].sample_count() + 96) / 97));
    EXPECT_GT(mean, 0.05);
    EXPECT_LT(mean, 0.95);
}

}  // namespace
