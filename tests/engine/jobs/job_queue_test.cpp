// End-to-end jobs on the CPU with the bicubic scaler: segmentation, resume, refusals, multiple
// workers, cancellation, frame ranges with a separate assembly, pictures output.

#include "engine/jobs/job_queue.h"

#include "engine/core/paths.h"
#include "engine/jobs/manifest.h"
#include "engine/jobs/support/media.h"

#include <gtest/gtest.h>

#include <atomic>
#include <fstream>
#include <mutex>
#include <set>
#include <unistd.h>

namespace engine::jobs {
namespace {
namespace fs = std::filesystem;

constexpr int kFrames = 120;

class JobsEndToEnd : public ::testing::Test {
  protected:
    void SetUp() override {
        m_root = fs::temp_directory_path() /
                 ("fvsr-jobs-" + std::to_string(::getpid()) + "-" +
                  ::testing::UnitTest::GetInstance()->current_test_info()->name());
        engine::remove_tree(m_root);
        fs::create_directories(m_root);
        setenv("XDG_CACHE_HOME", (m_root / "cache").c_str(), 1);
        m_input = m_root / "input.mkv";
        ASSERT_TRUE(jobs_test::write_test_video(m_input, kFrames).ok());
        auto decoded = jobs_test::decode_all(m_input);
        ASSERT_TRUE(decoded.ok()) << decoded.error().to_string();
        m_reference = jobs_test::bicubic_reference(*decoded, 2);
        ASSERT_EQ(m_reference.size(), std::size_t(kFrames));
    }
    void TearDown() override {
        unsetenv("XDG_CACHE_HOME");
        engine::remove_tree(m_root);
    }

    JobSpec spec(const std::string& output_name = "out.mkv") const {
        JobSpec s;
        s.input = m_input;
        s.output = m_root / output_name;
        s.upscaler = UpscalerKind::Bicubic;
        s.scale = 2;
        s.threads = 1;
        s.output_settings.codec = io::VideoCodec::FFV1;
        s.output_settings.quality = io::QualityPreset::Lossless;
        s.output_settings.hardware_encoder = false;
        s.segments.max_segment_frames = 30;  // 5 segments of 24 frames
        s.segments.segment_overlap = 2;
        return s;
    }

    // Runs until `segments` segments are finished, then cancels: a crash that kept them.
    JobSummary run_and_stop_after(const JobSpec& s, int segments) {
        CancelToken cancel;
        JobEvents events;
        events.on_progress = [cancel, segments](const JobProgress& p) {
            if (p.segments_done >= segments) {
                cancel.cancel();
            }
        };
        auto r = run_job(s, events, cancel);
        EXPECT_FALSE(r.ok());
        if (!r.ok()) {
            EXPECT_EQ(r.error().code, ErrorCode::Cancelled) << r.error().to_string();
        }
        auto m =
            read_manifest(checkpoint_dir_for(s) / manifest_file_name(s.first_frame, s.end_frame));
        EXPECT_TRUE(m.ok() && m->has_value());
        JobSummary summary;
        if (m.ok() && m->has_value()) {
            summary.segments_resumed = static_cast<int>((*m)->finished.size());
            EXPECT_GE(summary.segments_resumed, segments);
            EXPECT_LT(summary.segments_resumed, 5);
        }
        return summary;
    }

    std::string compare_output(const fs::path& output,
                               std::int64_t first = 0,
                               std::int64_t end = kFrames) const {
        auto decoded = jobs_test::decode_all(output);
        if (!decoded.ok()) {
            return decoded.error().to_string();
        }
        std::vector<Frame> expected(m_reference.begin() + first, m_reference.begin() + end);
        return jobs_test::compare_frames(*decoded, expected);
    }

