#pragma once
// JobQueue: one worker thread per device ("cpu", "cuda:0", ...; "cpu" may repeat). Workers pull
// tasks from the queued jobs in submission order: a job's preparation (probe, resume checks,
// plan), then its segments (each one a fresh processor on the pulling worker's device), then its
// final assembly. So different jobs run on different workers at once, and one job's segments
// spread over every idle worker (the multi-GPU split). Inside a segment, decoding, processing and
// encoding are separate threads joined by bounded frame queues, so memory stays bounded.
//
// Threads: submit(), cancel and wait may be called from any thread. Events of a job are called
// on worker threads (see job_events.h). shutdown() (also run by the destructor) cancels every
// unfinished job, then joins the workers; cancelled jobs keep their finished segments.

#include "engine/core/cancel_token.h"
#include "engine/core/result.h"
#include "engine/jobs/job_events.h"
#include "engine/jobs/job_spec.h"
#include "engine/jobs/planner.h"
#include "engine/jobs/processor.h"

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace engine::jobs {

namespace detail {
struct JobControl;
struct QueueState;
}  // namespace detail

// Summary of a finished job, also written as the JSON run report.
struct JobSummary {
    std::string job_id;
    JobState state = JobState::Queued;
    std::optional<Error> error;
    std::int64_t frames_total = 0;
    std::int64_t frames_processed = 0;  // in this session
    std::int64_t frames_resumed = 0;    // finished before (from the manifest)
    int segments_total = 0;
    int segments_resumed = 0;
    std::filesystem::path output;       // empty unless assembled
    std::filesystem::path report_path;  // the JSON run report
    // FlashVSR: what the planner predicted (and, for tile_size 0, chose) before the segments ran.
    std::optional<JobPlan> plan;
    TileChoice tiles;                      // the tiling segments started with
    std::vector<std::int64_t> scene_cuts;  // shot starts that bounded segments
    int oom_retries = 0;                   // segments rerun with smaller tiles in this session
    // The output was already complete: an earlier run of this job finished it (its checkpoint
    // says every segment is done and the file verifies) but stopped before removing the
    // checkpoint, or kept it. Nothing was redone and the output was not touched; the checkpoint
    // is removed unless kept.
    bool already_done = false;
};

class JobHandle {
  public:
    JobHandle() = default;
    const std::string& job_id() const;
    // Requests cancellation; the job ends Cancelled once every running segment stopped.
    void cancel() const;
    CancelToken cancel_token() const;
    JobState state() const;
    bool done() const;
    // Blocks until the job ended; Ok, Cancelled, or the error that failed it.
    Status wait() const;
    // false on timeout.
    bool wait_for(std::chrono::milliseconds timeout) const;
    // Valid once done().
    JobSummary summary() const;

  private:
    friend class JobQueue;
    explicit JobHandle(std::shared_ptr<detail::JobControl> control)
        : m_control(std::move(control)) {}
    std::shared_ptr<detail::JobControl> m_control;
};

struct SubmitOptions {
    // Workers (indices into the queue's device list) allowed to run this job; empty: all.
    std::vector<int> workers;
    // Cancels the job when cancelled (shared with a front end's Ctrl-C handler, for example).
    std::optional<CancelToken> cancel;
    // Builds each segment's processor; empty: make_processor. Tests inject failing processors.
    ProcessorFactory processor_factory;
    // The device the planner plans for (auto tiles, prediction); empty: the preparing worker's.
    // For a job spread over GPUs of different sizes, pass the smallest one's
    // (query_device_resources).
    std::optional<DeviceResources> planning_device;
    // Free disk the planner assumes in the job's work folder (a tile-major run's scratch caps its
    // segment length); empty: measured when the job prepares. For a quota the file system does
    // not report, and for tests.
    std::optional<std::uint64_t> work_folder_free_bytes;
};

class JobQueue {
  public:
    // One worker per entry. InvalidArgument-free: an empty list gets one "cpu" worker.
    explicit JobQueue(std::vector<std::string> worker_devices);
    ~JobQueue();
    JobQueue(const JobQueue&) = delete;
    JobQueue& operator=(const JobQueue&) = delete;

    JobHandle submit(JobSpec spec, JobEvents events = {}, SubmitOptions options = {});
    int worker_count() const;
    const std::vector<std::string>& devices() const;
    void shutdown();

  private:
    std::shared_ptr<detail::QueueState> m_state;
    std::vector<std::thread> m_threads;
    std::vector<std::string> m_devices;
};

// Runs one job to the end on workers for spec.devices (empty: one worker on spec.model.device,
// "cpu" for classic scalers; "all" expands to every CUDA device NVML lists). Blocking.
// Cancelling `cancel` ends it Cancelled. An existing output file is OutputExists (unless
// spec.output_settings.overwrite), except when it is this job's finished result (see
// JobSummary::already_done): then the job succeeds without redoing anything.
Result<JobSummary> run_job(const JobSpec& spec,
                           JobEvents events = {},
                           std::optional<CancelToken> cancel = std::nullopt);

// Render farms: joins the segments that several range runs (FinishPolicy::SegmentsOnly, one
// shared checkpoint_dir) wrote, for spec's frame range, into spec.output. Every manifest in the
// folder must have the spec's settings fingerprint and input identity; the segments must cover
// the range without gaps. Writes the run report beside the output (the assembly's facts and
// each range's own report). An existing output is OutputExists (unless overwrite), except when
// it is already these segments' assembly (an assembly stopped before its clean-up, or one that
// kept the checkpoint; verified like run_job's): then it succeeds with already_done and the file
// untouched. Blocking, on the calling thread.
Result<JobSummary> assemble_job(const JobSpec& spec,
                                JobEvents events = {},
                                std::optional<CancelToken> cancel = std::nullopt);

}  // namespace engine::jobs
