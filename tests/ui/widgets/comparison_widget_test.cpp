// Comparison geometry: the divider maps to the right source pixels; zoom and pan stay in sync
// (ui/widgets/comparison_widget.*, image_canvas.*).

#include "ui/widgets/comparison_widget.h"

#include "ui/widgets/image_canvas.h"
#include "ui_test.h"

#include <QMouseEvent>
#include <QSignalSpy>
#include <QTest>

namespace {

QImage flat(QSize size, QRgb colour) {
    QImage image(size, QImage::Format_RGB888);
    image.fill(colour);
    return image;
}

}  // namespace

class ComparisonWidgetTest : public QObject {
    Q_OBJECT
  private Q_SLOTS:
    void viewTransformFitsZoomsAroundAnchorAndPans() {
        ui::ViewTransform t;
        t.setImageSize(QSize(400, 200));
        t.setViewportSize(QSize(800, 600));
        QCOMPARE(t.zoom(), 2.0);
        QCOMPARE(t.offset(), QPointF(0, 100));
        QCOMPARE(t.toImage(QPointF(400, 300)), QPointF(200, 100));
        // The image point under the anchor stays put.
        const QPointF anchor(123, 456);
        const QPointF before = t.toImage(anchor);
        t.zoomBy(3.0, anchor);
        QVERIFY(!t.isFitMode());
        QCOMPARE(t.zoom(), 6.0);
        QCOMPARE(t.toImage(anchor), before);
        t.panBy(QPointF(10, -20));
        QCOMPARE(t.toViewport(before), anchor + QPointF(10, -20));
        t.setActualSize();
        QCOMPARE(t.zoom(), 1.0);
        QCOMPARE(t.imageRect(), QRectF(200, 200, 400, 200));
        t.setZoom(1000.0, QPointF());
        QCOMPARE(t.zoom(), ui::ViewTransform::kMaxZoom);
    }

    void dividerMapsToSourceColumns() {
        ui::ComparisonWidget w;
        w.resize(800, 400);
        w.setImages(flat(QSize(400, 200), qRgb(0, 0, 0)), flat(QSize(400, 200), qRgb(9, 9, 9)));
        w.setMode(ui::ComparisonMode::Split);
        // Fit: 2 widget pixels per image pixel, no horizontal margin.
        QCOMPARE(w.transform().zoom(), 2.0);
        w.setDividerFraction(0.25);
        QCOMPARE(w.dividerX(), 200.0);
        QCOMPARE(w.dividerImageColumn(), 100);
        QCOMPARE(w.sideAt(QPoint(199, 10)), ui::ComparisonSide::Before);
        QCOMPARE(w.sideAt(QPoint(201, 10)), ui::ComparisonSide::After);
        // Zoomed 4x around the widget centre: the centre stays image column 200, the divider
        // at x = 200 now sits 200 / 8 = 25 columns left of it.
        w.transform().zoomBy(4.0, QPointF(400, 200));
        QCOMPARE(w.dividerImageColumn(), 175);
        // Panned right by 80 widget pixels = 10 image pixels at 8x.
        w.transform().panBy(QPointF(80, 0));
        QCOMPARE(w.dividerImageColumn(), 165);
        // Divider beyond the image clamps to its edge.
        w.setDividerFraction(2.0);
        QCOMPARE(w.dividerFraction(), 1.0);
        w.zoomToFit();
        QCOMPARE(w.dividerImageColumn(), 400);
    }

    void draggingTheDividerMovesIt() {
        ui::ComparisonWidget w;
        w.resize(800, 400);
        w.setImages(flat(QSize(400, 200), qRgb(0, 0, 0)), flat(QSize(400, 200), qRgb(9, 9, 9)));
        QSignalSpy moved(&w, &ui::ComparisonWidget::dividerMoved);
        QTest::mousePress(&w, Qt::LeftButton, {}, QPoint(402, 100));
        QTest::mouseMove(&w, QPoint(600, 120));
        QTest::mouseRelease(&w, Qt::LeftButton, {}, QPoint(600, 120));
        QVERIFY(!moved.isEmpty());
        QCOMPARE(w.dividerFraction(), 0.75);
        QCOMPARE(w.dividerImageColumn(), 300);
        // Away from the divider a drag pans instead.
        const QPointF offset = w.transform().offset();
        QTest::mousePress(&w, Qt::LeftButton, {}, QPoint(100, 100));
        QTest::mouseMove(&w, QPoint(130, 110));
        QTest::mouseRelease(&w, Qt::LeftButton, {}, QPoint(130, 110));
        QCOMPARE(w.transform().offset(), offset + QPointF(30, 10));
        QCOMPARE(w.dividerFraction(), 0.75);
    }

    void sideBySidePanesShareZoomAndPan() {
        ui::ComparisonWidget w;
        w.resize(804, 300);
        w.setImages(flat(QSize(200, 100), qRgb(0, 0, 0)), flat(QSize(200, 100), qRgb(9, 9, 9)));
        w.setMode(ui::ComparisonMode::SideBySide);
        QCOMPARE(w.paneRect(0), QRect(0, 0, 400, 300));
        QCOMPARE(w.paneRect(1), QRect(404, 0, 400, 300));
        QCOMPARE(w.paneAt(QPoint(402, 10)), -1);
        QCOMPARE(w.sideAt(QPoint(10, 10)), ui::ComparisonSide::Before);
        QCOMPARE(w.sideAt(QPoint(500, 10)), ui::ComparisonSide::After);
        // The same point of each pane shows the same image pixel.
        QCOMPARE(w.imagePointAt(QPoint(100, 150)), w.imagePointAt(QPoint(504, 150)));
        w.transform().zoomBy(2.5, QPointF(37, 80));
        QCOMPARE(w.imagePointAt(QPoint(37, 80)), w.imagePointAt(QPoint(441, 80)));
        w.toggleShown();
        w.setMode(ui::ComparisonMode::Toggle);
        QCOMPARE(w.sideAt(QPoint(10, 10)), ui::ComparisonSide::Before);
    }

    void heatMapMarksDifferences() {
        QImage a = flat(QSize(4, 2), qRgb(100, 100, 100));
        QImage b = a;
        b.setPixel(3, 1, qRgb(100, 164, 100));
        const QImage heat = ui::ComparisonWidget::differenceHeatMap(a, b, 4.0);
        QCOMPARE(heat.size(), a.size());
        QCOMPARE(heat.pixel(0, 0), qRgb(0, 0, 0));
        QCOMPARE(heat.pixel(3, 1), qRgb(255, 255, 255));  // 64 * 4 saturates
        QVERIFY(ui::ComparisonWidget::differenceHeatMap(a, flat(QSize(2, 2), 0), 1.0).isNull());
    }
};

FVSR_UI_TEST(ComparisonWidgetTest)
#include "comparison_widget_test.moc"
