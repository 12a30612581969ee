// GPU tests of kernels::torch_api::narrow_conv3x3 (the TCDecoder's last layer on tensor cores)
// against a float64 reference with PyTorch's roundings (the convolution rounded to the run
// dtype, then the bias added and rounded), and against cuDNN's own result. Sizes are awkward on
// purpose: widths not a multiple of the 64-pixel tile, heights not a multiple of 8.

#include "kernels/torch/narrow_conv.h"

#include "engine/torch.h"
#include "kernel_test_util.h"

#include <gtest/gtest.h>

#include <cstdio>

namespace {

using kernels_test::error_norms;

struct Case {
    const char* name;
    torch::ScalarType dtype;
    int64_t images, channels, height, width, outputs;
    bool bias;
};

void run_case(const Case& c) {
    SCOPED_TRACE(c.name);
    torch::manual_seed(7);
    const auto opts = torch::TensorOptions().device(torch::kCUDA).dtype(c.dtype);
    const auto x = torch::randn({c.images, c.channels, c.height, c.width}, opts)
                       .contiguous(at::MemoryFormat::ChannelsLast);
    const auto w = torch::randn({c.outputs, c.channels, 3, 3}, opts) * 0.05;
    const auto b = c.bias ? torch::randn({c.outputs}, opts) : torch::Tensor();

    // A frame inside a larger NCDHW video: only that frame may change.
    auto video = torch::zeros({c.images, c.outputs, 3, c.height, c.width}, opts);
    auto frame = video.select(2, 1);
    kernels::torch_api::narrow_conv3x3_out(frame, x,
                                           kernels::torch_api::narrow_conv_pack_weights(w), b);
    EXPECT_EQ(video.select(2, 0).abs().max().item<double>(), 0.0);
    EXPECT_EQ(video.select(2, 2).abs().max().item<double>(), 0.0);

    auto exact = torch::conv2d(x.to(torch::kDouble), w.to(torch::kDouble), {}, 1, 1).to(c.dtype);
    if (c.bias) {
        exact = (exact.to(torch::kFloat) + b.to(torch::kFloat).view({1, -1, 1, 1})).to(c.dtype);
    }
    const auto cudnn = torch::conv2d(x, w, b, 1, 1);
    const auto ours = error_norms(frame, exact);
    const auto theirs = error_norms(cudnn, exact);
    std::printf("  %-28s ours rel L2 %.3g max %.3g | cuDNN rel L2 %.3g max %.3g\n", c.name,
                ours.relative_l2, ours.max_abs, theirs.relative_l2, theirs.max_abs);
    // Only the fp32 summation order differs from the exact sum: a rounding step here and there.
    EXPECT_LT(ours.relative_l2, c.dtype == torch::kBFloat16 ? 4e-3 : 6e-4);
    EXPECT_LT(ours.relative_l2, 2.0 * theirs.relative_l2 + 1e-4);
}

TEST(NarrowConvGpu, MatchesTheExactConvolution) {
    KERNELS_REQUIRE_CUDA();
    run_case({"128->3 bias bf16 (decoder)", torch::kBFloat16, 2, 128, 37, 75, 3, true});
    run_case({"128->3 bias fp16", torch::kHalf, 1, 128, 8, 64, 3, true});
    run_case({"32->1 no bias bf16", torch::kBFloat16, 3, 32, 17, 130, 1, false});
    run_case({"64->8 bias bf16", torch::kBFloat16, 1, 64, 9, 65, 8, true});
    run_case({"128->3 96x200 bf16", torch::kBFloat16, 1, 128, 96, 200, 3, true});
}

TEST(NarrowConvGpu, RejectsBadArguments) {
    KERNELS_REQUIRE_CUDA();
    const auto opts = torch::TensorOptions().device(torch::kCUDA).dtype(torch::kBFloat16);
    const auto w = torch::randn({3, 24, 3, 3}, opts);
    const auto packed = kernels::torch_api::narrow_conv_pack_weights(w);
    auto out = torch::empty({1, 3, 8, 8}, opts);
    // 24 channels: not a multiple of 16.
    const auto x24 = torch::randn({1, 24, 8, 8}, opts).contiguous(at::MemoryFormat::ChannelsLast);
    EXPECT_FALSE(kernels::torch_api::narrow_conv_accepts(x24));
    EXPECT_THROW(kernels::torch_api::narrow_conv3x3_out(out, x24, packed, {}), c10::Error);
    // NCHW input, weights for another channel count, too many outputs.
    const auto x32 = torch::randn({1, 32, 8, 8}, opts);
    EXPECT_THROW(kernels::torch_api::narrow_conv3x3_out(out, x32, packed, {}), c10::Error);
    const auto x32cl = x32.contiguous(at::MemoryFormat::ChannelsLast);
    EXPECT_THROW(kernels::torch_api::narrow_conv3x3_out(out, x32cl, packed, {}), c10::Error);
    EXPECT_THROW(kernels::torch_api::narrow_conv_pack_weights(torch::randn({9, 32, 3, 3}, opts)),
                 c10::Error);
}

}  // namespace
