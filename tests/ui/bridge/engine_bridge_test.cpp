// EngineBridge hops engine log messages to the UI thread (ui/bridge/engine_bridge.*).

#include "ui/bridge/engine_bridge.h"

#include "ui/bridge/preview_renderer.h"
#include "ui_test.h"

#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

#include <thread>

class EngineBridgeTest : public QObject {
    Q_OBJECT
  private Q_SLOTS:
    void logMessagesArriveOnTheUiThread() {
        ui::EngineBridge bridge;
        bridge.installLogSink(engine::LogLevel::Info);
        QList<QThread*> threads;
        QStringList messages;
        connect(&bridge, &ui::EngineBridge::logReceived, this,
                [&](const QDateTime&, engine::LogLevel level, const QString& message) {
                    threads << QThread::currentThread();
                    messages << message;
                    QCOMPARE(level, engine::LogLevel::Warning);
                });
        std::thread worker([] { engine::log_warning("from a worker thread"); });
        worker.join();
        engine::log_debug("below the minimum level");
        QTRY_COMPARE(messages.size(), 1);
        QCOMPARE(messages.first(), QString("from a worker thread"));
        QCOMPARE(threads.first(), QThread::currentThread());
        bridge.uninstallLogSink();
        engine::set_log_level(engine::LogLevel::Warning);
    }

    void pollsDevices() {
        ui::EngineBridge bridge;
        QSignalSpy polled(&bridge, &ui::EngineBridge::devicesPolled);
        bridge.startDevicePolling(250);
        QCOMPARE(polled.count(), 1);  // the first poll is immediate
        QVERIFY(polled.wait(5000));
        bridge.stopDevicePolling();
        // Without a driver the query says why; with one it lists devices.
        const auto& q = bridge.lastDeviceQuery();
        QVERIFY(q.driver_available || !q.problem.empty());
    }

    void previewRendererRendersPairsWithinBudget() {
        QCOMPARE(ui::PreviewRenderer::framesWithinBudget(100, 100, 100 * 100 * 6 * 5), 5);
        QCOMPARE(ui::PreviewRenderer::framesWithinBudget(100, 100, 1), 1);
        QTemporaryDir dir;
        QVERIFY(ui_test::writeColourSequence(dir.filePath("seq"), 6, 8, 6));
        ui::PreviewRenderer renderer;
        QSignalSpy rendered(&renderer, &ui::PreviewRenderer::frameRendered);
        QSignalSpy finished(&renderer, &ui::PreviewRenderer::finished);
        ui::PreviewRequest request;
        request.path = dir.filePath("seq");
        request.firstFrame = 2;
        request.lastFrame = 5;
        request.scale = 3;
        request.memoryBudgetBytes = 24 * 18 * 6 * 3;  // three pairs
        renderer.start(request);
        QVERIFY(finished.wait(30000));
        QCOMPARE(finished.first().at(0).toLongLong(), 3);
        QCOMPARE(rendered.count(), 3);
        QCOMPARE(rendered.first().at(0).toLongLong(), 2);
        const QImage before = rendered.first().at(1).value<QImage>();
        const QImage after = rendered.first().at(2).value<QImage>();
        QCOMPARE(before.size(), QSize(24, 18));
        QCOMPARE(after.size(), QSize(24, 18));
        // A flat frame stays flat through both scalers.
        QCOMPARE(before.pixel(10, 10), qRgb(20, 235, 128));
        QCOMPARE(after.pixel(10, 10), qRgb(20, 235, 128));
        QVERIFY(!renderer.isRunning());
    }
};

FVSR_UI_TEST(EngineBridgeTest)
#include "engine_bridge_test.moc"
