#include "engine/pipeline/color_fix.h"

#include "engine/model/tc_decoder/decoder_golden.h"
#include "engine/model/tc_decoder/tc_decoder.h"
#include "engine/model/vae/wan_vae_decoder.h"

#include <gtest/gtest.h>

namespace engine::pipeline {
namespace {

using fvsr_test::golden_dir;
using fvsr_test::load_golden;

// AdaIN against the LQ frames turns the golden `decoded` video into the golden `output`. The
// full-resolution decoded frames are not stored, so they come from our decoders, which their own
// tests hold to the golden `decoded` tensors.
TEST(ColorFixGolden, AdaInMatchesUpstreamTinyMode) {
    const auto stages = load_golden("tiny_v11/stages.safetensors");
    const auto lq = fvsr_test::golden_lq_video(load_golden("tiny_v11/inputs.safetensors"));
    auto model =
        model::tc_decoder::load_tc_decoder(fvsr_test::golden_dir() / "models/v1.1/TCDecoder.ckpt");
    ASSERT_TRUE(model.ok()) << model.error().to_string();
    model::tc_decoder::TCDecoderState state;
    auto decoded = (*model)->decode(stages.at("latents"), lq.narrow(2, 0, 37), state);
    ASSERT_EQ(decoded.size(2), 37);
    const auto output = color_fix(decoded, lq.narrow(2, 0, 37));
    fvsr_test::expect_matches_stage(stages, "output", output);
    // In place gives the same values.
    color_fix_(decoded, lq.narrow(2, 0, 37));
    EXPECT_TRUE(torch::equal(decoded, output));
}

// AdaIN is per frame, so the first 4 latents (13 frames) check the VAE case at a third of the
// decode time; the tiny-mode test above covers all 37 frames.
TEST(ColorFixGolden, AdaInMatchesUpstreamFullMode) {
    const auto stages = load_golden("full_v11/stages.safetensors");
    const auto lq = fvsr_test::golden_lq_video(load_golden("full_v11/inputs.safetensors"));
    auto model = model::vae::load_wan_vae_decoder(golden_dir() / "models/v1.1/Wan2.1_VAE.pth");
    ASSERT_TRUE(model.ok()) << model.error().to_string();
    const auto& latents = stages.at("latents");
    model::vae::WanVaeStreamDecoder decoder(*model, latents.size(3), latents.size(4));
    const auto decoded = decoder.decode(latents.narrow(2, 0, 4));
    ASSERT_EQ(decoded.size(2), 13);
    const auto output = color_fix(decoded, lq.narrow(2, 0, 13));
    fvsr_test::expect_close("output.pool8 (frames 0-12)",
                            stages.at("output.pool8").narrow(2, 0, 13), fvsr_test::pool8(output));
    ASSERT_EQ(stages.at("output.crop_frames")[0].item<std::int64_t>(), 0);
    fvsr_test::expect_close("output.crop (frame 0)", stages.at("output.crop").narrow(2, 0, 1),
                            fvsr_test::crop128(output, torch::zeros({1}, torch::kLong)));
}

torch::Tensor random_video(std::int64_t frames,
                           std::int64_t h,
                           std::int64_t w,
                           double scale,
                           double shift) {
    return torch::randn({1, 3, frames, h, w}).mul_(scale).add_(shift);
}

TEST(ColorFixTest, AdaInTransfersPerFrameStatistics) {
    torch::manual_seed(3);
    const auto hq = random_video(3, 32, 40, 1.0, 0.1);  // variance >> eps: near-exact invariance
    const auto lq = random_video(3, 32, 40, 0.3, -0.2);
    // The building block, before the clamp.
    const auto content = hq.permute({0, 2, 1, 3, 4}).reshape({3, 3, 32, 40});
    const auto style = lq.permute({0, 2, 1, 3, 4}).reshape({3, 3, 32, 40});
    const auto out = adain(content, style);
    const auto out_flat = out.reshape({3, 3, -1});
    const auto style_flat = style.reshape({3, 3, -1});
    EXPECT_LT((out_flat.mean(2) - style_flat.mean(2)).abs().max().item<double>(), 1e-5);
    const auto var_out = torch::var(out_flat, {2}, false, false);
    const auto var_style = torch::var(style_flat, {2}, false, false);
    // sqrt(var + eps) is matched, so the variances agree up to the eps terms.
    EXPECT_LT((var_out - var_style).abs().max().item<double>(), 1e-4);
    // An affine change of the content does not change the result.
    EXPECT_LT((adain(content.mul(3).add(0.5), style) - out).abs().max().item<double>(), 1e-4);
}

TEST(ColorFixTest, ChunkingAndLayoutDoNotChangeValues) {
    torch::manual_seed(5);
    const auto hq = random_video(7, 24, 16, 0.8, 0.0);
    const auto lq = random_video(7, 24, 16, 0.4, 0.1);
    for (auto method : {ColorFixMethod::AdaIN, ColorFixMethod::Wavelet}) {
        ColorFixOptions one;
        one.method = method;
        one.frames_per_chunk = 1;
        ColorFixOptions many = one;
        many.frames_per_chunk = 16;
        const auto a = color_fix(hq, lq, one);
        const auto b = color_fix(hq, lq, many);
        EXPECT_TRUE(torch::equal(a, b));
        // [T, 3, H, W] layout gives the same frames.
        const auto frames = color_fix(hq[0].permute({1, 0, 2, 3}).contiguous(),
                                      lq[0].permute({1, 0, 2, 3}).contiguous(), many);
        EXPECT_TRUE(torch::equal(frames, a[0].permute({1, 0, 2, 3})));
        EXPECT_LE(a.abs().max().item<double>(), 1.0);
    }
}

TEST(ColorFixTest, ReducedPrecisionKeepsDtypeAndDevice) {
    torch::manual_seed(7);
    const auto hq = random_video(2, 16, 16, 0.5, 0.0);
    const auto lq = random_video(2, 16, 16, 0.5, 0.0);
    const auto reference = color_fix(hq, lq);
    const auto half = color_fix(hq.to(torch::kBFloat16), lq);  // lq stays float32
    EXPECT_EQ(half.scalar_type(), torch::kBFloat16);
    EXPECT_LT((half.to(torch::kFloat32) - reference).abs().max().item<double>(), 2e-2);
}

TEST(ColorFixTest, RejectsMismatchedShapes) {
    const auto hq = torch::zeros({1, 3, 2, 8, 8});
    EXPECT_THROW(color_fix(hq, torch::zeros({1, 3, 2, 8, 9})), c10::Error);
    EXPECT_THROW(color_fix(torch::zeros({1, 4, 2, 8, 8}), torch::zeros({1, 4, 2, 8, 8})),
                 c10::Error);
}

TEST(WaveletTest, ConstantImagePassesThrough) {
    const auto flat = torch::full({1, 3, 40, 40}, 0.25);
    for (std::int64_t radius : {1, 2, 4, 8, 16}) {
        EXPECT_LT((wavelet_blur(flat, radius) - flat).abs().max().item<double>(), 1e-7);
    }
    const auto bands = wavelet_decompose(flat, 5);
    EXPECT_LT(bands.high.abs().max().item<double>(), 1e-7);
    EXPECT_LT((bands.low - flat).abs().max().item<double>(), 1e-7);
    // Colour fix of a constant frame against a constant style gives the style.
    ColorFixOptions options;
    options.method = ColorFixMethod::Wavelet;
    const auto out = color_fix(torch::full({1, 3, 1, 40, 40}, 0.7),
                               torch::full({1, 3, 1, 40, 40}, -0.3), options);
    EXPECT_LT((out + 0.3).abs().max().item<double>(), 1e-6);
}

TEST(WaveletTest, HighPlusLowIsTheInput) {
    torch::manual_seed(11);
    const auto x = torch::rand({2, 3, 48, 56});
    for (int levels : {1, 3, 5}) {
        const auto bands = wavelet_decompose(x, levels);
        EXPECT_LT((bands.high + bands.low - x).abs().max().item<double>(), 1e-5) << levels;
    }
}

TEST(WaveletTest, CheckerboardIsAllHighFrequency) {
    // [1,2,1]/4 in both directions cancels a +-1 checkerboard, so away from the replicate-padded
    // border (31 pixels = 1 + 2 + 4 + 8 + 16 of dilation) the low band is 0 and the high band is
    // the checkerboard; the colour fix then adds the style's low band.
    const auto idx = torch::arange(96);
    const auto checker =
        ((idx.view({96, 1}) + idx.view({1, 96})).remainder(2).mul(2).sub(1)).to(torch::kFloat32) *
        0.5;
    const auto x = checker.view({1, 1, 96, 96}).expand({1, 3, 96, 96}).contiguous();
    const auto bands = wavelet_decompose(x, 5);
    const auto inner = [](const torch::Tensor& t) { return t.narrow(2, 32, 32).narrow(3, 32, 32); };
    EXPECT_LT(inner(bands.low).abs().max().item<double>(), 1e-6);
    EXPECT_LT((inner(bands.high) - inner(x)).abs().max().item<double>(), 1e-6);

    ColorFixOptions options;
    options.method = ColorFixMethod::Wavelet;
    const auto hq = x.view({1, 1, 3, 96, 96}).permute({0, 2, 1, 3, 4});
    const auto lq = torch::full({1, 3, 1, 96, 96}, 0.2);
    const auto out = color_fix(hq, lq, options);
    const auto out_inner = out[0].select(1, 0).narrow(1, 32, 32).narrow(2, 32, 32);
    EXPECT_LT((out_inner - (inner(x)[0] + 0.2)).abs().max().item<double>(), 1e-6);
}

}  // namespace
}  // namespace engine::pipeline
