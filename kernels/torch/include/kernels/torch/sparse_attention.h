#pragma once
// LibTorch binding of the CUDA kernels (kernels/include): validates tensors (messages name the
// argument and the expected shape), sets the device guard, uses the current CUDA stream of the
// inputs' device, allocates outputs and temporaries through the caching allocator, and calls the
// plain CUDA entry points. Every function only enqueues work (asynchronous like any CUDA op) and
// is safe to call from several threads. Failures throw c10::Error (TORCH_CHECK) whose message
// carries the CUDA error and file:line.

#include "engine/torch.h"

#include <array>
#include <cstdint>
#include <string>

namespace kernels::torch_api {

// The CUDA implementation behind block_sparse_attention (kernels/include/kernels/
// block_sparse_attention.h, AttentionKernel): kAuto runs the Hopper wgmma/TMA kernel on compute
// capability 9.0 when the build has sm_90a code and the mma.sync kernel otherwise; kMmaSync and
// kWgmma force one (kWgmma throws where it cannot run, with the reason).
enum class AttentionImpl { kAuto, kMmaSync, kWgmma };

// Output row order (block_sparse_attention, block_sparse_attention_mapped): when window[0] > 0, the
// query rows are the window-partitioned tokens of a grid (f, h, w) (windows (wf, wh, ww), the DiT's
// window order) and the result comes back in grid order: the window reverse happens in the kernel's
// stores.
struct OutputWindows {
    std::array<std::int64_t, 3> grid{0, 0, 0};
    std::array<std::int64_t, 3> window{0, 0, 0};
};

// Block-sparse flash attention (spec flashvsr-model.md §4.3/§4.5).
//   q [B, Lq, H, 128], k and v [B, Lk, H, 128]: CUDA, bf16 or fp16 (all the same), head
//     dimension contiguous (other strides free; tensors whose rows are not 16-byte aligned are
//     copied to contiguous first);
//   block_mask [B, H, ceil(Lq/128), ceil(Lk/128)] bool or uint8 (non-zero = attend), same device;
//   scale: softmax scale, 1/sqrt(128) in FlashVSR.
// Returns [B, Lq, H, 128] (contiguous, q's dtype). Query blocks with no selected key block are
// exactly zero. Lq and Lk need not be multiples of 128.
torch::Tensor block_sparse_attention(const torch::Tensor& q,
                                     const torch::Tensor& k,
                                     const torch::Tensor& v,
                                     const torch::Tensor& block_mask,
                                     double scale,
                                     AttentionImpl impl = AttentionImpl::kAuto,
                                     const OutputWindows& out_windows = {});

// Same, writing into `out` ([B, Lq, H, 128], q's dtype and device, head dimension contiguous,
// 16-byte aligned rows), e.g. a slice of a larger buffer.
void block_sparse_attention_out(torch::Tensor& out,
                                const torch::Tensor& q,
                                const torch::Tensor& k,
                                const torch::Tensor& v,
                                const torch::Tensor& block_mask,
                                double scale,
                                AttentionImpl impl = AttentionImpl::kAuto);

// Block-sparse attention whose key blocks live anywhere in k/v (a pool of KV-cache slots):
// block_mask [B, H, ceil(Lq/128), nkb] has one column per logical key block j, and
// key_blocks (int32 [nkb], q's device) names the 128-row block of k/v that holds it
// (0 ≤ key_blocks[j] < Lk/128, not checked on the host). Lk must be a multiple of 128. The same
// result, bit for bit, as block_sparse_attention on k/v gathered into logical order.
torch::Tensor block_sparse_attention_mapped(const torch::Tensor& q,
                                            const torch::Tensor& k,
                                            const torch::Tensor& v,
                                            const torch::Tensor& block_mask,
                                            const torch::Tensor& key_blocks,
                                            double scale,
                                            AttentionImpl impl = AttentionImpl::kAuto,
                                            const OutputWindows& out_windows = {});

// What kAuto runs for these q, k, v (same checks as block_sparse_attention) on their device, and
// why: "wgmma: compute capability 9.0: wgmma/TMA kernel", "mma.sync: the device is not compute
// capability 9.0 ...". For logs (the reason the Hopper kernel is not used) and benchmarks.
std::string attention_kernel_description(const torch::Tensor& q,
                                         const torch::Tensor& k,
                                         const torch::Tensor& v);

// Draft block-mask selection (spec §4.2/§4.3), numerics as documented in
// kernels/include/kernels/block_select.h.
//   q_windows [nq, 128, C], k_windows [nk, 128, C]: CUDA, bf16 or fp16, channels contiguous,
//     C = heads * 128; nq and nk multiples of S = grid_h * grid_w (nq = S * query temporal
//     windows; k includes the KV cache, oldest first);
//   grid_h x grid_w: the spatial window grid (h/8 x w/8 token cells); local_range R >= 1;
//   topk: spec §4.1 (int(S*S*topk_ratio) - 1), capped at S*nk - 1; topk < 0 selects nothing.
// Returns bool [1, heads, nq, nk], the block_mask of block_sparse_attention.
torch::Tensor select_blocks(const torch::Tensor& q_windows,
                            const torch::Tensor& k_windows,
                            std::int64_t heads,
                            std::int64_t grid_h,
                            std::int64_t grid_w,
                            std::int64_t local_range,
                            std::int64_t topk);

// select_blocks with every intermediate stage, for tests, diagnostics and the DiT (which keeps
// pooled_k with its KV cache). pooled_k_prefix: optional [n, C] pooled keys of k windows 0..n-1
// (n ≤ nk, same dtype and device), e.g. the rows of the previous chunk's pooled_k that belong to
// the cached windows; those windows are not pooled again (pooling is deterministic, so the result
// is the same as without the prefix).
struct BlockSelection {
    torch::Tensor mask;           // bool [1, heads, nq, nk]
    torch::Tensor pooled_q;       // [nq, C] run dtype
    torch::Tensor pooled_k;       // [nk, C] run dtype
    torch::Tensor scores;         // float [heads, nq, nk] (values exactly representable in dtype)
    torch::Tensor probabilities;  // float [heads, nq, nk]
};
BlockSelection select_blocks_with_stages(const torch::Tensor& q_windows,
                                         const torch::Tensor& k_windows,
                                         std::int64_t heads,
                                         std::int64_t grid_h,
                                         std::int64_t grid_w,
                                         std::int64_t local_range,
                                         std::int64_t topk,
                                         const torch::Tensor& pooled_k_prefix = {});

// select_blocks_with_stages for a KV cache that carries the pooled keys of all its windows:
// pooled_k_cached [n, C] (n ≥ 0, a multiple of S) are windows 0..n-1, k_new_windows
// [m, 128, C] the windows n..n+m-1 (nk = n + m); only the new windows are read and pooled. Same
// result as select_blocks_with_stages on all nk windows with pooled_k_cached as the prefix.
BlockSelection select_blocks_appended(const torch::Tensor& q_windows,
                                      const torch::Tensor& pooled_k_cached,
                                      const torch::Tensor& k_new_windows,
                                      std::int64_t heads,
                                      std::int64_t grid_h,
                                      std::int64_t grid_w,
                                      std::int64_t local_range,
                                      std::int64_t topk);

}  // namespace kernels::torch_api
