// Mask selection (spec §4.2, §4.3) on crafted inputs: the local window, the top-k threshold with
// its tie rule, and the capped top-k.

#include "engine/model/attention/block_mask.h"

#include <gtest/gtest.h>

namespace {

using namespace engine::model::attention;

TEST(LocalWindowMask, MatchesClosedFormAndIsNotClamped) {
    const std::int64_t gh = 4, gw = 5, range = 3;
    auto mask = local_window_mask(gh, gw, range);
    ASSERT_EQ(mask.sizes(), torch::IntArrayRef({20, 20}));
    for (std::int64_t q = 0; q < gh * gw; ++q) {
        for (std::int64_t k = 0; k < gh * gw; ++k) {
            const auto qr = q / gw, qc = q % gw, kr = k / gw, kc = k % gw;
            const bool expected = kr >= qr - 1 && kr <= qr + 1 && kc >= qc - 1 && kc <= qc + 1;
            EXPECT_EQ(mask[q][k].item<bool>(), expected) << q << "," << k;
        }
    }
    // Corner windows see 2x2 neighbours (not shifted inwards).
    EXPECT_EQ(mask[0].sum().item<std::int64_t>(), 4);
}

TEST(LocalWindowMask, EvenRangeStartsHalfBefore) {
    auto mask = local_window_mask(1, 6, 4);  // columns c-2 .. c+1
    EXPECT_TRUE(mask[3][1].item<bool>());
    EXPECT_TRUE(mask[3][4].item<bool>());
    EXPECT_FALSE(mask[3][5].item<bool>());
    EXPECT_FALSE(mask[3][0].item<bool>());
}

// Windows whose pooled q/k give chosen scores: q window i pools to e_i-ish vectors.
torch::Tensor windows_from_pooled(const torch::Tensor& pooled) {
    return pooled.unsqueeze(1).expand({pooled.size(0), 128, pooled.size(1)}).contiguous();
}

TEST(SelectBlockMask, KeepsStrictlyAboveThresholdAndDropsTies) {
    // One head of dim 128, S = 1 window per frame, 1 query, 4 keys -> probabilities from scores.
    const double s = std::sqrt(128.0);
    auto q = torch::zeros({1, 128});
    q[0][0] = 1.0;
    auto k = torch::zeros({4, 128});
    // scores (after / sqrt(128)): 3, 1, 1, 0 -> probabilities p0 > p1 == p2 > p3
    k[0][0] = 3.0 * s;
    k[1][0] = 1.0 * s;
    k[2][0] = 1.0 * s;
    k[3][0] = 0.0;
    auto local = torch::ones({1, 1}, torch::kBool);
    // topk = 1: tau = 2nd largest = p1 (tie with p2) -> only p0 selected.
    auto mask = select_block_mask(windows_from_pooled(q), windows_from_pooled(k), 1, 1, 1, local);
    ASSERT_EQ(mask.sizes(), torch::IntArrayRef({1, 1, 1, 4}));
    auto values = mask.flatten();
    EXPECT_TRUE(values[0].item<bool>());
    EXPECT_FALSE(values[1].item<bool>());
    EXPECT_FALSE(values[2].item<bool>());
    EXPECT_FALSE(values[3].item<bool>());
    // topk = 2: tau = 3rd largest = p2 == p1 -> the tie is dropped again, only p0.
    mask = select_block_mask(windows_from_pooled(q), windows_from_pooled(k), 1, 1, 2, local);
    EXPECT_EQ(mask.sum().item<std::int64_t>(), 1);
    // topk = 3: tau = p3 -> p0, p1, p2 selected.
    mask = select_block_mask(windows_from_pooled(q), windows_from_pooled(k), 1, 1, 3, local);
    EXPECT_EQ(mask.sum().item<std::int64_t>(), 3);
    EXPECT_FALSE(mask.flatten()[3].item<bool>());
    // topk far above the candidates is capped at n - 1: all but the smallest.
    mask = select_block_mask(windows_from_pooled(q), windows_from_pooled(k), 1, 1, 719, local);
    EXPECT_EQ(mask.sum().item<std::int64_t>(), 3);
}

TEST(SelectBlockMask, LocalMaskZeroesProbabilitiesAndThresholdBecomesZero) {
    // S = 3 windows in a 1x3 grid, range 1: each query window sees only itself.
    auto q = torch::randn({3, 128});
    auto k = torch::randn({3, 128});
    auto local = local_window_mask(1, 3, 1);
    // topk 5 > the 3 positive entries: tau = 0 and exactly the positive ones are selected.
    auto mask = select_block_mask(windows_from_pooled(q), windows_from_pooled(k), 1, 1, 5, local);
    EXPECT_TRUE(mask[0][0].equal(torch::eye(3, torch::kBool)));
}

TEST(SelectBlockMask, GroupsAreSelectedIndependentlyPerHeadAndQueryFrame) {
    torch::manual_seed(3);
    // 2 heads, S = 2, 2 query groups, 6 key windows (3 temporal windows).
    auto q = torch::randn({4, 256});
    auto k = torch::randn({6, 256});
    auto local = torch::ones({2, 2}, torch::kBool);
    auto mask = select_block_mask(windows_from_pooled(q), windows_from_pooled(k), 2, 2, 4, local);
    ASSERT_EQ(mask.sizes(), torch::IntArrayRef({1, 2, 4, 6}));
    for (int h = 0; h < 2; ++h) {
        for (int g = 0; g < 2; ++g) {
            // 2 rows x 6 keys = 12 candidates, topk 4 -> exactly 4 (random scores: no ties).
            EXPECT_EQ(mask[0][h].slice(0, 2 * g, 2 * g + 2).sum().item<std::int64_t>(), 4);
        }
    }
}

TEST(TopK, MatchesGoldenParameters) {
    const double dense = topk_ratio_for(2.0, 256, 384);
    EXPECT_DOUBLE_EQ(dense, 20.0);
    EXPECT_EQ(topk_for(6, dense), 719);
    EXPECT_EQ(topk_for(6, topk_ratio_for(0.125, 256, 384)), 44);
    EXPECT_EQ(topk_for(66, topk_ratio_for(2.0, 768, 1408)), 7919);
    EXPECT_EQ(topk_for(60, topk_ratio_for(2.0, 768, 1280)), 7199);
}

}  // namespace
