#include "ui/widgets/comparison_panel.h"

#include "ui/bridge/plan_readout.h"

#include <QActionGroup>
#include <QComboBox>
#include <QEvent>
#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>
#include <QProgressBar>
#include <QSpinBox>
#include <QStyle>
#include <QToolButton>
#include <QVBoxLayout>

namespace ui {

ComparisonPanel::ComparisonPanel(PreviewRenderer& renderer,
                                 TilePreviewRenderer& tileRenderer,
                                 QWidget* parent)
    : QWidget(parent), m_renderer(renderer), m_tileRenderer(tileRenderer) {
    m_view = new ComparisonWidget(this);
    auto* modes = new QActionGroup(this);
    auto mode = [&](ComparisonMode m) {
        auto* a = new QAction(this);
        a->setCheckable(true);
        modes->addAction(a);
        connect(a, &QAction::triggered, this, [this, m] {
            m_view->setMode(m);
            m_gainLabel->setVisible(m == ComparisonMode::Difference);
            m_gain->setVisible(m == ComparisonMode::Difference);
        });
        return a;
    };
    m_split = mode(ComparisonMode::Split);
    m_sideBySide = mode(ComparisonMode::SideBySide);
    m_toggleMode = mode(ComparisonMode::Toggle);
    m_difference = mode(ComparisonMode::Difference);
    m_split->setChecked(true);

    m_toggle = new QAction(this);
    m_toggle->setShortcut(Qt::Key_T);
    m_toggle->setShortcutContext(Qt::WindowShortcut);
    connect(m_toggle, &QAction::triggered, this, [this] {
        if (m_view->mode() != ComparisonMode::Toggle) {
            m_toggleMode->setChecked(true);
            m_view->setMode(ComparisonMode::Toggle);
        }
        m_view->toggleShown();
    });
    addAction(m_toggle);

    m_render = new QAction(this);
    m_render->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_R));
    m_render->setShortcutContext(Qt::WindowShortcut);
    m_render->setIcon(style()->standardIcon(QStyle::SP_BrowserReload));
    connect(m_render, &QAction::triggered, this, &ComparisonPanel::renderPreview);
    addAction(m_render);
    m_cancel = new QAction(this);
    m_cancel->setIcon(style()->standardIcon(QStyle::SP_BrowserStop));
    m_cancel->setEnabled(false);
    connect(m_cancel, &QAction::triggered, this, &ComparisonPanel::cancelRendering);

    auto* bar = new QHBoxLayout;
    bar->setContentsMargins(4, 4, 4, 4);
    for (QAction* a : modeActions()) {
        auto* b = new QToolButton(this);
        b->setDefaultAction(a);
        b->setToolButtonStyle(Qt::ToolButtonTextOnly);
        bar->addWidget(b);
    }
    m_gainLabel = new QLabel(this);
    m_gain = new QSpinBox(this);
    m_gain->setRange(1, 64);
    m_gain->setValue(8);
    m_gain->setSuffix(QStringLiteral("×"));
    m_view->setDifferenceGain(m_gain->value());
    connect(m_gain, qOverload<int>(&QSpinBox::valueChanged), this,
            [this](int gain) { m_view->setDifferenceGain(gain); });
    m_gainLabel->setVisible(false);
    m_gain->setVisible(false);
    bar->addWidget(m_gainLabel);
    bar->addWidget(m_gain);
    bar->addSpacing(12);
    m_upscalerLabel = new QLabel(this);
    bar->addWidget(m_upscalerLabel);
    m_upscalerCombo = new QComboBox(this);
    m_upscalerCombo->addItem(QString(), static_cast<int>(PreviewUpscaler::Lanczos));
    m_upscalerCombo->addItem(QString(), static_cast<int>(PreviewUpscaler::Bicubic));
    bar->addWidget(m_upscalerCombo);
    m_renderButton = new QToolButton(this);
    m_renderButton->setDefaultAction(m_render);
    m_renderButton->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    bar->addWidget(m_renderButton);
    m_cancelButton = new QToolButton(this);
    m_cancelButton->setDefaultAction(m_cancel);
    bar->addWidget(m_cancelButton);
    bar->addSpacing(12);
    m_regionFramesLabel = new QLabel(this);
    bar->addWidget(m_regionFramesLabel);
    m_regionFrames = new QSpinBox(this);
    m_regionFrames->setRange(1, 240);
    m_regionFrames->setValue(kTilePreviewDefaultFrames);
    bar->addWidget(m_regionFrames);
    m_progress = new QProgressBar(this);
    m_progress->setMaximumWidth(160);
    m_progress->setVisible(false);
    bar->addWidget(m_progress);
    bar->addStretch(1);
    // A row of its own, wrapped: a region preview's result (speed and the whole job's estimate)
    // is two lines long and must not widen the window.
    m_status = new QLabel(this);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_status->setWordWrap(true);
    m_status->setContentsMargins(6, 0, 6, 4);
    m_status->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    layout->addLayout(bar);
    layout->addWidget(m_status);
    layout->addWidget(m_view, 1);

    // The two renderers take turns; a late event of the one that was stopped (a region preview
    // replaced by a range preview, or the other way round) must not touch the other's pairs.
    const auto classic = [this] { return m_region.isNull(); };
    connect(&m_renderer, &PreviewRenderer::started, this, [this, classic](qint64 first, qint64 n) {
        if (classic()) {
            onRendererStarted(first, n);
        }
    });
    connect(&m_renderer, &PreviewRenderer::frameRendered, this,
            [this, classic](qint64 index, const QImage& before, const QImage& after) {
                if (classic()) {
                    onRendererFrameRendered(index, before, after);
                    m_progress->setValue(static_cast<int>(m_pairs.size()));
                }
            });
    connect(&m_renderer, &PreviewRenderer::finished, this,
            [this, classic](qint64 frames, bool cancelled) {
                if (classic()) {
                    onRendererFinished(frames, cancelled);
                }
            });
    connect(&m_renderer, &PreviewRenderer::failed, this,
            [this, classic](const engine::Error& error) {
                if (classic()) {
                    onRendererFailed(error);
                }
            });
    connect(&m_tileRenderer, &TilePreviewRenderer::started, this,
            [this, classic](const QRect& region, qint64 shownFirst, qint64 shown, qint64 fed) {
                if (!classic()) {
                    onTileRendererStarted(region, shownFirst, shown, fed);
                }
            });
    connect(&m_tileRenderer, &TilePreviewRenderer::progressed, this,
            [this, classic](qint64 fed, qint64 total) {
                if (!classic()) {
                    onTileRendererProgressed(fed, total);
                }
            });
    connect(&m_tileRenderer, &TilePreviewRenderer::frameRendered, this,
            [this, classic](qint64 index, const QImage& before, const QImage& after) {
                if (!classic()) {
                    onRendererFrameRendered(index, before, after);
                }
            });
    connect(&m_tileRenderer, &TilePreviewRenderer::finished, this, [this, classic](bool cancelled) {
        if (!classic()) {
            onTileRendererFinished(cancelled);
        }
    });
    connect(&m_tileRenderer, &TilePreviewRenderer::failed, this,
            [this, classic](const engine::Error& error) {
                if (!classic()) {
                    onRendererFailed(error);
                }
            });
    retranslateUi();
}

