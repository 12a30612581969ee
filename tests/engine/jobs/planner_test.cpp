// The planner: tile grids, the OOM fallback sequence, the analytic model against our own H200
// measurements, automatic tiles under a budget, calibration with an instrumented processor,
// device queries and the JSON/summary forms.

#include "engine/jobs/planner.h"

#include "engine/core/paths.h"
#include "engine/jobs/support/media.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cstring>
#include <sys/mman.h>
#include <unistd.h>

namespace engine::jobs {
namespace {

constexpr std::uint64_t kGiB = 1ull << 30;

DeviceResources fake_gpu(std::uint64_t free_bytes) {
    DeviceResources d;
    d.device = "cuda:0";
    d.name = "Test GPU";
    d.is_cuda = true;
    d.gpu_index = 0;
    d.memory_total_bytes = 141 * kGiB;
    d.memory_free_bytes = free_bytes;
    d.host_total_bytes = 64 * kGiB;
    d.host_available_bytes = 60 * kGiB;
    return d;
}

JobSpec flashvsr_spec() {
    JobSpec s;
    s.input = "in.mp4";
    s.output = "out.mkv";
    s.scale = 4;
    s.model.model_dir = "/nonexistent/models";  // published file sizes are used
    return s;
}

InputProbe input(int w, int h, std::int64_t frames = 100) {
    InputProbe p;
    p.width = w;
    p.height = h;
    p.frames = frames;
    p.fps = {25, 1};
    return p;
}

TileChoice tiled(int size, int overlap = 24, bool shift = false, int batch = 1) {
    TileChoice t;
    t.tiled = true;
    t.tile_size = size;
    t.tile_overlap = overlap;
    t.shift = shift;
    t.batch_size = batch;
    return t;
}

TEST(PlannerTiles, CountsFollowTheUpstreamGrid) {
    EXPECT_EQ(count_tiles(1920, 1080, TileChoice{}), 1);
    // stride 232: columns ceil((1920-24)/232) = 9, rows ceil((1080-24)/232) = 5.
    EXPECT_EQ(count_tiles(1920, 1080, tiled(256)), 45);
    EXPECT_EQ(count_tiles(200, 100, tiled(256)), 1);  // one tile covers the frame
    EXPECT_EQ(count_tiles(200, 100, tiled(256, 24, true)), 1);
    // The shifted grid (offset 116, a short first tile) adds 5 x 3 tiles, one of which (the last
    // row and column, shifted back to the border) the main grid has already.
    const int regular = count_tiles(1000, 500, tiled(256));
    const int shifted = count_tiles(1000, 500, tiled(256, 24, true));
    EXPECT_EQ(regular, 5 * 3);
    EXPECT_EQ(shifted, regular + 5 * 3 - 1);
    // Scale 3 aligns origins to 8 input pixels: stride 232 -> 232, 250 overlap 20 -> stride 224.
    EXPECT_EQ(count_tiles(1000, 500, tiled(250, 20), 3), 5 * 3);
}

TEST(PlannerTiles, SmallerTilesHalveBatchThenSizeDownToTheFloor) {
    TileChoice t = tiled(512, 24, true, 4);
    std::vector<std::string> steps;
    std::optional<TileChoice> next = t;
    while ((next = smaller_tiles(*next, 1920, 1080))) {
        steps.push_back(next->describe());
        ASSERT_LT(steps.size(), 20u);
    }
    EXPECT_EQ(steps, (std::vector<std::string>{"tiles 512x512 (overlap 24, shifted grid), batch 2",
                                               "tiles 512x512 (overlap 24, shifted grid), batch 1",
                                               "tiles 256x256 (overlap 24, shifted grid), batch 1",
                                               "tiles 128x128 (overlap 24, shifted grid), batch 1",
                                               "tiles 64x64 (overlap 24, shifted grid), batch 1"}));
    // Untiled first becomes half the longer side; a large overlap raises the floor.
    TileChoice untiled;
    untiled.tile_overlap = 24;
    auto first = smaller_tiles(untiled, 1000, 600);
    ASSERT_TRUE(first.has_value());
    EXPECT_TRUE(first->tiled);
    EXPECT_EQ(first->tile_size, 480);
    auto capped = smaller_tiles(tiled(160, 100), 1000, 600);
    ASSERT_TRUE(capped.has_value());
    EXPECT_EQ(capped->tile_size, 128);  // floor: overlap rounded to 96, + 32
    EXPECT_FALSE(smaller_tiles(*capped, 1000, 600).has_value());

    EXPECT_TRUE(tiled(256).same_pixels(tiled(256, 24, false, 8)));
    EXPECT_FALSE(tiled(256).same_pixels(tiled(224)));
    EXPECT_TRUE(TileChoice{}.same_pixels(TileChoice{}));
    EXPECT_EQ(TileChoice{}.describe(), "untiled");

    // Tile by tile holds one state whatever the batch: the tiles shrink right away.
    TileChoice tile_major = tiled(512, 24, false, 4);
    tile_major.order = ModelTileOrder::TileMajor;
    EXPECT_EQ(tile_major.describe(), "tiles 512x512 (overlap 24), tile by tile");
    auto shrunk = smaller_tiles(tile_major, 1920, 1080);
    ASSERT_TRUE(shrunk.has_value());
    EXPECT_EQ(shrunk->tile_size, 256);
    EXPECT_EQ(shrunk->order, ModelTileOrder::TileMajor);
    EXPECT_TRUE(tile_major.same_pixels(tiled(512)));  // the order changes no pixels
    TileChoice frame_major = tiled(512, 24, false, 2);
    frame_major.order = ModelTileOrder::FrameMajor;
    EXPECT_EQ(frame_major.describe(), "tiles 512x512 (overlap 24), batch 2, frame by frame");
}

TEST(PlannerTiles, TileMajorFollowsThePipelinesAutoRule) {
    TileChoice t = tiled(256, 24, false, 2);
    EXPECT_TRUE(t.tile_major(45));  // fewer resident than tiles
    EXPECT_FALSE(t.tile_major(2));  // every tile resident
    EXPECT_FALSE(t.tile_major(1));  // one tile
    t.batch_size = 0;               // automatic batch: resident
    EXPECT_FALSE(t.tile_major(45));
    t.order = ModelTileOrder::TileMajor;
    EXPECT_TRUE(t.tile_major(1));
    t.order = ModelTileOrder::FrameMajor;
    t.batch_size = 1;
    EXPECT_FALSE(t.tile_major(45));
    TileChoice untiled;
    untiled.order = ModelTileOrder::TileMajor;
    EXPECT_FALSE(untiled.tile_major(1));
}

TEST(PlannerPrediction, AnalyticModelMatchesTheMeasuredPeaks) {
    // docs/PERFORMANCE.md (session 4, whole jobs, tiny, bf16): 9.97 GiB allocated at 768x1408
    // and 15.36 GiB at 1024x1920. A one-GPU run adds 5 % allocator slack (expandable segments).
    const JobSpec s = flashvsr_spec();
    auto small = plan_job(s, input(352, 192), fake_gpu(140 * kGiB));
    auto large = plan_job(s, input(480, 256), fake_gpu(140 * kGiB));
    ASSERT_TRUE(small.ok() && large.ok()) << small.error().to_string();
    const double small_gib = double(small->prediction.peak_gpu_bytes) / kGiB;
    const double large_gib = double(large->prediction.peak_gpu_bytes) / kGiB;
    EXPECT_NEAR(small_gib, 9.97 * kExpandableAllocatorOverhead, 0.5);
    EXPECT_NEAR(large_gib, 15.36 * kExpandableAllocatorOverhead, 0.8);
    EXPECT_FALSE(small->auto_tiles);
    EXPECT_FALSE(small->tiles.tiled);
    EXPECT_EQ(small->basis, PredictionBasis::Analytic);
    // Weights of the tiny mode in bf16 from the published parameter counts: ~3.3 GiB.
    EXPECT_NEAR(double(small->prediction.weights_bytes) / kGiB, 3.27, 0.05);
    // Speed: 32 Mpx/s -> 29.6 fps at 768x1408; 100 frames.
    EXPECT_NEAR(small->prediction.upscale_seconds, 100.0 / 29.6, 0.1);
    // Lossless chunks: 100 frames of 768x1408x3 bytes x 0.6.
    EXPECT_NEAR(double(small->prediction.temp_disk_bytes),
                100.0 * 768 * 1408 * 3 * kLosslessChunkRatio, 16.0);
    EXPECT_GT(small->prediction.peak_host_bytes, kHostBaseBytes);
    EXPECT_TRUE(small->fits);

    // Full mode (session 7, H100 whole jobs at 768x1408): 17.12 GiB untiled, 21.97 GiB with the
    // tiled VAE, at 24.3 and 11.5 fps.
    JobSpec full = s;
    full.model.mode = ModelMode::Full;
    auto full_plan = plan_job(full, input(352, 192), fake_gpu(140 * kGiB));
    full.model.tiled_vae = true;
    auto tiled_vae_plan = plan_job(full, input(352, 192), fake_gpu(140 * kGiB));
    ASSERT_TRUE(full_plan.ok() && tiled_vae_plan.ok());
    EXPECT_NEAR(double(full_plan->prediction.peak_gpu_bytes) / kGiB,
                17.12 * kExpandableAllocatorOverhead, 0.8);
    EXPECT_NEAR(double(tiled_vae_plan->prediction.peak_gpu_bytes) / kGiB,
                21.97 * kExpandableAllocatorOverhead, 1.0);
    EXPECT_NEAR(full_plan->prediction.upscale_seconds, 100.0 / (29.6 * 0.37), 0.5);
    EXPECT_NEAR(tiled_vae_plan->prediction.upscale_seconds, 100.0 / (29.6 * 0.17), 1.0);

    // On the CPU the model's memory is host memory, in fp32.
    DeviceResources cpu;
    cpu.device = "cpu";
    cpu.name = "CPU";
    cpu.host_available_bytes = 512 * kGiB;
    auto on_cpu = plan_job(s, input(352, 192), cpu);
    ASSERT_TRUE(on_cpu.ok());
    EXPECT_EQ(on_cpu->prediction.peak_gpu_bytes, 0u);
    EXPECT_GT(on_cpu->prediction.peak_host_bytes, 2 * small->prediction.peak_gpu_bytes - kGiB);

    // Pictures need no temporary chunks; classic scalers no model.
    JobSpec pictures = s;
    pictures.output_settings.mode = io::OutputMode::Pictures;
    EXPECT_EQ(plan_job(pictures, input(352, 192), fake_gpu(kGiB))->prediction.temp_disk_bytes, 0u);
    JobSpec bicubic = s;
    bicubic.upscaler = UpscalerKind::Bicubic;
    auto classic = plan_job(bicubic, input(352, 192), fake_gpu(kGiB));
    ASSERT_TRUE(classic.ok());
    EXPECT_EQ(classic->prediction.peak_gpu_bytes, 0u);
    EXPECT_FALSE(classic->tiles.tiled);
}

TEST(PlannerPrediction, AutoPicksTheFastestTilesThatFitTheBudget) {
    JobSpec s = flashvsr_spec();
    s.model.tile_size = 0;  // auto
    s.model.memory_budget = static_cast<std::int64_t>(9 * kGiB);
    const InputProbe hd = input(960, 540);  // x4 = 3840x2160: far beyond 9 GiB untiled
    auto plan = plan_job(s, hd, fake_gpu(100 * kGiB));
    ASSERT_TRUE(plan.ok()) << plan.error().to_string();
    EXPECT_TRUE(plan->auto_tiles);
    ASSERT_TRUE(plan->tiles.tiled);
    EXPECT_TRUE(plan->fits);
    EXPECT_EQ(plan->budget_bytes, 9 * kGiB);
    EXPECT_LE(plan->prediction.peak_gpu_bytes, 9 * kGiB);
    EXPECT_EQ(plan->tiles.tile_size % kTileStep, 0);
    EXPECT_EQ(plan->tiles_per_frame, count_tiles(960, 540, plan->tiles, 4));
    // Every other tile size either does not fit with a single resident tile or upscales slower.
    for (int size = kMinTileSize; size <= 960; size += kTileStep) {
        if (size == plan->tiles.tile_size) {
            continue;
        }
        JobSpec other = s;
        other.model.tile_size = size;
        other.model.tiled_dit = true;
        other.model.tile_batch_size = 1;
        other.model.tile_shift = false;
        other.model.tile_order = ModelTileOrder::TileMajor;
        auto alternative = plan_job(other, hd, fake_gpu(100 * kGiB));
        ASSERT_TRUE(alternative.ok());
        EXPECT_TRUE(!alternative->fits || alternative->prediction.upscale_seconds >=
                                              plan->prediction.upscale_seconds * 0.999)
            << "tile " << size;
    }
    // Frame by frame with every tile resident does not fit with those tiles: one resident state,
    // tile by tile, no shifted grid (the planner's choice; it doubles the work).
    EXPECT_EQ(plan->tiles.order, ModelTileOrder::TileMajor);
    EXPECT_EQ(plan->tiles.batch_size, 1);
    EXPECT_FALSE(plan->tiles.shift);
    JobSpec all_resident = s;
    all_resident.model.tiled_dit = true;
    all_resident.model.tile_size = plan->tiles.tile_size;
    all_resident.model.tile_shift = false;
    all_resident.model.tile_batch_size = plan->tiles_per_frame;
    all_resident.model.tile_order = ModelTileOrder::FrameMajor;
    EXPECT_FALSE(plan_job(all_resident, hd, fake_gpu(100 * kGiB))->fits);
    const std::string summary = plan->summary();
    EXPECT_EQ(summary.rfind("auto chose tiles " + std::to_string(plan->tiles.tile_size) + "x", 0),
              0u)
        << summary;
    EXPECT_NE(summary.find("predicted"), std::string::npos);
    EXPECT_NE(summary.find(", tile by tile, "), std::string::npos) << summary;
    EXPECT_NE(summary.find(", scratch "), std::string::npos) << summary;

    // Enough memory: the whole frame, untiled.
    s.model.memory_budget = 0;
    auto roomy = plan_job(s, input(352, 192), fake_gpu(100 * kGiB));
    ASSERT_TRUE(roomy.ok());
    EXPECT_FALSE(roomy->tiles.tiled);
    EXPECT_EQ(roomy->budget_bytes, static_cast<std::uint64_t>(100 * kGiB * kBudgetHeadroom));
    EXPECT_EQ(roomy->summary().rfind("auto chose untiled", 0), 0u);

    // Nothing fits: the smallest tiles, flagged.
    s.model.memory_budget = static_cast<std::int64_t>(kGiB);
    auto hopeless = plan_job(s, hd, fake_gpu(100 * kGiB));
    ASSERT_TRUE(hopeless.ok());
    EXPECT_FALSE(hopeless->fits);
    EXPECT_EQ(hopeless->tiles.tile_size, kMinTileSize);
    EXPECT_NE(hopeless->summary().find("DOES NOT FIT"), std::string::npos);
}

// Fresh anonymous pages, touched: resident for sure (heap memory freed by earlier tests could be
// reused without growing the RSS, which would hide the growth the calibration measures).
class Pages {
  public:
    explicit Pages(std::size_t bytes) : m_bytes(bytes) {
        m_data = ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (m_data != MAP_FAILED) {
            std::memset(m_data, 1, bytes);
        }
    }
    ~Pages() {
        if (m_data != MAP_FAILED) {
            ::munmap(m_data, m_bytes);
        }
    }
    Pages(const Pages&) = delete;
    Pages& operator=(const Pages&) = delete;

