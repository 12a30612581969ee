// What `flashvsr plan` prints: the tile order (and whether auto chose it), the scratch disk of a
// tile-major run and its segment cap, for plans made by the real planner.

#include "plan_text.h"

#include "engine/gpu/device_info.h"

#include <gtest/gtest.h>

namespace cli {
namespace {

namespace jobs = engine::jobs;
constexpr std::uint64_t kGiB = 1ull << 30;

jobs::DeviceResources gpu() {
    jobs::DeviceResources d;
    d.device = "cuda:0";
    d.name = "Test GPU";
    d.is_cuda = true;
    d.gpu_index = 0;
    d.memory_total_bytes = 80 * kGiB;
    d.memory_free_bytes = 80 * kGiB;
    d.host_total_bytes = 64 * kGiB;
    d.host_available_bytes = 60 * kGiB;
    return d;
}

jobs::JobSpec spec() {
    jobs::JobSpec s;
    s.input = "in.mp4";
    s.output = "out.mkv";
    s.model.model_dir = "/nonexistent/models";  // published file sizes
    return s;
}

jobs::InputProbe input(int w, int h, std::int64_t frames) {
    jobs::InputProbe p;
    p.width = w;
    p.height = h;
    p.frames = frames;
    p.fps = {25, 1};
    return p;
}

TEST(PlanTextTest, TileMajorPlanShowsOrderScratchAndSegments) {
    jobs::JobSpec s = spec();
    s.model.tile_size = 0;
    s.model.memory_budget = static_cast<std::int64_t>(10 * kGiB);
    jobs::PlannerOptions options;
    options.work_folder_free_bytes = 2000 * kGiB;
    auto plan = jobs::plan_job(s, input(960, 540, 20000), gpu(), options);
    ASSERT_TRUE(plan.ok()) << plan.error().to_string();
    ASSERT_EQ(plan->tiles.order, jobs::ModelTileOrder::TileMajor);
    const std::string text = plan_text(s, *plan, 1);
    EXPECT_NE(text.find("tile order   tile by tile (one tile state on the GPU"), std::string::npos)
        << text;
    EXPECT_NE(text.find("(chosen by auto)"), std::string::npos) << text;
    EXPECT_NE(text.find("temp disk    "), std::string::npos) << text;
    EXPECT_NE(
        text.find("(scratch " + engine::gpu::format_bytes(plan->prediction.scratch_disk_bytes) +
                  " of " + engine::gpu::format_bytes(2000 * kGiB) + " free"),
        std::string::npos)
        << text;
    EXPECT_NE(text.find("segments     at most " + std::to_string(plan->max_segment_frames) +
                        " frames each"),
              std::string::npos)
        << text;
    EXPECT_NE(text.find("source frames of a segment"), std::string::npos) << text;
    EXPECT_EQ(text.rfind(plan->summary() + "\n", 0), 0u);
}

TEST(PlanTextTest, FrameMajorAndUntiledPlans) {
    jobs::JobSpec s = spec();
    s.model.tiled_dit = true;
    s.model.tile_size = 256;
    s.model.tile_order = jobs::ModelTileOrder::FrameMajor;
    auto plan = jobs::plan_job(s, input(480, 270, 100), gpu());
    ASSERT_TRUE(plan.ok());
    std::string text = plan_text(s, *plan, 2);
    EXPECT_NE(text.find("tile order   frame by frame\n"), std::string::npos) << text;
    EXPECT_EQ(text.find("scratch"), std::string::npos) << text;
    EXPECT_EQ(text.find("segments     "), std::string::npos) << text;
    EXPECT_NE(text.find("one of 2 workers"), std::string::npos) << text;

    s.model.tiled_dit = false;
    plan = jobs::plan_job(s, input(160, 90, 10), gpu());
    ASSERT_TRUE(plan.ok());
    text = plan_text(s, *plan, 1);
    EXPECT_NE(text.find("tile order   untiled\n"), std::string::npos) << text;

    s.upscaler = jobs::UpscalerKind::Bicubic;
    plan = jobs::plan_job(s, input(160, 90, 10), gpu());
    ASSERT_TRUE(plan.ok());
    EXPECT_EQ(plan_text(s, *plan, 1).find("tile order"), std::string::npos);
}

}  // namespace
}  // namespace cli
