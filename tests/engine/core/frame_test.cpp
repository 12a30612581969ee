#include "engine/core/frame.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>

namespace engine {
namespace {

TEST(FrameTest, FloatRoundTripU16IsExact) {
    Frame f;
    f.allocate(4, 3, SampleType::U16);
    auto* s = f.samples<std::uint16_t>();
    for (std::size_t i = 0; i < f.sample_count(); ++i) {
        s[i] = static_cast<std::uint16_t>(i * 5000 % 65536);
    }
    Frame back = from_float(to_float(f), SampleType::U16, 16);
    EXPECT_EQ(back.data, f.data);
}

// quantize_unit must be lround(clamp(v) * scale) for every float: one float bit pattern in 61
// over [0, 1] plus every value within 4 float steps of each k + 0.5 boundary, both scales, and
// out-of-range and NaN inputs.
TEST(FrameTest, QuantizeUnitIsLroundOfTheClampedValue) {
    const auto expect_lround = [](float v, float scale) {
        const float clamped = std::clamp(v, 0.0F, 1.0F);
        const auto expected = static_cast<std::uint32_t>(std::lround(clamped * scale));
        ASSERT_EQ(quantize_unit(v, scale), expected) << v << " x " << scale;
    };
    for (const float scale : {255.0F, 65535.0F}) {
        const std::uint32_t one = 0x3f800000U;
        for (std::uint32_t bits = 0; bits <= one; bits += 61) {
            float v = 0;
            std::memcpy(&v, &bits, sizeof v);
            expect_lround(v, scale);
        }
        for (int k = 0; k < static_cast<int>(scale); ++k) {
            float v = (static_cast<float>(k) + 0.5F) / scale;
            for (int step = 0; step < 4; ++step) {
                v = std::nextafter(v, 0.0F);
            }
            for (int step = 0; step < 9; ++step) {
                expect_lround(v, scale);
                v = std::nextafter(v, 2.0F);
            }
        }
        for (const float v : {-1.0F, -0.0F, 1.0F, 1.5F, 0.99999994F, 0.49999997F / scale}) {
            expect_lround(v, scale);
        }
        EXPECT_EQ(quantize_unit(std::nanf(""), scale), 0U);
    }
}

TEST(FrameTest, ValueReadsNominalRange) {
    Frame f;
    f.allocate(2, 1, SampleType::U8);
    f.samples<std::uint8_t>()[3] = 255;
    EXPECT_FLOAT_EQ(f.value(1, 0, 0), 1.0f);
    EXPECT_FLOAT_EQ(f.value(0, 0, 0), 0.0f);
}

}  // namespace
}  // namespace engine
