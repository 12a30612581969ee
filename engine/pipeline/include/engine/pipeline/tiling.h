#pragma once
// Spatial tiling of the whole pipeline ("tiled DiT", spec §5) without seams:
//  - plan_tiles(): the tile grid in input (LQ) pixels, upstream's geometry (spec §5.1 step 1, the
//    short edge tile shifted back) with tile origins aligned so that scale x origin is a multiple
//    of 8 (one latent cell): the noise of every tile can then be cropped from one full-frame draw
//    and overlapping tiles see the same noise at the same image position. The optional second
//    grid (tile_shift) is offset by half a stride.
//  - TiledChunkRunner: runs one chunk of every tile (any TilePipeline: FlashVsrStream in
//    production, fakes in tests) and blends the tile outputs into a float32 canvas on the run
//    device. Blend weights: a separable linear ramp across the overlap on inner tile sides only
//    (never on a side that lies on the image border), every tile's weight divided by the sum over
//    all tiles of both grids, so that the weights sum to one at every output pixel and no pixel
//    has weight 0. A tile is placed exactly where it was cut: its model input is its region of the
//    full bicubic frame, extended to a multiple of 128 with the image content to its right/bottom
//    (replicated edge past the image), and only its own region of the output is kept.
//
// Threads: a TiledChunkRunner is driven by one thread at a time, like the streams it owns.

#include "engine/core/cancel_token.h"
#include "engine/core/result.h"
#include "engine/pipeline/tile_plan.h"
#include "engine/pipeline/upscaler.h"
#include "engine/torch.h"

#include <cstdint>
#include <functional>
#include <memory>
#include <utility>
#include <vector>

namespace engine::pipeline {

// The blend weights of every tile, [scale*h, scale*w] float32 on the CPU, already divided by the
// sum over all tiles (so they sum to one at every output pixel).
std::vector<torch::Tensor> tile_blend_weights(const TilePlan& plan);

// Latent rows and columns (8 output pixels each) that one full-frame noise draw must cover so
// that every tile's padded extent can be cropped from it: {rows, cols}.
std::pair<std::int64_t, std::int64_t> tile_noise_extent(const TilePlan& plan);

// Latent cells a tile's noise crop starts at: {row, column} of plan.tiles[tile]'s origin.
std::pair<std::int64_t, std::int64_t> tile_noise_origin(const TilePlan& plan, std::size_t tile);

// plan.tiles[tile]'s noise from one full-frame draw: noise [1, C, f, NH, NW] with NH, NW at least
// tile_noise_extent(plan) -> [1, C, f, padded_height / 8, padded_width / 8], a view (no copy).
// Both tile orders crop with it, so a tile sees the same noise in either.
torch::Tensor tile_noise_crop(const torch::Tensor& noise, const TilePlan& plan, std::size_t tile);

// True for an allocation failure: c10::OutOfMemoryError, or an error whose message says "out of
// memory" (CUDA) or "can't allocate memory" (LibTorch's CPU allocator).
bool is_out_of_memory(const std::exception& error);

// One tile's streaming pipeline as the runner drives it. Called on the driving thread only.
class TilePipeline {
  public:
    virtual ~TilePipeline() = default;
    // Stage 1 of the tile's next chunk (LQ projector + DiT): lq [1, 3, n, ph, pw] and noise
    // [1, C, f, ph/8, pw/8] (ph, pw = the tile's padded size) -> the intermediate (latents).
    virtual torch::Tensor run_first_stage(const torch::Tensor& lq, const torch::Tensor& noise) = 0;
    // Stage 2 (decoder + colour fix): -> [1, 3, frames, ph, pw] in the model range.
    virtual torch::Tensor run_second_stage(const torch::Tensor& intermediate,
                                           const torch::Tensor& cond) = 0;
    // A closure that puts the streaming state back to what it is now (used after a failed stage).
    virtual std::function<void()> restore_point() = 0;
    // Moves the streaming state (caches, memories) to `device` (parking on the host).
    virtual void move_state_to(const torch::Device& device) = 0;
    virtual std::int64_t state_bytes() const = 0;
};

struct TiledRunnerOptions {
    torch::Device device = torch::kCPU;       // where the canvas and weights live
    torch::Device park_device = torch::kCPU;  // where non-resident tile states wait
    // Tiles whose state is resident on `device` at once (>= 1; larger than the tile count means
    // all). With fewer, tiles run in batches of this size and the others wait parked.
    std::int64_t batch_size = 1;
    // On out-of-memory: restore the failed tile's state, park every other tile, release cached
    // memory, halve the batch size and retry. The restore point keeps the tile's previous state
    // alive while a stage runs (one tile state of extra memory). false: no restore points, the
    // error propagates at once.
    bool adaptive_batch = true;
    std::function<void()> release_cached_memory;  // e.g. the CUDA caching allocator's emptyCache
};

struct TiledRunnerStats {
    std::int64_t out_of_memory_retries = 0;
    std::int64_t states_parked = 0;    // move_state_to(park_device) calls
    std::int64_t states_restored = 0;  // restore_point closures run
};

// Runs the tiles of a TilePlan chunk by chunk. Per chunk, batch after batch: stage 1 for every
// tile of the batch, then stage 2 for every tile of the batch (so a stage-1 model shared by the
// tiles, such as the DiT with unload_dit, moves at most once per batch), each output multiplied
// by its blend weight and added to the canvas. A failed stage is retried from its restore point
// (see TiledRunnerOptions::adaptive_batch); tiles that already finished keep their contribution.
class TiledChunkRunner {
  public:
    // tiles[i] runs plan.tiles[i] (same order and count). Throws EngineException
    // (InvalidArgument) on a count mismatch.
    TiledChunkRunner(TilePlan plan,
                     std::vector<std::unique_ptr<TilePipeline>> tiles,
                     TiledRunnerOptions options);

