// MediaListModel and scanMedia (ui/models/media_list_model.*, media_scan.*).

#include "ui/models/media_list_model.h"

#include "ui/models/media_scan.h"
#include "ui_test.h"

#include <QAbstractItemModelTester>
#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

namespace {

void touch(const QString& path) {
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write("x");
}

}  // namespace

class MediaListModelTest : public QObject {
    Q_OBJECT
  private Q_SLOTS:
    void scanFindsVideosAndSequencesRecursively() {
        QTemporaryDir dir;
        touch(dir.filePath("a.mp4"));
        touch(dir.filePath("notes.txt"));
        touch(dir.filePath("shots/b.MKV"));
        touch(dir.filePath("shots/seq/f_0001.png"));
        touch(dir.filePath("shots/seq/f_0002.png"));
        touch(dir.filePath("deep/1/2/3/c.mov"));
        const QList<ui::MediaItem> items = ui::scanMedia({dir.path()});
        QStringList found;
        for (const ui::MediaItem& i : items) {
            found << QDir(dir.path()).relativeFilePath(i.path) +
                         (i.kind == ui::MediaKind::Video ? "|video" : "|sequence");
        }
        QCOMPARE(found, QStringList({"a.mp4|video", "deep/1/2/3/c.mov|video", "shots/b.MKV|video",
                                     "shots/seq|sequence"}));
    }

    void scanMapsPictureToItsFolderOnce() {
        QTemporaryDir dir;
        touch(dir.filePath("seq/f_1.exr"));
        touch(dir.filePath("seq/f_2.exr"));
        const auto items = ui::scanMedia(
            {dir.filePath("seq/f_1.exr"), dir.filePath("seq/f_2.exr"), dir.filePath("seq")});
        QCOMPARE(items.size(), 1);
        QCOMPARE(items.first().path, QDir::cleanPath(dir.filePath("seq")));
        QCOMPARE(items.first().kind, ui::MediaKind::ImageSequence);
    }

    void scanRespectsDepthLimit() {
        QTemporaryDir dir;
        touch(dir.filePath("1/2/3/deep.mp4"));
        QCOMPARE(ui::scanMedia({dir.path()}, 2).size(), 0);
        QCOMPARE(ui::scanMedia({dir.path()}, 3).size(), 1);
    }

    void modelAddsWithoutDuplicatesAndUpdatesInfo() {
        ui::MediaListModel model;
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        QCOMPARE(model.addItems({{"/v/a.mp4", ui::MediaKind::Video},
                                 {"/v/seq", ui::MediaKind::ImageSequence},
                                 {"/v/a.mp4", ui::MediaKind::Video}}),
                 2);
        QCOMPARE(model.addItems({{"/v/a.mp4", ui::MediaKind::Video}}), 0);
        QCOMPARE(model.rowCount(), 2);
        QCOMPARE(model.rowOfPath("/v/seq"), 1);
        QCOMPARE(model.data(model.index(0, ui::MediaListModel::NameColumn)).toString(), "a.mp4");
        model.setMediaInfo("/v/seq", 64, 48, 8);
        QCOMPARE(model.data(model.index(1, ui::MediaListModel::FramesColumn)).toLongLong(), 8);
        QVERIFY(
            model.data(model.index(1, ui::MediaListModel::SizeColumn)).toString().contains("64"));
        QVERIFY(model.removeRows(0, 1));
        QCOMPARE(model.pathAt(0), "/v/seq");
        QVERIFY(!model.removeRows(3, 1));
    }
};

FVSR_UI_TEST(MediaListModelTest)
#include "media_list_model_test.moc"
