// The runner's FlashVSR-specific paths on the CPU, with an injected processor standing in for the
// model (a bicubic scaler that records what it was given and fails on command): scene cuts as
// segment boundaries, automatic tiles chosen once and reused on resume, and the out-of-memory
// retry with smaller tiles.

#include "engine/core/paths.h"
#include "engine/jobs/job_queue.h"
#include "engine/jobs/manifest.h"
#include "engine/jobs/support/media.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fstream>
#include <mutex>
#include <unistd.h>

namespace engine::jobs {
namespace {
namespace fs = std::filesystem;

// What the fake model saw: one entry per processor instance.
struct Instance {
    TileChoice tiles;
    std::vector<std::int64_t> frames;
    fs::path scratch_dir;
    int finish_calls = 0;
};

struct Recorder {
    std::mutex mutex;
    std::vector<Instance> instances;
    // Fails a push with OutOfMemory when this returns true (instance number, tiles, frames seen).
    std::function<bool(int, const TileChoice&, int)> out_of_memory;
    // Like a tile-major run: no frame before the end, then one frame per finish() call.
    bool one_frame_per_finish = false;
};

// Bicubic in FlashVSR's clothes: the spec stays a FlashVSR spec (tiles, cuts, fingerprints), the
// pixels come from the classic scaler, so the output is checkable frame by frame.
class FakeModel final : public FrameProcessor {
  public:
    FakeModel(std::unique_ptr<FrameProcessor> inner,
              Recorder& recorder,
              int instance,
              std::function<void(const std::string&)> on_stage)
        : m_inner(std::move(inner)),
          m_recorder(recorder),
          m_instance(instance),
          m_on_stage(std::move(on_stage)) {}
    int output_width() const override { return m_inner->output_width(); }
    int output_height() const override { return m_inner->output_height(); }
    Status push(const Frame& frame, std::vector<Frame>& out) override {
        TileChoice tiles;
        int seen = 0;
        {
            std::lock_guard<std::mutex> lock(m_recorder.mutex);
            Instance& me = m_recorder.instances[std::size_t(m_instance)];
            me.frames.push_back(frame.index);
            tiles = me.tiles;
            seen = static_cast<int>(me.frames.size());
        }
        if (m_recorder.out_of_memory && m_recorder.out_of_memory(m_instance, tiles, seen)) {
            return Error(ErrorCode::OutOfMemory, "CUDA out of memory. Tried to allocate 2.00 GiB");
        }
        if (m_recorder.one_frame_per_finish) {
            return m_inner->push(frame, m_held);
        }
        return m_inner->push(frame, out);
    }
    Status finish(std::vector<Frame>& out) override {
        {
            std::lock_guard<std::mutex> lock(m_recorder.mutex);
            ++m_recorder.instances[std::size_t(m_instance)].finish_calls;
        }
        if (!m_recorder.one_frame_per_finish) {
            return m_inner->finish(out);
        }
        if (m_next == 0 && m_on_stage) {
            // What a tile-major pipeline reports while it runs its tiles (and a frame-major
            // chunk, which the runner leaves out: its frames are the progress).
            m_on_stage("tile 1/2, chunk 1/1");
            m_on_stage("tile 2/2, chunk 1/1");
            m_on_stage("chunk 1");
        }
        if (auto st = m_inner->finish(m_held); !st.ok()) {
            return st;
        }
        if (m_next < m_held.size()) {
            out.push_back(std::move(m_held[m_next++]));
        }
        return {};
    }
    std::string description() const override { return "fake FlashVSR"; }

