#pragma once
// The job planner: before a job starts, predicts its peak GPU memory, peak host memory, temporary
// disk and duration for the chosen settings, and, when the spec asks for automatic tiles
// (ModelSettings::tile_size == 0), picks the tiling that fits the memory budget with the largest
// tiles. The job runner applies the choice and records it in the manifest (tiles change pixels,
// so a resume must use the same ones); the CLI (`flashvsr plan`, `--plan`) and the GUI print
// JobPlan::summary().
//
// Memory model (FlashVSR, per resident tile or whole frame; "token" = one DiT token of one latent
// frame, i.e. 16x16 output pixels after padding the output to multiples of 128):
//   device peak = weights + resident tiles x tokens x (KV bytes/token + activation bytes/token)
//                 + blend canvases (tiled) ; x kAllocatorOverhead (kExpandableAllocatorOverhead
//                 for one CUDA worker)
// A tile-major run (ModelTileOrder::TileMajor) keeps ONE tile state on the device and no canvas
// (tile outputs go to a scratch file), so its device memory does not grow with the tile count;
// it pays with host memory (the segment's source frames, pinned transfer buffers) and scratch
// disk (the segment's output x the tiles' overlap factor, float32), both
// proportional to the segment length, which the planner caps (JobPlan::max_segment_frames).
// with the constants below, derived from the model (KV) and from our own measurements
// (docs/PERFORMANCE.md: 9.97 GiB at 768x1408, 15.36 GiB at 1024x1920, tiny mode, bf16). With
// calibration (PlannerOptions::calibration = Measure) the weights and the per-token bytes are
// measured instead: one chunk of the actual settings runs on a small crop of the real model on the
// device, and the growth of device memory (NVML used memory on CUDA, process RSS on the CPU) is
// sampled while it runs. Classic scalers (bicubic, Lanczos) need no model: only host memory, disk
// and time.
//
// Threads: every function may be called from any thread; plan_job() with calibration runs the
// model on the calling thread and blocks (seconds on a GPU, minutes with real weights on a CPU).

#include "engine/core/cancel_token.h"
#include "engine/core/frame.h"
#include "engine/core/result.h"
#include "engine/jobs/job_spec.h"
#include "engine/jobs/processor.h"

#include <cstdint>
#include <optional>
#include <string>

