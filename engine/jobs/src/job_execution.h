#pragma once
// One job's work, split into tasks that JobQueue workers run: prepare (probe, identities, resume
// checks, plan, manifest), one task per segment, assemble. The queue decides who runs what; this
// class owns the job's files and its manifest.
//
// Threads: prepare() and assemble() run on one worker each, never together with segments;
// run_segment() runs on several workers at once (the manifest is guarded by m_manifest_mutex,
// events by m_event_mutex).

#include "engine/core/cancel_token.h"
#include "engine/io/media.h"
#include "engine/jobs/job_events.h"
#include "engine/jobs/job_queue.h"
#include "engine/jobs/manifest.h"
#include "engine/jobs/planner.h"
#include "engine/jobs/processor.h"

#include <atomic>
#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace engine::jobs {

class JobExecution {
  public:
    // `external`: the submitter's token (may be shared with other jobs); the job never cancels
    // it, it only follows it.
    // `factory`: builds segment processors (empty: make_processor). `planning_device`: plan for
    // this device instead of the preparing worker's. `work_folder_free_bytes`: the free disk the
    // planner assumes for the work folder (empty: measured).
    JobExecution(JobSpec spec,
                 JobEvents events,
                 std::optional<CancelToken> external,
                 ProcessorFactory factory = {},
                 std::optional<DeviceResources> planning_device = std::nullopt,
                 std::optional<std::uint64_t> work_folder_free_bytes = std::nullopt);
    // The devices of the workers that may run this job (for per-GPU memory in progress events).
    // Called before the first task.
    void set_worker_devices(const std::vector<std::string>& devices);

    const std::string& job_id() const { return m_job_id; }
    const JobSpec& spec() const { return m_spec; }
    // The job's own token: cancelled by JobHandle::cancel(), by the external token (noticed
    // between frames), or by the queue when another segment of the job failed.
    const CancelToken& cancel_token() const { return m_cancel; }
    bool is_cancelled() const;

    // Fills the manifest and returns the segment indices still to do (plan order).
    // `device`: the preparing worker's; the planner predicts (and picks auto tiles) for it.
    // A job whose output is already its finished result (recognise_finished_output) returns no
    // segments, and assemble() then leaves the output as it is.
    Result<std::vector<int>> prepare(int worker_index, const std::string& device);
    // Runs one segment; on a GPU out-of-memory error, reruns it with smaller tiles (planner's
    // smaller_tiles, at most kMaxOomRetries times). Later segments on the same device start with
    // the tiles that worked.
    Status run_segment(int segment_index, int worker_index, const std::string& device);
    // Joins this job's segments into the output (or, SegmentsOnly, just keeps them).
    Status assemble(int worker_index);
    // Reports, state events, checkpoint clean-up. Called once, with the job's final status.
    JobSummary finalize(const Status& status);

    void emit_state(JobState state);

  private:
    void emit_progress(JobStage stage,
                       int device_index,
                       bool force,
                       const std::string& stage_name = {});
    std::vector<GpuMemory> sample_gpu_memory();
    // The existing output is this job's finished result when the checkpoint's manifest matches
    // (input identity, settings fingerprint, model files, frame range), lists every segment as
    // finished, and the file verifies (codec, size, frame count, streams). Ok with that manifest,
    // else why not (for the log; the caller refuses the output then).
    Result<Manifest> recognise_finished_output(const InputIdentity& input,
                                               const ModelIdentity& model,
                                               std::int64_t total_frames);
    Status check_cancelled() const;
    // One attempt at a segment with the given tiles; frames it counted are uncounted on failure.
    Status run_segment_once(const Segment& segment,
                            int worker_index,
                            const std::string& device,
                            const TileChoice& tiles);

    // A segment rerun after running out of GPU memory.
    struct OomRetry {
        int segment = 0;
        std::string device;
        TileChoice from;
        TileChoice to;
        std::string detail;
    };

