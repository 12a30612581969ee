#include "ui/models/job_queue_model.h"

#include "engine/core/log.h"
#include "ui/bridge/job_spec_builder.h"
#include "ui/settings/parameters.h"

#include <QDir>
#include <QFileInfo>
#include <QMimeData>
#include <QUrl>
#include <QUuid>

namespace ui {

JobQueueModel::JobQueueModel(JobStore* store, QObject* parent)
    : QAbstractTableModel(parent), m_store(store) {
    m_clock.start();
    if (m_store == nullptr) {
        return;
    }
    QStringList problems;
    m_jobs = m_store->load(&problems);
    for (const QString& p : problems) {
        engine::log_warning("queue: stored job skipped: " + p.toStdString());
    }
    if (!m_store->lastError().isEmpty()) {
        engine::log_warning("queue: " + m_store->lastError().toStdString());
    }
    for (QueueJob& job : m_jobs) {
        // Stored as active: the session that ran it is gone. Its checkpoint decides the rest.
        if (isActiveState(job.state)) {
            if (job.state == QueueJobState::Running) {
                m_interrupted << job.id;
            }
            job.state = QueueJobState::Paused;
        }
        job.fps = 0.0;
        job.etaMs = -1;
    }
}

int JobQueueModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : static_cast<int>(m_jobs.size());
}

int JobQueueModel::columnCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : ColumnCount;
}

QString JobQueueModel::formatDuration(qint64 ms) {
    if (ms < 0) {
        return {};
    }
    const qint64 s = (ms + 999) / 1000;
    const qint64 h = s / 3600;
    const qint64 m = (s / 60) % 60;
    const qint64 sec = s % 60;
    return h > 0 ? QStringLiteral("%1:%2:%3")
                       .arg(h)
                       .arg(m, 2, 10, QLatin1Char('0'))
                       .arg(sec, 2, 10, QLatin1Char('0'))
                 : QStringLiteral("%1:%2").arg(m).arg(sec, 2, 10, QLatin1Char('0'));
}

QVariant JobQueueModel::data(const QModelIndex& index, int role) const {
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid)) {
        return {};
    }
    const QueueJob& job = m_jobs.at(index.row());
    const double progress =
        job.framesTotal > 0 ? static_cast<double>(job.framesDone) / job.framesTotal : -1.0;
    switch (role) {
        case IdRole:
            return job.id;
        case StateRole:
            return static_cast<int>(job.state);
        case ProgressRole:
            return progress;
        case Qt::ToolTipRole:
            if (index.column() == OutputColumn || index.column() == NameColumn) {
                return QDir::toNativeSeparators(index.column() == NameColumn ? job.input
                                                                             : job.output);
            }
            if (index.column() == StateColumn && job.error) {
                return QString::fromStdString(job.error->to_string());
            }
            return {};
        case Qt::TextAlignmentRole:
            if (index.column() == FpsColumn || index.column() == EtaColumn) {
                return int(Qt::AlignRight | Qt::AlignVCenter);
            }
            return {};
        case Qt::DisplayRole:
            break;
        default:
            return {};
    }
    switch (index.column()) {
        case NameColumn:
            return job.name;
        case StateColumn:
            return queueJobStateText(job.state);
        case ProgressColumn:
            if (job.framesTotal <= 0) {
                return job.framesDone > 0 ? QString::number(job.framesDone) : QString();
            }
            return tr("%1 / %2 (%3%)")
                .arg(job.framesDone)
                .arg(job.framesTotal)
                .arg(static_cast<int>(progress * 100.0));
        case FpsColumn:
            return job.fps > 0.0 && job.state == QueueJobState::Running
                       ? QString::number(job.fps, 'f', job.fps < 10.0 ? 2 : 1)
                       : QString();
        case EtaColumn:
            return job.state == QueueJobState::Running ? formatDuration(job.etaMs) : QString();
        case DeviceColumn:
            return job.device;
        case OutputColumn:
            return QFileInfo(job.output).fileName();
        default:
            return {};
    }
}

QVariant JobQueueModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole) {
        return QAbstractTableModel::headerData(section, orientation, role);
    }
    switch (section) {
        case NameColumn:
            return tr("Name");
        case StateColumn:
            return tr("State");
        case ProgressColumn:
            return tr("Progress");
        case FpsColumn:
            return tr("fps");
        case EtaColumn:
            return tr("ETA");
        case DeviceColumn:
            return tr("Device");
        case OutputColumn:
            return tr("Output");
        default:
            return {};
    }
}

