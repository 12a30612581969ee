#include "engine/model/attention/block_mask.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace engine::model::attention {

torch::Tensor local_window_mask(std::int64_t grid_h,
                                std::int64_t grid_w,
                                std::int64_t local_range,
                                torch::Device device) {
    TORCH_CHECK(grid_h > 0 && grid_w > 0 && local_range > 0,
                "local_window_mask: grid and range must be positive, got ", grid_h, "x", grid_w,
                " range ", local_range);
    const auto opts = torch::TensorOptions().dtype(torch::kLong).device(device);
    auto rows = torch::arange(grid_h, opts).view({grid_h, 1}).expand({grid_h, grid_w}).reshape(-1);
    auto cols = torch::arange(grid_w, opts).view({1, grid_w}).expand({grid_h, grid_w}).reshape(-1);
    const std::int64_t half = local_range / 2;
    auto start_r = (rows - half).unsqueeze(1);
    auto start_c = (cols - half).unsqueeze(1);
    auto end_r = start_r + (local_range - 1);
    auto end_c = start_c + (local_range - 1);
    auto key_r = rows.unsqueeze(0);
    auto key_c = cols.unsqueeze(0);
    return (key_r >= start_r) & (key_r <= end_r) & (key_c >= start_c) & (key_c <= end_c);
}

torch::Tensor select_block_mask(const torch::Tensor& q_windows,
                                const torch::Tensor& k_windows,
                                std::int64_t num_heads,
                                std::int64_t query_groups,
                                std::int64_t topk,
                                const torch::Tensor& local_mask) {
    TORCH_CHECK(q_windows.dim() == 3 && k_windows.dim() == 3,
                "select_block_mask: q/k windows must be [n, 128, C], got ", q_windows.sizes(),
                " and ", k_windows.sizes());
    TORCH_CHECK(q_windows.size(2) == k_windows.size(2) && q_windows.size(2) % num_heads == 0,
                "select_block_mask: channel mismatch ", q_windows.size(2), " vs ",
                k_windows.size(2), " for ", num_heads, " heads");
    TORCH_CHECK(local_mask.dim() == 2 && local_mask.size(0) == local_mask.size(1),
                "select_block_mask: local_mask must be [S, S], got ", local_mask.sizes());
    const auto nq = q_windows.size(0);
    const auto nk = k_windows.size(0);
    const auto windows_per_frame = local_mask.size(0);
    TORCH_CHECK(
        query_groups > 0 && nq == query_groups * windows_per_frame && nk % windows_per_frame == 0,
        "select_block_mask: ", nq, " query and ", nk, " key windows do not match ", query_groups,
        " groups of S = ", windows_per_frame);
    const auto head_dim = q_windows.size(2) / num_heads;

    // Pooling and the score product stay in the run dtype, as upstream computes them.
    auto q_pool = q_windows.mean(1).view({nq, num_heads, head_dim}).permute({1, 0, 2});
    auto k_pool = k_windows.mean(1).view({nk, num_heads, head_dim}).permute({1, 0, 2});
    auto scores =
        torch::matmul(q_pool, k_pool.transpose(1, 2)) / std::sqrt(static_cast<double>(head_dim));

    auto allowed =
        local_mask.to(q_windows.device()).repeat({nq / windows_per_frame, nk / windows_per_frame});
    auto bias = torch::zeros({nq, nk}, q_windows.options().dtype(torch::kFloat))
                    .masked_fill(allowed.logical_not(), -std::numeric_limits<float>::infinity());
    auto probs = torch::softmax(scores.to(torch::kFloat) + bias, -1);  // [H, nq, nk]

    auto flat = probs.reshape({num_heads * query_groups, -1});
    const auto candidates = flat.size(1);
    const auto applied = std::min(candidates - 1, topk);
    auto tau = std::get<0>(flat.topk(applied + 1, 1, /*largest=*/true, /*sorted=*/true))
                   .select(1, applied)
                   .unsqueeze(1);
    return (flat > tau).reshape({num_heads, nq, nk}).unsqueeze(0);
}

double topk_ratio_for(double sparse_ratio, std::int64_t height, std::int64_t width) {
    return sparse_ratio * 768 * 1280 / static_cast<double>(height * width);
}

std::int64_t topk_for(std::int64_t windows_per_frame, double topk_ratio) {
    return static_cast<std::int64_t>(static_cast<double>(windows_per_frame * windows_per_frame) *
                                     topk_ratio) -
           1;
}

}  // namespace engine::model::attention
