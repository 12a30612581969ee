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
