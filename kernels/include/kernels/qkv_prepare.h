#pragma once
// Fused preparation of the DiT self-attention inputs (spec flashvsr-model.md §2.1.2): for every
// token, q and k get RMSNorm (fp32 statistics, normalised value rounded to the run dtype, then
// times the norm weight) and 3-D RoPE (complex multiply in double precision, as upstream's
// rope_apply), and q, k and v are written straight into the window-partitioned layout the block
// selection and the attention read. One pass over q, k and v instead of about twenty PyTorch ops
// and three permuting copies. Plain CUDA API (no torch).
//
// Token r of the [F, H, W] grid (r = (f·H + y)·W + x) goes to window
// ((f/wf)·(H/wh) + y/wh)·(W/ww) + x/ww, position ((f%wf)·wh + y%wh)·ww + x%ww inside it, i.e. to
// output row window·(wf·wh·ww) + position (window_partition in engine/model/attention).
//
// Threading: enqueues on `stream` only; thread-safe.

#include "kernels/block_sparse_attention.h"
#include "kernels/status.h"

#include <cuda_runtime_api.h>

#include <cstdint>

namespace kernels {

struct QkvPrepareParams {
    ScalarType dtype = ScalarType::kBFloat16;
    // Inputs [L, C] (L = F·H·W tokens, C = heads·128 channels), channels contiguous, rows
    // `*_row_stride` elements apart (multiples of 8), 16-byte aligned.
    const void* q = nullptr;
    const void* k = nullptr;
    const void* v = nullptr;
    int64_t q_row_stride = 0, k_row_stride = 0, v_row_stride = 0;
    // RMSNorm weights [C] of `dtype`, contiguous.
    const void* q_weight = nullptr;
    const void* k_weight = nullptr;
    float eps = 1e-6f;
    // RoPE table [L, 64, 2] double (cos, sin) per token and complex pair of a head, shared by all
    // heads: the real view of upstream's complex128 freqs [L, 1, 64].
    const double* rope = nullptr;
    // Outputs [L, C] contiguous in window order (see the file comment), `dtype`.
    void* q_out = nullptr;
    void* k_out = nullptr;
    void* v_out = nullptr;
    int64_t frames = 0, height = 0, width = 0;                       // token grid F x H x W
    int64_t window_frames = 2, window_height = 8, window_width = 8;  // divide the grid
    int channels = 0;  // C: a multiple of 128, at most 8192
};

KernelStatus qkv_prepare(const QkvPrepareParams& params, cudaStream_t stream);

}  // namespace kernels
