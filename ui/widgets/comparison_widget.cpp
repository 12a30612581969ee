#include "ui/widgets/comparison_widget.h"

#include <QKeyEvent>
#include <QMouseEvent>
#include <QPainter>
#include <QWheelEvent>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdlib>

namespace ui {
namespace {

// Heat-map colours for 0..255, interpolated between fixed stops.
const std::array<QRgb, 256>& heatPalette() {
    static const std::array<QRgb, 256> table = [] {
        struct Stop {
            double at;
            int r, g, b;
        };
        const Stop stops[] = {{0.0, 0, 0, 0},      {0.25, 87, 16, 110}, {0.5, 188, 55, 84},
                              {0.75, 249, 142, 9}, {0.9, 252, 230, 80}, {1.0, 255, 255, 255}};
        std::array<QRgb, 256> t{};
        for (int i = 0; i < 256; ++i) {
            const double x = i / 255.0;
            int s = 0;
            while (s + 1 < int(std::size(stops)) - 1 && x > stops[s + 1].at) {
                ++s;
            }
            const Stop& a = stops[s];
            const Stop& b = stops[s + 1];
            const double f = std::clamp((x - a.at) / (b.at - a.at), 0.0, 1.0);
            t[i] = qRgb(int(std::lround(a.r + (b.r - a.r) * f)),
                        int(std::lround(a.g + (b.g - a.g) * f)),
                        int(std::lround(a.b + (b.b - a.b) * f)));
        }
        return t;
    }();
    return table;
}

}  // namespace

ComparisonWidget::ComparisonWidget(QWidget* parent) : QWidget(parent) {
    setFocusPolicy(Qt::StrongFocus);
    setMinimumSize(160, 90);
    setAttribute(Qt::WA_OpaquePaintEvent);
    setMouseTracking(true);
}

void ComparisonWidget::setImages(const QImage& before, const QImage& after) {
    if (before.isNull() || after.isNull() || before.size() != after.size()) {
        clearImages();
        return;
    }
    m_before = before;
    m_after = after;
    m_difference = QImage();
    // Hidden widgets get no resize event; take the size now.
    updateViewport();
    m_transform.setImageSize(before.size());
    update();
}

void ComparisonWidget::clearImages() {
    m_before = QImage();
    m_after = QImage();
    m_difference = QImage();
    m_transform.setImageSize(QSize());
    update();
}

void ComparisonWidget::setLabels(const QString& before, const QString& after) {
    m_beforeLabel = before;
    m_afterLabel = after;
    update();
}

void ComparisonWidget::setPlaceholderText(const QString& text) {
    m_placeholder = text;
    update();
}

void ComparisonWidget::setMode(ComparisonMode mode) {
    m_mode = mode;
    updateViewport();
    update();
}

void ComparisonWidget::toggleShown() {
    m_shown = m_shown == ComparisonSide::Before ? ComparisonSide::After : ComparisonSide::Before;
    update();
    emit shownSideChanged(m_shown);
}

void ComparisonWidget::setDividerFraction(double fraction) {
    m_divider = std::clamp(fraction, 0.0, 1.0);
    update();
    emit dividerMoved(m_divider);
}

void ComparisonWidget::setDifferenceGain(double gain) {
    m_gain = std::max(gain, 0.01);
    m_difference = QImage();
    update();
}

void ComparisonWidget::zoomToFit() {
    m_transform.fitToViewport();
    update();
    emit viewChanged();
}

void ComparisonWidget::zoomToActualSize() {
    m_transform.setActualSize();
    update();
    emit viewChanged();
}

QRect ComparisonWidget::paneRect(int pane) const {
    if (m_mode != ComparisonMode::SideBySide) {
        return rect();
    }
    const int paneWidth = std::max(1, (width() - kPaneGap) / 2);
    return QRect(pane == 0 ? 0 : paneWidth + kPaneGap, 0, paneWidth, height());
}

int ComparisonWidget::paneAt(QPoint p) const {
    for (int i = 0; i < paneCount(); ++i) {
        if (paneRect(i).contains(p)) {
            return i;
        }
    }
    return -1;
}

double ComparisonWidget::dividerX() const {
    return m_divider * width();
}

int ComparisonWidget::dividerImageColumn() const {
    const double column = std::floor(m_transform.toImage(QPointF(dividerX(), 0.0)).x());
    return static_cast<int>(
        std::clamp(column, 0.0, double(std::max(0, m_transform.imageSize().width()))));
}

ComparisonSide ComparisonWidget::sideAt(QPoint p) const {
    switch (m_mode) {
        case ComparisonMode::Split:
            return p.x() < dividerX() ? ComparisonSide::Before : ComparisonSide::After;
        case ComparisonMode::SideBySide:
            return paneAt(p) == 0 ? ComparisonSide::Before : ComparisonSide::After;
        case ComparisonMode::Toggle:
            return m_shown;
        case ComparisonMode::Difference:
            return ComparisonSide::After;
    }
    return ComparisonSide::After;
}

QPointF ComparisonWidget::imagePointAt(QPoint p) const {
    const int pane = std::max(0, paneAt(p));
    return m_transform.toImage(QPointF(p - paneRect(pane).topLeft()));
}

QImage ComparisonWidget::differenceHeatMap(const QImage& before, const QImage& after, double gain) {
    if (before.isNull() || before.size() != after.size()) {
        return {};
    }
    const QImage a = before.convertToFormat(QImage::Format_RGB888);
    const QImage b = after.convertToFormat(QImage::Format_RGB888);
    QImage out(a.size(), QImage::Format_RGB32);
    const auto& palette = heatPalette();
    for (int y = 0; y < a.height(); ++y) {
        const uchar* pa = a.constScanLine(y);
        const uchar* pb = b.constScanLine(y);
        QRgb* po = reinterpret_cast<QRgb*>(out.scanLine(y));
        for (int x = 0; x < a.width(); ++x) {
            int d = 0;
            for (int c = 0; c < 3; ++c) {
                d = std::max(d, std::abs(int(pa[3 * x + c]) - int(pb[3 * x + c])));
            }
            po[x] = palette[static_cast<size_t>(std::min(255, int(std::lround(d * gain))))];
        }
    }
    return out;
}

void ComparisonWidget::updateViewport() {
    m_transform.setViewportSize(paneRect(0).size());
}

void ComparisonWidget::drawLabel(QPainter& painter,
                                 const QRect& pane,
                                 const QString& text,
                                 Qt::Alignment corner) const {
    if (text.isEmpty()) {
        return;
    }
    const QFontMetrics fm(font());
    const QRect textRect = fm.boundingRect(text).adjusted(-6, -3, 6, 3);
    QRect box(QPoint(0, 0), textRect.size());
    if (corner & Qt::AlignRight) {
        box.moveTopRight(pane.topRight() + QPoint(-8, 8));
    } else {
        box.moveTopLeft(pane.topLeft() + QPoint(8, 8));
    }
    painter.fillRect(box, QColor(0, 0, 0, 170));
    painter.setPen(Qt::white);
    painter.drawText(box, Qt::AlignCenter, text);
}

void ComparisonWidget::paintEvent(QPaintEvent*) {
    QPainter painter(this);
    painter.fillRect(rect(), palette().color(QPalette::Dark).darker(160));
    if (m_before.isNull()) {
        painter.setPen(palette().color(QPalette::BrightText));
        painter.drawText(rect().adjusted(16, 16, -16, -16), Qt::AlignCenter | Qt::TextWordWrap,
                         m_placeholder);
        return;
    }
    switch (m_mode) {
        case ComparisonMode::Split: {
            const int x = static_cast<int>(std::lround(dividerX()));
            paintImage(painter, m_before, m_transform, rect());
            painter.save();
            painter.setClipRect(QRect(x, 0, width() - x, height()));
            paintImage(painter, m_after, m_transform, rect());
            painter.restore();
            painter.setPen(QPen(QColor(255, 255, 255, 220), 2));
            painter.drawLine(x, 0, x, height());
            painter.setBrush(QColor(255, 255, 255, 220));
            painter.drawEllipse(QPoint(x, height() / 2), 7, 7);
            drawLabel(painter, rect(), m_beforeLabel, Qt::AlignLeft);
            drawLabel(painter, rect(), m_afterLabel, Qt::AlignRight);
            break;
        }
        case ComparisonMode::SideBySide:
            paintImage(painter, m_before, m_transform, paneRect(0));
            paintImage(painter, m_after, m_transform, paneRect(1));
            drawLabel(painter, paneRect(0), m_beforeLabel, Qt::AlignLeft);
            drawLabel(painter, paneRect(1), m_afterLabel, Qt::AlignLeft);
            break;
        case ComparisonMode::Toggle: {
            const bool before = m_shown == ComparisonSide::Before;
            paintImage(painter, before ? m_before : m_after, m_transform, rect());
            drawLabel(painter, rect(), before ? m_beforeLabel : m_afterLabel, Qt::AlignLeft);
            break;
        }
        case ComparisonMode::Difference:
            if (m_difference.isNull()) {
                m_difference = differenceHeatMap(m_before, m_after, m_gain);
            }
            paintImage(painter, m_difference, m_transform, rect());
            drawLabel(painter, rect(), tr("|After − Before| × %1").arg(m_gain), Qt::AlignLeft);
            break;
    }
}

void ComparisonWidget::resizeEvent(QResizeEvent*) {
    updateViewport();
}

void ComparisonWidget::wheelEvent(QWheelEvent* event) {
    const double steps = event->angleDelta().y() / 120.0;
    if (steps == 0.0 || m_before.isNull()) {
        return;
    }
    const QPoint p = event->position().toPoint();
    const int pane = std::max(0, paneAt(p));
    m_transform.zoomBy(std::pow(1.25, steps), QPointF(p - paneRect(pane).topLeft()));
    update();
    emit viewChanged();
    event->accept();
}

void ComparisonWidget::mousePressEvent(QMouseEvent* event) {
    if (event->button() != Qt::LeftButton && event->button() != Qt::MiddleButton) {
        return;
    }
    m_dragLast = event->position();
    if (m_mode == ComparisonMode::Split && event->button() == Qt::LeftButton &&
        std::abs(event->position().x() - dividerX()) <= kDividerGrabDistance) {
        m_drag = Drag::Divider;
    } else {
        m_drag = Drag::Pan;
        setCursor(Qt::ClosedHandCursor);
    }
}

void ComparisonWidget::mouseMoveEvent(QMouseEvent* event) {
    switch (m_drag) {
        case Drag::Divider:
            setDividerFraction(width() > 0 ? event->position().x() / width() : 0.5);
            break;
        case Drag::Pan:
            m_transform.panBy(event->position() - m_dragLast);
            m_dragLast = event->position();
            update();
            emit viewChanged();
            break;
        case Drag::None:
            if (m_mode == ComparisonMode::Split &&
                std::abs(event->position().x() - dividerX()) <= kDividerGrabDistance) {
                setCursor(Qt::SplitHCursor);
            } else {
                unsetCursor();
            }
            break;
    }
}

void ComparisonWidget::mouseReleaseEvent(QMouseEvent*) {
    m_drag = Drag::None;
    unsetCursor();
}

void ComparisonWidget::mouseDoubleClickEvent(QMouseEvent*) {
    zoomToFit();
}

void ComparisonWidget::keyPressEvent(QKeyEvent* event) {
    if (event->key() == Qt::Key_T) {
        toggleShown();
        return;
    }
    QWidget::keyPressEvent(event);
}

}  // namespace ui
