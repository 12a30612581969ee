// GPU tests of kernels::torch_api::block_sparse_attention against a float64 torch reference
// (dense scores with the expanded block mask, softmax, rows without any key block = 0), on fresh
// random inputs of every production shape (spec flashvsr-model.md §2.1.2: 768x1408 steady state
// and chunk 0, 1024x1920) and of awkward small shapes (partial blocks, strided heads).
//
// Every case runs the mma.sync kernel and the automatic choice (the Hopper wgmma kernel on
// compute capability 9.0), so both implementations are covered on an H100/H200.
// Tolerance (relative L2 over the whole output): bf16 1e-2, fp16 3e-3. The kernel rounds P to the
// input dtype before P·V (FlashAttention does the same) and rounds the output: bf16 keeps 8
// significant bits, fp16 11; measured values are printed for every case. Empty query blocks must
// be exactly zero; the output is poisoned with NaN first, so every element must be written.

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

using kernels_test::error_norms;

constexpr int64_t kBlock = 128;
constexpr int64_t kDim = 128;

// Exact reference in float64; one head and at most 1024 query rows at a time (bounded memory).
torch::Tensor reference_attention(const torch::Tensor& q,
                                  const torch::Tensor& k,
                                  const torch::Tensor& v,
                                  const torch::Tensor& mask,
                                  double scale) {
    const int64_t batch = q.size(0), q_len = q.size(1), heads = q.size(2), k_len = k.size(1);
    auto out = torch::zeros({batch, q_len, heads, kDim}, q.options().dtype(torch::kDouble));
    constexpr int64_t kRows = 1024;
    for (int64_t b = 0; b < batch; ++b) {
        for (int64_t h = 0; h < heads; ++h) {
            const auto qh = q.select(0, b).select(1, h).to(torch::kDouble);
            const auto kh = k.select(0, b).select(1, h).to(torch::kDouble);
            const auto vh = v.select(0, b).select(1, h).to(torch::kDouble);
            const auto mh = mask.select(0, b).select(0, h).to(torch::kBool);
            const auto key_mask_cols = mh.repeat_interleave(kBlock, 1).narrow(1, 0, k_len);
            for (int64_t q0 = 0; q0 < q_len; q0 += kRows) {  // q0 is a multiple of 128
                const int64_t rows = std::min(kRows, q_len - q0);
                auto s = torch::matmul(qh.narrow(0, q0, rows), kh.t()) * scale;
                const int64_t first_block = q0 / kBlock;
                const int64_t blocks = (rows + kBlock - 1) / kBlock;
                const auto m = key_mask_cols.narrow(0, first_block, blocks)
                                   .repeat_interleave(kBlock, 0)
                                   .narrow(0, 0, rows);
                s.masked_fill_(m.logical_not(), -std::numeric_limits<double>::infinity());
                auto p = torch::softmax(s, -1).nan_to_num(0.0, 0.0, 0.0);  // empty rows -> 0
                out.select(0, b).select(1, h).narrow(0, q0, rows).copy_(torch::matmul(p, vh));
            }
        }
    }
    return out;
}

struct AttentionCase {
    std::string name;
    torch::ScalarType dtype;
    int64_t batch, heads, q_len, k_len;
    double density;
    double empty_rows;
    double magnitude = 1.0;
    bool packed_qkv = false;  // q/k/v are strided views of one [B, L, 3, H, 128] tensor
};

