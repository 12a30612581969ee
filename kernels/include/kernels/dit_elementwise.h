#pragma once
// Fused per-token elementwise work of a DiT block (spec flashvsr-model.md §2.1.1): residual adds,
// LayerNorm / RMSNorm and the adaLN modulation, in one pass over [rows, C] instead of one PyTorch
// op (and one full read and write of the activation) each. Plain CUDA API (no torch).
//
// For every row (token) the kernel computes, in this order, each step optional:
//   1. residual  r = x                       (kNone)
//                r = round(x + y)            (kAdd)
//                r = round(x + round(g·y))   (kGatedAdd, g = gate[C])
//      and writes r to residual_out (kAdd, kGatedAdd);
//   2. norm      n = round((r − mean)·rstd)                 (kLayerNorm, biased variance)
//                n = round(w·((r − mean)·rstd) + b)         (kLayerNormAffine, one rounding)
//                n = round(round(r·rstd)·w)                  (kRmsNormWeight, rstd of mean(r²))
//      with mean, variance and rstd = rsqrt(var + eps) in fp32;
//   3. modulate  n = round(round(n·round(1 + scale)) + shift)   (when shift and scale are set)
//      and writes n to norm_out.
// round() is a rounding to the run dtype: each step reproduces one PyTorch op on bf16/fp16
// tensors (computed in fp32, rounded once), so the result equals upstream's unfused ops except
// where the fp32 statistics, summed in another order, straddle a rounding boundary (rare one-ulp
// differences of n).
//
// Threading: enqueues on `stream` only; thread-safe.

#include "kernels/block_sparse_attention.h"
#include "kernels/status.h"

#include <cuda_runtime_api.h>

#include <cstdint>

namespace kernels {

enum class ResidualKind { kNone, kAdd, kGatedAdd };
enum class NormKind { kNone, kLayerNorm, kLayerNormAffine, kRmsNormWeight };

struct DitElementwiseParams {
    ScalarType dtype = ScalarType::kBFloat16;
    int64_t rows = 0;
    int channels = 0;  // C: a positive multiple of 8, at most 8192
    ResidualKind residual = ResidualKind::kNone;
    NormKind norm = NormKind::kNone;
    // Row-major [rows, C] tensors of `dtype`, channels contiguous, rows `*_row_stride` elements
    // apart (multiples of 8); every pointer 16-byte aligned. In-place use (residual_out == x or y,
    // norm_out == x) is allowed: each row is read completely before it is written.
    const void* x = nullptr;
    int64_t x_row_stride = 0;
    const void* y = nullptr;  // residual branch (kAdd, kGatedAdd)
    int64_t y_row_stride = 0;
    void* residual_out = nullptr;  // required with kAdd / kGatedAdd
    int64_t residual_out_row_stride = 0;
    void* norm_out = nullptr;  // required with a norm
    int64_t norm_out_row_stride = 0;
    // Per-channel vectors [C] of `dtype`, contiguous.
    const void* gate = nullptr;         // kGatedAdd
    const void* norm_weight = nullptr;  // kLayerNormAffine, kRmsNormWeight
    const void* norm_bias = nullptr;    // kLayerNormAffine
    const void* shift = nullptr;        // modulate: both shift and scale, or neither
    const void* scale = nullptr;
    float eps = 1e-6f;
};

KernelStatus dit_elementwise(const DitElementwiseParams& params, cudaStream_t stream);

}  // namespace kernels
