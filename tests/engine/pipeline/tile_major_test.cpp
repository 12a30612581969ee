// The tile-major order's pieces (engine/pipeline/src/tile_major.h) on their own: the frame
// assembler sums and converts exactly as the frame-major canvas does (torch ops, bit for bit,
// clamping and NaN included; integer frames as from_float() rounds the float ones), and the scratch
// files read back what was written, in parallel, with errors that name the file. The whole
// tile-major run is in tiled_upscaler_test.cpp.

#include "../../../engine/pipeline/src/tile_major.h"

#include "engine/core/error.h"
#include "engine/core/paths.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <limits>
#include <vector>

namespace {

using namespace engine::pipeline;
namespace fs = std::filesystem;

TilePlan overlapping_plan() {
    TileSettings settings;
    settings.enabled = true;
    settings.size = 32;
    settings.overlap = 8;
    settings.shift = true;
    auto plan = plan_tiles(72, 40, 4, settings);
    EXPECT_TRUE(plan.ok());
    return plan.ok() ? *plan : TilePlan{};
}

// The frame-major canvas: zeros, each tile's block added in plan order, then
// ((c + 1) * 0.5).clamp(0, 1).
torch::Tensor canvas_reference(const TilePlan& plan, const std::vector<torch::Tensor>& blocks) {
    auto canvas = torch::zeros({plan.output_height(), plan.output_width(), 3}, torch::kFloat);
    for (std::size_t i = 0; i < plan.tiles.size(); ++i) {
        const auto& tile = plan.tiles[i];
        canvas.narrow(0, tile.y0 * plan.scale, blocks[i].size(0))
            .narrow(1, tile.x0 * plan.scale, blocks[i].size(1))
            .add_(blocks[i]);
    }
    return ((canvas + 1) * 0.5).clamp(0, 1).contiguous();
}

std::vector<torch::Tensor> random_blocks(const TilePlan& plan) {
    std::vector<torch::Tensor> blocks;
    for (const auto& tile : plan.tiles) {
        // Spread wide enough that sums leave [-1, 1] on both sides.
        blocks.push_back(torch::randn({tile.height() * plan.scale, tile.width() * plan.scale, 3}) *
                         0.9);
    }
    return blocks;
}

TEST(TileFrameAssembler, SumsAndConvertsLikeTheFrameMajorCanvasBitForBit) {
    const auto plan = overlapping_plan();
    ASSERT_GE(plan.tiles.size(), 6u);
    ASSERT_EQ(plan.passes, 2);
    torch::manual_seed(5);
    auto blocks = random_blocks(plan);
    const float nan = std::numeric_limits<float>::quiet_NaN();
    blocks[1].index_put_({3, 5, 1}, nan);
    const auto expected = canvas_reference(plan, blocks);
    std::vector<const float*> pointers;
    for (const auto& block : blocks) {
        pointers.push_back(block.data_ptr<float>());
    }
    const engine::pipeline::detail::TileFrameAssembler assembler(plan, plan.output_height(),
                                                                 plan.output_width());
    // Garbage in the output first: every value must be written.
    auto got = torch::full({plan.output_height(), plan.output_width(), 3}, 7.0F);
    assembler.assemble(pointers, got.data_ptr<float>());
    const auto both_nan = expected.isnan() & got.isnan();
    EXPECT_GT(both_nan.sum().item<std::int64_t>(), 0);
    EXPECT_TRUE(torch::equal(expected.isnan(), got.isnan()));
    EXPECT_TRUE(torch::equal(expected.masked_fill(both_nan, 0), got.masked_fill(both_nan, 0)));
    const auto finite = got.masked_fill(both_nan, 0.5);
    EXPECT_EQ(finite.min().item<float>(), 0.0F);  // clamped on both sides
    EXPECT_EQ(finite.max().item<float>(), 1.0F);

    // Integer frames: what from_float() makes of the float frame, NaN included.
    engine::Frame as_float;
    as_float.allocate(static_cast<int>(plan.output_width()), static_cast<int>(plan.output_height()),
                      engine::SampleType::F32);
    std::memcpy(as_float.data.data(), got.data_ptr<float>(), as_float.data.size());
    for (const auto type : {engine::SampleType::U8, engine::SampleType::U16}) {
        engine::Frame frame;
        frame.allocate(as_float.width, as_float.height, type);
        std::fill(frame.data.begin(), frame.data.end(), std::uint8_t{7});
        assembler.assemble(pointers, frame.data.data(), type);
        EXPECT_EQ(frame.data, engine::from_float(as_float, type, 16).data);
    }
}

TEST(TileFrameAssembler, PixelsNoTileCoversAreHalfGrey) {
    auto plan = overlapping_plan();
    // Only the first tile, in a frame 8 output pixels larger each way.
    plan.tiles.resize(1);
    const auto& tile = plan.tiles[0];
    const auto rows = tile.height() * plan.scale;
    const auto cols = tile.width() * plan.scale;
    const auto block = torch::full({rows, cols, 3}, -1.0F);
    const engine::pipeline::detail::TileFrameAssembler assembler(plan, rows + 8, cols + 8);
    auto got = torch::empty({rows + 8, cols + 8, 3});
    assembler.assemble({block.data_ptr<float>()}, got.data_ptr<float>());
    EXPECT_EQ(got.narrow(0, 0, rows).narrow(1, 0, cols).max().item<float>(), 0.0F);
    EXPECT_EQ(got.narrow(0, rows, 8).min().item<float>(), 0.5F);
    EXPECT_EQ(got.narrow(1, cols, 8).max().item<float>(), 0.5F);
}

class ScratchParent {
  public:
    ScratchParent() {
        auto pattern = (fs::temp_directory_path() / "fvsr-tile-scratch-test-XXXXXX").string();
        std::vector<char> name(pattern.begin(), pattern.end());
        name.push_back('\0');
        EXPECT_NE(::mkdtemp(name.data()), nullptr);
        m_path = name.data();
    }
    ~ScratchParent() {
        std::error_code error;
        engine::remove_tree(m_path, error);
    }
    const fs::path& path() const { return m_path; }