namespace engine::jobs {

// ---- Constants of the analytic model (documented in engine/jobs/README.md) ----------------------

// DiT geometry of FlashVSR (Wan2.1-T2V-1.3B): 30 blocks, model width 1536.
inline constexpr int kDitBlocks = 30;
inline constexpr int kDitWidth = 1536;
// Activation bytes per token of one latent frame, per byte of the run dtype, for tiny and
// tiny-long mode. Measured peaks allocated (H100/H200, session 4 code, weights 3.35 GiB): 9.97 GiB
// at 768x1408 untiled (4224 tokens), 9.50 GiB for one 256-pixel tile tile by tile (4096 tokens),
// 14.37 GiB at 1024x1920 (7680): 1.55 MiB per token, minus the KV cache's 1.11 MB (kv_ratio 3)
// = 0.52 MB = 2 x 260,000.
inline constexpr double kActivationBytesPerTokenPerByte = 260000.0;
// Full mode decodes with the Wan VAE (96..384 channels at up to full resolution, each causal conv
// caching 2 input frames). Measured whole jobs at 768x1408 (H100, session 7, bf16, peak
// allocated): tiny 9.52 GiB, full 17.12 GiB, full with the tiled VAE 21.97 GiB (upstream's 9
// overlapping latent tiles, each with its own caches): activations about 4.7x and 7.1x tiny's.
inline constexpr double kFullModeActivationFactor = 4.7;
inline constexpr double kTiledVaeActivationFactor = 7.1;
// Full mode's throughput relative to tiny mode's on the same card (the same whole jobs: tiny
// 66.4 fps, full 24.3, full with the tiled VAE 11.5).
inline constexpr double kFullModeSpeedFactor = 0.37;
inline constexpr double kTiledVaeSpeedFactor = 0.17;
// Caching-allocator slack and fragmentation on top of the allocated peak: with LibTorch's
// default allocator (several GPU workers in one process), and with expandable segments, which
// the CLI sets for one-GPU runs (reserved / allocated measured 1.04-1.05).
inline constexpr double kAllocatorOverhead = 1.10;
inline constexpr double kExpandableAllocatorOverhead = 1.05;
// The part of the free memory the planner leaves alone when no budget is given (other processes,
// the CUDA context, NVML's view lagging the allocator).
inline constexpr double kBudgetHeadroom = 0.90;
// Host memory of the process without frames or model (libraries, CUDA/LibTorch runtime).
inline constexpr std::uint64_t kHostBaseBytes = 768ull << 20;
// FFV1 chunks of upscaled video: bytes relative to raw RGB (measured range 0.35..0.6 on natural
// and synthetic content; the upper end is used so the disk estimate is not optimistic).
inline constexpr double kLosslessChunkRatio = 0.6;
// Speed without calibration, in output pixels per second: our H200 measurement (29.6 fps at
// 768x1408 = 32 Mpx/s, tiny bf16) for CUDA devices, and a FLOP-based estimate for the CPU
// (~3 TFLOP per 768x1408 output frame at ~100 GFLOP/s sustained). Classic scalers and assembly
// (decode the chunks, encode on the CPU): measured with flashvsr-bench-jobs on the 2-core
// development machine (bicubic x2 job at 640x360 output: ~7 fps end to end), so rough and
// machine-dependent; calibrate for anything better.
inline constexpr double kCudaOutputPixelsPerSecond = 32.0e6;
inline constexpr double kCpuOutputPixelsPerSecond = 40.0e3;
inline constexpr double kClassicOutputPixelsPerSecond = 3.0e6;
inline constexpr double kAssembleOutputPixelsPerSecond = 5.0e6;
// Tile sizes the planner and the OOM retry use: multiples of kTileStep, at least kMinTileSize.
inline constexpr int kTileStep = 32;
inline constexpr int kMinTileSize = 64;
// How often one segment is retried with smaller tiles after running out of GPU memory.
inline constexpr int kMaxOomRetries = 4;
// Tile-major runs: host memory the segment's source frames may take (input size, RGB, kept by
// the pipeline until its last tile: bytes for 8-bit sources, float32 for deeper or tone-mapped
// ones); the segment length is capped to stay under it, so host memory does not depend on the
// clip length.
inline constexpr std::uint64_t kTileMajorHostFramesBytes = 4ull << 30;
// Tile-major runs: the part of the work folder's free disk the scratch files (one per worker)
// and the segment chunks together may fill.
inline constexpr double kScratchDiskShare = 0.80;

// ---- Inputs -------------------------------------------------------------------------------------

// The device a job will run on, as the planner sees it.
struct DeviceResources {
    std::string device;  // "cpu", "cuda:0"
    std::string name;    // "NVIDIA H100 80GB HBM3", "CPU (16 threads)"
    bool is_cuda = false;
    int gpu_index = -1;                      // CUDA ordinal, -1 for the CPU
    std::uint64_t memory_total_bytes = 0;    // GPU memory; host RAM for the CPU
    std::uint64_t memory_free_bytes = 0;     // now
    std::uint64_t host_total_bytes = 0;      // physical RAM
    std::uint64_t host_available_bytes = 0;  // MemAvailable
};

// "cpu", "cuda", "cuda:N", "auto" (the first CUDA device NVML lists, else the CPU).
// DeviceUnavailable (with "device") when a CUDA device is named that NVML does not list.
Result<DeviceResources> query_device_resources(const std::string& device);

// The probed input, restricted to the spec's frame range.
struct InputProbe {
    int width = 0;  // source frame size (input pixels)
    int height = 0;
    std::int64_t frames = 0;  // frames of the spec's range [first_frame, end_frame)
    Rational fps;
    int bit_depth = 8;  // significant bits of the source (the chunks keep 8 or 16 bits)
};

// Opens spec.input (exact frame count, as the runner does). FileNotFound, ZeroFrames, ...;
// InvalidArgument when the frame range lies outside the input.
Result<InputProbe> probe_input(const JobSpec& spec);

// ---- Tiles --------------------------------------------------------------------------------------

// A tiling as the pipeline runs it (engine::pipeline::TileSettings). Pixels depend on
// tiled/tile_size/tile_overlap/shift; batch_size only on memory and speed.
struct TileChoice {
    bool tiled = false;
    int tile_size = 0;  // input pixels; 0 when untiled
    int tile_overlap = 0;
    bool shift = false;
    int batch_size = 1;  // tiles resident on the device at once (pipeline's tile_batch_size)
    // Auto in a request; the planner resolves it (FrameMajor or TileMajor) for tiled runs. Like
    // the batch, it changes memory and speed, not pixels.
    ModelTileOrder order = ModelTileOrder::Auto;

