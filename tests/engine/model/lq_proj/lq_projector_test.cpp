// The LQ projector: cache rules of v1.0 (Buffer) vs v1.1 (Causal) on crafted inputs, and both
// versions against the golden lq_tokens (the clip prepared exactly as the golden README says).

#include "engine/model/lq_proj/lq_projector.h"

#include "engine/model/checkpoint/state_dict.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <tuple>

namespace {

namespace fs = std::filesystem;
namespace F = torch::nn::functional;
using namespace engine::model::lq_proj;
using engine::model::StateDict;

const fs::path kGolden = fs::path(FVSR_SHARED_DIR) / "golden";

LqProjector small_projector() {
    torch::manual_seed(7);
    LqProjectorConfig config;
    config.in_channels = 768;
    config.hidden_dim1 = 8;
    config.hidden_dim2 = 8;
    config.out_dim = 8;
    LqProjector p(config);
    p->eval();
    return p;
}

TEST(LqProjector, FirstCallPrimesAndReturnsNothing) {
    auto p = small_projector();
    LqProjectorState state;
    auto frame = torch::randn({1, 3, 1, 32, 48});
    EXPECT_FALSE(p->stream_forward(frame, state, LqProjectorVersion::V11Causal).has_value());
    EXPECT_EQ(state.clip_index, 1);
    auto tokens =
        p->stream_forward(torch::randn({1, 3, 4, 32, 48}), state, LqProjectorVersion::V11Causal);
    ASSERT_TRUE(tokens.has_value());
    EXPECT_EQ(tokens->sizes(), torch::IntArrayRef({1, 6, 8}));
    EXPECT_THROW(p->stream_forward(frame, state, LqProjectorVersion::V11Causal), c10::Error);
}

TEST(LqProjector, V10HasNoTemporalCarryV11Has) {
    auto p = small_projector();
    auto warm_a = torch::randn({1, 3, 1, 16, 16});
    auto warm_b = torch::randn({1, 3, 1, 16, 16});
    auto clip = torch::randn({1, 3, 4, 16, 16});
    auto run = [&](const torch::Tensor& warm, LqProjectorVersion version) {
        LqProjectorState state;
        p->stream_forward(warm, state, version);
        return *p->stream_forward(clip, state, version);
    };
    // v1.0: the output of a clip depends on that clip only.
    EXPECT_TRUE(run(warm_a, LqProjectorVersion::V10Buffer)
                    .equal(run(warm_b, LqProjectorVersion::V10Buffer)));
    // v1.1: the previous clip enters through both caches.
    EXPECT_FALSE(run(warm_a, LqProjectorVersion::V11Causal)
                     .allclose(run(warm_b, LqProjectorVersion::V11Causal)));
}

TEST(LqProjector, V11CacheEqualsConvOverConcatenatedHistory) {
    auto p = small_projector();
    auto warm = torch::randn({1, 3, 1, 16, 16});
    auto clip1 = torch::randn({1, 3, 4, 16, 16});
    auto clip2 = torch::randn({1, 3, 4, 16, 16});
    LqProjectorState state;
    p->stream_forward(warm, state, LqProjectorVersion::V11Causal);
    p->stream_forward(clip1, state, LqProjectorVersion::V11Causal);
    auto streamed = *p->stream_forward(clip2, state, LqProjectorVersion::V11Causal);
    // conv1 over [last 2 frames of clip1, clip2] equals the cached computation.
    auto x1 = pixel_unshuffle_16(clip1);
    auto x2 = pixel_unshuffle_16(clip2);
    EXPECT_TRUE(state.conv1_cache.equal(x2.slice(2, 2)));
    auto y2 = torch::silu(p->norm1(causal_conv3d(p->conv1, x2, x1.slice(2, 2))));
    EXPECT_TRUE(state.conv2_cache.equal(y2));  // Y has exactly the 2 cached frames
    ASSERT_EQ(streamed.sizes(), torch::IntArrayRef({1, 1, 8}));
}

// The CUDA layout (NDHWC activations and weights) computes the same tokens; on the CPU only the
// convolution's summation order may differ.
TEST(LqProjector, ChannelsLastLayoutMatches) {
    auto plain = small_projector();
    auto nhwc = small_projector();  // same seed, same weights
    nhwc->set_channels_last(true);
    EXPECT_TRUE(nhwc->conv1->weight.is_contiguous(at::MemoryFormat::ChannelsLast3d));
    LqProjectorState a;
    LqProjectorState b;
    auto warm = torch::randn({1, 3, 1, 32, 48});
    plain->stream_forward(warm, a, LqProjectorVersion::V11Causal);
    nhwc->stream_forward(warm, b, LqProjectorVersion::V11Causal);
    EXPECT_FALSE(plain->channels_last());  // CPU default, decided by the first call
    for (int k = 0; k < 3; ++k) {
        auto clip = torch::randn({1, 3, 4, 32, 48});
        auto x = *plain->stream_forward(clip, a, LqProjectorVersion::V11Causal);
        auto y = *nhwc->stream_forward(clip, b, LqProjectorVersion::V11Causal);
        ASSERT_EQ(x.sizes(), y.sizes());
        EXPECT_TRUE(torch::allclose(x, y, 1e-4, 1e-5))
            << "max abs diff " << (x - y).abs().max().item<double>();
    }
}

TEST(LqProjector, PixelUnshuffleChannelOrder) {
    auto video = torch::arange(3 * 16 * 32).to(torch::kFloat).view({1, 3, 1, 16, 32});
    auto x = pixel_unshuffle_16(video);
    ASSERT_EQ(x.sizes(), torch::IntArrayRef({1, 768, 1, 1, 2}));
    // channel c*256 + dy*16 + dx of cell (0, 1) = video[c, dy, 16 + dx]
    EXPECT_EQ(x[0][2 * 256 + 5 * 16 + 7][0][0][1].item<float>(),
              video[0][2][0][5][16 + 7].item<float>());
}

// The golden projector (tiny sizes: 768 -> 16 -> 24 -> 256) and the golden LQ clip
// [1, 3, 41, 256, 384], prepared as the golden README says.
struct GoldenProjector {
    LqProjector projector{nullptr};
    torch::Tensor lq;
};

GoldenProjector load_golden(const std::string& case_name) {
    const bool v10 = case_name == "tiny_v10";
    auto weights = engine::model::load_state_dict(
        kGolden / (v10 ? "models/v1.0/LQ_proj_in.ckpt" : "models/v1.1/LQ_proj_in.ckpt"),
        {torch::kCPU, torch::kFloat});
    EXPECT_TRUE(weights.ok()) << weights.error().to_string();
    auto config = LqProjectorConfig::detect_from_weights(weights.value());
    EXPECT_TRUE(config.ok()) << config.error().to_string();
    EXPECT_EQ(config->hidden_dim1, 16);
    EXPECT_EQ(config->hidden_dim2, 24);
    EXPECT_EQ(config->out_dim, 256);
    LqProjector p(config.value());
    auto bound = engine::model::bind_module(*p, weights.value());
    EXPECT_TRUE(bound.ok()) << bound.error().to_string();

    auto inputs = engine::model::load_state_dict(kGolden / case_name / "inputs.safetensors");
    EXPECT_TRUE(inputs.ok());
    // The golden recipe: u8/255 -> bicubic (align_corners=False) -> x*2-1 -> [1, 3, F, H, W].
    auto x = inputs->at("lr_frames_u8").to(torch::kFloat) / 255;
    x = F::interpolate(x.permute({0, 3, 1, 2}), F::InterpolateFuncOptions()
                                                    .size(std::vector<std::int64_t>{256, 384})
                                                    .mode(torch::kBicubic)
                                                    .align_corners(false));
    auto lq = (x * 2 - 1).permute({1, 0, 2, 3}).unsqueeze(0);
    EXPECT_LT((lq[0].permute({1, 0, 2, 3}).slice(0, 0, 1).slice(2, 0, 64).slice(3, 0, 96)[0] -
               inputs->at("lq_video_check_crops")[0])
                  .abs()
                  .max()
                  .item<double>(),
              1e-6);
    return {p, lq};
}

const char* impl_name(ConvImpl impl) {
    switch (impl) {
        case ConvImpl::Native:
            return "Native";
        case ConvImpl::Gemm:
            return "Gemm";
        case ConvImpl::Stacked2d:
            return "Stacked2d";
    }
    return "?";
}

class LqProjectorGolden : public ::testing::TestWithParam<std::tuple<std::string, ConvImpl>> {};

TEST_P(LqProjectorGolden, TokensMatchGolden) {
    const auto& [case_name, impl] = GetParam();
    auto golden = load_golden(case_name);
    ASSERT_FALSE(HasFailure());
    auto& p = golden.projector;
    p->set_conv_impl(impl);
    auto stages = engine::model::load_state_dict(kGolden / case_name / "stages.safetensors");
    ASSERT_TRUE(stages.ok());

    const auto version =
        case_name == "tiny_v10" ? LqProjectorVersion::V10Buffer : LqProjectorVersion::V11Causal;
    LqProjectorState state;
    auto chunk_tokens = [&](std::int64_t begin, std::int64_t end) {
        std::vector<torch::Tensor> tokens;
        for (auto f = begin; f < end;) {
            const auto n = state.clip_index == 0 ? 1 : 4;
            auto out = p->stream_forward(golden.lq.slice(2, f, f + n), state, version);
            if (out) {
                tokens.push_back(*out);
            }
            f += n;
        }
        return torch::cat(tokens, 1);
    };
    const std::int64_t ranges[3][2] = {{0, 25}, {25, 33}, {33, 41}};
    for (int chunk = 0; chunk < 3; ++chunk) {
        auto tokens = chunk_tokens(ranges[chunk][0], ranges[chunk][1]);
        const auto name = "lq_tokens.chunk" + std::to_string(chunk);
        const auto* ref = stages->find(name);
        ASSERT_NE(ref, nullptr) << name;
        ASSERT_EQ(tokens.sizes(), ref->sizes());
        const auto max_abs = (tokens - *ref).abs().max().item<double>();
        const auto rel = ((tokens - *ref).norm() / ref->norm()).item<double>();
        EXPECT_LT(max_abs, 2e-4) << name;
        EXPECT_LT(rel, 5e-5) << name;
    }
}

INSTANTIATE_TEST_SUITE_P(
    Cases,
    LqProjectorGolden,
    ::testing::Combine(::testing::Values("tiny_v11", "tiny_v10"),
                       ::testing::Values(ConvImpl::Native, ConvImpl::Gemm, ConvImpl::Stacked2d)),
    [](const auto& info) {
        return std::get<0>(info.param) + "_" + impl_name(std::get<1>(info.param));
    });

// Stacked2d against Native on the golden model and clip, call by call in fp32: the first call
// (it returns nothing; its conv output is the conv2 cache), then 10 clips through the causal
// caches; both versions, both activation layouts. Bound 1e-4 absolute: tokens reach |x| ~ 2.5 and
// the conv2 caches ~ 3.7, conv1 sums K = 36*768 products per output in another order, and
// measured Stacked2d-vs-Native differences are 1.4e-5..2.4e-5 (tokens) and 2.3e-5..3.5e-5
// (caches), the same as Gemm-vs-Native shows for the same calls. The float64 tests below show the
// arithmetic is the same to 1e-12; a wrong tap or border row would move outputs by O(0.1).
class LqProjectorStackedVsNative : public ::testing::TestWithParam<std::tuple<std::string, bool>> {
};

TEST_P(LqProjectorStackedVsNative, SameTokensAndCachesCallByCall) {
    const auto& [case_name, channels_last] = GetParam();
    auto native = load_golden(case_name);
    auto stacked = load_golden(case_name);
    ASSERT_FALSE(HasFailure());
    native.projector->set_channels_last(channels_last);
    stacked.projector->set_channels_last(channels_last);
    native.projector->set_conv_impl(ConvImpl::Native);
    stacked.projector->set_conv_impl(ConvImpl::Stacked2d);
    const auto version =
        case_name == "tiny_v10" ? LqProjectorVersion::V10Buffer : LqProjectorVersion::V11Causal;
    constexpr double kBound = 1e-4;
    const auto max_diff = [](const torch::Tensor& a, const torch::Tensor& b) {
        EXPECT_EQ(a.sizes(), b.sizes());
        return (a - b).abs().max().item<double>();
    };
    LqProjectorState a;
    LqProjectorState b;
    const auto& lq = native.lq;
    EXPECT_FALSE(native.projector->stream_forward(lq.slice(2, 0, 1), a, version));
    EXPECT_FALSE(stacked.projector->stream_forward(lq.slice(2, 0, 1), b, version));
    EXPECT_TRUE(a.conv1_cache.equal(b.conv1_cache));
    EXPECT_LT(max_diff(a.conv2_cache, b.conv2_cache), kBound) << "first call";
    for (std::int64_t f = 1; f + 4 <= lq.size(2); f += 4) {
        auto x = *native.projector->stream_forward(lq.slice(2, f, f + 4), a, version);
        auto y = *stacked.projector->stream_forward(lq.slice(2, f, f + 4), b, version);
        EXPECT_LT(max_diff(x, y), kBound) << "frames " << f << "..";
        EXPECT_LT(max_diff(a.conv2_cache, b.conv2_cache), kBound) << "frames " << f << "..";
    }
}

INSTANTIATE_TEST_SUITE_P(Cases,
                         LqProjectorStackedVsNative,
                         ::testing::Combine(::testing::Values("tiny_v11", "tiny_v10"),
                                            ::testing::Bool()),
                         [](const auto& info) {
                             return std::get<0>(info.param) +
                                    (std::get<1>(info.param) ? "_channels_last" : "_contiguous");
                         });

}  // namespace

