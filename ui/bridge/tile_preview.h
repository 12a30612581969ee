#pragma once
// Tile preview: a region of the source (a tile of the overlay, or a rectangle dragged in the
// viewer) rendered for a short range at the job's full settings through the engine
// (engine::jobs::make_processor with the JobSpec that buildJobSpec makes of the panel's values),
// so people judge FlashVSR's real output before queueing hours of work. The measured speed is
// extrapolated to the whole job with the planner (engine::jobs::plan_job): time, temporary disk
// and peak memory.
//
// Frames: FlashVSR streams; its first output frames have no temporal history and look unlike
// the rest of a long run. Up to kTilePreviewWarmupFrames frames before the current one are fed
// first (one full first chunk, so the shown frames come from the streaming state) and only the
// current frame and the ones after it are shown.
//
// Threads: the free functions are pure (any thread). TilePreviewRenderer: start()/cancel() on
// the UI thread; the work runs on its own thread; signals are emitted on the UI thread. One
// render at a time: start() cancels and joins the previous one.

#include "engine/core/error.h"
#include "engine/jobs/planner.h"
#include "ui/bridge/latest_worker.h"
#include "ui/bridge/tile_overlay.h"

#include <QImage>
#include <QList>
#include <QObject>
#include <QRect>
#include <QSize>
#include <QString>
#include <QVariantMap>

#include <atomic>
#include <optional>

namespace ui {

// Frames fed before the current one when the source has them (FlashVSR's first chunk).
inline constexpr int kTilePreviewWarmupFrames = 21;
// Frames shown by default: the current one and 7 after it.
inline constexpr int kTilePreviewDefaultFrames = 8;

// ---- Region ------------------------------------------------------------------------------------

// Input pixels a region's origin is aligned to: scale x origin a multiple of 8 (one latent
// cell), as the pipeline aligns its tiles (8 / gcd(scale, 8)).
int previewRegionAlignment(int scale);
// Input pixels a region's size is a multiple of: scale x size a multiple of 128 (the model pads
// its frame to multiples of 128 output pixels; a snapped region wastes no padded work).
int previewRegionStep(int scale);

// A dragged rectangle (source pixels, any orientation) snapped to what the model needs: origin
// aligned down, size rounded up to the step (at least one step), kept inside the frame (moved
// back when it sticks out; a frame side shorter than one step is taken whole). Empty for an
// empty frame or a scale below 1.
QRect snapPreviewRegion(const QRect& requested, QSize frame, int scale);

// The tile a click at `point` (source pixels) picks: among the tiles containing it, the one
// whose centre is nearest (tiles overlap), main grid before the shifted one on ties.
// std::nullopt when no tile contains the point.
std::optional<QRect> tileAtPoint(const QList<TileOverlayRect>& tiles, QPoint point);

// ---- Frames ------------------------------------------------------------------------------------

struct TilePreviewRange {
    qint64 first = 0;       // first frame fed (warm-up included)
    qint64 shownFirst = 0;  // the current frame
    qint64 fed = 0;         // frames fed: warm-up + shown
    qint64 shown = 0;       // frames shown, from shownFirst
};

// `frames` shown from `current` (fewer at the end of the input; frameCount < 0: unknown, no
// cap), preceded by min(warmup, current) warm-up frames.
TilePreviewRange tilePreviewRange(qint64 current, int frames, int warmup, qint64 frameCount);

// ---- Extrapolation -----------------------------------------------------------------------------

// Output pixels the model computes for one width x height frame (input pixels) with `tiles`:
// every tile's frame padded to multiples of 128 output pixels, summed (overlaps count twice,
// as they are computed twice); untiled, the padded frame.
double modelWorkPixels(int width, int height, int scale, const engine::jobs::TileChoice& tiles);

struct TilePreviewMeasurement {
    qint64 framesFed = 0;         // frames pushed through the processor (warm-up included)
    double upscaleSeconds = 0;    // first push to last output (model loading excluded)
    double regionWorkPixels = 0;  // modelWorkPixels of the region per frame
    // Region frames per second (0 without a measurement).
    double fps() const { return upscaleSeconds > 0 ? framesFed / upscaleSeconds : 0.0; }
};

struct JobExtrapolation {
    bool ok = false;             // false without a measurement (no frames or no time)
    double measuredFps = 0;      // region frames per second
    double jobFps = 0;           // whole-frame frames per second, extrapolated
    qint64 frames = 0;           // frames of the job
    double upscaleSeconds = 0;   // frames / jobFps
    double assembleSeconds = 0;  // the planner's (decode the chunks, encode)
    double totalSeconds() const { return upscaleSeconds + assembleSeconds; }
    quint64 tempDiskBytes = 0;    // the planner's
    quint64 peakMemoryBytes = 0;  // the planner's: GPU memory on CUDA, host memory on the CPU
    bool peakIsGpuMemory = false;
};

// Whole job from the preview: seconds per computed output pixel measured on the region, times
// the work of the job's frames (`frameWorkPixels` each, the tiles the planner chose), plus the
// planner's assembly time; disk and memory from the plan.
JobExtrapolation extrapolateJob(const TilePreviewMeasurement& measurement,
                                double frameWorkPixels,
                                const engine::jobs::JobPlan& jobPlan);

// ---- Renderer ----------------------------------------------------------------------------------

struct TilePreviewRequest {
    QString path;
    QVariantMap parameters;  // the parameter panel's values (buildJobSpec)
    QRect region;            // source pixels, already snapped (or a tile)
    QSize frameSize;         // the source frame
    qint64 currentFrame = 0;
    int frames = kTilePreviewDefaultFrames;
    int warmupFrames = kTilePreviewWarmupFrames;
    qint64 frameCount = -1;  // of the source (-1 unknown: the job estimate is left out)
    double fps = 0.0;        // of the source (0: unknown)
    int bitDepth = 8;
};

struct TilePreviewResult {
    QRect region;
    TilePreviewRange range;
    engine::jobs::TileChoice regionTiles;  // what the region ran with
    QString description;                   // the processor's ("FlashVSR on cpu fp32", ...)
    double modelLoadSeconds = 0;
    TilePreviewMeasurement measurement;
    JobExtrapolation job;    // ok false when the frame count is unknown
    QString jobPlanSummary;  // the planner's summary of the whole job (English, for tooltips)
};

class TilePreviewRenderer : public QObject {
    Q_OBJECT
  public:
    explicit TilePreviewRenderer(QObject* parent = nullptr);
    ~TilePreviewRenderer() override;

    void start(const TilePreviewRequest& request);
    void cancel();
    bool isRunning() const { return m_running; }
    // The last finished render's numbers (valid after finished(false)).
    const TilePreviewResult& lastResult() const { return m_result; }

  signals:
    // Planning done, the model loads next.
    void started(const QRect& region, qint64 shownFirst, qint64 shownFrames, qint64 fedFrames);
    // Frames pushed so far of `total` (warm-up included).
    void progressed(qint64 fed, qint64 total);
    // before: the region scaled by bicubic to the output size; after: the processor's output.
    void frameRendered(qint64 index, const QImage& before, const QImage& after);
    // `cancelled`: stopped by cancel(); otherwise lastResult() holds the numbers.
    void finished(bool cancelled);
    void failed(const engine::Error& error);

  private:
    void run(TilePreviewRequest request, quint64 generation);

    LatestWorker m_worker{this};
    std::atomic<bool> m_cancelled{false};
    engine::CancelToken m_cancel;
    bool m_running = false;
    TilePreviewResult m_result;
};

}  // namespace ui
