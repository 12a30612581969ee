#include "ui/models/job_store.h"

#include "engine/core/paths.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QUuid>
#include <QVariant>

namespace ui {
namespace {

// Bumped when the table changes; older files are migrated in open().
constexpr int kSchemaVersion = 1;

QString errorContextJson(const engine::Error& error) {
    QJsonArray pairs;
    for (const auto& [key, value] : error.context) {
        pairs.append(QJsonArray{QString::fromStdString(key), QString::fromStdString(value)});
    }
    return QString::fromUtf8(QJsonDocument(pairs).toJson(QJsonDocument::Compact));
}

void readErrorContext(const QString& json, engine::Error* error) {
    const QJsonArray pairs = QJsonDocument::fromJson(json.toUtf8()).array();
    for (const QJsonValue& p : pairs) {
        const QJsonArray kv = p.toArray();
        if (kv.size() == 2) {
            error->with(kv.at(0).toString().toStdString(), kv.at(1).toString().toStdString());
        }
    }
}

// Qt SQL binds a null QString as SQL NULL; the text columns are NOT NULL.
QString text(const QString& value) {
    return value.isNull() ? QStringLiteral("") : value;
}

}  // namespace

JobStore::JobStore(const QString& path)
    : m_path(path),
      m_connection(QStringLiteral("fvsr-queue-") + QUuid::createUuid().toString(QUuid::Id128)) {
    QDir().mkpath(QFileInfo(path).absolutePath());
    QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), m_connection);
    db.setDatabaseName(path);
    if (!db.open()) {
        fail(QStringLiteral("open"), db.lastError().text());
        return;
    }
    // WAL + FULL: a committed change survives power loss; readers never block the writer.
    m_open = exec(QStringLiteral("PRAGMA journal_mode=WAL")) &&
             exec(QStringLiteral("PRAGMA synchronous=FULL")) &&
             exec(QStringLiteral("CREATE TABLE IF NOT EXISTS jobs ("
                                 " id TEXT PRIMARY KEY,"
                                 " position INTEGER NOT NULL,"
                                 " name TEXT NOT NULL,"
                                 " input TEXT NOT NULL,"
                                 " output TEXT NOT NULL,"
                                 " parameters TEXT NOT NULL,"
                                 " spec TEXT NOT NULL,"
                                 " state TEXT NOT NULL,"
                                 " frames_done INTEGER NOT NULL DEFAULT 0,"
                                 " frames_total INTEGER NOT NULL DEFAULT 0,"
                                 " device TEXT NOT NULL DEFAULT '',"
                                 " error_code INTEGER,"
                                 " error_detail TEXT,"
                                 " error_context TEXT,"
                                 " created_at TEXT NOT NULL,"
                                 " updated_at TEXT NOT NULL)")) &&
             exec(QStringLiteral("PRAGMA user_version=%1").arg(kSchemaVersion));
}

JobStore::~JobStore() {
    {
        QSqlDatabase db = QSqlDatabase::database(m_connection, false);
        if (db.isOpen()) {
            db.close();
        }
    }
    QSqlDatabase::removeDatabase(m_connection);
}

QString JobStore::defaultPath() {
    return QString::fromStdString(engine::path_string(engine::user_data_dir() / "queue.sqlite"));
}

void JobStore::fail(const QString& what, const QString& why) {
    m_lastError = QStringLiteral("%1: %2 (%3)").arg(what, why, m_path);
}

bool JobStore::exec(const QString& sql) {
    QSqlQuery q(QSqlDatabase::database(m_connection));
    if (!q.exec(sql)) {
        fail(sql.left(40), q.lastError().text());
        return false;
    }
    return true;
}

QList<QueueJob> JobStore::load(QStringList* problems) {
    QList<QueueJob> jobs;
    if (!m_open) {
        return jobs;
    }
    QSqlQuery q(QSqlDatabase::database(m_connection));
    q.setForwardOnly(true);
    if (!q.exec(QStringLiteral(
            "SELECT id, name, input, output, parameters, spec, state, frames_done, frames_total, "
            "device, error_code, error_detail, error_context, created_at FROM jobs "
            "ORDER BY position, created_at"))) {
        fail(QStringLiteral("load"), q.lastError().text());
        return jobs;
    }
    while (q.next()) {
        QueueJob job;
        job.id = q.value(0).toString();
        job.name = q.value(1).toString();
        job.input = q.value(2).toString();
        job.output = q.value(3).toString();
        job.parameters =
            QJsonDocument::fromJson(q.value(4).toString().toUtf8()).object().toVariantMap();
        auto spec = engine::jobs::job_spec_from_json(q.value(5).toString().toStdString());
        const auto state = parseQueueJobState(q.value(6).toString());
        if (!spec.ok() || !state) {
            if (problems != nullptr) {
                *problems << QStringLiteral("%1: %2").arg(
                    job.id, spec.ok()
                                ? QStringLiteral("unknown state %1").arg(q.value(6).toString())
                                : QString::fromStdString(spec.error().detail));
            }
            continue;
        }
        job.spec = std::move(*spec);
        job.state = *state;
        job.framesDone = q.value(7).toLongLong();
        job.framesTotal = q.value(8).toLongLong();
        job.device = q.value(9).toString();
        if (!q.value(10).isNull()) {
            engine::Error error(static_cast<engine::ErrorCode>(q.value(10).toInt()),
                                q.value(11).toString().toStdString());
            readErrorContext(q.value(12).toString(), &error);
            job.error = std::move(error);
        }
        job.createdAt = QDateTime::fromString(q.value(13).toString(), Qt::ISODateWithMs);
        jobs.append(std::move(job));
    }
    return jobs;
}

