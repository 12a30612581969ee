// flashvsr-studio: composition root. Builds the settings store, the preset store, the job queue
// store (SQLite) and the engine bridge, then the main window; offers interrupted jobs for resume
// and hands over to the event loop. With --screenshot it renders the README screenshots from a
// synthetic clip instead and exits.

#include "engine/core/log.h"
#include "engine/core/paths.h"
#include "ui/bridge/engine_bridge.h"
#include "ui/bridge/job_runner.h"
#include "ui/models/job_queue_model.h"
#include "ui/models/job_store.h"
#include "ui/settings/parameters.h"
#include "ui/settings/preset_store.h"
#include "ui/settings/studio_settings.h"
#include "ui/widgets/comparison_panel.h"
#include "ui/widgets/device_panel.h"
#include "ui/widgets/image_canvas.h"
#include "ui/widgets/parameter_panel.h"
#include "ui/widgets/player_widget.h"
#include "ui/widgets/queue_panel.h"
#include "ui/windows/main_window.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QDockWidget>
#include <QElapsedTimer>
#include <QFile>
#include <QIcon>
#include <QImage>
#include <QPainter>
#include <QPainterPath>
#include <QSettings>
#include <QTableView>
#include <QTemporaryDir>
#include <QThread>
#include <QTimer>

#include <cmath>
#include <functional>
#include <memory>

