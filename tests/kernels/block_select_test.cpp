// GPU tests of kernels::torch_api::select_blocks against the torch pipeline of spec §4.3 (the
// same ops as engine/model/attention/block_mask.cpp: mean, matmul / sqrt(128), + 0/-inf local
// bias in float32, softmax, topk threshold, strictly greater).
//
// Exactness is checked stage by stage, each torch stage fed with the kernel's previous stage:
//   pooled  : torch mean(1) vs ours; may differ by one ulp of the run dtype where the fp32 sums,
//             accumulated in a different order, straddle a rounding boundary (rare);
//   scores  : torch matmul on OUR pooled vectors; cuBLAS accumulates the 128 products in its own
//             order (tensor cores), so again rare one-ulp differences after rounding;
//   softmax : torch.softmax on OUR scores: for nk <= 1024 we reproduce PyTorch's warp softmax
//             (order of sums, expf, IEEE division), so we expect bit-identical probabilities and
//             require a relative difference below 1e-6;
//   top-k   : torch's topk threshold on OUR probabilities must give exactly our mask (0 flips).
// End to end (torch from the raw windows) a flip is tolerated only (a) at a near-tie, where the
// torch probability lies within 1e-6 relative of the torch threshold, or (b) in a (head, group)
// whose pooled/score inputs differ by the rounding above; (b) flips must still lie within 5e-2
// relative of the threshold (one ulp of a bf16 score moves its probability by at most ~2 %).

#include "engine/torch.h"
#include "kernel_test_util.h"
#include "kernels/torch/sparse_attention.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <string>

