// The reference block-sparse attention against dense masked attention in float64, and the
// empty-row convention (spec §4.5).

#include "engine/model/attention/block_sparse_attention.h"

#include "engine/model/attention/window.h"

#include <gtest/gtest.h>

#include <array>
#include <limits>

namespace {

using namespace engine::model::attention;

torch::Tensor dense_masked(const torch::Tensor& q,
                           const torch::Tensor& k,
                           const torch::Tensor& v,
                           const torch::Tensor& block_mask,
                           double scale) {
    auto qd = q.to(torch::kDouble).permute({0, 2, 1, 3});
    auto kd = k.to(torch::kDouble).permute({0, 2, 1, 3});
    auto vd = v.to(torch::kDouble).permute({0, 2, 1, 3});
    auto token_mask = block_mask.repeat_interleave(128, 2).repeat_interleave(128, 3);
    auto scores = torch::matmul(qd, kd.transpose(-1, -2)) * scale;
    scores.masked_fill_(token_mask.logical_not(), -std::numeric_limits<double>::infinity());
    auto probs = torch::softmax(scores, -1).nan_to_num(0.0);
    return torch::matmul(probs, vd).permute({0, 2, 1, 3});
}

TEST(BlockSparseAttention, MatchesDenseMaskedAttention) {
    torch::manual_seed(0);
    auto q = torch::randn({1, 3 * 128, 2, 128});
    auto k = torch::randn({1, 5 * 128, 2, 128});
    auto v = torch::randn({1, 5 * 128, 2, 128});
    auto mask = torch::rand({1, 2, 3, 5}) > 0.4;
    mask[0][0][1].fill_(false);  // an empty row
    const double scale = 1.0 / std::sqrt(128.0);
    auto expected = dense_masked(q, k, v, mask, scale);
    // A tiny workspace forces one query block per group; the default takes all at once.
    for (std::int64_t workspace : {std::int64_t{1}, std::int64_t{256} << 20}) {
        auto out = block_sparse_attention_reference(q, k, v, mask, scale, workspace);
        ASSERT_EQ(out.sizes(), q.sizes());
        EXPECT_LT((out.to(torch::kDouble) - expected).abs().max().item<double>(), 1e-5);
    }
}

TEST(BlockSparseAttention, EmptyRowsOutputZero) {
    auto q = torch::randn({1, 256, 1, 128});
    auto k = torch::randn({1, 256, 1, 128});
    auto v = torch::randn({1, 256, 1, 128});
    auto mask = torch::zeros({1, 1, 2, 2}, torch::kBool);
    mask[0][0][1][0] = true;
    auto out = block_sparse_attention(q, k, v, mask, 0.1);
    EXPECT_EQ(out.slice(1, 0, 128).abs().max().item<float>(), 0.0F);
    EXPECT_GT(out.slice(1, 128, 256).abs().max().item<float>(), 0.0F);
    EXPECT_FALSE(out.isnan().any().item<bool>());
}

TEST(BlockSparseAttention, RejectsWrongMaskShape) {
    auto q = torch::randn({1, 128, 1, 128});
    auto mask = torch::ones({1, 1, 2, 1}, torch::kBool);
    EXPECT_THROW(block_sparse_attention(q, q, q, mask, 1.0), c10::Error);
}

// The DiT's KV pool and fused window reverse: keys named by a block map in a larger buffer, the
// output in token-grid order. The same numbers as gathering the keys and reversing the windows.
TEST(BlockSparseAttention, KeyMapAndOutputGridEqualGatherAndReverse) {
    torch::manual_seed(3);
    const std::int64_t heads = 2, dim = 16;
    const std::array<std::int64_t, 3> grid{2, 16, 8};  // 2 windows of 2x8x8 tokens
    const auto q = torch::randn({1, 256, heads, dim});
    const auto pool_k = torch::randn({1, 6 * 128, heads, dim});
    const auto pool_v = torch::randn({1, 6 * 128, heads, dim});
    const auto map = torch::tensor({4, 1, 5}, torch::kInt);  // 3 logical key blocks
    const auto mask = torch::rand({1, heads, 2, 3}) < 0.6;
    const auto index = map.to(torch::kLong);
    auto gathered = [&](const torch::Tensor& t) {
        return t.view({1, 6, 128, heads, dim}).index_select(1, index).view({1, 384, heads, dim});
    };
    const auto plain = block_sparse_attention(q, gathered(pool_k), gathered(pool_v), mask, 0.25);
    const auto mapped = block_sparse_attention(q, pool_k, pool_v, mask, 0.25, Backend::Auto, map);
    EXPECT_TRUE(torch::equal(mapped, plain));
    const auto ordered =
        block_sparse_attention(q, pool_k, pool_v, mask, 0.25, Backend::Auto, map, grid);
    const auto reversed =
        window_reverse(plain.view({2, 128, heads * dim}), WindowShape{}, grid[0], grid[1], grid[2]);
    EXPECT_TRUE(torch::equal(ordered, reversed.view(plain.sizes())));
}

TEST(WindowPartition, RoundTripAndOrder) {
    auto x = torch::arange(1 * 4 * 16 * 24 * 3).view({1, 4, 16, 24, 3});
    auto windows = window_partition(x, {});
    ASSERT_EQ(windows.sizes(), torch::IntArrayRef({2 * 2 * 3, 128, 3}));
    EXPECT_TRUE(window_reverse(windows, {}, 4, 16, 24).equal(x));
    // Window 1 is (t 0, row 0, column 1); its token 1 is (dt 0, dy 0, dx 1) = x[0, 0, 0, 9].
    EXPECT_TRUE(windows[1][1].equal(x[0][0][0][9]));
    // Window 3 is (t 0, row 1, column 0); token 64 is (dt 1, dy 0, dx 0) = x[0, 1, 8, 0].
    EXPECT_TRUE(windows[3][64].equal(x[0][1][8][0]));
    // Window 6 starts the second temporal window.
    EXPECT_TRUE(windows[6][0].equal(x[0][2][0][0]));
}

}  // namespace
