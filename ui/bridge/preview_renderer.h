#pragma once
// Renders comparison pairs for a range of source frames on a worker thread:
//   before = the source frame scaled to the output size by the engine's bicubic scaler
//            (engine/imaging, the same pre-upscale FlashVSR starts from);
//   after  = the source frame upscaled by the chosen preview upscaler (engine/imaging
//            Lanczos-3 or bicubic). The label the UI shows comes from upscalerName().
// The number of frames is capped so the pairs fit a memory budget.
//
// Threads: start()/cancel() on the UI thread; signals are emitted on the UI thread (queued
// from the worker). One render at a time: start() cancels and joins the previous one.

#include "engine/core/error.h"
#include "ui/bridge/latest_worker.h"

#include <QImage>
#include <QObject>
#include <QString>

#include <atomic>

namespace ui {

enum class PreviewUpscaler { Bicubic, Lanczos };

struct PreviewRequest {
    QString path;
    qint64 firstFrame = 0;
    qint64 lastFrame = 0;  // inclusive
    int scale = 4;
    PreviewUpscaler upscaler = PreviewUpscaler::Lanczos;
    qint64 memoryBudgetBytes = qint64(1) << 30;
};

class PreviewRenderer : public QObject {
    Q_OBJECT
  public:
    explicit PreviewRenderer(QObject* parent = nullptr);
    ~PreviewRenderer() override;

    void start(const PreviewRequest& request);
    void cancel();
    bool isRunning() const { return m_running; }

    // Frames of an outputWidth x outputHeight pair (two RGB888 images) that fit the budget;
    // at least 1.
    static qint64 framesWithinBudget(int outputWidth, int outputHeight, qint64 budgetBytes);
    static QString upscalerName(PreviewUpscaler upscaler);  // translated

  signals:
    // `frames`: how many will be rendered after the budget cap.
    void started(qint64 firstFrame, qint64 frames);
    void frameRendered(qint64 index, const QImage& before, const QImage& after);
    void finished(qint64 framesRendered, bool cancelled);
    void failed(const engine::Error& error);

  private:
    void run(PreviewRequest request, quint64 generation);

    LatestWorker m_worker{this};
    std::atomic<bool> m_cancel{false};
    bool m_running = false;
};

}  // namespace ui
