#include "engine/jobs/job_queue.h"

#include "engine/core/log.h"
#include "engine/core/paths.h"
#include "engine/gpu/device_info.h"
#include "engine/io/image_sequence.h"
#include "job_execution.h"
#include "json_values.h"
#include "output_layout.h"
#include "run_report.h"

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <fstream>
#include <mutex>
#include <sstream>

namespace engine::jobs {
namespace fs = std::filesystem;

std::string_view job_state_name(JobState state) {
    switch (state) {
        case JobState::Queued:
            return "queued";
        case JobState::Running:
            return "running";
        case JobState::Succeeded:
            return "succeeded";
        case JobState::Failed:
            return "failed";
        case JobState::Cancelled:
            return "cancelled";
    }
    return "unknown";
}

std::string_view job_stage_name(JobStage stage) {
    switch (stage) {
        case JobStage::Probing:
            return "probing";
        case JobStage::Measuring:
            return "measuring";
        case JobStage::Upscaling:
            return "upscaling";
        case JobStage::Assembling:
            return "assembling";
        case JobStage::Done:
            return "done";
    }
    return "unknown";
}

namespace detail {

// The handle's view of a job; outlives the queue's bookkeeping.
struct JobControl {
    std::string job_id;
    CancelToken cancel;
    mutable std::mutex mutex;
    std::condition_variable done_cv;
    JobState state = JobState::Queued;
    bool done = false;
    Status status;
    JobSummary summary;
};

// The queue's bookkeeping of one job.
struct QueuedJob {
    std::shared_ptr<JobControl> control;
    std::unique_ptr<JobExecution> execution;
    std::vector<int> allowed_workers;
    enum class Phase { Prepare, Segments, Assemble, Finished } phase = Phase::Prepare;
    bool task_running = false;  // prepare or assemble taken
    std::deque<int> pending;    // segment indices
    int running_segments = 0;
    Status failure;  // the first error; stops further segments
};

struct QueueState {
    std::mutex mutex;
    std::condition_variable work_cv;
    std::deque<std::shared_ptr<QueuedJob>> jobs;
    bool stopping = false;
};

}  // namespace detail

using detail::JobControl;
using detail::QueuedJob;
using detail::QueueState;

const std::string& JobHandle::job_id() const {
    return m_control->job_id;
}
void JobHandle::cancel() const {
    m_control->cancel.cancel();
}
CancelToken JobHandle::cancel_token() const {
    return m_control->cancel;
}
JobState JobHandle::state() const {
    std::lock_guard<std::mutex> lock(m_control->mutex);
    return m_control->state;
}
bool JobHandle::done() const {
    std::lock_guard<std::mutex> lock(m_control->mutex);
    return m_control->done;
}
Status JobHandle::wait() const {
    std::unique_lock<std::mutex> lock(m_control->mutex);
    m_control->done_cv.wait(lock, [&] { return m_control->done; });
    return m_control->status;
}
bool JobHandle::wait_for(std::chrono::milliseconds timeout) const {
    std::unique_lock<std::mutex> lock(m_control->mutex);
    return m_control->done_cv.wait_for(lock, timeout, [&] { return m_control->done; });
}
JobSummary JobHandle::summary() const {
    std::lock_guard<std::mutex> lock(m_control->mutex);
    return m_control->summary;
}

namespace {

// One unit of work a worker took.
struct Task {
    std::shared_ptr<QueuedJob> job;
    enum class Kind { Prepare, Segment, Assemble, Finish } kind = Kind::Prepare;
    int segment = -1;
};

bool allowed(const QueuedJob& job, int worker) {
    return job.allowed_workers.empty() ||
           std::find(job.allowed_workers.begin(), job.allowed_workers.end(), worker) !=
               job.allowed_workers.end();
}

// Called with the queue lock held. Picks the oldest job with work this worker may do.
std::optional<Task> take_task(QueueState& state, int worker) {
    for (auto& job : state.jobs) {
        if (!allowed(*job, worker) || job->task_running) {
            continue;
        }
        switch (job->phase) {
            case QueuedJob::Phase::Prepare:
                job->task_running = true;
                return Task{job, Task::Kind::Prepare, -1};
            case QueuedJob::Phase::Segments:
                if (job->failure.ok() && !job->execution->is_cancelled() && !job->pending.empty()) {
                    int segment = job->pending.front();
                    job->pending.pop_front();
                    ++job->running_segments;
                    return Task{job, Task::Kind::Segment, segment};
                }
                if (job->running_segments == 0 &&
                    (!job->failure.ok() || job->execution->is_cancelled())) {
                    // Stopped between segments: nobody else will end it.
                    job->task_running = true;
                    return Task{job, Task::Kind::Finish, -1};
                }
                break;
            case QueuedJob::Phase::Assemble:
                job->task_running = true;
                return Task{job, Task::Kind::Assemble, -1};
            case QueuedJob::Phase::Finished:
                break;
        }
    }
    return std::nullopt;
}

// Ends a job: report, events, handle. Called without the queue lock.
void finish_job(QueueState& state, const std::shared_ptr<QueuedJob>& job, const Status& status) {
    JobSummary summary = job->execution->finalize(status);
    {
        std::lock_guard<std::mutex> lock(state.mutex);
        state.jobs.erase(std::remove(state.jobs.begin(), state.jobs.end(), job), state.jobs.end());
    }
    {
        std::lock_guard<std::mutex> lock(job->control->mutex);
        job->control->done = true;
        job->control->status = status;
        job->control->state = summary.state;
        job->control->summary = std::move(summary);
    }
    job->control->done_cv.notify_all();
    state.work_cv.notify_all();
}

// Runs one task and advances the job's phase. Exceptions (c10 errors included) end here.
void run_task(QueueState& state, Task& task, int worker, const std::string& device) {
    QueuedJob& job = *task.job;
    Status status;
    std::vector<int> pending;
    try {
        switch (task.kind) {
            case Task::Kind::Prepare: {
                job.execution->emit_state(JobState::Running);
                {
                    std::lock_guard<std::mutex> lock(job.control->mutex);
                    job.control->state = JobState::Running;
                }
                auto prepared = job.execution->prepare(worker, device);
                if (prepared.ok()) {
                    pending = std::move(prepared).value();
                } else {
                    status = prepared.error();
                }
                break;
            }
            case Task::Kind::Segment:
                status = job.execution->run_segment(task.segment, worker, device);
                break;
            case Task::Kind::Assemble:
                status = job.execution->assemble(worker);
                break;
            case Task::Kind::Finish:
                break;
        }
    } catch (const EngineException& e) {
        status = e.error();
    } catch (const std::exception& e) {
        status = classify_device_error(
            Error(ErrorCode::Internal, std::string("unexpected exception: ") + e.what()), device);
    }

    bool finished = false;
    Status final_status;
    {
        std::lock_guard<std::mutex> lock(state.mutex);
        switch (task.kind) {
            case Task::Kind::Prepare:
                job.task_running = false;
                if (!status.ok()) {
                    finished = true;
                    final_status = status;
                } else {
                    job.pending.assign(pending.begin(), pending.end());
                    job.phase = QueuedJob::Phase::Segments;
                }
                break;
            case Task::Kind::Segment:
                --job.running_segments;
                if (!status.ok() && job.failure.ok()) {
                    job.failure = status;
                    if (status.error().code != ErrorCode::Cancelled) {
                        // Other workers of this job stop at their next frame.
                        job.execution->cancel_token().cancel();
                    }
                }
                break;
            case Task::Kind::Assemble:
                job.task_running = false;
                finished = true;
                final_status = status;
                break;
            case Task::Kind::Finish:
                job.task_running = false;
                break;
        }
        if (job.phase == QueuedJob::Phase::Segments && job.running_segments == 0) {
            const bool cancelled = job.execution->is_cancelled();
            if (!job.failure.ok() || cancelled) {
                finished = true;
                final_status = !job.failure.ok()
                                   ? job.failure
                                   : Status(Error(ErrorCode::Cancelled, "the job was cancelled"));
            } else if (job.pending.empty()) {
                job.phase = QueuedJob::Phase::Assemble;
            }
        }
        if (finished) {
            job.phase = QueuedJob::Phase::Finished;
        }
    }
    state.work_cv.notify_all();
    if (finished) {
        finish_job(state, task.job, final_status);
    }
}

void worker_loop(std::shared_ptr<QueueState> state, int worker, std::string device) {
    while (true) {
        std::optional<Task> task;
        {
            std::unique_lock<std::mutex> lock(state->mutex);
            state->work_cv.wait(lock, [&] {
                if (state->stopping) {
                    return true;
                }
                task = take_task(*state, worker);
                return task.has_value();
            });
            if (!task && state->stopping) {
                return;
            }
        }
        run_task(*state, *task, worker, device);
    }
}

}  // namespace

JobQueue::JobQueue(std::vector<std::string> worker_devices)
    : m_state(std::make_shared<QueueState>()), m_devices(std::move(worker_devices)) {
    if (m_devices.empty()) {
        m_devices.push_back("cpu");
    }
    for (std::size_t i = 0; i < m_devices.size(); ++i) {
        m_threads.emplace_back(worker_loop, m_state, static_cast<int>(i), m_devices[i]);
    }
}

JobQueue::~JobQueue() {
    shutdown();
}

int JobQueue::worker_count() const {
    return static_cast<int>(m_devices.size());
}

const std::vector<std::string>& JobQueue::devices() const {
    return m_devices;
}

JobHandle JobQueue::submit(JobSpec spec, JobEvents events, SubmitOptions options) {
    auto control = std::make_shared<JobControl>();
    auto job = std::make_shared<QueuedJob>();
    job->control = control;
    job->execution = std::make_unique<JobExecution>(
        std::move(spec), std::move(events), options.cancel, std::move(options.processor_factory),
        std::move(options.planning_device), options.work_folder_free_bytes);
    {
        std::vector<std::string> devices;
        for (std::size_t i = 0; i < m_devices.size(); ++i) {
            if (options.workers.empty() || std::find(options.workers.begin(), options.workers.end(),
                                                     int(i)) != options.workers.end()) {
                devices.push_back(m_devices[i]);
            }
        }
        job->execution->set_worker_devices(devices);
    }
    control->cancel = job->execution->cancel_token();
    control->job_id = job->execution->job_id();
    job->allowed_workers = std::move(options.workers);
    job->execution->emit_state(JobState::Queued);
    bool stopping = false;
    {
        std::lock_guard<std::mutex> lock(m_state->mutex);
        stopping = m_state->stopping;
        if (!stopping) {
            m_state->jobs.push_back(job);
        }
    }
    if (stopping) {
        finish_job(*m_state, job, Error(ErrorCode::Cancelled, "the queue is shutting down"));
    }
    m_state->work_cv.notify_all();
    return JobHandle(control);
}

void JobQueue::shutdown() {
    std::vector<std::shared_ptr<QueuedJob>> not_started;
    {
        std::lock_guard<std::mutex> lock(m_state->mutex);
        m_state->stopping = true;
        for (auto& job : m_state->jobs) {
            job->execution->cancel_token().cancel();
        }
    }
    m_state->work_cv.notify_all();
    for (auto& t : m_threads) {
        if (t.joinable()) {
            t.join();
        }
    }
    m_threads.clear();
    // Jobs no worker finished (stopped between tasks) end Cancelled here.
    {
        std::lock_guard<std::mutex> lock(m_state->mutex);
        not_started.assign(m_state->jobs.begin(), m_state->jobs.end());
    }
    for (auto& job : not_started) {
        finish_job(*m_state, job, Error(ErrorCode::Cancelled, "the queue shut down"));
    }
}

namespace {

std::vector<std::string> expand_devices(const JobSpec& spec) {
    std::vector<std::string> devices;
    for (const auto& d : spec.devices) {
        if (d == "all") {
            engine::gpu::DeviceQuery q = engine::gpu::query_devices();
            for (const auto& g : q.devices) {
                devices.push_back("cuda:" + std::to_string(g.index));
            }
        } else {
            devices.push_back(d);
        }
    }
    if (devices.empty()) {
        devices.push_back(spec.upscaler == UpscalerKind::FlashVSR ? spec.model.device : "cpu");
    }
    return devices;
}

}  // namespace

Result<JobSummary> run_job(const JobSpec& spec,
                           JobEvents events,
                           std::optional<CancelToken> cancel) {
    JobQueue queue(expand_devices(spec));
    SubmitOptions options;
    options.cancel = cancel;
    JobHandle handle = queue.submit(spec, std::move(events), options);
    Status status = handle.wait();
    queue.shutdown();
    if (!status.ok()) {
        return status.error();
    }
    return handle.summary();
}

namespace {

// The run report of a range run (FinishPolicy::SegmentsOnly) in the shared checkpoint folder, as
// JSON; null when there is none or it is unreadable.
nlohmann::json range_report(const fs::path& dir, const Manifest& manifest) {
    const fs::path path = dir / ("report_" + std::to_string(manifest.spec.first_frame) + "_" +
                                 std::to_string(manifest.spec.end_frame) + ".json");
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        return nullptr;
    }
    std::ostringstream text;
    text << in.rdbuf();
    nlohmann::json value = nlohmann::json::parse(text.str(), nullptr, false);
    return value.is_discarded() ? nlohmann::json(nullptr) : value;
}

// assemble_job's run report: the assembly's own facts, plus per range the manifest's facts and
// the report its machine wrote (settings, timings, GPU peaks of that machine).
nlohmann::json assembly_report(const JobSpec& spec,
                               const std::string& job_id,
                               const fs::path& dir,
                               const std::vector<Manifest>& manifests,
                               const JobSummary& summary,
                               double assemble_ms,
                               double total_ms) {
    using nlohmann::json;
    json report;
    report["format"] = kRunReportFormat;
    report["command"] = "assemble";
    report["job_id"] = job_id;
    report["state"] = std::string(job_state_name(summary.state));
    report["already_done"] = summary.already_done;
    report["spec"] = job_spec_to_value(spec);
    report["settings_fingerprint"] = settings_fingerprint(spec);
    report["versions"] = report_versions();
    report["model"] = report_model(manifests.front().model, spec.upscaler == UpscalerKind::FlashVSR
                                                                ? HashFiles::Compute
                                                                : HashFiles::Listed);
    report["frames"] = {{"total", summary.frames_total}, {"assembled", summary.frames_total}};
    report["segments"] = {{"total", summary.segments_total}};
    report["timings_ms"] = {{"assemble", assemble_ms}, {"total", total_ms}};
    report["fps"] = assemble_ms > 0 ? double(summary.frames_total) / (assemble_ms / 1000.0) : 0.0;
    // The assembly runs no model: no GPU of its own. Each range's report has its GPUs' peaks.
    report["peak_memory"] = {{"process_rss_bytes", peak_rss_bytes()}, {"gpus", json::array()}};
    json ranges = json::array();
    for (const auto& m : manifests) {
        ranges.push_back({{"first", m.plan.first},
                          {"end", m.plan.end},
                          {"segments", m.plan.segments.size()},
                          {"finished_frames", m.finished_frames()},
                          {"updated_at", m.updated_at},
                          {"model", report_model(m.model, HashFiles::Listed)},
                          {"report", range_report(dir, m)}});
    }
    report["ranges"] = ranges;
    const Manifest& first = manifests.front();
    report["input"] = {{"path", first.input.path},
                       {"frame_count", first.input.frame_count},
                       {"width", first.input.width},
                       {"height", first.input.height}};
    report["range"] = {{"first", spec.first_frame},
                       {"end", spec.first_frame + summary.frames_total}};
    return report;
}

}  // namespace