    // Same pixels (batch size and order ignored).
    bool same_pixels(const TileChoice& other) const;
    // Whether a run with these tiles goes tile by tile: TileMajor, or Auto with fewer tiles
    // resident than the frame has (the pipeline's rule); never untiled.
    bool tile_major(int tiles_per_frame) const;
    // "untiled", "tiles 384x384 (overlap 24, shifted grid), batch 2",
    // "tiles 768x768 (overlap 24), tile by tile" (TileMajor), "..., batch 1, frame by frame"
    std::string describe() const;
};

// Tiles one frame needs at `scale`: the grid of engine::pipeline::plan_tiles (spec §5.1 with
// origins aligned to one latent cell, short edge tiles shifted back) plus the shifted grid's
// tiles when shift is on (duplicates dropped). 1 when untiled or the tile covers the frame.
int count_tiles(int width, int height, const TileChoice& tiles, int scale = 4);

// The tiling a spec asks for as it stands (tile_size 0 = auto is NOT resolved: tiled with size 0).
TileChoice requested_tiles(const JobSpec& spec);
// The spec with the tiling applied to its model settings (tiled_dit, tile_size, tile_overlap,
// tile_shift, tile_batch_size, tile_order).
JobSpec apply_tiles(JobSpec spec, const TileChoice& tiles);

// The next tiling to try after a GPU out-of-memory error on a frame of width x height: a tile batch
// above 1 is halved first (same pixels); then untiled becomes tiled with tiles of half the frame's
// longer side, and tiled halves the tile size (multiples of kTileStep). std::nullopt when the
// tiles cannot shrink any more (kMinTileSize, or not larger than overlap + kTileStep). A
// tile-major run holds one tile state whatever the batch: its tiles shrink right away.
std::optional<TileChoice> smaller_tiles(const TileChoice& current, int width, int height);

// ---- Prediction ---------------------------------------------------------------------------------

struct ResourcePrediction {
    // GPU memory at the peak (0 for CPU devices, where the model's memory is host memory).
    std::uint64_t peak_gpu_bytes = 0;
    // Process memory at the peak: frames in flight, decoder/encoder, parked tile states, a
    // tile-major segment's source frames and transfer buffers, and the model itself on a CPU
    // device.
    std::uint64_t peak_host_bytes = 0;
    // Temporary disk in the work folder: lossless chunks (video output; none for pictures) plus
    // the tile-major scratch files (scratch_disk_bytes).
    std::uint64_t temp_disk_bytes = 0;
    // Tile-major: the scratch files of the segments running at once (one per worker): fed frames
    // x output pixels x 3 x 4 bytes x the tiles' overlap factor. 0 otherwise.
    std::uint64_t scratch_disk_bytes = 0;
    double upscale_seconds = 0;
    double assemble_seconds = 0;
    double total_seconds() const { return upscale_seconds + assemble_seconds; }
    // Parts of the model memory (device memory on CUDA, host memory on a CPU device).
    std::uint64_t weights_bytes = 0;
    std::uint64_t state_bytes = 0;       // KV caches of resident tiles
    std::uint64_t activation_bytes = 0;  // largest chunk of resident tiles
    std::uint64_t canvas_bytes = 0;      // tile blending canvases
    // Tile-major: host memory of one segment's source frames (per worker).
    std::uint64_t segment_frames_bytes = 0;
};

enum class CalibrationMode {
    Skip,     // analytic model only
    Measure,  // run one chunk on a crop with the real model on the device first
};
enum class PredictionBasis { Analytic, Calibrated };

// What a calibration run measured.
struct Calibration {
    int crop_width = 0;  // input pixels of the crop that ran
    int crop_height = 0;
    int frames = 0;  // frames pushed
    // false when the device's memory could not be read (CUDA without NVML): the prediction then
    // keeps the analytic memory model and takes only the speed from the calibration.
    bool memory_measured = false;
    std::uint64_t weights_bytes = 0;  // memory growth after loading the model
    double bytes_per_token = 0;       // further growth at the peak, per token of the crop
    double seconds_per_output_pixel = 0;
    double wall_ms = 0;
};

struct PlannerOptions {
    CalibrationMode calibration = CalibrationMode::Skip;
    // Frames pushed through the calibration crop: 41 makes FlashVSR run its first (largest)
    // chunk and two steady ones, whose rate the time prediction uses (the first chunk also pays
    // cuDNN autotuning and first allocations: timed alone it predicted 5 fps for a job that ran
    // at 52 on an H100). The crop is the tile size, or at most 256x256 input pixels untiled.
    int calibration_frames = 41;
    CancelToken cancel;
    // The processor the calibration runs (tests inject a fake); empty: make_processor.
    ProcessorFactory processor_factory;
    // Free disk of the job's work folder (tile-major scratch); empty: read from the file system
    // at checkpoint_dir_for(spec) (or its nearest existing parent).
    std::optional<std::uint64_t> work_folder_free_bytes;
};

struct JobPlan {
    DeviceResources device;
    InputProbe input;
    TileChoice tiles;         // what the job will run with (auto resolved)
    int tiles_per_frame = 1;  // count_tiles() of the input with `tiles`
    bool auto_tiles = false;  // the spec asked for tile_size 0
    std::uint64_t budget_bytes =
        0;             // memory the model had to fit: memory_budget or free x headroom
    bool fits = true;  // prediction within the budget (false: even the smallest tiles
                       // do not fit; the job may still try, and the OOM retry helps)
    PredictionBasis basis = PredictionBasis::Analytic;
    std::optional<Calibration> calibration;
    ResourcePrediction prediction;
    std::string reason;  // why these tiles, one sentence with numbers
    // Tile-major runs: the most frames one segment may be fed (overlap included) so that its
    // source frames stay under kTileMajorHostFramesBytes and the scratch files fit the work
    // folder's free disk; never below min_segment_frames + 2 x segment_overlap. The runner cuts
    // the segments with it (when it is below the spec's own limit). 0: no cap (frame-major).
    std::int64_t max_segment_frames = 0;
    std::uint64_t work_folder_free_bytes = 0;  // what the cap was computed with

    // One line for people: "auto chose tiles 384x384, 6 tiles, batch 2, predicted 9.1 GiB of
    // 20.0 GiB budget on cuda:0 (NVIDIA H100 80GB HBM3)"; tile-major: "... 6 tiles, tile by
    // tile, predicted ..., scratch 12.3 GiB".
    std::string summary() const;
};

// Predicts and (tile_size 0) chooses tiles. InvalidArgument for an unusable spec or input;
// calibration errors (ModelFileMissing, DeviceUnavailable, OutOfMemory, Cancelled) are returned
// as they are.
Result<JobPlan> plan_job(const JobSpec& spec,
                         const InputProbe& input,
                         const DeviceResources& device,
                         const PlannerOptions& options = {});

// The plan as JSON (pretty-printed; the run report embeds the same object).
std::string to_json(const JobPlan& plan);

}  // namespace engine::jobs
