// GPU test (label gpu) of the fused q/k RMSNorm + RoPE + window partition kernel against the
// PyTorch ops the DiT runs without it (upstream's WanRMSNorm and complex128 rope_apply).

#include "kernels/torch/qkv_prepare.h"

#include "kernel_test_util.h"

#include <cmath>
#include <cstdio>

namespace {

using kernels_test::error_norms;

torch::Tensor reference_norm(const torch::Tensor& x, const torch::Tensor& weight, double eps) {
    auto xf = x.to(torch::kFloat);
    auto normed = xf * torch::rsqrt(xf.pow(2).mean(-1, true) + eps);
    return normed.to(x.scalar_type()) * weight;
}

torch::Tensor reference_rope(const torch::Tensor& x, const torch::Tensor& freqs, int64_t heads) {
    auto pairs = x.to(torch::kDouble).reshape({x.size(0), heads, -1, 2});
    auto rotated = torch::view_as_real(torch::view_as_complex(pairs) * freqs);
    return rotated.flatten(1).to(x.scalar_type());
}

// [L, C] in (f, y, x) order -> [nWin, wf*wh*ww, C]
torch::Tensor reference_partition(const torch::Tensor& x,
                                  std::array<int64_t, 3> g,
                                  std::array<int64_t, 3> w) {
    return x.view({g[0] / w[0], w[0], g[1] / w[1], w[1], g[2] / w[2], w[2], x.size(1)})
        .permute({0, 2, 4, 1, 3, 5, 6})
        .reshape({-1, w[0] * w[1] * w[2], x.size(1)});
}

// Random complex128 rotations [L, 1, 64] (unit modulus, like the RoPE table).
torch::Tensor random_freqs(int64_t tokens, const torch::Device& device) {
    auto angles = torch::rand({tokens, 1, 64}, torch::dtype(torch::kDouble)) * 2 * M_PI * 100;
    return torch::polar(torch::ones_like(angles), angles).to(device);
}

void check_case(std::array<int64_t, 3> grid, int64_t heads, torch::ScalarType dtype) {
    const auto device = torch::Device(torch::kCUDA, 0);
    const auto tokens = grid[0] * grid[1] * grid[2];
    const auto channels = heads * 128;
    const auto opts = torch::dtype(dtype).device(device);
    // q, k, v as views of one [L, 3C] projection (strided rows, as a fused QKV GEMM gives).
    auto qkv = (torch::randn({tokens, 3 * channels}, opts) * 3 + 0.5).to(dtype);
    auto q = qkv.narrow(1, 0, channels);
    auto k = qkv.narrow(1, channels, channels);
    auto v = qkv.narrow(1, 2 * channels, channels);
    auto qw = torch::rand({channels}, opts) + 0.5;
    auto kw = torch::rand({channels}, opts) + 0.5;
    auto freqs = random_freqs(tokens, device);
    const std::array<int64_t, 3> window{2, 8, 8};
    const double eps = 1e-6;

    auto got = kernels::torch_api::qkv_prepare(q.unsqueeze(0), k.unsqueeze(0), v.unsqueeze(0), qw,
                                               kw, eps, freqs, grid, window);
    torch::cuda::synchronize();
    auto ref_q =
        reference_partition(reference_rope(reference_norm(q, qw, eps), freqs, heads), grid, window);
    auto ref_k =
        reference_partition(reference_rope(reference_norm(k, kw, eps), freqs, heads), grid, window);
    auto ref_v = reference_partition(v, grid, window);

    ASSERT_EQ(got.q.sizes(), ref_q.sizes());
    EXPECT_TRUE(torch::equal(got.v, ref_v)) << "v must be a pure copy";
    for (const auto& [name, a, b] :
         {std::tuple{"q", got.q, ref_q}, std::tuple{"k", got.k, ref_k}}) {
        const auto n = error_norms(a, b);
        // Only the fp32 sum-of-squares order differs from PyTorch's: a few values land one
        // rounding step of the run dtype apart.
        const auto mismatched = (a != b).sum().item<int64_t>();
        const double fraction = static_cast<double>(mismatched) / static_cast<double>(a.numel());
        std::printf(
            "qkv_prepare %s grid %ldx%ldx%ld heads %ld %s: rel L2 %.3e, max abs %.3e, "
            "%.4f%% not bit-identical\n",
            name, static_cast<long>(grid[0]), static_cast<long>(grid[1]),
            static_cast<long>(grid[2]), static_cast<long>(heads),
            dtype == torch::kBFloat16 ? "bf16" : "fp16", n.relative_l2, n.max_abs,
            100.0 * fraction);
        EXPECT_EQ(n.non_finite, 0) << name;
        EXPECT_LT(n.relative_l2, dtype == torch::kBFloat16 ? 2e-3 : 3e-4) << name;
        EXPECT_LT(fraction, 0.01) << name;
    }
}

TEST(QkvPrepare, MatchesTheUnfusedOps) {
    KERNELS_REQUIRE_CUDA();
    check_case({2, 48, 88}, 12, torch::kBFloat16);  // 768x1408 output, one steady chunk
    check_case({6, 16, 24}, 2, torch::kBFloat16);   // chunk-0-like grid, small model
    check_case({2, 64, 120}, 12, torch::kHalf);     // 1024x1920 class, fp16
}

TEST(QkvPrepare, RejectsAGridTheWindowDoesNotDivide) {
    KERNELS_REQUIRE_CUDA();
    const auto opts = torch::dtype(torch::kBFloat16).device(torch::kCUDA);
    auto x = torch::randn({2 * 8 * 12, 128}, opts);
    auto w = torch::ones({128}, opts);
    auto freqs = random_freqs(2 * 8 * 12, torch::Device(torch::kCUDA, 0));
    EXPECT_THROW(kernels::torch_api::qkv_prepare(x, x, x, w, w, 1e-6, freqs, {2, 8, 12}, {2, 8, 8}),
                 c10::Error);
}

}  // namespace
