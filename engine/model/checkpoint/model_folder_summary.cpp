#include "engine/model/checkpoint/model_folder_summary.h"

#include "engine/model/checkpoint/model_folder.h"

#include <algorithm>

namespace engine::model {
namespace {

FileChecksum to_summary(ChecksumResult result) {
    switch (result) {
        case ChecksumResult::NotChecked:
            return FileChecksum::NotChecked;
        case ChecksumResult::Matched:
            return FileChecksum::Matched;
        case ChecksumResult::NoReference:
            return FileChecksum::NoReference;
        case ChecksumResult::Different:
            return FileChecksum::Different;
    }
    return FileChecksum::NotChecked;
}

void append(const ModelFolderReport& report,
            ModelVersion version,
            std::vector<ModelFileSummary>* out) {
    for (const ModelFileReport& f : report.files) {
        const bool seen = std::any_of(out->begin(), out->end(),
                                      [&](const ModelFileSummary& s) { return s.path == f.path; });
        if (seen) {
            continue;
        }
        ModelFileSummary s;
        s.component = std::string(component_name(f.component));
        s.file_name = std::string(component_file_name(f.component));
        s.path = f.path;
        s.present = f.present;
        s.size_bytes = f.size_bytes;
        s.sha256 = f.sha256;
        s.checksum = to_summary(f.checksum);
        s.download_source = download_source(f.component, version);
        s.problem = f.problem;
        out->push_back(std::move(s));
    }
}

}  // namespace

Result<std::vector<ModelFileSummary>> summarize_model_folder(const std::filesystem::path& folder,
                                                             const std::string& version,
                                                             bool checksums) {
    ModelVersion v = ModelVersion::V1_1;
    if (version == model_version_name(ModelVersion::V1_0)) {
        v = ModelVersion::V1_0;
    } else if (version != model_version_name(ModelVersion::V1_1)) {
        return Error(ErrorCode::InvalidArgument, "unknown FlashVSR version \"" + version + "\"")
            .with("version", version);
    }
    ModelFolderOptions options;
    options.level = checksums ? VerifyLevel::Checksum : VerifyLevel::Structure;
    // Tiny needs the TCDecoder, full the Wan VAE; the union is every file of the version.
    std::vector<ModelFileSummary> out;
    append(inspect_model_folder(folder, v, PipelineMode::Tiny, options), v, &out);
    append(inspect_model_folder(folder, v, PipelineMode::Full, options), v, &out);
    return out;
}

}  // namespace engine::model
