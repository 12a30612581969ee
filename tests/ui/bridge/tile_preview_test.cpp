// Tile preview (ui/bridge/tile_preview.*): region snapping, a click mapped to its tile, the frame
// range with warm-up, the whole-job extrapolation arithmetic, and real renders through the engine
// with the golden tiny FlashVSR model (random weights) on the CPU: frame count and size, cancel.

#include "ui/bridge/tile_preview.h"

#include "engine/pipeline/tile_plan.h"
#include "ui/bridge/tile_overlay.h"
#include "ui_test.h"

#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

namespace {

QVariantMap flashVsrOnCpu() {
    return {{"upscaler", "flashvsr"},
            {"model_dir", QStringLiteral(FVSR_SHARED_DIR "/golden/models/v1.1")},
            {"model_ver", "1.1"},
            {"mode", "tiny"},
            {"device", "cpu"},
            {"threads", 2},
            {"scale", 4},
            {"tiled_dit", false}};
}

}  // namespace

class TilePreviewTest : public QObject {
    Q_OBJECT
  private Q_SLOTS:
    void snapsRegionsToWhatTheModelNeeds() {
        // x4: origins on 2 input pixels (8 output pixels = one latent cell), sizes on 32
        // (128 output pixels, the model's padding unit).
        QCOMPARE(ui::previewRegionAlignment(4), 2);
        QCOMPARE(ui::previewRegionStep(4), 32);
        QCOMPARE(ui::previewRegionAlignment(2), 4);
        QCOMPARE(ui::previewRegionStep(2), 64);
        QCOMPARE(ui::previewRegionAlignment(3), 8);
        QCOMPARE(ui::previewRegionStep(3), 128);
        const QSize frame(640, 360);
        QCOMPARE(ui::snapPreviewRegion(QRect(101, 51, 40, 10), frame, 4), QRect(100, 50, 64, 32));
        // Sticking out at the bottom right: moved back inside, size kept.
        QCOMPARE(ui::snapPreviewRegion(QRect(630, 350, 50, 50), frame, 4), QRect(576, 296, 64, 64));
        // Larger than the frame: the largest multiple of the step that fits.
        QCOMPARE(ui::snapPreviewRegion(QRect(-10, -10, 1000, 1000), frame, 4),
                 QRect(0, 0, 640, 352));
        // A frame side shorter than one step is taken whole.
        QCOMPARE(ui::snapPreviewRegion(QRect(3, 3, 5, 5), QSize(20, 100), 4), QRect(0, 2, 20, 32));
        QCOMPARE(ui::snapPreviewRegion(QRect(0, 0, 10, 10), QSize(), 4), QRect());
        // Every snapped region starts on a latent cell and fills whole 128-pixel blocks.
        for (int scale : {2, 3, 4}) {
            const QRect r = ui::snapPreviewRegion(QRect(77, 33, 150, 99), QSize(1920, 1080), scale);
            QCOMPARE((r.x() * scale) % 8, 0);
            QCOMPARE((r.y() * scale) % 8, 0);
            QCOMPARE((r.width() * scale) % 128, 0);
            QCOMPARE((r.height() * scale) % 128, 0);
            QVERIFY(r.contains(QRect(77, 33, 150, 99).intersected(r)));
        }
    }

    void aClickPicksTheTileUnderIt() {
        QVariantMap values = {{"tiled_dit", true},
                              {"tile_size", 128},
                              {"tile_overlap", 24},
                              {"tile_shift", false},
                              {"scale", 4}};
        const QSize frame(400, 300);
        const QList<ui::TileOverlayRect> tiles = ui::tileOverlay(values, frame);
        engine::pipeline::TileSettings settings;
        settings.enabled = true;
        settings.size = 128;
        settings.overlap = 24;
        settings.shift = false;
        auto plan = engine::pipeline::plan_tiles(400, 300, 4, settings);
        QVERIFY(plan.ok());
        QCOMPARE(tiles.size(), static_cast<int>(plan->tiles.size()));
        QVERIFY(tiles.size() > 4);
        // The middle of every tile maps back to exactly that tile's source rectangle.
        for (const engine::pipeline::TileRect& t : plan->tiles) {
            const QRect expected(int(t.x0), int(t.y0), int(t.width()), int(t.height()));
            const auto picked = ui::tileAtPoint(tiles, expected.center());
            QVERIFY(picked.has_value());
            QCOMPARE(*picked, expected);
        }
        // In an overlap, the tile whose centre is nearer wins.
        const QRect first = tiles.at(0).rect;
        const QRect second = tiles.at(1).rect;
        QVERIFY(first.intersects(second));
        const int overlapLeft = second.left();
        QCOMPARE(*ui::tileAtPoint(tiles, QPoint(overlapLeft, first.center().y())), first);
        QCOMPARE(*ui::tileAtPoint(tiles, QPoint(first.right(), first.center().y())), second);
        QVERIFY(!ui::tileAtPoint(tiles, QPoint(400, 10)).has_value());
        QVERIFY(!ui::tileAtPoint({}, QPoint(1, 1)).has_value());
    }