void run_case(const AttentionCase& c, uint64_t seed) {
    torch::manual_seed(seed);
    const auto opts = torch::TensorOptions().device(torch::kCUDA).dtype(c.dtype);
    const int64_t nqb = (c.q_len + kBlock - 1) / kBlock;
    const int64_t nkb = (c.k_len + kBlock - 1) / kBlock;
    torch::Tensor q, k, v;
    if (c.packed_qkv) {
        ASSERT_EQ(c.q_len, c.k_len);
        const auto qkv = (torch::randn({c.batch, c.q_len, 3, c.heads, kDim}, opts) * c.magnitude);
        q = qkv.select(2, 0);
        k = qkv.select(2, 1);
        v = qkv.select(2, 2);
    } else {
        q = torch::randn({c.batch, c.q_len, c.heads, kDim}, opts) * c.magnitude;
        k = torch::randn({c.batch, c.k_len, c.heads, kDim}, opts) * c.magnitude;
        v = torch::randn({c.batch, c.k_len, c.heads, kDim}, opts);
    }
    const auto fopts = torch::TensorOptions().device(torch::kCUDA).dtype(torch::kFloat);
    const auto empty = torch::rand({c.batch, c.heads, nqb, 1}, fopts) < c.empty_rows;
    const auto mask =
        (torch::rand({c.batch, c.heads, nqb, nkb}, fopts) < c.density) & empty.logical_not();
    const double scale = 1.0 / std::sqrt(128.0);

    const auto ref = reference_attention(q, k, v, mask, scale);
    const auto row_empty = mask.any(-1).logical_not();  // [B, H, nqb]
    const auto token_empty = row_empty.repeat_interleave(kBlock, 2)
                                 .narrow(2, 0, c.q_len)
                                 .permute({0, 2, 1})
                                 .unsqueeze(-1);  // [B, Lq, H, 1]
    const int64_t empty_count = row_empty.sum().item<int64_t>();
    const double selected = mask.to(torch::kDouble).mean().item<double>();
    const double tol = c.dtype == torch::kBFloat16 ? 1e-2 : 3e-3;

    // Both implementations: mma.sync always, and what kAuto picks (wgmma on cc 9.0).
    using kernels::torch_api::AttentionImpl;
    const std::string auto_kernel = kernels::torch_api::attention_kernel_description(q, k, v);
    for (const AttentionImpl impl : {AttentionImpl::kMmaSync, AttentionImpl::kAuto}) {
        const std::string impl_name = impl == AttentionImpl::kMmaSync ? "mma.sync" : auto_kernel;
        auto out = torch::full({c.batch, c.q_len, c.heads, kDim},
                               std::numeric_limits<float>::quiet_NaN(), opts);
        kernels::torch_api::block_sparse_attention_out(out, q, k, v, mask, scale, impl);
        const auto n = error_norms(out, ref);

        // Rows of empty query blocks must be exactly +0 (bit pattern 0).
        const auto bits = out.view(torch::kShort);
        const int64_t empty_nonzero =
            (bits.ne(0).logical_and(token_empty.expand_as(bits))).sum().item<int64_t>();

        std::printf(
            "[attention] %-44s sel=%.3f empty_rows=%lld rel_l2=%.3e max_abs=%.3e (|ref|max %.2f) "
            "non_finite=%lld empty_nonzero=%lld tol=%.0e [%s]\n",
            c.name.c_str(), selected, static_cast<long long>(empty_count), n.relative_l2, n.max_abs,
            n.ref_max_abs, static_cast<long long>(n.non_finite),
            static_cast<long long>(empty_nonzero), tol, impl_name.c_str());
        EXPECT_EQ(n.non_finite, 0)
            << c.name << " [" << impl_name << "]: unwritten or non-finite outputs";
        EXPECT_EQ(empty_nonzero, 0)
            << c.name << " [" << impl_name << "]: rows without key blocks must be exactly zero";
        EXPECT_LE(n.relative_l2, tol) << c.name << " [" << impl_name << "]";
    }
}

TEST(BlockSparseAttentionGpu, SmallAwkwardShapes) {
    KERNELS_REQUIRE_CUDA();
    const std::vector<AttentionCase> cases = {
        {"bf16 B2 H3 Lq300 Lk936 (partial blocks)", torch::kBFloat16, 2, 3, 300, 936, 0.5, 0.2},
        {"fp16 B2 H3 Lq300 Lk936 (partial blocks)", torch::kHalf, 2, 3, 300, 936, 0.5, 0.2},
        {"bf16 packed qkv (strided heads)", torch::kBFloat16, 1, 4, 1000, 1000, 0.4, 0.1, 1.0,
         true},
        {"fp16 dense mask", torch::kHalf, 1, 2, 256, 1024, 1.0, 0.0},
        {"bf16 sharp softmax (x4 inputs)", torch::kBFloat16, 1, 2, 512, 2048, 0.5, 0.0, 4.0},
        {"fp16 Lk=40 (one short key block)", torch::kHalf, 1, 1, 130, 40, 1.0, 0.0},
    };
    uint64_t seed = 100;
    for (const auto& c : cases) {
        run_case(c, seed++);
    }
}

TEST(BlockSparseAttentionGpu, EmptyMaskGivesZeros) {
    KERNELS_REQUIRE_CUDA();
    run_case({"bf16 all rows empty", torch::kBFloat16, 1, 2, 384, 512, 0.0, 0.0}, 7);
}

TEST(BlockSparseAttentionGpu, Steady768x1408) {
    KERNELS_REQUIRE_CUDA();
    // 66 query blocks x 264 key blocks (3 cached + 1 current temporal window), 12 heads.
    run_case({"768x1408 steady bf16 45%", torch::kBFloat16, 1, 12, 8448, 33792, 0.45, 0.05}, 11);
    run_case({"768x1408 steady fp16 25%", torch::kHalf, 1, 12, 8448, 33792, 0.25, 0.05}, 12);
    run_case({"768x1408 steady bf16 10%", torch::kBFloat16, 1, 12, 8448, 33792, 0.10, 0.30}, 13);
}

TEST(BlockSparseAttentionGpu, Chunk0_768x1408) {
    KERNELS_REQUIRE_CUDA();
    // 198 x 198 blocks (3 temporal windows, no cache yet).
    run_case({"768x1408 chunk0 bf16 60%", torch::kBFloat16, 1, 12, 25344, 25344, 0.6, 0.05}, 21);
}

TEST(BlockSparseAttentionGpu, Steady1024x1920) {
    KERNELS_REQUIRE_CUDA();
    // 120 query blocks x 480 key blocks.
    run_case({"1024x1920 steady bf16 25%", torch::kBFloat16, 1, 12, 15360, 61440, 0.25, 0.05}, 31);
    run_case({"1024x1920 steady fp16 50%", torch::kHalf, 1, 12, 15360, 61440, 0.5, 0.0}, 32);
}

