#pragma once
// The GUI's job queue as a table: name, state, progress, fps, ETA, device, output. Rows are
// queue entries (QueueJob) in run order. Every change the user makes (add, edit, duplicate,
// remove, reorder, state) is written to the JobStore at once. Progress (frames, device) is
// written with each state change and, while a job runs, at most once per
// progressPersistIntervalMs() per job, so after a crash the restarted window shows how far each
// job got (the engine's resume manifest stays the record the resume itself trusts).
//
// Drag and drop: rows drag as kRowsMimeType (their ids) and drop between rows to reorder;
// file and folder URLs dropped on the table are announced with pathsDropped() (the window
// scans them and adds jobs). Interrupted jobs: rows stored as Running or Stopping belong to a
// session that died; they load as Paused and are listed by interruptedJobIds() until
// resolveInterrupted() decides (the window offers them for resume).
//
// Threads: UI thread only. JobRunner calls the set* "runner" methods.

#include "ui/models/job_store.h"
#include "ui/models/queue_job.h"

#include <QAbstractTableModel>
#include <QElapsedTimer>
#include <QHash>
#include <QList>
#include <QStringList>

namespace ui {

class JobQueueModel : public QAbstractTableModel {
    Q_OBJECT
  public:
    enum Column {
        NameColumn,
        StateColumn,
        ProgressColumn,
        FpsColumn,
        EtaColumn,
        DeviceColumn,
        OutputColumn,
        ColumnCount
    };
    enum Role {
        IdRole = Qt::UserRole + 1,  // QString
        StateRole,                  // int(QueueJobState)
        ProgressRole,               // double in [0, 1], or -1 while the total is unknown
    };
    static constexpr const char* kRowsMimeType = "application/x-flashvsr-queue-ids";

    // `store` may be null (nothing persisted) and must outlive the model. Loads the stored
    // queue; problems with stored rows are logged (engine::log_warning).
    explicit JobQueueModel(JobStore* store, QObject* parent = nullptr);

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section,
                        Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;
    Qt::ItemFlags flags(const QModelIndex& index) const override;
    Qt::DropActions supportedDragActions() const override;
    Qt::DropActions supportedDropActions() const override;
    QStringList mimeTypes() const override;
    QMimeData* mimeData(const QModelIndexList& indexes) const override;
    bool canDropMimeData(const QMimeData* data,
                         Qt::DropAction action,
                         int row,
                         int column,
                         const QModelIndex& parent) const override;
    bool dropMimeData(const QMimeData* data,
                      Qt::DropAction action,
                      int row,
                      int column,
                      const QModelIndex& parent) override;
    // Moves inside the queue (the only parent is the root). Refused for an overlapping target.
    bool moveRows(const QModelIndex& sourceParent,
                  int sourceRow,
                  int count,
                  const QModelIndex& destinationParent,
                  int destinationChild) override;
    // Removes rows that are not active (Running/Stopping); false when one of them is.
    bool removeRows(int row, int count, const QModelIndex& parent = {}) override;

    // --- The user's operations
    // Where new jobs' checkpoints go: <root>/<job id>. Empty: the engine's default
    // (user_cache_dir()/jobs/<job id>). Tests point it at a temporary folder.
    void setCheckpointRoot(const QString& folder) { m_checkpointRoot = folder; }
    QString checkpointRoot() const { return m_checkpointRoot; }
    // Appends a job for `input` with these parameter values (output from output_folder and
    // output_pattern, made unique among the queue's outputs). Returns its id, or "" and *error.
    QString addJob(const QString& input,
                   const QVariantMap& parameters,
                   engine::Error* error = nullptr);
    // A copy right below the original: same input and settings, a fresh id, its own output name,
    // state Queued. "" for an unknown id.
    QString duplicateJob(const QString& id);
    bool removeJob(const QString& id);
    // Moves the job to `row` (clamped); false when unknown or already there.
    bool moveJob(const QString& id, int row);
    // New settings for a job that is not active and not done; the output path follows them.
    // When the pixels would change, its next run starts over (the old checkpoint cannot be
    // reused). false and *error when the values do not map to a JobSpec.
    bool setJobParameters(const QString& id,
                          const QVariantMap& parameters,
                          engine::Error* error = nullptr);
    bool isEditable(const QString& id) const;

    // --- Lookup
    int rowOfId(const QString& id) const;
    const QueueJob* jobById(const QString& id) const;
    const QueueJob& jobAt(int row) const { return m_jobs.at(row); }
    QStringList ids() const;
    QStringList interruptedJobIds() const { return m_interrupted; }
    // The interrupted jobs in `resumeIds` become Queued, the others stay Paused; both written.
    void resolveInterrupted(const QStringList& resumeIds);

    // --- The runner's updates
    void setJobState(const QString& id, QueueJobState state);
    void setJobProgress(const QString& id,
                        qint64 framesDone,
                        qint64 framesTotal,
                        double fps,
                        qint64 etaMs,
                        const QString& device);
    void setJobError(const QString& id, const std::optional<engine::Error>& error);
    void setJobSpec(const QString& id, const engine::jobs::JobSpec& spec);

    // Least time between two progress writes of one job (ms; default kProgressPersistIntervalMs).
    // 0 writes every update (tests).
    static constexpr int kProgressPersistIntervalMs = 2000;
    void setProgressPersistIntervalMs(int ms) { m_progressPersistIntervalMs = ms; }
    int progressPersistIntervalMs() const { return m_progressPersistIntervalMs; }

    // "1:02:03" / "4:05" for an ETA in ms; "" when unknown.
    static QString formatDuration(qint64 ms);

  signals:
    // Local files or folders dropped on the queue; `row` is where they were dropped (-1: end).
    void pathsDropped(const QStringList& paths, int row);
    void jobStateChanged(const QString& id, ui::QueueJobState state);
    // A write to the store failed (the message is technical, for the log).
    void persistenceFailed(const QString& message);

  private:
    void persist(const QList<QueueJob>& upserts,
                 const QStringList& removals = {},
                 bool writeOrder = false);
    QString uniqueOutput(const QString& output, const QString& ignoreId) const;
    void emitRowChanged(int row);

    JobStore* m_store;
    QList<QueueJob> m_jobs;
    QStringList m_interrupted;
    QString m_checkpointRoot;
    int m_progressPersistIntervalMs = kProgressPersistIntervalMs;
    QElapsedTimer m_clock;
    QHash<QString, qint64> m_progressWrittenMs;  // job id -> m_clock time of its last write
};

}  // namespace ui
