#pragma once
// The Compare tab: a ComparisonWidget plus the controls that fill it. Two sources of pairs:
//  - "Render preview" renders the viewer's in..out range (capped by the preview memory budget)
//    through a PreviewRenderer with a classic scaler on both sides;
//  - renderRegion() renders a region of the source (a tile clicked or a rectangle dragged in the
//    viewer) at the job's full settings through a TilePreviewRenderer (FlashVSR), then shows the
//    measured speed and the whole job's extrapolated time, disk and memory.
// The pair of the viewer's current frame is shown when it has been rendered. The labels on the
// images say what produced each side.
// Threads: UI thread only.

#include "ui/bridge/preview_renderer.h"
#include "ui/bridge/tile_preview.h"
#include "ui/widgets/comparison_widget.h"

#include <QAction>
#include <QMap>
#include <QPair>
#include <QWidget>

class QComboBox;
class QLabel;
class QProgressBar;
class QSpinBox;
class QToolButton;

namespace ui {

class ComparisonPanel : public QWidget {
    Q_OBJECT
  public:
    // The renderers must outlive the panel.
    ComparisonPanel(PreviewRenderer& renderer,
                    TilePreviewRenderer& tileRenderer,
                    QWidget* parent = nullptr);

    ComparisonWidget* view() const { return m_view; }
    QList<QAction*> modeActions() const;
    QAction* renderAction() const { return m_render; }
    QAction* toggleAction() const { return m_toggle; }

    // A new source clears rendered frames.
    void setMedia(const QString& path);
    void setRange(qint64 first, qint64 last);
    void setCurrentFrame(qint64 frame);
    void setScale(int scale);
    void setMemoryBudget(qint64 bytes);
    void setUpscaler(PreviewUpscaler upscaler);
    PreviewUpscaler upscaler() const;
    int renderedFrameCount() const { return static_cast<int>(m_pairs.size()); }

    void renderPreview();
    // Starts a region preview (the request's frames come from regionFrames()); the previous
    // render of either kind stops.
    void renderRegion(TilePreviewRequest request);
    // Frames a region preview shows (the current frame and the ones after it).
    int regionFrames() const;
    void setRegionFrames(int frames);
    // The status line (the last render's outcome), for tests and screenshots.
    QString statusText() const;
    void cancelRendering();

  signals:
    // The region of the running or last region preview (source pixels; null when the pairs
    // shown are not a region preview).
    void regionChanged(const QRect& region);
    void renderFailed(const engine::Error& error);

  protected:
    void changeEvent(QEvent* event) override;

  private:
    void onRendererStarted(qint64 first, qint64 frames);
    void onRendererFrameRendered(qint64 index, const QImage& before, const QImage& after);
    void onRendererFinished(qint64 frames, bool cancelled);
    void onRendererFailed(const engine::Error& error);
    void onTileRendererStarted(const QRect& region, qint64 shownFirst, qint64 shown, qint64 fed);
    void onTileRendererProgressed(qint64 fed, qint64 total);
    void onTileRendererFinished(bool cancelled);
    void discardPreview();
    void renderingStopped();
    QString regionResultText(const TilePreviewResult& result) const;
    void showCurrent();
    void retranslateUi();

    PreviewRenderer& m_renderer;
    TilePreviewRenderer& m_tileRenderer;
    ComparisonWidget* m_view;
    QComboBox* m_upscalerCombo;
    QToolButton* m_renderButton;
    QToolButton* m_cancelButton;
    QProgressBar* m_progress;
    QLabel* m_status;
    QLabel* m_upscalerLabel;
    QLabel* m_gainLabel;
    QSpinBox* m_gain;
    QLabel* m_regionFramesLabel;
    QSpinBox* m_regionFrames;
    QAction* m_split;
    QAction* m_sideBySide;
    QAction* m_toggleMode;
    QAction* m_difference;
    QAction* m_toggle;
    QAction* m_render;
    QAction* m_cancel;

    QString m_path;
    qint64 m_first = 0;
    qint64 m_last = 0;
    qint64 m_current = 0;
    int m_scale = 4;
    qint64 m_budget = qint64(1) << 30;
    qint64 m_expected = 0;
    // Settings the rendered pairs were made with (labels must describe what is shown).
    int m_renderedScale = 0;
    PreviewUpscaler m_renderedUpscaler = PreviewUpscaler::Lanczos;
    QMap<qint64, QPair<QImage, QImage>> m_pairs;
    // Region previews: the region (null for classic range previews) and the processor's words.
    QRect m_region;
    QString m_regionDescription;
    bool m_regionDone = false;  // the status holds the result (retranslated with the language)
};

}  // namespace ui
