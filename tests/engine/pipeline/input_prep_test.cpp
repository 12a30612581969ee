// Input preparation against the golden clip checks (golden README §4) and the 128 padding; a
// region resampled from a source crop equals the crop of the full-frame result.

#include "engine/pipeline/input_prep.h"

#include "engine/model/checkpoint/state_dict.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <utility>
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

// Scales that are not a power of two, regions at odd source offsets (inside the frame, at its far
// edge and reaching past the padding): region-then-resample equals resample-then-crop bit for bit,
// and source pixels beyond what the region's taps read (3 pixels past its source rectangle; also
// before it, except for TorchBicubic whose crop starts at the frame's origin at these scales)
// do not matter: they are overwritten with other values and the result stays the same.
TEST(InputPrep, RegionAtOddOffsetsForOtherScalesResamplesOnlyWhatItReads) {
    torch::manual_seed(11);
    constexpr std::int64_t kWidth = 61;
    constexpr std::int64_t kHeight = 45;
    const auto bytes = torch::randint(0, 256, {2, kHeight, kWidth, 3}, torch::kByte);
    const auto floats = torch::rand({2, kHeight, kWidth, 3});
    for (const auto resample : {LqResample::TorchBicubic, LqResample::PilBicubic}) {
        for (const std::int64_t scale : {3, 5, 6}) {
            const auto g = lq_geometry(kWidth, kHeight, scale);
            const std::vector<LqRegion> regions{
                {7 * scale, 13 * scale, 8 * scale, 11 * scale},  // inside, odd origin
                {1 * scale, 29 * scale, 64, 96},
                {23 * scale, 3 * scale, 128, 128},
                {41 * scale, 53 * scale, 128, 128},  // past the frame and its padding
            };
            for (const auto& clean : {bytes, floats}) {
                const auto want_all = prepare_lq_frames(clean, g, resample);
                for (const auto& r : regions) {
                    const std::string where =
                        "resample " + std::to_string(static_cast<int>(resample)) + " scale " +
                        std::to_string(scale) + " region " + std::to_string(r.y) + "," +
                        std::to_string(r.x) + " " + std::to_string(r.rows) + "x" +
                        std::to_string(r.cols);
                    const auto rows = (torch::arange(r.rows) + r.y).clamp_max(want_all.size(2) - 1);
                    const auto cols = (torch::arange(r.cols) + r.x).clamp_max(want_all.size(3) - 1);
                    const auto want = want_all.index_select(2, rows).index_select(3, cols);
                    // The source rectangle the region covers, widened by the taps' reach.
                    const auto y_end = std::min(r.y + r.rows, g.output_height);
                    const auto x_end = std::min(r.x + r.cols, g.output_width);
                    const auto read_y1 = (y_end + scale - 1) / scale + 3;
                    const auto read_x1 = (x_end + scale - 1) / scale + 3;
                    const bool reads_from_origin = resample == LqResample::TorchBicubic;
                    const auto read_y0 = reads_from_origin ? 0 : r.y / scale - 3;
                    const auto read_x0 = reads_from_origin ? 0 : r.x / scale - 3;
                    auto changed = clean.clone();
                    const auto other = clean.flip({1, 2});
                    for (const auto& [begin, end] :
                         {std::pair<std::int64_t, std::int64_t>{0, read_y0}, {read_y1, kHeight}}) {
                        if (begin < end && begin >= 0) {
                            changed.narrow(1, begin, end - begin)
                                .copy_(other.narrow(1, begin, end - begin));
                        }
                    }
                    for (const auto& [begin, end] :
                         {std::pair<std::int64_t, std::int64_t>{0, read_x0}, {read_x1, kWidth}}) {
                        if (begin < end && begin >= 0) {
                            changed.narrow(2, begin, end - begin)
                                .copy_(other.narrow(2, begin, end - begin));
                        }
                    }
                    std::vector<torch::Tensor> frames{changed[0], changed[1], changed[1]};
                    const auto got = prepare_lq_region(frames, g, resample, r, torch::kCPU);
                    const auto expected = torch::cat({want, want.narrow(0, 1, 1)});
                    ASSERT_EQ(got.sizes(), expected.sizes()) << where;
                    EXPECT_TRUE(torch::equal(got, expected))
                        << where << " max diff " << (got - expected).abs().max().item<float>();
                }
            }
        }
    }
}

TEST(InputPrep, RegionInTheRunDtypeIsTheFloatRegionRoundedOnceAndContiguous) {
    torch::manual_seed(5);
    const auto bytes = torch::randint(0, 256, {2, 37, 50, 3}, torch::kByte);
    const auto g = lq_geometry(50, 37, 4);
    const LqRegion region{8 * 4, 16 * 4, 64, 256};  // past the frame: padded by replication
    const std::vector<torch::Tensor> frames{bytes[0], bytes[1]};
    for (const auto resample : {LqResample::TorchBicubic, LqResample::PilBicubic}) {
        const auto as_float = prepare_lq_region(frames, g, resample, region, torch::kCPU);
        EXPECT_EQ(as_float.scalar_type(), torch::kFloat);
        EXPECT_TRUE(as_float.is_contiguous());
        for (const auto dtype : {torch::kBFloat16, torch::kHalf}) {
            const auto got = prepare_lq_region(frames, g, resample, region, torch::kCPU, dtype);
            EXPECT_EQ(got.scalar_type(), dtype);
            EXPECT_TRUE(got.is_contiguous());
            EXPECT_TRUE(torch::equal(got, as_float.to(dtype)));
        }
    }
}

}  // namespace
