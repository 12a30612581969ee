#include "ui/models/log_model.h"

#include <QCoreApplication>

namespace ui {

QString logLevelName(engine::LogLevel level) {
    switch (level) {
        case engine::LogLevel::Debug:
            return QCoreApplication::translate("ui::LogModel", "Debug");
        case engine::LogLevel::Info:
            return QCoreApplication::translate("ui::LogModel", "Info");
        case engine::LogLevel::Warning:
            return QCoreApplication::translate("ui::LogModel", "Warning");
        case engine::LogLevel::Error:
            return QCoreApplication::translate("ui::LogModel", "Error");
    }
    return {};
}

LogModel::LogModel(int capacity, QObject* parent)
    : QAbstractTableModel(parent), m_capacity(std::max(capacity, 1)) {}

int LogModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : static_cast<int>(m_entries.size());
}

int LogModel::columnCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant LogModel::data(const QModelIndex& index, int role) const {
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid)) {
        return {};
    }
    const Entry& e = m_entries.at(index.row());
    if (role == LevelRole) {
        return static_cast<int>(e.level);
    }
    if (role == Qt::DisplayRole || role == Qt::ToolTipRole) {
        switch (index.column()) {
            case TimeColumn:
                return e.time.toString(QStringLiteral("HH:mm:ss.zzz"));
            case LevelColumn:
                return logLevelName(e.level);
            case MessageColumn:
                return e.message;
            default:
                return {};
        }
    }
    return {};
}

QVariant LogModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole) {
        return {};
    }
    switch (section) {
        case TimeColumn:
            return tr("Time");
        case LevelColumn:
            return tr("Level");
        case MessageColumn:
            return tr("Message");
        default:
            return {};
    }
}

void LogModel::append(const QDateTime& time, engine::LogLevel level, const QString& message) {
    if (m_entries.size() >= m_capacity) {
        // Drop a tenth at once, so a chatty engine does not cost one row removal per message.
        const int drop = std::max(1, m_capacity / 10);
        beginRemoveRows({}, 0, drop - 1);
        m_entries.remove(0, drop);
        endRemoveRows();
    }
    const int row = static_cast<int>(m_entries.size());
    beginInsertRows({}, row, row);
    m_entries.append({time, level, message});
    endInsertRows();
}

void LogModel::clear() {
    if (m_entries.isEmpty()) {
        return;
    }
    beginResetModel();
    m_entries.clear();
    endResetModel();
}

QString LogModel::rowText(int row) const {
    const Entry& e = m_entries.at(row);
    static const char* names[] = {"debug", "info", "warning", "error"};
    return QStringLiteral("%1 [%2] %3")
        .arg(e.time.toString(QStringLiteral("yyyy-MM-dd HH:mm:ss.zzz")),
             QLatin1String(names[static_cast<int>(e.level)]), e.message);
}

LogFilterModel::LogFilterModel(QObject* parent) : QSortFilterProxyModel(parent) {}

void LogFilterModel::setMinimumLevel(engine::LogLevel level) {
    m_minimum = level;
    invalidateFilter();
}

void LogFilterModel::setText(const QString& text) {
    m_text = text;
    invalidateFilter();
}

bool LogFilterModel::filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const {
    const QModelIndex i = sourceModel()->index(sourceRow, LogModel::MessageColumn, sourceParent);
    if (sourceModel()->data(i, LogModel::LevelRole).toInt() < static_cast<int>(m_minimum)) {
        return false;
    }
    return m_text.isEmpty() ||
           sourceModel()->data(i, Qt::DisplayRole).toString().contains(m_text, Qt::CaseInsensitive);
}

}  // namespace ui
