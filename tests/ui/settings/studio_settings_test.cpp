// StudioSettings round trip through an INI file (ui/settings/studio_settings.*).

#include "ui/settings/studio_settings.h"

#include "ui/settings/parameters.h"
#include "ui_test.h"

#include <QTemporaryDir>
#include <QTest>

class StudioSettingsTest : public QObject {
    Q_OBJECT
  private Q_SLOTS:
    void roundTrip() {
        QTemporaryDir dir;
        const QString file = dir.filePath("studio.ini");
        QVariantMap params = ui::defaultParameters();
        params["scale"] = 2;
        params["output_pattern"] = "{name}_up";
        params["tile_order"] = "frame";
        {
            QSettings store(file, QSettings::IniFormat);
            ui::StudioSettings s(store);
            for (int i = 0; i < 14; ++i) {
                s.addRecentFile(QStringLiteral("/media/clip%1.mp4").arg(i));
            }
            s.addRecentFile("/media/clip3.mp4");  // moves to the front, no duplicate
            s.setTheme(ui::Theme::Dark);
            s.setLanguage("zh_CN");
            s.setWindowGeometry("geometry-bytes");
            s.setWindowState("state-bytes");
            s.setParameters(params);
            s.setPresetId("user:mine");
            s.setViewerCacheFrames(100000);  // clamped
            s.setDevicePollIntervalMs(500);
            s.setPreviewMemoryMiB(2048);
            s.setExcludedQueueDevices({1, 3});
            s.sync();
        }
        QSettings store(file, QSettings::IniFormat);
        ui::StudioSettings s(store);
        const QStringList recent = s.recentFiles();
        QCOMPARE(recent.size(), ui::StudioSettings::kMaxRecentFiles);
        QCOMPARE(recent.first(), QString("/media/clip3.mp4"));
        QCOMPARE(recent.at(1), QString("/media/clip13.mp4"));
        QCOMPARE(recent.count("/media/clip3.mp4"), 1);
        QCOMPARE(s.theme(), ui::Theme::Dark);
        QCOMPARE(s.language(), QString("zh_CN"));
        QCOMPARE(s.windowGeometry(), QByteArray("geometry-bytes"));
        QCOMPARE(s.windowState(), QByteArray("state-bytes"));
        QCOMPARE(ui::withDefaults(s.parameters()), ui::withDefaults(params));
        QCOMPARE(s.parameters().value("tile_order").toString(), QString("frame"));
        QCOMPARE(s.presetId(), QString("user:mine"));
        QCOMPARE(s.viewerCacheFrames(), 512);
        QCOMPARE(s.devicePollIntervalMs(), 500);
        QCOMPARE(s.previewMemoryMiB(), 2048);
        QCOMPARE(s.excludedQueueDevices(), (QList<int>{1, 3}));
        s.removeRecentFile("/media/clip3.mp4");
        QCOMPARE(s.recentFiles().first(), QString("/media/clip13.mp4"));
        s.clearRecentFiles();
        QVERIFY(s.recentFiles().isEmpty());
        s.setLanguage("klingon");
        QCOMPARE(s.language(), QString());
    }
};

FVSR_UI_TEST(StudioSettingsTest)
#include "studio_settings_test.moc"
