#pragma once
// Draft block-mask selection on the GPU (flashvsr-model.md §4.2 and §4.3, the official 128×128
// variant). Plain CUDA API; no torch.
//
// Inputs are the window-partitioned queries q_w [nq, 128, C] and keys k_w [nk, 128, C] of the run
// dtype, C = heads·128. Stages, each a kernel writing a caller-owned buffer (so that tests can
// compare every stage with a reference):
//   1. pooled_q [nq, C], pooled_k [nk, C] (run dtype): mean over the 128 tokens, accumulated in
//      fp32 (four partial sums of 32 tokens, added pairwise), times 1/128, rounded once.
//   2. scores [heads, nq, nk] fp32 holding run-dtype values: per head, s = q̄·k̄ᵀ accumulated in
//      fp32 (sequential fma over the 128 dims), rounded to the run dtype, then multiplied in fp32
//      by 1/float(sqrt(128)) and rounded again; this is what torch does on CUDA for
//      `einsum(...) / math.sqrt(D)` on bf16/fp16 tensors (division by a CPU scalar is a
//      multiplication by its fp32 reciprocal).
//   3. probabilities [heads, nq, nk] fp32: softmax over keys of (score + local mask), where the
//      local mask is 0 where query window (r, c) may see key window (r', c') on the
//      grid_h × grid_w spatial window grid (r − ⌊R/2⌋ ≤ r' ≤ r − ⌊R/2⌋ + R − 1, same for columns;
//      tiled over temporal windows: index i ↦ i mod S, S = grid_h·grid_w) and −inf elsewhere.
//      For nk ≤ 1024 the reduction order is that of PyTorch's persistent warp softmax (one warp per
//      row, lane-strided elements, butterfly sums, expf, IEEE division), so the probabilities are
//      expected to be bit-identical to torch.softmax on CUDA for the same scores. For nk > 1024
//      PyTorch switches to a block softmax whose order is not reproduced (differences of a few
//      ulp).
//   4. mask [heads, nq, nk] bytes (0/1): for each head and each group of S query rows (one
//      temporal window), the S·nk probabilities are flattened, τ = the (k+1)-th largest value with
//      k = min(topk, S·nk − 1), and entries strictly greater than τ are selected (ties at τ
//      dropped; if fewer than k+1 entries are non-zero, τ = 0 and exactly the positive entries are
//      selected). τ is found exactly by a radix select on the fp32 bit patterns (3 histogram
//      passes); topk < 0 selects nothing.
// The mask is the [1, heads, nq, nk] block mask of block_sparse_attention (B = 1).
//
// Threading: enqueues on `stream` only; thread-safe.

#include "kernels/block_sparse_attention.h"
#include "kernels/status.h"

#include <cuda_runtime_api.h>

#include <cstdint>

namespace kernels {

struct BlockSelectParams {
    ScalarType dtype = ScalarType::kBFloat16;
    // q_w [nq, 128, C], k_w [nk, 128, C]; channels contiguous; strides in elements (multiples
    // of 8), pointers 16-byte aligned.
    const void* q_windows = nullptr;
    const void* k_windows = nullptr;
    int64_t q_window_stride = 0, q_token_stride = 0;
    int64_t k_window_stride = 0, k_token_stride = 0;
    int nq = 0;      // query windows; multiple of S
    int nk = 0;      // key windows (cache + current); multiple of S
    int heads = 0;   // C = heads·128
    int grid_h = 0;  // spatial window grid (h/8 × w/8); S = grid_h·grid_w
    int grid_w = 0;
    int local_range = 0;  // R ≥ 1
    int64_t topk = 0;
    // Outputs and stage buffers (device, contiguous, caller-owned):
    void* pooled_q = nullptr;  // [nq, C] dtype
    void* pooled_k = nullptr;  // [nk, C] dtype
    // Rows 0 .. nk_pooled-1 of pooled_k already hold the pooled keys of k windows 0 .. nk_pooled-1
    // (the KV cache's, kept from the previous chunk: pooling is deterministic, so they are the
    // values stage 1 would write); only the remaining windows are pooled. 0 ≤ nk_pooled ≤ nk.
    int nk_pooled = 0;
    // The key window k_windows points at: it holds windows k_windows_first .. nk-1 (only windows
    // from nk_pooled on are read, so a caller that carries every cached window's pooled keys may
    // pass just the new windows with k_windows_first = nk_pooled). 0 ≤ k_windows_first ≤ nk_pooled.
    int k_windows_first = 0;
    float* scores = nullptr;         // [heads, nq, nk]
    float* probabilities = nullptr;  // [heads, nq, nk]
    uint8_t* mask = nullptr;         // [heads, nq, nk]
};

KernelStatus select_blocks(const BlockSelectParams& params, cudaStream_t stream);

}  // namespace kernels