namespace {

// Runs the event loop until `done` holds or `timeout_ms` passed; returns done().
bool waitUntil(const std::function<bool()>& done, int timeout_ms) {
    QElapsedTimer clock;
    clock.start();
    while (!done() && clock.elapsed() < timeout_ms) {
        QCoreApplication::processEvents(QEventLoop::AllEvents, 20);
        QThread::msleep(5);
    }
    return done();
}

void settle(int ms) {
    waitUntil([] { return false; }, ms);
}

// A 320x180 clip with detail a scaler has to work on: text, thin lines, a zone plate and a
// moving ball. Written as PNG frames, so the engine's image-sequence reader decodes it.
bool writeSyntheticClip(const QString& folder, int frames) {
    for (int i = 0; i < frames; ++i) {
        QImage image(320, 180, QImage::Format_RGB32);
        QPainter p(&image);
        p.setRenderHint(QPainter::Antialiasing);
        QLinearGradient sky(0, 0, 0, 180);
        sky.setColorAt(0, QColor(38, 70, 120));
        sky.setColorAt(1, QColor(210, 140, 90));
        p.fillRect(image.rect(), sky);
        // Zone plate: fine rings that alias when scaled badly.
        for (int y = 0; y < 80; ++y) {
            for (int x = 0; x < 80; ++x) {
                const double r2 = (x - 40.0) * (x - 40.0) + (y - 40.0) * (y - 40.0);
                const int v = int(127.5 + 127.5 * std::cos(r2 * 0.06));
                image.setPixel(228 + x, 12 + y, qRgb(v, v, v));
            }
        }
        p.setPen(QPen(QColor(250, 250, 250), 1));
        for (int k = 0; k < 12; ++k) {
            p.drawLine(12 + k * 4, 110, 12 + k * 4 + 30, 170);
        }
        QFont font(QStringLiteral("DejaVu Sans"));
        font.setPixelSize(15);
        font.setBold(true);
        p.setFont(font);
        p.drawText(QRect(12, 12, 210, 24), Qt::AlignLeft, QStringLiteral("FlashVSR Studio"));
        font.setPixelSize(9);
        font.setBold(false);
        p.setFont(font);
        p.drawText(QRect(12, 38, 210, 60), Qt::AlignLeft | Qt::TextWordWrap,
                   QStringLiteral("Small text and thin lines show what an upscaler keeps. "
                                  "Frame %1.")
                       .arg(i + 1));
        const double t = i / double(std::max(frames - 1, 1));
        QRadialGradient ball(QPointF(90 + 150 * t, 130), 22);
        ball.setColorAt(0, QColor(255, 230, 120));
        ball.setColorAt(1, QColor(200, 60, 40));
        p.setBrush(ball);
        p.setPen(Qt::NoPen);
        p.drawEllipse(QPointF(90 + 150 * t, 130), 20, 20);
        p.end();
        if (!image.save(QDir(folder).filePath(
                QStringLiteral("frame_%1.png").arg(i, 6, 10, QLatin1Char('0'))))) {
            return false;
        }
    }
    return true;
}

bool saveGrab(QWidget* widget, const QString& path) {
    const bool ok = widget->grab().save(path);
    engine::log(ok ? engine::LogLevel::Info : engine::LogLevel::Error,
                (ok ? "screenshot written: " : "screenshot failed: ") + path.toStdString());
    return ok;
}

// The queue with jobs in every state and the throughput plot: a clip that fails (a damaged
// picture), the synthetic clip upscaled with bicubic (running), and two more waiting.
bool queueScreenshot(ui::MainWindow& window, const QString& clip, const QString& path) {
    window.showViewer();
    const QString root = QFileInfo(clip).absolutePath();
    const QString broken = QDir(root).filePath(QStringLiteral("damaged_scan"));
    QDir().mkpath(broken);
    QFile bad(QDir(broken).filePath(QStringLiteral("frame_000000.png")));
    if (!bad.open(QIODevice::WriteOnly) || bad.write("not a picture") < 0) {
        return false;
    }
    bad.close();
    const QString longClip = QDir(root).filePath(QStringLiteral("harbour_at_night"));
    QDir().mkpath(longClip);
    if (!writeSyntheticClip(longClip, 240)) {
        return false;
    }
    window.queueModel()->setCheckpointRoot(QDir(root).filePath(QStringLiteral("checkpoints")));
    QVariantMap values = window.parameterPanel()->parameters();
    values.insert(QStringLiteral("upscaler"), QStringLiteral("bicubic"));
    values.insert(QStringLiteral("scale"), 4);
    values.insert(QStringLiteral("codec"), QStringLiteral("ffv1"));
    values.insert(QStringLiteral("quality"), QStringLiteral("lossless"));
    values.insert(QStringLiteral("hw_encoder"), false);
    values.insert(QStringLiteral("threads"), 1);
    values.insert(QStringLiteral("output_folder"), QDir(root).filePath(QStringLiteral("out")));
    window.parameterPanel()->setParameters(values);
    window.addToQueue({broken});
    window.addToQueue({longClip});
    window.addToQueue({clip});
    window.addToQueue({longClip});
    ui::JobQueueModel* queue = window.queueModel();
    const QString failedId = queue->jobAt(0).id;
    const QString runningId = queue->jobAt(1).id;
    window.jobRunner()->setWorkerDevices({QStringLiteral("cpu")});
    window.jobRunner()->startQueue();
    // The Devices dock (throughput plot) alone on the right, a taller queue at the bottom.
    QDockWidget* queueDock = nullptr;
    for (QDockWidget* d : window.docks()) {
        if (d->objectName() == QLatin1String("ParametersDock")) {
            d->hide();
        } else if (d->objectName() == QLatin1String("DevicesDock") ||
                   d->objectName() == QLatin1String("QueueDock")) {
            d->show();
            d->raise();
        }
        if (d->objectName() == QLatin1String("QueueDock")) {
            queueDock = d;
        }
    }
    if (queueDock != nullptr) {
        window.resizeDocks({queueDock}, {340}, Qt::Vertical);
    }
    const bool running = waitUntil(
        [&] {
            const ui::QueueJob* job = queue->jobById(runningId);
            return job != nullptr && job->framesDone >= 60 &&
                   window.devicePanel()->throughputSampleCount(QStringLiteral("cpu")) >= 8;
        },
        120000);
    window.queuePanel()->selectJob(failedId);
    settle(400);
    const bool ok = running && saveGrab(&window, path);
    if (!running) {
        engine::log_error("the queue screenshot's job did not run");
    }
    window.jobRunner()->stopQueue();
    waitUntil([&] { return window.jobRunner()->activeCount() == 0; }, 30000);
    return ok;
}

// A click on the tile over the zone plate renders it at full settings into the comparison view,
// with the measured speed and the whole job's estimate (tile_preview.png); then the viewer with
// the tile grid FlashVSR's settings give and the previewed tile highlighted (tile_grid.png).
// With FVSR_SCREENSHOT_MODEL_DIR (a real FlashVSR model folder) the tile runs through FlashVSR;
// without one through Lanczos-3 (random test weights would show noise), and the labels say so.
bool tilePreviewScreenshots(ui::MainWindow& window, const QString& outputDir) {
    window.showViewer();
    const QVariantMap before = window.parameterPanel()->parameters();
    QVariantMap flashVsr = before;
    flashVsr.insert(QStringLiteral("upscaler"), QStringLiteral("flashvsr"));
    flashVsr.insert(QStringLiteral("scale"), 4);
    flashVsr.insert(QStringLiteral("tiled_dit"), true);
    flashVsr.insert(QStringLiteral("tile_size"), 96);
    flashVsr.insert(QStringLiteral("tile_overlap"), 16);
    flashVsr.insert(QStringLiteral("tile_shift"), false);
    const QString model = qEnvironmentVariable("FVSR_SCREENSHOT_MODEL_DIR");
    QVariantMap preview = flashVsr;
    if (model.isEmpty()) {
        preview.insert(QStringLiteral("upscaler"), QStringLiteral("lanczos"));
    } else {
        preview.insert(QStringLiteral("model_dir"), model);
        flashVsr.insert(QStringLiteral("model_dir"), model);
    }
    window.parameterPanel()->setParameters(preview);
    window.tileGridAction()->setChecked(true);
    settle(300);
    emit window.player()->canvas()->imageClicked(QPoint(268, 52));
    ui::ComparisonPanel* compare = window.comparisonPanel();
    bool ok = waitUntil(
        [&] {
            return compare->renderedFrameCount() > 0 && !window.tilePreviewRenderer().isRunning();
        },
        600000);
    if (!ok) {
        engine::log_error("the tile preview did not render");
    } else {
        compare->modeActions().at(0)->trigger();
        compare->view()->setDividerFraction(0.5);
        compare->view()->zoomToFit();
        settle(300);
        ok = saveGrab(&window, QDir(outputDir).filePath(QStringLiteral("tile_preview.png")));
    }
    window.parameterPanel()->setParameters(flashVsr);
    window.showViewer();
    settle(400);
    ok = saveGrab(&window, QDir(outputDir).filePath(QStringLiteral("tile_grid.png"))) && ok;
    window.tileGridAction()->setChecked(false);
    window.player()->canvas()->setHighlight(QRect());
    window.parameterPanel()->setParameters(before);
    return ok;
}

int runScreenshots(ui::MainWindow& window, const QString& outputDir) {
    QDir().mkpath(outputDir);
    QTemporaryDir clipDir;
    const QString clip = clipDir.filePath(QStringLiteral("synthetic_clip"));
    QDir().mkpath(clip);
    if (!clipDir.isValid() || !writeSyntheticClip(clip, 24)) {
        engine::log_error("cannot write the synthetic clip");
        return 1;
    }
    window.applyTheme(ui::Theme::Dark);
    window.resize(1440, 900);
    window.show();
    window.openPaths({clip});
    ui::PlayerWidget* player = window.player();
    if (!waitUntil([&] { return !player->canvas()->image().isNull(); }, 60000)) {
        engine::log_error("the synthetic clip did not decode");
        return 1;
    }
    player->seek(6);
    player->setInPoint(6);
    player->setOutPoint(11);
    waitUntil([&] { return window.frameReader().cachedFrame(6).isNull() == false; }, 30000);
    settle(500);
    bool ok = saveGrab(&window, QDir(outputDir).filePath(QStringLiteral("main_window.png")));

    window.showComparison();
    ui::ComparisonPanel* compare = window.comparisonPanel();
    compare->renderPreview();
    if (!waitUntil([&] { return compare->renderedFrameCount() >= 6; }, 180000)) {
        engine::log_error("the preview did not render");
        return 1;
    }
    settle(300);
    ui::ComparisonWidget* view = compare->view();
    view->setDividerFraction(0.5);
    // Zoom on the text and zone plate, where the scalers differ.
    view->zoomToFit();
    view->transform().zoomBy(2.0, QPointF(view->width() * 0.55, view->height() * 0.3));
    view->update();
    settle(300);
    ok = saveGrab(&window, QDir(outputDir).filePath(QStringLiteral("comparison_split.png"))) && ok;
    compare->modeActions().at(1)->trigger();
    view->zoomToFit();
    settle(300);
    ok = saveGrab(&window,
                  QDir(outputDir).filePath(QStringLiteral("comparison_side_by_side.png"))) &&
         ok;
    compare->modeActions().at(3)->trigger();
    settle(300);
    ok = saveGrab(&window, QDir(outputDir).filePath(QStringLiteral("comparison_difference.png"))) &&
         ok;

    ok = tilePreviewScreenshots(window, outputDir) && ok;

    ok = queueScreenshot(window, clip, QDir(outputDir).filePath(QStringLiteral("queue.png"))) && ok;

    window.showViewer();
    window.setLanguage(QStringLiteral("zh_CN"));
    settle(500);
    ok = saveGrab(&window, QDir(outputDir).filePath(QStringLiteral("main_window_zh_CN.png"))) && ok;
    return ok ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("flashvsr-studio"));
    QApplication::setApplicationDisplayName(QStringLiteral("FlashVSR Studio"));
    QApplication::setOrganizationName(QStringLiteral("flashvsr-studio"));
    QApplication::setApplicationVersion(QStringLiteral(FVSR_VERSION));
    QApplication::setWindowIcon(QIcon(QStringLiteral(":/icons/flashvsr-studio.png")));

    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("FlashVSR Studio: video super-resolution with FlashVSR"));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption screenshotOption(
        QStringLiteral("screenshot"),
        QStringLiteral("Render the README screenshots from a synthetic clip into DIR, then exit."),
        QStringLiteral("DIR"));
    const QCommandLineOption settingsOption(
        QStringLiteral("settings"),
        QStringLiteral("Read and write settings in this INI file instead of the user's."),
        QStringLiteral("FILE"));
    const QCommandLineOption languageOption(QStringLiteral("language"),
                                            QStringLiteral("User interface language: en or zh_CN."),
                                            QStringLiteral("LANG"));
    parser.addOption(screenshotOption);
    parser.addOption(settingsOption);
    const QCommandLineOption queueOption(
        QStringLiteral("queue-db"),
        QStringLiteral("Keep the job queue in this SQLite file instead of the user's."),
        QStringLiteral("FILE"));
    parser.addOption(languageOption);
    parser.addOption(queueOption);
    parser.addPositionalArgument(QStringLiteral("paths"),
                                 QStringLiteral("Videos, image folders or folders to open."),
                                 QStringLiteral("[paths...]"));
    parser.process(app);

    const bool screenshots = parser.isSet(screenshotOption);
    QTemporaryDir scratch;
    QString settingsPath = parser.value(settingsOption);
    if (settingsPath.isEmpty()) {
        // Screenshots never touch the user's settings or presets.
        settingsPath = screenshots ? scratch.filePath(QStringLiteral("studio.ini"))
                                   : QString::fromStdString(engine::path_string(
                                         engine::user_config_dir() / "studio.ini"));
    }
    QSettings store(settingsPath, QSettings::IniFormat);
    ui::StudioSettings settings(store);
    if (parser.isSet(languageOption)) {
        settings.setLanguage(parser.value(languageOption));
    }
    const QString presetDir =
        screenshots
            ? scratch.filePath(QStringLiteral("presets"))
            : QString::fromStdString(engine::path_string(engine::user_config_dir() / "presets"));
    ui::PresetStore presets(presetDir);
    QStringList problems;
    presets.reload(&problems);

    QString queuePath = parser.value(queueOption);
    if (queuePath.isEmpty()) {
        queuePath = screenshots ? scratch.filePath(QStringLiteral("queue.sqlite"))
                                : ui::JobStore::defaultPath();
    }

    ui::EngineBridge bridge;
    bridge.installLogSink(engine::LogLevel::Info);
    ui::JobStore queueStore(queuePath);
    if (!queueStore.isOpen()) {
        engine::log_warning("the job queue is not saved: " + queueStore.lastError().toStdString());
    }
    ui::MainWindow window(settings, presets, bridge, queueStore.isOpen() ? &queueStore : nullptr);
    for (const QString& problem : problems) {
        engine::log_warning("preset skipped: " + problem.toStdString());
    }
    engine::log_info("FlashVSR Studio " FVSR_VERSION " started; settings: " +
                     settingsPath.toStdString());

    if (screenshots) {
        return runScreenshots(window, parser.value(screenshotOption));
    }
    window.show();
    if (!parser.positionalArguments().isEmpty()) {
        window.openPaths(parser.positionalArguments());
    }
    // After the window is up: jobs that were running when the last session ended.
    QTimer::singleShot(0, &window, [&window] { window.offerResume(); });
    return QApplication::exec();
}
