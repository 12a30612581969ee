#include "engine/core/frame.h"

#include <gtest/gtest.h>

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

TEST(FrameTest, ValueReadsNominalRange) {
    Frame f;
    f.allocate(2, 1, SampleType::U8);
    f.samples<std::uint8_t>()[3] = 255;
    EXPECT_FLOAT_EQ(f.value(1, 0, 0), 1.0f);
    EXPECT_FLOAT_EQ(f.value(0, 0, 0), 0.0f);
}

}  // namespace
}  // namespace engine
