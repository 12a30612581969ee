#pragma once
// Finds media in dropped or opened paths: video files by extension, and image sequences as
// their folder (the engine opens a folder of numbered pictures as one sequence). Folders are
// walked recursively. Threads: any (file-system reads only); large trees take time, so the
// window calls it with the paths of one drop.

#include <QList>
#include <QString>
#include <QStringList>

namespace ui {

enum class MediaKind { Video, ImageSequence };

struct MediaItem {
    QString path;  // absolute, clean
    MediaKind kind = MediaKind::Video;
};

bool isVideoFileName(const QString& fileName);
bool isPictureFileName(const QString& fileName);

// Items in the order met (paths in the given order, folder entries sorted by name), each path
// once. A picture file stands for its folder's sequence. Folders deeper than maxDepth below a
// given folder are not visited; symbolic links to folders are not followed (no cycles).
QList<MediaItem> scanMedia(const QStringList& paths, int maxDepth = 8);

}  // namespace ui
