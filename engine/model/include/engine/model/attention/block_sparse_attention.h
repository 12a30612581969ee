#pragma once
// Block-sparse attention over 128-token blocks (spec §4.5). This is the single entry point the
// DiT calls; a CUDA kernel can take over inside block_sparse_attention() without callers
// changing. The reference below is exact (float32 softmax) and memory-bounded: it works one
// head at a time on groups of query blocks, gathering only the selected key blocks.

#include "engine/torch.h"

#include <cstdint>

namespace engine::model::attention {

constexpr std::int64_t kBlockTokens = 128;

// q [B, Lq, H, D], k/v [B, Lk, H, D] (same dtype and device; Lq, Lk multiples of 128),
// block_mask bool [B, H, Lq/128, Lk/128] (true = the query block attends to the key block),
// scale = softmax scale (1/sqrt(D) in FlashVSR). Returns [B, Lq, H, D] in q's dtype.
// Query blocks that select no key block output zeros (the convention of spec §4.5).
torch::Tensor block_sparse_attention(const torch::Tensor& q,
                                     const torch::Tensor& k,
                                     const torch::Tensor& v,
                                     const torch::Tensor& block_mask,
                                     double scale);

// The exact reference (any device): scores and softmax in float32, -inf outside the mask.
// `workspace_bytes` bounds the temporary score/gather tensors of one group of query blocks.
torch::Tensor block_sparse_attention_reference(const torch::Tensor& q,
                                               const torch::Tensor& k,
                                               const torch::Tensor& v,
                                               const torch::Tensor& block_mask,
                                               double scale,
                                               std::int64_t workspace_bytes = 256ll << 20);

}  // namespace engine::model::attention