QList<QAction*> ComparisonPanel::modeActions() const {
    return {m_split, m_sideBySide, m_toggleMode, m_difference};
}

void ComparisonPanel::setMedia(const QString& path) {
    if (path == m_path) {
        return;
    }
    m_path = path;
    cancelRendering();
    discardPreview();
    // The stopped renderer's late events are ignored once its pairs are gone.
    renderingStopped();
}

void ComparisonPanel::setRange(qint64 first, qint64 last) {
    m_first = first;
    m_last = std::max(first, last);
}

void ComparisonPanel::setCurrentFrame(qint64 frame) {
    m_current = frame;
    showCurrent();
}

void ComparisonPanel::setScale(int scale) {
    m_scale = scale;
    retranslateUi();
}

void ComparisonPanel::setMemoryBudget(qint64 bytes) {
    m_budget = bytes;
}

void ComparisonPanel::setUpscaler(PreviewUpscaler upscaler) {
    m_upscalerCombo->setCurrentIndex(m_upscalerCombo->findData(static_cast<int>(upscaler)));
}

PreviewUpscaler ComparisonPanel::upscaler() const {
    return static_cast<PreviewUpscaler>(m_upscalerCombo->currentData().toInt());
}

void ComparisonPanel::renderPreview() {
    if (m_path.isEmpty()) {
        m_status->setText(tr("Open a video first."));
        return;
    }
    m_tileRenderer.cancel();
    discardPreview();
    PreviewRequest request;
    request.path = m_path;
    request.firstFrame = m_first;
    request.lastFrame = m_last;
    request.scale = m_scale;
    request.upscaler = upscaler();
    request.memoryBudgetBytes = m_budget;
    m_renderedScale = m_scale;
    m_renderedUpscaler = request.upscaler;
    m_renderer.start(request);
    m_render->setEnabled(false);
    m_cancel->setEnabled(true);
    m_status->setText(tr("Rendering…"));
}

