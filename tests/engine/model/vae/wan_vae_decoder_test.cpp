#include "engine/model/vae/wan_vae_decoder.h"

#include "engine/model/tc_decoder/decoder_golden.h"

#include <gtest/gtest.h>

namespace engine::model::vae {
namespace {

using fvsr_test::load_golden;

double max_abs_diff(const torch::Tensor& a, const torch::Tensor& b) {
    return (a - b).abs().max().item<double>();
}

// The golden full_v11 run, decoded once (untiled, all latents in one call) for all tests.
class WanVaeGolden : public ::testing::Test {
  protected:
    static void SetUpTestSuite() {
        s_stages = new StateDict(load_golden("full_v11/stages.safetensors"));
        auto model = load_wan_vae_decoder(fvsr_test::golden_dir() / "models/v1.1/Wan2.1_VAE.pth");
        ASSERT_TRUE(model.ok()) << model.error().to_string();
        s_model = new WanVaeDecoder(*model);
        // Full mode's chunks (6, 2, 2 latents), as the pipeline drives the decoder.
        const auto& latents = s_stages->at("latents");
        WanVaeStreamDecoder decoder(*s_model, latents.size(3), latents.size(4));
        std::vector<torch::Tensor> parts;
        for (auto [start, count] : {std::pair{0, 6}, std::pair{6, 2}, std::pair{8, 2}}) {
            parts.push_back(decoder.decode(latents.narrow(2, start, count)));
            s_chunk_frames.push_back(parts.back().size(2));
        }
        s_latents_decoded = decoder.latents_decoded();
        s_decoded = new torch::Tensor(torch::cat(parts, 2));
    }
    static void TearDownTestSuite() {
        delete s_decoded;
        delete s_model;
        delete s_stages;
    }
    static const torch::Tensor& latents() { return s_stages->at("latents"); }

