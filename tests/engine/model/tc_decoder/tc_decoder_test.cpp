#include "engine/model/tc_decoder/tc_decoder.h"

#include "engine/model/tc_decoder/decoder_golden.h"

#include <gtest/gtest.h>

namespace engine::model::tc_decoder {
namespace {

using fvsr_test::load_golden;

// The golden tiny_v11 run, decoded once for all tests (CPU float32).
class TCDecoderGolden : public ::testing::Test {
  protected:
    static void SetUpTestSuite() {
        s_stages = new StateDict(load_golden("tiny_v11/stages.safetensors"));
        s_inputs = new StateDict(load_golden("tiny_v11/inputs.safetensors"));
        s_lq = new torch::Tensor(fvsr_test::golden_lq_video(*s_inputs));
        auto model = load_tc_decoder(fvsr_test::golden_dir() / "models/v1.1/TCDecoder.ckpt");
        ASSERT_TRUE(model.ok()) << model.error().to_string();
        s_model = new TCDecoder(*model);
        // tiny mode: all latents at once, cond = LQ frames [0, F - 4).
        const auto& latents = s_stages->at("latents");
        const auto out_frames = 4 * latents.size(2) - 3;
        TCDecoderState state;
        s_decoded =
            new torch::Tensor((*s_model)->decode(latents, s_lq->narrow(2, 0, out_frames), state));
    }
    static void TearDownTestSuite() {
        delete s_decoded;
        delete s_model;
        delete s_lq;
        delete s_inputs;
        delete s_stages;
    }

