#include "engine/pipeline/tile_plan.h"

#include <algorithm>
#include <numeric>
#include <string>

namespace engine::pipeline {

std::int64_t detail::align_down(std::int64_t value, std::int64_t multiple) {
    return value / multiple * multiple;
}

std::int64_t detail::align_up(std::int64_t value, std::int64_t multiple) {
    return (value + multiple - 1) / multiple * multiple;
}

namespace {

constexpr std::int64_t kModelAlign = 128;  // model frames are multiples of 128 pixels

using detail::align_down;
using detail::align_up;
using detail::Span;

// Main grid along one axis: origins i*stride, the last tile shifted back to end at the border
// (spec §5.1 step 1) with its origin rounded up to the alignment, so it stays inside the size.
std::vector<Span> main_axis(std::int64_t length,
                            std::int64_t size,
                            std::int64_t stride,
                            std::int64_t alignment) {
    if (length <= size) {
        return {{0, length}};
    }
    std::vector<Span> spans;
    std::int64_t origin = 0;
    for (; origin + size < length; origin += stride) {
        spans.emplace_back(origin, origin + size);
    }
    spans.emplace_back(align_up(length - size, alignment), length);
    return spans;
}

// Shifted grid along one axis: a first tile [0, offset + overlap), then origins offset + i*stride,
// the last one shifted back like the main grid. Empty when the axis holds a single tile.
std::vector<Span> shifted_axis(std::int64_t length,
                               std::int64_t size,
                               std::int64_t stride,
                               std::int64_t overlap,
                               std::int64_t alignment) {
    if (length <= size) {
        return {{0, length}};
    }
    const auto offset = align_down(stride / 2, alignment);
    if (offset == 0) {
        return main_axis(length, size, stride, alignment);
    }
    std::vector<Span> spans{{0, offset + overlap}};
    std::int64_t origin = offset;
    for (; origin + size < length; origin += stride) {
        spans.emplace_back(origin, origin + size);
    }
    spans.emplace_back(align_up(length - size, alignment), length);
    return spans;
}

}  // namespace

Result<TilePlan> plan_tiles(std::int64_t input_width,
                            std::int64_t input_height,
                            std::int64_t scale,
                            const TileSettings& settings) {
    if (input_width <= 0 || input_height <= 0 || scale <= 0) {
        return Error(ErrorCode::InvalidArgument, "tiling needs a positive frame size and scale");
    }
    if (settings.size < kMinTileSize || settings.size > kMaxTileSize) {
        return Error(ErrorCode::InvalidArgument, "tile size " + std::to_string(settings.size) +
                                                     " is outside " + std::to_string(kMinTileSize) +
                                                     ".." + std::to_string(kMaxTileSize))
            .with("tile_size", std::to_string(settings.size));
    }
    if (settings.overlap < 0 || settings.overlap >= settings.size) {
        return Error(ErrorCode::InvalidArgument,
                     "tile overlap " + std::to_string(settings.overlap) +
                         " must be >= 0 and smaller than the tile size " +
                         std::to_string(settings.size))
            .with("tile_overlap", std::to_string(settings.overlap));
    }
    TilePlan plan;
    plan.input_width = input_width;
    plan.input_height = input_height;
    plan.scale = scale;
    plan.alignment = kLatentCell / std::gcd(scale, kLatentCell);
    const std::int64_t size = settings.size;
    plan.stride = std::max(plan.alignment, align_down(size - settings.overlap, plan.alignment));
    plan.overlap = size - plan.stride;

    const auto add_grid = [&](const std::vector<Span>& rows, const std::vector<Span>& cols,
                              int pass) {
        bool added = false;
        for (const auto& row : rows) {
            for (const auto& col : cols) {
                TileRect rect;
                rect.x0 = col.first;
                rect.x1 = col.second;
                rect.y0 = row.first;
                rect.y1 = row.second;
                rect.pass = pass;
                rect.padded_width = align_up(rect.width() * scale, kModelAlign);
                rect.padded_height = align_up(rect.height() * scale, kModelAlign);
                if (std::find(plan.tiles.begin(), plan.tiles.end(), rect) == plan.tiles.end()) {
                    plan.tiles.push_back(rect);
                    added = true;
                }
            }
        }
        return added;
    };
    add_grid(main_axis(input_height, size, plan.stride, plan.alignment),
             main_axis(input_width, size, plan.stride, plan.alignment), 0);
    if (settings.shift &&
        add_grid(shifted_axis(input_height, size, plan.stride, plan.overlap, plan.alignment),
                 shifted_axis(input_width, size, plan.stride, plan.overlap, plan.alignment), 1)) {
        plan.passes = 2;
    }
    return plan;
}

}  // namespace engine::pipeline
