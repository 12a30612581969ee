// Smoke test of the main window and every dialog; drag and drop; recent files; run-time
// language switch; dock layout saved and restored (ui/windows/main_window.*, ui/dialogs/*).

#include "ui/windows/main_window.h"

#include "engine/pipeline/tile_plan.h"
#include "ui/bridge/engine_bridge.h"
#include "ui/bridge/job_runner.h"
#include "ui/bridge/tile_preview.h"
#include "ui/dialogs/about_dialog.h"
#include "ui/dialogs/countdown_dialog.h"
#include "ui/dialogs/error_dialog.h"
#include "ui/dialogs/model_manager_dialog.h"
#include "ui/dialogs/preferences_dialog.h"
#include "ui/dialogs/resume_dialog.h"
#include "ui/models/job_queue_model.h"
#include "ui/models/job_store.h"
#include "ui/models/media_list_model.h"
#include "ui/widgets/comparison_panel.h"
#include "ui/widgets/device_panel.h"
#include "ui/widgets/log_panel.h"
#include "ui/widgets/parameter_panel.h"
#include "ui/widgets/player_widget.h"
#include "ui/widgets/queue_panel.h"
#include "ui_test.h"

#include <QComboBox>
#include <QDockWidget>
#include <QFile>
#include <QFileInfo>
#include <QLineEdit>
#include <QMenu>
#include <QMenuBar>
#include <QMimeData>
#include <QSpinBox>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QUrl>

#include <memory>

namespace {

struct Fixture {
    QTemporaryDir dir;
    std::unique_ptr<QSettings> store;
    std::unique_ptr<ui::StudioSettings> settings;
    std::unique_ptr<ui::PresetStore> presets;
    ui::EngineBridge bridge;

    Fixture() { reopenSettings(); }
    void reopenSettings() {
        settings.reset();
        store = std::make_unique<QSettings>(dir.filePath("studio.ini"), QSettings::IniFormat);
        settings = std::make_unique<ui::StudioSettings>(*store);
        presets = std::make_unique<ui::PresetStore>(dir.filePath("presets"));
    }
};

QString menuTitles(const QMainWindow& w) {
    QStringList titles;
    for (QAction* a : w.menuBar()->actions()) {
        titles << a->text();
    }
    return titles.join('|');
}

}  // namespace

class MainWindowTest : public QObject {
    Q_OBJECT
  private Q_SLOTS:
    void opensWithEveryPartAndDialog() {
        Fixture f;
        ui::MainWindow window(*f.settings, *f.presets, f.bridge);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QCOMPARE(window.docks().size(), 5);
        for (QDockWidget* d : window.docks()) {
            QVERIFY(!d->objectName().isEmpty());
            QVERIFY(!d->windowTitle().isEmpty());
        }
        QCOMPARE(window.tabs()->count(), 2);
        QVERIFY(!window.devicePanel()->statusText().isEmpty());
        QVERIFY(!ui::hasErrors(window.parameterPanel()->issues()));

        ui::PreferencesDialog preferences(*f.settings, &window);
        preferences.show();
        QVERIFY(QTest::qWaitForWindowExposed(&preferences));
        preferences.themeBox()->setCurrentIndex(1);
        preferences.apply();
        QCOMPARE(f.settings->theme(), ui::Theme::Dark);
        preferences.close();

        ui::AboutDialog about(&window);
        about.show();
        QVERIFY(QTest::qWaitForWindowExposed(&about));
        about.close();

        ui::ErrorDialog error(engine::Error(engine::ErrorCode::ZeroFrames, "empty"), &window);
        error.show();
        QVERIFY(QTest::qWaitForWindowExposed(&error));
        error.close();

        ui::ResumeDialog resume({{"id", "clip.mp4", "/out/clip.mkv", true, 10, 40}}, &window);
        resume.show();
        QVERIFY(QTest::qWaitForWindowExposed(&resume));
        resume.close();

        ui::CountdownDialog countdown(30, &window);
        countdown.setText("The computer suspends in 30 seconds.");
        countdown.show();
        QVERIFY(QTest::qWaitForWindowExposed(&countdown));
        countdown.close();
        // Nothing was interrupted: no resume offer.
        QCOMPARE(window.offerResume(), 0);

        // Tools > Model Manager; its folder becomes the panel's model folder.
        ui::ModelManagerDialog* models = window.openModelManager();
        models->show();
        QVERIFY(QTest::qWaitForWindowExposed(models));
        models->setFolder(f.dir.filePath("models"));
        QCOMPARE(window.parameterPanel()->parameters().value("model_dir").toString(),
                 QDir::cleanPath(f.dir.filePath("models")));
        models->close();

        window.applyTheme(ui::Theme::Dark);
        QVERIFY(!qApp->styleSheet().isEmpty());
        window.applyTheme(ui::Theme::System);
        QVERIFY(qApp->styleSheet().isEmpty());
    }