    void rangeAddsWarmUpFramesBefore() {
        auto r = ui::tilePreviewRange(100, 8, 21, 1000);
        QCOMPARE(r.first, qint64(79));
        QCOMPARE(r.shownFirst, qint64(100));
        QCOMPARE(r.shown, qint64(8));
        QCOMPARE(r.fed, qint64(29));
        // Near the start only the frames that exist; near the end fewer shown.
        r = ui::tilePreviewRange(5, 8, 21, 10);
        QCOMPARE(r.first, qint64(0));
        QCOMPARE(r.shown, qint64(5));
        QCOMPARE(r.fed, qint64(10));
        // Unknown frame count: no cap.
        r = ui::tilePreviewRange(0, 3, 21, -1);
        QCOMPARE(r.first, qint64(0));
        QCOMPARE(r.shown, qint64(3));
        QCOMPARE(r.fed, qint64(3));
    }

    void extrapolatesTheWholeJob() {
        // Untiled work is the padded output frame.
        engine::jobs::TileChoice untiled;
        QCOMPARE(ui::modelWorkPixels(100, 60, 4, untiled), 512.0 * 256.0);
        QCOMPARE(ui::modelWorkPixels(32, 32, 4, untiled), 128.0 * 128.0);
        // Tiled work sums the padded frames of plan_tiles' tiles.
        engine::jobs::TileChoice tiled;
        tiled.tiled = true;
        tiled.tile_size = 128;
        tiled.tile_overlap = 24;
        tiled.shift = true;
        engine::pipeline::TileSettings settings;
        settings.enabled = true;
        settings.size = 128;
        settings.overlap = 24;
        settings.shift = true;
        auto plan = engine::pipeline::plan_tiles(400, 300, 4, settings);
        QVERIFY(plan.ok());
        double sum = 0;
        for (const auto& t : plan->tiles) {
            sum += double(t.padded_width) * double(t.padded_height);
        }
        QCOMPARE(ui::modelWorkPixels(400, 300, 4, tiled), sum);

        engine::jobs::JobPlan job;
        job.input.frames = 1000;
        job.device.is_cuda = true;
        job.prediction.assemble_seconds = 50;
        job.prediction.temp_disk_bytes = 123456789;
        job.prediction.peak_gpu_bytes = 7ull << 30;
        job.prediction.peak_host_bytes = 2ull << 30;
        ui::TilePreviewMeasurement m;
        m.framesFed = 25;
        m.upscaleSeconds = 5;
        m.regionWorkPixels = 128 * 128;
        QCOMPARE(m.fps(), 5.0);
        // A frame is 4 regions of work: 5 fps on the region is 1.25 fps on the frame, 1000
        // frames take 800 s, plus 50 s assembly.
        const ui::JobExtrapolation e = ui::extrapolateJob(m, 4.0 * 128 * 128, job);
        QVERIFY(e.ok);
        QCOMPARE(e.measuredFps, 5.0);
        QCOMPARE(e.jobFps, 1.25);
        QCOMPARE(e.frames, qint64(1000));
        QCOMPARE(e.upscaleSeconds, 800.0);
        QCOMPARE(e.totalSeconds(), 850.0);
        QCOMPARE(e.tempDiskBytes, quint64(123456789));
        QVERIFY(e.peakIsGpuMemory);
        QCOMPARE(e.peakMemoryBytes, quint64(7ull << 30));
        // On the CPU the peak is host memory.
        job.device.is_cuda = false;
        QCOMPARE(ui::extrapolateJob(m, 4.0 * 128 * 128, job).peakMemoryBytes, quint64(2ull << 30));
        // Without a measurement there is no estimate.
        m.upscaleSeconds = 0;
        QVERIFY(!ui::extrapolateJob(m, 4.0 * 128 * 128, job).ok);
    }