namespace {

struct SelectCase {
    std::string name;
    torch::ScalarType dtype;
    int64_t heads;
    int64_t grid_h, grid_w;
    int64_t q_temporal, k_temporal;
    int64_t local_range;
    int64_t topk;
    double structure;  // per-window offset (1 = realistic spread, 0 = near-uniform, many ties)
};

torch::Tensor local_bias(int64_t grid_h, int64_t grid_w, int64_t range, int64_t nq, int64_t nk) {
    const auto opts = torch::TensorOptions().dtype(torch::kLong).device(torch::kCUDA);
    const auto rows =
        torch::arange(grid_h, opts).view({grid_h, 1}).expand({grid_h, grid_w}).reshape(-1);
    const auto cols =
        torch::arange(grid_w, opts).view({1, grid_w}).expand({grid_h, grid_w}).reshape(-1);
    const int64_t half = range / 2;
    const auto start_r = (rows - half).unsqueeze(1);
    const auto start_c = (cols - half).unsqueeze(1);
    const auto allowed =
        (rows.unsqueeze(0) >= start_r) & (rows.unsqueeze(0) <= start_r + (range - 1)) &
        (cols.unsqueeze(0) >= start_c) & (cols.unsqueeze(0) <= start_c + (range - 1));
    const int64_t s = grid_h * grid_w;
    const auto tiled = allowed.repeat({nq / s, nk / s});
    return torch::zeros({nq, nk}, opts.dtype(torch::kFloat))
        .masked_fill(tiled.logical_not(), -std::numeric_limits<float>::infinity());
}

struct TorchSelection {
    torch::Tensor probabilities;  // [H, nq, nk] float
    torch::Tensor threshold;      // [H * groups, 1] float
    torch::Tensor mask;           // [H, nq, nk] bool
};

TorchSelection torch_select(const torch::Tensor& probabilities, int64_t groups, int64_t topk) {
    const int64_t heads = probabilities.size(0);
    const auto flat = probabilities.reshape({heads * groups, -1});
    const int64_t applied = std::min(flat.size(1) - 1, topk);
    TorchSelection r;
    r.probabilities = probabilities;
    if (applied < 0) {
        r.threshold = torch::full({heads * groups, 1}, std::numeric_limits<float>::infinity(),
                                  flat.options());
    } else {
        r.threshold =
            std::get<0>(flat.topk(applied + 1, 1, true, true)).select(1, applied).unsqueeze(1);
    }
    r.mask = (flat > r.threshold).reshape(probabilities.sizes());
    return r;
}

torch::Tensor torch_scores(const torch::Tensor& pooled_q,
                           const torch::Tensor& pooled_k,
                           int64_t heads) {
    const int64_t nq = pooled_q.size(0), nk = pooled_k.size(0);
    const auto qh = pooled_q.view({nq, heads, 128}).permute({1, 0, 2});
    const auto kh = pooled_k.view({nk, heads, 128}).permute({1, 0, 2});
    return (torch::matmul(qh, kh.transpose(1, 2)) / std::sqrt(128.0)).to(torch::kFloat);
}

void run_case(const SelectCase& c, uint64_t seed) {
    torch::manual_seed(seed);
    const int64_t s = c.grid_h * c.grid_w;
    const int64_t nq = s * c.q_temporal, nk = s * c.k_temporal, channels = c.heads * 128;
    const auto fopts = torch::TensorOptions().device(torch::kCUDA).dtype(torch::kFloat);
    const auto q_w = (torch::randn({nq, 1, channels}, fopts) * c.structure +
                      torch::randn({nq, 128, channels}, fopts))
                         .to(c.dtype);
    const auto k_w = (torch::randn({nk, 1, channels}, fopts) * c.structure +
                      torch::randn({nk, 128, channels}, fopts))
                         .to(c.dtype);

    const auto ours = kernels::torch_api::select_blocks_with_stages(
        q_w, k_w, c.heads, c.grid_h, c.grid_w, c.local_range, c.topk);
    const auto bias = local_bias(c.grid_h, c.grid_w, c.local_range, nq, nk);
    const int64_t groups = c.q_temporal;

    // Stage 1: pooling.
    const auto t_pq = q_w.mean(1);
    const auto t_pk = k_w.mean(1);
    const int64_t pool_diff = (ours.pooled_q != t_pq).sum().item<int64_t>() +
                              (ours.pooled_k != t_pk).sum().item<int64_t>();
    const double pool_max_rel =
        std::max(((ours.pooled_q.to(torch::kDouble) - t_pq.to(torch::kDouble)).abs() /
                  t_pq.to(torch::kDouble).abs().clamp_min(1e-30))
                     .max()
                     .item<double>(),
                 ((ours.pooled_k.to(torch::kDouble) - t_pk.to(torch::kDouble)).abs() /
                  t_pk.to(torch::kDouble).abs().clamp_min(1e-30))
                     .max()
                     .item<double>());

    // Stage 2: scores from our pooled vectors.
    const auto t_scores_ours_in = torch_scores(ours.pooled_q, ours.pooled_k, c.heads);
    const int64_t score_diff = (t_scores_ours_in != ours.scores).sum().item<int64_t>();

    // Stage 3: softmax of our scores.
    const auto t_probs_ours_in = torch::softmax(ours.scores + bias, -1);
    const int64_t prob_identical = (t_probs_ours_in == ours.probabilities).sum().item<int64_t>();
    const double prob_max_rel =
        ((t_probs_ours_in.to(torch::kDouble) - ours.probabilities.to(torch::kDouble)).abs() /
         (t_probs_ours_in.to(torch::kDouble) + 1e-32))
            .max()
            .item<double>();

    // Stage 4: torch's threshold on our probabilities.
    const auto t_sel_ours_in = torch_select(ours.probabilities, groups, c.topk);
    const auto our_mask = ours.mask.squeeze(0);
    const int64_t threshold_flips = (t_sel_ours_in.mask != our_mask).sum().item<int64_t>();

    // End to end from the raw windows.
    const auto t_scores = torch_scores(t_pq, t_pk, c.heads);
    const auto t_sel = torch_select(torch::softmax(t_scores + bias, -1), groups, c.topk);
    const auto flips = t_sel.mask != our_mask;  // [H, nq, nk]
    const int64_t flip_count = flips.sum().item<int64_t>();
    const auto tau = t_sel.threshold.view({c.heads, groups, 1, 1})
                         .expand({c.heads, groups, s, nk})
                         .reshape({c.heads, nq, nk});
    const auto distance = (t_sel.probabilities - tau).abs() / tau.clamp_min(1e-30);
    const auto near_tie = distance <= 1e-6;
    // Groups whose inputs differ (pooled rows or scores): flips there are explained by rounding.
    const auto score_differs = (t_scores != ours.scores).view({c.heads, groups, s * nk}).any(-1);
    const auto group_differs = score_differs.view({c.heads, groups, 1, 1})
                                   .expand({c.heads, groups, s, nk})
                                   .reshape({c.heads, nq, nk});
    const int64_t near_flips = (flips & near_tie).sum().item<int64_t>();
    const auto rounding_flips_mask = flips & near_tie.logical_not() & group_differs;
    const int64_t rounding_flips = rounding_flips_mask.sum().item<int64_t>();
    const double rounding_flip_max_distance =
        rounding_flips > 0 ? distance.masked_select(rounding_flips_mask).max().item<double>() : 0.0;
    const int64_t unexplained =
        (flips & near_tie.logical_not() & group_differs.logical_not()).sum().item<int64_t>();
    const int64_t selected = our_mask.sum().item<int64_t>();
    const int64_t differing_groups = score_differs.sum().item<int64_t>();

    std::printf(
        "[select] %-36s nq=%lld nk=%lld topk=%lld selected=%lld (%.3f)\n"
        "         pooled: %lld differ (max rel %.2e); scores(our pooled): %lld differ; "
        "probs(our scores): %lld/%lld identical, max rel %.2e;\n"
        "         threshold flips on our probs: %lld; end-to-end flips: %lld = %lld near-tie + "
        "%lld in %lld/%lld groups with rounded inputs (max dist %.2e) + %lld unexplained\n",
        c.name.c_str(), static_cast<long long>(nq), static_cast<long long>(nk),
        static_cast<long long>(c.topk), static_cast<long long>(selected),
        static_cast<double>(selected) / static_cast<double>(c.heads * nq * nk),
        static_cast<long long>(pool_diff), pool_max_rel, static_cast<long long>(score_diff),
        static_cast<long long>(prob_identical), static_cast<long long>(c.heads * nq * nk),
        prob_max_rel, static_cast<long long>(threshold_flips), static_cast<long long>(flip_count),
        static_cast<long long>(near_flips), static_cast<long long>(rounding_flips),
        static_cast<long long>(differing_groups), static_cast<long long>(c.heads * groups),
        rounding_flip_max_distance, static_cast<long long>(unexplained));

    // Pooled values: one ulp at most (2^-7 relative for bf16, 2^-10 for fp16), rarely.
    const double ulp = c.dtype == torch::kBFloat16 ? 1.0 / 128 : 1.0 / 1024;
    EXPECT_LE(pool_max_rel, ulp * 1.0001) << c.name;
    EXPECT_LE(pool_diff, (nq + nk) * channels / 100) << c.name;
    EXPECT_LE(score_diff, c.heads * nq * nk / 100) << c.name;
    if (nk <= 1024) {
        EXPECT_LE(prob_max_rel, 1e-6) << c.name;
    } else {
        EXPECT_LE(prob_max_rel, 1e-5) << c.name;
    }
    EXPECT_EQ(threshold_flips, 0) << c.name << ": top-k threshold must match torch exactly";
    EXPECT_EQ(unexplained, 0) << c.name;
    EXPECT_LE(rounding_flip_max_distance, 5e-2) << c.name;
    EXPECT_TRUE(ours.mask.dim() == 4 && ours.mask.size(0) == 1 && ours.mask.size(1) == c.heads &&
                ours.mask.scalar_type() == torch::kBool);
}

TEST(BlockSelectGpu, SmallAndEdgeCases) {
    KERNELS_REQUIRE_CUDA();
    run_case({"small bf16", torch::kBFloat16, 2, 2, 3, 2, 4, 3, 20, 1.0}, 1);
    run_case({"small fp16", torch::kHalf, 2, 2, 3, 1, 2, 3, 5, 1.0}, 2);
    run_case({"topk >= S*nk (capped)", torch::kBFloat16, 2, 2, 3, 1, 2, 3, 100000, 1.0}, 3);
    run_case({"topk = 0 (nothing above max)", torch::kBFloat16, 2, 2, 3, 1, 2, 3, 0, 1.0}, 4);
    run_case({"nk > 1024 (long softmax)", torch::kBFloat16, 2, 4, 4, 1, 80, 5, 300, 1.0}, 5);
}

TEST(BlockSelectGpu, TopkNegativeSelectsNothing) {
    KERNELS_REQUIRE_CUDA();
    const auto opts = torch::TensorOptions().device(torch::kCUDA).dtype(torch::kBFloat16);
    const auto q = torch::randn({6, 128, 256}, opts);
    const auto k = torch::randn({12, 128, 256}, opts);
    const auto mask = kernels::torch_api::select_blocks(q, k, 2, 2, 3, 3, -1);
    EXPECT_EQ(mask.sum().item<int64_t>(), 0);
}

TEST(BlockSelectGpu, Production768x1408) {
    KERNELS_REQUIRE_CUDA();
    // grid 6x11 (S = 66), topk = int(66*66*2*768*1280/(768*1408)) - 1 = 7919.
    run_case({"768x1408 steady bf16", torch::kBFloat16, 12, 6, 11, 1, 4, 11, 7919, 1.0}, 11);
    run_case({"768x1408 steady fp16", torch::kHalf, 12, 6, 11, 1, 4, 11, 7919, 1.0}, 12);
    run_case({"768x1408 steady bf16 R9 ratio1.5", torch::kBFloat16, 12, 6, 11, 1, 4, 9, 5939, 1.0},
             13);
    run_case(
        {"768x1408 steady bf16 noise (ties)", torch::kBFloat16, 12, 6, 11, 1, 4, 11, 7919, 0.0},
        14);
    run_case({"768x1408 chunk0 bf16", torch::kBFloat16, 12, 6, 11, 3, 3, 11, 7919, 1.0}, 15);
}

TEST(BlockSelectGpu, Production1024x1920) {
    KERNELS_REQUIRE_CUDA();
    // grid 8x15 (S = 120), topk_ratio = 2*768*1280/(1024*1920) = 1 -> topk 14399.
    run_case({"1024x1920 steady bf16", torch::kBFloat16, 12, 8, 15, 1, 4, 11, 14399, 1.0}, 21);
    run_case({"1024x1920 chunk0 bf16", torch::kBFloat16, 12, 8, 15, 3, 3, 11, 14399, 1.0}, 22);
}

TEST(BlockSelectGpu, CarriedPooledKeysGiveTheSameSelection) {
    KERNELS_REQUIRE_CUDA();
    // 768x1408 steady state: 3 cached temporal windows (198 windows) + the current one. Pooling
    // only the current windows with the cache's means carried over must change nothing.
    const auto opts = torch::TensorOptions().device(torch::kCUDA).dtype(torch::kBFloat16);
    const auto q = torch::randn({66, 128, 1536}, opts);
    const auto k = torch::randn({264, 128, 1536}, opts) + torch::randn({264, 1, 1536}, opts);
    const auto full = kernels::torch_api::select_blocks_with_stages(q, k, 12, 6, 11, 11, 7919);
    const auto carried = kernels::torch_api::select_blocks_with_stages(
        q, k, 12, 6, 11, 11, 7919, full.pooled_k.narrow(0, 0, 198).clone());
    EXPECT_TRUE(torch::equal(carried.pooled_k, full.pooled_k));
    EXPECT_TRUE(torch::equal(carried.mask, full.mask));
    // A prefix that does not fit is rejected.
    EXPECT_THROW(kernels::torch_api::select_blocks_with_stages(q, k, 12, 6, 11, 11, 7919,
                                                               full.pooled_k.narrow(1, 0, 128)),
                 c10::Error);
}

TEST(BlockSelectGpu, AppendedWindowsGiveTheSameSelection) {
    KERNELS_REQUIRE_CUDA();
    // The DiT's KV pool path: the cache's pooled keys and only the chunk's own key windows.
    const auto opts = torch::TensorOptions().device(torch::kCUDA).dtype(torch::kBFloat16);
    const auto q = torch::randn({66, 128, 1536}, opts);
    const auto k = torch::randn({264, 128, 1536}, opts) + torch::randn({264, 1, 1536}, opts);
    const auto full = kernels::torch_api::select_blocks_with_stages(q, k, 12, 6, 11, 11, 7919);
    const auto appended = kernels::torch_api::select_blocks_appended(
        q, full.pooled_k.narrow(0, 0, 198).clone(), k.narrow(0, 198, 66).clone(), 12, 6, 11, 11,
        7919);
    EXPECT_TRUE(torch::equal(appended.pooled_k, full.pooled_k));
    EXPECT_TRUE(torch::equal(appended.mask, full.mask));
    // No cache (the first chunk): the new windows are all the keys.
    const auto first =
        kernels::torch_api::select_blocks_appended(q, torch::Tensor(), k, 12, 6, 11, 11, 7919);
    EXPECT_TRUE(torch::equal(first.mask, full.mask));
}

TEST(BlockSelectGpu, RejectsBadArguments) {
    KERNELS_REQUIRE_CUDA();
    const auto opts = torch::TensorOptions().device(torch::kCUDA).dtype(torch::kBFloat16);
    const auto q = torch::randn({6, 128, 256}, opts);
    const auto k = torch::randn({12, 128, 256}, opts);
    try {
        kernels::torch_api::select_blocks(q, k, 2, 2, 4, 3, 10);  // S = 8 does not divide 6
        ADD_FAILURE() << "nq = 6 with S = 8 must be rejected";
    } catch (const c10::Error& e) {
        EXPECT_NE(std::string(e.what()).find("multiples of S"), std::string::npos) << e.what();
    }
    EXPECT_THROW(kernels::torch_api::select_blocks(q, k, 3, 2, 3, 3, 10),
                 c10::Error);  // C != 3*128
    EXPECT_THROW(kernels::torch_api::select_blocks(q, k, 2, 2, 3, 0, 10), c10::Error);  // R = 0
}

}  // namespace
