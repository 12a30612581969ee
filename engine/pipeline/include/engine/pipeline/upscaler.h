#pragma once
// The streaming FlashVSR upscaler (spec §3.7): LQ frames in, HQ frames out, state bounded, so a
// video of any length streams through with constant memory. One instance = one run (fresh caches);
// it is driven by one thread at a time (on a GPU it builds each chunk's output Frames on a
// helper thread of its own while the next chunk is queued; events and results come on the
// driving thread).

#include "engine/core/cancel_token.h"
#include "engine/core/frame.h"
#include "engine/core/result.h"

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace engine::pipeline {

enum class Mode { Tiny, TinyLong, Full };
enum class Precision { FP32, FP16, BF16 };
enum class ColorFix { None, AdaIN, Wavelet };
enum class ModelVersion { V10, V11 };
// Which bicubic pre-upscale the model input uses (spec §3.1).
enum class LqResample { TorchBicubic, PilBicubic };
enum class AttentionBackend { Auto, Reference, BlockSparseKernel };
// In which order a tiled run visits (tile, chunk) pairs.
//  FrameMajor: chunk after chunk, every tile per chunk; tiles whose streaming state is not
//    resident wait parked in host memory (each park moves the tile's KV caches both ways).
//  TileMajor: tile after tile, each running every chunk of the run with its state resident, the
//    blend-weighted output of all but the last written to scratch files; frames come out while
//    the last tile runs (see Upscaler::finish). One tile state on the device, no parked states:
//    the low-VRAM order.
//    Device memory does not grow with the tile count, host memory holds the run's source frames.
//  Auto: TileMajor when not every tile's state is resident at once, FrameMajor otherwise.
// Both orders give the same frames (same crops, noise and blend; float32 sums in tile order).
enum class TileOrder { Auto, FrameMajor, TileMajor };

// Spatial tiling of the whole pipeline (spec §5, "tiled DiT"): every tile runs projector, DiT,
// decoder and colour fix with its own streaming state and its crop of one full-frame noise draw;
// tile outputs are blended with weights that sum to one everywhere. Geometry in input (LQ)
// pixels; design and the upstream quirks we fix: engine/pipeline/README.md.
struct TileSettings {
    bool enabled = false;  // --tiled_dit
    int size = 256;        // --tile_size: tile side in input pixels
    int overlap = 24;      // --tile_overlap: input pixels shared by neighbouring tiles
    bool shift = true;     // --tile_shift: a second grid offset by stride/2, averaged in
    // --tile_batch_size: tiles whose streaming state stays on the run device at once, 0 = auto
    // (all on the CPU; from free memory on CUDA). The networks take one tile per call (B = 1),
    // so tiles always run back to back; in the FrameMajor order the others wait parked in host
    // memory (tiling.h); with Auto, a batch below the tile count selects TileMajor instead.
    int batch_size = 0;
    bool adaptive_batch = true;         // --adaptive_tile_batch: halve the batch on out-of-memory
    TileOrder order = TileOrder::Auto;  // --tile_order
};

struct UpscalerConfig {
    std::filesystem::path model_dir;  // folder with the FlashVSR files for the version
    ModelVersion version = ModelVersion::V11;
    Mode mode = Mode::Tiny;
    std::string device = "auto";         // "auto", "cpu", "cuda", "cuda:N"
    std::optional<Precision> precision;  // default: bf16 on CUDA, fp32 on CPU
    int scale = 4;                       // bicubic pre-upscale factor (2, 3, 4)
    double sparse_ratio = 2.0;
    double kv_ratio = 3.0;
    int local_range = 11;
    std::uint64_t seed = 0;
    ColorFix color_fix = ColorFix::AdaIN;
    LqResample lq_resample = LqResample::TorchBicubic;
    AttentionBackend attention = AttentionBackend::Auto;
    bool tiled_vae = false;  // full mode only
    TileSettings tiling;
    // Moves the DiT weights to the host while decoding (saves VRAM in full mode on CUDA; a no-op
    // with a log line on the CPU and in tiny modes).
    bool unload_dit = false;
    // Where a TileMajor run writes its tile outputs (removed when the run ends or is destroyed);
    // empty: the system temporary folder. A job passes its work folder.
    std::filesystem::path scratch_dir;
    // Tests: initial latent noise [1,16,T_lat,H/8,W/8] float32 from a safetensors file ("noise").
    std::optional<std::filesystem::path> noise_file;
    // Sample type of the frames handed out. U8 / U16 are rounded once where the frames are made
    // (on the GPU for a CUDA run), to exactly what from_float() makes of the F32 frame, so a
    // caller that stores integers gets the same values with 4x / 2x less to copy off the card
    // and nothing left to convert. Their bit_depth is 8 / 16 (F32: 32).
    SampleType output_type = SampleType::F32;
};

// Called on the driving thread after each chunk; must not block. A TileMajor run calls it after
// every (tile, chunk) with the frames emitted so far (0 before the last tile) and a stage like
// "tile 3/10, chunk 5/12", and after every slice of frames that finish() hands out
// ("frames 22-29/40"); the last tile's chunk k+1 is reported before chunk k's slice.
struct UpscalerEvents {
    std::function<void(std::int64_t frames_emitted, const std::string& stage)> on_chunk;
};

// LibTorch's CUDA caching allocator on `device` ("cuda", "cuda:N"): bytes it holds now and the
// most it held since reset_allocator_peak() (what a run needs of the card, without the CUDA
// context). nullopt on the CPU, for a device that does not exist, or without a CUDA LibTorch.
// Any thread.
struct AllocatorBytes {
    std::uint64_t reserved = 0;
    std::uint64_t peak_reserved = 0;
};
std::optional<AllocatorBytes> allocator_bytes(const std::string& device);
void reset_allocator_peak(const std::string& device);

class Upscaler {
  public:
    virtual ~Upscaler() = default;
    // Loads the model files (strict) and prepares constants for frames of input_width x
    // input_height. Errors carry ModelFileMissing / ModelWrongFile / ... / DeviceUnavailable.
    static Result<std::unique_ptr<Upscaler>> create(const UpscalerConfig& config,
                                                    int input_width,
                                                    int input_height,
                                                    UpscalerEvents events = {});

    // Output size: exactly scale x input (padding to multiples of 128 is internal and cropped).
    virtual int output_width() const = 0;
    virtual int output_height() const = 0;

    // Feeds one LQ frame (any SampleType, RGB, input size). Appends to `out` every output frame
    // that became final (config.output_type, 0..1 for F32, output size, `index` = source frame
    // index, pts copied).
    virtual Status push(const Frame& lq_frame, std::vector<Frame>& out) = 0;
    // End of input: pads with repeats of the last frame, runs the remaining chunks and appends
    // finished frames, so that exactly as many frames come out as went in. A TileMajor run
    // hands the frames out in slices (bounded host memory): its first finish() call computes
    // every tile but the last and appends the frames of the last tile's first chunk (21), each
    // later call runs one more chunk of the last tile and appends the chunk before it (8; the
    // last one its real frames). Call finish() again until a call appends nothing; once
    // everything came out it returns OK and appends nothing.
    virtual Status finish(std::vector<Frame>& out) = 0;

    virtual void set_cancel_token(CancelToken token) = 0;
    // e.g. "cuda:0 bf16" or "cpu fp32"
    virtual std::string device_description() const = 0;
};

}  // namespace engine::pipeline
