#include "engine/imaging/hdr.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>

namespace engine::imaging {
namespace {

TEST(HdrTest, PqKnownPoints) {
    EXPECT_NEAR(pq_eotf(0.0), 0.0, 1e-12);
    EXPECT_NEAR(pq_eotf(1.0), 10000.0, 1e-9);
    // 100 cd/m^2 is code value ~0.5081, 1000 cd/m^2 ~0.7518 (BT.2100 / ST 2084 tables).
    EXPECT_NEAR(pq_inverse_eotf(100.0), 0.50807, 1e-4);
    EXPECT_NEAR(pq_inverse_eotf(1000.0), 0.75183, 1e-4);
}

TEST(HdrTest, PqRoundTrip) {
    double max_rel = 0.0;
    for (double nits = 1e-3; nits <= 10000.0; nits *= 1.07) {
        const double back = pq_eotf(pq_inverse_eotf(nits));
        max_rel = std::max(max_rel, std::fabs(back - nits) / nits);
    }
    // Signals below c1^m2 (about 7.3e-7) all decode to 0 cd/m^2, so start above it.
    for (int i = 1; i <= 1000; ++i) {
        const double e = i / 1000.0;
        EXPECT_NEAR(pq_inverse_eotf(pq_eotf(e)), e, 1e-12);
    }
    std::printf("PQ round trip: max relative error %.3g\n", max_rel);
    EXPECT_LT(max_rel, 1e-9);
}

TEST(HdrTest, HlgKnownPointsAndRoundTrip) {
    EXPECT_NEAR(hlg_oetf(1.0 / 12.0), 0.5, 1e-12);
    EXPECT_NEAR(hlg_oetf(1.0), 1.0, 1e-7);
    EXPECT_NEAR(hlg_oetf(0.0), 0.0, 1e-12);
    EXPECT_NEAR(hlg_system_gamma(1000.0), 1.2, 1e-12);
    double max_rel = 0.0;
    for (double e = 1e-6; e <= 1.0; e *= 1.05) {
        max_rel = std::max(max_rel, std::fabs(hlg_inverse_oetf(hlg_oetf(e)) - e) / e);
    }
    std::printf("HLG OETF round trip: max relative error %.3g\n", max_rel);
    EXPECT_LT(max_rel, 1e-12);
    // Continuity at the knee.
    EXPECT_NEAR(hlg_oetf(1.0 / 12.0 - 1e-12), hlg_oetf(1.0 / 12.0 + 1e-12), 1e-9);
}

TEST(HdrTest, HlgOotfRoundTripAndPeak) {
    // Scene white (E = 1 on all channels) lands on the display's nominal peak.
    const auto white = hlg_ootf({1.0, 1.0, 1.0}, 1000.0);
    EXPECT_NEAR(white[0], 1000.0, 1e-9);
    double max_rel = 0.0;
    for (double r : {0.001, 0.05, 0.3, 0.9}) {
        for (double g : {0.002, 0.2, 0.7}) {
            for (double b : {0.0, 0.1, 1.0}) {
                const std::array<double, 3> e = {r, g, b};
                for (double peak : {400.0, 1000.0, 2000.0}) {
                    const auto back = hlg_inverse_ootf(hlg_ootf(e, peak), peak);
                    for (int c = 0; c < 3; ++c) {
                        if (e[c] > 0) {
                            max_rel = std::max(max_rel, std::fabs(back[c] - e[c]) / e[c]);
                        }
                    }
                }
            }
        }
    }
    EXPECT_LT(max_rel, 1e-12);
}

// PQ -> HLG through display light: with the OOTF at L_W = 1000 cd/m^2, BT.2408's reference
// white (203 cd/m^2) lands on HLG 75 % and the 1000 cd/m^2 peak on HLG 100 %.
TEST(HdrTest, PqToHlgMatchesBt2408ReferenceLevels) {
    Frame pq;
    pq.allocate(2, 1, SampleType::F32);
    for (int c = 0; c < 3; ++c) {
        pq.samples<float>()[c] = static_cast<float>(pq_inverse_eotf(203.0));
        pq.samples<float>()[3 + c] = static_cast<float>(pq_inverse_eotf(1000.0));
    }
    const Frame hlg =
        linear_to_hdr_signal(hdr_signal_to_linear(pq, HdrTransfer::PQ), HdrTransfer::HLG);
    EXPECT_NEAR(hlg.samples<float>()[0], 0.75f, 1e-3f);
    EXPECT_NEAR(hlg.samples<float>()[3], 1.0f, 1e-5f);
}

TEST(HdrTest, PrimariesMatrixMatchesBt2087) {
    const auto m = primaries_matrix(Primaries::BT709, Primaries::BT2020);
    const double expected[9] = {0.6274, 0.3293, 0.0433, 0.0691, 0.9195,
                                0.0114, 0.0164, 0.0880, 0.8956};
    for (int i = 0; i < 9; ++i) {
        EXPECT_NEAR(m[i], expected[i], 1e-4) << i;
    }
    // Rows sum to 1: white stays white.
    for (int r = 0; r < 3; ++r) {
        EXPECT_NEAR(m[r * 3] + m[r * 3 + 1] + m[r * 3 + 2], 1.0, 1e-12);
    }
    const auto back = primaries_matrix(Primaries::BT2020, Primaries::BT709);
    for (int i = 0; i < 3; ++i) {
        for (int j = 0; j < 3; ++j) {
            double s = 0.0;
            for (int k = 0; k < 3; ++k) {
                s += back[i * 3 + k] * m[k * 3 + j];
            }
            EXPECT_NEAR(s, i == j ? 1.0 : 0.0, 1e-12);
        }
    }
}

Frame ramp_frame(float scale) {
    Frame f;
    f.allocate(17, 9, SampleType::F32);
    float* s = f.samples<float>();
    for (std::size_t i = 0; i < f.sample_count(); ++i) {
        s[i] = scale * static_cast<float>(i % 97) / 96.0f;
    }
    return f;
}

TEST(HdrTest, FrameRoundTripsPqAndHlg) {
    const Frame signal = ramp_frame(1.0f);
    for (HdrTransfer transfer : {HdrTransfer::PQ, HdrTransfer::HLG}) {
        const Frame linear = hdr_signal_to_linear(signal, transfer);
        EXPECT_EQ(linear.type, SampleType::F32);
        const Frame back = linear_to_hdr_signal(linear, transfer);
        double max_error = 0.0;
        for (std::size_t i = 0; i < signal.sample_count(); ++i) {
            max_error =
                std::max(max_error, static_cast<double>(std::fabs(back.samples<float>()[i] -
                                                                  signal.samples<float>()[i])));
        }
        EXPECT_LT(max_error, 2e-6) << (transfer == HdrTransfer::PQ ? "PQ" : "HLG");
    }
    // PQ peak code value is 10000 cd/m^2 = 100 units at the default 100 cd/m^2 per unit.
    Frame one;
    one.allocate(1, 1, SampleType::F32);
    one.samples<float>()[0] = 1.0f;
    EXPECT_NEAR(hdr_signal_to_linear(one, HdrTransfer::PQ).samples<float>()[0], 100.0f, 1e-3f);
}

TEST(HdrTest, FramePrimariesRoundTrip) {
    const Frame linear = ramp_frame(4.0f);
    const Frame wide = convert_primaries(linear, Primaries::BT709, Primaries::BT2020);
    const Frame back = convert_primaries(wide, Primaries::BT2020, Primaries::BT709);
    for (std::size_t i = 0; i < linear.sample_count(); ++i) {
        ASSERT_NEAR(back.samples<float>()[i], linear.samples<float>()[i], 2e-6f);
    }
}

}  // namespace
}  // namespace engine::imaging
