#include "ui/bridge/tile_preview.h"

#include "engine/imaging/resize.h"
#include "engine/imaging/tone_mapping.h"
#include "engine/io/media.h"
#include "engine/jobs/processor.h"
#include "engine/pipeline/tile_plan.h"
#include "ui/bridge/frame_image.h"
#include "ui/bridge/job_spec_builder.h"

#include <QMap>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <numeric>

namespace ui {
namespace {

using Clock = std::chrono::steady_clock;

double secondsSince(Clock::time_point start) {
    return std::chrono::duration<double>(Clock::now() - start).count();
}

qint64 alignDown(qint64 value, qint64 multiple) {
    return value / multiple * multiple;
}

qint64 alignUp(qint64 value, qint64 multiple) {
    return (value + multiple - 1) / multiple * multiple;
}

// Snaps one axis: [begin, begin + size) inside [0, limit).
void snapAxis(qint64 begin,
              qint64 size,
              qint64 limit,
              int alignment,
              int step,
              int& outBegin,
              int& outSize) {
    if (limit <= step) {
        outBegin = 0;
        outSize = static_cast<int>(limit);
        return;
    }
    qint64 b = alignDown(std::clamp<qint64>(begin, 0, limit - 1), alignment);
    qint64 s = std::max<qint64>(step, alignUp(begin + size - b, step));
    s = std::min(s, alignDown(limit, step));
    if (b + s > limit) {
        b = alignDown(limit - s, alignment);
    }
    outBegin = static_cast<int>(b);
    outSize = static_cast<int>(s);
}

double paddedPixels(qint64 width, qint64 height, int scale) {
    return static_cast<double>(alignUp(width * scale, 128)) *
           static_cast<double>(alignUp(height * scale, 128));
}

// The region of `frame` as a frame of its own (same sample type, index and timing).
engine::Frame cropFrame(const engine::Frame& frame, const QRect& region) {
    engine::Frame out;
    out.allocate(region.width(), region.height(), frame.type);
    out.bit_depth = frame.bit_depth;
    out.pts = frame.pts;
    out.time_base = frame.time_base;
    out.index = frame.index;
    const std::size_t pixel = 3 * engine::bytes_per_sample(frame.type);
    const std::size_t row = pixel * static_cast<std::size_t>(region.width());
    for (int y = 0; y < region.height(); ++y) {
        const std::size_t source =
            (static_cast<std::size_t>(region.y() + y) * static_cast<std::size_t>(frame.width) +
             static_cast<std::size_t>(region.x())) *
            pixel;
        std::memcpy(out.data.data() + static_cast<std::size_t>(y) * row, frame.data.data() + source,
                    row);
    }
    return out;
}

}  // namespace

int previewRegionAlignment(int scale) {
    return 8 / std::gcd(std::max(scale, 1), 8);
}

int previewRegionStep(int scale) {
    return 128 / std::gcd(std::max(scale, 1), 128);
}

QRect snapPreviewRegion(const QRect& requested, QSize frame, int scale) {
    if (frame.isEmpty() || scale < 1) {
        return {};
    }
    const QRect r = requested.normalized();
    int x = 0;
    int y = 0;
    int width = 0;
    int height = 0;
    snapAxis(r.x(), r.width(), frame.width(), previewRegionAlignment(scale),
             previewRegionStep(scale), x, width);
    snapAxis(r.y(), r.height(), frame.height(), previewRegionAlignment(scale),
             previewRegionStep(scale), y, height);
    return QRect(x, y, width, height);
}

std::optional<QRect> tileAtPoint(const QList<TileOverlayRect>& tiles, QPoint point) {
    std::optional<QRect> best;
    double bestDistance = 0;
    int bestPass = 0;
    for (const TileOverlayRect& t : tiles) {
        if (!t.rect.contains(point)) {
            continue;
        }
        const QPointF centre = QRectF(t.rect).center();
        const double dx = centre.x() - (point.x() + 0.5);
        const double dy = centre.y() - (point.y() + 0.5);
        const double distance = dx * dx + dy * dy;
        if (!best || distance < bestDistance || (distance == bestDistance && t.pass < bestPass)) {
            best = t.rect;
            bestDistance = distance;
            bestPass = t.pass;
        }
    }
    return best;
}

TilePreviewRange tilePreviewRange(qint64 current, int frames, int warmup, qint64 frameCount) {
    TilePreviewRange r;
    current = std::max<qint64>(current, 0);
    if (frameCount >= 0) {
        current = std::min(current, std::max<qint64>(frameCount - 1, 0));
    }
    r.shownFirst = current;
    r.shown = std::max(frames, 1);
    if (frameCount >= 0) {
        r.shown = std::max<qint64>(0, std::min(r.shown, frameCount - current));
    }
    const qint64 before = std::min<qint64>(std::max(warmup, 0), current);
    r.first = current - before;
    r.fed = before + r.shown;
    return r;
}

double modelWorkPixels(int width, int height, int scale, const engine::jobs::TileChoice& tiles) {
    if (width <= 0 || height <= 0 || scale <= 0) {
        return 0;
    }
    if (!tiles.tiled || tiles.tile_size <= 0) {
        return paddedPixels(width, height, scale);
    }
    engine::pipeline::TileSettings settings;
    settings.enabled = true;
    settings.size = tiles.tile_size;
    settings.overlap = tiles.tile_overlap;
    settings.shift = tiles.shift;
    auto plan = engine::pipeline::plan_tiles(width, height, scale, settings);
    if (!plan.ok()) {
        return paddedPixels(width, height, scale);
    }
    double sum = 0;
    for (const engine::pipeline::TileRect& t : plan->tiles) {
        sum += static_cast<double>(t.padded_width) * static_cast<double>(t.padded_height);
    }
    return sum;
}

JobExtrapolation extrapolateJob(const TilePreviewMeasurement& measurement,
                                double frameWorkPixels,
                                const engine::jobs::JobPlan& jobPlan) {
    JobExtrapolation e;
    e.frames = jobPlan.input.frames;
    e.assembleSeconds = jobPlan.prediction.assemble_seconds;
    e.tempDiskBytes = jobPlan.prediction.temp_disk_bytes;
    e.peakIsGpuMemory = jobPlan.device.is_cuda;
    e.peakMemoryBytes = jobPlan.device.is_cuda ? jobPlan.prediction.peak_gpu_bytes
                                               : jobPlan.prediction.peak_host_bytes;
    if (measurement.framesFed <= 0 || measurement.upscaleSeconds <= 0 ||
        measurement.regionWorkPixels <= 0 || frameWorkPixels <= 0) {
        return e;
    }
    e.measuredFps = static_cast<double>(measurement.framesFed) / measurement.upscaleSeconds;
    const double secondsPerPixel =
        measurement.upscaleSeconds /
        (static_cast<double>(measurement.framesFed) * measurement.regionWorkPixels);
    e.jobFps = 1.0 / (secondsPerPixel * frameWorkPixels);
    e.upscaleSeconds = static_cast<double>(e.frames) / e.jobFps;
    e.ok = true;
    return e;
}

TilePreviewRenderer::TilePreviewRenderer(QObject* parent) : QObject(parent) {}

TilePreviewRenderer::~TilePreviewRenderer() {
    cancel();
    m_worker.join();
}

void TilePreviewRenderer::cancel() {
    m_cancelled = true;
    m_cancel.cancel();
}

void TilePreviewRenderer::start(const TilePreviewRequest& request) {
    cancel();
    m_worker.join();
    m_cancelled = false;
    m_cancel = engine::CancelToken();
    m_running = true;
    m_worker.start([this, request](quint64 generation) { run(request, generation); });
}

void TilePreviewRenderer::run(TilePreviewRequest request, quint64 generation) {
    auto post = [this, generation](auto function) { m_worker.post(generation, function); };
    auto fail = [&](const engine::Error& error) {
        post([this, error] {
            m_running = false;
            emit failed(error);
        });
    };
    auto stop = [&] {
        post([this] {
            m_running = false;
            emit finished(true);
        });
    };
    const engine::CancelToken cancelToken = m_cancel;
    const QRect region = request.region;
    const QSize frame = request.frameSize;
    if (region.isEmpty() || frame.isEmpty() || !QRect(QPoint(0, 0), frame).contains(region)) {
        fail(engine::Error(engine::ErrorCode::InvalidArgument, "preview region outside the frame")
                 .with("region", QStringLiteral("%1,%2 %3x%4")
                                     .arg(region.x())
                                     .arg(region.y())
                                     .arg(region.width())
                                     .arg(region.height())
                                     .toStdString()));
        return;
    }
    auto spec = buildJobSpec(request.parameters, request.path,
                             QStringLiteral("/dev/null/tile-preview.mkv"));
    if (!spec.ok()) {
        fail(spec.error());
        return;
    }
    auto device = engine::jobs::query_device_resources(spec->model.device);
    if (!device.ok()) {
        fail(device.error());
        return;
    }
    TilePreviewResult result;
    result.region = region;
    result.range = tilePreviewRange(request.currentFrame, request.frames, request.warmupFrames,
                                    request.frameCount);
    const TilePreviewRange range = result.range;
    if (range.shown <= 0) {
        fail(engine::Error(engine::ErrorCode::InvalidArgument, "no frames to preview")
                 .with("frame", std::to_string(request.currentFrame)));
        return;
    }
    const engine::Rational fps =
        request.fps > 0 ? engine::Rational{static_cast<int>(std::llround(request.fps * 1000)), 1000}
                        : engine::Rational{30, 1};

    // The region runs with the tiles the planner picks for a region-sized input (automatic tile
    // size resolved; a region within one tile runs as that one tile).
    engine::jobs::InputProbe regionProbe;
    regionProbe.width = region.width();
    regionProbe.height = region.height();
    regionProbe.frames = range.fed;
    regionProbe.fps = fps;
    regionProbe.bit_depth = request.bitDepth;
    auto regionPlan = engine::jobs::plan_job(*spec, regionProbe, *device);
    if (!regionPlan.ok()) {
        fail(regionPlan.error());
        return;
    }
    result.regionTiles = regionPlan->tiles;
    engine::jobs::JobSpec regionSpec = engine::jobs::apply_tiles(*spec, regionPlan->tiles);
    regionSpec.first_frame = 0;
    regionSpec.end_frame = -1;
    result.measurement.regionWorkPixels =
        modelWorkPixels(region.width(), region.height(), spec->scale, regionPlan->tiles);

    // The whole job as the queue would run it (the spec's frame range of the source).
    std::optional<engine::jobs::JobPlan> jobPlan;
    if (request.frameCount > 0) {
        engine::jobs::InputProbe probe;
        probe.width = frame.width();
        probe.height = frame.height();
        const qint64 end = spec->end_frame < 0
                               ? request.frameCount
                               : std::min<qint64>(spec->end_frame, request.frameCount);
        probe.frames = std::max<qint64>(0, end - spec->first_frame);
        probe.fps = fps;
        probe.bit_depth = request.bitDepth;
        if (probe.frames > 0) {
            auto plan = engine::jobs::plan_job(*spec, probe, *device);
            if (!plan.ok()) {
                fail(plan.error());
                return;
            }
            jobPlan = *plan;
            result.jobPlanSummary = QString::fromStdString(plan->summary());
        }
    }
    post([this, region, range] { emit started(region, range.shownFirst, range.shown, range.fed); });

    // Decode and crop first: the crops are small, and the measured time then holds the model's
    // work only (the job decodes on its own thread, in parallel with the model).
    engine::io::SourceOptions options;
    options.input = std::filesystem::u8path(request.path.toStdString());
    options.first_frame = range.first;
    options.sequence_fps = fps;
    auto source = engine::io::open_source(options);
    if (!source) {
        fail(source.error());
        return;
    }
    const engine::ColorInfo color = source.value()->info().color;
    const bool toneMapped = engine::jobs::uses_tone_mapping(regionSpec, color);
    engine::imaging::LmaxEstimator lmax;
    std::vector<engine::Frame> crops;
    crops.reserve(static_cast<std::size_t>(range.fed));
    for (qint64 i = 0; i < range.fed; ++i) {
        if (m_cancelled) {
            stop();
            return;
        }
        auto next = source.value()->next();
        if (!next) {
            fail(next.error());
            return;
        }
        if (!next.value()) {
            break;
        }
        const engine::Frame& decoded = *next.value();
        if (decoded.width != frame.width() || decoded.height != frame.height()) {
            fail(engine::Error(engine::ErrorCode::InvalidArgument, "the source frame size changed")
                     .with("width", std::to_string(decoded.width))
                     .with("height", std::to_string(decoded.height)));
            return;
        }
        crops.push_back(cropFrame(decoded, region));
        if (toneMapped && !regionSpec.hdr.global_l_max) {
            lmax.add(engine::jobs::hdr_linear_frame(crops.back(), color, regionSpec.threads));
        }
    }
    if (crops.empty()) {
        fail(engine::Error(engine::ErrorCode::ZeroFrames, "no frames decoded for the preview")
                 .with("path", request.path.toStdString()));
        return;
    }
    result.range.fed = static_cast<qint64>(crops.size());
    result.range.shown = std::max<qint64>(0, result.range.fed - (range.shownFirst - range.first));

    engine::jobs::ProcessorContext context;
    context.width = region.width();
    context.height = region.height();
    context.cancel = cancelToken;
    context.source_color = color;
    if (toneMapped) {
        context.hdr_l_max = regionSpec.hdr.global_l_max ? *regionSpec.hdr.global_l_max
                                                        : lmax.l_max(regionSpec.hdr.exposure);
    }
    const auto loadStart = Clock::now();
    auto processor = engine::jobs::make_processor(regionSpec, context);
    if (!processor.ok()) {
        if (m_cancelled) {
            stop();
        } else {
            fail(processor.error());
        }
        return;
    }
    result.modelLoadSeconds = secondsSince(loadStart);
    result.description = QString::fromStdString((*processor)->description());
    const int outWidth = (*processor)->output_width();
    const int outHeight = (*processor)->output_height();

    engine::imaging::ResizeOptions beforeOptions;
    beforeOptions.filter = engine::imaging::ResizeFilter::Bicubic;
    beforeOptions.output_type = engine::SampleType::U8;
    QMap<qint64, QImage> before;  // shown frames waiting for their output
    qint64 emitted = 0;           // outputs received, in input order
    std::vector<engine::Frame> out;
    auto deliver = [&] {
        for (engine::Frame& f : out) {
            const qint64 index = range.first + emitted;
            ++emitted;
            if (index < range.shownFirst) {
                continue;
            }
            const QImage after = frameToImage(f);
            const QImage beforeImage = before.take(index);
            post([this, index, beforeImage, after] {
                emit frameRendered(index, beforeImage, after);
            });
        }
        out.clear();
    };
    const auto upscaleStart = Clock::now();
    const qint64 total = static_cast<qint64>(crops.size());
    for (qint64 i = 0; i < total; ++i) {
        if (m_cancelled) {
            stop();
            return;
        }
        const qint64 index = range.first + i;
        if (index >= range.shownFirst) {
            auto scaled = engine::imaging::resize(crops[static_cast<std::size_t>(i)], outWidth,
                                                  outHeight, beforeOptions);
            if (!scaled) {
                fail(scaled.error());
                return;
            }
            before.insert(index, frameToImage(scaled.value()));
        }
        auto pushed = (*processor)->push(crops[static_cast<std::size_t>(i)], out);
        if (!pushed.ok()) {
            if (m_cancelled) {
                stop();
            } else {
                fail(pushed.error());
            }
            return;
        }
        deliver();
        const qint64 fed = i + 1;
        post([this, fed, total] { emit progressed(fed, total); });
    }
    // A tile-major run hands its frames out a slice per call: call until a call appends nothing.
    for (;;) {
        auto finishedStatus = (*processor)->finish(out);
        if (!finishedStatus.ok()) {
            if (m_cancelled) {
                stop();
            } else {
                fail(finishedStatus.error());
            }
            return;
        }
        if (out.empty()) {
            break;
        }
        deliver();
        if (m_cancelled) {
            stop();
            return;
        }
    }
    result.measurement.framesFed = total;
    result.measurement.upscaleSeconds = secondsSince(upscaleStart);
    if (jobPlan) {
        result.job = extrapolateJob(
            result.measurement,
            modelWorkPixels(frame.width(), frame.height(), spec->scale, jobPlan->tiles), *jobPlan);
    }
    if (m_cancelled) {
        stop();
        return;
    }
    post([this, result] {
        m_result = result;
        m_running = false;
        emit finished(false);
    });
}

}  // namespace ui
