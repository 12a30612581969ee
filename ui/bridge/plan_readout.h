#pragma once
// The planner's prediction for the parameter panel: engine::jobs::plan_job (analytic, no
// calibration) for the current values and the input open in the viewer, as translated text:
// predicted peak GPU memory (host memory on a CPU device), temporary disk, duration, and the
// tiling it runs with (automatic tile size and tile order resolved, with a tile-major run's
// scratch disk).
//
// Threads: any. Cost: arithmetic plus reading /proc/meminfo and NVML for the device; call it when
// the values or the input change, not per frame.

#include <QString>
#include <QVariantMap>

namespace ui {

// What the viewer knows of the input (ui::MediaInfo's fields the planner needs).
struct PlanInput {
    int width = 0;
    int height = 0;
    qint64 frameCount = -1;  // -1 when unknown (the readout then says so)
    double fps = 0.0;
    int bitDepth = 8;
};

struct PlanReadout {
    bool ok = false;
    bool fits = true;  // false: even the smallest tiles exceed the memory budget
    QString text;      // one or two translated lines, or the translated reason it cannot plan
    QString details;   // the engine's summary and reason (English), for a tooltip
    qint64 frames = 0;
    quint64 peakMemoryBytes = 0;  // GPU memory on CUDA, host memory on the CPU
    quint64 tempDiskBytes = 0;
    double seconds = 0.0;
    int tileSize = 0;  // 0 when untiled
    int tilesPerFrame = 1;
    // Tile by tile (engine::jobs::ModelTileOrder::TileMajor, chosen or resolved by the planner):
    // frames appear when a segment is done; scratchDiskBytes of tempDiskBytes is its scratch.
    bool tileMajor = false;
    quint64 scratchDiskBytes = 0;
};

// "42 s", "3 min 5 s", "2 h 10 min" (translated; negative counts as 0).
QString durationText(double seconds);

PlanReadout planReadout(const QVariantMap& values,
                        const QString& inputPath,
                        const PlanInput& input);

}  // namespace ui
