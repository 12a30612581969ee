#pragma once
// A 3x3 convolution (stride 1, zero padding 1) with few output channels (1 to 8) over a
// channels-last image: the TCDecoder's last layer (128 -> 3 channels at the output resolution).
// cuDNN runs this shape on a slow generic kernel (≈ 20 TFLOP/s: 3 ms per 768x1408 chunk); here the
// products run on tensor cores (mma.sync m16n8k16, fp32 accumulators) with the output channels
// padded to 8, so the kernel is bound by reading its input once. Plain CUDA API (no torch).
//
// Semantics, for image n, output channel o, pixel (y, x):
//   acc = Σ_{dy,dx ∈ 0..2} Σ_c x[n, y+dy-1, x+dx-1, c] · w[dy, dx, o, c]   (fp32; zero outside)
//   out[n, o, y, x] = round(acc)                     without bias
//                   = round(round(acc) + bias[o])    with bias
// (round = to the run dtype): what PyTorch's CUDA Conv2d with bias computes (the convolution
// rounds, then the bias is added as a separate op). The fp32 sum runs in another order than
// cuDNN's, so results may differ from it by one rounding step.
//
// Threading: enqueues on `stream` only; thread-safe.

#include "kernels/block_sparse_attention.h"
#include "kernels/status.h"

#include <cuda_runtime_api.h>

#include <cstdint>

namespace kernels {

constexpr int kNarrowConvMaxOut = 8;

struct NarrowConvParams {
    ScalarType dtype = ScalarType::kBFloat16;
    int images = 0;        // N
    int height = 0;        // H
    int width = 0;         // W
    int channels = 0;      // C: a positive multiple of 16
    int out_channels = 0;  // 1 .. 8
    // x [N, H, W, C] contiguous (channels-last), 16-byte aligned.
    const void* x = nullptr;
    // Packed weights [3, 3, 8, C] of the run dtype, contiguous: w[dy, dx, o, c], zero for
    // o ≥ out_channels (narrow_conv_pack_weights in the torch binding builds it).
    const void* weight = nullptr;
    const void* bias = nullptr;  // optional [out_channels] of the run dtype
    // out[n, o, y, x] at n·out_image_stride + o·out_channel_stride + y·out_row_stride + x
    // (elements; x contiguous): e.g. an NCHW frame inside a larger [B, 3, T, H, W] video.
    void* out = nullptr;
    int64_t out_image_stride = 0;
    int64_t out_channel_stride = 0;
    int64_t out_row_stride = 0;
};

KernelStatus narrow_conv3x3(const NarrowConvParams& params, cudaStream_t stream);

}  // namespace kernels
