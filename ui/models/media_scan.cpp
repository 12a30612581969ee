#include "ui/models/media_scan.h"

#include <QDir>
#include <QFileInfo>
#include <QSet>

namespace ui {
namespace {

const QStringList kVideoSuffixes = {"mp4",  "mkv", "mov", "avi",  "webm", "m4v", "mxf", "ts",
                                    "m2ts", "mts", "mpg", "mpeg", "wmv",  "flv", "y4m", "3gp"};
const QStringList kPictureSuffixes = {"png", "jpg", "jpeg", "tif", "tiff",
                                      "dpx", "exr", "bmp",  "webp"};

class Scanner {
  public:
    explicit Scanner(int maxDepth) : m_maxDepth(maxDepth) {}

    void visit(const QFileInfo& info, int depth) {
        if (info.isDir()) {
            visitFolder(info, depth);
        } else if (info.isFile() && isVideoFileName(info.fileName())) {
            add(info.absoluteFilePath(), MediaKind::Video);
        } else if (info.isFile() && isPictureFileName(info.fileName())) {
            add(info.absolutePath(), MediaKind::ImageSequence);
        }
    }

    QList<MediaItem> items;

  private:
    void visitFolder(const QFileInfo& folder, int depth) {
        const QDir dir(folder.absoluteFilePath());
        const QFileInfoList entries =
            dir.entryInfoList(QDir::Files | QDir::Dirs | QDir::NoDotAndDotDot | QDir::Readable,
                              QDir::Name | QDir::DirsLast);
        bool hasPictures = false;
        for (const QFileInfo& e : entries) {
            if (e.isFile() && isPictureFileName(e.fileName())) {
                hasPictures = true;
            } else if (e.isFile() && isVideoFileName(e.fileName())) {
                add(e.absoluteFilePath(), MediaKind::Video);
            }
        }
        if (hasPictures) {
            add(folder.absoluteFilePath(), MediaKind::ImageSequence);
        }
        if (depth >= m_maxDepth) {
            return;
        }
        for (const QFileInfo& e : entries) {
            if (e.isDir() && !e.isSymLink()) {
                visitFolder(e, depth + 1);
            }
        }
    }

    void add(const QString& path, MediaKind kind) {
        const QString clean = QDir::cleanPath(path);
        if (m_seen.contains(clean)) {
            return;
        }
        m_seen.insert(clean);
        items.append({clean, kind});
    }

    int m_maxDepth;
    QSet<QString> m_seen;
};

}  // namespace

bool isVideoFileName(const QString& fileName) {
    return kVideoSuffixes.contains(QFileInfo(fileName).suffix().toLower());
}

bool isPictureFileName(const QString& fileName) {
    return kPictureSuffixes.contains(QFileInfo(fileName).suffix().toLower());
}

QList<MediaItem> scanMedia(const QStringList& paths, int maxDepth) {
    Scanner scanner(maxDepth);
    for (const QString& p : paths) {
        scanner.visit(QFileInfo(p), 0);
    }
    return scanner.items;
}

}  // namespace ui