Qt::ItemFlags JobQueueModel::flags(const QModelIndex& index) const {
    if (!index.isValid()) {
        // Drops land between rows (the root), never on a row.
        return Qt::ItemIsDropEnabled;
    }
    return QAbstractTableModel::flags(index) | Qt::ItemIsDragEnabled;
}

Qt::DropActions JobQueueModel::supportedDragActions() const {
    return Qt::MoveAction;
}

Qt::DropActions JobQueueModel::supportedDropActions() const {
    return Qt::MoveAction | Qt::CopyAction | Qt::LinkAction;
}

QStringList JobQueueModel::mimeTypes() const {
    return {QString::fromLatin1(kRowsMimeType), QStringLiteral("text/uri-list")};
}

QMimeData* JobQueueModel::mimeData(const QModelIndexList& indexes) const {
    QList<int> rows;
    for (const QModelIndex& i : indexes) {
        if (i.isValid() && !rows.contains(i.row())) {
            rows << i.row();
        }
    }
    std::sort(rows.begin(), rows.end());
    QStringList ids;
    for (int r : rows) {
        ids << m_jobs.at(r).id;
    }
    auto* mime = new QMimeData;
    mime->setData(QString::fromLatin1(kRowsMimeType), ids.join(QLatin1Char('\n')).toUtf8());
    return mime;
}

bool JobQueueModel::canDropMimeData(const QMimeData* data,
                                    Qt::DropAction action,
                                    int row,
                                    int column,
                                    const QModelIndex& parent) const {
    if (data == nullptr || action == Qt::IgnoreAction) {
        return false;
    }
    if (data->hasFormat(QString::fromLatin1(kRowsMimeType))) {
        return true;
    }
    if (data->hasUrls()) {
        for (const QUrl& url : data->urls()) {
            if (url.isLocalFile()) {
                return true;
            }
        }
    }
    return false;
}

bool JobQueueModel::dropMimeData(const QMimeData* data,
                                 Qt::DropAction action,
                                 int row,
                                 int column,
                                 const QModelIndex& parent) {
    if (!canDropMimeData(data, action, row, column, parent)) {
        return false;
    }
    int target = parent.isValid() ? parent.row() : row;
    if (target < 0 || target > rowCount()) {
        target = rowCount();
    }
    if (data->hasFormat(QString::fromLatin1(kRowsMimeType))) {
        const QStringList ids = QString::fromUtf8(data->data(QString::fromLatin1(kRowsMimeType)))
                                    .split(QLatin1Char('\n'), Qt::SkipEmptyParts);
        // Move one by one, keeping the dragged rows' order, to just before `target`.
        int insertAt = target;
        bool moved = false;
        for (const QString& id : ids) {
            const int from = rowOfId(id);
            if (from < 0) {
                continue;
            }
            const int to = from < insertAt ? insertAt - 1 : insertAt;
            if (from != to) {
                moved = moveJob(id, to) || moved;
            }
            insertAt = rowOfId(id) + 1;
        }
        return moved;
    }
    QStringList paths;
    for (const QUrl& url : data->urls()) {
        if (url.isLocalFile()) {
            paths << url.toLocalFile();
        }
    }
    emit pathsDropped(paths, target >= rowCount() ? -1 : target);
    return true;
}

bool JobQueueModel::moveRows(const QModelIndex& sourceParent,
                             int sourceRow,
                             int count,
                             const QModelIndex& destinationParent,
                             int destinationChild) {
    if (sourceParent.isValid() || destinationParent.isValid() || count <= 0 || sourceRow < 0 ||
        sourceRow + count > rowCount() || destinationChild < 0 || destinationChild > rowCount() ||
        (destinationChild >= sourceRow && destinationChild <= sourceRow + count)) {
        return false;
    }
    if (!beginMoveRows({}, sourceRow, sourceRow + count - 1, {}, destinationChild)) {
        return false;
    }
    QList<QueueJob> block = m_jobs.mid(sourceRow, count);
    m_jobs.remove(sourceRow, count);
    const int insertAt = destinationChild > sourceRow ? destinationChild - count : destinationChild;
    for (int i = 0; i < count; ++i) {
        m_jobs.insert(insertAt + i, block.at(i));
    }
    endMoveRows();
    persist({}, {}, true);
    return true;
}

