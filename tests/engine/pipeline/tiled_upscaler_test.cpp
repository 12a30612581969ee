// The tiled Upscaler on the golden tiny model (random weights) with the golden LR frames cropped to
// 64x32 (-> 256x128, small enough for the CPU): a tile as large as the frame gives the untiled
// frames bit for bit; real tiles give the right count, size, order
// and finite values, and parking tile states (batch 1) changes nothing. Also the FlashVsrStream
// pieces tiling relies on: a checkpoint restores the state exactly, state moves keep values.

#include "engine/model/checkpoint/state_dict.h"
#include "engine/pipeline/flashvsr_stream.h"
#include "engine/pipeline/upscaler.h"

#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>

namespace {

using namespace engine::pipeline;
namespace fs = std::filesystem;
const fs::path kGolden = fs::path(FVSR_SHARED_DIR) / "golden";
constexpr int kWidth = 64;  // a crop of the golden 96x64 frames
constexpr int kHeight = 32;

UpscalerConfig base_config() {
    UpscalerConfig config;
    config.model_dir = kGolden / "models/v1.1";
    config.device = "cpu";
    return config;
}

// Runs `frames` golden LR frames through an upscaler made from `config`; returns the output
// frames stacked [T, H, W, 3] float32.
torch::Tensor run(const UpscalerConfig& config, int frames, int* chunks = nullptr) {
    auto inputs = engine::model::load_state_dict(kGolden / "tiny_v11/inputs.safetensors");
    EXPECT_TRUE(inputs.ok());
    UpscalerEvents events;
    int count = 0;
    events.on_chunk = [&](std::int64_t, const std::string&) { ++count; };
    auto upscaler = Upscaler::create(config, kWidth, kHeight, events);
    EXPECT_TRUE(upscaler.ok()) << upscaler.error().to_string();
    if (!upscaler.ok()) {
        return {};
    }
    EXPECT_EQ((*upscaler)->output_width(), kWidth * 4);
    EXPECT_EQ((*upscaler)->output_height(), kHeight * 4);
    const auto& lr = inputs->at("lr_frames_u8");
    std::vector<engine::Frame> out;
    for (int i = 0; i < frames; ++i) {
        engine::Frame frame;
        frame.allocate(kWidth, kHeight, engine::SampleType::U8);
        const auto crop = lr[i].narrow(0, 0, kHeight).narrow(1, 0, kWidth).contiguous();
        std::memcpy(frame.data.data(), crop.data_ptr<std::uint8_t>(), frame.data.size());
        frame.index = i;
        frame.pts = 10 * i;
        auto ok = (*upscaler)->push(frame, out);
        EXPECT_TRUE(ok.ok()) << ok.error().to_string();
        if (i == 24) {
            EXPECT_EQ(out.size(), 21u);  // same frame timing as the untiled upscaler
        }
    }
    auto ok = (*upscaler)->finish(out);
    EXPECT_TRUE(ok.ok()) << ok.error().to_string();
    EXPECT_EQ(out.size(), static_cast<std::size_t>(frames));
    std::vector<torch::Tensor> stacked;
    for (std::size_t i = 0; i < out.size(); ++i) {
        EXPECT_EQ(out[i].index, static_cast<std::int64_t>(i));
        EXPECT_EQ(out[i].pts, 10 * static_cast<std::int64_t>(i));
        EXPECT_EQ(out[i].width, kWidth * 4);
        EXPECT_EQ(out[i].height, kHeight * 4);
        stacked.push_back(
            torch::from_blob(out[i].data.data(), {kHeight * 4, kWidth * 4, 3}, torch::kFloat)
                .clone());
    }
    if (chunks != nullptr) {
        *chunks = count;
    }
    return torch::stack(stacked);
}

TEST(TiledUpscaler, TileAsLargeAsTheFrameEqualsUntiledBitForBit) {
    auto config = base_config();
    config.seed = 5;
    const auto untiled = run(config, 29);
    config.tiling.enabled = true;
    config.tiling.size = 256;
    config.tiling.shift = true;
    config.unload_dit = true;  // a no-op on the CPU
    const auto tiled = run(config, 29);
    ASSERT_TRUE(untiled.defined() && tiled.defined());
    EXPECT_TRUE(torch::equal(untiled, tiled));
}

TEST(TiledUpscaler, RealTilesGiveEveryFrameAtFullSize) {
    auto config = base_config();
    config.seed = 7;
    config.tiling.enabled = true;
    config.tiling.size = 32;  // 3 columns, 1 row; the shifted grid adds 2 more tiles
    config.tiling.overlap = 8;
    config.tiling.shift = true;
    int chunks = 0;
    const auto tiled = run(config, 29, &chunks);
    ASSERT_TRUE(tiled.defined());
    EXPECT_EQ(chunks, 2);
    EXPECT_TRUE(torch::isfinite(tiled).all().item<bool>());
    EXPECT_GE(tiled.min().item<float>(), 0.0F);
    EXPECT_LE(tiled.max().item<float>(), 1.0F);
    // Not a constant or black frame anywhere, borders included.
    EXPECT_GT(tiled.select(2, 0).std().item<float>(), 0.0F);
    EXPECT_GT(tiled.select(2, kWidth * 4 - 1).std().item<float>(), 0.0F);

    // One tile resident at a time (states parked between tiles): the same frames.
    config.tiling.batch_size = 1;
    const auto parked = run(config, 29);
    ASSERT_TRUE(parked.defined());
    EXPECT_TRUE(torch::equal(tiled, parked));
}

TEST(TiledUpscaler, BadTileSettingsAreInvalidArgument) {
    auto config = base_config();
    config.tiling.enabled = true;
    config.tiling.size = 64;
    config.tiling.overlap = 64;
    auto upscaler = Upscaler::create(config, kWidth, kHeight);
    ASSERT_FALSE(upscaler.ok());
    EXPECT_EQ(upscaler.error().code, engine::ErrorCode::InvalidArgument);
    config.tiling.overlap = 8;
    config.tiling.batch_size = -1;
    upscaler = Upscaler::create(config, kWidth, kHeight);
    ASSERT_FALSE(upscaler.ok());
    EXPECT_EQ(upscaler.error().code, engine::ErrorCode::InvalidArgument);
}

TEST(FlashVsrStreamState, CheckpointRestoresExactlyAndStagesEqualRunChunk) {
    const auto files = ModelFiles::in_folder(kGolden / "models/v1.1", Mode::Tiny);
    auto models = load_models(files, torch::kCPU, torch::kFloat);
    ASSERT_TRUE(models.ok()) << models.error().to_string();
    StreamSettings settings;
    auto stream = FlashVsrStream::create(models.value(), settings, 128, 128);
    ASSERT_TRUE(stream.ok()) << stream.error().to_string();
    auto sibling = (*stream)->create_sibling(128, 128);
    ASSERT_TRUE(sibling.ok()) << sibling.error().to_string();
    EXPECT_EQ((*stream)->state_bytes(), 0);

    torch::manual_seed(11);
    const auto inputs_for = [](std::int64_t chunk) {
        const auto span = chunk_span(chunk);
        auto lq = torch::rand({1, 3, span.lq_end - span.lq_begin, 128, 128}) * 2 - 1;
        auto cond = lq.narrow(2, 0, span.output_end - span.output_begin).clone();
        auto noise = torch::randn({1, 16, span.latent_end - span.latent_begin, 16, 16});
        return std::make_tuple(lq, cond, noise);
    };
    auto [lq0, cond0, noise0] = inputs_for(0);
    auto [lq1, cond1, noise1] = inputs_for(1);
    auto [lq2, cond2, noise2] = inputs_for(2);

    // run_chunk on one stream, run_dit + run_decoder on its sibling: identical.
    auto a0 = (*stream)->run_chunk(lq0, cond0, noise0);
    auto b0 = (*sibling)->run_decoder((*sibling)->run_dit(lq0, noise0), cond0);
    EXPECT_TRUE(torch::equal(a0, b0));
    EXPECT_GT((*stream)->state_bytes(), 0);

    const auto saved = (*stream)->checkpoint();
    auto first = (*stream)->run_chunk(lq1, cond1, noise1);
    auto first_next = (*stream)->run_chunk(lq2, cond2, noise2);
    (*stream)->restore(saved);
    EXPECT_EQ((*stream)->next_chunk(), 1);
    (*stream)->move_state_to(torch::kCPU);
    auto second = (*stream)->run_chunk(lq1, cond1, noise1);
    auto second_next = (*stream)->run_chunk(lq2, cond2, noise2);
    EXPECT_TRUE(torch::equal(first, second));
    EXPECT_TRUE(torch::equal(first_next, second_next));

    // A stage out of order is refused.
    EXPECT_THROW((*stream)->run_decoder(noise2, cond2), c10::Error);
}

}  // namespace
