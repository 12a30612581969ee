#pragma once
// Block-sparse attention over 128-token blocks (spec §4.5). This is the single entry point the
// DiT calls; a CUDA kernel can take over inside block_sparse_attention() without callers
// changing. The reference below is exact (float32 softmax) and memory-bounded: it works one
// head at a time on groups of query blocks, gathering only the selected key blocks.

#include "engine/torch.h"

#include <array>
#include <cstdint>
#include <optional>
#include <string>

namespace engine::model::attention {

constexpr std::int64_t kBlockTokens = 128;

// Which implementation runs. Auto: our CUDA kernels (kernels/) for CUDA bf16/fp16 inputs when the
// build has them, else the reference; Reference: always the torch reference (--attention_mode
// reference, for debugging and parity checks).
enum class Backend { Auto, Reference };

// True when this build contains the CUDA kernels and they accept tensors like `q` (CUDA, bf16 or
// fp16, head dim 128). Logs the reason once when a CUDA tensor falls back to the reference.
bool kernels_accept(const torch::Tensor& q, std::int64_t head_dim, Backend backend);

// Which implementation block_sparse_attention() runs for these inputs and why, for the log:
// "CUDA kernel, wgmma: compute capability 9.0: wgmma/TMA kernel", "CUDA kernel, mma.sync: the
// device is not compute capability 9.0 ...", or "reference: <reason>". Host-only, cheap.
std::string attention_kernel_description(const torch::Tensor& q,
                                         const torch::Tensor& k,
                                         const torch::Tensor& v,
                                         Backend backend);

// Block mask by our CUDA selection kernel (same semantics as select_block_mask, spec §4.3);
// only valid when kernels_accept() is true. grid_h x grid_w: the spatial window grid. The key
// windows are the KV cache's followed by the chunk's: pooled_k_cached ([n, C], may be undefined
// for n = 0) holds the 128-token means of the n cached windows (from the previous call's
// pooled_k_out), k_new_windows [m, 128, C] the chunk's own, so nk = n + m and only the new
// windows are read. pooled_k_out (optional) receives the means of all nk windows [nk, C].
torch::Tensor select_block_mask_kernel(const torch::Tensor& q_windows,
                                       const torch::Tensor& pooled_k_cached,
                                       const torch::Tensor& k_new_windows,
                                       std::int64_t num_heads,
                                       std::int64_t grid_h,
                                       std::int64_t grid_w,
                                       std::int64_t local_range,
                                       std::int64_t topk,
                                       torch::Tensor* pooled_k_out = nullptr);

// q [B, Lq, H, D], k/v [B, Lk, H, D] (same dtype and device; Lq, Lk multiples of 128),
// block_mask bool [B, H, Lq/128, nkb] (true = the query block attends to the key block),
// scale = softmax scale (1/sqrt(D) in FlashVSR). Returns [B, Lq, H, D] in q's dtype.
// Query blocks that select no key block output zeros (the convention of spec §4.5).
// key_blocks (optional, int32 [nkb] on q's device): logical key block j (column j of the mask)
// is the 128-row block key_blocks[j] of k/v, which may hold more blocks than the mask names (a
// pool of KV-cache slots); undefined: nkb = Lk/128 in order. Same result either way.
// output_grid (optional, B = 1): the query rows are the window_partition'ed tokens (WindowShape{}
// windows) of this (f, h, w) token grid, and the result comes back in grid order, as
// window_reverse of the plain result would give (the CUDA kernel writes it so directly).
torch::Tensor block_sparse_attention(
    const torch::Tensor& q,
    const torch::Tensor& k,
    const torch::Tensor& v,
    const torch::Tensor& block_mask,
    double scale,
    Backend backend = Backend::Auto,
    const torch::Tensor& key_blocks = {},
    const std::optional<std::array<std::int64_t, 3>>& output_grid = std::nullopt);

// The exact reference (any device): scores and softmax in float32, -inf outside the mask.
// `workspace_bytes` bounds the temporary score/gather tensors of one group of query blocks.
torch::Tensor block_sparse_attention_reference(const torch::Tensor& q,
                                               const torch::Tensor& k,
                                               const torch::Tensor& v,
                                               const torch::Tensor& block_mask,
                                               double scale,
                                               std::int64_t workspace_bytes = 256ll << 20);

}  // namespace engine::model::attention
