#include "ui/models/media_list_model.h"

#include <QDir>
#include <QFileInfo>

namespace ui {

MediaListModel::MediaListModel(QObject* parent) : QAbstractTableModel(parent) {}

int MediaListModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : static_cast<int>(m_rows.size());
}

int MediaListModel::columnCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant MediaListModel::data(const QModelIndex& index, int role) const {
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid)) {
        return {};
    }
    const Row& r = m_rows.at(index.row());
    if (role == PathRole) {
        return r.item.path;
    }
    if (role == KindRole) {
        return static_cast<int>(r.item.kind);
    }
    if (role == Qt::ToolTipRole) {
        return QDir::toNativeSeparators(r.item.path);
    }
    if (role != Qt::DisplayRole) {
        return {};
    }
    switch (index.column()) {
        case NameColumn:
            return QFileInfo(r.item.path).fileName();
        case KindColumn:
            return r.item.kind == MediaKind::Video ? tr("Video") : tr("Image sequence");
        case SizeColumn:
            return r.width > 0 ? tr("%1×%2").arg(r.width).arg(r.height) : QString();
        case FramesColumn:
            return r.frameCount >= 0 ? QVariant(r.frameCount) : QVariant();
        default:
            return {};
    }
}

QVariant MediaListModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole) {
        return {};
    }
    switch (section) {
        case NameColumn:
            return tr("Name");
        case KindColumn:
            return tr("Type");
        case SizeColumn:
            return tr("Size");
        case FramesColumn:
            return tr("Frames");
        default:
            return {};
    }
}

bool MediaListModel::removeRows(int row, int count, const QModelIndex& parent) {
    if (parent.isValid() || row < 0 || count <= 0 || row + count > m_rows.size()) {
        return false;
    }
    beginRemoveRows({}, row, row + count - 1);
    m_rows.remove(row, count);
    endRemoveRows();
    return true;
}

int MediaListModel::addItems(const QList<MediaItem>& items) {
    QList<Row> fresh;
    for (const MediaItem& item : items) {
        bool known = rowOfPath(item.path) >= 0;
        for (const Row& f : fresh) {
            known = known || f.item.path == item.path;
        }
        if (!known) {
            Row r;
            r.item = item;
            fresh.append(r);
        }
    }
    if (fresh.isEmpty()) {
        return 0;
    }
    const int first = static_cast<int>(m_rows.size());
    beginInsertRows({}, first, first + static_cast<int>(fresh.size()) - 1);
    m_rows.append(fresh);
    endInsertRows();
    return static_cast<int>(fresh.size());
}

int MediaListModel::rowOfPath(const QString& path) const {
    const QString clean = QDir::cleanPath(path);
    for (int i = 0; i < m_rows.size(); ++i) {
        if (m_rows.at(i).item.path == clean) {
            return i;
        }
    }
    return -1;
}

QString MediaListModel::pathAt(int row) const {
    return row >= 0 && row < m_rows.size() ? m_rows.at(row).item.path : QString();
}

void MediaListModel::setMediaInfo(const QString& path, int width, int height, qint64 frameCount) {
    const int row = rowOfPath(path);
    if (row < 0) {
        return;
    }
    Row& r = m_rows[row];
    r.width = width;
    r.height = height;
    r.frameCount = frameCount;
    emit dataChanged(index(row, SizeColumn), index(row, FramesColumn), {Qt::DisplayRole});
}

}  // namespace ui