    void dropOfFoldersOpensTheirMedia() {
        Fixture f;
        QVERIFY(ui_test::writeColourSequence(f.dir.filePath("drop/a/seq"), 5, 16, 8));
        QVERIFY(ui_test::writeColourSequence(f.dir.filePath("drop/b"), 3, 16, 8));
        ui::MainWindow window(*f.settings, *f.presets, f.bridge);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));

        QMimeData mime;
        mime.setUrls({QUrl::fromLocalFile(f.dir.filePath("drop")),
                      QUrl(QStringLiteral("https://example.com/x.mp4"))});
        QDragEnterEvent enter(QPoint(50, 50), Qt::CopyAction, &mime, Qt::LeftButton,
                              Qt::NoModifier);
        QApplication::sendEvent(&window, &enter);
        QVERIFY(enter.isAccepted());
        QDropEvent drop(QPointF(50, 50), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
        QApplication::sendEvent(&window, &drop);
        QVERIFY(drop.isAccepted());
        QCOMPARE(window.mediaModel()->rowCount(), 2);
        QCOMPARE(window.mediaModel()->pathAt(0), QDir::cleanPath(f.dir.filePath("drop/a/seq")));

        // The first new item opens in the viewer and becomes a recent file.
        QTRY_VERIFY_WITH_TIMEOUT(!window.player()->canvas()->image().isNull(), 20000);
        QCOMPARE(window.player()->frameCount(), 5);
        // The planner's prediction for the open input (5 frames, CPU or GPU, untiled by default).
        QTRY_VERIFY(window.parameterPanel()->plan().ok);
        QCOMPARE(window.parameterPanel()->plan().frames, qint64(5));
        QVERIFY(window.parameterPanel()->plan().peakMemoryBytes > 0);
        QCOMPARE(window.parameterPanel()->plan().tileSize, 0);
        QCOMPARE(f.settings->recentFiles().first(), QDir::cleanPath(f.dir.filePath("drop/a/seq")));
        QVERIFY(window.recentMenu()->actions().first()->text().contains("seq"));
        QVERIFY(window.parameterPanel()->currentInput().endsWith("seq"));

        // Transport: step, in/out, and the comparison preview of that range.
        window.player()->stepFrames(2);
        QCOMPARE(window.player()->currentFrame(), 2);
        window.player()->setInPoint(1);
        window.player()->setOutPoint(3);
        QCOMPARE(window.player()->rangeLast(), 3);
        // A job added from the viewer covers the in..out range (end exclusive).
        window.queueModel()->setCheckpointRoot(f.dir.filePath("checkpoints"));
        QCOMPARE(window.addCurrentToQueue(), 1);
        QCOMPARE(window.queueModel()->jobAt(0).spec.first_frame, std::int64_t(1));
        QCOMPARE(window.queueModel()->jobAt(0).spec.end_frame, std::int64_t(4));
        QCOMPARE(window.queueModel()->jobAt(0).parameters.value("first_frame").toInt(), 1);
        // Another input keeps the panel's (whole) range.
        const QVariantMap other = window.jobParametersFor(f.dir.filePath("drop/b"));
        QVERIFY(!other.contains("end_frame"));
        QCOMPARE(other.value("first_frame").toInt(), 0);
        window.player()->shuttleForward();
        window.player()->shuttleForward();
        QCOMPARE(window.player()->playbackSpeed(), 2);
        window.player()->shuttleReverse();
        QCOMPARE(window.player()->playbackSpeed(), -1);
        window.player()->pause();
        window.player()->seek(2);
        window.comparisonPanel()->renderPreview();
        QTRY_COMPARE_WITH_TIMEOUT(window.comparisonPanel()->renderedFrameCount(), 3, 30000);
        QTRY_VERIFY(window.comparisonPanel()->view()->hasImages());

        // Text drops and remote URLs alone are refused.
        QMimeData remote;
        remote.setUrls({QUrl(QStringLiteral("https://example.com/x.mp4"))});
        QDragEnterEvent refused(QPoint(5, 5), Qt::CopyAction, &remote, Qt::LeftButton,
                                Qt::NoModifier);
        QApplication::sendEvent(&window, &refused);
        QVERIFY(!refused.isAccepted());
    }

    void tileGridOverlayFollowsPlanTiles() {
        Fixture f;
        QVERIFY(ui_test::writeColourSequence(f.dir.filePath("big"), 2, 200, 120));
        ui::MainWindow window(*f.settings, *f.presets, f.bridge);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        window.openMedia(f.dir.filePath("big"));
        QTRY_VERIFY_WITH_TIMEOUT(!window.player()->canvas()->image().isNull(), 20000);
        QVariantMap values = window.parameterPanel()->parameters();
        values.insert("tiled_dit", true);
        values.insert("tile_size", 64);
        values.insert("tile_overlap", 16);
        values.insert("tile_shift", true);
        window.parameterPanel()->setParameters(values);
        QVERIFY(window.player()->canvas()->overlay().isEmpty());  // grid hidden
        window.tileGridAction()->setChecked(true);

        engine::pipeline::TileSettings settings;
        settings.enabled = true;
        settings.size = 64;
        settings.overlap = 16;
        settings.shift = true;
        auto plan = engine::pipeline::plan_tiles(200, 120, 4, settings);
        QVERIFY(plan.ok());
        const auto& overlay = window.player()->canvas()->overlay();
        QCOMPARE(overlay.size(), static_cast<int>(plan->tiles.size()));
        QVERIFY(plan->passes == 2);
        for (int i = 0; i < overlay.size(); ++i) {
            const engine::pipeline::TileRect& t = plan->tiles.at(static_cast<size_t>(i));
            QCOMPARE(overlay.at(i).rect,
                     QRect(int(t.x0), int(t.y0), int(t.width()), int(t.height())));
            QCOMPARE(overlay.at(i).pass, t.pass);
        }
        // The planner's readout reports the same tiling.
        QCOMPARE(window.parameterPanel()->plan().tileSize, 64);

        // A click on a tile previews that tile (bicubic keeps the test fast) in the comparison
        // tab, with the whole job's estimate; the viewer highlights the region.
        values.insert("upscaler", "bicubic");
        window.parameterPanel()->setParameters(values);
        QList<ui::TileOverlayRect> tiles;
        for (const auto& o : window.player()->canvas()->overlay()) {
            tiles.append({o.rect, o.pass});
        }
        const QRect tile = *ui::tileAtPoint(tiles, QPoint(100, 60));
        emit window.player()->canvas()->imageClicked(QPoint(100, 60));
        QCOMPARE(window.tabs()->currentWidget(), window.comparisonPanel());
        QCOMPARE(window.player()->canvas()->highlight(), tile);
        QTRY_COMPARE_WITH_TIMEOUT(window.comparisonPanel()->renderedFrameCount(), 2, 30000);
        QTRY_VERIFY_WITH_TIMEOUT(!window.tilePreviewRenderer().isRunning(), 30000);
        QCOMPARE(window.tilePreviewRenderer().lastResult().region, tile);
        QCOMPARE(window.comparisonPanel()->view()->transform().imageSize(), tile.size() * 4);
        QVERIFY(window.comparisonPanel()->statusText().contains("Whole job (2 frames)"));
        // A Ctrl+drag is snapped before it renders.
        emit window.player()->canvas()->regionSelected(QRect(21, 13, 10, 10));
        QCOMPARE(window.player()->canvas()->highlight(), QRect(20, 12, 32, 32));
        QTRY_VERIFY_WITH_TIMEOUT(!window.tilePreviewRenderer().isRunning(), 30000);
        QCOMPARE(window.comparisonPanel()->renderedFrameCount(), 2);
        // A range preview started over a running region preview takes the view over: the
        // region's late frames do not mix in.
        emit window.player()->canvas()->imageClicked(QPoint(100, 60));
        window.comparisonPanel()->renderPreview();
        QVERIFY(window.player()->canvas()->highlight().isNull());
        QTRY_VERIFY_WITH_TIMEOUT(!window.tilePreviewRenderer().isRunning(), 30000);
        QTRY_COMPARE_WITH_TIMEOUT(window.comparisonPanel()->renderedFrameCount(), 2, 30000);
        QTRY_VERIFY(window.comparisonPanel()->renderAction()->isEnabled());
        QCOMPARE(window.comparisonPanel()->view()->transform().imageSize(), QSize(800, 480));
        window.showViewer();
        // Untiled settings clear the grid.
        values.insert("tiled_dit", false);
        window.parameterPanel()->setParameters(values);
        QVERIFY(window.player()->canvas()->overlay().isEmpty());
    }

    void loopsPlaybackOverTheInOutRange() {
        Fixture f;
        QVERIFY(ui_test::writeColourSequence(f.dir.filePath("clip"), 6, 16, 8));
        ui::MainWindow window(*f.settings, *f.presets, f.bridge);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        window.openMedia(f.dir.filePath("clip"));
        QTRY_VERIFY_WITH_TIMEOUT(!window.player()->canvas()->image().isNull(), 20000);
        ui::PlayerWidget* player = window.player();
        QVERIFY(player->playbackActions().contains(player->loopAction()));
        player->setInPoint(1);
        player->setOutPoint(3);
        // Without looping, playback stops at the out point.
        player->seek(2);
        player->togglePlayback();
        QTRY_COMPARE_WITH_TIMEOUT(player->playbackSpeed(), 0, 10000);
        QCOMPARE(player->currentFrame(), qint64(3));
        // Looping: after the out point comes the in point again, and playback goes on.
        QList<qint64> shown;
        connect(player, &ui::PlayerWidget::currentFrameChanged, this,
                [&](qint64 frame) { shown << frame; });
        player->loopAction()->trigger();
        QVERIFY(player->isLooping());
        player->seek(2);
        player->togglePlayback();
        QTRY_VERIFY_WITH_TIMEOUT(shown.count(qint64(1)) >= 2, 10000);
        QCOMPARE(player->playbackSpeed(), 1);
        player->pause();
        for (qint64 frame : shown) {
            QVERIFY(frame >= 1 && frame <= 3);
        }
        player->setLooping(false);
        QVERIFY(!player->loopAction()->isChecked());
    }

    void asksBeforeReplacingAnExistingOutput() {
        Fixture f;
        QVERIFY(ui_test::writeColourSequence(f.dir.filePath("in/seq"), 2, 16, 8));
        ui::MainWindow window(*f.settings, *f.presets, f.bridge);
        QVariantMap values = window.parameterPanel()->parameters();
        values.insert("upscaler", "bicubic");
        values.insert("output_folder", f.dir.filePath("out"));
        window.parameterPanel()->setParameters(values);
        QStringList asked;
        bool answer = false;
        window.setOverwriteQuestion([&](const QString& output) {
            asked << output;
            return answer;
        });
        // Nothing there yet: no question.
        QCOMPARE(window.addToQueue({f.dir.filePath("in/seq")}), 1);
        QVERIFY(asked.isEmpty());
        const QString output = window.queueModel()->jobAt(0).output;
        QVERIFY(window.queueModel()->removeJob(window.queueModel()->jobAt(0).id));
        QVERIFY(QDir().mkpath(QFileInfo(output).absolutePath()));
        QFile existing(output);
        QVERIFY(existing.open(QIODevice::WriteOnly));
        existing.close();
        // No: the input stays out of the queue.
        QCOMPARE(window.addToQueue({f.dir.filePath("in/seq")}), 0);
        QCOMPARE(asked, QStringList{output});
        QCOMPARE(window.queueModel()->rowCount(), 0);
        // Yes: queued with "Replace existing output" on.
        answer = true;
        QCOMPARE(window.addToQueue({f.dir.filePath("in/seq")}), 1);
        QCOMPARE(asked.size(), 2);
        QCOMPARE(window.queueModel()->jobAt(0).output, output);
        QVERIFY(window.queueModel()->jobAt(0).spec.output_settings.overwrite);
    }

    void queuesDroppedFoldersAndKeepsThem() {
        Fixture f;
        QVERIFY(ui_test::writeColourSequence(f.dir.filePath("drop/a/seq"), 4, 16, 8));
        QVERIFY(ui_test::writeColourSequence(f.dir.filePath("drop/b"), 3, 16, 8));
        const QString db = f.dir.filePath("queue.sqlite");
        {
            ui::JobStore store(db);
            ui::MainWindow window(*f.settings, *f.presets, f.bridge, &store);
            window.show();
            QVERIFY(QTest::qWaitForWindowExposed(&window));
            window.queueModel()->setCheckpointRoot(f.dir.filePath("checkpoints"));
            QVariantMap values = window.parameterPanel()->parameters();
            values.insert("upscaler", "bicubic");
            values.insert("output_mode", "pictures");
            values.insert("output_folder", f.dir.filePath("out"));
            window.parameterPanel()->setParameters(values);

            QMimeData mime;
            mime.setUrls({QUrl::fromLocalFile(f.dir.filePath("drop"))});
            QWidget* viewport = window.queuePanel()->view()->viewport();
            QDragEnterEvent enter(QPoint(20, 20), Qt::CopyAction, &mime, Qt::LeftButton,
                                  Qt::NoModifier);
            QApplication::sendEvent(viewport, &enter);
            QVERIFY(enter.isAccepted());
            QDropEvent drop(QPointF(20, 20), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
            QApplication::sendEvent(viewport, &drop);
            QCOMPARE(window.queueModel()->rowCount(), 2);
            QCOMPARE(window.queueModel()->jobAt(0).input,
                     QDir::cleanPath(f.dir.filePath("drop/a/seq")));
            QCOMPARE(window.queueModel()->jobAt(1).spec.upscaler,
                     engine::jobs::UpscalerKind::Bicubic);

            // Apply other settings to the selected (last added) job.
            values.insert("scale", 2);
            window.parameterPanel()->setParameters(values);
            QCOMPARE(window.applyCurrentSettings({window.queueModel()->jobAt(1).id}), 1);
            QCOMPARE(window.queueModel()->jobAt(1).spec.scale, 2);

            // Run the queue; the throughput plot gets the job's fps.
            window.jobRunner()->setWorkerDevices({"cpu"});
            window.queuePanel()->startAction()->trigger();
            QTRY_VERIFY_WITH_TIMEOUT(!window.jobRunner()->isQueueRunning(), 30000);
            QCOMPARE(window.queueModel()->jobAt(0).state, ui::QueueJobState::Succeeded);
            QCOMPARE(window.queueModel()->jobAt(1).state, ui::QueueJobState::Succeeded);
            window.close();
        }
        ui::JobStore store(db);
        ui::MainWindow window(*f.settings, *f.presets, f.bridge, &store);
        QCOMPARE(window.queueModel()->rowCount(), 2);
        QCOMPARE(window.queueModel()->jobAt(1).spec.scale, 2);
        QCOMPARE(window.queueModel()->jobAt(1).state, ui::QueueJobState::Succeeded);
    }

    void switchesLanguageAtRunTime() {
        Fixture f;
        ui::MainWindow window(*f.settings, *f.presets, f.bridge);
        window.setLanguage(QStringLiteral("en"));
        const QString english = menuTitles(window);
        QVERIFY(english.contains("&File"));
        window.setLanguage(QStringLiteral("zh_CN"));
        QCoreApplication::processEvents();
        const QString chinese = menuTitles(window);
        QVERIFY2(chinese != english, qPrintable(chinese));
        QVERIFY(chinese.contains(QStringLiteral("文件")));
        QVERIFY(window.tabs()->tabText(0) != QStringLiteral("Viewer"));
        // Widgets retranslate on LanguageChange too.
        QVERIFY(window.parameterPanel()->findChild<QComboBox*>() != nullptr);
        window.setLanguage(QStringLiteral("en"));
        QCoreApplication::processEvents();
        QCOMPARE(menuTitles(window), english);
        QCOMPARE(window.tabs()->tabText(0), QStringLiteral("Viewer"));
    }

    void savesAndRestoresLayoutAndParameters() {
        Fixture f;
        {
            ui::MainWindow window(*f.settings, *f.presets, f.bridge);
            window.show();
            QVERIFY(QTest::qWaitForWindowExposed(&window));
            window.docks().at(4)->hide();  // the log dock
            QVERIFY(window.parameterPanel()->selectPreset(QStringLiteral("high_quality")));
            auto* scale = qobject_cast<QSpinBox*>(window.parameterPanel()->editor("scale"));
            QVERIFY(scale != nullptr);
            scale->setValue(2);
            QVERIFY(window.parameterPanel()->isModified());
            window.close();
        }
        f.reopenSettings();
        ui::MainWindow window(*f.settings, *f.presets, f.bridge);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QVERIFY(!window.docks().at(4)->isVisible());
        QVERIFY(window.docks().at(0)->isVisible());
        QCOMPARE(window.parameterPanel()->presetId(), QStringLiteral("high_quality"));
        QCOMPARE(window.parameterPanel()->parameters().value("scale").toInt(), 2);
        QCOMPARE(window.parameterPanel()->parameters().value("mode").toString(),
                 QStringLiteral("full"));
    }

    void parameterPanelPresetsAndCommandLine() {
        Fixture f;
        ui::MainWindow window(*f.settings, *f.presets, f.bridge);
        ui::ParameterPanel* panel = window.parameterPanel();
        auto* pattern = qobject_cast<QLineEdit*>(panel->editor("output_pattern"));
        QVERIFY(pattern != nullptr);
        pattern->setText("{name}_big");
        QVERIFY(panel->selectPreset("image_sequence"));
        // Choosing a preset keeps the output naming.
        QCOMPARE(panel->parameters().value("output_pattern").toString(), QString("{name}_big"));
        QCOMPARE(panel->outputPathFor("/v/clip.mov"), QString("/v/clip_big"));
        QString error;
        QVERIFY(panel->savePresetAs("Stills", &error));
        QCOMPARE(panel->presetId(), QString("user:stills"));
        QVERIFY(panel->exportPresetFile(f.dir.filePath("stills.json"), &error));
        QVERIFY(panel->deleteCurrentPreset(&error));
        QVERIFY(panel->importPresetFile(f.dir.filePath("stills.json"), &error));
        QCOMPARE(panel->presetId(), QString("user:stills"));
        QCOMPARE(panel->parameters().value("output_mode").toString(), QString("pictures"));
        const QString line = panel->commandLine("/v/clip.mov");
        QVERIFY(line.startsWith("flashvsr "));
        QVERIFY(line.contains("--output_mode pictures"));
        QVERIFY(line.contains("--input /v/clip.mov --output /v/clip_big"));
        // A bad combination shows up as an issue and blocks nothing else.
        auto* device = qobject_cast<QComboBox*>(panel->editor("device"));
        device->setCurrentText("gpu");
        QVERIFY(ui::hasErrors(panel->issues()));
        device->setCurrentText("cpu");
        QVERIFY(!ui::hasErrors(panel->issues()));
    }

    // The tiling section's "Tile order" combo: three entries with their tooltip, its choice in
    // the values, on the command line and through a saved preset.
    void tileOrderCombo() {
        Fixture f;
        ui::MainWindow window(*f.settings, *f.presets, f.bridge);
        ui::ParameterPanel* panel = window.parameterPanel();
        auto* order = qobject_cast<QComboBox*>(panel->editor("tile_order"));
        QVERIFY(order != nullptr);
        QCOMPARE(order->count(), 3);
        QCOMPARE(order->itemText(0), QString("Automatic"));
        QCOMPARE(order->itemText(1), QString("Frame by frame"));
        QCOMPARE(order->itemText(2), QString("Tile by tile"));
        QVERIFY(order->toolTip().contains("least GPU memory"));
        QCOMPARE(panel->parameters().value("tile_order").toString(), QString("auto"));
        order->setCurrentIndex(2);
        QCOMPARE(panel->parameters().value("tile_order").toString(), QString("tile"));
        QVERIFY(panel->commandLine("/v/clip.mov").contains("--tile_order tile"));
        QString error;
        QVERIFY(panel->savePresetAs("Tiles", &error));
        order->setCurrentIndex(0);
        QCOMPARE(panel->parameters().value("tile_order").toString(), QString("auto"));
        QVERIFY(panel->selectPreset("user:tiles"));
        QCOMPARE(order->currentIndex(), 2);
        QCOMPARE(panel->parameters().value("tile_order").toString(), QString("tile"));
    }
};

FVSR_UI_TEST(MainWindowTest)
#include "main_window_test.moc"
