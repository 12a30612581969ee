#include "ui/widgets/image_canvas.h"

#include <QMouseEvent>
#include <QPainter>
#include <QWheelEvent>

#include <algorithm>
#include <cmath>

namespace ui {

void ViewTransform::setImageSize(QSize size) {
    m_image = size;
    if (m_fit) {
        applyFit();
    }
}

void ViewTransform::setViewportSize(QSize size) {
    if (!m_fit && m_viewport.isValid()) {
        // Keep the image point at the viewport centre in place.
        const QPointF centre =
            toImage(QPointF(m_viewport.width() / 2.0, m_viewport.height() / 2.0));
        m_viewport = size;
        m_offset = QPointF(size.width() / 2.0, size.height() / 2.0) - centre * m_zoom;
        return;
    }
    m_viewport = size;
    if (m_fit) {
        applyFit();
    }
}

void ViewTransform::fitToViewport() {
    m_fit = true;
    applyFit();
}

void ViewTransform::applyFit() {
    if (m_image.isEmpty() || m_viewport.isEmpty()) {
        m_zoom = 1.0;
        m_offset = QPointF();
        return;
    }
    m_zoom = std::clamp(std::min(double(m_viewport.width()) / m_image.width(),
                                 double(m_viewport.height()) / m_image.height()),
                        kMinZoom, kMaxZoom);
    m_offset = QPointF((m_viewport.width() - m_image.width() * m_zoom) / 2.0,
                       (m_viewport.height() - m_image.height() * m_zoom) / 2.0);
}

void ViewTransform::setActualSize() {
    m_fit = false;
    m_zoom = 1.0;
    m_offset = QPointF(std::round((m_viewport.width() - m_image.width()) / 2.0),
                       std::round((m_viewport.height() - m_image.height()) / 2.0));
}

void ViewTransform::setZoom(double zoom, QPointF anchor) {
    const QPointF imagePoint = toImage(anchor);
    m_fit = false;
    m_zoom = std::clamp(zoom, kMinZoom, kMaxZoom);
    m_offset = anchor - imagePoint * m_zoom;
}

void ViewTransform::zoomBy(double factor, QPointF anchor) {
    setZoom(m_zoom * factor, anchor);
}

void ViewTransform::panBy(QPointF delta) {
    m_fit = false;
    m_offset += delta;
}

QPointF ViewTransform::toImage(QPointF viewportPoint) const {
    return (viewportPoint - m_offset) / m_zoom;
}

QPointF ViewTransform::toViewport(QPointF imagePoint) const {
    return imagePoint * m_zoom + m_offset;
}

QRectF ViewTransform::imageRect() const {
    return QRectF(m_offset, QSizeF(m_image.width() * m_zoom, m_image.height() * m_zoom));
}

void ViewTransform::copyViewFrom(const ViewTransform& other) {
    m_zoom = other.m_zoom;
    m_offset = other.m_offset;
    m_fit = other.m_fit;
    if (m_fit) {
        applyFit();
    }
}

void paintImage(QPainter& painter,
                const QImage& image,
                const ViewTransform& transform,
                const QRect& target) {
    if (image.isNull()) {
        return;
    }
    painter.save();
    painter.setClipRect(target);
    painter.setRenderHint(QPainter::SmoothPixmapTransform, transform.zoom() < 2.0);
    const QRectF r = transform.imageRect().translated(target.topLeft());
    painter.drawImage(r, image);
    painter.restore();
}

ImageCanvas::ImageCanvas(QWidget* parent) : QWidget(parent) {
    setFocusPolicy(Qt::StrongFocus);
    setMouseTracking(false);
    setMinimumSize(160, 90);
    setAttribute(Qt::WA_OpaquePaintEvent);
}

void ImageCanvas::setImage(const QImage& image) {
    m_image = image;
    m_transform.setImageSize(image.size());
    update();
}

void ImageCanvas::setPlaceholderText(const QString& text) {
    m_placeholder = text;
    update();
}

void ImageCanvas::zoomToFit() {
    m_transform.fitToViewport();
    update();
    emit viewChanged();
}

void ImageCanvas::zoomToActualSize() {
    m_transform.setActualSize();
    update();
    emit viewChanged();
}

void ImageCanvas::zoomIn() {
    m_transform.zoomBy(1.25, QPointF(width() / 2.0, height() / 2.0));
    update();
    emit viewChanged();
}

void ImageCanvas::zoomOut() {
    m_transform.zoomBy(0.8, QPointF(width() / 2.0, height() / 2.0));
    update();
    emit viewChanged();
}

void ImageCanvas::paintEvent(QPaintEvent*) {
    QPainter painter(this);
    painter.fillRect(rect(), palette().color(QPalette::Dark).darker(160));
    if (m_image.isNull()) {
        painter.setPen(palette().color(QPalette::BrightText));
        painter.drawText(rect().adjusted(16, 16, -16, -16), Qt::AlignCenter | Qt::TextWordWrap,
                         m_placeholder);
        return;
    }
    paintImage(painter, m_image, m_transform, rect());
    if (!m_overlay.isEmpty()) {
        painter.setRenderHint(QPainter::Antialiasing, false);
        painter.setBrush(Qt::NoBrush);
        for (const OverlayRect& o : std::as_const(m_overlay)) {
            QPen pen(o.pass == 0 ? QColor(255, 200, 0, 220) : QColor(0, 200, 255, 200));
            pen.setCosmetic(true);
            pen.setStyle(o.pass == 0 ? Qt::SolidLine : Qt::DashLine);
            painter.setPen(pen);
            const QPointF a = m_transform.toViewport(QPointF(o.rect.left(), o.rect.top()));
            const QPointF b = m_transform.toViewport(
                QPointF(o.rect.left() + o.rect.width(), o.rect.top() + o.rect.height()));
            painter.drawRect(QRectF(a, b));
        }
    }
    auto outline = [&](const QRect& r, const QColor& colour, Qt::PenStyle style) {
        QPen pen(colour, 2);
        pen.setCosmetic(true);
        pen.setStyle(style);
        painter.setPen(pen);
        painter.setBrush(Qt::NoBrush);
        painter.drawRect(
            QRectF(m_transform.toViewport(QPointF(r.left(), r.top())),
                   m_transform.toViewport(QPointF(r.left() + r.width(), r.top() + r.height()))));
    };
    if (!m_highlight.isNull()) {
        outline(m_highlight, QColor(80, 230, 120), Qt::SolidLine);
    }
    if (m_selecting && m_moved) {
        outline(selectionRect(), QColor(255, 255, 255), Qt::DashLine);
    }
}

void ImageCanvas::setOverlay(const QList<OverlayRect>& rects) {
    m_overlay = rects;
    update();
}

void ImageCanvas::resizeEvent(QResizeEvent*) {
    m_transform.setViewportSize(size());
}

void ImageCanvas::wheelEvent(QWheelEvent* event) {
    const double steps = event->angleDelta().y() / 120.0;
    if (steps == 0.0 || m_image.isNull()) {
        return;
    }
    m_transform.zoomBy(std::pow(1.25, steps), event->position());
    update();
    emit viewChanged();
    event->accept();
}

void ImageCanvas::mousePressEvent(QMouseEvent* event) {
    if (event->button() == Qt::LeftButton || event->button() == Qt::MiddleButton) {
        m_dragging = true;
        m_moved = false;
        m_selecting = event->button() == Qt::LeftButton &&
                      event->modifiers().testFlag(Qt::ControlModifier) && !m_image.isNull();
        m_dragLast = event->position();
        m_pressPosition = event->position();
        setCursor(m_selecting ? Qt::CrossCursor : Qt::ClosedHandCursor);
    }
}

void ImageCanvas::mouseMoveEvent(QMouseEvent* event) {
    if (!m_dragging) {
        return;
    }
    if ((event->position() - m_pressPosition).manhattanLength() > kClickSlop) {
        m_moved = true;
    }
    if (m_selecting) {
        m_dragLast = event->position();
        update();
        return;
    }
    m_transform.panBy(event->position() - m_dragLast);
    m_dragLast = event->position();
    update();
    emit viewChanged();
}

QRect ImageCanvas::selectionRect() const {
    const QPointF a = m_transform.toImage(m_pressPosition);
    const QPointF b = m_transform.toImage(m_dragLast);
    const QRect r(QPoint(static_cast<int>(std::floor(std::min(a.x(), b.x()))),
                         static_cast<int>(std::floor(std::min(a.y(), b.y())))),
                  QPoint(static_cast<int>(std::ceil(std::max(a.x(), b.x()))) - 1,
                         static_cast<int>(std::ceil(std::max(a.y(), b.y()))) - 1));
    return r.intersected(QRect(QPoint(0, 0), m_image.size()));
}

void ImageCanvas::mouseReleaseEvent(QMouseEvent* event) {
    const bool wasDragging = m_dragging;
    const bool selecting = m_selecting;
    m_dragging = false;
    m_selecting = false;
    unsetCursor();
    if (!wasDragging || m_image.isNull()) {
        return;
    }
    if (selecting && m_moved) {
        m_dragLast = event->position();
        const QRect r = selectionRect();
        update();
        if (!r.isEmpty()) {
            emit regionSelected(r);
        }
        return;
    }
    if (!m_moved && event->button() == Qt::LeftButton) {
        const QPointF p = m_transform.toImage(event->position());
        const QPoint pixel(static_cast<int>(std::floor(p.x())),
                           static_cast<int>(std::floor(p.y())));
        if (QRect(QPoint(0, 0), m_image.size()).contains(pixel)) {
            emit imageClicked(pixel);
        }
    }
    update();
}

void ImageCanvas::setHighlight(const QRect& rect) {
    m_highlight = rect;
    update();
}

void ImageCanvas::mouseDoubleClickEvent(QMouseEvent*) {
    zoomToFit();
}

}  // namespace ui