  private:
    std::unique_ptr<FrameProcessor> m_inner;
    Recorder& m_recorder;
    int m_instance;
    std::function<void(const std::string&)> m_on_stage;
    std::vector<Frame> m_held;
    std::size_t m_next = 0;
};

ProcessorFactory fake_factory(Recorder& recorder) {
    return [&recorder](const JobSpec& spec,
                       const ProcessorContext& context) -> Result<std::unique_ptr<FrameProcessor>> {
        EXPECT_EQ(spec.upscaler, UpscalerKind::FlashVSR);
        JobSpec classic = spec;
        classic.upscaler = UpscalerKind::Bicubic;
        auto inner = make_processor(classic, context);
        if (!inner.ok()) {
            return inner.error();
        }
        int instance = 0;
        {
            std::lock_guard<std::mutex> lock(recorder.mutex);
            instance = static_cast<int>(recorder.instances.size());
            Instance record;
            record.tiles = requested_tiles(spec);
            record.scratch_dir = context.scratch_dir;
            recorder.instances.push_back(record);
        }
        return std::unique_ptr<FrameProcessor>(std::make_unique<FakeModel>(
            std::move(inner).value(), recorder, instance, context.on_stage));
    };
}

class JobExecutionModel : public ::testing::Test {
  protected:
    void SetUp() override {
        m_root = fs::temp_directory_path() /
                 ("fvsr-exec-" + std::to_string(::getpid()) + "-" +
                  ::testing::UnitTest::GetInstance()->current_test_info()->name());
        engine::remove_tree(m_root);
        fs::create_directories(m_root / "models");
        setenv("XDG_CACHE_HOME", (m_root / "cache").c_str(), 1);
        // identify_model_folder needs a weight file; the fake model never reads it.
        std::ofstream(m_root / "models" / "diffusion_pytorch_model_streaming_dmd.safetensors")
            << "weights";
    }
    void TearDown() override {
        unsetenv("XDG_CACHE_HOME");
        engine::remove_tree(m_root);
    }

    JobSpec spec(const fs::path& input, const std::string& output_name = "out.mkv") const {
        JobSpec s;
        s.input = input;
        s.output = m_root / output_name;
        s.upscaler = UpscalerKind::FlashVSR;
        s.model.model_dir = m_root / "models";
        s.model.device = "cpu";
        s.scale = 2;
        s.threads = 1;
        s.output_settings.codec = io::VideoCodec::FFV1;
        s.output_settings.quality = io::QualityPreset::Lossless;
        s.output_settings.hardware_encoder = false;
        s.retention = CheckpointRetention::Keep;
        return s;
    }

    struct Outcome {
        Status status;
        JobSummary summary;
        std::vector<JobProgress> progress;
    };
    Outcome run(const JobSpec& s,
                Recorder& recorder,
                std::optional<CancelToken> cancel = {},
                int stop_after_segments = -1,
                std::optional<DeviceResources> planning_device = {},
                std::optional<std::uint64_t> work_folder_free_bytes = {}) {
        Outcome outcome;
        std::mutex mutex;
        JobEvents events;
        events.on_progress = [&](const JobProgress& p) {
            std::lock_guard<std::mutex> lock(mutex);
            outcome.progress.push_back(p);
            if (cancel && stop_after_segments >= 0 && p.segments_done >= stop_after_segments) {
                cancel->cancel();
            }
        };
        JobQueue queue({"cpu"});
        SubmitOptions options;
        options.cancel = cancel;
        options.processor_factory = fake_factory(recorder);
        options.planning_device = planning_device;
        options.work_folder_free_bytes = work_folder_free_bytes;
        JobHandle handle = queue.submit(s, events, options);
        outcome.status = handle.wait();
        outcome.summary = handle.summary();
        return outcome;
    }

    Manifest manifest_of(const JobSpec& s) const {
        auto m = read_manifest(checkpoint_dir_for(s) / manifest_file_name(0, -1));
        EXPECT_TRUE(m.ok() && m->has_value());
        return m.ok() && m->has_value() ? **m : Manifest();
    }

    std::string compare_with_bicubic(const fs::path& input, const fs::path& output) const {
        auto in = jobs_test::decode_all(input);
        auto out = jobs_test::decode_all(output);
        if (!in.ok() || !out.ok()) {
            return "cannot decode";
        }
        return jobs_test::compare_frames(*out, jobs_test::bicubic_reference(*in, 2));
    }