namespace {

// conv3d_as_gemm against the convolution it replaces on CUDA, on the CPU in float64 so any
// indexing mistake shows far above rounding: the projector's kernel and stride, channels-last and
// contiguous inputs, one and several im2col bands, with and without bias.
void expect_gemm_matches_conv(bool bias, bool channels_last, std::int64_t piece_bytes) {
    torch::manual_seed(3);
    torch::nn::Conv3d conv(torch::nn::Conv3dOptions(6, 5, {4, 3, 3}).stride({2, 1, 1}).bias(bias));
    conv->to(torch::kDouble);
    auto input = torch::randn({2, 6, 6, 7, 9}, torch::kDouble);
    if (channels_last) {
        input = input.contiguous(at::MemoryFormat::ChannelsLast3d);
    }
    const auto expected = conv->forward(input);
    const auto actual = conv3d_as_gemm(conv, input, piece_bytes);
    ASSERT_EQ(actual.sizes(), expected.sizes());
    EXPECT_TRUE(actual.is_contiguous(at::MemoryFormat::ChannelsLast3d));
    EXPECT_LT((actual - expected).abs().max().item<double>(), 1e-12);
}

TEST(LqProjectorGemmConvolution, MatchesTheConvolutionChannelsLast) {
    expect_gemm_matches_conv(true, true, std::int64_t(1) << 30);
}

TEST(LqProjectorGemmConvolution, MatchesTheConvolutionContiguousWithoutBias) {
    expect_gemm_matches_conv(false, false, std::int64_t(1) << 30);
}

TEST(LqProjectorGemmConvolution, SplitsIntoBandsThatFitThePieceBudget) {
    // One output row of im2col here is 7 columns x 216 taps x 8 bytes = 12 KB: a 20 KB budget
    // forces one band per output row, and the bands still tile the output exactly.
    expect_gemm_matches_conv(true, true, 20 * 1024);
}

}  // namespace

