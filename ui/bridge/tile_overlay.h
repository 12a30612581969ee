#pragma once
// The tile grid the current settings give a frame, for the viewer's overlay: the rectangles of
// engine::pipeline::plan_tiles (the function the pipeline runs tiles with) in input pixels.
//
// Threads: any (pure function).

#include <QList>
#include <QRect>
#include <QSize>
#include <QVariantMap>

namespace ui {

struct TileOverlayRect {
    QRect rect;    // input (source) pixels
    int pass = 0;  // 0: the main grid, 1: the grid shifted by half a stride (tile_shift)
};

// Tiles of a `frame`-sized input for the parameter values (tiled_dit, tile_size, tile_overlap,
// tile_shift, scale). Empty when the settings run untiled. tile_size 0 (automatic) uses
// `autoTileSize`, the planner's choice (0: the planner runs it untiled, so no tiles).
QList<TileOverlayRect> tileOverlay(const QVariantMap& values, QSize frame, int autoTileSize = 0);

}  // namespace ui
