#pragma once
// Shows a "before" and an "after" image of the same frame (same size) in one of four ways:
//  - Split: a wipe; left of the draggable divider shows before, right shows after.
//  - SideBySide: two panes with one shared zoom/pan, so both stay in sync.
//  - Toggle: one image at a time; toggleShown() (key T) flips between them.
//  - Difference: a heat map of |after - before| (per pixel, largest channel, gain applied).
// Wheel zooms around the cursor, drag pans, double-click fits. The geometry functions are
// public so tests can check which source pixel the divider sits on. Threads: UI thread only.

#include "ui/widgets/image_canvas.h"

#include <QImage>
#include <QWidget>

namespace ui {

enum class ComparisonMode { Split, SideBySide, Toggle, Difference };
enum class ComparisonSide { Before, After };

class ComparisonWidget : public QWidget {
    Q_OBJECT
  public:
    static constexpr int kPaneGap = 4;              // pixels between side-by-side panes
    static constexpr int kDividerGrabDistance = 6;  // pixels either side of the divider

    explicit ComparisonWidget(QWidget* parent = nullptr);

    // Both images must have the same size (the output size); a null pair clears the view.
    void setImages(const QImage& before, const QImage& after);
    void clearImages();
    bool hasImages() const { return !m_before.isNull(); }
    void setLabels(const QString& before, const QString& after);
    void setPlaceholderText(const QString& text);

    void setMode(ComparisonMode mode);
    ComparisonMode mode() const { return m_mode; }
    void toggleShown();
    ComparisonSide shownSide() const { return m_shown; }  // Toggle mode
    // Divider position as a fraction of the widget width, clamped to [0, 1].
    void setDividerFraction(double fraction);
    double dividerFraction() const { return m_divider; }
    void setDifferenceGain(double gain);

    void zoomToFit();
    void zoomToActualSize();
    ViewTransform& transform() { return m_transform; }
    const ViewTransform& transform() const { return m_transform; }

    // Geometry (widget coordinates).
    int paneCount() const { return m_mode == ComparisonMode::SideBySide ? 2 : 1; }
    QRect paneRect(int pane) const;
    int paneAt(QPoint widgetPoint) const;  // -1 in the gap
    double dividerX() const;
    // The image column under the divider, clamped to the image: left of it shows before.
    int dividerImageColumn() const;
    ComparisonSide sideAt(QPoint widgetPoint) const;
    QPointF imagePointAt(QPoint widgetPoint) const;

    // |after - before| as a heat map (black, purple, red, orange, yellow, white); the largest
    // channel difference times `gain`, clamped. Both images must have the same size.
    static QImage differenceHeatMap(const QImage& before, const QImage& after, double gain);

  signals:
    void dividerMoved(double fraction);
    void viewChanged();
    void shownSideChanged(ui::ComparisonSide side);

  protected:
    void paintEvent(QPaintEvent* event) override;
    void resizeEvent(QResizeEvent* event) override;
    void wheelEvent(QWheelEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void mouseReleaseEvent(QMouseEvent* event) override;
    void mouseDoubleClickEvent(QMouseEvent* event) override;
    void keyPressEvent(QKeyEvent* event) override;

  private:
    enum class Drag { None, Pan, Divider };
    void updateViewport();
    void drawLabel(class QPainter& painter,
                   const QRect& pane,
                   const QString& text,
                   Qt::Alignment corner) const;

    QImage m_before;
    QImage m_after;
    QImage m_difference;  // computed on first use
    QString m_beforeLabel;
    QString m_afterLabel;
    QString m_placeholder;
    ComparisonMode m_mode = ComparisonMode::Split;
    ComparisonSide m_shown = ComparisonSide::After;
    double m_divider = 0.5;
    double m_gain = 4.0;
    ViewTransform m_transform;
    Drag m_drag = Drag::None;
    QPointF m_dragLast;
};

}  // namespace ui
