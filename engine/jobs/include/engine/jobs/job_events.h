#pragma once
// What a running job tells its owner. Callbacks belong to the job (passed with it), never to the
// process. They are called on a worker thread, possibly on several worker threads of the same
// job at once (never concurrently for one callback: the job serialises its events), and must not
// block: copy the value and hop to your own thread (the GUI's EngineBridge queues a signal).

#include "engine/core/error.h"

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace engine::jobs {

enum class JobState {
    Queued,
    Running,
    Succeeded,
    Failed,
    Cancelled,  // stopped by the user; finished segments are kept for resume. Not a failure.
};

enum class JobStage {
    Probing,     // opening the input, identities, resume checks
    Measuring,   // HDR: sampling frames for the global l_max
    Upscaling,   // segments
    Assembling,  // joining segments into the final output
    Done,
};

std::string_view job_state_name(JobState state);
std::string_view job_stage_name(JobStage stage);

// GPU memory of one CUDA device the job's workers use, as the driver (NVML) reports it: memory in
// use by every process on that GPU, not only this job.
struct GpuMemory {
    int gpu_index = 0;  // CUDA ordinal
    std::uint64_t used_bytes = 0;
    std::uint64_t total_bytes = 0;
    // The highest used_bytes this job has seen on the GPU so far (sampled at its progress
    // events, so a short spike between two events can be missed).
    std::uint64_t peak_used_bytes = 0;
};

// A progress value, sent at most ~10 times a second plus at every stage change.
struct JobProgress {
    std::string job_id;
    JobStage stage = JobStage::Probing;
    // What happens now, finer than `stage`: "probing", "detecting scene cuts", "planning",
    // "calibrating", "measuring HDR peak", "upscaling", "upscaling tile 3/10, chunk 5/12" (a
    // tile-major run before its frames come out), "retrying segment 3 with smaller tiles",
    // "assembling", "done", "already done" (the output of an earlier run is complete).
    std::string stage_name;
    // Output frames finished (Upscaling, resumed ones included). Steps back by the frames of a
    // segment attempt that ran out of GPU memory and is rerun with smaller tiles.
    std::int64_t frames_done = 0;
    std::int64_t frames_total = 0;  // of the job's frame range; assembled frames in Assembling
    int segments_done = 0;
    int segments_total = 0;
    double fps = 0.0;          // frames per second of this session (0 until known)
    std::int64_t eta_ms = -1;  // -1 until known
    int device_index = -1;     // the reporting worker (JobQueue order); -1 for job-level events
    // One entry per CUDA device among the job's workers, current and peak (empty on CPU-only
    // jobs or without NVML).
    std::vector<GpuMemory> gpu_memory;
};

struct JobEvents {
    std::function<void(const std::string& job_id, JobState state)> on_state;
    std::function<void(const JobProgress& progress)> on_progress;
    // Before on_state(Failed); also for Cancelled (code Cancelled).
    std::function<void(const std::string& job_id, const Error& error)> on_error;
};

}  // namespace engine::jobs
