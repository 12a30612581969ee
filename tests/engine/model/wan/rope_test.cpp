// RoPE tables and rotation (spec §2.1.3) against the closed form.

#include "engine/model/wan/rope.h"

#include "engine/core/error.h"
#include "engine/model/wan/wan_model.h"

#include <gtest/gtest.h>

#include <cmath>
#include <complex>

namespace {

using namespace engine::model::wan;

TEST(Rope, TablesMatchClosedForm) {
    auto tables = make_rope_tables(128);
    ASSERT_EQ(tables.frames.sizes(), torch::IntArrayRef({1024, 22}));
    ASSERT_EQ(tables.height.sizes(), torch::IntArrayRef({1024, 21}));
    ASSERT_EQ(tables.width.sizes(), torch::IntArrayRef({1024, 21}));
    EXPECT_EQ(tables.frames.scalar_type(), torch::kComplexDouble);
    auto real = torch::view_as_real(tables.frames);
    for (std::int64_t p : {0, 1, 7, 500, 1023}) {
        for (std::int64_t j : {0, 5, 21}) {
            const double angle = static_cast<double>(p) * std::pow(10000.0, -2.0 * j / 44.0);
            EXPECT_NEAR(real[p][j][0].item<double>(), std::cos(angle), 1e-12);
            EXPECT_NEAR(real[p][j][1].item<double>(), std::sin(angle), 1e-12);
        }
    }
    auto height = torch::view_as_real(tables.height);
    const double angle = 13.0 * std::pow(10000.0, -2.0 * 20 / 42.0);
    EXPECT_NEAR(height[13][20][1].item<double>(), std::sin(angle), 1e-12);
}

TEST(Rope, FreqsFollowTokenOrderAndOffset) {
    auto tables = make_rope_tables(128);
    auto freqs = rope_freqs(tables, 4, 2, 3, 5);  // f = 2 frames at positions 4, 5
    ASSERT_EQ(freqs.sizes(), torch::IntArrayRef({30, 1, 64}));
    // token (fi 1, hi 2, wi 3) = index 1*15 + 2*5 + 3 = 28
    auto token = freqs[28][0];
    EXPECT_TRUE(token.slice(0, 0, 22).equal(tables.frames[5]));
    EXPECT_TRUE(token.slice(0, 22, 43).equal(tables.height[2]));
    EXPECT_TRUE(token.slice(0, 43, 64).equal(tables.width[3]));
}

TEST(Rope, PositionsPastTheTableAreAnError) {
    auto tables = make_rope_tables(128);
    EXPECT_NO_THROW(rope_freqs(tables, 1022, 2, 1, 1));
    EXPECT_THROW(rope_freqs(tables, 1023, 2, 1, 1), engine::EngineException);
}

TEST(Rope, RotatesChannelPairsAsComplexNumbers) {
    torch::manual_seed(1);
    auto tables = make_rope_tables(128);
    auto freqs = rope_freqs(tables, 3, 2, 2, 2);
    auto x = torch::randn({1, 8, 256});
    auto y = apply_rope(x, freqs, 2);
    ASSERT_EQ(y.scalar_type(), torch::kFloat);
    // Check one pair by hand: token 5, head 1, pair 30 (a height pair).
    const auto f = freqs[5][0][30];
    const std::complex<double> rot(torch::real(f).item<double>(), torch::imag(f).item<double>());
    const std::complex<double> in(x[0][5][128 + 60].item<double>(),
                                  x[0][5][128 + 61].item<double>());
    const auto out = in * rot;
    EXPECT_NEAR(y[0][5][128 + 60].item<double>(), out.real(), 1e-6);
    EXPECT_NEAR(y[0][5][128 + 61].item<double>(), out.imag(), 1e-6);
    // Rotation keeps norms.
    EXPECT_NEAR(y.norm().item<double>(), x.norm().item<double>(), 1e-3);
}

TEST(SinusoidalEmbedding, CosThenSin) {
    auto e = sinusoidal_embedding(256, torch::full({1}, 1000.0, torch::kFloat));
    ASSERT_EQ(e.sizes(), torch::IntArrayRef({1, 256}));
    const double w = std::pow(10000.0, -3.0 / 128.0);
    EXPECT_NEAR(e[0][3].item<double>(), std::cos(1000.0 * w), 1e-6);
    EXPECT_NEAR(e[0][128 + 3].item<double>(), std::sin(1000.0 * w), 1e-6);
}

}  // namespace
