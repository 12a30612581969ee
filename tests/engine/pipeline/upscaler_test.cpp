// The streaming Upscaler end to end on the golden model folder: 37 LR frames pushed one by one
// with the golden noise injected must give the golden output (tiny mode, v1.1), frame count and
// order preserved. Also the error paths of create().

#include "engine/pipeline/upscaler.h"

#include "engine/model/checkpoint/state_dict.h"

#include <gtest/gtest.h>

#include <filesystem>

namespace {

using namespace engine::pipeline;
namespace fs = std::filesystem;
const fs::path kGolden = fs::path(FVSR_SHARED_DIR) / "golden";

UpscalerConfig golden_config() {
    UpscalerConfig config;
    config.model_dir = kGolden / "models/v1.1";
    config.device = "cpu";
    config.noise_file = kGolden / "tiny_v11/inputs.safetensors";
    return config;
}

TEST(Upscaler, StreamsTheGoldenClip) {
    auto inputs = engine::model::load_state_dict(kGolden / "tiny_v11/inputs.safetensors");
    auto stages = engine::model::load_state_dict(kGolden / "tiny_v11/stages.safetensors");
    ASSERT_TRUE(inputs.ok() && stages.ok());
    int chunks = 0;
    UpscalerEvents events;
    events.on_chunk = [&](std::int64_t, const std::string&) { ++chunks; };
    auto upscaler = Upscaler::create(golden_config(), 96, 64, events);
    ASSERT_TRUE(upscaler.ok()) << upscaler.error().to_string();
    EXPECT_EQ((*upscaler)->output_width(), 384);
    EXPECT_EQ((*upscaler)->output_height(), 256);
    EXPECT_EQ((*upscaler)->device_description(), "cpu fp32");

    const auto& lr = inputs->at("lr_frames_u8");
    std::vector<engine::Frame> out;
    for (int i = 0; i < 37; ++i) {
        engine::Frame frame;
        frame.allocate(96, 64, engine::SampleType::U8);
        std::memcpy(frame.data.data(), lr[i].contiguous().data_ptr<std::uint8_t>(),
                    frame.data.size());
        frame.index = i;
        frame.pts = 1000 + 2 * i;
        auto ok = (*upscaler)->push(frame, out);
        ASSERT_TRUE(ok.ok()) << ok.error().to_string();
        if (i == 24) {
            EXPECT_EQ(out.size(), 21u);  // chunk 0 runs once 25 frames are in
        }
    }
    auto ok = (*upscaler)->finish(out);
    ASSERT_TRUE(ok.ok()) << ok.error().to_string();
    ASSERT_EQ(out.size(), 37u);  // an untiled run appends everything in its first finish()
    ok = (*upscaler)->finish(out);
    ASSERT_TRUE(ok.ok()) << ok.error().to_string();
    ASSERT_EQ(out.size(), 37u);  // and nothing after
    EXPECT_EQ(chunks, 3);
    std::vector<torch::Tensor> frames;
    for (std::size_t i = 0; i < out.size(); ++i) {
        EXPECT_EQ(out[i].index, static_cast<std::int64_t>(i));
        EXPECT_EQ(out[i].pts, 1000 + 2 * static_cast<std::int64_t>(i));
        EXPECT_EQ(out[i].type, engine::SampleType::F32);
        frames.push_back(
            torch::from_blob(out[i].data.data(), {256, 384, 3}, torch::kFloat).clone());
    }
    // [T, H, W, 3] in [0, 1] -> [1, 3, T, H/8, W/8] means in [-1, 1]
    auto video = torch::stack(frames).permute({3, 0, 1, 2}).unsqueeze(0).to(torch::kDouble) * 2 - 1;
    auto pooled = video.view({1, 3, 37, 32, 8, 48, 8}).mean({4, 6});
    const auto& ref = stages->at("output.pool8").to(torch::kDouble);
    // The output is clamped to [0, 1] like the golden output is to [-1, 1]; 5e-4 as the golden
    // tool's output limit (README §8).
    EXPECT_LT((pooled - ref).abs().max().item<double>(), 5e-4);
}

TEST(Upscaler, CreateErrors) {
    auto config = golden_config();
    config.precision = Precision::FP16;
    auto fp16 = Upscaler::create(config, 96, 64);
    ASSERT_FALSE(fp16.ok());
    EXPECT_EQ(fp16.error().code, engine::ErrorCode::PrecisionUnsupported);

    config = golden_config();
    config.model_dir = "/nonexistent/model";
    auto missing = Upscaler::create(config, 96, 64);
    ASSERT_FALSE(missing.ok());
    EXPECT_EQ(missing.error().code, engine::ErrorCode::ModelFileMissing);
    EXPECT_FALSE(missing.error().get("path").empty());

    config = golden_config();
    config.device = "cuda:7";
    auto no_gpu = Upscaler::create(config, 96, 64);
    ASSERT_FALSE(no_gpu.ok());
    EXPECT_EQ(no_gpu.error().code, engine::ErrorCode::DeviceUnavailable);
}

TEST(Upscaler, FinishWithoutFramesIsZeroFrames) {
    auto upscaler = Upscaler::create(golden_config(), 96, 64);
    ASSERT_TRUE(upscaler.ok()) << upscaler.error().to_string();
    std::vector<engine::Frame> out;
    auto ok = (*upscaler)->finish(out);
    ASSERT_FALSE(ok.ok());
    EXPECT_EQ(ok.error().code, engine::ErrorCode::ZeroFrames);
}

}  // namespace
