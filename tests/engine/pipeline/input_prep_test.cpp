// Input preparation against the golden clip checks (golden README §4) and the 128 padding; a
// region resampled from a source crop equals the crop of the full-frame result.

#include "engine/pipeline/input_prep.h"

#include "engine/model/checkpoint/state_dict.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <vector>

namespace {

using namespace engine::pipeline;
namespace fs = std::filesystem;
const fs::path kGolden = fs::path(FVSR_SHARED_DIR) / "golden";

TEST(InputPrep, TorchBicubicMatchesGoldenChecks) {
    auto inputs = engine::model::load_state_dict(kGolden / "tiny_v11/inputs.safetensors");
    ASSERT_TRUE(inputs.ok()) << inputs.error().to_string();
    const auto& lr = inputs->at("lr_frames_u8");
    const auto g = lq_geometry(96, 64, 4);
    EXPECT_EQ(g.padded_width, 384);
    EXPECT_EQ(g.padded_height, 256);
    auto lq = prepare_lq_frames(lr, g);  // [F, 3, H, W]
    ASSERT_EQ(lq.sizes(), torch::IntArrayRef({41, 3, 256, 384}));
    const auto& crops = inputs->at("lq_video_check_crops");
    EXPECT_LT((lq[0].slice(1, 0, 64).slice(2, 0, 96) - crops[0]).abs().max().item<float>(), 1e-6);
    EXPECT_LT((lq[40].slice(1, 192).slice(2, 288) - crops[1]).abs().max().item<float>(), 1e-6);
    auto sums = lq.to(torch::kDouble).sum({2, 3});
    const auto& ref = inputs->at("lq_video_sums");
    EXPECT_LT(((sums - ref).norm() / ref.norm()).item<double>(), 1e-7);
    // No clamp: bicubic overshoot leaves [-1, 1] near edges.
    EXPECT_TRUE((lq.abs() > 1).any().item<bool>());
}

TEST(InputPrep, PadsRightAndBottomByReplication) {
    auto frames = torch::rand({2, 10, 13, 3});
    const auto g = lq_geometry(13, 10, 3);  // 39x30 -> 128x128
    auto lq = prepare_lq_frames(frames, g);
    ASSERT_EQ(lq.sizes(), torch::IntArrayRef({2, 3, 128, 128}));
    EXPECT_TRUE(lq.slice(3, 39).equal(lq.slice(3, 38, 39).expand({2, 3, 128, 89})));
    EXPECT_TRUE(lq.slice(2, 30).equal(lq.slice(2, 29, 30).expand({2, 3, 98, 128})));
}

TEST(InputPrep, PilBicubicIsQuantisedAndCloseToTorch) {
    // A smooth image (the kernels differ most on pixel noise, where "close" means little): fixed
    // values, so the comparison does not depend on a random draw.
    auto y = torch::arange(16, torch::kFloat).view({1, 16, 1, 1});
    auto x = torch::arange(16, torch::kFloat).view({1, 1, 16, 1});
    auto c = torch::arange(3, torch::kFloat).view({1, 1, 1, 3});
    auto frames = (127.5 + 100 * torch::sin(x / 3 + c) * torch::cos(y / 4 - c)).to(torch::kByte);
    const auto g = lq_geometry(16, 16, 4);
    auto pil = prepare_lq_frames(frames, g, LqResample::PilBicubic);
    auto torch_bicubic = prepare_lq_frames(frames, g, LqResample::TorchBicubic);
    // Values are k/255*2-1 for integers k in 0..255.
    auto levels = (pil + 1) / 2 * 255;
    EXPECT_LT((levels - levels.round()).abs().max().item<float>(), 1e-4);
    EXPECT_LE(pil.max().item<float>(), 1.0F);
    // Different kernel (a = -0.5 vs -0.75), same image.
    EXPECT_LT((pil - torch_bicubic).abs().mean().item<float>(), 0.05);
    // A constant image stays constant.
    auto flat = torch::full({1, 8, 8, 3}, 77, torch::kByte);
    auto flat_out = prepare_lq_frames(flat, lq_geometry(8, 8, 4), LqResample::PilBicubic);
    EXPECT_LT((flat_out - (77.0 / 255 * 2 - 1)).abs().max().item<float>(), 1e-6);
}

TEST(InputPrep, FrameToTensorKeepsTypes) {
    engine::Frame frame;
    frame.allocate(4, 2, engine::SampleType::U16);
    frame.samples<std::uint16_t>()[5] = 65535;
    auto t = frame_to_tensor(frame);
    EXPECT_EQ(t.scalar_type(), torch::kFloat);
    EXPECT_FLOAT_EQ(t.flatten()[5].item<float>(), 1.0F);
    frame.allocate(4, 2, engine::SampleType::U8);
    frame.data[3] = 200;
    auto u = frame_to_tensor(frame);
    EXPECT_EQ(u.scalar_type(), torch::kByte);
    EXPECT_EQ(u.flatten()[3].item<int>(), 200);
}

// Crop of prepare_lq_frames() extended past its padding by replicating the last row / column,
// which is how a tile reads the full frame in the frame-major order (tiling.cpp).
torch::Tensor full_frame_crop(const torch::Tensor& frames,
                              const LqGeometry& g,
                              LqResample resample,
                              const LqRegion& region) {
    const auto full = prepare_lq_frames(frames, g, resample);
    const auto rows = (torch::arange(region.rows) + region.y).clamp_max(full.size(2) - 1);
    const auto cols = (torch::arange(region.cols) + region.x).clamp_max(full.size(3) - 1);
    return full.index_select(2, rows).index_select(3, cols);
}

TEST(InputPrep, RegionEqualsTheCropOfTheFullFrame) {
    torch::manual_seed(3);
    // 50x37 source: odd sizes, and a 128-padding on both axes at every scale below.
    const auto bytes = torch::randint(0, 256, {2, 37, 50, 3}, torch::kByte);
    const auto floats = torch::rand({2, 37, 50, 3});
    for (const auto resample : {LqResample::TorchBicubic, LqResample::PilBicubic}) {
        for (const std::int64_t scale : {4, 2, 3}) {
            const auto g = lq_geometry(50, 37, scale);
            // Corner, middle, right/bottom border, and regions reaching past the padded frame.
            const std::vector<LqRegion> regions{
                {0, 0, 128, 128},
                {8 * scale, 16 * scale, 64, 96},
                {0, 24 * scale, 128, 256},
                {20 * scale, 40 * scale, 128, 128},
                {36 * scale, 49 * scale, 256, 128},
            };
            for (const auto& source : {bytes, floats}) {
                std::vector<torch::Tensor> frames{source[0], source[1], source[1]};
                const auto stacked = torch::stack(frames);
                for (const auto& r : regions) {
                    const auto got = prepare_lq_region(frames, g, resample, r, torch::kCPU);
                    const auto want = full_frame_crop(stacked, g, resample, r);
                    ASSERT_EQ(got.sizes(), want.sizes());
                    EXPECT_TRUE(torch::equal(got, want))
                        << "resample " << static_cast<int>(resample) << " scale " << scale
                        << " region " << r.y << "," << r.x << " " << r.rows << "x" << r.cols
                        << " max diff " << (got - want).abs().max().item<float>();
                }
            }
        }
    }
}

}  // namespace
