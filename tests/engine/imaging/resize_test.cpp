#include "engine/imaging/resize.h"

#include "engine/imaging/support/safetensors.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

namespace engine::imaging {
namespace {

Frame make_u8_frame(const std::uint8_t* rgb, int width, int height) {
    Frame f;
    f.allocate(width, height, SampleType::U8);
    std::memcpy(f.data.data(), rgb, f.data.size());
    return f;
}

Frame constant_frame(int width, int height, float r, float g, float b) {
    Frame f;
    f.allocate(width, height, SampleType::F32);
    float* s = f.samples<float>();
    for (std::size_t i = 0; i < f.sample_count(); i += 3) {
        s[i] = r;
        s[i + 1] = g;
        s[i + 2] = b;
    }
    return f;
}

// Golden data: upstream's LQ_video = bicubic x4 (PyTorch, float32, align_corners=False) of
// u8/255, then *2-1 (golden/README.md §4).
TEST(ResizeTest, BicubicMatchesPyTorchGolden) {
    const std::string path = std::string(FVSR_SHARED_DIR) + "/golden/tiny_v11/inputs.safetensors";
    if (!std::ifstream(path).good()) {
        GTEST_SKIP() << "golden data not found: " << path << " (set FVSR_SHARED_DIR)";
    }
    const auto tensors = test_support::read_safetensors(path);
    const auto& frames = tensors.at("lr_frames_u8");
    ASSERT_EQ(frames.shape, (std::vector<std::int64_t>{41, 64, 96, 3}));
    const auto crops = tensors.at("lq_video_check_crops").as<float>();
    const auto sums = tensors.at("lq_video_sums").as<double>();
    const int n = 41;
    const int h = 64;
    const int w = 96;
    const int out_h = 256;
    const int out_w = 384;

    double max_crop_error = 0.0;
    double max_sum_error = 0.0;
    std::size_t bit_identical = 0;
    std::size_t compared = 0;
    for (int f = 0; f < n; ++f) {
        const Frame lr =
            make_u8_frame(frames.bytes.data() + static_cast<std::size_t>(f) * h * w * 3, w, h);
        ResizeOptions options;
        options.output_type = SampleType::F32;
        auto up = resize(lr, out_w, out_h, options);
        ASSERT_TRUE(up.ok()) << up.error().to_string();
        const float* v = up->samples<float>();
        auto lq = [&](int y, int x, int c) {
            return v[(static_cast<std::size_t>(y) * out_w + x) * 3 + c] * 2.0f - 1.0f;
        };
        for (int c = 0; c < 3; ++c) {
            double sum = 0.0;
            for (int y = 0; y < out_h; ++y) {
                for (int x = 0; x < out_w; ++x) {
                    sum += static_cast<double>(lq(y, x, c));
                }
            }
            max_sum_error = std::max(max_sum_error, std::fabs(sum - sums[f * 3 + c]));
        }
        // Crop 0: frame 0, rows 0..63, cols 0..95. Crop 1: frame 40, rows 192.., cols 288..
        const int crop = f == 0 ? 0 : (f == 40 ? 1 : -1);
        if (crop < 0) {
            continue;
        }
        const int y0 = crop == 0 ? 0 : 192;
        const int x0 = crop == 0 ? 0 : 288;
        for (int c = 0; c < 3; ++c) {
            for (int y = 0; y < 64; ++y) {
                for (int x = 0; x < 96; ++x) {
                    const float expected =
                        crops[((static_cast<std::size_t>(crop) * 3 + c) * 64 + y) * 96 + x];
                    const float got = lq(y0 + y, x0 + x, c);
                    max_crop_error =
                        std::max(max_crop_error, static_cast<double>(std::fabs(got - expected)));
                    bit_identical += got == expected ? 1 : 0;
                    ++compared;
                }
            }
        }
    }
    RecordProperty("max_crop_error", std::to_string(max_crop_error));
    RecordProperty("max_sum_error", std::to_string(max_sum_error));
    std::printf(
        "bicubic vs golden: max crop error %.3g (%zu of %zu bit-identical), max sum error %.3g\n",
        max_crop_error, bit_identical, compared, max_sum_error);
    EXPECT_LE(max_crop_error, 1e-6);
    EXPECT_LE(max_sum_error, 1e-3);
}

// Non-power-of-two scales (up and down) against PyTorch 1.13 on the CPU (fixture made by
// data/make_bicubic_fixture.py). The weights are not exact binary fractions here, so this checks
// PyTorch's coordinate rounding and fused multiply-adds, not just the kernel shape.
TEST(ResizeTest, BicubicMatchesPyTorchAtOddScales) {
    const std::string path =
        std::string(FVSR_SOURCE_DIR) + "/tests/engine/imaging/data/bicubic_odd_sizes.safetensors";
    const auto tensors = test_support::read_safetensors(path);
    for (int k = 0; k < 3; ++k) {
        const auto& in = tensors.at("case" + std::to_string(k) + ".input");
        const auto& expected = tensors.at("case" + std::to_string(k) + ".output");
        const int h = static_cast<int>(in.shape[1]);
        const int w = static_cast<int>(in.shape[2]);
        const int oh = static_cast<int>(expected.shape[1]);
        const int ow = static_cast<int>(expected.shape[2]);
        const auto chw = in.as<float>();
        Frame frame;
        frame.allocate(w, h, SampleType::F32);
        for (int c = 0; c < 3; ++c) {
            for (int i = 0; i < h * w; ++i) {
                frame.samples<float>()[static_cast<std::size_t>(i) * 3 + c] = chw[c * h * w + i];
            }
        }
        auto out = resize(frame, ow, oh);
        ASSERT_TRUE(out.ok());
        const auto want = expected.as<float>();
        std::size_t mismatches = 0;
        double max_error = 0.0;
        for (int c = 0; c < 3; ++c) {
            for (int i = 0; i < oh * ow; ++i) {
                const float got = out->samples<float>()[static_cast<std::size_t>(i) * 3 + c];
                const float ref = want[c * oh * ow + i];
                mismatches += got != ref ? 1 : 0;
                max_error = std::max(max_error, static_cast<double>(std::fabs(got - ref)));
            }
        }
        EXPECT_LE(max_error, 1e-6) << "case " << k;
        EXPECT_EQ(mismatches, 0u) << "case " << k << " (" << w << "x" << h << " -> " << ow << "x"
                                  << oh << "), max error " << max_error;
    }
}

TEST(ResizeTest, BicubicThreadCountDoesNotChangeResult) {
    Frame in;
    in.allocate(37, 23, SampleType::F32);
    float* s = in.samples<float>();
    for (std::size_t i = 0; i < in.sample_count(); ++i) {
        s[i] = static_cast<float>((i * 7919) % 1000) / 1000.0f;
    }
    ResizeOptions one;
    one.threads = 1;
    ResizeOptions many;
    many.threads = 7;
    auto a = resize(in, 150, 61, one);
    auto b = resize(in, 150, 61, many);
    ASSERT_TRUE(a.ok());
    ASSERT_TRUE(b.ok());
    EXPECT_EQ(a->data, b->data);
}

TEST(ResizeTest, LanczosKeepsConstantImageConstant) {
    const Frame in = constant_frame(41, 29, 0.25f, 0.5f, 0.75f);
    for (auto [w, h] : {std::pair{200, 130}, std::pair{13, 7}, std::pair{41, 29}, std::pair{1, 1},
                        std::pair{97, 5}}) {
        ResizeOptions options;
        options.filter = ResizeFilter::Lanczos3;
        auto out = resize(in, w, h, options);
        ASSERT_TRUE(out.ok());
        const float* s = out->samples<float>();
        for (std::size_t i = 0; i < out->sample_count(); i += 3) {
            ASSERT_NEAR(s[i], 0.25f, 1e-6f) << w << "x" << h;
            ASSERT_NEAR(s[i + 1], 0.5f, 1e-6f) << w << "x" << h;
            ASSERT_NEAR(s[i + 2], 0.75f, 1e-6f) << w << "x" << h;
        }
    }
}

// A linear ramp sampled at pixel centres stays a linear ramp after resampling (away from the
// borders, where taps are dropped): Lanczos reproduces linear functions up to its small ripple.
TEST(ResizeTest, LanczosResamplesSmoothRamps) {
    const int w = 64;
    const int h = 8;
    Frame in;
    in.allocate(w, h, SampleType::F32);
    float* s = in.samples<float>();
    for (int y = 0; y < h; ++y) {
        for (int x = 0; x < w; ++x) {
            for (int c = 0; c < 3; ++c) {
                s[(static_cast<std::size_t>(y) * w + x) * 3 + c] = (x + 0.5f) / w;
            }
        }
    }
    ResizeOptions options;
    options.filter = ResizeFilter::Lanczos3;
    for (int out_w : {256, 150, 32, 21}) {
        auto out = resize(in, out_w, h, options);
        ASSERT_TRUE(out.ok());
        const float* o = out->samples<float>();
        const double scale = static_cast<double>(w) / out_w;
        const int margin = static_cast<int>(std::ceil(4.0 * std::max(1.0, scale) / scale)) + 1;
        double max_error = 0.0;
        for (int x = margin; x < out_w - margin; ++x) {
            const double expected = (x + 0.5) / out_w;
            max_error =
                std::max(max_error, std::fabs(o[static_cast<std::size_t>(x) * 3] - expected));
        }
        EXPECT_LT(max_error, 2e-3) << "width " << out_w;
    }
}

TEST(ResizeTest, IntegerTypesInAndOut) {
    Frame in;
    in.allocate(8, 8, SampleType::U16);
    in.bit_depth = 10;
    in.pts = 42;
    in.index = 7;
    auto* s = in.samples<std::uint16_t>();
    for (std::size_t i = 0; i < in.sample_count(); ++i) {
        s[i] = 40000;
    }
    auto u16 = resize(in, 16, 16);
    ASSERT_TRUE(u16.ok());
    EXPECT_EQ(u16->type, SampleType::U16);
    EXPECT_EQ(u16->bit_depth, 10);
    EXPECT_EQ(u16->pts, 42);
    EXPECT_EQ(u16->index, 7);
    for (std::size_t i = 0; i < u16->sample_count(); ++i) {
        ASSERT_EQ(u16->samples<std::uint16_t>()[i], 40000);
    }
    ResizeOptions to_u8;
    to_u8.output_type = SampleType::U8;
    auto u8 = resize(in, 4, 4, to_u8);
    ASSERT_TRUE(u8.ok());
    EXPECT_EQ(u8->type, SampleType::U8);
    EXPECT_EQ(u8->samples<std::uint8_t>()[0], 156);  // 40000/65535*255 = 155.6
}

TEST(ResizeTest, RejectsBadSizes) {
    const Frame in = constant_frame(4, 4, 0, 0, 0);
    EXPECT_EQ(resize(in, 0, 4).error().code, ErrorCode::InvalidArgument);
    EXPECT_EQ(resize(in, 4, -1).error().code, ErrorCode::InvalidArgument);
    EXPECT_EQ(resize(Frame{}, 4, 4).error().code, ErrorCode::InvalidArgument);
}

}  // namespace
}  // namespace engine::imaging
