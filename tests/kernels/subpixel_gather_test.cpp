// GPU tests of kernels::torch_api::subpixel_gather (the TCDecoder's sub-pixel phase gather):
// bit for bit the per-phase strided copies it replaces, for 2- and 4-byte elements, odd sizes
// and several images; inputs it cannot read are refused.

#include "kernels/torch/subpixel_gather.h"

#include "engine/torch.h"
#include "kernel_test_util.h"

#include <gtest/gtest.h>

namespace {

// out[n, c, 2y + a, 2x + b] = phases[n, (2a + b)·m + c, y + a, x + b], phase by phase.
torch::Tensor reference(const torch::Tensor& phases) {
    const auto m = phases.size(1) / 4;
    const auto h = phases.size(2) - 1;
    const auto w = phases.size(3) - 1;
    auto out = torch::empty({phases.size(0), m, 2 * h, 2 * w}, phases.options());
    for (std::int64_t a = 0; a < 2; ++a) {
        for (std::int64_t b = 0; b < 2; ++b) {
            out.slice(2, a, 2 * h, 2)
                .slice(3, b, 2 * w, 2)
                .copy_(phases.narrow(1, (2 * a + b) * m, m).narrow(2, a, h).narrow(3, b, w));
        }
    }
    return out;
}

TEST(SubpixelGatherGpu, EqualsThePhaseCopiesBitForBit) {
    KERNELS_REQUIRE_CUDA();
    torch::manual_seed(5);
    struct Case {
        torch::ScalarType dtype;
        std::int64_t n, m, h, w;
    };
    for (const auto& c : {Case{torch::kBFloat16, 1, 128, 5, 7}, Case{torch::kHalf, 3, 8, 1, 1},
                          Case{torch::kFloat, 2, 4, 6, 3}, Case{torch::kBFloat16, 1, 256, 9, 33}}) {
        SCOPED_TRACE(testing::Message()
                     << c.dtype << " " << c.n << "x" << c.m << "x" << c.h << "x" << c.w);
        const auto opts = torch::TensorOptions().device(torch::kCUDA).dtype(c.dtype);
        const auto phases = torch::randn({c.n, 4 * c.m, c.h + 1, c.w + 1}, opts)
                                .contiguous(at::MemoryFormat::ChannelsLast);
        ASSERT_TRUE(kernels::torch_api::subpixel_gather_accepts(phases));
        const auto out = kernels::torch_api::subpixel_gather(phases);
        EXPECT_TRUE(out.is_contiguous(at::MemoryFormat::ChannelsLast));
        EXPECT_TRUE(torch::equal(out, reference(phases)));
    }
}

TEST(SubpixelGatherGpu, RefusesWhatItCannotRead) {
    KERNELS_REQUIRE_CUDA();
    const auto opts = torch::TensorOptions().device(torch::kCUDA).dtype(torch::kBFloat16);
    EXPECT_FALSE(kernels::torch_api::subpixel_gather_accepts(torch::randn({1, 32, 5, 5}, opts)));
    EXPECT_FALSE(kernels::torch_api::subpixel_gather_accepts(
        torch::randn({1, 16, 5, 5}, opts).contiguous(at::MemoryFormat::ChannelsLast)));  // m = 4
    EXPECT_FALSE(kernels::torch_api::subpixel_gather_accepts(torch::randn({1, 32, 5, 5})));
    EXPECT_THROW(kernels::torch_api::subpixel_gather(torch::randn({1, 32, 5, 5}, opts)),
                 c10::Error);
}

}  // namespace
