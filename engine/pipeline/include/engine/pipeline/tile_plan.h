#pragma once
// The tile grid of spatial tiling (spec §5.1 step 1) in input (LQ) pixels: upstream's geometry,
// the short edge tile shifted back, tile origins aligned so that scale x origin is a multiple of
// 8 (one latent cell), and the optional second grid (tile_shift) offset by half a stride. Pure
// integer arithmetic, torch-free: the job planner counts tiles with the same function the
// pipeline runs them with.

#include "engine/core/result.h"
#include "engine/pipeline/upscaler.h"

#include <cstdint>
#include <utility>
#include <vector>

namespace engine::pipeline {

// One tile, half-open rectangle in input pixels.
struct TileRect {
    std::int64_t x0 = 0;
    std::int64_t y0 = 0;
    std::int64_t x1 = 0;
    std::int64_t y1 = 0;
    int pass = 0;  // 0: the main grid, 1: the grid shifted by half a stride
    // The tile's model frame: scale x its size rounded up to multiples of 128 (output pixels).
    std::int64_t padded_width = 0;
    std::int64_t padded_height = 0;

    std::int64_t width() const { return x1 - x0; }
    std::int64_t height() const { return y1 - y0; }
    bool operator==(const TileRect& other) const {
        return x0 == other.x0 && y0 == other.y0 && x1 == other.x1 && y1 == other.y1;
    }
};

struct TilePlan {
    std::int64_t input_width = 0;
    std::int64_t input_height = 0;
    std::int64_t scale = 4;
    // Origins are multiples of `alignment` input pixels (8 / gcd(scale, 8)), so the stride is
    // the requested one rounded down to a multiple of it and the overlap grows by the difference.
    std::int64_t alignment = 1;
    std::int64_t stride = 0;      // input pixels between origins of neighbouring tiles
    std::int64_t overlap = 0;     // tile size - stride (>= the requested overlap)
    int passes = 1;               // 2 when the shifted grid added tiles
    std::vector<TileRect> tiles;  // pass 0 first, rows in the outer loop

    std::int64_t output_width() const { return input_width * scale; }
    std::int64_t output_height() const { return input_height * scale; }
};

// Errors: InvalidArgument (size < 32 or > 8192, overlap < 0 or >= size, frame or scale not
// positive). A frame no larger than the tile gives one tile (and no second pass).
Result<TilePlan> plan_tiles(std::int64_t input_width,
                            std::int64_t input_height,
                            std::int64_t scale,
                            const TileSettings& settings);

// Tile sides accepted by plan_tiles (UF's range).
inline constexpr std::int64_t kMinTileSize = 32;
inline constexpr std::int64_t kMaxTileSize = 8192;

// Output pixels per latent cell (the VAE's spatial factor): tile origins are aligned to it, and a
// tile's noise is cropped from a full-frame draw in these units.
inline constexpr std::int64_t kLatentCell = 8;

namespace detail {
using Span = std::pair<std::int64_t, std::int64_t>;  // [begin, end) along one axis
std::int64_t align_down(std::int64_t value, std::int64_t multiple);
std::int64_t align_up(std::int64_t value, std::int64_t multiple);
}  // namespace detail

}  // namespace engine::pipeline