bool JobQueueModel::removeRows(int row, int count, const QModelIndex& parent) {
    if (parent.isValid() || row < 0 || count <= 0 || row + count > rowCount()) {
        return false;
    }
    for (int r = row; r < row + count; ++r) {
        if (isActiveState(m_jobs.at(r).state)) {
            return false;
        }
    }
    QStringList removed;
    beginRemoveRows({}, row, row + count - 1);
    for (int i = 0; i < count; ++i) {
        removed << m_jobs.at(row).id;
        m_interrupted.removeAll(m_jobs.at(row).id);
        m_jobs.removeAt(row);
    }
    endRemoveRows();
    persist({}, removed, true);
    return true;
}

QString JobQueueModel::uniqueOutput(const QString& output, const QString& ignoreId) const {
    auto taken = [&](const QString& candidate) {
        for (const QueueJob& j : m_jobs) {
            if (j.id != ignoreId && QDir::cleanPath(j.output) == QDir::cleanPath(candidate)) {
                return true;
            }
        }
        return false;
    };
    if (!taken(output)) {
        return output;
    }
    const QFileInfo info(output);
    const bool isFolder = info.suffix().isEmpty();
    const QString stem = isFolder ? info.fileName() : info.completeBaseName();
    const QString extension = isFolder ? QString() : QLatin1Char('.') + info.suffix();
    for (int n = 2;; ++n) {
        const QString candidate =
            QDir(info.path()).filePath(QStringLiteral("%1_%2%3").arg(stem).arg(n).arg(extension));
        if (!taken(candidate)) {
            return candidate;
        }
    }
}

QString JobQueueModel::addJob(const QString& input,
                              const QVariantMap& parameters,
                              engine::Error* error) {
    const QVariantMap values = withDefaults(parameters);
    QueueJob job;
    job.id = QUuid::createUuid().toString(QUuid::Id128).left(16);
    job.input = QFileInfo(input).absoluteFilePath();
    job.name = QFileInfo(job.input).fileName();
    job.output =
        uniqueOutput(resolveOutputPath(values.value(QStringLiteral("output_pattern")).toString(),
                                       job.input, values),
                     QString());
    job.parameters = values;
    auto spec = buildJobSpec(values, job.input, job.output);
    if (!spec.ok()) {
        if (error != nullptr) {
            *error = spec.error();
        }
        return {};
    }
    job.spec = std::move(*spec);
    job.spec.job_id = job.id.toStdString();
    if (!m_checkpointRoot.isEmpty()) {
        job.spec.checkpoint_dir =
            std::filesystem::path(QDir(m_checkpointRoot).filePath(job.id).toStdString());
    }
    job.createdAt = QDateTime::currentDateTimeUtc();
    const int row = rowCount();
    beginInsertRows({}, row, row);
    m_jobs.append(job);
    endInsertRows();
    persist({job}, {}, true);
    return job.id;
}

QString JobQueueModel::duplicateJob(const QString& id) {
    const int row = rowOfId(id);
    if (row < 0) {
        return {};
    }
    const QString copy = addJob(m_jobs.at(row).input, m_jobs.at(row).parameters);
    if (!copy.isEmpty()) {
        moveJob(copy, row + 1);
    }
    return copy;
}

bool JobQueueModel::removeJob(const QString& id) {
    const int row = rowOfId(id);
    return row >= 0 && removeRows(row, 1);
}

bool JobQueueModel::moveJob(const QString& id, int row) {
    const int from = rowOfId(id);
    if (from < 0) {
        return false;
    }
    const int to = std::clamp(row, 0, rowCount() - 1);
    if (to == from) {
        return false;
    }
    // moveRows' destination is "before this row" in the old numbering.
    return moveRows({}, from, 1, {}, to > from ? to + 1 : to);
}

bool JobQueueModel::isEditable(const QString& id) const {
    const QueueJob* job = jobById(id);
    return job != nullptr && !isActiveState(job->state) && job->state != QueueJobState::Succeeded;
}

bool JobQueueModel::setJobParameters(const QString& id,
                                     const QVariantMap& parameters,
                                     engine::Error* error) {
    const int row = rowOfId(id);
    if (row < 0 || !isEditable(id)) {
        return false;
    }
    QueueJob& job = m_jobs[row];
    const QVariantMap values = withDefaults(parameters);
    const QString output =
        uniqueOutput(resolveOutputPath(values.value(QStringLiteral("output_pattern")).toString(),
                                       job.input, values),
                     job.id);
    auto spec = buildJobSpec(values, job.input, output);
    if (!spec.ok()) {
        if (error != nullptr) {
            *error = spec.error();
        }
        return false;
    }
    spec->job_id = job.spec.job_id;
    spec->checkpoint_dir = job.spec.checkpoint_dir;
    // Other pixels (or another output) cannot continue the old checkpoint.
    const bool startOver =
        engine::jobs::settings_fingerprint(*spec) != engine::jobs::settings_fingerprint(job.spec) ||
        output != job.output;
    spec->resume = startOver ? engine::jobs::ResumePolicy::CleanStart : job.spec.resume;
    if (startOver) {
        job.framesDone = 0;
        job.framesTotal = 0;
    }
    job.parameters = values;
    job.output = output;
    job.spec = std::move(*spec);
    emitRowChanged(row);
    persist({job});
    return true;
}

