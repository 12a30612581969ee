#pragma once
// The CLI's commands. Each returns Ok or the engine error that ended it.

#include "cli_options.h"
#include "engine/core/cancel_token.h"
#include "engine/core/result.h"

#include <string>

namespace cli {

std::string version_text();
engine::Status run_devices();
engine::Status run_probe(const Options& options);
// Decode -> upscale (model or classic scaler) -> encode, with a progress bar. Output is written
// under a temporary name and renamed only after verification; cancellation removes it.
engine::Status run_upscale(const Options& options, const engine::CancelToken& cancel);

// The output path used when --output is not given: <dir>/<stem>_<scale>x.<ext> (or a folder
// <stem>_<scale>x for pictures).
std::filesystem::path default_output_path(const Options& options);

}  // namespace cli