void ComparisonPanel::renderRegion(TilePreviewRequest request) {
    if (request.path.isEmpty()) {
        m_status->setText(tr("Open a video first."));
        return;
    }
    m_renderer.cancel();
    discardPreview();
    request.frames = regionFrames();
    m_region = request.region;
    m_regionDescription.clear();
    m_regionDone = false;
    m_renderedScale = m_scale;
    m_tileRenderer.start(request);
    m_render->setEnabled(false);
    m_cancel->setEnabled(true);
    m_progress->setRange(0, 0);
    m_progress->setVisible(true);
    m_status->setText(tr("Planning the region preview…"));
    emit regionChanged(m_region);
    showCurrent();
}

int ComparisonPanel::regionFrames() const {
    return m_regionFrames->value();
}

void ComparisonPanel::setRegionFrames(int frames) {
    m_regionFrames->setValue(frames);
}

QString ComparisonPanel::statusText() const {
    return m_status->text();
}

void ComparisonPanel::cancelRendering() {
    m_renderer.cancel();
    m_tileRenderer.cancel();
}

void ComparisonPanel::renderingStopped() {
    m_progress->setVisible(false);
    m_render->setEnabled(true);
    m_cancel->setEnabled(false);
}

void ComparisonPanel::onTileRendererStarted(const QRect& region,
                                            qint64 shownFirst,
                                            qint64 shown,
                                            qint64 fed) {
    m_expected = shown;
    m_progress->setRange(0, static_cast<int>(fed));
    m_progress->setValue(0);
    m_status->setText(tr("Rendering a %1×%2 region at full settings: frames %3 to %4 after %n "
                         "warm-up frame(s)…",
                         nullptr, int(fed - shown))
                          .arg(region.width())
                          .arg(region.height())
                          .arg(shownFirst + 1)
                          .arg(shownFirst + shown));
}

void ComparisonPanel::onTileRendererProgressed(qint64 fed, qint64 total) {
    m_progress->setRange(0, static_cast<int>(total));
    m_progress->setValue(static_cast<int>(fed));
}

void ComparisonPanel::onTileRendererFinished(bool cancelled) {
    renderingStopped();
    if (cancelled) {
        m_status->setText(tr("Region preview stopped."));
        showCurrent();
        return;
    }
    m_regionDescription = m_tileRenderer.lastResult().description;
    m_regionDone = true;
    m_status->setText(regionResultText(m_tileRenderer.lastResult()));
    m_status->setToolTip(m_tileRenderer.lastResult().jobPlanSummary);
    showCurrent();
}