    JobSpec m_spec;
    JobEvents m_events;
    CancelToken m_cancel;
    std::optional<CancelToken> m_external;
    std::string m_job_id;
    std::filesystem::path m_checkpoint_dir;
    std::filesystem::path m_manifest_path;
    bool m_private_checkpoint_dir = true;
    std::filesystem::path m_pictures_folder;  // pictures output: where the frames go

    std::mutex m_manifest_mutex;
    Manifest m_manifest;
    io::VideoInfo m_source_info;
    SampleType m_source_type = SampleType::U16;
    std::string m_processor_description;
    ProcessorFactory m_factory;
    std::optional<DeviceResources> m_planning_device;
    std::optional<std::uint64_t> m_work_folder_free_bytes;
    std::optional<JobPlan> m_plan;                     // guarded by m_manifest_mutex
    std::map<std::string, TileChoice> m_device_tiles;  // per device after OOM retries; same
    std::vector<OomRetry> m_oom_retries;               // same

    // Progress
    std::mutex m_event_mutex;
    std::chrono::steady_clock::time_point m_started;
    std::chrono::steady_clock::time_point m_last_progress;
    JobStage m_last_stage = JobStage::Probing;
    std::string m_last_stage_name;
    std::vector<int> m_gpu_indices;        // CUDA devices among the job's workers
    std::map<int, GpuMemory> m_gpu_peaks;  // highest NVML "used" seen at progress events
    std::atomic<std::int64_t> m_frames_done{0};
    std::atomic<std::int64_t> m_frames_this_session{0};
    std::atomic<std::int64_t> m_frames_assembled{0};
    std::atomic<int> m_segments_done{0};
    std::int64_t m_frames_resumed = 0;
    int m_segments_resumed = 0;
    std::chrono::steady_clock::time_point m_upscale_started;
    double m_prepare_ms = 0;
    double m_scene_ms = 0;
    double m_plan_ms = 0;
    double m_assemble_ms = 0;
    bool m_assembled = false;
    bool m_already_done = false;  // see JobSummary::already_done
};

// LibTorch reports a CUDA failure that leaves the device's context unusable (illegal address,
// launch failure, device-side assert, a GPU fallen off the bus) as a plain error; it becomes
// DeviceLost (with "device"), so the job says the GPU stopped responding instead of an internal
// error. Other errors come back as they are.
Error classify_device_error(Error error, const std::string& device);

// The driver's readings of a job's GPUs with `peaks` (by CUDA ordinal) raised to them and each
// reading's peak_used_bytes filled from it.
std::vector<GpuMemory> update_gpu_peaks(std::vector<GpuMemory> readings,
                                        std::map<int, GpuMemory>& peaks);
// CUDA ordinals among worker devices ("cuda" is 0, "cuda:N"), each once, in order of appearance;
// "cpu" and other devices have none.
std::vector<int> cuda_ordinals(const std::vector<std::string>& devices);

// Shared by JobExecution::assemble and assemble_job(): encodes the segments listed in
// `manifests` (one or several ranges, already verified) into spec.output.
struct AssembleInputs {
    const JobSpec* spec = nullptr;
    std::vector<const Manifest*> manifests;
    std::filesystem::path checkpoint_dir;
    io::VideoInfo source_info;           // colour, rate and streams for the final file
    std::function<bool()> is_cancelled;  // polled between frames
    std::function<void(std::int64_t frames_written)> on_frame;
};
Status assemble_segments(const AssembleInputs& inputs);

// The finished segments of `manifests` that tile spec's frame range [first, end) in frame order;
// CheckpointMismatch (with "missing_frame") when some frame has none.
struct RangeCover {
    std::int64_t first = 0;
    std::int64_t end = 0;
    std::vector<std::pair<const Manifest*, const SegmentRecord*>> segments;
};
Result<RangeCover> cover_range(const JobSpec& spec,
                               const std::vector<const Manifest*>& manifests,
                               const std::filesystem::path& checkpoint_dir);

}  // namespace engine::jobs
