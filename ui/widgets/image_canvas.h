#pragma once
// ViewTransform: zoom and pan of an image inside a viewport, as plain geometry (tested on its
// own). ImageCanvas: a widget that shows one QImage through a ViewTransform, with fit, 1:1,
// wheel zoom around the cursor and drag to pan; a click (press and release without moving)
// reports the image pixel, Ctrl+drag draws a rectangle and reports it (the tile preview).
// Threads: UI thread only.

#include <QImage>
#include <QList>
#include <QPointF>
#include <QRect>
#include <QRectF>
#include <QSize>
#include <QWidget>

namespace ui {

class ViewTransform {
  public:
    static constexpr double kMinZoom = 1.0 / 64.0;
    static constexpr double kMaxZoom = 64.0;

    void setImageSize(QSize size);
    QSize imageSize() const { return m_image; }
    void setViewportSize(QSize size);
    QSize viewportSize() const { return m_viewport; }

    // Fit mode follows viewport and image size changes until the user zooms or pans.
    void fitToViewport();
    bool isFitMode() const { return m_fit; }
    void setActualSize();  // zoom 1, image centred
    // Keeps the image point under `anchor` (viewport coordinates) in place.
    void setZoom(double zoom, QPointF anchor);
    void zoomBy(double factor, QPointF anchor);
    void panBy(QPointF delta);

    double zoom() const { return m_zoom; }
    QPointF offset() const { return m_offset; }  // viewport position of image pixel (0, 0)
    QPointF toImage(QPointF viewportPoint) const;
    QPointF toViewport(QPointF imagePoint) const;
    QRectF imageRect() const;  // the whole image in viewport coordinates

    // Copies zoom and pan from another transform (sizes stay).
    void copyViewFrom(const ViewTransform& other);

  private:
    void applyFit();

    QSize m_image;
    QSize m_viewport;
    double m_zoom = 1.0;
    QPointF m_offset;
    bool m_fit = true;
};

class ImageCanvas : public QWidget {
    Q_OBJECT
  public:
    explicit ImageCanvas(QWidget* parent = nullptr);

    void setImage(const QImage& image);
    const QImage& image() const { return m_image; }
    void setPlaceholderText(const QString& text);
    // Rectangles in image pixels drawn over the image (the tile grid): solid lines for pass 0,
    // dashed for pass 1. Empty: none.
    struct OverlayRect {
        QRect rect;
        int pass = 0;
    };
    void setOverlay(const QList<OverlayRect>& rects);
    const QList<OverlayRect>& overlay() const { return m_overlay; }
    // A rectangle in image pixels drawn highlighted (the region being previewed); null: none.
    void setHighlight(const QRect& rect);
    QRect highlight() const { return m_highlight; }
    ViewTransform& transform() { return m_transform; }
    const ViewTransform& transform() const { return m_transform; }

    void zoomToFit();
    void zoomToActualSize();
    void zoomIn();
    void zoomOut();

    // Pixels the pointer may move between press and release for a click.
    static constexpr int kClickSlop = 4;

  signals:
    void viewChanged();
    // A left click on the image at this pixel.
    void imageClicked(const QPoint& imagePixel);
    // A rectangle dragged with Ctrl held, in image pixels (clipped to the image, not empty).
    void regionSelected(const QRect& imageRect);

  protected:
    void paintEvent(QPaintEvent* event) override;
    void resizeEvent(QResizeEvent* event) override;
    void wheelEvent(QWheelEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void mouseReleaseEvent(QMouseEvent* event) override;
    void mouseDoubleClickEvent(QMouseEvent* event) override;

  private:
    QImage m_image;
    QString m_placeholder;
    QList<OverlayRect> m_overlay;
    ViewTransform m_transform;
    QRect m_highlight;
    QPointF m_dragLast;
    QPointF m_pressPosition;
    bool m_dragging = false;
    bool m_moved = false;
    bool m_selecting = false;     // Ctrl+drag: a rectangle instead of a pan
    QRect selectionRect() const;  // image pixels of the rectangle being dragged
};

// Draws `image` through `transform` into `target` (a rectangle of the painter's device), with
// nearest-neighbour sampling from 2x zoom up so single pixels stay sharp.
void paintImage(class QPainter& painter,
                const QImage& image,
                const ViewTransform& transform,
                const QRect& target);

}  // namespace ui