    fs::path m_root;
    fs::path m_input;
    std::vector<Frame> m_reference;
};

TEST_F(JobsEndToEnd, SegmentedJobEqualsUnsegmentedBicubic) {
    JobSpec s = spec();
    std::mutex mutex;
    std::vector<JobState> states;
    std::vector<JobProgress> progress;
    JobEvents events;
    events.on_state = [&](const std::string&, JobState st) {
        std::lock_guard<std::mutex> lock(mutex);
        states.push_back(st);
    };
    events.on_progress = [&](const JobProgress& p) {
        std::lock_guard<std::mutex> lock(mutex);
        progress.push_back(p);
    };
    auto r = run_job(s, events);
    ASSERT_TRUE(r.ok()) << r.error().to_string();
    EXPECT_EQ(r->state, JobState::Succeeded);
    EXPECT_EQ(r->frames_total, kFrames);
    EXPECT_EQ(r->frames_processed, kFrames);
    EXPECT_EQ(r->segments_total, 5);
    EXPECT_EQ(compare_output(s.output), "");

    EXPECT_EQ(states,
              (std::vector<JobState>{JobState::Queued, JobState::Running, JobState::Succeeded}));
    ASSERT_FALSE(progress.empty());
    std::int64_t last_upscaled = 0;
    for (const auto& p : progress) {
        EXPECT_EQ(p.job_id, r->job_id);
        if (p.stage == JobStage::Upscaling) {
            EXPECT_GE(p.frames_done, last_upscaled);
            last_upscaled = p.frames_done;
            EXPECT_EQ(p.frames_total, kFrames);
        }
    }
    EXPECT_EQ(last_upscaled, kFrames);
    EXPECT_EQ(progress.back().stage, JobStage::Done);
    EXPECT_EQ(progress.back().frames_done, kFrames);

    // The checkpoint is gone; the report sits next to the output.
    EXPECT_FALSE(fs::exists(checkpoint_dir_for(s)));
    EXPECT_EQ(r->report_path, fs::path(s.output.u8string() + ".report.json"));
    std::ifstream report(r->report_path);
    std::string text((std::istreambuf_iterator<char>(report)), std::istreambuf_iterator<char>());
    EXPECT_NE(text.find("\"state\": \"succeeded\""), std::string::npos);
    EXPECT_NE(text.find("\"processor\": \"bicubic\""), std::string::npos);
    EXPECT_NE(text.find("process_rss_bytes"), std::string::npos);
}

TEST_F(JobsEndToEnd, ResumeAfterCrashWithTornSegmentIsBitIdentical) {
    JobSpec s = spec();
    run_and_stop_after(s, 2);
    const fs::path dir = checkpoint_dir_for(s);
    auto m = read_manifest(dir / manifest_file_name(0, -1));
    ASSERT_TRUE(m.ok() && m->has_value());
    const int listed = static_cast<int>((*m)->finished.size());
    // The crash tore the last listed chunk, and left an unlisted chunk and a partial file.
    const fs::path torn = dir / (*m)->finished.back().files.front().name;
    fs::resize_file(torn, fs::file_size(torn) / 2);
    std::ofstream(dir / "seg_0000000096_0000000120.mkv") << "leftover";
    std::ofstream(dir / ".seg_0000000072_0000000096.partial-999.mkv") << "partial";

    auto r = run_job(s);
    ASSERT_TRUE(r.ok()) << r.error().to_string();
    EXPECT_EQ(r->segments_resumed, listed - 1);
    EXPECT_EQ(r->frames_processed, kFrames - r->frames_resumed);
    EXPECT_EQ(compare_output(s.output), "");
    EXPECT_FALSE(fs::exists(dir));
}

TEST_F(JobsEndToEnd, ChangedInputIsRefusedUntilCleanStart) {
    JobSpec s = spec();
    run_and_stop_after(s, 1);
    ASSERT_TRUE(jobs_test::write_test_video(m_input, kFrames - 10).ok());
    auto r = run_job(s);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, ErrorCode::InputChanged);
    EXPECT_NE(r.error().detail.find("--clean-checkpoint"), std::string::npos);

    s.resume = ResumePolicy::CleanStart;
    auto clean = run_job(s);
    ASSERT_TRUE(clean.ok()) << clean.error().to_string();
    EXPECT_EQ(clean->frames_total, kFrames - 10);
    EXPECT_EQ(clean->segments_resumed, 0);
}

TEST_F(JobsEndToEnd, ChangedSettingsAreRefused) {
    JobSpec s = spec();
    run_and_stop_after(s, 1);
    JobSpec changed = s;
    changed.scale = 3;
    auto r = run_job(changed);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, ErrorCode::CheckpointMismatch);
    EXPECT_NE(r.error().detail.find("--clean-checkpoint"), std::string::npos);

    // Settings that do not change pixels resume fine.
    JobSpec harmless = s;
    harmless.threads = 2;
    harmless.devices = {"cpu", "cpu"};
    auto ok = run_job(harmless);
    ASSERT_TRUE(ok.ok()) << ok.error().to_string();
    EXPECT_GE(ok->segments_resumed, 1);
    EXPECT_EQ(compare_output(s.output), "");
}

