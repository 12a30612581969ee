#pragma once
// What a FlashVSR model folder holds, checked before a job starts: which files a version/mode
// needs, whether each is there, and on request whether it is the right file (keys and shapes),
// the right version and undamaged (SHA-256 against the released files, zip CRCs). The layout is
// the one users get from the Hugging Face repositories JunhaoZhuang/FlashVSR (v1.0) and
// JunhaoZhuang/FlashVSR-v1.1: every file at the top of the folder. posi_prompt.pth is not in those
// repositories; it comes from the FlashVSR code repository (examples/WanVSR/prompt_tensor/).
//
// Thread-safe; reads files only. Inspection at VerifyLevel::Structure reads headers (fast even for
// the 5.7 GB DiT); VerifyLevel::Checksum reads every byte (seconds to minutes).

#include "engine/core/error.h"
#include "engine/core/result.h"
#include "engine/model/checkpoint/checkpoint_file.h"

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace engine::model {

enum class ModelVersion { V1_0, V1_1 };
enum class PipelineMode { Tiny, TinyLong, Full };
enum class ModelComponent { DiT, LQProjector, TCDecoder, WanVAE, PromptTensor };

std::string_view model_version_name(ModelVersion version);  // "1.0", "1.1"
std::string_view component_name(ModelComponent component);  // "DiT", "LQ projector", ...
// The file name in the folder, e.g. "diffusion_pytorch_model_streaming_dmd.safetensors".
std::string_view component_file_name(ModelComponent component);
// tiny / tiny-long: DiT, LQ projector, TCDecoder, prompt; full: DiT, LQ projector, Wan VAE, prompt.
std::vector<ModelComponent> required_components(PipelineMode mode);
// Where users download the file (a URL).
std::string download_source(ModelComponent component, ModelVersion version);

enum class VerifyLevel {
    Presence,   // exists, size
    Structure,  // + container parse and key/shape check (no tensor data read)
    Checksum,   // + SHA-256 against the released files and zip CRCs (reads everything)
};

enum class ChecksumResult {
    NotChecked,
    Matched,      // the released file of this version
    NoReference,  // no released hash is recorded for this file (spec §1.1)
    Different,    // structurally right, CRCs fine, but not byte-identical to the release
};

// Recognises a key/shape list as one FlashVSR component (any width: the shrunk test models are
// recognised too). `official_size` is set when the shapes are those of the released model.
struct ComponentMatch {
    ModelComponent component;
    bool official_size = false;
};
std::optional<ComponentMatch> recognise_component(const CheckpointInfo& info);

struct ModelFileReport {
    ModelComponent component = ModelComponent::DiT;
    std::filesystem::path path;
    bool present = false;
    std::uint64_t size_bytes = 0;
    bool structure_checked = false;
    bool official_size = false;  // shapes of the released model (not a shrunk test model)
    std::string keys_md5;        // keys_and_shapes_md5 of the file (Structure and above)
    ChecksumResult checksum = ChecksumResult::NotChecked;
    std::string sha256;
    // ModelFileMissing (context: path, file, source), ModelWrongFile (found_component when the
    // keys belong to another component), ModelWrongVersion, ModelDamaged, FileUnreadable,
    // CheckpointUnsupported.
    std::optional<Error> problem;
};

struct ModelFolderReport {
    std::filesystem::path folder;
    ModelVersion version = ModelVersion::V1_1;
    PipelineMode mode = PipelineMode::Tiny;
    std::vector<ModelFileReport> files;  // in required_components() order

    bool ok() const;
    Status status() const;  // the first problem, or ok
};

// A file whose SHA-256 is known (spec §1.1). version nullopt: the same file in both versions.
struct KnownModelFile {
    ModelComponent component = ModelComponent::DiT;
    std::optional<ModelVersion> version;
    std::string sha256;
    std::uint64_t size_bytes = 0;  // 0 = not recorded
};
// The released files: v1.0 DiT, both LQ projectors, TCDecoder, Wan VAE (no v1.1 DiT or prompt).
const std::vector<KnownModelFile>& released_model_files();

struct ModelFolderOptions {
    VerifyLevel level = VerifyLevel::Structure;
    // Checksum references; nullopt = released_model_files(). Lets a newer table (or a test's)
    // be supplied without rebuilding.
    std::optional<std::vector<KnownModelFile>> known_files;
    // posi_prompt.pth elsewhere (e.g. shipped with the application); default: inside the folder.
    std::optional<std::filesystem::path> prompt_path;
};

ModelFolderReport inspect_model_folder(const std::filesystem::path& folder,
                                       ModelVersion version,
                                       PipelineMode mode,
                                       const ModelFolderOptions& options = {});

// Reads every byte of a checkpoint: structure as inspect_checkpoint, plus the CRC of every zip
// entry (safetensors has no checksum; only its structure is checked). ModelDamaged on mismatch.
Status verify_checkpoint_data(const std::filesystem::path& path);

}  // namespace engine::model
