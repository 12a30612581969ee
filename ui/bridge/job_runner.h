#pragma once
// JobRunner: runs the GUI queue on the engine (style.md §5). Owns an engine::jobs::JobQueue
// with one worker per selected device ("cuda:0", "cuda:1", ...; one "cpu" worker without a
// GPU) and keeps up to one job per worker submitted, taking Queued rows of the JobQueueModel in
// queue order, so reordering and pausing act on everything not yet started. A job's segments
// still spread over every idle worker (the engine's multi-GPU split).
//
// Engine events arrive on worker threads; they are copied and re-emitted on the UI thread as
// queued invocations, then written into the model. Pause = cancel keeping the finished segments
// (state Paused); resume and retry put the job back in the queue, and the engine's resume
// manifest continues where it stopped. Cancel ends it Cancelled (its segments stay for Retry).
//
// Destroying the runner shuts the engine queue down (joins the workers) without writing the
// interrupted jobs' states: they stay Running in the store, so the next start offers them for
// resume, exactly as after a crash.
//
// Threads: create, use and destroy on the UI thread.

#include "engine/core/error.h"
#include "engine/gpu/device_info.h"
#include "engine/jobs/job_events.h"
#include "ui/models/job_queue_model.h"

#include <QHash>
#include <QObject>
#include <QStringList>

#include <memory>

namespace engine::jobs {
class JobQueue;
class JobHandle;
}  // namespace engine::jobs

namespace ui {

class JobRunner : public QObject {
    Q_OBJECT
  public:
    // `model` must outlive the runner.
    explicit JobRunner(JobQueueModel& model, QObject* parent = nullptr);
    ~JobRunner() override;

    // Worker devices for the next engine queue (taken when no job is active). Empty: "cpu".
    void setWorkerDevices(const QStringList& devices);
    QStringList workerDevices() const { return m_devices; }
    // Every GPU NVML lists, or {"cpu"} without one.
    static QStringList defaultDevices(const engine::gpu::DeviceQuery& query);

    bool isQueueRunning() const { return m_running; }
    // Jobs submitted to the engine and not yet ended.
    int activeCount() const { return static_cast<int>(m_active.size()); }
    bool isActive(const QString& id) const { return m_active.contains(id); }

    // Starts taking Queued jobs (until none is left).
    void startQueue();
    // Stops taking new jobs and pauses the running ones.
    void stopQueue();
    // Running -> Paused (after the engine stopped). false when the job is not running.
    bool pauseJob(const QString& id);
    // Paused -> Queued and the queue starts. false when the job is not paused.
    bool resumeJob(const QString& id);
    // Running -> Cancelled (after the engine stopped), or Queued/Paused -> Cancelled at once.
    bool cancelJob(const QString& id);
    // Failed or Cancelled -> Queued (resuming from the checkpoint) and the queue starts.
    bool retryJob(const QString& id);

  signals:
    void queueStarted();
    // No Queued job left and none running; counts are of the jobs that ended since the start.
    // Not emitted when the queue stopped because the user paused its last running job.
    void queueFinished(int succeeded, int failed, int cancelled);
    // true while at least one job runs (the window holds a sleep inhibitor meanwhile).
    void busyChanged(bool busy);
    void jobSucceeded(const QString& id);
    void jobFailed(const QString& id, const engine::Error& error);
    // A running job's throughput on `device` ("cpu", "cuda:0"), frames per second.
    void throughputSampled(const QString& device, double fps);

  private:
    enum class StopReason { None, Pause, Cancel };
    struct Active;

    void schedule();
    void submit(const QString& id);
    void onEngineProgress(const QString& id, const engine::jobs::JobProgress& progress);
    void onEngineEnded(const QString& id, engine::jobs::JobState state);
    bool requestStop(const QString& id, StopReason reason);
    void setBusy(bool busy);

    JobQueueModel& m_model;
    QStringList m_devices{QStringLiteral("cpu")};
    std::unique_ptr<engine::jobs::JobQueue> m_queue;
    QStringList m_queueDevices;  // what m_queue was built with
    QHash<QString, std::shared_ptr<Active>> m_active;
    bool m_running = false;
    bool m_busy = false;
    bool m_lastEndWasPause = false;
    int m_succeeded = 0;
    int m_failed = 0;
    int m_cancelled = 0;
};

}  // namespace ui
