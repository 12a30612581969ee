#pragma once
// Command-line options of `flashvsr`. Every option of the original FlashVSR scripts
// (infer_video.py, infer_video_distributed.py; design spec §8.2/§8.3) is accepted with the same
// name and meaning (underscores, booleans as True/False); ours are documented in --help. The
// options describe one engine::jobs::JobSpec, the job model the GUI uses too: parse_options()
// fills Options::spec, finalize_job_spec() adds what needs the file system (default output).
//
// Pure parsing: no thread, no device access. parse_options() reads only the --job file.

#include "engine/core/result.h"
#include "engine/jobs/job_spec.h"

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace cli {

enum class Command { Upscale, Assemble, Plan, Devices, Probe, Help, Version };

// --hdr_transfer: the HDR encoding upstream writes. We keep the source's transfer; the option is
// checked against the source (see commands.cpp).
enum class HdrTransfer { Hdr10, Hlg };

struct Options {
    Command command = Command::Upscale;
    // The job. Starts from the --job file when given; the other options override its fields.
    engine::jobs::JobSpec spec;
    std::optional<std::filesystem::path> job_file;  // --job
    std::int64_t max_frames = -1;                   // --max_frames: frames from first_frame on
    bool multi_gpu = false;                         // --multi_gpu: every GPU, split every job
    bool print_job = false;                         // --print-job: print the JobSpec, exit
    bool calibrate = false;                         // plan: measure on the device first
    std::optional<std::filesystem::path> report;    // --report (default <output>.report.json)
    std::optional<HdrTransfer> hdr_transfer;
    bool quiet = false;
    // Options accepted for compatibility that have no effect here, with the reason (printed as
    // notes before a run).
    std::vector<std::string> compatibility_notes;
};

// Parses argv. InvalidArgument errors name the option ("option") and the accepted values
// ("accepted"); a --job file that cannot be read gives FileNotFound/FileUnreadable, an invalid
// one InvalidArgument naming the field.
engine::Result<Options> parse_options(int argc, const char* const* argv);

// The spec that runs: the default output path when none was given, --max_frames applied to the
// frame range, --multi_gpu's device list, and the combinations parse_options() cannot check
// alone (engine::jobs::validate() plus tile geometry). Touches the file system only to tell a
// folder input from a file.
engine::Result<engine::jobs::JobSpec> finalize_job_spec(const Options& options);

// The output used when --output is not given: <dir>/<stem>_<scale>x.<ext> beside the input (a
// folder <stem>_<scale>x for pictures).
std::filesystem::path default_output_path(const engine::jobs::JobSpec& spec);

std::string usage_text();

// Every option name --help lists (aliases excluded), for tests and documentation.
std::vector<std::string> option_names();

// Parses "24", "23.976", "30000/1001".
std::optional<engine::Rational> parse_rate(const std::string& text);

// Parses --devices: "all", "0,1", "0-2", "cuda:1", "cpu" (may repeat: several CPU workers).
// std::nullopt when malformed.
std::optional<std::vector<std::string>> parse_device_list(const std::string& text);

}  // namespace cli
