// FrameReader decodes through the engine on its worker thread (ui/bridge/frame_reader.*,
// frame_image.*).

#include "ui/bridge/frame_reader.h"

#include "ui/bridge/frame_image.h"
#include "ui_test.h"

#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

class FrameReaderTest : public QObject {
    Q_OBJECT
  private Q_SLOTS:
    void imageConversionsRoundTrip() {
        QImage image(3, 2, QImage::Format_RGB888);
        image.fill(qRgb(1, 2, 3));
        image.setPixel(2, 1, qRgb(200, 100, 50));
        const engine::Frame frame = ui::imageToFrame(image);
        QCOMPARE(frame.width, 3);
        QCOMPARE(frame.height, 2);
        QCOMPARE(int(frame.data.at((1 * 3 + 2) * 3)), 200);
        QCOMPARE(ui::frameToImage(frame), image);
        // 16-bit and float frames are rounded to 8 bits.
        engine::Frame wide =
            engine::from_float(engine::to_float(frame), engine::SampleType::U16, 16);
        QCOMPARE(ui::frameToImage(wide).pixel(2, 1), qRgb(200, 100, 50));
        QCOMPARE(ui::frameToImage(engine::to_float(frame)).pixel(0, 0), qRgb(1, 2, 3));
        QVERIFY(ui::frameToImage(engine::Frame{}).isNull());
    }

    void decodesRequestedFramesOffTheUiThread() {
        QTemporaryDir dir;
        QVERIFY(ui_test::writeColourSequence(dir.filePath("seq"), 12, 16, 8));
        ui::FrameReader reader(4);
        QSignalSpy opened(&reader, &ui::FrameReader::opened);
        QSignalSpy decoded(&reader, &ui::FrameReader::frameDecoded);
        reader.open(dir.filePath("seq"));
        QVERIFY(opened.wait(20000));
        QVERIFY(reader.isOpen());
        QCOMPARE(reader.mediaInfo().width, 16);
        QCOMPARE(reader.mediaInfo().frameCount, 12);

        auto expectFrame = [&](qint64 index) {
            decoded.clear();
            reader.requestFrame(index);
            if (decoded.isEmpty()) {
                QVERIFY(decoded.wait(20000));
            }
            QCOMPARE(decoded.last().at(0).toLongLong(), index);
            const QImage image = decoded.last().at(1).value<QImage>();
            QCOMPARE(image.pixel(5, 5), qRgb(10 * int(index), 255 - 10 * int(index), 128));
        };
        expectFrame(3);
        expectFrame(4);   // next frame: decoded forward
        expectFrame(11);  // a jump forward
        expectFrame(1);   // backward: reopened at the frame
        // Cached frames come back at once, on the calling thread.
        decoded.clear();
        reader.requestFrame(11);
        QCOMPARE(decoded.count(), 1);
        QVERIFY(!reader.cachedFrame(1).isNull());
        QVERIFY(reader.cachedFrame(7).isNull());
        // Out of range requests are ignored.
        decoded.clear();
        reader.requestFrame(12);
        QTest::qWait(50);
        QCOMPARE(decoded.count(), 0);
    }

    void reportsOpenFailures() {
        ui::FrameReader reader;
        QSignalSpy failed(&reader, &ui::FrameReader::openFailed);
        reader.open(QStringLiteral("/no/such/clip.mp4"));
        QVERIFY(failed.wait(20000));
        const auto error = failed.first().at(1).value<engine::Error>();
        QCOMPARE(error.code, engine::ErrorCode::FileNotFound);
        QVERIFY(!reader.isOpen());
    }
};

FVSR_UI_TEST(FrameReaderTest)
#include "frame_reader_test.moc"
