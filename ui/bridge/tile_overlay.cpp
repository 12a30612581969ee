#include "ui/bridge/tile_overlay.h"

#include "engine/pipeline/tile_plan.h"
#include "ui/settings/parameters.h"

namespace ui {

QList<TileOverlayRect> tileOverlay(const QVariantMap& raw, QSize frame, int autoTileSize) {
    const QVariantMap values = withDefaults(raw);
    int size = values.value(QStringLiteral("tile_size")).toInt();
    const bool automatic = size == 0;
    if (automatic) {
        size = autoTileSize;
    }
    // Explicit sizes tile only with tiled DiT on; the planner's automatic choice tiles on its own.
    if (size <= 0 || (!automatic && !values.value(QStringLiteral("tiled_dit")).toBool()) ||
        frame.isEmpty()) {
        return {};
    }
    engine::pipeline::TileSettings settings;
    settings.enabled = true;
    settings.size = size;
    settings.overlap = values.value(QStringLiteral("tile_overlap")).toInt();
    settings.shift = values.value(QStringLiteral("tile_shift")).toBool();
    auto plan = engine::pipeline::plan_tiles(
        frame.width(), frame.height(), values.value(QStringLiteral("scale")).toInt(), settings);
    if (!plan.ok()) {
        return {};
    }
    QList<TileOverlayRect> rects;
    for (const engine::pipeline::TileRect& t : plan->tiles) {
        rects.append({QRect(static_cast<int>(t.x0), static_cast<int>(t.y0),
                            static_cast<int>(t.width()), static_cast<int>(t.height())),
                      t.pass});
    }
    return rects;
}

}  // namespace ui
