// GPU test (label gpu) of the fused DiT elementwise kernels against the unfused PyTorch ops the
// DiT runs without them (upstream's modulate, gated residuals, LayerNorm with and without affine
// parameters, WanRMSNorm), on fresh random data at the pipeline's shapes.
//
// Tolerances: the residual adds are the same two fp32 operations and roundings as PyTorch's, so
// they must be bit-identical. The norms sum their fp32 statistics in another order than PyTorch's
// Welford / reduction kernels, so a small fraction of outputs may land one rounding step of the
// run dtype apart (and the modulation may carry that step on): we require under 1 % of values not
// bit-identical and a relative L2 error far below one ulp of the dtype (2e-3 bf16, 3e-4 fp16).

#include "kernels/torch/dit_elementwise.h"

#include "kernel_test_util.h"

#include <cstdio>
#include <string>

namespace {

using kernels_test::error_norms;
namespace fused = kernels::torch_api;

constexpr double kEps = 1e-6;

struct Case {
    int64_t tokens;
    int64_t channels;
    torch::ScalarType dtype;
};

std::string describe(const Case& c) {
    return std::to_string(c.tokens) + "x" + std::to_string(c.channels) +
           (c.dtype == torch::kBFloat16 ? " bf16" : " fp16");
}

// Prints the error norms and checks them; `exact` requires bit-identical results.
void compare(const char* what,
             const Case& c,
             const torch::Tensor& got,
             const torch::Tensor& ref,
             bool exact) {
    ASSERT_EQ(got.sizes(), ref.sizes()) << what;
    ASSERT_EQ(got.scalar_type(), ref.scalar_type()) << what;
    const auto n = error_norms(got, ref);
    const auto mismatched = (got != ref).sum().item<int64_t>();
    const double fraction = static_cast<double>(mismatched) / static_cast<double>(got.numel());
    std::printf("%-30s %-16s rel L2 %.3e, max abs %.3e (ref max %.2f), %.4f%% not bit-identical\n",
                what, describe(c).c_str(), n.relative_l2, n.max_abs, n.ref_max_abs,
                100.0 * fraction);
    EXPECT_EQ(n.non_finite, 0) << what;
    if (exact) {
        EXPECT_EQ(mismatched, 0) << what << " must be bit-identical";
    } else {
        EXPECT_LT(n.relative_l2, c.dtype == torch::kBFloat16 ? 2e-3 : 3e-4) << what;
        EXPECT_LT(fraction, 0.01) << what;
    }
}

torch::Tensor layer_norm(const torch::Tensor& x) {
    return torch::layer_norm(x, {x.size(-1)}, {}, {}, kEps);
}

void check_case(const Case& c) {
    const auto opts = torch::dtype(c.dtype).device(torch::kCUDA);
    // Activations with a realistic spread: a per-channel offset and scale like DiT residuals.
    auto x = (torch::randn({1, c.tokens, c.channels}, opts) * 4 +
              torch::randn({1, 1, c.channels}, opts) * 2)
                 .to(c.dtype);
    auto y = torch::randn({1, c.tokens, c.channels}, opts);
    // The modulation chunks are [1, 1, C] views into one [1, 6, C] tensor, as in the DiT.
    auto mod = (torch::randn({1, 6, c.channels}, opts) * 0.5).chunk(6, 1);
    const auto& shift = mod[0];
    const auto& scale = mod[1];
    const auto& gate = mod[2];
    auto weight = torch::rand({c.channels}, opts) + 0.5;
    auto bias = torch::randn({c.channels}, opts) * 0.1;

    compare("layer_norm_modulate", c, fused::layer_norm_modulate(x, kEps, shift, scale),
            layer_norm(x) * (1 + scale) + shift, false);

    const auto gated_ref = x + gate * y;
    compare("gated_residual", c, fused::gated_residual(x, gate, y), gated_ref, true);

    auto [r1, n1] = fused::gated_residual_layer_norm(x, gate, y, weight, bias, kEps);
    compare("gated_residual_layer_norm (r)", c, r1, gated_ref, true);
    compare("gated_residual_layer_norm (n)", c, n1,
            torch::layer_norm(gated_ref, {c.channels}, weight, bias, kEps), false);

    const auto sum_ref = x + y;
    auto [r2, n2] = fused::residual_layer_norm_modulate(x, y, kEps, shift, scale);
    compare("residual_layer_norm_mod (r)", c, r2, sum_ref, true);
    compare("residual_layer_norm_mod (n)", c, n2, layer_norm(sum_ref) * (1 + scale) + shift, false);

    auto xf = x.to(torch::kFloat);
    const auto rms_ref = (xf * torch::rsqrt(xf.pow(2).mean(-1, true) + kEps)).to(c.dtype) * weight;
    compare("rms_norm", c, fused::rms_norm(x, weight, kEps), rms_ref, false);
}

TEST(DitElementwise, MatchesTheUnfusedOps) {
    KERNELS_REQUIRE_CUDA();
    torch::manual_seed(7);
    check_case({8448, 1536, torch::kBFloat16});   // 768x1408 steady chunk
    check_case({25344, 1536, torch::kBFloat16});  // 768x1408 chunk 0
    check_case({15360, 1536, torch::kHalf});      // 1024x1920 steady chunk, fp16
    check_case({384, 256, torch::kBFloat16});     // tiny test model width
    check_case({100, 1000, torch::kBFloat16});    // C not a multiple of 32 threads' channels
}

TEST(DitElementwise, ReadsStridedRowsAndWritesInTheirShape) {
    KERNELS_REQUIRE_CUDA();
    const auto opts = torch::dtype(torch::kBFloat16).device(torch::kCUDA);
    // x as the middle third of a wider projection: row stride 3C.
    auto wide = torch::randn({512, 3 * 256}, opts);
    auto x = wide.narrow(1, 256, 256);
    auto weight = torch::rand({256}, opts) + 0.5;
    auto got = fused::rms_norm(x, weight, kEps);
    EXPECT_EQ(got.sizes(), x.sizes());
    auto xf = x.to(torch::kFloat);
    auto ref = (xf * torch::rsqrt(xf.pow(2).mean(-1, true) + kEps)).to(torch::kBFloat16) * weight;
    EXPECT_LT(error_norms(got, ref).relative_l2, 2e-3);
}

TEST(DitElementwise, RejectsMismatchedArguments) {
    KERNELS_REQUIRE_CUDA();
    const auto opts = torch::dtype(torch::kBFloat16).device(torch::kCUDA);
    auto x = torch::randn({1, 64, 256}, opts);
    auto vec = torch::randn({256}, opts);
    EXPECT_THROW(fused::gated_residual(x, vec, torch::randn({1, 32, 256}, opts)), c10::Error);
    EXPECT_THROW(fused::rms_norm(x, torch::randn({128}, opts), kEps), c10::Error);
    EXPECT_THROW(fused::rms_norm(x, vec.to(torch::kFloat), kEps), c10::Error);
    EXPECT_THROW(fused::rms_norm(x.to(torch::kFloat), vec, kEps), c10::Error);
    EXPECT_THROW(fused::rms_norm(x.cpu(), vec, kEps), c10::Error);
}

}  // namespace