int JobQueueModel::rowOfId(const QString& id) const {
    for (int i = 0; i < m_jobs.size(); ++i) {
        if (m_jobs.at(i).id == id) {
            return i;
        }
    }
    return -1;
}

const QueueJob* JobQueueModel::jobById(const QString& id) const {
    const int row = rowOfId(id);
    return row >= 0 ? &m_jobs.at(row) : nullptr;
}

QStringList JobQueueModel::ids() const {
    QStringList out;
    for (const QueueJob& j : m_jobs) {
        out << j.id;
    }
    return out;
}

void JobQueueModel::resolveInterrupted(const QStringList& resumeIds) {
    QList<QueueJob> changed;
    for (const QString& id : std::as_const(m_interrupted)) {
        const int row = rowOfId(id);
        if (row < 0) {
            continue;
        }
        QueueJob& job = m_jobs[row];
        job.state = resumeIds.contains(id) ? QueueJobState::Queued : QueueJobState::Paused;
        changed << job;
        emitRowChanged(row);
        emit jobStateChanged(id, job.state);
    }
    m_interrupted.clear();
    persist(changed);
}

void JobQueueModel::setJobState(const QString& id, QueueJobState state) {
    const int row = rowOfId(id);
    if (row < 0) {
        return;
    }
    QueueJob& job = m_jobs[row];
    m_interrupted.removeAll(id);
    if (job.state == state) {
        return;
    }
    job.state = state;
    if (state != QueueJobState::Running && state != QueueJobState::Stopping) {
        job.fps = 0.0;
        job.etaMs = -1;
        m_progressWrittenMs.remove(id);
    }
    if (state == QueueJobState::Succeeded && job.framesTotal > 0) {
        job.framesDone = job.framesTotal;
    }
    emitRowChanged(row);
    persist({job});
    emit jobStateChanged(id, state);
}

void JobQueueModel::setJobProgress(const QString& id,
                                   qint64 framesDone,
                                   qint64 framesTotal,
                                   double fps,
                                   qint64 etaMs,
                                   const QString& device) {
    const int row = rowOfId(id);
    if (row < 0) {
        return;
    }
    QueueJob& job = m_jobs[row];
    job.framesDone = framesDone;
    job.framesTotal = framesTotal;
    job.fps = fps;
    job.etaMs = etaMs;
    if (!device.isEmpty()) {
        job.device = device;
    }
    emitRowChanged(row);
    // Throttled: the engine reports about 10 times a second, a write costs a transaction.
    const qint64 now = m_clock.elapsed();
    const auto written = m_progressWrittenMs.constFind(id);
    if (written == m_progressWrittenMs.cend() || now - *written >= m_progressPersistIntervalMs) {
        m_progressWrittenMs.insert(id, now);
        persist({job});
    }
}

void JobQueueModel::setJobError(const QString& id, const std::optional<engine::Error>& error) {
    const int row = rowOfId(id);
    if (row < 0) {
        return;
    }
    m_jobs[row].error = error;
    emitRowChanged(row);
    persist({m_jobs.at(row)});
}

void JobQueueModel::setJobSpec(const QString& id, const engine::jobs::JobSpec& spec) {
    const int row = rowOfId(id);
    if (row < 0) {
        return;
    }
    m_jobs[row].spec = spec;
    persist({m_jobs.at(row)});
}

void JobQueueModel::emitRowChanged(int row) {
    emit dataChanged(index(row, 0), index(row, ColumnCount - 1));
}

void JobQueueModel::persist(const QList<QueueJob>& upserts,
                            const QStringList& removals,
                            bool writeOrder) {
    if (m_store == nullptr) {
        return;
    }
    if (!m_store->apply(upserts, removals, writeOrder ? ids() : QStringList())) {
        engine::log_error("queue: cannot save: " + m_store->lastError().toStdString());
        emit persistenceFailed(m_store->lastError());
    }
}

}  // namespace ui
