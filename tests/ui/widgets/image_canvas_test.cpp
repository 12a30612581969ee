// ImageCanvas pointer input for the tile preview (ui/widgets/image_canvas.*): a click reports
// the image pixel under it through the view transform, Ctrl+drag reports the rectangle in image
// pixels, a plain drag pans and reports nothing.

#include "ui/widgets/image_canvas.h"

#include "ui_test.h"

#include <QSignalSpy>
#include <QTest>

class ImageCanvasTest : public QObject {
    Q_OBJECT
  private Q_SLOTS:
    void clicksAndDragsMapToImagePixels() {
        ui::ImageCanvas canvas;
        QImage image(200, 100, QImage::Format_RGB888);
        image.fill(Qt::gray);
        canvas.resize(400, 300);
        canvas.setImage(image);
        canvas.show();
        QVERIFY(QTest::qWaitForWindowExposed(&canvas));
        canvas.zoomToFit();
        const ui::ViewTransform& t = canvas.transform();
        QCOMPARE(t.zoom(), 2.0);
        QSignalSpy clicked(&canvas, &ui::ImageCanvas::imageClicked);
        QSignalSpy selected(&canvas, &ui::ImageCanvas::regionSelected);
        auto at = [&](double x, double y) { return t.toViewport(QPointF(x, y)).toPoint(); };

        QTest::mouseClick(&canvas, Qt::LeftButton, Qt::NoModifier, at(50.5, 25.5));
        QCOMPARE(clicked.count(), 1);
        QCOMPARE(clicked.first().at(0).toPoint(), QPoint(50, 25));
        // Outside the image: no pixel.
        QTest::mouseClick(&canvas, Qt::LeftButton, Qt::NoModifier, QPoint(5, 5));
        QCOMPARE(clicked.count(), 1);

        // Ctrl+drag selects image pixels 10..49 x 10..29.
        QTest::mousePress(&canvas, Qt::LeftButton, Qt::ControlModifier, at(10, 10));
        QTest::mouseMove(&canvas, at(30, 20));
        QTest::mouseMove(&canvas, at(50, 30));
        QTest::mouseRelease(&canvas, Qt::LeftButton, Qt::ControlModifier, at(50, 30));
        QCOMPARE(selected.count(), 1);
        QCOMPARE(selected.first().at(0).toRect(), QRect(10, 10, 40, 20));
        QCOMPARE(clicked.count(), 1);
        QCOMPARE(t.zoom(), 2.0);  // selecting does not pan

        // A plain drag pans and is neither a click nor a selection.
        const QPointF offset = t.offset();
        QTest::mousePress(&canvas, Qt::LeftButton, Qt::NoModifier, at(100, 50));
        QTest::mouseMove(&canvas, at(100, 50) + QPoint(30, 0));
        QTest::mouseRelease(&canvas, Qt::LeftButton, Qt::NoModifier, at(100, 50) + QPoint(30, 0));
        QCOMPARE(clicked.count(), 1);
        QCOMPARE(selected.count(), 1);
        QVERIFY(t.offset() != offset);

        canvas.setHighlight(QRect(1, 2, 3, 4));
        QCOMPARE(canvas.highlight(), QRect(1, 2, 3, 4));
    }
};

FVSR_UI_TEST(ImageCanvasTest)
#include "image_canvas_test.moc"
