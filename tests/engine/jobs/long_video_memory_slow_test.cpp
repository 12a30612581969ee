// [slow] A long synthetic video through the jobs engine (bicubic, CPU): memory stays flat from a
// quarter of the job to its end, and a video longer than the model's 4093-frame position limit is
// cut into segments by itself and joined back to exactly its frame count. Runs as its own CTest
// executable labelled "slow" (about 10 s here); tests/bench/jobs/jobs_memory_bench.cpp prints the
// same measurement in more detail and for the tiny FlashVSR model.

#include "engine/core/paths.h"
#include "engine/jobs/job_queue.h"
#include "engine/jobs/manifest.h"
#include "engine/jobs/support/media.h"
#include "engine/jobs/support/process_memory.h"

#include <gtest/gtest.h>

#include <mutex>
#include <unistd.h>

namespace engine::jobs {
namespace {
namespace fs = std::filesystem;

// Past one run's 4093 frames, so the plan needs a second segment with no option asking for it.
constexpr int kFrames = 4400;
// Resident memory may move a little: the second segment's fresh decoder, processor and encoder
// settle into the allocator's arenas (about 2 MB measured here, once), and the manifest keeps a
// timestamp per frame (8 bytes). A leak of one output frame per frame (64x48 RGB: 9 KB) would
// add about 30 MB over the measured part.
constexpr std::int64_t kAllowedGrowthBytes = 6 << 20;

TEST(LongVideoMemory, ResidentMemoryStaysFlatAndLongVideosAreSegmented) {
    const fs::path root = fs::temp_directory_path() / ("fvsr-long-" + std::to_string(::getpid()));
    engine::remove_tree(root);
    fs::create_directories(root);
    setenv("XDG_CACHE_HOME", (root / "cache").c_str(), 1);
    const fs::path input = root / "long.mkv";
    ASSERT_TRUE(jobs_test::write_test_video(input, kFrames, 32, 24).ok());

    JobSpec spec;
    spec.input = input;
    spec.output = root / "long_2x.mkv";
    spec.upscaler = UpscalerKind::Bicubic;
    spec.scale = 2;
    spec.threads = 1;
    spec.output_settings.codec = io::VideoCodec::FFV1;
    spec.output_settings.quality = io::QualityPreset::Lossless;
    spec.output_settings.hardware_encoder = false;
    spec.retention = CheckpointRetention::Keep;  // to read the plan afterwards

    std::mutex mutex;
    std::vector<jobs_test::MemorySample> samples;
    JobEvents events;
    events.on_progress = [&](const JobProgress& p) {
        if (p.stage != JobStage::Upscaling) {
            return;
        }
        const jobs_test::MemorySample s{p.frames_done, jobs_test::resident_bytes(),
                                        jobs_test::heap_in_use_bytes()};
        std::lock_guard<std::mutex> lock(mutex);
        samples.push_back(s);
    };
    auto r = run_job(spec, events);
    ASSERT_TRUE(r.ok()) << r.error().to_string();

    // Segmented automatically, within the limit, joined to exactly the input's frame count.
    EXPECT_EQ(r->segments_total, 2);
    auto manifest = read_manifest(checkpoint_dir_for(spec) / manifest_file_name(0, -1));
    ASSERT_TRUE(manifest.ok() && manifest->has_value());
    for (const auto& s : (*manifest)->plan.segments) {
        EXPECT_LE(s.input_frames(), kMaxFramesPerRun) << "segment " << s.index;
    }
    EXPECT_EQ((*manifest)->finished_frames(), kFrames);
    io::SourceOptions so;
    so.input = spec.output;
    auto output = io::open_source(so);
    ASSERT_TRUE(output.ok()) << output.error().to_string();
    EXPECT_EQ((*output)->info().frame_count, kFrames);
    EXPECT_EQ((*output)->info().width, 64);

    // Flat: from a quarter of the frames to the end, resident memory grows by less than the limit.
    std::lock_guard<std::mutex> lock(mutex);
    ASSERT_GE(samples.size(), 8u) << "too few progress events to measure";
    const auto quarter = jobs_test::sample_at(samples, 0.25, kFrames);
    std::int64_t highest = quarter.resident;
    for (const auto& s : samples) {
        if (s.frames_done >= quarter.frames_done) {
            highest = std::max(highest, s.resident);
        }
    }
    const auto end = samples.back();
    std::printf(
        "resident at 25%% %.1f MB, highest after %.1f MB, at 100%% %.1f MB; heap in use "
        "%.1f -> %.1f MB; slope %.0f bytes/frame (%zu samples)\n",
        double(quarter.resident) / 1e6, double(highest) / 1e6, double(end.resident) / 1e6,
        double(quarter.heap) / 1e6, double(end.heap) / 1e6,
        jobs_test::resident_slope(samples, 0.25, kFrames), samples.size());
    EXPECT_LT(highest - quarter.resident, kAllowedGrowthBytes);
    EXPECT_LT(end.heap - quarter.heap, kAllowedGrowthBytes);

    unsetenv("XDG_CACHE_HOME");
    engine::remove_tree(root);
}

}  // namespace
}  // namespace engine::jobs