QString ComparisonPanel::regionResultText(const TilePreviewResult& r) const {
    const QLocale locale;
    // Region renders take seconds: tenths matter there, unlike in the job's hours.
    auto seconds = [&](double s) {
        return s < 60.0 ? tr("%1 s").arg(locale.toString(s, 'f', 1)) : durationText(s);
    };
    QString text = tr("Region %1×%2: %n frame(s) in %3 (%4 fps; model loaded in %5).", nullptr,
                      int(r.measurement.framesFed))
                       .arg(r.region.width())
                       .arg(r.region.height())
                       .arg(seconds(r.measurement.upscaleSeconds))
                       .arg(locale.toString(r.measurement.fps(), 'f', 2))
                       .arg(seconds(r.modelLoadSeconds));
    if (r.job.ok) {
        const QString memory =
            r.job.peakIsGpuMemory
                ? tr("peak GPU memory %1")
                      .arg(locale.formattedDataSize(static_cast<qint64>(r.job.peakMemoryBytes)))
                : tr("peak memory %1 (CPU)")
                      .arg(locale.formattedDataSize(static_cast<qint64>(r.job.peakMemoryBytes)));
        text += QLatin1Char(' ') +
                tr("Whole job (%n frame(s)): about %1 at %2 fps, temporary disk %3, %4.", nullptr,
                   int(r.job.frames))
                    .arg(durationText(r.job.totalSeconds()))
                    .arg(locale.toString(r.job.jobFps, 'f', 2))
                    .arg(locale.formattedDataSize(static_cast<qint64>(r.job.tempDiskBytes)))
                    .arg(memory);
    }
    return text;
}

void ComparisonPanel::discardPreview() {
    if (!m_region.isNull()) {
        m_region = QRect();
        m_regionDone = false;
        emit regionChanged(m_region);
    }
    m_status->setToolTip(QString());
    m_pairs.clear();
    m_view->clearImages();
    showCurrent();
}

void ComparisonPanel::onRendererStarted(qint64 first, qint64 frames) {
    m_expected = frames;
    m_progress->setRange(0, static_cast<int>(frames));
    m_progress->setValue(0);
    m_progress->setVisible(true);
    const qint64 asked = m_last - m_first + 1;
    m_status->setText(frames < asked
                          ? tr("Rendering frames %1 to %2 (%3 of %4 fit the preview "
                               "memory budget)…")
                                .arg(first + 1)
                                .arg(first + frames)
                                .arg(frames)
                                .arg(asked)
                          : tr("Rendering frames %1 to %2…").arg(first + 1).arg(first + frames));
}

void ComparisonPanel::onRendererFrameRendered(qint64 index,
                                              const QImage& before,
                                              const QImage& after) {
    m_pairs.insert(index, qMakePair(before, after));
    if (index == m_current || m_pairs.size() == 1) {
        showCurrent();
    }
}

void ComparisonPanel::onRendererFinished(qint64 frames, bool cancelled) {
    renderingStopped();
    m_status->setText(cancelled ? tr("Stopped after %n frame(s).", nullptr, int(frames))
                                : tr("%n frame(s) rendered. Scrub in the viewer to compare them.",
                                     nullptr, int(frames)));
    showCurrent();
}

void ComparisonPanel::onRendererFailed(const engine::Error& error) {
    renderingStopped();
    m_status->setText(tr("Preview failed."));
    emit renderFailed(error);
}