  private:
    fs::path m_path;
};

TEST(TileScratch, ReadsBackEveryFileFrameByFrameAndRemovesItsFolder) {
    const auto plan = overlapping_plan();
    const auto files = plan.tiles.size() - 1;  // the last tile never goes to scratch
    std::int64_t per_frame = 0;
    for (std::size_t i = 0; i < files; ++i) {
        per_frame += plan.tiles[i].height() * plan.tiles[i].width() * 16 * 3 * 4;
    }
    EXPECT_EQ(engine::pipeline::detail::tile_major_scratch_bytes_per_frame(plan), per_frame);

    ScratchParent parent;
    engine::pipeline::detail::TileScratch scratch(plan, files);
    scratch.create(parent.path() / "work", per_frame * 5);
    ASSERT_TRUE(fs::is_directory(scratch.path()));
    torch::manual_seed(9);
    std::vector<torch::Tensor> written;
    for (std::size_t i = 0; i < files; ++i) {
        const auto& tile = plan.tiles[i];
        const auto frames = torch::randn({5, tile.height() * 4, tile.width() * 4, 3});
        scratch.open_for_writing(i);
        scratch.append(i, frames.narrow(0, 0, 2).contiguous());  // as chunks arrive
        scratch.append(i, frames.narrow(0, 2, 3).contiguous());
        scratch.close_after_writing(i);
        written.push_back(frames);
    }
    for (const std::int64_t frame : {3, 0, 4}) {
        const auto& blocks = scratch.read_frame(frame);
        ASSERT_EQ(blocks.size(), files);
        for (std::size_t i = 0; i < files; ++i) {
            const auto expected = written[i][frame];
            const auto got = torch::from_blob(const_cast<float*>(blocks[i]), expected.sizes());
            EXPECT_TRUE(torch::equal(expected, got)) << "file " << i << ", frame " << frame;
        }
    }
    // Past the end: FileTruncated naming a file.
    try {
        scratch.read_frame(5);
        ADD_FAILURE() << "read past the end";
    } catch (const engine::EngineException& e) {
        EXPECT_EQ(e.error().code, engine::ErrorCode::FileTruncated);
        EXPECT_NE(e.error().get("path").find(scratch.path().string()), std::string::npos);
    }
    scratch.remove();
    EXPECT_TRUE(fs::is_empty(parent.path() / "work"));
}

TEST(TileScratch, AFileGoneBeforeReadingIsFileUnreadableWithPathAndErrno) {
    const auto plan = overlapping_plan();
    ScratchParent parent;
    engine::pipeline::detail::TileScratch scratch(plan, 2);
    scratch.create(parent.path(), 0);
    for (std::size_t i = 0; i < 2; ++i) {
        const auto& tile = plan.tiles[i];
        scratch.open_for_writing(i);
        scratch.append(i, torch::zeros({1, tile.height() * 4, tile.width() * 4, 3}));
        scratch.close_after_writing(i);
    }
    // The second file disappears (someone cleaned the folder) before the frames are read back.
    std::vector<fs::path> files;
    for (const auto& entry : fs::directory_iterator(scratch.path())) {
        files.push_back(entry.path());
    }
    ASSERT_EQ(files.size(), 2u);
    std::sort(files.begin(), files.end());
    fs::remove(files[1]);
    try {
        scratch.read_frame(0);
        ADD_FAILURE() << "read a removed file";
    } catch (const engine::EngineException& e) {
        EXPECT_EQ(e.error().code, engine::ErrorCode::FileUnreadable);
        EXPECT_EQ(e.error().get("path"), engine::path_string(files[1]));
        EXPECT_EQ(e.error().get("errno"), std::to_string(ENOENT));
        EXPECT_NE(e.error().detail.find("cannot open a tile scratch file"), std::string::npos);
    }
}

}  // namespace