    static StateDict* s_stages;
    static StateDict* s_inputs;
    static torch::Tensor* s_lq;
    static TCDecoder* s_model;
    static torch::Tensor* s_decoded;
};
StateDict* TCDecoderGolden::s_stages = nullptr;
StateDict* TCDecoderGolden::s_inputs = nullptr;
torch::Tensor* TCDecoderGolden::s_lq = nullptr;
TCDecoder* TCDecoderGolden::s_model = nullptr;
torch::Tensor* TCDecoderGolden::s_decoded = nullptr;

TEST_F(TCDecoderGolden, LqVideoMatchesGoldenChecks) {
    const auto& checks = s_inputs->at("lq_video_check_crops");
    const auto frames = s_lq->size(2);
    EXPECT_TRUE(torch::equal(checks[0], (*s_lq)[0].select(1, 0).narrow(1, 0, 64).narrow(2, 0, 96)));
    EXPECT_TRUE(torch::equal(checks[1], (*s_lq)[0]
                                            .select(1, frames - 1)
                                            .narrow(1, s_lq->size(3) - 64, 64)
                                            .narrow(2, s_lq->size(4) - 96, 96)));
}

TEST_F(TCDecoderGolden, ConfigComesFromTheWeightShapes) {
    const auto& config = (*s_model)->config();
    EXPECT_EQ(config.channels, (std::array<std::int64_t, 4>{32, 16, 16, 16}));
    EXPECT_EQ(config.latent_channels, 16);
    EXPECT_EQ(config.time_strides, (std::array<std::int64_t, 3>{1, 2, 2}));
    EXPECT_EQ(config.frames_per_latent(), 4);
    EXPECT_EQ(config.frames_to_trim(), 3);
    EXPECT_EQ((*s_model)->named_parameters().size(), 66u);
}

TEST_F(TCDecoderGolden, DecodedMatchesUpstream) {
    ASSERT_EQ(s_decoded->sizes(), (std::vector<std::int64_t>{1, 3, 37, 256, 384}));
    fvsr_test::expect_matches_stage(*s_stages, "decoded", *s_decoded);
}

// tiny-long schedule (spec §3.4): chunk 0 = 6 latents with LQ [0, 21), chunk k = 2 latents with
// LQ [8k + 13, 8k + 21); the memories carry the state, so the frames must be bit-identical.
TEST_F(TCDecoderGolden, ChunkedDecodeEqualsAllAtOnce) {
    const auto& latents = s_stages->at("latents");
    TCDecoderState state;
    std::vector<torch::Tensor> parts;
    parts.push_back((*s_model)->decode(latents.narrow(2, 0, 6), s_lq->narrow(2, 0, 21), state));
    EXPECT_EQ(parts.back().size(2), 21);
    for (int k = 1; 4 + 2 * k + 2 <= latents.size(2); ++k) {
        parts.push_back((*s_model)->decode(latents.narrow(2, 4 + 2 * k, 2),
                                           s_lq->narrow(2, 8 * k + 13, 8), state));
        EXPECT_EQ(parts.back().size(2), 8);
    }
    ASSERT_EQ(parts.size(), 3u);
    const auto chunked = torch::cat(parts, 2);
    ASSERT_EQ(chunked.sizes(), s_decoded->sizes());
    EXPECT_TRUE(torch::equal(chunked, *s_decoded))
        << "max abs diff " << (chunked - *s_decoded).abs().max().item<double>();
}

// The CUDA layout (NHWC activations and weights) computes the same function; on the CPU only the
// convolution's summation order may differ.
TEST_F(TCDecoderGolden, ChannelsLastLayoutMatches) {
    auto model = load_tc_decoder(fvsr_test::golden_dir() / "models/v1.1/TCDecoder.ckpt");
    ASSERT_TRUE(model.ok()) << model.error().to_string();
    EXPECT_FALSE((*model)->channels_last());  // CPU default
    (*model)->set_channels_last(true);
    EXPECT_TRUE((*model)->decoder->named_parameters()["1.weight"].is_contiguous(
        at::MemoryFormat::ChannelsLast));
    const auto& latents = s_stages->at("latents");
    TCDecoderState state;
    const auto nhwc = (*model)->decode(latents, s_lq->narrow(2, 0, s_decoded->size(2)), state);
    ASSERT_EQ(nhwc.sizes(), s_decoded->sizes());
    EXPECT_TRUE(torch::allclose(nhwc, *s_decoded, 1e-4, 1e-4))
        << "max abs diff " << (nhwc - *s_decoded).abs().max().item<double>();
    fvsr_test::expect_matches_stage(*s_stages, "decoded", nhwc);
}

// The sub-pixel helper alone on random data of odd size: the same function as nearest x2
// upsampling + 3x3 conv (padding 1), in both layouts; float64 shows the rewrite is exact up to
// summation order. (The fused-ReLU variant is cuDNN-only and not reachable on CPU.)
TEST(SubpixelUpsampleConv, MatchesUpsampleThenConv) {
    namespace F = torch::nn::functional;
    torch::manual_seed(7);
    for (const auto dtype : {torch::kFloat64, torch::kFloat32}) {
        const auto x = torch::randn({2, 6, 5, 7}, torch::dtype(dtype));
        const auto k = torch::randn({4, 6, 3, 3}, torch::dtype(dtype));
        const auto upsampled = F::interpolate(x, F::InterpolateFuncOptions()
                                                     .size(std::vector<std::int64_t>{10, 14})
                                                     .mode(torch::kNearest));
        const auto expected = F::conv2d(upsampled, k, F::Conv2dFuncOptions().padding(1));
        for (const bool channels_last : {false, true}) {
            SCOPED_TRACE(channels_last ? "channels-last" : "NCHW");
            const auto format =
                channels_last ? at::MemoryFormat::ChannelsLast : at::MemoryFormat::Contiguous;
            const auto got = subpixel_upsample_conv(
                x.contiguous(format), subpixel_weight(k).contiguous(format), false, channels_last);
            ASSERT_EQ(got.sizes(), expected.sizes());
            EXPECT_TRUE(got.is_contiguous(format));
            const double diff = (got - expected).abs().max().item<double>();
            EXPECT_LT(diff, dtype == torch::kFloat64 ? 1e-12 : 1e-5) << "max abs diff " << diff;
        }
    }
}

// Upsample + TGrow + conv as sub-pixel convolutions (the CUDA default): the same function as the
// layer-by-layer path up to the fp32 rounding of the folded weights, in both layouts, chunked
// decoding carries the memories the same way, and the output still matches upstream's.
TEST_F(TCDecoderGolden, FastUpsamplingMatches) {
    const auto& latents = s_stages->at("latents");
    for (const bool channels_last : {false, true}) {
        SCOPED_TRACE(channels_last ? "channels-last" : "NCHW");
        auto model = load_tc_decoder(fvsr_test::golden_dir() / "models/v1.1/TCDecoder.ckpt");
        ASSERT_TRUE(model.ok()) << model.error().to_string();
        (*model)->set_channels_last(channels_last);
        EXPECT_FALSE((*model)->fast_upsampling());  // CPU default
        (*model)->set_fast_upsampling(true);
        TCDecoderState state;
        const auto fast = (*model)->decode(latents, s_lq->narrow(2, 0, s_decoded->size(2)), state);
        ASSERT_EQ(fast.sizes(), s_decoded->sizes());
        const double diff = (fast - *s_decoded).abs().max().item<double>();
        EXPECT_LT(diff, 1e-4) << "max abs diff " << diff;  // measured 2.4e-5
        fvsr_test::expect_matches_stage(*s_stages, "decoded", fast);
        if (channels_last) {
            continue;
        }
        TCDecoderState chunked_state;
        std::vector<torch::Tensor> parts;
        parts.push_back(
            (*model)->decode(latents.narrow(2, 0, 6), s_lq->narrow(2, 0, 21), chunked_state));
        for (int k = 1; 4 + 2 * k + 2 <= latents.size(2); ++k) {
            parts.push_back((*model)->decode(latents.narrow(2, 4 + 2 * k, 2),
                                             s_lq->narrow(2, 8 * k + 13, 8), chunked_state));
        }
        EXPECT_TRUE(torch::equal(torch::cat(parts, 2), fast));
    }
}

TEST_F(TCDecoderGolden, ResetStartsANewRunThatTrimsAgain) {
    const auto& latents = s_stages->at("latents");
    TCDecoderState state;
    auto first = (*s_model)->decode(latents.narrow(2, 0, 2), s_lq->narrow(2, 0, 5), state);
    EXPECT_EQ(first.size(2), 5);
    auto second = (*s_model)->decode(latents.narrow(2, 2, 1), s_lq->narrow(2, 5, 4), state);
    EXPECT_EQ(second.size(2), 4);
    state.reset();
    auto again = (*s_model)->decode(latents.narrow(2, 0, 2), s_lq->narrow(2, 0, 5), state);
    EXPECT_TRUE(torch::equal(again, first));
    // The first latent step conditions on frame 0 repeated 4 times (3 pad + frame 0).
    EXPECT_TRUE(torch::equal(first, s_decoded->narrow(2, 0, 5)));
}

TEST_F(TCDecoderGolden, RejectsMismatchedCond) {
    const auto& latents = s_stages->at("latents");
    TCDecoderState state;
    EXPECT_THROW((*s_model)->decode(latents.narrow(2, 0, 2), s_lq->narrow(2, 0, 9), state),
                 c10::Error);
    EXPECT_THROW(
        (*s_model)->decode(latents.narrow(2, 0, 2), s_lq->narrow(3, 0, 128).narrow(2, 0, 8), state),
        c10::Error);
}

StateDict golden_weights() {
    return load_golden("models/v1.1/TCDecoder.ckpt");
}

TEST(TCDecoderConfigTest, MissingKeyIsReported) {
    const auto weights = golden_weights();
    StateDict dict;
    for (const auto& [name, tensor] : weights.items()) {
        if (name != "decoder.16.weight") {
            dict.insert(name, tensor);
        }
    }
    auto config = TCDecoderConfig::detect_from_weights(dict);
    ASSERT_FALSE(config.ok());
    EXPECT_EQ(config.error().code, ErrorCode::ModelKeysMismatch);
    EXPECT_EQ(config.error().get("key"), "decoder.16.weight");
}

TEST(TCDecoderConfigTest, InconsistentShapeIsReported) {
    const auto weights = golden_weights();
    StateDict dict;
    for (const auto& [name, tensor] : weights.items()) {
        dict.insert(name, name == "decoder.22.weight" ? torch::zeros({16, 8, 3, 3}) : tensor);
    }
    auto config = TCDecoderConfig::detect_from_weights(dict);
    ASSERT_FALSE(config.ok());
    EXPECT_EQ(config.error().code, ErrorCode::ModelShapeMismatch);
    EXPECT_EQ(config.error().get("key"), "decoder.22.weight");
}

TEST(TCDecoderConfigTest, BindingIsStrict) {
    const auto weights = golden_weights();
    StateDict dict;
    for (const auto& [name, tensor] : weights.items()) {
        if (name != "decoder.6.conv.2.bias") {
            dict.insert(name, tensor);
        }
    }
    auto model = make_tc_decoder(dict, {}, "TCDecoder.ckpt");
    ASSERT_FALSE(model.ok());
    EXPECT_EQ(model.error().code, ErrorCode::ModelKeysMismatch);
}

}  // namespace
}  // namespace engine::model::tc_decoder
