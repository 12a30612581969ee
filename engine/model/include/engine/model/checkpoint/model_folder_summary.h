#pragma once
// A torch-free view of inspect_model_folder() (model_folder.h pulls in torch through
// checkpoint_file.h) for code that must not include torch, such as the GUI's model manager: per
// file of a FlashVSR version, present or missing, size, SHA-256 when checked, the problem and
// where to download the file.
//
// Thread-safe; reads files only. Checksums read every byte (seconds to minutes for the 5.7 GB DiT),
// so call it with `checksums` on a worker thread.

#include "engine/core/error.h"
#include "engine/core/result.h"

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace engine::model {

enum class FileChecksum {
    NotChecked,
    Matched,      // the released file of this version
    NoReference,  // no released hash is recorded for this file
    Different,    // structurally right but not byte-identical to the release
};

struct ModelFileSummary {
    std::string component;  // "DiT", "LQ projector", ... (English, from component_name())
    std::string file_name;  // e.g. "TCDecoder.ckpt"
    std::filesystem::path path;
    bool present = false;
    std::uint64_t size_bytes = 0;
    std::string sha256;  // lowercase hex; empty unless checksums were computed
    FileChecksum checksum = FileChecksum::NotChecked;
    std::string download_source;   // URL
    std::optional<Error> problem;  // as ModelFileReport::problem
};

// Every file `version` ("1.0" or "1.1") needs in any mode (tiny and full: DiT, LQ projector,
// TCDecoder, Wan VAE, prompt), in that order. `checksums` false: presence and structure (headers
// only); true: also SHA-256 against the released files. InvalidArgument for another version name.
Result<std::vector<ModelFileSummary>> summarize_model_folder(const std::filesystem::path& folder,
                                                             const std::string& version,
                                                             bool checksums);

}  // namespace engine::model
