#pragma once
// Parts of the JSON run report (<output>.report.json) shared by run_job's report
// (JobExecution::finalize) and assemble_job's. Internal: nlohmann stays out of public headers.
// Stateless and thread-safe.

#include "engine/core/error.h"
#include "engine/jobs/identity.h"

#include <nlohmann/json.hpp>

#include <cstdint>

namespace engine::jobs {

inline constexpr const char* kRunReportFormat = "flashvsr-studio-run-report";

// FlashVSR Studio, LibTorch (with its CUDA state) and the FFmpeg libraries.
nlohmann::json report_versions();

// The model files a job ran with: kind, folder, and per file its name, size, the SHA-256 the
// folder's SHA256SUMS lists (when it does), and with HashFiles::Compute the XXH64 of the content,
// read once more now (the weights are usually still in the page cache after the run). A file
// that is gone or has another size than recorded gets "present": false and no hash.
enum class HashFiles { Listed, Compute };
nlohmann::json report_model(const ModelIdentity& model, HashFiles hash_files);

// Peak resident set of this process so far (getrusage), in bytes; -1 when unknown.
std::int64_t peak_rss_bytes();

// {code, detail, context}
nlohmann::json report_error(const Error& error);

}  // namespace engine::jobs
