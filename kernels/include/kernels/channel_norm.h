#pragma once
// Fused per-pixel work of the Wan VAE decoder on channels-last activations ([rows, C] with the C
// channels of a pixel contiguous): conv bias, residual add, the channel RMS norm (upstream's
// F.normalize(x, dim=1) · sqrt(C) · gamma) and SiLU, in one pass instead of up to eight PyTorch
// ops (each a full read and write of a tensor that is 207 MB per 768x1408 frame at 96 channels).
// Plain CUDA API (no torch).
//
// For every row, each step optional and each result rounded to the run dtype as the PyTorch op
// it replaces rounds:
//   1. r = round(x + bias)            (bias [C])
//   2. r = round(r + residual)        (residual [rows, C])
//   3. r = round(r · inv · scale · gamma), inv = 1 / max(sqrt(Σ r²), eps)   (norm; fp32 sum)
//   4. r = round(r · sigmoid(r))      (silu)
// and writes r to out. Step 3 rounds once where PyTorch rounds after the division, the scale and
// gamma (a one-ulp difference at most per value).
//
// Threading: enqueues on `stream` only; thread-safe.

#include "kernels/block_sparse_attention.h"
#include "kernels/status.h"

#include <cuda_runtime_api.h>

#include <cstdint>

namespace kernels {

struct ChannelNormParams {
    ScalarType dtype = ScalarType::kBFloat16;
    int64_t rows = 0;
    int channels = 0;  // C: a positive multiple of 8, at most 4096
    // [rows, C] contiguous (row stride C), 16-byte aligned; out may alias x or residual.
    const void* x = nullptr;
    const void* residual = nullptr;  // optional
    void* out = nullptr;
    const void* bias = nullptr;  // optional [C], 16-byte aligned
    bool norm = false;
    const void* gamma = nullptr;  // [C], 16-byte aligned; required with norm
    float scale = 1.f;            // norm: sqrt(C) for upstream's RMS_norm
    float eps = 1e-12f;           // norm: F.normalize's lower bound of the L2 norm
    bool silu = false;
};

KernelStatus channel_norm(const ChannelNormParams& params, cudaStream_t stream);

}  // namespace kernels
