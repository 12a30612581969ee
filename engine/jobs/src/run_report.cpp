#include "run_report.h"

#include "engine/io/versions.h"
#include "engine/pipeline/runtime.h"

#include <filesystem>
#include <sys/resource.h>

namespace engine::jobs {
namespace fs = std::filesystem;
using nlohmann::json;

json report_versions() {
    return {{"flashvsr_studio", FVSR_VERSION},
            {"torch", pipeline::torch_description()},
            {"media", io::media_library_versions()}};
}

json report_model(const ModelIdentity& model, HashFiles hash_files) {
    json files = json::array();
    for (const auto& f : model.files) {
        json entry = {{"name", f.name}, {"size_bytes", f.size_bytes}};
        if (!f.sha256.empty()) {
            entry["sha256"] = f.sha256;
        }
        const fs::path path = fs::path(fs::u8path(model.folder)) / fs::u8path(f.name);
        std::error_code ec;
        const auto size = fs::file_size(path, ec);
        const bool present = !ec && size == f.size_bytes;
        entry["present"] = present;
        if (present && hash_files == HashFiles::Compute) {
            if (auto hash = hash_file(path); hash.ok()) {
                entry["xxh64"] = *hash;
            }
        }
        files.push_back(std::move(entry));
    }
    return {{"kind", model.kind}, {"folder", model.folder}, {"files", files}};
}

std::int64_t peak_rss_bytes() {
    rusage usage{};
    if (getrusage(RUSAGE_SELF, &usage) != 0) {
        return -1;
    }
    return static_cast<std::int64_t>(usage.ru_maxrss) * 1024;
}

json report_error(const Error& error) {
    json context = json::object();
    for (const auto& [k, v] : error.context) {
        context[k] = v;
    }
    return {{"code", std::string(error_code_name(error.code))},
            {"detail", error.detail},
            {"context", context}};
}

}  // namespace engine::jobs
