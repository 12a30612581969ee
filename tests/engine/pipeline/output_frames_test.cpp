// output_frames (engine/pipeline/src/upscaler_common.h): a chunk's [-1, 1] video as HWC frames
// of the output type. The integer types must be bit for bit what from_float() makes of the
// float32 frame (the job stored that before the rounding moved to the device), including values
// on and one float step beside every rounding boundary, out-of-range values and bf16 input.

#include "../../../engine/pipeline/src/upscaler_common.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <vector>

namespace {

using engine::Frame;
using engine::SampleType;
using engine::pipeline::detail::output_frames;

// The F32 frames of `video` [1, 3, T, H, W] as engine Frames (what the host used to convert).
std::vector<Frame> float_frames(const torch::Tensor& video, std::int64_t h, std::int64_t w) {
    const auto frames = output_frames(video, h, w, SampleType::F32);
    std::vector<Frame> out;
    for (std::int64_t t = 0; t < frames.size(0); ++t) {
        Frame f;
        f.allocate(static_cast<int>(w), static_cast<int>(h), SampleType::F32);
        std::memcpy(f.data.data(), frames[t].data_ptr(), f.data.size());
        out.push_back(std::move(f));
    }
    return out;
}

void expect_rounded_like_from_float(const torch::Tensor& video, std::int64_t h, std::int64_t w) {
    const auto reference = float_frames(video, h, w);
    for (const auto type : {SampleType::U8, SampleType::U16}) {
        const auto frames = output_frames(video, h, w, type);
        ASSERT_EQ(frames.sizes(), (std::vector<std::int64_t>{video.size(2), h, w, 3}));
        ASSERT_TRUE(frames.is_contiguous());
        ASSERT_EQ(frames.scalar_type(), type == SampleType::U8 ? torch::kByte : torch::kShort);
        for (std::size_t t = 0; t < reference.size(); ++t) {
            const auto expected = engine::from_float(reference[t], type, 16);
            const auto bytes = static_cast<std::size_t>(frames[t].numel() * frames.element_size());
            ASSERT_EQ(bytes, expected.data.size());
            EXPECT_EQ(std::memcmp(frames[static_cast<std::int64_t>(t)].data_ptr(),
                                  expected.data.data(), bytes),
                      0)
                << (type == SampleType::U8 ? "U8" : "U16") << " frame " << t;
        }
    }
}

// Video values whose [0, 1] value times `scale` lands on k + 0.5 for every k, and a few float
// steps either side of it, plus values outside [-1, 1].
torch::Tensor boundary_values(float scale) {
    std::vector<float> v;
    for (int k = 0; k < static_cast<int>(scale); k += (scale > 300 ? 97 : 1)) {
        const float target = (static_cast<float>(k) + 0.5F) / scale;
        float x = target * 2.0F - 1.0F;
        for (int step = 0; step < 3; ++step) {
            x = std::nextafter(x, -2.0F);
        }
        for (int step = 0; step < 7; ++step) {
            v.push_back(x);
            x = std::nextafter(x, 2.0F);
        }
    }
    for (const float x : {-1.5F, -1.0F, 1.0F, 1.25F, 0.0F, -0.99999994F, 0.99999994F}) {
        v.push_back(x);
    }
    while (v.size() % 12 != 0) {
        v.push_back(0.0F);
    }
    // [1, 3, 2, rows, 2]
    return torch::tensor(v).view({1, 3, 2, -1, 2});
}

TEST(OutputFrames, IntegerTypesRoundLikeFromFloatAtEveryBoundary) {
    for (const float scale : {255.0F, 65535.0F}) {
        const auto video = boundary_values(scale);
        expect_rounded_like_from_float(video, video.size(3), video.size(4));
    }
}

TEST(OutputFrames, CropsThePaddingAndTakesBf16) {
    torch::manual_seed(3);
    const auto video = (torch::rand({1, 3, 4, 20, 24}) * 2.4 - 1.2);
    expect_rounded_like_from_float(video, 17, 21);
    expect_rounded_like_from_float(video.to(torch::kBFloat16), 16, 24);

    // F32: the [0, 1] values in HWC order, the caller's tensor untouched.
    const auto copy = video.clone();
    const auto frames = output_frames(video, 17, 21, SampleType::F32);
    EXPECT_TRUE(torch::equal(video, copy));
    const auto expected =
        ((video[0].slice(2, 0, 17).slice(3, 0, 21) + 1) * 0.5).clamp(0, 1).permute({1, 2, 3, 0});
    EXPECT_TRUE(torch::equal(frames, expected));
}

}  // namespace
