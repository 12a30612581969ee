#include "engine/model/attention/window.h"

namespace engine::model::attention {

torch::Tensor window_partition(const torch::Tensor& x, WindowShape window) {
    TORCH_CHECK(x.dim() == 5, "window_partition: x must be [B, F, H, W, C], got ", x.sizes());
    const auto batch = x.size(0);
    const auto frames = x.size(1);
    const auto height = x.size(2);
    const auto width = x.size(3);
    const auto channels = x.size(4);
    TORCH_CHECK(
        frames % window.frames == 0 && height % window.height == 0 && width % window.width == 0,
        "window_partition: grid ", frames, "x", height, "x", width,
        " is not a multiple of the window ", window.frames, "x", window.height, "x", window.width);
    return x
        .view({batch, frames / window.frames, window.frames, height / window.height, window.height,
               width / window.width, window.width, channels})
        .permute({0, 1, 3, 5, 2, 4, 6, 7})
        .reshape({-1, window.tokens(), channels});
}

torch::Tensor window_reverse(const torch::Tensor& windows,
                             WindowShape window,
                             std::int64_t frames,
                             std::int64_t height,
                             std::int64_t width) {
    TORCH_CHECK(windows.dim() == 3 && windows.size(1) == window.tokens(),
                "window_reverse: windows must be [nWin, ", window.tokens(), ", C], got ",
                windows.sizes());
    const auto nf = frames / window.frames;
    const auto nh = height / window.height;
    const auto nw = width / window.width;
    const auto per_batch = nf * nh * nw;
    TORCH_CHECK(per_batch > 0 && windows.size(0) % per_batch == 0,
                "window_reverse: ", windows.size(0), " windows do not tile ", frames, "x", height,
                "x", width);
    const auto batch = windows.size(0) / per_batch;
    const auto channels = windows.size(2);
    return windows.view({batch, nf, nh, nw, window.frames, window.height, window.width, channels})
        .permute({0, 1, 4, 2, 5, 3, 6, 7})
        .reshape({batch, frames, height, width, channels});
}

}  // namespace engine::model::attention