  private:
    std::size_t m_bytes;
    void* m_data;
};

// A processor whose memory grows with the pixels it holds: 64 bytes per input pixel per frame
// buffered, released at finish() (which returns no frames), and a fixed "weights" block allocated
// at creation.
class HungryProcessor final : public FrameProcessor {
  public:
    HungryProcessor(int w, int h, int scale)
        : m_w(w), m_h(h), m_scale(scale), m_weights(std::size_t(96) << 20) {}
    int output_width() const override { return m_w * m_scale; }
    int output_height() const override { return m_h * m_scale; }
    Status push(const Frame& frame, std::vector<Frame>& out) override {
        m_buffers.push_back(std::make_unique<Pages>(std::size_t(m_w) * m_h * 64));
        (void)out;
        return {};
    }
    Status finish(std::vector<Frame>& out) override {
        // Calibration does not look at the frames: report none, allocate nothing more.
        (void)out;
        m_buffers.clear();
        return {};
    }
    std::string description() const override { return "hungry"; }

  private:
    int m_w;
    int m_h;
    int m_scale;
    Pages m_weights;
    std::vector<std::unique_ptr<Pages>> m_buffers;
};

TEST(PlannerCalibration, MeasuresWeightsAndPerTokenMemoryOfTheRealProcessor) {
    JobSpec s = flashvsr_spec();
    DeviceResources cpu;
    cpu.device = "cpu";
    cpu.name = "CPU";
    cpu.host_available_bytes = 64 * kGiB;
    PlannerOptions options;
    options.calibration = CalibrationMode::Measure;
    int made = 0;
    int crop_w = 0;
    options.processor_factory =
        [&](const JobSpec& spec,
            const ProcessorContext& c) -> Result<std::unique_ptr<FrameProcessor>> {
        ++made;
        crop_w = c.width;
        EXPECT_FALSE(spec.model.tiled_dit);  // the crop runs untiled
        return std::unique_ptr<FrameProcessor>(
            std::make_unique<HungryProcessor>(c.width, c.height, spec.scale));
    };
    auto plan = plan_job(s, input(1280, 720), cpu, options);
    ASSERT_TRUE(plan.ok()) << plan.error().to_string();
    EXPECT_EQ(made, 1);
    EXPECT_EQ(crop_w, 256);
    ASSERT_TRUE(plan->calibration.has_value());
    EXPECT_EQ(plan->basis, PredictionBasis::Calibrated);
    const Calibration& c = *plan->calibration;
    EXPECT_EQ(c.crop_width, 256);
    EXPECT_EQ(c.crop_height, 256);
    EXPECT_EQ(c.frames, 41);
    // 96 MiB of weights; 41 frames x 256x256 x 64 B = 164 MiB over 64x64 tokens.
    EXPECT_NEAR(double(c.weights_bytes), double(96 << 20), double(12 << 20));
    const double expected_per_token = 41.0 * 256 * 256 * 64 / (64.0 * 64.0);
    EXPECT_NEAR(c.bytes_per_token, expected_per_token, expected_per_token * 0.25);
    EXPECT_GT(c.seconds_per_output_pixel, 0.0);
    EXPECT_EQ(plan->prediction.weights_bytes, c.weights_bytes);

    // Failures of the calibration run are the plan's.
    options.processor_factory =
        [](const JobSpec&, const ProcessorContext&) -> Result<std::unique_ptr<FrameProcessor>> {
        return Error(ErrorCode::OutOfMemory, "CUDA out of memory (test)");
    };
    auto failed = plan_job(s, input(1280, 720), cpu, options);
    ASSERT_FALSE(failed.ok());
    EXPECT_EQ(failed.error().code, ErrorCode::OutOfMemory);
}

// Holds every frame, then hands them out one per finish() call (as a tile-major run does).
class SlicingProcessor final : public FrameProcessor {
  public:
    SlicingProcessor(int w, int h, int scale, int& finish_calls)
        : m_w(w), m_h(h), m_scale(scale), m_finish_calls(finish_calls) {}
    int output_width() const override { return m_w * m_scale; }
    int output_height() const override { return m_h * m_scale; }
    Status push(const Frame& frame, std::vector<Frame>& out) override {
        (void)out;
        m_held.push_back(frame.index);
        return {};
    }
    Status finish(std::vector<Frame>& out) override {
        ++m_finish_calls;
        if (m_next < m_held.size()) {
            Frame f;
            f.allocate(1, 1, SampleType::U8);  // only counted by the calibration
            f.index = m_held[m_next++];
            out.push_back(std::move(f));
        }
        return {};
    }
    std::string description() const override { return "slicing"; }

