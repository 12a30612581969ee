#include "ui/models/queue_job.h"

#include <QCoreApplication>

namespace ui {
namespace {

struct StateName {
    QueueJobState state;
    const char* id;
    const char* text;  // context "ui::JobQueueModel"
};

const StateName kStates[] = {
    {QueueJobState::Queued, "queued", QT_TRANSLATE_NOOP("ui::JobQueueModel", "Queued")},
    {QueueJobState::Running, "running", QT_TRANSLATE_NOOP("ui::JobQueueModel", "Running")},
    {QueueJobState::Stopping, "stopping", QT_TRANSLATE_NOOP("ui::JobQueueModel", "Stopping…")},
    {QueueJobState::Paused, "paused", QT_TRANSLATE_NOOP("ui::JobQueueModel", "Paused")},
    {QueueJobState::Succeeded, "succeeded", QT_TRANSLATE_NOOP("ui::JobQueueModel", "Done")},
    {QueueJobState::Failed, "failed", QT_TRANSLATE_NOOP("ui::JobQueueModel", "Failed")},
    {QueueJobState::Cancelled, "cancelled", QT_TRANSLATE_NOOP("ui::JobQueueModel", "Cancelled")},
};

}  // namespace

QString queueJobStateId(QueueJobState state) {
    for (const StateName& s : kStates) {
        if (s.state == state) {
            return QString::fromLatin1(s.id);
        }
    }
    return {};
}

std::optional<QueueJobState> parseQueueJobState(const QString& id) {
    for (const StateName& s : kStates) {
        if (id == QLatin1String(s.id)) {
            return s.state;
        }
    }
    return std::nullopt;
}

QString queueJobStateText(QueueJobState state) {
    for (const StateName& s : kStates) {
        if (s.state == state) {
            return QCoreApplication::translate("ui::JobQueueModel", s.text);
        }
    }
    return {};
}

bool isActiveState(QueueJobState state) {
    return state == QueueJobState::Running || state == QueueJobState::Stopping;
}

}  // namespace ui
