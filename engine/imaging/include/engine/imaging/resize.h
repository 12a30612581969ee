#pragma once
// Classic scalers on engine::Frame. Both are separable (a horizontal pass, then a vertical one),
// compute in float32 and split rows over std::thread.
//
//  - Bicubic reproduces PyTorch's F.interpolate(mode="bicubic", align_corners=False) on float32
//    tensors: Keys cubic with a = -0.75, source coordinate (dst + 0.5) * in/out - 0.5, source
//    indices clamped at the borders, no antialiasing when downscaling, no clamping of the result
//    (values may overshoot [0, 1] near edges). The weights and the order of the float additions
//    follow PyTorch's CPU kernel, so results agree to the last bit or two.
//  - Lanczos3 (a = 3) widens its kernel by the scale factor when downscaling (antialiased, as
//    FFmpeg's and Pillow's), drops taps outside the image and renormalises the rest, so a
//    constant image stays constant. No clamping of F32 output either.
//
// Threads: every function here is stateless and may be called from any thread concurrently.

#include "engine/core/frame.h"
#include "engine/core/result.h"

#include <optional>

namespace engine::imaging {

enum class ResizeFilter { Bicubic, Lanczos3 };

struct ResizeOptions {
    ResizeFilter filter = ResizeFilter::Bicubic;
    // Sample type of the result; default: the input's. Integer outputs are clamped to [0, 1]
    // and rounded to nearest (engine::from_float).
    std::optional<SampleType> output_type;
    int threads = 0;  // 0 = std::thread::hardware_concurrency()
};

// Resizes an RGB frame to width x height (any size >= 1, up or down, each axis independently).
// pts, index and time_base are copied; bit_depth is kept (capped at 8 for U8 output, 32 for F32
// output of an F32 input). InvalidArgument for an empty or inconsistent input or a size < 1.
Result<Frame> resize(const Frame& input, int width, int height, const ResizeOptions& options = {});

// The same arithmetic on a raw interleaved float image of `channels` channels (rows packed, no
// padding), for callers that hold their own buffers. `dst` must hold dst_width * dst_height *
// channels floats and must not overlap `src`. Sizes and channels must be >= 1.
void resize_interleaved(const float* src,
                        int src_width,
                        int src_height,
                        int channels,
                        float* dst,
                        int dst_width,
                        int dst_height,
                        ResizeFilter filter,
                        int threads = 0);

}  // namespace engine::imaging
