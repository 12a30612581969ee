// The parameter panel's prediction (ui/bridge/plan_readout.*) with the tile order: tile by tile
// shows its scratch disk and that frames appear per segment; frame by frame shows the batch.
// Planned for the CPU (the device this test machine has), analytic.

#include "ui/bridge/plan_readout.h"

#include "ui/settings/parameters.h"
#include "ui_test.h"

#include <QTest>

class PlanReadoutTest : public QObject {
    Q_OBJECT
  private Q_SLOTS:
    void tileOrderShowsInThePrediction() {
        QVariantMap v = ui::defaultParameters();
        v["device"] = "cpu";
        v["tiled_dit"] = true;
        v["tile_size"] = 128;
        v["tile_shift"] = false;
        v["tile_order"] = "tile";
        ui::PlanInput input;
        input.width = 640;
        input.height = 360;
        input.frameCount = 100;
        input.fps = 25.0;
        const ui::PlanReadout tileMajor = ui::planReadout(v, "/in/clip.mp4", input);
        QVERIFY2(tileMajor.ok, qPrintable(tileMajor.text));
        QVERIFY(tileMajor.tileMajor);
        QVERIFY(tileMajor.scratchDiskBytes > 0);
        QVERIFY(tileMajor.tempDiskBytes >= tileMajor.scratchDiskBytes);
        QVERIFY2(tileMajor.text.contains("tile by tile"), qPrintable(tileMajor.text));
        QVERIFY2(tileMajor.text.contains("scratch disk"), qPrintable(tileMajor.text));
        QVERIFY(tileMajor.details.contains("tile by tile: segments of at most"));

        v["tile_order"] = "frame";
        v["tile_batch_size"] = 2;
        const ui::PlanReadout frameMajor = ui::planReadout(v, "/in/clip.mp4", input);
        QVERIFY2(frameMajor.ok, qPrintable(frameMajor.text));
        QVERIFY(!frameMajor.tileMajor);
        QCOMPARE(frameMajor.scratchDiskBytes, quint64(0));
        QVERIFY2(frameMajor.text.contains("batch 2"), qPrintable(frameMajor.text));
        QVERIFY(!frameMajor.text.contains("tile by tile"));
    }
};

FVSR_UI_TEST(PlanReadoutTest)
#include "plan_readout_test.moc"
