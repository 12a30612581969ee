#pragma once
// The tile-major order of a tiled run (TileOrder::TileMajor, private header): tile after tile,
// each runs every chunk of the run with its streaming state resident on the run device, and its
// blend-weighted output goes to a scratch file; once every tile ran, each output frame is the sum
// of the tiles' contributions read back from the files, handed out a slice per finish() call.
//
// Memory: the device holds the weights, one tile's state and one chunk's working tensors; host
// memory holds the source frames pushed (input size; they grow with the run, which the caller
// bounds by segmenting) and one slice of output frames. Each tile's model input is resampled per
// chunk from a crop of the source frames (prepare_lq_region), never from full output-size frames.
// Scratch: bytes_per_frame() x frames on disk while the run lasts.
//
// Same frames as the frame-major order (TiledChunkRunner): the same LQ, cond and noise crops per
// tile and chunk (noise replayed per chunk from saved generator states, see ChunkNoise), the same
// weights, float32 sums in tile order.

#include "engine/pipeline/flashvsr_stream.h"
#include "engine/pipeline/input_prep.h"
#include "engine/pipeline/tile_plan.h"
#include "engine/pipeline/upscaler.h"
#include "upscaler_common.h"

#include <cstdint>
#include <memory>

namespace engine::pipeline::detail {

struct TileMajorSetup {
    UpscalerConfig config;  // scratch_dir, lq_resample, device description
    UpscalerEvents events;
    LqGeometry geometry;
    TilePlan plan;
    // Holds the weights, settings and prompt K/V; every tile runs on a create_sibling() of it
    // (its own state is never used, so it stays empty).
    std::unique_ptr<FlashVsrStream> base;
    ChunkNoise noise;  // with Replay::Keep
};

std::unique_ptr<Upscaler> make_tile_major_upscaler(TileMajorSetup setup);

// Scratch bytes per output frame: every tile's kept region, float32 RGB.
std::int64_t tile_major_scratch_bytes_per_frame(const TilePlan& plan);

}  // namespace engine::pipeline::detail
