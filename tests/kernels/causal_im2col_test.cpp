// GPU tests of kernels::torch_api::causal_im2col_out (the LQ projector's im2col from unpadded
// channels-last frames): every band must equal, bit for bit, the rows of the im2col matrix built
// the portable way (frames concatenated, replicate-padded by torch, windows copied out), with and
// without a temporal cache, for 2- and 4-byte elements, and for bands starting mid-frame.

#include "kernels/torch/causal_im2col.h"

#include "engine/torch.h"
#include "kernel_test_util.h"

#include <gtest/gtest.h>

#include <vector>

namespace {

namespace F = torch::nn::functional;

constexpr std::int64_t kTaps = 4;
constexpr std::int64_t kStride = 2;

// [rows, taps*9*C] the portable way: sequence [1, C, T, h, w] padded by one replicated pixel on
// every spatial side, windows (t*stride + dt, y + dy, x + dx) in (dt, dy, dx, c) column order.
torch::Tensor reference(const torch::Tensor& sequence) {
    const auto padded =
        F::pad(sequence, F::PadFuncOptions({1, 1, 1, 1, 0, 0}).mode(torch::kReplicate))
            .contiguous(at::MemoryFormat::ChannelsLast3d);
    const auto c = sequence.size(1);
    const auto t_out = (sequence.size(2) - kTaps) / kStride + 1;
    const auto h = sequence.size(3);
    const auto w = sequence.size(4);
    const auto s = padded.strides();
    return padded
        .as_strided({t_out, h, w, kTaps, 3, 3, c},
                    {kStride * s[2], s[3], s[4], s[2], s[3], s[4], s[1]}, padded.storage_offset())
        .reshape({t_out * h * w, kTaps * 9 * c});
}

void run_case(torch::ScalarType dtype,
              std::int64_t c,
              std::int64_t h,
              std::int64_t w,
              std::int64_t cached,
              std::int64_t frames,
              std::int64_t band) {
    SCOPED_TRACE(testing::Message() << dtype << " C " << c << " " << h << "x" << w << " cached "
                                    << cached << " frames " << frames << " band " << band);
    torch::manual_seed(11);
    const auto opts = torch::TensorOptions().device(torch::kCUDA).dtype(dtype);
    const auto x =
        torch::randn({1, c, frames, h, w}, opts).contiguous(at::MemoryFormat::ChannelsLast3d);
    const auto cache =
        cached > 0
            ? torch::randn({1, c, cached, h, w}, opts).contiguous(at::MemoryFormat::ChannelsLast3d)
            : torch::Tensor();
    // The padded sequence: copies of the first frame in front, then the cache, then x.
    const auto& first = cached > 0 ? cache : x;
    std::vector<torch::Tensor> list;
    std::vector<torch::Tensor> parts;
    for (std::int64_t i = 0; i < 2 - cached; ++i) {
        list.push_back(first[0].select(1, 0));
        parts.push_back(first.narrow(2, 0, 1));
    }
    for (std::int64_t i = 0; i < cached; ++i) {
        list.push_back(cache[0].select(1, i));
    }
    if (cached > 0) {
        parts.push_back(cache);
    }
    for (std::int64_t i = 0; i < frames; ++i) {
        list.push_back(x[0].select(1, i));
    }
    parts.push_back(x);
    for (const auto& f : list) {
        ASSERT_TRUE(kernels::torch_api::causal_im2col_accepts(f));
    }
    const auto expected = reference(torch::cat(parts, 2));
    const auto rows = expected.size(0);
    // A wider buffer than the matrix: rows are out_row_stride apart, the tail stays untouched.
    auto buffer = torch::full({band, expected.size(1) + 8}, 7.0, opts);
    for (std::int64_t r0 = 0; r0 < rows; r0 += band) {
        const auto n = std::min(band, rows - r0);
        auto columns = buffer.narrow(0, 0, n).narrow(1, 0, expected.size(1));
        kernels::torch_api::causal_im2col_out(columns, list, kTaps, kStride, r0);
        EXPECT_TRUE(torch::equal(columns, expected.narrow(0, r0, n))) << "band at row " << r0;
    }
    EXPECT_TRUE(
        torch::equal(buffer.narrow(1, expected.size(1), 8), torch::full({band, 8}, 7.0, opts)));
}

TEST(CausalIm2colGpu, EqualsThePaddedWindowsBitForBit) {
    KERNELS_REQUIRE_CUDA();
    run_case(torch::kBFloat16, 16, 5, 7, 2, 4, 1000);  // a later clip: the cache in front
    run_case(torch::kBFloat16, 24, 6, 3, 0, 4, 37);    // the first clip: 2 copies of frame 0
    run_case(torch::kHalf, 8, 1, 9, 1, 4, 5);          // one row, one cached frame
    run_case(torch::kFloat, 4, 4, 4, 2, 2, 16);        // conv2's shape: 2 cached + 2 new
    run_case(torch::kBFloat16, 768, 3, 5, 2, 4, 8);    // the projector's conv1 channels
}

TEST(CausalIm2colGpu, RejectsWhatItCannotRead) {
    KERNELS_REQUIRE_CUDA();
    const auto opts = torch::TensorOptions().device(torch::kCUDA).dtype(torch::kBFloat16);
    const auto planar = torch::randn({1, 16, 4, 5, 7}, opts);  // NCDHW: channels not contiguous
    EXPECT_FALSE(kernels::torch_api::causal_im2col_accepts(planar[0].select(1, 0)));
    const auto odd =
        torch::randn({1, 4, 4, 5, 7}, opts).contiguous(at::MemoryFormat::ChannelsLast3d);
    EXPECT_FALSE(kernels::torch_api::causal_im2col_accepts(odd[0].select(1, 0)));  // 8 bytes
    const auto x =
        torch::randn({1, 16, 4, 5, 7}, opts).contiguous(at::MemoryFormat::ChannelsLast3d);
    std::vector<torch::Tensor> frames{x[0].select(1, 0), x[0].select(1, 1), x[0].select(1, 2)};
    auto columns = torch::empty({10, 4 * 9 * 16}, opts);
    // 3 frames are fewer than the 4 taps.
    EXPECT_THROW(kernels::torch_api::causal_im2col_out(columns, frames, 4, 2, 0), c10::Error);
    frames.push_back(x[0].select(1, 3));
    // Rows past the matrix's 35 (one output frame of 5x7).
    EXPECT_THROW(kernels::torch_api::causal_im2col_out(columns, frames, 4, 2, 30), c10::Error);
    auto wrong = torch::empty({10, 4 * 9 * 16 + 8}, opts);
    EXPECT_THROW(kernels::torch_api::causal_im2col_out(wrong, frames, 4, 2, 0), c10::Error);
}

}  // namespace
