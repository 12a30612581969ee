#pragma once
// The media the user opened or dropped: one row per video file or image-sequence folder, with
// what is known about it once the viewer opened it. Threads: UI thread only.

#include "ui/models/media_scan.h"

#include <QAbstractTableModel>
#include <QList>

namespace ui {

class MediaListModel : public QAbstractTableModel {
    Q_OBJECT
  public:
    enum Column { NameColumn, KindColumn, SizeColumn, FramesColumn, ColumnCount };
    enum Role { PathRole = Qt::UserRole + 1, KindRole };

    explicit MediaListModel(QObject* parent = nullptr);

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section,
                        Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;
    bool removeRows(int row, int count, const QModelIndex& parent = {}) override;

    // Appends the items not listed yet; returns how many were added.
    int addItems(const QList<MediaItem>& items);
    int rowOfPath(const QString& path) const;  // -1 when absent
    QString pathAt(int row) const;
    // What the viewer learnt on opening the item (frame count -1 when unknown).
    void setMediaInfo(const QString& path, int width, int height, qint64 frameCount);

  private:
    struct Row {
        MediaItem item;
        int width = 0;
        int height = 0;
        qint64 frameCount = -1;
    };
    QList<Row> m_rows;
};

}  // namespace ui
