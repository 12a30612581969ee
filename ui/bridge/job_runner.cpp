#include "ui/bridge/job_runner.h"

#include "engine/core/log.h"
#include "engine/jobs/job_queue.h"

#include <optional>
#include <string>
#include <vector>

namespace ui {

struct JobRunner::Active {
    engine::jobs::JobHandle handle;
    StopReason reason = StopReason::None;
    std::optional<engine::Error> error;  // from on_error, before the Failed state
};

JobRunner::JobRunner(JobQueueModel& model, QObject* parent) : QObject(parent), m_model(model) {}

JobRunner::~JobRunner() {
    // Joins the workers; their last events are queued to this object and dropped with it, so
    // the store keeps the running jobs as Running (offered for resume next time).
    m_active.clear();
    m_queue.reset();
}

QStringList JobRunner::defaultDevices(const engine::gpu::DeviceQuery& query) {
    QStringList devices;
    for (const auto& d : query.devices) {
        devices << QStringLiteral("cuda:%1").arg(d.index);
    }
    if (devices.isEmpty()) {
        devices << QStringLiteral("cpu");
    }
    return devices;
}

void JobRunner::setWorkerDevices(const QStringList& devices) {
    m_devices = devices.isEmpty() ? QStringList{QStringLiteral("cpu")} : devices;
}

void JobRunner::setBusy(bool busy) {
    if (m_busy != busy) {
        m_busy = busy;
        emit busyChanged(busy);
    }
}

void JobRunner::startQueue() {
    if (!m_running) {
        m_running = true;
        m_succeeded = 0;
        m_failed = 0;
        m_cancelled = 0;
        emit queueStarted();
    }
    schedule();
}

void JobRunner::stopQueue() {
    m_running = false;
    const QStringList ids = m_active.keys();
    for (const QString& id : ids) {
        requestStop(id, StopReason::Pause);
    }
    schedule();
}

void JobRunner::schedule() {
    if (!m_running) {
        if (m_active.isEmpty()) {
            setBusy(false);
        }
        return;
    }
    // A new engine queue (new devices) is only built between jobs.
    const int workers =
        static_cast<int>(m_active.isEmpty() ? m_devices.size() : m_queueDevices.size());
    while (m_active.size() < workers) {
        QString next;
        for (int row = 0; row < m_model.rowCount(); ++row) {
            const QueueJob& job = m_model.jobAt(row);
            if (job.state == QueueJobState::Queued && !m_active.contains(job.id)) {
                next = job.id;
                break;
            }
        }
        if (next.isEmpty()) {
            break;
        }
        submit(next);
    }
    if (m_active.isEmpty()) {
        m_running = false;
        setBusy(false);
        // Pausing the last running job stops the queue; it did not finish (no after-queue
        // action).
        if (!m_lastEndWasPause) {
            emit queueFinished(m_succeeded, m_failed, m_cancelled);
        }
    }
}

void JobRunner::submit(const QString& id) {
    const QueueJob* job = m_model.jobById(id);
    if (job == nullptr) {
        return;
    }
    if (m_active.isEmpty() && (!m_queue || m_queueDevices != m_devices)) {
        m_queue.reset();
        std::vector<std::string> devices;
        for (const QString& d : std::as_const(m_devices)) {
            devices.push_back(d.toStdString());
        }
        m_queue = std::make_unique<engine::jobs::JobQueue>(devices);
        m_queueDevices = m_devices;
    }
    engine::jobs::JobSpec spec = job->spec;
    spec.job_id = id.toStdString();

    // A job asking for one device runs on that worker when the queue has it.
    engine::jobs::SubmitOptions options;
    const QString wanted = QString::fromStdString(spec.model.device);
    for (int i = 0; i < m_queueDevices.size(); ++i) {
        if (m_queueDevices.at(i) == wanted) {
            options.workers.push_back(i);
        }
    }

    engine::jobs::JobEvents events;
    // Worker threads: copy, hop to the UI thread, never block.
    events.on_progress = [this, id](const engine::jobs::JobProgress& p) {
        QMetaObject::invokeMethod(
            this, [this, id, p] { onEngineProgress(id, p); }, Qt::QueuedConnection);
    };
    events.on_error = [this, id](const std::string&, const engine::Error& error) {
        QMetaObject::invokeMethod(
            this,
            [this, id, error] {
                if (auto it = m_active.find(id); it != m_active.end()) {
                    it.value()->error = error;
                }
            },
            Qt::QueuedConnection);
    };
    events.on_state = [this, id](const std::string&, engine::jobs::JobState state) {
        if (state == engine::jobs::JobState::Queued || state == engine::jobs::JobState::Running) {
            return;
        }
        QMetaObject::invokeMethod(
            this, [this, id, state] { onEngineEnded(id, state); }, Qt::QueuedConnection);
    };

    auto active = std::make_shared<Active>();
    m_active.insert(id, active);
    m_lastEndWasPause = false;
    m_model.setJobError(id, std::nullopt);
    m_model.setJobState(id, QueueJobState::Running);
    if (spec.resume == engine::jobs::ResumePolicy::CleanStart) {
        // Starting over happens once; a later pause must resume this run's segments.
        engine::jobs::JobSpec stored = job->spec;
        stored.resume = engine::jobs::ResumePolicy::Resume;
        m_model.setJobSpec(id, stored);
    }
    setBusy(true);
    engine::log_info("queue: starting " + id.toStdString() + " (" + spec.input.u8string() + " -> " +
                     spec.output.u8string() + ")");
    active->handle = m_queue->submit(std::move(spec), std::move(events), options);
}

void JobRunner::onEngineProgress(const QString& id, const engine::jobs::JobProgress& p) {
    if (!m_active.contains(id)) {
        return;
    }
    const QString device = p.device_index >= 0 && p.device_index < m_queueDevices.size()
                               ? m_queueDevices.at(p.device_index)
                               : QString();
    m_model.setJobProgress(id, p.frames_done, p.frames_total, p.fps, p.eta_ms, device);
    if (p.fps > 0.0 && p.stage == engine::jobs::JobStage::Upscaling) {
        const QueueJob* job = m_model.jobById(id);
        emit throughputSampled(device.isEmpty() && job != nullptr ? job->device : device, p.fps);
    }
}

void JobRunner::onEngineEnded(const QString& id, engine::jobs::JobState state) {
    auto it = m_active.find(id);
    if (it == m_active.end()) {
        return;
    }
    const std::shared_ptr<Active> active = it.value();
    m_active.erase(it);
    m_lastEndWasPause =
        state == engine::jobs::JobState::Cancelled && active->reason != StopReason::Cancel;
    switch (state) {
        case engine::jobs::JobState::Succeeded:
            m_model.setJobState(id, QueueJobState::Succeeded);
            ++m_succeeded;
            emit jobSucceeded(id);
            break;
        case engine::jobs::JobState::Failed: {
            const engine::Error error = active->error.value_or(
                engine::Error(engine::ErrorCode::Internal, "the job failed without an error"));
            m_model.setJobError(id, error);
            m_model.setJobState(id, QueueJobState::Failed);
            ++m_failed;
            engine::log_warning("queue: " + id.toStdString() + " failed: " + error.to_string());
            emit jobFailed(id, error);
            break;
        }
        case engine::jobs::JobState::Cancelled:
            if (active->reason == StopReason::Cancel) {
                m_model.setJobState(id, QueueJobState::Cancelled);
                ++m_cancelled;
            } else {
                m_model.setJobState(id, QueueJobState::Paused);
            }
            break;
        default:
            break;
    }
    schedule();
}

bool JobRunner::requestStop(const QString& id, StopReason reason) {
    auto it = m_active.find(id);
    if (it == m_active.end()) {
        return false;
    }
    it.value()->reason = reason;
    it.value()->handle.cancel();
    m_model.setJobState(id, QueueJobState::Stopping);
    return true;
}

bool JobRunner::pauseJob(const QString& id) {
    if (requestStop(id, StopReason::Pause)) {
        return true;
    }
    const QueueJob* job = m_model.jobById(id);
    if (job == nullptr || job->state != QueueJobState::Queued) {
        return false;
    }
    m_model.setJobState(id, QueueJobState::Paused);
    return true;
}

bool JobRunner::resumeJob(const QString& id) {
    const QueueJob* job = m_model.jobById(id);
    if (job == nullptr || job->state != QueueJobState::Paused || m_active.contains(id)) {
        return false;
    }
    m_model.setJobState(id, QueueJobState::Queued);
    startQueue();
    return true;
}

bool JobRunner::cancelJob(const QString& id) {
    if (requestStop(id, StopReason::Cancel)) {
        return true;
    }
    const QueueJob* job = m_model.jobById(id);
    if (job == nullptr ||
        (job->state != QueueJobState::Queued && job->state != QueueJobState::Paused)) {
        return false;
    }
    m_model.setJobState(id, QueueJobState::Cancelled);
    return true;
}

bool JobRunner::retryJob(const QString& id) {
    const QueueJob* job = m_model.jobById(id);
    if (job == nullptr || m_active.contains(id) ||
        (job->state != QueueJobState::Failed && job->state != QueueJobState::Cancelled)) {
        return false;
    }
    m_model.setJobError(id, std::nullopt);
    m_model.setJobState(id, QueueJobState::Queued);
    startQueue();
    return true;
}

}  // namespace ui
