#pragma once
// Colour correction of decoded frames against the bicubic LQ frames (spec §2.7). Every upstream
// pipeline uses AdaIN; the wavelet variant (high frequencies of the decoded frame + low
// frequencies of the LQ frame) is available as an option.
//
// All maths is per frame and per channel, so frames are processed in chunks of
// ColorFixOptions::frames_per_chunk to bound temporary memory; chunking never changes a value.
// Half/bfloat16 inputs are computed in float32 and rounded back once (upstream computes in the
// run dtype; float32 is the more accurate of the two and equal for float32 runs).
//
// Threads: pure functions; safe to call concurrently on different tensors.

#include "engine/torch.h"

#include <cstdint>

namespace engine::pipeline {

enum class ColorFixMethod { AdaIN, Wavelet };

struct ColorFixOptions {
    ColorFixMethod method = ColorFixMethod::AdaIN;
    std::int64_t frames_per_chunk = 16;  // upstream uses 16
    int wavelet_levels = 5;              // dilations 1, 2, 4, ... 2^(levels-1)
};

// hq: the decoder output, lq: the bicubic LQ frames (style), both in the model range [-1, 1].
// Layout: [B, 3, T, H, W] (BCTHW, as the decoders return it) or [T, 3, H, W] (one tensor per
// frame stacked); hq and lq must have the same shape. lq may live on another device or have
// another dtype (e.g. host float32); each chunk is moved to hq's device.
// Returns a new tensor with hq's shape, dtype and device, clamped to [-1, 1].
torch::Tensor color_fix(const torch::Tensor& hq,
                        const torch::Tensor& lq,
                        const ColorFixOptions& options = {});

// The same, written into hq (which must not overlap lq); avoids a second full-size tensor.
void color_fix_(torch::Tensor& hq, const torch::Tensor& lq, const ColorFixOptions& options = {});

// Building blocks on [N, C, H, W], computed in the input dtype, not clamped.
// AdaIN per (n, c): (content − μc) / σc · σs + μs with σ = sqrt(population variance + 1e-5).
torch::Tensor adain(const torch::Tensor& content, const torch::Tensor& style);

// Depthwise 3x3 blur [[1,2,1],[2,4,2],[1,2,1]]/16 with dilation `radius` and replicate padding.
torch::Tensor wavelet_blur(const torch::Tensor& x, std::int64_t radius);

struct WaveletBands {
    torch::Tensor high;  // sum over levels of (low_i − blur(low_i, 2^i))
    torch::Tensor low;   // the last blur
};
// high + low == x up to rounding.
WaveletBands wavelet_decompose(const torch::Tensor& x, int levels);

// wavelet_decompose(content).high + wavelet_decompose(style).low
torch::Tensor wavelet_reconstruct(const torch::Tensor& content,
                                  const torch::Tensor& style,
                                  int levels);

}  // namespace engine::pipeline