namespace {

// causal_conv3d_stacked against the Native causal convolution in float64 (any indexing mistake
// shows far above rounding): no cache (2 replicated first frames), a 2-frame cache taken as a
// strided view, a 1-frame cache (1 replicated frame in front), channels-last and contiguous inputs,
// with and without bias, batch 2.
void expect_stacked_matches_native(bool bias, bool channels_last, std::int64_t cached) {
    torch::manual_seed(5);
    torch::nn::Conv3d conv(torch::nn::Conv3dOptions(6, 5, {4, 3, 3}).stride({2, 1, 1}).bias(bias));
    conv->to(torch::kDouble);
    const auto format =
        channels_last ? at::MemoryFormat::ChannelsLast3d : at::MemoryFormat::Contiguous;
    auto x = torch::randn({2, 6, 4, 7, 9}, torch::kDouble).contiguous(format);
    torch::Tensor cache;
    if (cached > 0) {
        cache =
            torch::randn({2, 6, 3, 7, 9}, torch::kDouble).contiguous(format).slice(2, 3 - cached);
    }
    const auto expected = causal_conv3d(conv, x, cache, ConvImpl::Native);
    const auto actual = causal_conv3d(conv, x, cache, ConvImpl::Stacked2d);
    ASSERT_EQ(actual.sizes(), expected.sizes());
    EXPECT_TRUE(actual.is_contiguous(at::MemoryFormat::ChannelsLast3d));
    EXPECT_LT((actual - expected).abs().max().item<double>(), 1e-12);
}

TEST(LqProjectorStackedConvolution, MatchesNativeWithoutCacheChannelsLast) {
    expect_stacked_matches_native(true, true, 0);
}

TEST(LqProjectorStackedConvolution, MatchesNativeWithCacheViewContiguous) {
    expect_stacked_matches_native(true, false, 2);
}

TEST(LqProjectorStackedConvolution, MatchesNativeWithOneCachedFrameWithoutBias) {
    expect_stacked_matches_native(false, true, 1);
}

TEST(LqProjectorStackedConvolution, StackedWeightChannelOrder) {
    auto weight = torch::randn({3, 5, 4, 3, 3});
    const auto stacked = stack_temporal_taps(weight);
    ASSERT_EQ(stacked.sizes(), torch::IntArrayRef({3, 20, 3, 3}));
    EXPECT_TRUE(stacked.is_contiguous(at::MemoryFormat::ChannelsLast));
    // input channel dt*C + c of the 2-D weight = tap dt of channel c
    EXPECT_TRUE(stacked.select(1, 2 * 5 + 4).equal(weight.select(1, 4).select(1, 2)));
}

// The module's rearranged weights follow the Conv3d weights: written in place (what a checkpoint
// bind does), moved to another dtype, relaid out by set_channels_last.
TEST(LqProjectorStackedConvolution, CachedWeightsFollowTheSourceWeights) {
    auto stacked = small_projector();
    auto native = small_projector();
    stacked->set_conv_impl(ConvImpl::Stacked2d);
    native->set_conv_impl(ConvImpl::Native);
    const auto tokens = [&](LqProjector& p, torch::Dtype dtype) {
        torch::manual_seed(11);
        LqProjectorState state;
        p->stream_forward(torch::randn({1, 3, 1, 32, 48}).to(dtype), state,
                          LqProjectorVersion::V11Causal);
        return *p->stream_forward(torch::randn({1, 3, 4, 32, 48}).to(dtype), state,
                                  LqProjectorVersion::V11Causal);
    };
    const auto expect_same = [&](torch::Dtype dtype, const char* step) {
        const auto diff = (tokens(stacked, dtype) - tokens(native, dtype)).abs().max();
        EXPECT_LT(diff.item<double>(), dtype == torch::kDouble ? 1e-12 : 1e-5) << step;
    };
    expect_same(torch::kFloat, "initial");
    {
        torch::NoGradGuard no_grad;
        for (auto* p : {&stacked, &native}) {
            (*p)->conv1->weight.mul_(-0.5);
            (*p)->conv2->weight.add_(0.25);
        }
    }
    expect_same(torch::kFloat, "after in-place writes");
    stacked->to(torch::kDouble);
    native->to(torch::kDouble);
    expect_same(torch::kDouble, "after .to(kDouble)");
    stacked->set_channels_last(true);
    {
        torch::NoGradGuard no_grad;
        stacked->conv1->weight.neg_();
        native->conv1->weight.neg_();
    }
    expect_same(torch::kDouble, "after set_channels_last and a write");
}

TEST(LqProjectorStackedConvolution, DefaultImplementationPerDevice) {
    auto p = small_projector();
    EXPECT_EQ(p->conv_impl_for(torch::kCPU), ConvImpl::Native);
    p->set_channels_last(true);
    EXPECT_EQ(p->conv_impl_for(torch::Device(torch::kCUDA, 0)), ConvImpl::Gemm);
    EXPECT_EQ(p->conv_impl_for(torch::kCPU), ConvImpl::Native);
    p->set_conv_impl(ConvImpl::Stacked2d);
    EXPECT_EQ(p->conv_impl_for(torch::kCPU), ConvImpl::Stacked2d);
}

}  // namespace
