#include "engine/model/checkpoint/model_folder.h"

#include "checkpoint/hashes.h"
#include "checkpoint/mapped_file.h"
#include "checkpoint/parsed_checkpoint.h"
#include "checkpoint/zip_archive.h"
#include "engine/core/paths.h"
#include "engine/model/checkpoint/state_dict.h"

#include <map>
#include <system_error>

namespace engine::model {
namespace {

using Shape = std::vector<std::int64_t>;
using ShapeMap = std::map<std::string, Shape>;

// Upstream's key hashes of the released DiT and VAE (spec §0.4).
constexpr const char* kOfficialDiTKeysMd5 = "9269f8db9040a9d860eaca435be61814";
constexpr const char* kOfficialVaeKeysMd5 = "ccc42284ea13e1ad04693284c7a09be6";

// ---- Expected key/shape lists, parameterised by the widths read from the file ----

ShapeMap expected_dit(std::int64_t dim,
                      std::int64_t ffn,
                      std::int64_t text_dim,
                      std::int64_t freq_dim,
                      std::int64_t out_dim,
                      int layers) {
    ShapeMap m;
    m["patch_embedding.weight"] = {dim, 16, 1, 2, 2};
    m["patch_embedding.bias"] = {dim};
    m["text_embedding.0.weight"] = {dim, text_dim};
    m["text_embedding.0.bias"] = {dim};
    m["text_embedding.2.weight"] = {dim, dim};
    m["text_embedding.2.bias"] = {dim};
    m["time_embedding.0.weight"] = {dim, freq_dim};
    m["time_embedding.0.bias"] = {dim};
    m["time_embedding.2.weight"] = {dim, dim};
    m["time_embedding.2.bias"] = {dim};
    m["time_projection.1.weight"] = {6 * dim, dim};
    m["time_projection.1.bias"] = {6 * dim};
    for (int b = 0; b < layers; ++b) {
        const std::string p = "blocks." + std::to_string(b) + ".";
        for (const char* attn : {"self_attn.", "cross_attn."}) {
            for (const char* proj : {"q", "k", "v", "o"}) {
                m[p + attn + proj + ".weight"] = {dim, dim};
                m[p + attn + proj + ".bias"] = {dim};
            }
            m[p + attn + "norm_q.weight"] = {dim};
            m[p + attn + "norm_k.weight"] = {dim};
        }
        m[p + "norm3.weight"] = {dim};
        m[p + "norm3.bias"] = {dim};
        m[p + "ffn.0.weight"] = {ffn, dim};
        m[p + "ffn.0.bias"] = {ffn};
        m[p + "ffn.2.weight"] = {dim, ffn};
        m[p + "ffn.2.bias"] = {dim};
        m[p + "modulation"] = {1, 6, dim};
    }
    m["head.head.weight"] = {out_dim, dim};
    m["head.head.bias"] = {out_dim};
    m["head.modulation"] = {1, 2, dim};
    return m;
}

ShapeMap expected_lq_projector(std::int64_t hidden1, std::int64_t hidden2, std::int64_t out) {
    return {{"conv1.weight", {hidden1, 768, 4, 3, 3}},
            {"conv1.bias", {hidden1}},
            {"norm1.gamma", {hidden1, 1, 1, 1}},
            {"conv2.weight", {hidden2, hidden1, 4, 3, 3}},
            {"conv2.bias", {hidden2}},
            {"norm2.gamma", {hidden2, 1, 1, 1}},
            {"linear_layers.0.weight", {out, hidden2}},
            {"linear_layers.0.bias", {out}}};
}

// Spec §1.4 with channels [c0, c1, c2, c3] (released: 512, 256, 128, 128).
ShapeMap expected_tc_decoder(std::int64_t c0, std::int64_t c1, std::int64_t c2, std::int64_t c3) {
    ShapeMap m;
    auto conv = [&](const std::string& name, Shape shape, bool bias) {
        const std::int64_t out = shape[0];
        m[name + ".weight"] = std::move(shape);
        if (bias) {
            m[name + ".bias"] = {out};
        }
    };
    auto memblocks = [&](int first, std::int64_t c) {
        for (int i = first; i < first + 3; ++i) {
            const std::string p = "decoder." + std::to_string(i) + ".conv.";
            conv(p + "0", {c, 2 * c, 3, 3}, true);
            conv(p + "2", {c, c, 3, 3}, true);
            conv(p + "4", {c, c, 3, 3}, true);
        }
    };
    conv("decoder.1", {c0, 784, 3, 3}, true);
    conv("decoder.3", {c0, c0, 3, 3}, false);
    memblocks(5, c0);
    conv("decoder.9.conv", {c0, c0, 1, 1}, false);
    conv("decoder.10", {c1, c0, 3, 3}, false);
    memblocks(11, c1);
    conv("decoder.15.conv", {2 * c1, c1, 1, 1}, false);
    conv("decoder.16", {c2, c1, 3, 3}, false);
    memblocks(17, c2);
    conv("decoder.21.conv", {2 * c2, c2, 1, 1}, false);
    conv("decoder.22", {c3, c2, 3, 3}, false);
    conv("decoder.24", {c3, c3, 3, 3}, false);
    conv("decoder.26", {3, c3, 3, 3}, true);
    return m;
}

void vae_residual(ShapeMap& m, const std::string& p, std::int64_t in, std::int64_t out) {
    m[p + "residual.0.gamma"] = {in, 1, 1, 1};
    m[p + "residual.2.weight"] = {out, in, 3, 3, 3};
    m[p + "residual.2.bias"] = {out};
    m[p + "residual.3.gamma"] = {out, 1, 1, 1};
    m[p + "residual.6.weight"] = {out, out, 3, 3, 3};
    m[p + "residual.6.bias"] = {out};
    if (in != out) {
        m[p + "shortcut.weight"] = {out, in, 1, 1, 1};
        m[p + "shortcut.bias"] = {out};
    }
}

void vae_middle(ShapeMap& m, const std::string& p, std::int64_t c) {
    vae_residual(m, p + "0.", c, c);
    m[p + "1.norm.gamma"] = {c, 1, 1};
    m[p + "1.to_qkv.weight"] = {3 * c, c, 1, 1};
    m[p + "1.to_qkv.bias"] = {3 * c};
    m[p + "1.proj.weight"] = {c, c, 1, 1};
    m[p + "1.proj.bias"] = {c};
    vae_residual(m, p + "2.", c, c);
}

void vae_resample(ShapeMap& m, const std::string& p, std::int64_t c, bool up, bool temporal) {
    const std::int64_t out = up ? c / 2 : c;
    m[p + "resample.1.weight"] = {out, c, 3, 3};
    m[p + "resample.1.bias"] = {out};
    if (temporal) {
        m[p + "time_conv.weight"] = {up ? 2 * c : c, c, 3, 1, 1};
        m[p + "time_conv.bias"] = {up ? 2 * c : c};
    }
}

// Spec §1.5, whole file (encoder included), base width b (released 96), latent channels z.
ShapeMap expected_vae(std::int64_t b, std::int64_t z) {
    ShapeMap m;
    const std::int64_t c1 = b, c2 = 2 * b, c4 = 4 * b;
    m["encoder.conv1.weight"] = {c1, 3, 3, 3, 3};
    m["encoder.conv1.bias"] = {c1};
    const std::string e = "encoder.downsamples.";
    vae_residual(m, e + "0.", c1, c1);
    vae_residual(m, e + "1.", c1, c1);
    vae_resample(m, e + "2.", c1, false, false);
    vae_residual(m, e + "3.", c1, c2);
    vae_residual(m, e + "4.", c2, c2);
    vae_resample(m, e + "5.", c2, false, true);
    vae_residual(m, e + "6.", c2, c4);
    vae_residual(m, e + "7.", c4, c4);
    vae_resample(m, e + "8.", c4, false, true);
    vae_residual(m, e + "9.", c4, c4);
    vae_residual(m, e + "10.", c4, c4);
    vae_middle(m, "encoder.middle.", c4);
    m["encoder.head.0.gamma"] = {c4, 1, 1, 1};
    m["encoder.head.2.weight"] = {2 * z, c4, 3, 3, 3};
    m["encoder.head.2.bias"] = {2 * z};
    m["conv1.weight"] = {2 * z, 2 * z, 1, 1, 1};
    m["conv1.bias"] = {2 * z};
    m["conv2.weight"] = {z, z, 1, 1, 1};
    m["conv2.bias"] = {z};
    m["decoder.conv1.weight"] = {c4, z, 3, 3, 3};
    m["decoder.conv1.bias"] = {c4};
    vae_middle(m, "decoder.middle.", c4);
    const std::string u = "decoder.upsamples.";
    for (int i = 0; i < 3; ++i) {
        vae_residual(m, u + std::to_string(i) + ".", c4, c4);
    }
    vae_resample(m, u + "3.", c4, true, true);
    vae_residual(m, u + "4.", c2, c4);
    vae_residual(m, u + "5.", c4, c4);
    vae_residual(m, u + "6.", c4, c4);
    vae_resample(m, u + "7.", c4, true, true);
    for (int i = 8; i < 11; ++i) {
        vae_residual(m, u + std::to_string(i) + ".", c2, c2);
    }
    vae_resample(m, u + "11.", c2, true, false);
    for (int i = 12; i < 15; ++i) {
        vae_residual(m, u + std::to_string(i) + ".", c1, c1);
    }
    m["decoder.head.0.gamma"] = {c1, 1, 1, 1};
    m["decoder.head.2.weight"] = {3, c1, 3, 3, 3};
    m["decoder.head.2.bias"] = {3};
    return m;
}

bool matches(const CheckpointInfo& info, const ShapeMap& expected) {
    if (info.tensors.size() != expected.size()) {
        return false;
    }
    for (const TensorInfo& t : info.tensors) {
        auto it = expected.find(t.name);
        if (it == expected.end() || it->second != t.shape) {
            return false;
        }
    }
    return true;
}

const Shape* shape_of(const CheckpointInfo& info, const std::string& name) {
    for (const TensorInfo& t : info.tensors) {
        if (t.name == name) {
            return &t.shape;
        }
    }
    return nullptr;
}

std::int64_t dim_of(const CheckpointInfo& info, const std::string& name, std::size_t axis) {
    const Shape* s = shape_of(info, name);
    return s != nullptr && s->size() > axis ? (*s)[axis] : -1;
}

bool positive(std::initializer_list<std::int64_t> values) {
    for (const std::int64_t v : values) {
        if (v <= 0 || v > (std::int64_t{1} << 24)) {
            return false;
        }
    }
    return true;
}

}  // namespace

std::optional<ComponentMatch> recognise_component(const CheckpointInfo& info) {
    if (info.single_tensor) {
        const Shape& s = info.tensors.front().shape;
        if (s.size() == 3 && s[0] == 1 && s[1] > 0 && s[2] > 0) {
            return ComponentMatch{ModelComponent::PromptTensor, s == Shape{1, 512, 4096}};
        }
        return std::nullopt;
    }
    // DiT: widths from patch_embedding / text / time / ffn / head; layers from the key count.
    {
        const std::int64_t dim = dim_of(info, "patch_embedding.weight", 0);
        const std::int64_t text_dim = dim_of(info, "text_embedding.0.weight", 1);
        const std::int64_t freq_dim = dim_of(info, "time_embedding.0.weight", 1);
        const std::int64_t ffn = dim_of(info, "blocks.0.ffn.0.weight", 0);
        const std::int64_t out_dim = dim_of(info, "head.head.weight", 0);
        const std::size_t n = info.tensors.size();
        if (positive({dim, text_dim, freq_dim, ffn, out_dim}) && n > 15 && (n - 15) % 27 == 0) {
            const int layers = static_cast<int>((n - 15) / 27);
            if (matches(info, expected_dit(dim, ffn, text_dim, freq_dim, out_dim, layers))) {
                return ComponentMatch{ModelComponent::DiT,
                                      keys_and_shapes_md5(info.tensors) == kOfficialDiTKeysMd5};
            }
        }
    }
    {
        const std::int64_t h1 = dim_of(info, "conv1.weight", 0);
        const std::int64_t h2 = dim_of(info, "conv2.weight", 0);
        const std::int64_t out = dim_of(info, "linear_layers.0.weight", 0);
        if (positive({h1, h2, out}) && matches(info, expected_lq_projector(h1, h2, out))) {
            return ComponentMatch{ModelComponent::LQProjector,
                                  h1 == 2048 && h2 == 3072 && out == 1536};
        }
    }
    {
        const std::int64_t c0 = dim_of(info, "decoder.1.weight", 0);
        const std::int64_t c1 = dim_of(info, "decoder.10.weight", 0);
        const std::int64_t c2 = dim_of(info, "decoder.16.weight", 0);
        const std::int64_t c3 = dim_of(info, "decoder.22.weight", 0);
        if (positive({c0, c1, c2, c3}) && matches(info, expected_tc_decoder(c0, c1, c2, c3))) {
            return ComponentMatch{ModelComponent::TCDecoder,
                                  c0 == 512 && c1 == 256 && c2 == 128 && c3 == 128};
        }
    }
    {
        const std::int64_t base = dim_of(info, "decoder.head.0.gamma", 0);
        const std::int64_t z = dim_of(info, "conv2.weight", 0);
        if (positive({base, z}) && matches(info, expected_vae(base, z))) {
            return ComponentMatch{ModelComponent::WanVAE,
                                  keys_and_shapes_md5(info.tensors) == kOfficialVaeKeysMd5};
        }
    }
    return std::nullopt;
}

const std::vector<KnownModelFile>& released_model_files() {
    static const std::vector<KnownModelFile> files = {
        {ModelComponent::DiT, ModelVersion::V1_0,
         "b05be65078a22000d8efdb6ce212133fd043255371c015329e9f3d31645c62c5", 0},
        {ModelComponent::LQProjector, ModelVersion::V1_0,
         "7ad76b2cc682d72e9521c5fa6bf15850c974c8aff9a04c92882b49c0517ffb94", 0},
        {ModelComponent::LQProjector, ModelVersion::V1_1,
         "d6d011cdaaba6a52645086caa08fa04124e746f6ca568140a24007591142bfd2", 575694948},
        {ModelComponent::TCDecoder, std::nullopt,
         "e224bdcf2f52745cbf4d393ff5374c2ba09e90285d5d19062d2bf63b915b6161", 0},
        {ModelComponent::WanVAE, std::nullopt,
         "38071ab59bd94681c686fa51d75a1968f64e470262043be31f7a094e442fd981", 0},
    };
    return files;
}

std::string_view model_version_name(ModelVersion version) {
    return version == ModelVersion::V1_0 ? "1.0" : "1.1";
}

std::string_view component_name(ModelComponent component) {
    switch (component) {
        case ModelComponent::DiT:
            return "DiT";
        case ModelComponent::LQProjector:
            return "LQ projector";
        case ModelComponent::TCDecoder:
            return "TCDecoder";
        case ModelComponent::WanVAE:
            return "Wan2.1 VAE";
        case ModelComponent::PromptTensor:
            return "prompt tensor";
    }
    return "?";
}

std::string_view component_file_name(ModelComponent component) {
    switch (component) {
        case ModelComponent::DiT:
            return "diffusion_pytorch_model_streaming_dmd.safetensors";
        case ModelComponent::LQProjector:
            return "LQ_proj_in.ckpt";
        case ModelComponent::TCDecoder:
            return "TCDecoder.ckpt";
        case ModelComponent::WanVAE:
            return "Wan2.1_VAE.pth";
        case ModelComponent::PromptTensor:
            return "posi_prompt.pth";
    }
    return "";
}

std::vector<ModelComponent> required_components(PipelineMode mode) {
    if (mode == PipelineMode::Full) {
        return {ModelComponent::DiT, ModelComponent::LQProjector, ModelComponent::WanVAE,
                ModelComponent::PromptTensor};
    }
    return {ModelComponent::DiT, ModelComponent::LQProjector, ModelComponent::TCDecoder,
            ModelComponent::PromptTensor};
}

std::string download_source(ModelComponent component, ModelVersion version) {
    if (component == ModelComponent::PromptTensor) {
        return "https://github.com/OpenImagingLab/FlashVSR/tree/main/examples/WanVSR/"
               "prompt_tensor";
    }
    return version == ModelVersion::V1_0 ? "https://huggingface.co/JunhaoZhuang/FlashVSR"
                                         : "https://huggingface.co/JunhaoZhuang/FlashVSR-v1.1";
}

Status verify_checkpoint_data(const std::filesystem::path& path) {
    auto file = detail::MappedFile::open(path);
    if (!file) {
        return file.error();
    }
    const std::string label = path_string(path);
    const detail::ByteView bytes = file.value()->bytes();
    auto parsed = detail::parse_checkpoint(bytes, label);
    if (!parsed) {
        return parsed.error();
    }
    if (parsed.value().format != CheckpointFormat::TorchZip) {
        return {};
    }
    auto entries = detail::read_zip_directory(bytes, label);
    if (!entries) {
        return entries.error();
    }
    for (const detail::ZipEntry& e : entries.value()) {
        if (e.method == 0 &&
            detail::crc32_update(0, bytes.data + e.data_offset,
                                 static_cast<std::size_t>(e.size_bytes)) != e.crc32) {
            return Error(ErrorCode::ModelDamaged,
                         "CRC mismatch in " + e.name + " of " + label + ": the file is damaged")
                .with("path", label)
                .with("entry", e.name);
        }
    }
    return {};
}

namespace {

Error file_error(ErrorCode code,
                 const std::string& detail,
                 const ModelFileReport& report,
                 ModelVersion version) {
    Error error(code, detail);
    error.with("path", path_string(report.path))
        .with("file", std::string(component_file_name(report.component)))
        .with("component", std::string(component_name(report.component)))
        .with("version", std::string(model_version_name(version)));
    if (code == ErrorCode::ModelFileMissing || code == ErrorCode::ModelDamaged ||
        code == ErrorCode::ModelWrongVersion || code == ErrorCode::ModelWrongFile) {
        error.with("source", download_source(report.component, version));
    }
    return error;
}

void check_structure(ModelFileReport& report, ModelVersion version) {
    const std::string where = path_string(report.path);
    auto info = inspect_checkpoint(report.path);
    if (!info) {
        const Error& e = info.error();
        if (e.code == ErrorCode::FileTruncated || e.code == ErrorCode::ModelDamaged ||
            e.code == ErrorCode::FileEmpty) {
            report.problem =
                file_error(ErrorCode::ModelDamaged,
                           where + " is damaged (an incomplete or corrupted download): " + e.detail,
                           report, version);
        } else if (e.code == ErrorCode::CheckpointUnsupported && e.get("format").empty() &&
                   e.get("global").empty() && e.get("opcode").empty() && e.get("dtype").empty()) {
            report.problem =
                file_error(ErrorCode::ModelWrongFile, where + " is not a model file: " + e.detail,
                           report, version);
        } else {
            report.problem = e;
        }
        return;
    }
    report.structure_checked = true;
    report.keys_md5 = keys_and_shapes_md5(info.value().tensors);
    const auto match = recognise_component(info.value());
    if (!match) {
        report.problem = file_error(
            ErrorCode::ModelWrongFile,
            where + " is not the FlashVSR " + std::string(component_name(report.component)) + " (" +
                std::to_string(info.value().tensors.size()) + " tensors, first: " +
                (info.value().tensors.empty() ? std::string("none")
                                              : info.value().tensors.front().name) +
                ")",
            report, version);
        return;
    }
    if (match->component != report.component) {
        Error error =
            file_error(ErrorCode::ModelWrongFile,
                       where + " holds the " + std::string(component_name(match->component)) +
                           ", not the " + std::string(component_name(report.component)),
                       report, version);
        error.with("found_component", std::string(component_name(match->component)));
        report.problem = std::move(error);
        return;
    }
    report.official_size = match->official_size;
}

void check_checksum(ModelFileReport& report,
                    ModelVersion version,
                    const std::vector<KnownModelFile>& known_files) {
    if (auto s = verify_checkpoint_data(report.path); !s) {
        report.problem = file_error(ErrorCode::ModelDamaged,
                                    path_string(report.path) + " is damaged: " + s.error().detail,
                                    report, version);
        return;
    }
    auto sha = file_sha256(report.path);
    if (!sha) {
        report.problem = sha.error();
        return;
    }
    report.sha256 = sha.value();
    const KnownModelFile* reference = nullptr;
    for (const KnownModelFile& k : known_files) {
        if (k.sha256 == report.sha256) {
            if (k.component != report.component) {
                report.problem =
                    file_error(ErrorCode::ModelWrongFile,
                               path_string(report.path) + " is the released " +
                                   std::string(component_name(k.component)) + ", not the " +
                                   std::string(component_name(report.component)),
                               report, version);
                report.problem->with("found_component", std::string(component_name(k.component)));
                return;
            }
            if (k.version && *k.version != version) {
                report.problem = file_error(ErrorCode::ModelWrongVersion,
                                            path_string(report.path) + " is the FlashVSR " +
                                                std::string(model_version_name(*k.version)) + " " +
                                                std::string(component_name(k.component)) +
                                                "; this folder is for " +
                                                std::string(model_version_name(version)),
                                            report, version);
                report.problem->with("found_version", std::string(model_version_name(*k.version)));
                return;
            }
            report.checksum = ChecksumResult::Matched;
            return;
        }
        if (k.component == report.component && (!k.version || *k.version == version)) {
            reference = &k;
        }
    }
    if (reference == nullptr) {
        report.checksum = ChecksumResult::NoReference;
        return;
    }
    report.checksum = ChecksumResult::Different;
    // Same size as the release but other bytes: damaged in transfer (a re-packed file, e.g. a
    // different dtype, would differ in size too). A shorter download never gets here: truncation
    // breaks the container, which check_structure reports as damage.
    if (reference->size_bytes != 0 && reference->size_bytes == report.size_bytes) {
        report.problem = file_error(ErrorCode::ModelDamaged,
                                    path_string(report.path) +
                                        " has the released size but not the released SHA-256 (" +
                                        report.sha256 + " instead of " + reference->sha256 + ")",
                                    report, version);
    }
}

}  // namespace

bool ModelFolderReport::ok() const {
    for (const auto& f : files) {
        if (f.problem) {
            return false;
        }
    }
    return true;
}

Status ModelFolderReport::status() const {
    for (const auto& f : files) {
        if (f.problem) {
            return *f.problem;
        }
    }
    return {};
}

ModelFolderReport inspect_model_folder(const std::filesystem::path& folder,
                                       ModelVersion version,
                                       PipelineMode mode,
                                       const ModelFolderOptions& options) {
    ModelFolderReport out;
    out.folder = folder;
    out.version = version;
    out.mode = mode;
    for (const ModelComponent component : required_components(mode)) {
        ModelFileReport report;
        report.component = component;
        report.path = component == ModelComponent::PromptTensor && options.prompt_path
                          ? *options.prompt_path
                          : folder / std::string(component_file_name(component));
        std::error_code ec;
        const bool is_file = std::filesystem::is_regular_file(report.path, ec);
        if (!is_file) {
            report.problem =
                file_error(ErrorCode::ModelFileMissing,
                           "missing " + path_string(report.path) + " (the FlashVSR " +
                               std::string(model_version_name(version)) + " " +
                               std::string(component_name(component)) + "; download it from " +
                               download_source(component, version) + ")",
                           report, version);
            out.files.push_back(std::move(report));
            continue;
        }
        report.present = true;
        report.size_bytes = std::filesystem::file_size(report.path, ec);
        if (options.level != VerifyLevel::Presence) {
            check_structure(report, version);
        }
        if (options.level == VerifyLevel::Checksum && !report.problem) {
            check_checksum(report, version,
                           options.known_files ? *options.known_files : released_model_files());
        }
        out.files.push_back(std::move(report));
    }
    return out;
}

}  // namespace engine::model
