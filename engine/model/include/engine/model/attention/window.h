#pragma once
// 3-D window partition of a token grid (spec §2.1.2 step 3). A window is wf x wh x ww tokens
// (2 x 8 x 8 = 128 in FlashVSR). Windows are ordered (t_win, y_win, x_win) with x fastest; tokens
// inside a window (dt, dy, dx) with dx fastest. Pure reshapes: any dtype, any device.

#include "engine/torch.h"

#include <cstdint>

namespace engine::model::attention {

struct WindowShape {
    std::int64_t frames = 2;
    std::int64_t height = 8;
    std::int64_t width = 8;
    std::int64_t tokens() const { return frames * height * width; }
};

// x [B, F, H, W, C] (F, H, W multiples of the window) -> [B * nWin, wf*wh*ww, C], contiguous.
torch::Tensor window_partition(const torch::Tensor& x, WindowShape window = {});

// Inverse of window_partition: [B * nWin, tokens, C] -> [B, F, H, W, C], contiguous.
torch::Tensor window_reverse(const torch::Tensor& windows,
                             WindowShape window,
                             std::int64_t frames,
                             std::int64_t height,
                             std::int64_t width);

}  // namespace engine::model::attention