bool JobStore::apply(const QList<QueueJob>& upserts,
                     const QStringList& removals,
                     const QStringList& order) {
    if (!m_open) {
        return false;
    }
    QSqlDatabase db = QSqlDatabase::database(m_connection);
    if (!db.transaction()) {
        fail(QStringLiteral("begin"), db.lastError().text());
        return false;
    }
    const QString now = QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs);
    bool ok = true;
    {
        QSqlQuery q(db);
        // New rows go last until `order` says otherwise.
        ok = q.prepare(QStringLiteral(
            "INSERT INTO jobs (id, position, name, input, output, parameters, spec, state, "
            "frames_done, frames_total, device, error_code, error_detail, error_context, "
            "created_at, updated_at) VALUES (?, (SELECT COALESCE(MAX(position), -1) + 1 FROM "
            "jobs), ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET "
            "name = excluded.name, input = excluded.input, output = excluded.output, "
            "parameters = excluded.parameters, spec = excluded.spec, state = excluded.state, "
            "frames_done = excluded.frames_done, frames_total = excluded.frames_total, "
            "device = excluded.device, error_code = excluded.error_code, error_detail = "
            "excluded.error_detail, error_context = excluded.error_context, updated_at = "
            "excluded.updated_at"));
        for (const QueueJob& job : upserts) {
            if (!ok) {
                break;
            }
            q.addBindValue(text(job.id));
            q.addBindValue(text(job.name));
            q.addBindValue(text(job.input));
            q.addBindValue(text(job.output));
            q.addBindValue(
                QString::fromUtf8(QJsonDocument(QJsonObject::fromVariantMap(job.parameters))
                                      .toJson(QJsonDocument::Compact)));
            q.addBindValue(QString::fromStdString(engine::jobs::to_json(job.spec)));
            q.addBindValue(queueJobStateId(job.state));
            q.addBindValue(job.framesDone);
            q.addBindValue(job.framesTotal);
            q.addBindValue(text(job.device));
            if (job.error) {
                q.addBindValue(static_cast<int>(job.error->code));
                q.addBindValue(QString::fromStdString(job.error->detail));
                q.addBindValue(errorContextJson(*job.error));
            } else {
                q.addBindValue(QVariant(QMetaType::fromType<int>()));
                q.addBindValue(QVariant(QMetaType::fromType<QString>()));
                q.addBindValue(QVariant(QMetaType::fromType<QString>()));
            }
            q.addBindValue(
                (job.createdAt.isValid() ? job.createdAt : QDateTime::currentDateTimeUtc())
                    .toString(Qt::ISODateWithMs));
            q.addBindValue(now);
            ok = q.exec();
        }
        if (!ok) {
            fail(QStringLiteral("write"), q.lastError().text());
        }
    }
    if (ok && !removals.isEmpty()) {
        QSqlQuery q(db);
        ok = q.prepare(QStringLiteral("DELETE FROM jobs WHERE id = ?"));
        for (const QString& id : removals) {
            q.addBindValue(id);
            if (!(ok = ok && q.exec())) {
                fail(QStringLiteral("delete"), q.lastError().text());
                break;
            }
        }
    }
    if (ok && !order.isEmpty()) {
        QSqlQuery q(db);
        ok = q.prepare(QStringLiteral("UPDATE jobs SET position = ? WHERE id = ?"));
        for (int i = 0; ok && i < order.size(); ++i) {
            q.addBindValue(i);
            q.addBindValue(order.at(i));
            if (!(ok = q.exec())) {
                fail(QStringLiteral("order"), q.lastError().text());
            }
        }
    }
    if (!ok) {
        db.rollback();
        return false;
    }
    if (!db.commit()) {
        fail(QStringLiteral("commit"), db.lastError().text());
        db.rollback();
        return false;
    }
    return true;
}

}  // namespace ui
