#pragma once
// The job queue on disk: one SQLite database (Qt SQL, QSQLITE driver) holding every queue entry
// with its parameters, JobSpec (JSON), state, last known progress and error. The model writes
// each change at once, in one transaction, so a crash or power loss loses nothing the user did;
// the frames themselves are in the engine's checkpoints, not here.
//
// Ownership: one JobStore per database file at a time (its own QSqlDatabase connection).
// Threads: the thread that created it (Qt SQL connections are per thread).

#include "ui/models/queue_job.h"

#include <QList>
#include <QString>
#include <QStringList>

namespace ui {

class JobStore {
  public:
    // Opens (creating when missing) the database at `path`; see isOpen() / lastError().
    explicit JobStore(const QString& path);
    ~JobStore();
    JobStore(const JobStore&) = delete;
    JobStore& operator=(const JobStore&) = delete;

    // $XDG_DATA_HOME/flashvsr-studio/queue.sqlite (engine::user_data_dir()).
    static QString defaultPath();

    bool isOpen() const { return m_open; }
    QString path() const { return m_path; }
    QString lastError() const { return m_lastError; }

    // Every stored job in queue order. Rows that do not parse are skipped and named in
    // `problems`.
    QList<QueueJob> load(QStringList* problems = nullptr);

    // One transaction: insert or replace `upserts`, delete `removals`, then, when `order` is not
    // empty, renumber the queue positions in that order. false (and lastError()) when anything
    // failed; then nothing was written.
    bool apply(const QList<QueueJob>& upserts,
               const QStringList& removals = {},
               const QStringList& order = {});

  private:
    bool exec(const QString& sql);
    void fail(const QString& what, const QString& why);

    QString m_path;
    QString m_connection;
    QString m_lastError;
    bool m_open = false;
};

}  // namespace ui