  private:
    int m_w;
    int m_h;
    int m_scale;
    int& m_finish_calls;
    std::vector<std::int64_t> m_held;
    std::size_t m_next = 0;
};

TEST(PlannerCalibration, SlicedFinishIsCalledUntilItAppendsNothing) {
    JobSpec s = flashvsr_spec();
    DeviceResources cpu;
    cpu.device = "cpu";
    cpu.name = "CPU";
    cpu.host_available_bytes = 64 * kGiB;
    PlannerOptions options;
    options.calibration = CalibrationMode::Measure;
    options.calibration_frames = 12;
    int finish_calls = 0;
    options.processor_factory =
        [&](const JobSpec& spec,
            const ProcessorContext& c) -> Result<std::unique_ptr<FrameProcessor>> {
        return std::unique_ptr<FrameProcessor>(
            std::make_unique<SlicingProcessor>(c.width, c.height, spec.scale, finish_calls));
    };
    auto plan = plan_job(s, input(320, 180), cpu, options);
    ASSERT_TRUE(plan.ok()) << plan.error().to_string();
    EXPECT_EQ(finish_calls, 13);  // 12 slices, then the empty call
    EXPECT_GT(plan->calibration->seconds_per_output_pixel, 0.0);
}

TEST(PlannerDevices, CpuIsAlwaysThereAndUnknownGpusAreReported) {
    auto cpu = query_device_resources("cpu");
    ASSERT_TRUE(cpu.ok());
    EXPECT_FALSE(cpu->is_cuda);
    EXPECT_GT(cpu->host_total_bytes, 0u);
    EXPECT_GT(cpu->host_available_bytes, 0u);
    EXPECT_EQ(cpu->memory_free_bytes, cpu->host_available_bytes);
    auto missing = query_device_resources("cuda:77");
    ASSERT_FALSE(missing.ok());
    EXPECT_EQ(missing.error().code, ErrorCode::DeviceUnavailable);
    EXPECT_EQ(query_device_resources("tpu").error().code, ErrorCode::InvalidArgument);
    EXPECT_TRUE(query_device_resources("auto").ok());
}

// Issue #7: 2048x3840 and 1024x1920 output under a 10 GiB budget, host memory under 8 GiB
// whatever the clip length.
TEST(PlannerTileMajor, BigTilesWithOneResidentStateUnderTenGiB) {
    JobSpec s = flashvsr_spec();
    s.model.tile_size = 0;  // auto
    s.model.memory_budget = static_cast<std::int64_t>(10 * kGiB);
    PlannerOptions options;
    options.work_folder_free_bytes = 100000 * kGiB;  // disk is not the limit here
    const InputProbe uhd = input(960, 512, 100000);  // x4 = 3840x2048, a long clip
    auto plan = plan_job(s, uhd, fake_gpu(80 * kGiB), options);
    ASSERT_TRUE(plan.ok()) << plan.error().to_string();
    EXPECT_TRUE(plan->fits);
    ASSERT_TRUE(plan->tiles.tiled);
    EXPECT_EQ(plan->tiles.order, ModelTileOrder::TileMajor);
    EXPECT_FALSE(plan->tiles.shift);
    const ResourcePrediction& p = plan->prediction;
    EXPECT_LE(p.peak_gpu_bytes, 10 * kGiB);
    EXPECT_EQ(p.canvas_bytes, 0u);  // the output goes to the scratch file
    // Device memory = weights + one tile's state + activations (x allocator overhead).
    EXPECT_EQ(p.peak_gpu_bytes, static_cast<std::uint64_t>(
                                    double(p.weights_bytes + p.state_bytes + p.activation_bytes) *
                                    kExpandableAllocatorOverhead));
    // The same tiles frame by frame (one resident, the others parked) need the canvases: more
    // device memory, and every other state parked in host memory.
    JobSpec frame_major = apply_tiles(s, plan->tiles);
    frame_major.model.tile_order = ModelTileOrder::FrameMajor;
    auto parked = plan_job(frame_major, uhd, fake_gpu(80 * kGiB), options);
    ASSERT_TRUE(parked.ok());
    EXPECT_GT(parked->prediction.canvas_bytes, 0u);
    EXPECT_GT(parked->prediction.peak_gpu_bytes, p.peak_gpu_bytes);
    EXPECT_EQ(parked->prediction.scratch_disk_bytes, 0u);
    EXPECT_EQ(parked->max_segment_frames, 0);
    // Frame by frame only, the device canvas leaves no room for larger tiles.
    JobSpec frame_only = s;
    frame_only.model.tile_order = ModelTileOrder::FrameMajor;
    auto small = plan_job(frame_only, uhd, fake_gpu(80 * kGiB), options);
    ASSERT_TRUE(small.ok());
    EXPECT_LE(small->tiles.tile_size, plan->tiles.tile_size);
    EXPECT_EQ(small->tiles.order, ModelTileOrder::FrameMajor);
    EXPECT_GT(small->prediction.canvas_bytes, 0u);

    // Host memory: the capped segment's frames stay under the 4 GiB limit and the whole process
    // under 8 GiB; a longer clip changes nothing.
    EXPECT_GT(plan->max_segment_frames, 100);
    EXPECT_LT(plan->max_segment_frames, 100000);
    EXPECT_LE(p.segment_frames_bytes, kTileMajorHostFramesBytes);
    EXPECT_GT(p.segment_frames_bytes, kTileMajorHostFramesBytes / 2);
    EXPECT_LT(p.peak_host_bytes, 8 * kGiB);
    auto longer = plan_job(s, input(960, 512, 1000000), fake_gpu(80 * kGiB), options);
    ASSERT_TRUE(longer.ok());
    EXPECT_EQ(longer->prediction.peak_host_bytes, p.peak_host_bytes);
    EXPECT_EQ(longer->max_segment_frames, plan->max_segment_frames);
    // The pipeline keeps 8-bit sources as bytes, deeper ones as float32: a quarter of the frames.
    InputProbe deep = uhd;
    deep.bit_depth = 10;
    auto ten_bit = plan_job(s, deep, fake_gpu(80 * kGiB), options);
    ASSERT_TRUE(ten_bit.ok());
    EXPECT_NEAR(double(ten_bit->max_segment_frames), plan->max_segment_frames / 4.0, 1.0);
    EXPECT_LE(ten_bit->prediction.segment_frames_bytes, kTileMajorHostFramesBytes);
    // Scratch: the segment's output (float32 RGB) x the overlap factor (> 1 with overlaps).
    const double segment_output = double(plan->max_segment_frames) * 3840.0 * 2048.0 * 3 * 4;
    EXPECT_GT(double(p.scratch_disk_bytes), segment_output);
    EXPECT_LT(double(p.scratch_disk_bytes), 2.0 * segment_output);
    EXPECT_GE(p.temp_disk_bytes, p.scratch_disk_bytes);
    EXPECT_NE(plan->reason.find("tile by tile: segments of at most " +
                                std::to_string(plan->max_segment_frames) + " frames"),
              std::string::npos)
        << plan->reason;

    // 1024x1920: the whole frame needs ~18 GiB; tile by tile fits 10 GiB.
    auto hd = plan_job(s, input(480, 256, 100000), fake_gpu(80 * kGiB), options);
    ASSERT_TRUE(hd.ok());
    EXPECT_TRUE(hd->fits);
    EXPECT_TRUE(hd->tiles.tiled);
    EXPECT_LE(hd->prediction.peak_gpu_bytes, 10 * kGiB);
    EXPECT_LT(hd->prediction.peak_host_bytes, 8 * kGiB);
    // One row of two 256-pixel tiles (4,096 tokens each, measured 9.50 GiB allocated / 9.92 GiB
    // reserved on an H200), not six smaller ones.
    EXPECT_EQ(hd->tiles.tile_size, 256);
    EXPECT_EQ(hd->tiles_per_frame, 2);
    EXPECT_EQ(hd->tiles.order, ModelTileOrder::TileMajor);
}

TEST(PlannerTileMajor, SegmentsAreCappedByTheWorkFoldersFreeDisk) {
    JobSpec s = flashvsr_spec();
    s.model.tiled_dit = true;
    s.model.tile_size = 256;
    s.model.tile_order = ModelTileOrder::TileMajor;
    s.output_settings.mode = io::OutputMode::Pictures;  // no chunks: the scratch alone
    PlannerOptions options;
    options.work_folder_free_bytes = 40 * kGiB;
    const InputProbe uhd = input(960, 540, 5000);
    auto plan = plan_job(s, uhd, fake_gpu(80 * kGiB), options);
    ASSERT_TRUE(plan.ok());
    EXPECT_EQ(plan->tiles.order, ModelTileOrder::TileMajor);
    EXPECT_EQ(plan->tiles.batch_size, 1);
    EXPECT_EQ(plan->work_folder_free_bytes, 40 * kGiB);
    EXPECT_LE(double(plan->prediction.scratch_disk_bytes), 40.0 * kGiB * kScratchDiskShare);
    EXPECT_GT(double(plan->prediction.scratch_disk_bytes), 30.0 * kGiB * kScratchDiskShare);
    // More disk: longer segments, until the host limit caps them.
    options.work_folder_free_bytes = 80 * kGiB;
    auto roomier = plan_job(s, uhd, fake_gpu(80 * kGiB), options);
    ASSERT_TRUE(roomier.ok());
    EXPECT_GT(roomier->max_segment_frames, plan->max_segment_frames);
    // Two workers run two segments at once: half as long.
    JobSpec two = s;
    two.devices = {"cuda:0", "cuda:1"};
    options.work_folder_free_bytes = 40 * kGiB;
    auto shared = plan_job(two, uhd, fake_gpu(80 * kGiB), options);
    ASSERT_TRUE(shared.ok());
    EXPECT_NEAR(double(shared->max_segment_frames), plan->max_segment_frames / 2.0, 1.0);
    // Hardly any disk: the shortest segments allowed (min_segment_frames + 2 x overlap), flagged.
    options.work_folder_free_bytes = kGiB;
    auto tight = plan_job(s, uhd, fake_gpu(80 * kGiB), options);
    ASSERT_TRUE(tight.ok());
    EXPECT_EQ(tight->max_segment_frames,
              s.segments.min_segment_frames + 2 * s.segments.segment_overlap);
    EXPECT_NE(tight->reason.find("short of disk"), std::string::npos) << tight->reason;
    // The spec's own shorter limit stays the limit (the runner takes the smaller one).
    JobSpec short_segments = s;
    short_segments.segments.max_segment_frames = 100;
    options.work_folder_free_bytes = 100000 * kGiB;
    auto bounded = plan_job(short_segments, uhd, fake_gpu(80 * kGiB), options);
    ASSERT_TRUE(bounded.ok());
    EXPECT_EQ(bounded->max_segment_frames, 100);
}

TEST(PlannerTileMajor, ExplicitSettingsAreKept) {
    JobSpec s = flashvsr_spec();
    s.model.tiled_dit = true;
    s.model.tile_size = 192;
    s.model.tile_shift = true;  // explicit: kept
    PlannerOptions options;
    options.work_folder_free_bytes = 1000 * kGiB;
    const InputProbe hd = input(480, 270, 100);
    // Plenty of memory, automatic order and batch: every tile resident, frame by frame.
    auto roomy = plan_job(s, hd, fake_gpu(140 * kGiB), options);
    ASSERT_TRUE(roomy.ok());
    EXPECT_EQ(roomy->tiles.order, ModelTileOrder::FrameMajor);
    EXPECT_EQ(roomy->tiles.batch_size, roomy->tiles_per_frame);
    EXPECT_TRUE(roomy->tiles.shift);
    EXPECT_EQ(roomy->tiles.tile_size, 192);
    EXPECT_EQ(roomy->prediction.scratch_disk_bytes, 0u);
    EXPECT_EQ(roomy->max_segment_frames, 0);
    // A 10 GiB budget: the same tiles, tile by tile.
    s.model.memory_budget = static_cast<std::int64_t>(10 * kGiB);
    auto tight = plan_job(s, hd, fake_gpu(140 * kGiB), options);
    ASSERT_TRUE(tight.ok());
    EXPECT_EQ(tight->tiles.order, ModelTileOrder::TileMajor);
    EXPECT_EQ(tight->tiles.tile_size, 192);
    EXPECT_TRUE(tight->tiles.shift);
    EXPECT_TRUE(tight->fits);
    EXPECT_GT(tight->prediction.scratch_disk_bytes, 0u);
    // An explicit batch below the tile count with the automatic order: tile by tile, as the
    // pipeline decides; an explicit frame order keeps its batch and parks the rest.
    s.model.memory_budget = 0;
    s.model.tile_batch_size = 2;
    EXPECT_EQ(plan_job(s, hd, fake_gpu(140 * kGiB), options)->tiles.order,
              ModelTileOrder::TileMajor);
    s.model.tile_order = ModelTileOrder::FrameMajor;
    auto parked = plan_job(s, hd, fake_gpu(140 * kGiB), options);
    EXPECT_EQ(parked->tiles.order, ModelTileOrder::FrameMajor);
    EXPECT_EQ(parked->tiles.batch_size, 2);
    // Automatic tiles with an explicit order and batch keep both.
    s.model.tile_size = 0;
    s.model.memory_budget = static_cast<std::int64_t>(12 * kGiB);
    auto auto_frame = plan_job(s, hd, fake_gpu(140 * kGiB), options);
    ASSERT_TRUE(auto_frame.ok());
    EXPECT_EQ(auto_frame->tiles.order, ModelTileOrder::FrameMajor);
    EXPECT_EQ(auto_frame->tiles.batch_size, 2);
}

TEST(PlannerJson, PlanSerialisesWithPredictionAndReason) {
    JobSpec s = flashvsr_spec();
    s.model.tile_size = 0;
    s.model.memory_budget = static_cast<std::int64_t>(8 * kGiB);
    auto plan = plan_job(s, input(960, 540), fake_gpu(80 * kGiB));
    ASSERT_TRUE(plan.ok());
    auto j = nlohmann::json::parse(to_json(*plan));
    EXPECT_EQ(j.at("tiles").at("tile_size").get<int>(), plan->tiles.tile_size);
    EXPECT_EQ(j.at("prediction").at("peak_gpu_bytes").get<std::uint64_t>(),
              plan->prediction.peak_gpu_bytes);
    EXPECT_EQ(j.at("basis"), "analytic");
    EXPECT_EQ(j.at("summary"), plan->summary());
    EXPECT_FALSE(j.at("reason").get<std::string>().empty());
    EXPECT_EQ(j.at("tiles").at("order"), "tile");
    EXPECT_EQ(j.at("prediction").at("scratch_disk_bytes").get<std::uint64_t>(),
              plan->prediction.scratch_disk_bytes);
    EXPECT_GT(plan->prediction.scratch_disk_bytes, 0u);
    EXPECT_EQ(j.at("max_segment_frames").get<std::int64_t>(), plan->max_segment_frames);

    EXPECT_FALSE(plan_job(s, input(0, 540), fake_gpu(kGiB)).ok());
}

TEST(PlannerInput, ProbeAppliesTheFrameRange) {
    const auto root = std::filesystem::temp_directory_path() /
                      ("fvsr-planner-probe-" + std::to_string(::getpid()));
    std::filesystem::create_directories(root);
    ASSERT_TRUE(jobs_test::write_test_video(root / "in.mkv", 30).ok());
    JobSpec s = flashvsr_spec();
    s.input = root / "in.mkv";
    auto whole = probe_input(s);
    ASSERT_TRUE(whole.ok()) << whole.error().to_string();
    EXPECT_EQ(whole->width, 64);
    EXPECT_EQ(whole->height, 48);
    EXPECT_EQ(whole->frames, 30);
    EXPECT_EQ(whole->fps, (Rational{25, 1}));
    EXPECT_EQ(whole->bit_depth, 8);
    s.first_frame = 5;
    s.end_frame = 20;
    EXPECT_EQ(probe_input(s)->frames, 15);
    s.first_frame = 30;
    s.end_frame = -1;
    EXPECT_EQ(probe_input(s).error().code, ErrorCode::InvalidArgument);
    s.input = root / "missing.mkv";
    EXPECT_FALSE(probe_input(s).ok());
    engine::remove_tree(root);
}

}  // namespace
}  // namespace engine::jobs
