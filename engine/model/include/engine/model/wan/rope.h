#pragma once
// 3-D rotary position embedding of the Wan DiT (spec §2.1.3). Tables and the rotation use
// float64 / complex128, exactly as upstream, and the result is cast back to the run dtype.

#include "engine/torch.h"

#include <cstdint>

namespace engine::model::wan {

// Positions 0..1023 exist per axis. The temporal position of chunk k's last latent is 5 + 2k, so
// one streaming run supports at most 510 chunks (4093 output frames); see kMaxOutputFrames.
constexpr std::int64_t kRopeMaxPositions = 1024;

// Per-axis tables, complex128 on the CPU: temporal [1024, d_t/2], height and width [1024, d_s/2],
// with d_s = head_dim / 3 (integer division) and d_t = head_dim - 2 d_s (44/42/42 for 128).
// Entry (p, j) = exp(i * p * theta^(-2j/d)) with the frequency computed as 1 / theta^(2j/d).
struct RopeTables {
    torch::Tensor frames;
    torch::Tensor height;
    torch::Tensor width;
};
RopeTables make_rope_tables(std::int64_t head_dim,
                            std::int64_t max_positions = kRopeMaxPositions,
                            double theta = 10000.0);

// Rotation factors of a token grid in (f, h, w) order, w fastest: complex128
// [f*h*w, 1, head_dim/2], temporal positions frame_offset .. frame_offset+f-1. Throws
// EngineException(InvalidArgument) when a position is outside the tables.
torch::Tensor rope_freqs(const RopeTables& tables,
                         std::int64_t frame_offset,
                         std::int64_t frames,
                         std::int64_t height,
                         std::int64_t width);

// x [B, L, heads*head_dim] (any real dtype), freqs [L, 1, head_dim/2] complex128 on x's device.
// Channel pairs (2j, 2j+1) are (real, imag). Returns x's dtype.
torch::Tensor apply_rope(const torch::Tensor& x,
                         const torch::Tensor& freqs,
                         std::int64_t num_heads);

}  // namespace engine::model::wan
