#pragma once
// The Compare tab: a ComparisonWidget plus the controls that fill it. "Render preview"
// renders the viewer's in..out range (capped by the preview memory budget) through a
// PreviewRenderer; the pair of the viewer's current frame is shown when it has been rendered.
// The labels on the images say which scaler produced each side.
// Threads: UI thread only.

#include "ui/bridge/preview_renderer.h"
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
    // `renderer` must outlive the panel.
    explicit ComparisonPanel(PreviewRenderer& renderer, QWidget* parent = nullptr);

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

  signals:
    void renderFailed(const engine::Error& error);

  protected:
    void changeEvent(QEvent* event) override;

  private:
    void onRendererStarted(qint64 first, qint64 frames);
    void onRendererFrameRendered(qint64 index, const QImage& before, const QImage& after);
    void onRendererFinished(qint64 frames, bool cancelled);
    void onRendererFailed(const engine::Error& error);
    void discardPreview();
    void showCurrent();
    void retranslateUi();

    PreviewRenderer& m_renderer;
    ComparisonWidget* m_view;
    QComboBox* m_upscalerCombo;
    QToolButton* m_renderButton;
    QToolButton* m_cancelButton;
    QProgressBar* m_progress;
    QLabel* m_status;
    QLabel* m_upscalerLabel;
    QLabel* m_gainLabel;
    QSpinBox* m_gain;
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
};

}  // namespace ui