// The DiT's KV pool: key blocks anywhere in k/v, named by a map. Bit-identical to the same
// attention on k/v gathered into logical order (the lists visit the same keys in the same order).
TEST(BlockSparseAttentionGpu, MappedKeyBlocksEqualGatheredOnes) {
    KERNELS_REQUIRE_CUDA();
    const auto opts = torch::TensorOptions().device(torch::kCUDA).dtype(torch::kBFloat16);
    const int64_t heads = 12, q_blocks = 66, logical = 264, pool_blocks = 400;
    const auto q = torch::randn({1, q_blocks * kBlock, heads, kDim}, opts);
    const auto k_pool = torch::randn({1, pool_blocks * kBlock, heads, kDim}, opts);
    const auto v_pool = torch::randn({1, pool_blocks * kBlock, heads, kDim}, opts);
    const auto map = torch::randperm(pool_blocks, torch::TensorOptions().dtype(torch::kLong))
                         .narrow(0, 0, logical)
                         .to(torch::kCUDA);
    auto gather = [&](const torch::Tensor& t) {
        return t.view({1, pool_blocks, kBlock, heads, kDim})
            .index_select(1, map)
            .reshape({1, logical * kBlock, heads, kDim});
    };
    const auto mask = torch::rand({1, heads, q_blocks, logical}, opts.dtype(torch::kFloat)) < 0.45;
    const double scale = 1.0 / std::sqrt(128.0);
    for (auto impl :
         {kernels::torch_api::AttentionImpl::kMmaSync, kernels::torch_api::AttentionImpl::kAuto}) {
        const auto mapped = kernels::torch_api::block_sparse_attention_mapped(
            q, k_pool, v_pool, mask, map.to(torch::kInt), scale, impl);
        const auto gathered = kernels::torch_api::block_sparse_attention(
            q, gather(k_pool), gather(v_pool), mask, scale, impl);
        EXPECT_TRUE(torch::equal(mapped, gathered));
    }
    // Output in token-grid order (the DiT's window reverse in the stores): 66 windows of 2x8x8
    // of a 2x48x88 grid, bit-identical to reversing the plain result.
    kernels::torch_api::OutputWindows windows;
    windows.grid = {2, 48, 88};
    windows.window = {2, 8, 8};
    for (auto impl :
         {kernels::torch_api::AttentionImpl::kMmaSync, kernels::torch_api::AttentionImpl::kAuto}) {
        const auto ordered = kernels::torch_api::block_sparse_attention_mapped(
            q, k_pool, v_pool, mask, map.to(torch::kInt), scale, impl, windows);
        const auto plain = kernels::torch_api::block_sparse_attention(
            q, gather(k_pool), gather(v_pool), mask, scale, impl);
        // Rows (window y, window x, dt, dy, dx) -> grid (t, y, x).
        const auto expected = plain.view({1, 6, 11, 2, 8, 8, heads * kDim})
                                  .permute({0, 3, 1, 4, 2, 5, 6})
                                  .reshape(q.sizes());
        EXPECT_TRUE(torch::equal(ordered, expected));
    }
    // A map needs whole blocks and one entry per mask column.
    EXPECT_THROW(kernels::torch_api::block_sparse_attention_mapped(
                     q, k_pool, v_pool, mask, map.narrow(0, 0, 10).to(torch::kInt), scale),
                 c10::Error);
}

TEST(BlockSparseAttentionGpu, RejectsBadArguments) {
    KERNELS_REQUIRE_CUDA();
    const auto opts = torch::TensorOptions().device(torch::kCUDA).dtype(torch::kBFloat16);
    const auto q = torch::randn({1, 256, 2, kDim}, opts);
    const auto k = torch::randn({1, 512, 2, kDim}, opts);
    const auto good_mask = torch::ones({1, 2, 2, 4}, opts.dtype(torch::kBool));
    const auto bad_mask = torch::ones({1, 2, 2, 3}, opts.dtype(torch::kBool));
    const double scale = 1.0 / std::sqrt(128.0);
    EXPECT_NO_THROW(kernels::torch_api::block_sparse_attention(q, k, k, good_mask, scale));
    try {
        kernels::torch_api::block_sparse_attention(q, k, k, bad_mask, scale);
        ADD_FAILURE() << "a [1,2,2,3] mask for 4 key blocks must be rejected";
    } catch (const c10::Error& e) {
        EXPECT_NE(std::string(e.what()).find("block_mask must be [B=1, H=2"), std::string::npos)
            << e.what();
    }
    EXPECT_THROW(
        kernels::torch_api::block_sparse_attention(q.to(torch::kFloat), k, k, good_mask, scale),
        c10::Error);
    EXPECT_THROW(kernels::torch_api::block_sparse_attention(q.cpu(), k.cpu(), k.cpu(),
                                                            good_mask.cpu(), scale),
                 c10::Error);
}

}  // namespace
