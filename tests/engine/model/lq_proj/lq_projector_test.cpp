// The LQ projector: cache rules of v1.0 (Buffer) vs v1.1 (Causal) on crafted inputs, and both
// versions against the golden lq_tokens (the clip prepared exactly as the golden README says).

#include "engine/model/lq_proj/lq_projector.h"

#include "engine/model/checkpoint/state_dict.h"

#include <gtest/gtest.h>

#include <filesystem>

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

class LqProjectorGolden : public ::testing::TestWithParam<std::string> {};

TEST_P(LqProjectorGolden, TokensMatchGolden) {
    const auto case_name = GetParam();
    const bool v10 = case_name == "tiny_v10";
    auto weights = engine::model::load_state_dict(
        kGolden / (v10 ? "models/v1.0/LQ_proj_in.ckpt" : "models/v1.1/LQ_proj_in.ckpt"),
        {torch::kCPU, torch::kFloat});
    ASSERT_TRUE(weights.ok()) << weights.error().to_string();
    auto config = LqProjectorConfig::detect_from_weights(weights.value());
    ASSERT_TRUE(config.ok()) << config.error().to_string();
    EXPECT_EQ(config->hidden_dim1, 16);
    EXPECT_EQ(config->hidden_dim2, 24);
    EXPECT_EQ(config->out_dim, 256);
    LqProjector p(config.value());
    auto bound = engine::model::bind_module(*p, weights.value());
    ASSERT_TRUE(bound.ok()) << bound.error().to_string();

    auto inputs = engine::model::load_state_dict(kGolden / case_name / "inputs.safetensors");
    auto stages = engine::model::load_state_dict(kGolden / case_name / "stages.safetensors");
    ASSERT_TRUE(inputs.ok() && stages.ok());
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
                  .item<float>(),
              1e-6);

    const auto version = v10 ? LqProjectorVersion::V10Buffer : LqProjectorVersion::V11Causal;
    LqProjectorState state;
    auto chunk_tokens = [&](std::int64_t begin, std::int64_t end) {
        std::vector<torch::Tensor> tokens;
        for (auto f = begin; f < end;) {
            const auto n = state.clip_index == 0 ? 1 : 4;
            auto out = p->stream_forward(lq.slice(2, f, f + n), state, version);
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

INSTANTIATE_TEST_SUITE_P(Cases, LqProjectorGolden, ::testing::Values("tiny_v11", "tiny_v10"));

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