    void rendersTheRegionWithFlashVsr() {
        QTemporaryDir dir;
        QVERIFY(ui_test::writeColourSequence(dir.filePath("seq"), 6, 96, 64));
        ui::TilePreviewRenderer renderer;
        QSignalSpy started(&renderer, &ui::TilePreviewRenderer::started);
        QSignalSpy rendered(&renderer, &ui::TilePreviewRenderer::frameRendered);
        QSignalSpy progressed(&renderer, &ui::TilePreviewRenderer::progressed);
        QSignalSpy finished(&renderer, &ui::TilePreviewRenderer::finished);
        QSignalSpy failed(&renderer, &ui::TilePreviewRenderer::failed);
        ui::TilePreviewRequest request;
        request.path = dir.filePath("seq");
        request.parameters = flashVsrOnCpu();
        request.region = ui::snapPreviewRegion(QRect(40, 20, 20, 20), QSize(96, 64), 4);
        QCOMPARE(request.region, QRect(40, 20, 32, 32));
        request.frameSize = QSize(96, 64);
        request.currentFrame = 3;
        request.frames = 2;
        request.frameCount = 6;
        request.fps = 25;
        renderer.start(request);
        QVERIFY(renderer.isRunning());
        QTRY_VERIFY_WITH_TIMEOUT(finished.count() + failed.count() > 0, 50000);
        QCOMPARE(failed.count(), 0);
        QCOMPARE(finished.first().at(0).toBool(), false);
        QVERIFY(!renderer.isRunning());
        QCOMPARE(started.count(), 1);
        QCOMPARE(started.first().at(0).toRect(), QRect(40, 20, 32, 32));
        QCOMPARE(started.first().at(1).toLongLong(), qint64(3));  // shown from the current frame
        QCOMPARE(started.first().at(2).toLongLong(), qint64(2));  // shown
        QCOMPARE(started.first().at(3).toLongLong(), qint64(5));  // 3 warm-up frames fed first
        QCOMPARE(progressed.count(), 5);
        QCOMPARE(progressed.last().at(0).toLongLong(), qint64(5));
        // Only the shown frames come back, at the output size of the region.
        QCOMPARE(rendered.count(), 2);
        for (int i = 0; i < 2; ++i) {
            QCOMPARE(rendered.at(i).at(0).toLongLong(), qint64(3 + i));
            const QImage before = rendered.at(i).at(1).value<QImage>();
            const QImage after = rendered.at(i).at(2).value<QImage>();
            QCOMPARE(before.size(), QSize(128, 128));
            QCOMPARE(after.size(), QSize(128, 128));
        }
        // Before is the bicubic region of frame 3: the colour sequence's flat colour.
        QCOMPARE(rendered.first().at(1).value<QImage>().pixelColor(64, 64).red(), 30);
        const ui::TilePreviewResult& result = renderer.lastResult();
        QCOMPARE(result.region, QRect(40, 20, 32, 32));
        QVERIFY(!result.regionTiles.tiled);
        QVERIFY(result.description.contains("FlashVSR"));
        QCOMPARE(result.measurement.framesFed, qint64(5));
        QVERIFY(result.measurement.upscaleSeconds > 0);
        QCOMPARE(result.measurement.regionWorkPixels, 128.0 * 128.0);
        QVERIFY(result.job.ok);
        QCOMPARE(result.job.frames, qint64(6));
        QVERIFY(!result.job.peakIsGpuMemory);
        QVERIFY(result.job.peakMemoryBytes > 0);
        // 96x64 pads to 384x256 output: 6 blocks of 128x128 against the region's 1.
        QVERIFY(qAbs(result.job.jobFps - result.measurement.fps() / 6.0) < 1e-9);
        QVERIFY(qAbs(result.job.upscaleSeconds - 6.0 / result.job.jobFps) < 1e-9);
    }

    void cancelStopsTheRender() {
        QTemporaryDir dir;
        QVERIFY(ui_test::writeColourSequence(dir.filePath("seq"), 30, 64, 32));
        ui::TilePreviewRenderer renderer;
        QSignalSpy rendered(&renderer, &ui::TilePreviewRenderer::frameRendered);
        QSignalSpy progressed(&renderer, &ui::TilePreviewRenderer::progressed);
        QSignalSpy finished(&renderer, &ui::TilePreviewRenderer::finished);
        QSignalSpy failed(&renderer, &ui::TilePreviewRenderer::failed);
        ui::TilePreviewRequest request;
        request.path = dir.filePath("seq");
        request.parameters = flashVsrOnCpu();
        request.region = QRect(0, 0, 64, 32);
        request.frameSize = QSize(64, 32);
        request.currentFrame = 21;
        request.frames = 8;
        request.frameCount = 30;
        renderer.start(request);
        // Stop once the model runs (its first chunk needs 25 frames, so nothing is out yet).
        QTRY_VERIFY_WITH_TIMEOUT(progressed.count() > 0 || failed.count() > 0, 30000);
        renderer.cancel();
        QTRY_VERIFY_WITH_TIMEOUT(finished.count() + failed.count() > 0, 30000);
        QCOMPARE(failed.count(), 0);
        QCOMPARE(finished.first().at(0).toBool(), true);
        QCOMPARE(rendered.count(), 0);
        QVERIFY(progressed.count() < 29);
        QVERIFY(!renderer.isRunning());
        // A bad region fails with words, not a crash.
        request.region = QRect(60, 0, 64, 32);
        renderer.start(request);
        QTRY_COMPARE_WITH_TIMEOUT(failed.count(), 1, 10000);
        QCOMPARE(failed.first().at(0).value<engine::Error>().code,
                 engine::ErrorCode::InvalidArgument);
    }
};

FVSR_UI_TEST(TilePreviewTest)
#include "tile_preview_test.moc"
