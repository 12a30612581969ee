// GPU test (label gpu) of the Wan VAE decoder's fused channels-last pass (kernels/channel_norm.h)
// against the PyTorch ops the decoder runs without it: conv bias add, residual add, upstream's
// RMS_norm (F.normalize over channels · sqrt(C) · gamma) and SiLU, at the decoder's widths.
//
// Tolerances: the bias and residual adds are the same roundings as PyTorch's and must be
// bit-identical. The norm rounds once where PyTorch rounds four times (the norm, the division,
// the scale, gamma), so about a third of the values differ by a rounding step; the fused result
// must be at least as close to the exact (float64) result as the unfused ops are.

#include "kernels/torch/channel_norm.h"

#include "kernel_test_util.h"

#include <cmath>
#include <cstdio>

namespace {

using kernels_test::error_norms;
namespace fused = kernels::torch_api;

torch::Tensor rms_norm_ref(const torch::Tensor& x, const torch::Tensor& gamma) {
    namespace F = torch::nn::functional;
    const double scale = std::sqrt(static_cast<double>(x.size(1)));
    auto y = F::normalize(x, F::NormalizeFuncOptions().p(2).dim(1).eps(1e-12));
    return y.mul_(scale).mul_(gamma.view({1, -1, 1, 1, 1}));
}

void check_width(std::int64_t channels, torch::ScalarType dtype) {
    const auto opts = torch::dtype(dtype).device(torch::kCUDA);
    auto x =
        torch::randn({1, channels, 3, 40, 72}, opts).contiguous(at::MemoryFormat::ChannelsLast3d);
    auto residual =
        torch::randn({1, channels, 3, 40, 72}, opts).contiguous(at::MemoryFormat::ChannelsLast3d);
    auto bias = torch::randn({channels}, opts);
    auto gamma = torch::rand({channels}, opts) + 0.5;
    const double scale = std::sqrt(static_cast<double>(channels));
    const auto bias5 = bias.view({1, -1, 1, 1, 1});

    auto added = fused::channel_norm(x, bias, residual, {}, 1.0, false);
    EXPECT_TRUE(added.is_contiguous(at::MemoryFormat::ChannelsLast3d));
    EXPECT_TRUE(torch::equal(added, (x + bias5).add_(residual)))
        << "bias + residual, C " << channels;

    // Against the exact result (float64 from the same inputs): the fused pass, which rounds
    // once, must be at least as close as the unfused ops, which round after each op.
    auto got = fused::channel_norm(x, bias, {}, gamma, scale, true);
    auto unfused = torch::silu(rms_norm_ref(x + bias5, gamma));
    auto r = (x + bias5).to(torch::kDouble);  // the bias add rounds in both
    auto exact = torch::silu(r / r.pow(2).sum(1, true).sqrt() * scale *
                             gamma.to(torch::kDouble).view({1, -1, 1, 1, 1}));
    const auto n = error_norms(got, exact);
    const auto n_unfused = error_norms(unfused, exact);
    std::printf("channel_norm C %-4lld %s: rel L2 to exact %.3e (unfused ops %.3e), max abs %.3e\n",
                static_cast<long long>(channels), dtype == torch::kBFloat16 ? "bf16" : "fp16",
                n.relative_l2, n_unfused.relative_l2, n.max_abs);
    EXPECT_EQ(n.non_finite, 0);
    EXPECT_LE(n.relative_l2, n_unfused.relative_l2 * 1.05);
    EXPECT_LE(n.max_abs, n_unfused.max_abs * 1.5);
}

TEST(ChannelNorm, AtLeastAsAccurateAsTheUnfusedOps) {
    KERNELS_REQUIRE_CUDA();
    torch::manual_seed(11);
    for (auto channels : {8, 96, 192, 384}) {
        check_width(channels, torch::kBFloat16);
    }
    check_width(96, torch::kHalf);
}

TEST(ChannelNorm, FourDimensionalChannelsLast) {
    KERNELS_REQUIRE_CUDA();
    const auto opts = torch::dtype(torch::kBFloat16).device(torch::kCUDA);
    auto x = torch::randn({2, 96, 33, 17}, opts).contiguous(at::MemoryFormat::ChannelsLast);
    auto gamma = torch::ones({96}, opts);
    auto got = fused::channel_norm(x, {}, {}, gamma, std::sqrt(96.0), false);
    EXPECT_TRUE(got.is_contiguous(at::MemoryFormat::ChannelsLast));
    auto xf = x.to(torch::kFloat);
    auto ref = (xf / xf.pow(2).sum(1, true).sqrt() * std::sqrt(96.0)).to(torch::kBFloat16);
    EXPECT_LT(error_norms(got, ref).relative_l2, 3e-3);
}

// The Wan VAE decoder's use: the result written as the last frames of a causal conv's input,
// behind two cached frames that must stay as they are.
TEST(ChannelNorm, WritesIntoFramesOfALargerTensor) {
    KERNELS_REQUIRE_CUDA();
    torch::manual_seed(12);
    const auto opts = torch::dtype(torch::kBFloat16).device(torch::kCUDA);
    const auto cl = at::MemoryFormat::ChannelsLast3d;
    auto x = torch::randn({1, 96, 4, 24, 40}, opts).contiguous(cl);
    auto bias = torch::randn({96}, opts);
    auto gamma = torch::rand({96}, opts) + 0.5;
    auto input = torch::randn({1, 96, 6, 24, 40}, opts).contiguous(cl);
    const auto head = input.narrow(2, 0, 2).clone();
    auto tail = input.narrow(2, 2, 4);
    auto written = fused::channel_norm(x, bias, {}, gamma, std::sqrt(96.0), true, tail);
    EXPECT_EQ(written.data_ptr(), tail.data_ptr());
    EXPECT_TRUE(torch::equal(tail, fused::channel_norm(x, bias, {}, gamma, std::sqrt(96.0), true)));
    EXPECT_TRUE(torch::equal(input.narrow(2, 0, 2), head));
    // out in another layout or of another size is refused.
    EXPECT_THROW(
        fused::channel_norm(x, bias, {}, gamma, 1.0, true, torch::empty_like(x).contiguous()),
        c10::Error);
    EXPECT_THROW(fused::channel_norm(x, bias, {}, gamma, 1.0, true, input.narrow(2, 2, 3)),
                 c10::Error);
}

TEST(ChannelNorm, RejectsWhatItCannotRead) {
    KERNELS_REQUIRE_CUDA();
    const auto opts = torch::dtype(torch::kBFloat16).device(torch::kCUDA);
    auto contiguous = torch::randn({1, 96, 2, 8, 8}, opts);
    EXPECT_FALSE(fused::channel_norm_accepts(contiguous));
    EXPECT_THROW(fused::channel_norm(contiguous, {}, {}, {}, 1.0, true), c10::Error);
    auto x = contiguous.contiguous(at::MemoryFormat::ChannelsLast3d);
    EXPECT_TRUE(fused::channel_norm_accepts(x));
    EXPECT_THROW(fused::channel_norm(x, torch::randn({48}, opts), {}, {}, 1.0, false), c10::Error);
    EXPECT_THROW(fused::channel_norm(x, {}, contiguous, {}, 1.0, false), c10::Error);
    EXPECT_FALSE(fused::channel_norm_accepts(
        torch::randn({1, 12, 2, 8, 8}, opts).contiguous(at::MemoryFormat::ChannelsLast3d)));
}

}  // namespace
