#pragma once
// Mask selection of the locality-constrained block-sparse attention (spec §4.2, §4.3): which
// 128-key blocks each 128-query block attends to. Kept separate from the attention itself so a
// CUDA kernel can replace either one.

#include "engine/torch.h"

#include <cstdint>

namespace engine::model::attention {

// Spatial local mask over a grid_h x grid_w window grid (spec §4.2): bool [S, S], S = grid_h *
// grid_w, row = query window (r, c), column = key window (r', c'), both in row-major order.
// True iff r - R/2 <= r' <= r - R/2 + R - 1 and the same for columns (R = local_range, integer
// division; the range is not clamped at the borders, so border windows see fewer neighbours).
torch::Tensor local_window_mask(std::int64_t grid_h,
                                std::int64_t grid_w,
                                std::int64_t local_range,
                                torch::Device device = torch::kCPU);

// Draft block mask (spec §4.3).
//   q_windows [nq, 128, C], k_windows [nk, 128, C] (run dtype; k includes the KV cache, oldest
//   first), C = num_heads * head_dim; local_mask bool [S, S] from local_window_mask;
//   query_groups = number of query temporal windows (nq = query_groups * S), nk a multiple of S.
// Steps: 128-token means; per-head scores q.k / sqrt(head_dim) in the run dtype; + 0/-inf local
// bias in float32; softmax over keys (float32); per (head, query group) the (topk+1)-th largest
// of the S*nk probabilities is the threshold tau (topk capped at S*nk - 1) and entries strictly
// greater than tau are selected. Ties at tau are dropped; when fewer than topk+1 probabilities
// are positive, tau = 0 and exactly the positive ones are selected (this is a hard top-k: tiny
// numeric differences can flip a block whose probability is near tau).
// Returns bool [1, num_heads, nq, nk] on the inputs' device.
torch::Tensor select_block_mask(const torch::Tensor& q_windows,
                                const torch::Tensor& k_windows,
                                std::int64_t num_heads,
                                std::int64_t query_groups,
                                std::int64_t topk,
                                const torch::Tensor& local_mask);

// topk of spec §4.1: int(S * S * topk_ratio) - 1, topk_ratio = sparse_ratio * 768 * 1280 / (H*W)
// evaluated in double left to right (H, W = padded output size in pixels).
double topk_ratio_for(double sparse_ratio, std::int64_t height, std::int64_t width);
std::int64_t topk_for(std::int64_t windows_per_frame, double topk_ratio);

}  // namespace engine::model::attention