TEST_F(JobsEndToEnd, CorruptManifestIsReported) {
    JobSpec s = spec();
    run_and_stop_after(s, 1);
    const fs::path manifest = checkpoint_dir_for(s) / manifest_file_name(0, -1);
    std::ofstream(manifest, std::ios::trunc) << "{\"format\": \"flashvsr-studio-job-manifest\", ";
    auto r = run_job(s);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, ErrorCode::ManifestCorrupt);
    EXPECT_EQ(r.error().get("path"), manifest.u8string());
}

TEST_F(JobsEndToEnd, CancellationKeepsFinishedSegments) {
    JobSpec s = spec();
    std::vector<Error> errors;
    std::vector<JobState> states;
    CancelToken cancel;
    JobEvents events;
    events.on_progress = [&](const JobProgress& p) {
        if (p.segments_done >= 1) {
            cancel.cancel();
        }
    };
    events.on_error = [&](const std::string&, const Error& e) { errors.push_back(e); };
    events.on_state = [&](const std::string&, JobState st) { states.push_back(st); };
    auto r = run_job(s, events, cancel);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, ErrorCode::Cancelled);
    ASSERT_FALSE(states.empty());
    EXPECT_EQ(states.back(), JobState::Cancelled);
    ASSERT_EQ(errors.size(), 1u);
    EXPECT_EQ(errors[0].code, ErrorCode::Cancelled);
    EXPECT_FALSE(fs::exists(s.output));

    const fs::path dir = checkpoint_dir_for(s);
    auto m = read_manifest(dir / manifest_file_name(0, -1));
    ASSERT_TRUE(m.ok() && m->has_value());
    ASSERT_GE((*m)->finished.size(), 1u);
    for (const auto& rec : (*m)->finished) {
        const fs::path chunk = dir / rec.files.front().name;
        ASSERT_TRUE(fs::exists(chunk));
        EXPECT_EQ(fs::file_size(chunk), rec.files.front().size_bytes);
        EXPECT_EQ(hash_file(chunk).value(), rec.files.front().hash);
        auto frames = jobs_test::decode_all(chunk);
        ASSERT_TRUE(frames.ok());
        std::vector<Frame> expected(m_reference.begin() + rec.first, m_reference.begin() + rec.end);
        EXPECT_EQ(jobs_test::compare_frames(*frames, expected), "");
    }
    // No stray chunks: only listed ones, the manifest and the report.
    for (const auto& e : fs::directory_iterator(dir)) {
        const std::string name = e.path().filename().u8string();
        if (name.rfind("seg_", 0) == 0) {
            EXPECT_TRUE(std::any_of(
                (*m)->finished.begin(), (*m)->finished.end(),
                [&](const SegmentRecord& rec) { return rec.files.front().name == name; }))
                << name;
        }
        EXPECT_EQ(name.find(".partial-"), std::string::npos) << name;
    }
}

TEST_F(JobsEndToEnd, SeveralWorkersSplitOneJobAndResumeWithAnotherCount) {
    // Three CPU workers share the five segments of one job.
    JobSpec s = spec();
    std::mutex mutex;
    std::set<int> devices;
    JobEvents events;
    events.on_progress = [&](const JobProgress& p) {
        std::lock_guard<std::mutex> lock(mutex);
        if (p.stage == JobStage::Upscaling && p.device_index >= 0) {
            devices.insert(p.device_index);
        }
    };
    {
        JobQueue queue({"cpu", "cpu", "cpu"});
        JobHandle handle = queue.submit(s, events);
        ASSERT_TRUE(handle.wait().ok());
        EXPECT_EQ(handle.state(), JobState::Succeeded);
    }
    EXPECT_EQ(compare_output(s.output), "");
    EXPECT_GE(devices.size(), 2u);

    // Started on one worker, resumed on three.
    JobSpec t = spec("out2.mkv");
    run_and_stop_after(t, 1);
    t.devices = {"cpu", "cpu", "cpu"};
    auto r = run_job(t);
    ASSERT_TRUE(r.ok()) << r.error().to_string();
    EXPECT_GE(r->segments_resumed, 1);
    EXPECT_EQ(compare_output(t.output), "");
}