    static StateDict* s_stages;
    static WanVaeDecoder* s_model;
    static torch::Tensor* s_decoded;
    static std::vector<std::int64_t> s_chunk_frames;
    static std::int64_t s_latents_decoded;
};
StateDict* WanVaeGolden::s_stages = nullptr;
WanVaeDecoder* WanVaeGolden::s_model = nullptr;
torch::Tensor* WanVaeGolden::s_decoded = nullptr;
std::vector<std::int64_t> WanVaeGolden::s_chunk_frames;
std::int64_t WanVaeGolden::s_latents_decoded = 0;

TEST_F(WanVaeGolden, ConfigComesFromTheWeightShapes) {
    const auto& config = (*s_model)->config();
    EXPECT_EQ(config.dim, 8);
    EXPECT_EQ(config.z_dim, 16);
    EXPECT_EQ(config.dim_mult, (std::vector<std::int64_t>{1, 2, 4, 4}));
    EXPECT_EQ(config.num_res_blocks, 2);
    EXPECT_EQ(config.temporal_upsample, (std::vector<bool>{true, true, false}));
    // conv2 + decoder of spec §1.5: 108 tensors.
    EXPECT_EQ((*s_model)->named_parameters().size(), 108u);
}

TEST_F(WanVaeGolden, DecodedMatchesUpstream) {
    ASSERT_EQ(s_decoded->sizes(), (std::vector<std::int64_t>{1, 3, 37, 256, 384}));
    fvsr_test::expect_matches_stage(*s_stages, "decoded", *s_decoded);
}

// The caches carry the state across calls: 1 + 4(T − 1) frames overall (21, 8, 8 for the chunks
// above), and any split gives bit-identical frames (here: 4 latents in one call against the
// chunked decode's first 13 frames).
TEST_F(WanVaeGolden, ChunkedDecodeEqualsAllAtOnce) {
    EXPECT_EQ(s_chunk_frames, (std::vector<std::int64_t>{21, 8, 8}));
    EXPECT_EQ(s_latents_decoded, 10);
    WanVaeStreamDecoder decoder(*s_model, latents().size(3), latents().size(4));
    const auto once = decoder.decode(latents().narrow(2, 0, 4));
    ASSERT_EQ(once.size(2), 13);
    EXPECT_EQ(max_abs_diff(once, s_decoded->narrow(2, 0, 13)), 0.0);

    decoder.reset();
    EXPECT_TRUE(
        torch::equal(decoder.decode(latents().narrow(2, 0, 1)), s_decoded->narrow(2, 0, 1)));
}

// The channels-last layout CUDA runs in (NDHWC activations and weights, causal inputs built in
// that layout, NHWC upsampling) decodes the same frames; checked on the CPU, where both layouts
// run the same float32 arithmetic.
TEST_F(WanVaeGolden, ChannelsLastLayoutDecodesTheSameFrames) {
    auto dict = load_state_dict(fvsr_test::golden_dir() / "models/v1.1/Wan2.1_VAE.pth");
    ASSERT_TRUE(dict.ok());
    auto model = make_wan_vae_decoder(*dict);
    ASSERT_TRUE(model.ok()) << model.error().to_string();
    (*model)->set_channels_last(true);
    EXPECT_TRUE((*model)->decoder->conv1->weight.is_contiguous(at::MemoryFormat::ChannelsLast3d));
    WanVaeStreamDecoder decoder(*model, latents().size(3), latents().size(4));
    std::vector<torch::Tensor> parts;
    for (auto [start, count] : {std::pair{0, 6}, std::pair{6, 2}}) {
        parts.push_back(decoder.decode(latents().narrow(2, start, count)));
    }
    const auto frames = torch::cat(parts, 2);
    ASSERT_EQ(frames.size(2), 29);
    EXPECT_LT(max_abs_diff(frames, s_decoded->narrow(2, 0, 29)), 1e-5);
}

TEST_F(WanVaeGolden, OneTileCoveringTheFrameEqualsUntiled) {
    WanVaeStreamOptions options;
    options.tiling = VaeTiling{};  // 60x104 > 32x48: one tile, all sides on the border
    WanVaeStreamDecoder decoder(*s_model, latents().size(3), latents().size(4), options);
    ASSERT_EQ(decoder.tiles().size(), 1u);
    auto first = decoder.decode(latents().narrow(2, 0, 1));
    auto second = decoder.decode(latents().narrow(2, 1, 1));
    EXPECT_EQ(max_abs_diff(torch::cat({first, second}, 2), s_decoded->narrow(2, 0, 5)), 0.0);
}

// Tiles with their own caches, blended per chunk, equal the tiled decode of all latents at once
// (upstream decodes each tile over the whole clip, then blends).
TEST_F(WanVaeGolden, TiledChunkedEqualsTiledAllAtOnce) {
    WanVaeStreamOptions options;
    options.tiling = VaeTiling{24, 32, 12, 16};
    WanVaeStreamDecoder whole(*s_model, latents().size(3), latents().size(4), options);
    ASSERT_EQ(whole.tiles().size(), 4u);  // rows {0, 12} x columns {0, 16}, clipped at the edge
    EXPECT_EQ(whole.tiles()[3].h1, 32);
    EXPECT_EQ(whole.tiles()[3].w1, 48);
    const auto some = latents().narrow(2, 0, 2);
    const auto reference = whole.decode(some);
    ASSERT_EQ(reference.size(2), 5);

    options.cache_device = torch::Device(torch::kCPU);
    WanVaeStreamDecoder chunked(*s_model, latents().size(3), latents().size(4), options);
    auto a = chunked.decode(some.narrow(2, 0, 1));
    auto b = chunked.decode(some.narrow(2, 1, 1));
    EXPECT_EQ(max_abs_diff(torch::cat({a, b}, 2), reference), 0.0);

    // Tiling is an approximation (each tile pads at its own edges) but stays near the untiled
    // decode; a wrong blend or misplaced tile would be far off.
    const auto untiled = s_decoded->narrow(2, 0, 5);
    const auto rel = (reference - untiled).norm().item<double>() / untiled.norm().item<double>();
    std::cout << "[tiled] rel L2 vs untiled " << rel << "\n";
    EXPECT_LT(rel, 0.2);
    EXPECT_LE(reference.abs().max().item<double>(), 1.0);
}

TEST(VaeTilingTest, PlanMatchesUpstreamExample) {
    // Spec §2.6: 96x176 latents -> h0 in {0, 30, 60}, w0 in {0, 52, 104} -> 9 tiles.
    const auto tiles = plan_vae_tiles(96, 176, VaeTiling{});
    ASSERT_EQ(tiles.size(), 9u);
    const std::int64_t rows[] = {0, 30, 60}, cols[] = {0, 52, 104};
    for (std::size_t i = 0; i < tiles.size(); ++i) {
        EXPECT_EQ(tiles[i].h0, rows[i / 3]);
        EXPECT_EQ(tiles[i].w0, cols[i % 3]);
        EXPECT_EQ(tiles[i].h1, std::min<std::int64_t>(rows[i / 3] + 60, 96));
        EXPECT_EQ(tiles[i].w1, std::min<std::int64_t>(cols[i % 3] + 104, 176));
    }
}

TEST(VaeTilingTest, MaskRampsOnlyOnInnerSides) {
    const VaeTiling tiling{16, 24, 8, 12};  // ramps of 64 rows and 96 columns
    // Top-left tile of a 32x48 grid: ramps at the bottom and at the right only.
    auto mask = vae_tile_mask(VaeTile{0, 16, 0, 24}, 32, 48, tiling);
    ASSERT_EQ(mask.sizes(), (std::vector<std::int64_t>{128, 192}));
    EXPECT_FLOAT_EQ(mask[0][0].item<float>(), 1.0F);
    EXPECT_FLOAT_EQ(mask[63][95].item<float>(), 1.0F);
    EXPECT_FLOAT_EQ(mask[127][0].item<float>(), 1.0F / 64);
    EXPECT_FLOAT_EQ(mask[64][0].item<float>(), 1.0F);
    EXPECT_FLOAT_EQ(mask[0][191].item<float>(), 1.0F / 96);
    EXPECT_FLOAT_EQ(mask[127][191].item<float>(), 1.0F / 96);  // min of both ramps
    EXPECT_FLOAT_EQ(mask[100][150].item<float>(), std::min(28.0F / 64, 42.0F / 96));
    // Middle tile: ramps on all four sides.
    auto middle = vae_tile_mask(VaeTile{8, 24, 12, 36}, 32, 48, tiling);
    EXPECT_FLOAT_EQ(middle[0][100].item<float>(), 1.0F / 64);
    EXPECT_FLOAT_EQ(middle[64][95].item<float>(), 1.0F);
    EXPECT_FLOAT_EQ(middle[64][100].item<float>(), 92.0F / 96);
    EXPECT_FLOAT_EQ(middle[64][0].item<float>(), 1.0F / 96);
    // Blend weights are positive everywhere, so every pixel is covered.
    auto weight = torch::zeros({256, 384});
    for (const auto& tile : plan_vae_tiles(32, 48, tiling)) {
        weight.narrow(0, tile.h0 * 8, (tile.h1 - tile.h0) * 8)
            .narrow(1, tile.w0 * 8, (tile.w1 - tile.w0) * 8)
            .add_(vae_tile_mask(tile, 32, 48, tiling));
    }
    EXPECT_GT(weight.min().item<float>(), 0.0F);
}

TEST(WanVaeConfigTest, MissingAndInconsistentWeightsAreReported) {
    const auto weights = load_golden("models/v1.1/Wan2.1_VAE.pth");
    ASSERT_EQ(weights.size(), 194u);
    StateDict missing;
    StateDict wrong;
    for (const auto& [name, tensor] : weights.items()) {
        if (name != "decoder.head.2.weight") {
            missing.insert(name, tensor);
        }
        wrong.insert(name,
                     name == "decoder.conv1.weight" ? torch::zeros({16, 16, 3, 3, 3}) : tensor);
    }
    auto a = WanVaeConfig::detect_from_weights(missing);
    ASSERT_FALSE(a.ok());
    EXPECT_EQ(a.error().code, ErrorCode::ModelKeysMismatch);
    auto b = WanVaeConfig::detect_from_weights(wrong);
    ASSERT_FALSE(b.ok());
    EXPECT_EQ(b.error().code, ErrorCode::ModelShapeMismatch);
    EXPECT_EQ(b.error().get("key"), "decoder.conv1.weight");
}

TEST(WanVaeConfigTest, EncoderKeysAreIgnoredButDecoderKeysAreRequired) {
    const auto weights = load_golden("models/v1.1/Wan2.1_VAE.pth");
    StateDict dict;
    for (const auto& [name, tensor] : weights.items()) {
        if (name != "decoder.upsamples.4.shortcut.bias") {
            dict.insert(name, tensor);
        }
    }
    auto model = make_wan_vae_decoder(dict, {}, "Wan2.1_VAE.pth");
    ASSERT_FALSE(model.ok());
    EXPECT_EQ(model.error().code, ErrorCode::ModelKeysMismatch);
}

}  // namespace
}  // namespace engine::model::vae
