#pragma once
// What the two Upscaler implementations share (private header): the frame-order StreamingUpscaler
// (upscaler.cpp) and the tile-major one (tile_major.cpp). Threads: the upscaler's one driving
// thread.

#include "engine/core/error.h"
#include "engine/core/frame.h"
#include "engine/core/result.h"
#include "engine/pipeline/frame_rule.h"
#include "engine/pipeline/input_prep.h"
#include "engine/torch.h"

#include <cstdint>
#include <exception>
#include <string>
#include <vector>

namespace engine::pipeline::detail {

inline constexpr std::int64_t kLatentChannels = 16;

// EngineException -> its Error; "out of memory" messages -> OutOfMemory; the rest -> Internal.
Error exception_to_error(const std::exception& e);

// The checks push() makes before buffering a frame: size and sample count match the geometry,
// and fewer than kMaxSourceFrames came before (`received`). InvalidArgument otherwise.
Status check_input_frame(const Frame& frame, const LqGeometry& geometry, std::int64_t received);

// "cuda:0 bf16", "cpu fp32".
std::string describe_device(const torch::Device& device, torch::ScalarType dtype);

// A chunk's output video [1, 3, T, H, W] in [-1, 1] (any floating dtype, any device) as frames
// [T, height, width, 3] of `type`, contiguous, on the same device, cropped to height x width.
// F32: ((v + 1) * 0.5).clamp(0, 1) in float32 (the run's colour range); U8 / U16: that value
// times 255 / 65535, rounded half away from zero: what from_float() makes of the F32 frame, bit
// for bit. U16 comes as int16 holding the uint16 bit patterns (LibTorch 1.13 has no uint16).
torch::Tensor output_frames(const torch::Tensor& video,
                            std::int64_t height,
                            std::int64_t width,
                            SampleType type);

// `t` on `device` without waiting for the device. A copy from pageable host memory to a CUDA
// device waits for all the work queued on the stream (here the chunk in flight, so every
// push() drained the GPU); this one stages the values in pinned memory (LibTorch's caching host
// allocator keeps the block until the copy is done) and copies without blocking. Elsewhere, or
// for a tensor already on a device: t.to(device).
torch::Tensor to_device_async(const torch::Tensor& t, const torch::Device& device);

// The bit depth that goes with an output sample type: 8, 16, 32.
int bit_depth_of(SampleType type);

// `count` output frames of `type` (bit_depth 8, 16 or 32), width x height, zero-filled.
// Allocated side by side on ATen's intra-op threads: a fresh ~100 MB frame faults its pages in
// while it is zero-filled, tens of ms on one core.
std::vector<Frame> allocate_output_frames(std::int64_t count,
                                          int width,
                                          int height,
                                          SampleType type);

// Metadata of a pushed frame, copied onto its output frame.
struct PendingFrame {
    std::int64_t index = 0;
    std::int64_t pts = 0;
    Rational time_base{1, 1};
};

// The initial latent noise of every chunk: slices of a noise file, or one draw per chunk (in the
// run dtype on the run device) from a private generator seeded once. Draws follow chunk order,
// so chunk k gets the same values whatever visits the chunks: with Replay::Keep the generator
// state before each draw is kept (a few KiB per chunk on the CPU, two integers on CUDA), so a
// chunk drawn before is drawn again from its saved state instead of keeping the draw itself
// (at 4K one chunk's draw is ~9 MB; the tile-major order needs every chunk once per tile).
class ChunkNoise {
  public:
    enum class Replay { None, Keep };
    // noise_file: [1, 16, T, rows, cols] float32 or undefined (then seeded draws).
    ChunkNoise(torch::Tensor noise_file,
               std::uint64_t seed,
               torch::Device device,
               torch::ScalarType dtype,
               Replay replay);

    // [1, 16, span.latent_end - span.latent_begin, rows, cols] of chunk `chunk`. Without
    // Replay::Keep chunks must come in order 0, 1, 2, ...; with it, any chunk up to one past
    // the last drawn. A noise file shorter than the run: InvalidArgument (thrown).
    torch::Tensor draw(std::int64_t chunk, std::int64_t rows, std::int64_t cols);

  private:
    torch::Tensor m_file;
    at::Generator m_generator;
    std::vector<at::Generator> m_saved;  // state before chunk k's draw (Replay::Keep)
    std::int64_t m_drawn = 0;            // chunks drawn from m_generator
    torch::Device m_device;
    torch::ScalarType m_dtype;
    Replay m_replay;
};

}  // namespace engine::pipeline::detail