TEST_F(JobsEndToEnd, DifferentJobsRunOnDifferentWorkers) {
    JobQueue queue({"cpu", "cpu"});
    JobSpec a = spec("a.mkv");
    JobSpec b = spec("b.mkv");
    b.segments.max_segment_frames = 0;  // one segment
    JobHandle ha = queue.submit(a);
    JobHandle hb = queue.submit(b);
    EXPECT_NE(ha.job_id(), hb.job_id());
    ASSERT_TRUE(ha.wait().ok());
    ASSERT_TRUE(hb.wait().ok());
    EXPECT_EQ(compare_output(a.output), "");
    EXPECT_EQ(compare_output(b.output), "");
    EXPECT_EQ(hb.summary().segments_total, 1);
}

TEST_F(JobsEndToEnd, FrameRangeJob) {
    JobSpec s = spec();
    s.first_frame = 10;
    s.end_frame = 70;
    auto r = run_job(s);
    ASSERT_TRUE(r.ok()) << r.error().to_string();
    EXPECT_EQ(r->frames_total, 60);
    EXPECT_EQ(compare_output(s.output, 10, 70), "");
}

TEST_F(JobsEndToEnd, FarmRangesIntoSharedFolderThenAssemble) {
    const fs::path shared = m_root / "farm";
    JobSpec whole = spec("farm.mkv");
    whole.checkpoint_dir = shared;
    JobSpec part1 = whole;
    part1.end_frame = 50;
    part1.finish = FinishPolicy::SegmentsOnly;
    JobSpec part2 = whole;
    part2.first_frame = 50;
    part2.finish = FinishPolicy::SegmentsOnly;
    {
        // Two "machines" at once.
        JobQueue queue({"cpu", "cpu"});
        SubmitOptions on_first;
        on_first.workers = {0};
        SubmitOptions on_second;
        on_second.workers = {1};
        JobHandle h1 = queue.submit(part1, {}, on_first);
        JobHandle h2 = queue.submit(part2, {}, on_second);
        ASSERT_TRUE(h1.wait().ok());
        ASSERT_TRUE(h2.wait().ok());
        EXPECT_TRUE(h1.summary().output.empty());
    }
    EXPECT_FALSE(fs::exists(whole.output));
    EXPECT_EQ(list_manifests(shared).size(), 2u);

    JobSpec changed = whole;
    changed.scale = 3;
    auto refused = assemble_job(changed);
    ASSERT_FALSE(refused.ok());
    EXPECT_EQ(refused.error().code, ErrorCode::CheckpointMismatch);

    auto r = assemble_job(whole);
    ASSERT_TRUE(r.ok()) << r.error().to_string();
    EXPECT_EQ(r->frames_total, kFrames);
    EXPECT_EQ(compare_output(whole.output), "");
    EXPECT_TRUE(list_manifests(shared).empty());
}

TEST_F(JobsEndToEnd, AssembleNeedsEveryFrame) {
    const fs::path shared = m_root / "farm";
    JobSpec whole = spec("farm.mkv");
    whole.checkpoint_dir = shared;
    JobSpec part1 = whole;
    part1.end_frame = 50;
    part1.finish = FinishPolicy::SegmentsOnly;
    ASSERT_TRUE(run_job(part1).ok());
    auto r = assemble_job(whole);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, ErrorCode::CheckpointMismatch);
    EXPECT_EQ(r.error().get("missing_frame"), "50");
    EXPECT_FALSE(fs::exists(whole.output));
}

TEST_F(JobsEndToEnd, ExistingOutputIsRefusedBeforeWork) {
    JobSpec s = spec();
    std::ofstream(s.output) << "precious";
    auto r = run_job(s);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, ErrorCode::OutputExists);
    s.output_settings.overwrite = true;
    ASSERT_TRUE(run_job(s).ok());
    EXPECT_EQ(compare_output(s.output), "");
}

TEST_F(JobsEndToEnd, PicturesAreFinalAsWrittenAndResume) {
    JobSpec s = spec("pictures");
    s.output_settings = OutputSettings();
    s.output_settings.mode = io::OutputMode::Pictures;
    s.output_settings.format = "png";
    run_and_stop_after(s, 2);
    auto r = run_job(s);
    ASSERT_TRUE(r.ok()) << r.error().to_string();
    EXPECT_GE(r->segments_resumed, 2);
    EXPECT_EQ(compare_output(s.output), "");
    EXPECT_FALSE(fs::exists(checkpoint_dir_for(s)));
}

}  // namespace
}  // namespace engine::jobs