Result<JobSummary> assemble_job(const JobSpec& spec,
                                JobEvents events,
                                std::optional<CancelToken> cancel) {
    const auto started = std::chrono::steady_clock::now();
    const fs::path dir = checkpoint_dir_for(spec);
    const std::string job_id = job_id_for(spec);
    auto emit_state = [&](JobState s) {
        if (events.on_state) {
            events.on_state(job_id, s);
        }
    };
    auto fail = [&](Error e) -> Result<JobSummary> {
        if (events.on_error) {
            events.on_error(job_id, e);
        }
        emit_state(e.code == ErrorCode::Cancelled ? JobState::Cancelled : JobState::Failed);
        return e;
    };
    emit_state(JobState::Running);
    if (auto st = validate(spec); !st.ok()) {
        return fail(st.error());
    }
    io::SourceOptions so;
    so.input = spec.input;
    if (spec.input_fps) {
        so.sequence_fps = *spec.input_fps;
    }
    auto source = io::open_source(so);
    if (!source.ok()) {
        return fail(source.error());
    }
    const io::VideoInfo info = (*source)->info();
    source->reset();
    auto identity = identify_input_files(spec.input);
    if (!identity.ok()) {
        return fail(identity.error());
    }
    const std::string fingerprint = settings_fingerprint(spec);
    std::vector<Manifest> manifests;
    for (const auto& path : list_manifests(dir)) {
        auto m = read_manifest(path);
        if (!m.ok()) {
            return fail(m.error());
        }
        if (!m->has_value()) {
            continue;
        }
        Manifest& manifest = **m;
        InputIdentity now = *identity;
        now.frame_count = manifest.input.frame_count;
        now.width = info.width;
        now.height = info.height;
        if (auto diffs = manifest.input.differences(now); !diffs.empty()) {
            Error e(ErrorCode::InputChanged, "the input differs from the one of " +
                                                 path_string(path) + " (" + diffs.front() + ")");
            return fail(e.with("checkpoint", path_string(path)));
        }
        if (manifest.settings_fingerprint != fingerprint) {
            Error e(ErrorCode::CheckpointMismatch,
                    "the settings differ from those of " + path_string(path));
            return fail(e.with("checkpoint", path_string(path)));
        }
        manifests.push_back(std::move(manifest));
    }
    if (manifests.empty()) {
        return fail(Error(ErrorCode::FileNotFound, "no job manifest in the checkpoint folder")
                        .with("path", path_string(dir)));
    }
    const bool pictures = spec.output_settings.mode == io::OutputMode::Pictures;
    std::vector<const Manifest*> pointers;
    JobSummary summary;
    summary.job_id = job_id;
    for (const auto& m : manifests) {
        pointers.push_back(&m);
        summary.segments_total += static_cast<int>(m.plan.segments.size());
        summary.segments_resumed += static_cast<int>(m.finished.size());
        summary.frames_resumed += m.finished_frames();
    }
    const std::int64_t total = manifests.front().input.frame_count;
    summary.frames_total =
        (spec.end_frame < 0 ? total : std::min(spec.end_frame, total)) - spec.first_frame;

    const fs::path report_path = fs::path(spec.output.u8string() + ".report.json");
    auto write_report = [&](double assemble_ms) {
        using std::chrono::duration;
        const double total_ms =
            duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
        const nlohmann::json report =
            assembly_report(spec, job_id, dir, manifests, summary, assemble_ms, total_ms);
        if (auto st = write_file_atomically(report_path, report.dump(2)); st.ok()) {
            summary.report_path = report_path;
        } else {
            log_warning("could not write the run report: " + st.error().to_string());
        }
    };
    auto clean_up = [&] {
        if (spec.retention == CheckpointRetention::RemoveWhenDone) {
            remove_assembled_checkpoint(dir, spec.checkpoint_dir.empty(), pointers, pictures);
        }
    };

    if (!pictures && !spec.output_settings.overwrite && fs::exists(spec.output)) {
        // An assembly stopped after the output's rename but before the clean-up (or one that kept
        // the checkpoint) left this job's finished result there: say so instead of refusing,
        // and leave the file as it is.
        Status finished;
        auto covered = cover_range(spec, pointers, dir);
        if (!covered.ok()) {
            finished = covered.error();
        } else {
            finished = verify_final_output(spec, info, manifests.front().intermediate,
                                           covered->end - covered->first);
        }
        if (!finished.ok()) {
            log_info("assembly of job " + job_id + ": the existing output is not this job's " +
                     "finished result: " + finished.error().to_string());
            return fail(Error(ErrorCode::OutputExists, "the output file already exists")
                            .with("path", path_string(spec.output)));
        }
        log_info("assembly of job " + job_id + ": already done: " + path_string(spec.output) +
                 " holds the finished result of these segments; it is kept as it is");
        summary.state = JobState::Succeeded;
        summary.output = spec.output;
        summary.already_done = true;
        if (fs::exists(report_path)) {
            summary.report_path = report_path;  // the report of the assembly that made it
        } else {
            write_report(0.0);
        }
        clean_up();
        if (events.on_progress) {
            JobProgress p;
            p.job_id = job_id;
            p.stage = JobStage::Done;
            p.stage_name = "already done";
            p.frames_done = summary.frames_total;
            p.frames_total = summary.frames_total;
            p.eta_ms = 0;
            events.on_progress(p);
        }
        emit_state(JobState::Succeeded);
        return summary;
    }

    AssembleInputs inputs;
    inputs.spec = &spec;
    inputs.manifests = pointers;
    inputs.checkpoint_dir = dir;
    inputs.source_info = info;
    inputs.is_cancelled = [cancel] { return cancel && cancel->is_cancelled(); };
    auto last = std::chrono::steady_clock::now() - std::chrono::seconds(1);
    inputs.on_frame = [&](std::int64_t written) {
        auto now = std::chrono::steady_clock::now();
        if (events.on_progress && now - last >= std::chrono::milliseconds(100)) {
            last = now;
            JobProgress p;
            p.job_id = job_id;
            p.stage = JobStage::Assembling;
            p.frames_done = written;
            p.frames_total = summary.frames_total;
            events.on_progress(p);
        }
    };
    const auto assemble_started = std::chrono::steady_clock::now();
    if (auto st = assemble_segments(inputs); !st.ok()) {
        return fail(st.error());
    }
    summary.state = JobState::Succeeded;
    summary.output = spec.output;
    write_report(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() -
                                                           assemble_started)
                     .count());
    clean_up();
    emit_state(JobState::Succeeded);
    return summary;
}

}  // namespace engine::jobs