    fs::path m_root;
};

bool has_stage(const std::vector<JobProgress>& progress, const std::string& name) {
    return std::any_of(progress.begin(), progress.end(),
                       [&](const JobProgress& p) { return p.stage_name == name; });
}

TEST_F(JobExecutionModel, SceneCutsRestartTheModelAndAreKeptForResume) {
    const fs::path input = m_root / "cuts.mkv";
    const std::vector<std::int64_t> cuts = {30, 75};
    ASSERT_TRUE(jobs_test::write_test_video_with_cuts(input, 120, cuts).ok());
    JobSpec s = spec(input);
    s.segments.max_segment_frames = 40;  // the 45-frame middle shot needs two segments

    Recorder recorder;
    Outcome first = run(s, recorder);
    ASSERT_TRUE(first.status.ok()) << first.status.error().to_string();
    EXPECT_EQ(first.summary.scene_cuts, cuts);
    EXPECT_TRUE(has_stage(first.progress, "detecting scene cuts"));
    EXPECT_EQ(compare_with_bicubic(input, s.output), "");
    // No processor instance (= temporal state) saw frames of two shots, and each shot's first
    // frame was fed to a fresh instance.
    ASSERT_EQ(recorder.instances.size(), 5u);  // shots of 30, 45 (2 parts), 45 (2 parts)
    for (const Instance& instance : recorder.instances) {
        ASSERT_FALSE(instance.frames.empty());
        const auto shot_of = [&](std::int64_t f) {
            return std::count_if(cuts.begin(), cuts.end(), [f](std::int64_t c) { return c <= f; });
        };
        for (std::int64_t f : instance.frames) {
            EXPECT_EQ(shot_of(f), shot_of(instance.frames.front())) << "frame " << f;
        }
    }
    const Manifest m = manifest_of(s);
    EXPECT_EQ(m.plan.scene_cuts, cuts);
    EXPECT_EQ(m.plan.segments[1].input_first, 30);
    EXPECT_EQ(m.plan.segments[0].input_end, 30);

    // The report lists them too.
    std::ifstream report_file(first.summary.report_path);
    auto report = nlohmann::json::parse(report_file);
    EXPECT_EQ(report.at("scene_cuts").get<std::vector<std::int64_t>>(), cuts);
    EXPECT_TRUE(report.at("timings_ms").contains("scene_detection"));
    EXPECT_TRUE(report.contains("predicted_vs_actual"));

    // Interrupted and resumed: the stored cuts are used, nothing is detected again.
    JobSpec again = spec(input, "again.mkv");
    again.segments.max_segment_frames = 40;
    Recorder r2;
    CancelToken cancel;
    Outcome stopped = run(again, r2, cancel, 1);
    ASSERT_FALSE(stopped.status.ok());
    Recorder r3;
    Outcome resumed = run(again, r3);
    ASSERT_TRUE(resumed.status.ok()) << resumed.status.error().to_string();
    EXPECT_GE(resumed.summary.segments_resumed, 1);
    EXPECT_FALSE(has_stage(resumed.progress, "detecting scene cuts"));
    EXPECT_EQ(resumed.summary.scene_cuts, cuts);
    EXPECT_EQ(compare_with_bicubic(input, again.output), "");

    // Off: one segment over the whole clip.
    JobSpec off = spec(input, "off.mkv");
    off.segments.scene_cuts = false;
    Recorder r4;
    Outcome plain = run(off, r4);
    ASSERT_TRUE(plain.status.ok());
    EXPECT_EQ(plain.summary.segments_total, 1);
    EXPECT_TRUE(plain.summary.scene_cuts.empty());
}

TEST_F(JobExecutionModel, OutOfMemoryRetriesTheSegmentWithSmallerTiles) {
    const fs::path input = m_root / "in.mkv";
    ASSERT_TRUE(jobs_test::write_test_video(input, 60, 160, 120).ok());
    JobSpec s = spec(input);
    s.segments.max_segment_frames = 30;  // 3 segments of 20 frames
    s.segments.scene_cuts = false;
    Recorder recorder;
    // From the second instance on, anything but 64-pixel tiles runs out of memory at its 5th
    // frame (after some frames were encoded).
    recorder.out_of_memory = [](int instance, const TileChoice& tiles, int seen) {
        return instance >= 1 && (!tiles.tiled || tiles.tile_size > 64) && seen == 5;
    };
    Outcome outcome = run(s, recorder);
    ASSERT_TRUE(outcome.status.ok()) << outcome.status.error().to_string();
    EXPECT_EQ(outcome.summary.oom_retries, 1);
    EXPECT_EQ(compare_with_bicubic(input, s.output), "");
    EXPECT_TRUE(has_stage(outcome.progress, "retrying segment 1 with smaller tiles"));
    EXPECT_EQ(outcome.progress.back().frames_done, 60);

    // Instances: seg0 untiled; seg1 untiled (failed), seg1 with 64-pixel tiles (half of 160,
    // rounded to 32); seg2 starts with the tiles that worked on this device.
    ASSERT_EQ(recorder.instances.size(), 4u);
    EXPECT_FALSE(recorder.instances[1].tiles.tiled);
    EXPECT_TRUE(recorder.instances[2].tiles.tiled);
    EXPECT_EQ(recorder.instances[2].tiles.tile_size, 64);
    EXPECT_EQ(recorder.instances[3].tiles.tile_size, 64);

    // The manifest records each segment's tiles (they change pixels).
    const Manifest m = manifest_of(s);
    ASSERT_EQ(m.finished.size(), 3u);
    ASSERT_TRUE(m.tiles.has_value());
    EXPECT_FALSE(m.tiles->tiled);
    EXPECT_FALSE(m.finished[0].tiles->tiled);
    EXPECT_TRUE(m.finished[1].tiles->tiled);
    EXPECT_EQ(m.finished[1].tiles->tile_size, 64);
    EXPECT_EQ(m.finished[2].tiles->tile_size, 64);

    std::ifstream report_file(outcome.summary.report_path);
    auto report = nlohmann::json::parse(report_file);
    ASSERT_EQ(report.at("oom_retries").size(), 1u);
    EXPECT_EQ(report.at("oom_retries")[0].at("segment"), 1);
    EXPECT_EQ(report.at("oom_retries")[0].at("to").at("tile_size"), 64);
}

TEST_F(JobExecutionModel, OutOfMemoryAtTheFloorFailsAndKeepsFinishedSegments) {
    const fs::path input = m_root / "in.mkv";
    ASSERT_TRUE(jobs_test::write_test_video(input, 60, 160, 120).ok());
    JobSpec s = spec(input);
    s.segments.max_segment_frames = 34;  // 2 segments of 30 frames
    s.segments.scene_cuts = false;
    Recorder recorder;
    recorder.out_of_memory = [](int instance, const TileChoice&, int seen) {
        return instance >= 1 && seen == 3;
    };
    Outcome outcome = run(s, recorder);
    ASSERT_FALSE(outcome.status.ok());
    const Error& e = outcome.status.error();
    EXPECT_EQ(e.code, ErrorCode::OutOfMemory);
    EXPECT_EQ(e.get("segment"), "1");
    EXPECT_EQ(e.get("oom_retries"), "1");  // untiled -> 64 (half of 160), then the floor
    EXPECT_EQ(e.get("tiles"), "tiles 64x64 (overlap 24, shifted grid), batch 1");
    EXPECT_EQ(outcome.summary.state, JobState::Failed);
    const Manifest m = manifest_of(s);
    ASSERT_EQ(m.finished.size(), 1u);
    EXPECT_EQ(m.finished[0].index, 0);
}

TEST_F(JobExecutionModel, AutoTilesAreChosenOnceAndReusedOnResume) {
    const fs::path input = m_root / "in.mkv";
    ASSERT_TRUE(jobs_test::write_test_video(input, 50, 160, 120).ok());
    JobSpec s = spec(input);
    s.segments.max_segment_frames = 30;
    s.segments.scene_cuts = false;
    s.model.tile_size = 0;  // auto
    // Planned for a (pretend) GPU: by the analytic model (mostly the published weights) the whole
    // 320x240 output does not fit 1.25 GiB in bf16, smaller tiles do.
    s.model.memory_budget = static_cast<std::int64_t>(1.25 * double(1ull << 30));
    DeviceResources gpu;
    gpu.device = "cuda:0";
    gpu.name = "pretend GPU";
    gpu.is_cuda = true;
    gpu.gpu_index = 0;
    gpu.memory_total_bytes = 80ull << 30;
    gpu.memory_free_bytes = 80ull << 30;

    Recorder recorder;
    CancelToken cancel;
    Outcome stopped = run(s, recorder, cancel, 1, gpu);
    ASSERT_FALSE(stopped.status.ok());
    EXPECT_TRUE(has_stage(stopped.progress, "calibrating"));  // a CUDA device is calibrated
    ASSERT_TRUE(stopped.summary.plan.has_value());
    const JobPlan& plan = *stopped.summary.plan;
    EXPECT_TRUE(plan.auto_tiles);
    ASSERT_TRUE(plan.tiles.tiled);
    EXPECT_TRUE(plan.fits);
    EXPECT_EQ(stopped.summary.tiles.tile_size, plan.tiles.tile_size);
    // Instance 0 is the calibration crop (no NVML here: only its speed is used); then segments.
    ASSERT_GE(recorder.instances.size(), 2u);
    ASSERT_TRUE(plan.calibration.has_value());
    EXPECT_FALSE(plan.calibration->memory_measured);
    EXPECT_EQ(plan.basis, PredictionBasis::Calibrated);
    EXPECT_FALSE(recorder.instances[0].tiles.tiled);
    EXPECT_TRUE(recorder.instances[1].tiles.tiled);
    EXPECT_EQ(recorder.instances[1].tiles.tile_size, plan.tiles.tile_size);
    const Manifest m = manifest_of(s);
    ASSERT_TRUE(m.tiles.has_value());
    EXPECT_EQ(m.tiles->tile_size, plan.tiles.tile_size);

    // Resumed with a budget that would pick other tiles: the stored ones are used.
    JobSpec more_memory = s;
    more_memory.model.memory_budget = static_cast<std::int64_t>(64ull << 30);
    Recorder r2;
    Outcome resumed = run(more_memory, r2, {}, -1, gpu);
    ASSERT_TRUE(resumed.status.ok()) << resumed.status.error().to_string();
    EXPECT_GE(resumed.summary.segments_resumed, 1);
    for (const Instance& instance : r2.instances) {
        EXPECT_TRUE(instance.tiles.same_pixels(*m.tiles));
    }
    EXPECT_FALSE(has_stage(resumed.progress, "calibrating"));
    EXPECT_EQ(compare_with_bicubic(input, s.output), "");
    // Progress carries a stage name everywhere; no GPU memory on CPU workers.
    for (const JobProgress& p : resumed.progress) {
        EXPECT_FALSE(p.stage_name.empty());
        EXPECT_TRUE(p.gpu_memory.empty());
    }
}

// A tile-major processor hands its frames out in slices at the end: the runner asks until a call
// appends nothing, so every frame reaches the segment files, in order. The order reaches the
// processor with the job's work folder as its scratch folder, and a checkpoint made tile by tile
// resumes frame by frame (same pixels, same fingerprint).
TEST_F(JobExecutionModel, SlicedFinishDeliversEveryFrameInOrder) {
    const fs::path input = m_root / "in.mkv";
    ASSERT_TRUE(jobs_test::write_test_video(input, 50, 160, 120).ok());
    JobSpec s = spec(input);
    s.segments.max_segment_frames = 30;  // 2 segments of 25 frames, 2 frames of overlap
    s.segments.scene_cuts = false;
    s.model.tiled_dit = true;
    s.model.tile_size = 64;
    s.model.tile_order = ModelTileOrder::TileMajor;

    Recorder recorder;
    recorder.one_frame_per_finish = true;
    CancelToken cancel;
    Outcome stopped = run(s, recorder, cancel, 1);
    ASSERT_FALSE(stopped.status.ok());
    ASSERT_GE(recorder.instances.size(), 1u);
    const Instance& first = recorder.instances[0];
    EXPECT_EQ(first.tiles.order, ModelTileOrder::TileMajor);
    EXPECT_EQ(first.tiles.batch_size, 1);
    EXPECT_EQ(first.scratch_dir, checkpoint_dir_for(s));
    // 27 frames fed (25 + the overlap after it): 27 slices, then the empty call that ends it.
    EXPECT_EQ(first.frames.size(), 27u);
    EXPECT_EQ(first.finish_calls, 28);
    const Manifest m = manifest_of(s);
    ASSERT_EQ(m.finished.size(), 1u);
    ASSERT_TRUE(m.tiles.has_value());
    EXPECT_EQ(m.tiles->order, ModelTileOrder::TileMajor);
    ASSERT_TRUE(stopped.summary.plan.has_value());
    EXPECT_GT(stopped.summary.plan->prediction.scratch_disk_bytes, 0u);
    // The tiles are the progress while no frame comes out; chunk stages are not shown.
    EXPECT_TRUE(has_stage(stopped.progress, "upscaling tile 2/2, chunk 1/1"));
    EXPECT_FALSE(has_stage(stopped.progress, "upscaling chunk 1"));

    // Resumed frame by frame: the finished segment is kept, the other runs in the new order.
    JobSpec frame_major = s;
    frame_major.model.tile_order = ModelTileOrder::FrameMajor;
    Recorder r2;
    r2.one_frame_per_finish = true;
    Outcome resumed = run(frame_major, r2);
    ASSERT_TRUE(resumed.status.ok()) << resumed.status.error().to_string();
    EXPECT_EQ(resumed.summary.segments_resumed, 1);
    ASSERT_EQ(r2.instances.size(), 1u);
    EXPECT_EQ(r2.instances[0].tiles.order, ModelTileOrder::FrameMajor);
    EXPECT_EQ(r2.instances[0].finish_calls, int(r2.instances[0].frames.size()) + 1);
    EXPECT_EQ(compare_with_bicubic(input, s.output), "");
    EXPECT_EQ(resumed.progress.back().frames_done, 50);
}

// Tile by tile, the planner caps the segment length by the work folder's free disk (the scratch
// holds a segment's output several times over); the runner cuts the segments with the cap, and a
// resume keeps the stored length even when more disk is free by then.
TEST_F(JobExecutionModel, TileMajorSegmentsAreCappedByFreeDiskAndKeptOnResume) {
    const fs::path input = m_root / "in.mkv";
    ASSERT_TRUE(jobs_test::write_test_video(input, 60, 160, 120).ok());
    JobSpec s = spec(input);
    s.segments.scene_cuts = false;
    s.model.tiled_dit = true;
    s.model.tile_size = 64;
    s.model.tile_order = ModelTileOrder::TileMajor;
    const std::uint64_t free_disk = 100ull << 20;  // about 30 frames of scratch at 320x240

    InputProbe probe;
    probe.width = 160;
    probe.height = 120;
    probe.frames = 60;
    probe.fps = {25, 1};
    auto cpu = query_device_resources("cpu");
    ASSERT_TRUE(cpu.ok());
    PlannerOptions options;
    options.work_folder_free_bytes = free_disk;
    auto expected = plan_job(s, probe, *cpu, options);
    ASSERT_TRUE(expected.ok());
    const std::int64_t cap = expected->max_segment_frames;
    ASSERT_GE(cap, 25);  // min_segment_frames + 2 x overlap
    ASSERT_LT(cap, 50);  // several segments for 60 frames

    Recorder recorder;
    CancelToken cancel;
    Outcome stopped = run(s, recorder, cancel, 1, std::nullopt, free_disk);
    ASSERT_FALSE(stopped.status.ok());
    const Manifest m = manifest_of(s);
    EXPECT_EQ(m.plan.max_segment_frames, cap);
    ASSERT_GE(m.plan.segments.size(), 2u);
    for (const Segment& segment : m.plan.segments) {
        EXPECT_LE(segment.input_frames(), cap);
    }
    ASSERT_TRUE(stopped.summary.plan.has_value());
    EXPECT_EQ(stopped.summary.plan->max_segment_frames, cap);

    // Plenty of disk now: the stored segments stay (a new cut would not match them).
    Recorder r2;
    Outcome resumed = run(s, r2, {}, -1, std::nullopt, 1ull << 40);
    ASSERT_TRUE(resumed.status.ok()) << resumed.status.error().to_string();
    EXPECT_GE(resumed.summary.segments_resumed, 1);
    EXPECT_EQ(manifest_of(s).plan.segments, m.plan.segments);
    EXPECT_EQ(compare_with_bicubic(input, s.output), "");
}

}  // namespace
}  // namespace engine::jobs
