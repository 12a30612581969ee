#pragma once
// The engine log as the Log panel shows it: a bounded table (oldest rows drop out first) and a
// proxy that filters by minimum level and text. Rows arrive through EngineBridge::logReceived,
// already on the UI thread. Threads: UI thread only.

#include "engine/core/log.h"

#include <QAbstractTableModel>
#include <QDateTime>
#include <QList>
#include <QSortFilterProxyModel>

namespace ui {

QString logLevelName(engine::LogLevel level);  // translated

class LogModel : public QAbstractTableModel {
    Q_OBJECT
  public:
    enum Column { TimeColumn, LevelColumn, MessageColumn, ColumnCount };
    enum Role { LevelRole = Qt::UserRole + 1 };  // int(engine::LogLevel)

    explicit LogModel(int capacity = 5000, QObject* parent = nullptr);

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section,
                        Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

    void append(const QDateTime& time, engine::LogLevel level, const QString& message);
    void clear();
    int capacity() const { return m_capacity; }
    // "2024-05-01 12:00:00.123 [warning] message" per row, oldest first.
    QString rowText(int row) const;

  private:
    struct Entry {
        QDateTime time;
        engine::LogLevel level;
        QString message;
    };
    QList<Entry> m_entries;
    int m_capacity;
};

class LogFilterModel : public QSortFilterProxyModel {
    Q_OBJECT
  public:
    explicit LogFilterModel(QObject* parent = nullptr);
    void setMinimumLevel(engine::LogLevel level);
    engine::LogLevel minimumLevel() const { return m_minimum; }
    void setText(const QString& text);  // case-insensitive substring of the message

  protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const override;

  private:
    engine::LogLevel m_minimum = engine::LogLevel::Debug;
    QString m_text;
};

}  // namespace ui
