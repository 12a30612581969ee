#pragma once
// The CLI's commands. Each returns Ok or the engine error that ended it (main() turns it into a
// message and the exit status). Upscaling, assembling and planning go through engine/jobs, the
// job model the GUI uses too; nothing here decodes, upscales or encodes frames itself.
//
// Threads: called on the main thread. run_upscale() and run_assemble() run the job on a second
// thread and draw progress on this one; `cancel` may be cancelled from a signal handler.

#include "cli_options.h"
#include "engine/core/cancel_token.h"
#include "engine/core/result.h"
#include "engine/jobs/job_spec.h"

#include <string>

namespace cli {

std::string version_text();
engine::Status run_devices();
engine::Status run_probe(const Options& options);

// The job the options describe, ready to run: finalize_job_spec() plus what needs the machine:
// --multi_gpu splits into one segment per device found (or keeps the split of an existing
// checkpoint of this job, so a resume works with another GPU count), and --hdr_transfer is
// checked against the source.
engine::Result<engine::jobs::JobSpec> resolve_job(const Options& options);

// `flashvsr [upscale]`: runs the job with engine::jobs::run_job (or prints it, --print-job).
// Cancelled: finished segments stay in the checkpoint folder (the error's "checkpoint").
engine::Status run_upscale(const Options& options, const engine::CancelToken& cancel);
// `flashvsr assemble`: joins the segments that --segments_only range runs wrote.
engine::Status run_assemble(const Options& options, const engine::CancelToken& cancel);
// `flashvsr plan` / `--plan`: prints the planner's prediction and the tiles `auto` chose.
engine::Status run_plan(const Options& options, const engine::CancelToken& cancel);

}  // namespace cli
