#include "ui/bridge/plan_readout.h"

#include "engine/jobs/planner.h"
#include "ui/bridge/error_text.h"
#include "ui/bridge/job_spec_builder.h"
#include "ui/settings/parameters.h"

#include <QCoreApplication>
#include <QLocale>

#include <algorithm>
#include <cmath>

namespace ui {
namespace {

QString translated(const char* text) {
    return QCoreApplication::translate("PlanReadout", text);
}

}  // namespace

QString durationText(double seconds) {
    const qint64 s = static_cast<qint64>(std::llround(std::max(seconds, 0.0)));
    if (s < 60) {
        return translated(QT_TRANSLATE_NOOP("PlanReadout", "%1 s")).arg(s);
    }
    if (s < 3600) {
        return translated(QT_TRANSLATE_NOOP("PlanReadout", "%1 min %2 s")).arg(s / 60).arg(s % 60);
    }
    return translated(QT_TRANSLATE_NOOP("PlanReadout", "%1 h %2 min"))
        .arg(s / 3600)
        .arg((s % 3600) / 60);
}

PlanReadout planReadout(const QVariantMap& values,
                        const QString& inputPath,
                        const PlanInput& input) {
    PlanReadout r;
    if (inputPath.isEmpty() || input.width <= 0 || input.height <= 0) {
        r.text =
            translated(QT_TRANSLATE_NOOP("PlanReadout", "Open a video to see the prediction."));
        return r;
    }
    if (input.frameCount <= 0) {
        r.text = translated(QT_TRANSLATE_NOOP("PlanReadout", "The frame count is not known yet."));
        return r;
    }
    auto spec = buildJobSpec(values, inputPath, QStringLiteral("/dev/null/output"));
    if (!spec.ok()) {
        r.text = errorText(spec.error()).what;
        return r;
    }
    engine::jobs::InputProbe probe;
    probe.width = input.width;
    probe.height = input.height;
    const qint64 end = spec->end_frame < 0 ? input.frameCount
                                           : std::min<qint64>(spec->end_frame, input.frameCount);
    probe.frames = std::max<qint64>(0, end - spec->first_frame);
    probe.fps = input.fps > 0
                    ? engine::Rational{static_cast<int>(std::llround(input.fps * 1000)), 1000}
                    : engine::Rational{30, 1};
    probe.bit_depth = input.bitDepth;
    if (probe.frames <= 0) {
        r.text = translated(
            QT_TRANSLATE_NOOP("PlanReadout", "The frame range holds no frames of this input."));
        return r;
    }
    auto device = engine::jobs::query_device_resources(spec->model.device);
    if (!device.ok()) {
        r.text = errorText(device.error()).what;
        return r;
    }
    auto plan = engine::jobs::plan_job(*spec, probe, *device);
    if (!plan.ok()) {
        r.text = errorText(plan.error()).what;
        return r;
    }
    const engine::jobs::JobPlan& p = *plan;
    r.ok = true;
    r.fits = p.fits;
    r.frames = probe.frames;
    r.peakMemoryBytes =
        p.device.is_cuda ? p.prediction.peak_gpu_bytes : p.prediction.peak_host_bytes;
    r.tempDiskBytes = p.prediction.temp_disk_bytes;
    r.seconds = p.prediction.total_seconds();
    r.tileSize = p.tiles.tiled ? p.tiles.tile_size : 0;
    r.tilesPerFrame = p.tiles_per_frame;
    r.tileMajor = p.tiles.tile_major(p.tiles_per_frame);
    r.scratchDiskBytes = p.prediction.scratch_disk_bytes;
    r.details = QString::fromStdString(p.summary() + "\n" + p.reason);
    const QLocale locale;
    const QString memory =
        p.device.is_cuda
            ? translated(QT_TRANSLATE_NOOP("PlanReadout", "peak GPU memory %1"))
                  .arg(locale.formattedDataSize(static_cast<qint64>(r.peakMemoryBytes)))
            : translated(QT_TRANSLATE_NOOP("PlanReadout", "peak memory %1 (CPU)"))
                  .arg(locale.formattedDataSize(static_cast<qint64>(r.peakMemoryBytes)));
    QString tiles;
    if (!p.tiles.tiled) {
        tiles = translated(QT_TRANSLATE_NOOP("PlanReadout", "untiled"));
    } else if (r.tileMajor) {
        tiles = translated(QT_TRANSLATE_NOOP("PlanReadout",
                                             "tiles %1 px, %2 per frame, tile by tile (scratch "
                                             "disk %3; frames appear when a segment is done)"))
                    .arg(p.tiles.tile_size)
                    .arg(p.tiles_per_frame)
                    .arg(locale.formattedDataSize(static_cast<qint64>(r.scratchDiskBytes)));
    } else {
        tiles = translated(QT_TRANSLATE_NOOP("PlanReadout", "tiles %1 px, %2 per frame, batch %3"))
                    .arg(p.tiles.tile_size)
                    .arg(p.tiles_per_frame)
                    .arg(p.tiles.batch_size);
    }
    r.text = translated(QT_TRANSLATE_NOOP("PlanReadout",
                                          "Prediction for %1 frames: %2, temporary disk %3, "
                                          "about %4; %5."))
                 .arg(r.frames)
                 .arg(memory, locale.formattedDataSize(static_cast<qint64>(r.tempDiskBytes)),
                      durationText(r.seconds), tiles);
    if (!p.fits) {
        r.text += QLatin1Char(' ') +
                  translated(QT_TRANSLATE_NOOP("PlanReadout",
                                               "It does not fit the memory budget even with the "
                                               "smallest tiles."));
    }
    return r;
}

}  // namespace ui
