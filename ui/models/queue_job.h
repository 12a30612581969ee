#pragma once
// One entry of the GUI's job queue: what to run (input, output, the parameter values it was
// made from and the engine JobSpec built from them) and how far it got. Plain data, copied
// freely; JobQueueModel holds the list, JobStore persists it, JobRunner drives it.

#include "engine/core/error.h"
#include "engine/jobs/job_spec.h"

#include <QDateTime>
#include <QString>
#include <QVariantMap>

#include <optional>

namespace ui {

// The queue's view of a job. Paused and Cancelled both keep the finished segments (the engine's
// checkpoint); Paused means "resume later", Cancelled means "the user gave up" (Retry resumes).
enum class QueueJobState {
    Queued,     // waits for a worker
    Running,    // submitted to the engine
    Stopping,   // pause or cancel requested; the engine is finishing the current frame
    Paused,     // stopped by the user (or by an app restart), resumes from its checkpoint
    Succeeded,  // the output is written and verified
    Failed,     // the engine reported an error (see QueueJob::error)
    Cancelled,  // stopped by the user
};

// Stable lowercase identifiers, as stored in the database ("queued", "running", ...).
QString queueJobStateId(QueueJobState state);
std::optional<QueueJobState> parseQueueJobState(const QString& id);
// Translated, for the State column ("Queued", "Paused", ...).
QString queueJobStateText(QueueJobState state);
// Running or Stopping: the engine owns the job; it can be neither edited nor removed.
bool isActiveState(QueueJobState state);

struct QueueJob {
    QString id;              // unique per queue entry; also spec.job_id (so its checkpoint folder)
    QString name;            // shown in the Name column (the input's file or folder name)
    QString input;           // absolute path
    QString output;          // absolute path (a file, or a folder for pictures)
    QVariantMap parameters;  // the parameter panel values the spec was built from
    engine::jobs::JobSpec spec;  // what the engine runs
    QueueJobState state = QueueJobState::Queued;
    qint64 framesDone = 0;
    qint64 framesTotal = 0;              // 0 until the engine (or a checkpoint) tells
    double fps = 0.0;                    // this session's throughput, frames per second
    qint64 etaMs = -1;                   // -1 = unknown
    QString device;                      // the worker that reported last ("cpu", "cuda:0"), or ""
    std::optional<engine::Error> error;  // why it failed (state Failed)
    QDateTime createdAt;                 // UTC
};

}  // namespace ui