void ComparisonPanel::showCurrent() {
    const auto it = m_pairs.constFind(m_current);
    if (it != m_pairs.cend()) {
        const bool sizeChanged = it->first.size() != m_view->transform().imageSize();
        m_view->setImages(it->first, it->second);
        if (sizeChanged) {
            m_view->zoomToFit();
        }
    } else if (!m_pairs.isEmpty() || !m_renderer.isRunning()) {
        m_view->clearImages();
    }
    if (!m_region.isNull()) {
        const QString where = tr("region %1×%2 at %3, %4")
                                  .arg(m_region.width())
                                  .arg(m_region.height())
                                  .arg(m_region.x())
                                  .arg(m_region.y());
        m_view->setLabels(
            tr("Before: Bicubic ×%1 (classic scaler), %2").arg(m_renderedScale).arg(where),
            m_regionDescription.isEmpty() ? tr("After: full settings, %1").arg(where)
                                          : tr("After: %1, %2").arg(m_regionDescription, where));
    } else {
        const QString upscalerName = PreviewRenderer::upscalerName(m_renderedUpscaler);
        m_view->setLabels(tr("Before: Bicubic ×%1 (classic scaler)").arg(m_renderedScale),
                          tr("After: %1 ×%2 (classic scaler, not FlashVSR)")
                              .arg(upscalerName)
                              .arg(m_renderedScale));
    }
    if (m_path.isEmpty()) {
        m_view->setPlaceholderText(tr("Open a video to compare before and after."));
    } else if (m_pairs.isEmpty()) {
        m_view->setPlaceholderText(
            tr("No preview yet. Set in and out points in the viewer (I and O), then press "
               "Render preview (Ctrl+R). For FlashVSR at full settings, click a tile of the "
               "tile grid (Shift+T) or Ctrl+drag a region in the viewer."));
    } else {
        m_view->setPlaceholderText(tr("Frame %1 has no preview. Rendered: frames %2 to %3.")
                                       .arg(m_current + 1)
                                       .arg(m_pairs.firstKey() + 1)
                                       .arg(m_pairs.lastKey() + 1));
    }
}

void ComparisonPanel::retranslateUi() {
    m_split->setText(tr("Split"));
    m_split->setToolTip(tr("Wipe between before and after; drag the divider."));
    m_sideBySide->setText(tr("Side by side"));
    m_sideBySide->setToolTip(
        tr("Before and after next to each other, zoomed and panned "
           "together."));
    m_toggleMode->setText(tr("Toggle"));
    m_toggleMode->setToolTip(tr("One image at a time; press T to switch."));
    m_difference->setText(tr("Difference"));
    m_difference->setToolTip(tr("Heat map of where before and after differ."));
    m_toggle->setText(tr("Toggle before/after"));
    m_render->setText(tr("Render preview"));
    m_render->setToolTip(tr("Upscale the in/out range of the viewer for comparison (Ctrl+R)."));
    m_cancel->setText(tr("Stop"));
    m_upscalerLabel->setText(tr("After:"));
    m_gainLabel->setText(tr("Gain:"));
    m_gain->setToolTip(tr("Amplifies differences so small ones become visible."));
    m_regionFramesLabel->setText(tr("Region frames:"));
    m_regionFrames->setToolTip(
        tr("Frames a region preview shows: the current frame and the ones after it. Up to %1 "
           "frames before it are rendered first, because FlashVSR needs a run-up.")
            .arg(kTilePreviewWarmupFrames));
    if (m_regionDone && !m_tileRenderer.isRunning()) {
        m_status->setText(regionResultText(m_tileRenderer.lastResult()));
    }
    m_upscalerCombo->setItemText(0, tr("Lanczos-3 ×%1").arg(m_scale));
    m_upscalerCombo->setItemText(1, tr("Bicubic ×%1").arg(m_scale));
    m_upscalerCombo->setToolTip(
        tr("Scaler that renders the \"after\" side. \"Before\" is always "
           "the source scaled by bicubic."));
    showCurrent();
}

void ComparisonPanel::changeEvent(QEvent* event) {
    if (event->type() == QEvent::LanguageChange) {
        retranslateUi();
    }
    QWidget::changeEvent(event);
}

}  // namespace ui