    // One chunk of every tile.
    //  lq    [1, 3, n, H, W]: full bicubic frames in the model range, H >= scale*input_height;
    //        rows/columns past H, W read as the last one (replicate).
    //  cond  [1, 3, frames, H, W]: the same for the chunk's output frames.
    //  noise [1, C, f, NH, NW] with NH >= noise_rows(), NW >= noise_cols(): one full-frame draw.
    // Returns [1, 3, frames, scale*input_height, scale*input_width] float32 on options.device,
    // in the model range. Throws what the tiles throw (out-of-memory after the retries ran out).
    torch::Tensor run_chunk(const torch::Tensor& lq,
                            const torch::Tensor& cond,
                            const torch::Tensor& noise);

    // Checked before every tile stage: a cancelled token ends run_chunk() with EngineException
    // (Cancelled); the tile states are then mid-chunk, so the run cannot continue.
    void set_cancel_token(CancelToken token) { m_cancel = std::move(token); }

    // Latent rows / columns a noise draw must cover (every tile's padded extent).
    std::int64_t noise_rows() const { return m_noise_rows; }
    std::int64_t noise_cols() const { return m_noise_cols; }
    std::int64_t batch_size() const { return m_batch_size; }
    const TilePlan& plan() const { return m_plan; }
    const TiledRunnerStats& stats() const { return m_stats; }
    // Sum of the tile weights at every output pixel, [H, W] float32 (tests).
    torch::Tensor weight_sum() const;

  private:
    template <typename Stage>
    torch::Tensor run_stage(std::size_t tile, const Stage& stage);
    void ensure_resident(std::size_t tile);
    void park(std::size_t tile);

    TilePlan m_plan;
    std::vector<std::unique_ptr<TilePipeline>> m_tiles;
    TiledRunnerOptions m_options;
    std::vector<torch::Tensor> m_weights;  // per tile [1, 1, 1, s*h, s*w] float32 on the device
    std::vector<bool> m_resident;
    std::int64_t m_batch_size = 1;
    std::int64_t m_noise_rows = 0;
    std::int64_t m_noise_cols = 0;
    TiledRunnerStats m_stats;
    CancelToken m_cancel;
};

}  // namespace engine::pipeline
