#include "engine/imaging/tone_mapping.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <limits>

namespace engine::imaging {
namespace {

ToneMapper make(ToneMapMethod method, double exposure, double l_max) {
    auto mapper = ToneMapper::create({method, exposure, l_max});
    EXPECT_TRUE(mapper.ok());
    return mapper.value();
}

// inverse(forward(v)) == v over luminances from 1e-4 to the clip point, for each operator, several
// exposures and peaks. Computed in double, so only rounding separates the two.
TEST(ToneMappingTest, ExactInverseRoundTrip) {
    for (ToneMapMethod method :
         {ToneMapMethod::Reinhard, ToneMapMethod::Logarithmic, ToneMapMethod::Aces}) {
        double max_rel = 0.0;
        for (double exposure : {0.25, 1.0, 3.0}) {
            for (double l_max : {1.0, 12.5, 1000.0}) {
                const ToneMapper m = make(method, exposure, l_max);
                const double top = m.linear_max();
                for (double v = 1e-4; v <= top; v *= 1.01) {
                    const double y = m.forward(v);
                    ASSERT_GE(y, 0.0);
                    ASSERT_LE(y, 1.0);
                    max_rel = std::max(max_rel, std::fabs(m.inverse(y) - v) / v);
                }
                // The clip point itself maps to 1 and back.
                EXPECT_NEAR(m.forward(top), 1.0, 1e-12);
                EXPECT_NEAR(m.inverse(1.0), top, top * 1e-12);
            }
        }
        std::printf("%s: max relative round-trip error %.3g\n",
                    std::string(tone_map_method_name(method)).c_str(), max_rel);
        EXPECT_LT(max_rel, 1e-9) << tone_map_method_name(method);
    }
}

TEST(ToneMappingTest, CurvesMatchUpstreamDefinitions) {
    const ToneMapper log = make(ToneMapMethod::Logarithmic, 2.0, 50.0);
    EXPECT_NEAR(log.forward(3.0), std::log1p(6.0) / std::log1p(50.0), 1e-15);
    const ToneMapper reinhard = make(ToneMapMethod::Reinhard, 1.0, 9.0);
    EXPECT_NEAR(reinhard.forward(1.0), 0.5 / 0.9, 1e-15);
    EXPECT_NEAR(reinhard.forward(9.0), 1.0, 1e-15);
    const ToneMapper aces = make(ToneMapMethod::Aces, 1.0, 1.0);
    const double x = 0.5;
    EXPECT_NEAR(aces.forward(x), x * (2.51 * x + 0.03) / (x * (2.43 * x + 0.59) + 0.14), 1e-15);
    EXPECT_NEAR(aces_white_input(), (0.56 + std::sqrt(0.56 * 0.56 + 4 * 0.08 * 0.14)) / 0.16,
                1e-12);
    // Clamping: beyond the peak -> 1, negatives and NaN -> 0.
    EXPECT_EQ(reinhard.forward(100.0), 1.0);
    EXPECT_EQ(reinhard.forward(-1.0), 0.0);
    EXPECT_EQ(reinhard.forward(std::numeric_limits<double>::quiet_NaN()), 0.0);
    EXPECT_EQ(reinhard.inverse(-0.5), 0.0);
    EXPECT_NEAR(reinhard.inverse(2.0), 9.0, 1e-12);
}

TEST(ToneMappingTest, AcesExposureForPeak) {
    const ToneMapper aces = make(ToneMapMethod::Aces, aces_exposure_for_peak(40.0), 1.0);
    EXPECT_NEAR(aces.linear_max(), 40.0, 1e-9);
    EXPECT_NEAR(aces.forward(40.0), 1.0, 1e-12);
}

// Frames carry float32, so a round trip is bounded by the curve's conditioning:
// |d ln x / d ln y| * 2^-24, at most about 1 + x*exposure for reinhard near the white point.
TEST(ToneMappingTest, FrameRoundTripWithinFloatPrecision) {
    Frame linear;
    linear.allocate(64, 16, SampleType::F32);
    float* s = linear.samples<float>();
    const double l_max = 200.0;
    for (std::size_t i = 0; i < linear.sample_count(); ++i) {
        s[i] = static_cast<float>(1e-3 *
                                  std::pow(l_max / 1e-3, i / double(linear.sample_count() - 1)));
    }
    for (ToneMapMethod method :
         {ToneMapMethod::Reinhard, ToneMapMethod::Logarithmic, ToneMapMethod::Aces}) {
        const double exposure = method == ToneMapMethod::Aces ? aces_exposure_for_peak(l_max) : 1.0;
        const ToneMapper m = make(method, exposure, l_max);
        const Frame display = m.forward(linear, 2);
        const Frame back = m.inverse(display, 2);
        double max_rel = 0.0;
        double max_rel_over_bound = 0.0;
        for (std::size_t i = 0; i < linear.sample_count(); ++i) {
            const double v = s[i];
            const double rel = std::fabs(back.samples<float>()[i] - v) / v;
            // Condition number of the inverse at y, numerically.
            const double y = m.forward(v);
            const double dy = y * 1e-6;
            const double cond =
                std::fabs(std::log(m.inverse(y + dy) / m.inverse(y)) / std::log1p(1e-6));
            const double bound = (cond + 1.0) * 6e-8 * 2.0;
            max_rel = std::max(max_rel, rel);
            max_rel_over_bound = std::max(max_rel_over_bound, rel / bound);
        }
        std::printf("%s frame (float32) round trip: max relative error %.3g (%.2f of bound)\n",
                    std::string(tone_map_method_name(method)).c_str(), max_rel, max_rel_over_bound);
        EXPECT_LE(max_rel_over_bound, 1.0) << tone_map_method_name(method);
    }
}

TEST(ToneMappingTest, RejectsBadParameters) {
    EXPECT_FALSE(ToneMapper::create({ToneMapMethod::Reinhard, 0.0, 1.0}).ok());
    EXPECT_FALSE(ToneMapper::create({ToneMapMethod::Logarithmic, 1.0, -2.0}).ok());
    EXPECT_FALSE(ToneMapper::create({ToneMapMethod::Reinhard, std::nan(""), 1.0}).ok());
    EXPECT_TRUE(ToneMapper::create({ToneMapMethod::Aces, 1.0, 0.0}).ok());
    EXPECT_EQ(parse_tone_map_method("aces"), ToneMapMethod::Aces);
    EXPECT_EQ(parse_tone_map_method("log"), ToneMapMethod::Logarithmic);
    EXPECT_FALSE(parse_tone_map_method("hable").has_value());
}

TEST(ToneMappingTest, LmaxSamplingAndEstimate) {
    EXPECT_EQ(l_max_sample_indices(25), (std::vector<std::int64_t>{0, 10, 20}));
    EXPECT_TRUE(l_max_sample_indices(0).empty());
    const auto many = l_max_sample_indices(100000);
    EXPECT_EQ(many.size(), 500u);
    EXPECT_EQ(many.front(), 0);
    EXPECT_LT(many.back(), 100000);
    for (std::size_t i = 1; i < many.size(); ++i) {
        EXPECT_GT(many[i], many[i - 1]);
    }

    LmaxEstimator estimator;
    EXPECT_EQ(estimator.l_max(2.0), 2.0);  // floor at SDR white
    Frame f;
    f.allocate(4, 4, SampleType::F32);
    f.samples<float>()[5] = 37.5f;
    f.samples<float>()[6] = std::numeric_limits<float>::infinity();
    f.samples<float>()[7] = std::numeric_limits<float>::quiet_NaN();
    estimator.add(f);
    Frame g;
    g.allocate(4, 4, SampleType::U16);
    g.samples<std::uint16_t>()[0] = 65535;
    estimator.add(g);
    EXPECT_EQ(estimator.frames_seen(), 2);
    EXPECT_EQ(estimator.peak(), 37.5);
    EXPECT_EQ(estimator.l_max(0.5), 18.75);
}

}  // namespace
}  // namespace engine::imaging
