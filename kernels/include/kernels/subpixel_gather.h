#pragma once
// The last step of a sub-pixel convolution (nearest x2 upsampling then a 3x3 convolution, done as
// one 2x2 convolution with four output phases; the TCDecoder's upsampling layers): every phase's
// channels moved to their output pixels in one pass, 16 bytes per thread. Plain CUDA API.
//
// Semantics, for image n, output pixel (2y + a, 2x + b), channel c < m:
//   out[n, 2y + a, 2x + b, c] = in[n, y + a, x + b, (2a + b)·m + c]
// with in [N, H+1, W+1, 4m] and out [N, 2H, 2W, m], both contiguous (channels-last images).
// A pure copy (bit exact).
//
// Threading: enqueues on `stream` only; thread-safe.

#include "kernels/status.h"

#include <cuda_runtime_api.h>

#include <cstdint>

namespace kernels {

struct SubpixelGatherParams {
    int element_bytes = 2;     // 2 or 4: the copy does not look at values
    int images = 0;            // N
    int height = 0;            // H: low-resolution rows (the output has 2H)
    int width = 0;             // W
    int channels = 0;          // m: output channels; m · element_bytes a multiple of 16
    const void* in = nullptr;  // [N, H+1, W+1, 4m], 16-byte aligned
    void* out = nullptr;       // [N, 2H, 2W, m], 16-byte aligned
};

KernelStatus subpixel_gather(const SubpixelGatherParams& params, cudaStream_t stream);

}  // namespace kernels
