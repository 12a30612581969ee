// A job whose output is already its finished result: killed (SIGKILL, in a child process) right
// after the final output was renamed into place but before the checkpoint was removed, or run with
// a kept checkpoint. Running it again must say "already done", succeed without redoing anything,
// clean the checkpoint up and leave the output file exactly as it is; anything that does not
// match (other settings, another file at the output path, a clean start) is still OutputExists.
// Also: assemble_job's run report, and the per-GPU memory helpers of progress events.

#include "engine/core/log.h"
#include "engine/core/paths.h"
#include "engine/jobs/identity.h"
#include "engine/jobs/job_queue.h"
#include "engine/jobs/manifest.h"
#include "engine/jobs/support/media.h"
#include "job_execution.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <atomic>
#include <csignal>
#include <fstream>
#include <mutex>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

namespace engine::jobs {
namespace {
namespace fs = std::filesystem;

constexpr int kFrames = 72;

int run_runner(const fs::path& spec_file, const std::vector<std::string>& extra) {
    pid_t pid = ::fork();
    if (pid == 0) {
        FILE* devnull = std::fopen("/dev/null", "w");
        if (devnull != nullptr) {
            ::dup2(::fileno(devnull), STDERR_FILENO);
            ::dup2(::fileno(devnull), STDOUT_FILENO);
        }
        std::vector<char*> argv = {const_cast<char*>(FVSR_JOB_RUNNER),
                                   const_cast<char*>(spec_file.c_str())};
        for (const auto& a : extra) {
            argv.push_back(const_cast<char*>(a.c_str()));
        }
        argv.push_back(nullptr);
        ::execv(FVSR_JOB_RUNNER, argv.data());
        ::_exit(127);
    }
    int status = 0;
    ::waitpid(pid, &status, 0);
    if (WIFEXITED(status)) {
        return WEXITSTATUS(status);
    }
    return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : -1;
}

// What "not touched" means for a file: same inode, size, modification time and content.
struct FileState {
    ino_t inode = 0;
    std::int64_t mtime_ns = 0;
    std::uint64_t size = 0;
    std::string hash;
    bool operator==(const FileState& o) const {
        return inode == o.inode && mtime_ns == o.mtime_ns && size == o.size && hash == o.hash;
    }
};

FileState file_state(const fs::path& p) {
    FileState s;
    struct stat st {};
    if (::stat(p.c_str(), &st) == 0) {
        s.inode = st.st_ino;
        s.size = static_cast<std::uint64_t>(st.st_size);
    }
    s.mtime_ns = file_mtime_ns(p);
    auto hash = hash_file(p);
    s.hash = hash.ok() ? *hash : "";
    return s;
}

nlohmann::json read_json(const fs::path& p) {
    std::ifstream in(p);
    return nlohmann::json::parse(in, nullptr, false);
}

class FinishedJob : public ::testing::Test {
  protected:
    void SetUp() override {
        m_root = fs::temp_directory_path() /
                 ("fvsr-done-" + std::to_string(::getpid()) + "-" +
                  ::testing::UnitTest::GetInstance()->current_test_info()->name());
        engine::remove_tree(m_root);
        fs::create_directories(m_root);
        setenv("XDG_CACHE_HOME", (m_root / "cache").c_str(), 1);
        m_input = m_root / "input.mkv";
        ASSERT_TRUE(jobs_test::write_test_video(m_input, kFrames).ok());
    }
    void TearDown() override {
        set_log_sink({});
        set_log_level(LogLevel::Warning);
        unsetenv("XDG_CACHE_HOME");
        engine::remove_tree(m_root);
    }

    JobSpec spec(const std::string& output_name = "final_output.mkv") const {
        JobSpec s;
        s.input = m_input;
        s.output = m_root / output_name;
        s.upscaler = UpscalerKind::Bicubic;
        s.scale = 2;
        s.threads = 1;
        s.output_settings.codec = io::VideoCodec::FFV1;
        s.output_settings.quality = io::QualityPreset::Lossless;
        s.output_settings.hardware_encoder = false;
        s.segments.max_segment_frames = 30;  // 3 segments
        s.segments.segment_overlap = 2;
        return s;
    }

    std::string compare_with_bicubic(const fs::path& output) const {
        auto in = jobs_test::decode_all(m_input);
        auto out = jobs_test::decode_all(output);
        if (!in.ok() || !out.ok()) {
            return "cannot decode";
        }
        return jobs_test::compare_frames(*out, jobs_test::bicubic_reference(*in, 2));
    }

    static fs::path manifest_path(const JobSpec& s) {
        return checkpoint_dir_for(s) / manifest_file_name(s.first_frame, s.end_frame);
    }

    struct Outcome {
        Result<JobSummary> result = Error(ErrorCode::Internal, "not run");
        std::vector<JobProgress> progress;
        std::vector<std::string> log;
    };
    Outcome run(const JobSpec& s) {
        Outcome outcome;
        std::mutex mutex;
        set_log_level(LogLevel::Info);
        set_log_sink([&](LogLevel, std::string_view message) {
            std::lock_guard<std::mutex> lock(mutex);
            outcome.log.emplace_back(message);
        });
        JobEvents events;
        events.on_progress = [&](const JobProgress& p) {
            std::lock_guard<std::mutex> lock(mutex);
            outcome.progress.push_back(p);
        };
        outcome.result = run_job(s, events);
        set_log_sink({});
        set_log_level(LogLevel::Warning);
        return outcome;
    }

    static bool logged(const Outcome& o, const std::string& text) {
        return std::any_of(o.log.begin(), o.log.end(),
                           [&](const std::string& line) { return line.find(text) != npos; });
    }
    static constexpr auto npos = std::string::npos;

    fs::path m_root;
    fs::path m_input;
};

// The kill point of the issue: the output's rename happened, the checkpoint clean-up did not.
TEST_F(FinishedJob, KilledAfterTheOutputRenameIsAlreadyDone) {
    const JobSpec s = spec();
    const fs::path spec_file = m_root / "job.json";
    std::ofstream(spec_file) << to_json(s);
    ASSERT_EQ(run_runner(spec_file, {"--kill-after-rename", "final_output.mkv"}), 128 + SIGKILL);
    ASSERT_TRUE(fs::exists(s.output));
    ASSERT_TRUE(fs::exists(manifest_path(s)));  // killed before the clean-up
    EXPECT_FALSE(fs::exists(s.output.u8string() + ".report.json"));
    EXPECT_EQ(compare_with_bicubic(s.output), "");
    const FileState before = file_state(s.output);

    const Outcome again = run(s);
    ASSERT_TRUE(again.result.ok()) << again.result.error().to_string();
    const JobSummary& summary = again.result.value();
    EXPECT_TRUE(summary.already_done);
    EXPECT_EQ(summary.state, JobState::Succeeded);
    EXPECT_EQ(summary.frames_processed, 0);
    EXPECT_EQ(summary.frames_total, kFrames);
    EXPECT_EQ(summary.segments_resumed, summary.segments_total);
    EXPECT_EQ(summary.output, s.output);
    EXPECT_TRUE(file_state(s.output) == before) << "the output was touched";
    EXPECT_FALSE(fs::exists(checkpoint_dir_for(s)));
    EXPECT_TRUE(logged(again, "already done")) << "no log line says so";
    ASSERT_FALSE(again.progress.empty());
    EXPECT_EQ(again.progress.back().stage, JobStage::Done);
    EXPECT_EQ(again.progress.back().stage_name, "already done");
    for (const auto& p : again.progress) {
        EXPECT_NE(p.stage, JobStage::Upscaling);
        EXPECT_NE(p.stage, JobStage::Assembling);
    }
    // The killed run wrote no report; this one does, and says what happened.
    ASSERT_EQ(summary.report_path, fs::path(s.output.u8string() + ".report.json"));
    const auto report = read_json(summary.report_path);
    ASSERT_FALSE(report.is_discarded());
    EXPECT_EQ(report.at("state"), "succeeded");
    EXPECT_EQ(report.at("already_done"), true);

    // And a third run: the checkpoint is gone now, so the output is in the way as before.
    const Outcome third = run(s);
    ASSERT_FALSE(third.result.ok());
    EXPECT_EQ(third.result.error().code, ErrorCode::OutputExists);
    EXPECT_TRUE(file_state(s.output) == before);
}

// A job that kept its checkpoint is finished too; the clean-up follows the spec (kept), and the
// first run's report is not replaced by this one's.
TEST_F(FinishedJob, KeptCheckpointIsAlreadyDoneAndStaysKept) {
    JobSpec s = spec();
    s.retention = CheckpointRetention::Keep;
    auto first = run_job(s);
    ASSERT_TRUE(first.ok()) << first.error().to_string();
    EXPECT_FALSE(first->already_done);
    const FileState before = file_state(s.output);
    const std::string report_before = hash_file(first->report_path).value();

    const Outcome again = run(s);
    ASSERT_TRUE(again.result.ok()) << again.result.error().to_string();
    EXPECT_TRUE(again.result->already_done);
    EXPECT_TRUE(file_state(s.output) == before);
    EXPECT_TRUE(fs::exists(manifest_path(s)));
    EXPECT_EQ(again.result->report_path, first->report_path);
    EXPECT_EQ(hash_file(first->report_path).value(), report_before);

    // Without Keep, the clean-up happens now.
    s.retention = CheckpointRetention::RemoveWhenDone;
    const Outcome third = run(s);
    ASSERT_TRUE(third.result.ok()) << third.result.error().to_string();
    EXPECT_TRUE(third.result->already_done);
    EXPECT_FALSE(fs::exists(checkpoint_dir_for(s)));
    EXPECT_TRUE(file_state(s.output) == before);
}

// A crash in the middle of the clean-up removed the chunks but not yet the manifest (it goes
// last): the manifest alone still proves the job finished.
TEST_F(FinishedJob, CleanUpInterruptedAfterTheChunksIsAlreadyDone) {
    JobSpec s = spec();
    s.retention = CheckpointRetention::Keep;
    ASSERT_TRUE(run_job(s).ok());
    for (const auto& e : fs::directory_iterator(checkpoint_dir_for(s))) {
        if (e.path().extension() == ".mkv") {
            fs::remove(e.path());
        }
    }
    s.retention = CheckpointRetention::RemoveWhenDone;
    const Outcome again = run(s);
    ASSERT_TRUE(again.result.ok()) << again.result.error().to_string();
    EXPECT_TRUE(again.result->already_done);
    EXPECT_FALSE(fs::exists(checkpoint_dir_for(s)));
    EXPECT_EQ(compare_with_bicubic(s.output), "");
}

// What is not this job's finished result stays refused, untouched, with the checkpoint kept.
TEST_F(FinishedJob, AnythingElseAtTheOutputIsStillOutputExists) {
    JobSpec s = spec();
    s.retention = CheckpointRetention::Keep;
    ASSERT_TRUE(run_job(s).ok());
    const fs::path saved = m_root / "saved.mkv";
    fs::copy_file(s.output, saved);

    auto expect_refused = [&](const JobSpec& attempt, const std::string& why) {
        SCOPED_TRACE(why);
        const FileState before = file_state(attempt.output);
        const Outcome o = run(attempt);
        ASSERT_FALSE(o.result.ok());
        EXPECT_EQ(o.result.error().code, ErrorCode::OutputExists) << o.result.error().to_string();
        EXPECT_TRUE(file_state(attempt.output) == before);
        EXPECT_TRUE(fs::exists(manifest_path(s)));
        EXPECT_TRUE(logged(o, "not this job's finished result")) << why;
    };

    // Other settings: another fingerprint than the checkpoint's.
    JobSpec other = s;
    other.upscaler = UpscalerKind::Lanczos;
    expect_refused(other, "other settings");

    // Another video at the output path: fewer frames than the job's.
    fs::remove(s.output);
    ASSERT_TRUE(jobs_test::write_test_video(s.output, kFrames - 1, 128, 96).ok());
    expect_refused(s, "too few frames");
    // Right length, wrong size.
    fs::remove(s.output);
    ASSERT_TRUE(jobs_test::write_test_video(s.output, kFrames, 64, 48).ok());
    expect_refused(s, "wrong size");
    // Not a video at all.
    fs::remove(s.output);
    std::ofstream(s.output) << "precious";
    expect_refused(s, "not a video");

    // The real output again, but a clean start was asked for: refused before anything.
    fs::remove(s.output);
    fs::copy_file(saved, s.output);
    JobSpec clean = s;
    clean.resume = ResumePolicy::CleanStart;
    auto refused = run_job(clean);
    ASSERT_FALSE(refused.ok());
    EXPECT_EQ(refused.error().code, ErrorCode::OutputExists);
}

// A range job (no assembly) never has an output to recognise; an unfinished checkpoint is no
// proof either, even with a complete-looking file at the output path.
TEST_F(FinishedJob, UnfinishedCheckpointIsNotDone) {
    JobSpec s = spec();
    CancelToken cancel;
    JobEvents events;
    events.on_progress = [cancel](const JobProgress& p) {
        if (p.segments_done >= 1) {
            cancel.cancel();
        }
    };
    auto stopped = run_job(s, events, cancel);
    ASSERT_FALSE(stopped.ok());
    ASSERT_EQ(stopped.error().code, ErrorCode::Cancelled);
    // A complete result made elsewhere with the same settings, copied to the output path.
    JobSpec elsewhere = spec("elsewhere.mkv");
    ASSERT_TRUE(run_job(elsewhere).ok());
    fs::copy_file(elsewhere.output, s.output);
    const Outcome o = run(s);
    ASSERT_FALSE(o.result.ok());
    EXPECT_EQ(o.result.error().code, ErrorCode::OutputExists);
    EXPECT_TRUE(logged(o, "unfinished segments"));
}

// flashvsr assemble writes a run report too: the assembly's facts plus every range's own report.
TEST_F(FinishedJob, AssemblyWritesARunReportWithTheRangesReports) {
    const fs::path shared = m_root / "farm";
    JobSpec whole = spec("farm.mkv");
    whole.checkpoint_dir = shared;
    for (auto [first, end] : {std::pair<std::int64_t, std::int64_t>{0, 40}, {40, -1}}) {
        JobSpec part = whole;
        part.first_frame = first;
        part.end_frame = end;
        part.finish = FinishPolicy::SegmentsOnly;
        ASSERT_TRUE(run_job(part).ok());
    }
    auto r = assemble_job(whole);
    ASSERT_TRUE(r.ok()) << r.error().to_string();
    ASSERT_EQ(r->report_path, fs::path(whole.output.u8string() + ".report.json"));
    const auto report = read_json(r->report_path);
    ASSERT_FALSE(report.is_discarded());
    EXPECT_EQ(report.at("format"), "flashvsr-studio-run-report");
    EXPECT_EQ(report.at("command"), "assemble");
    EXPECT_EQ(report.at("state"), "succeeded");
    EXPECT_EQ(report.at("frames").at("total"), kFrames);
    EXPECT_EQ(report.at("settings_fingerprint"), settings_fingerprint(whole));
    EXPECT_TRUE(report.at("spec").is_object());
    for (const char* part : {"flashvsr_studio", "torch", "media"}) {
        EXPECT_FALSE(report.at("versions").at(part).get<std::string>().empty()) << part;
    }
    EXPECT_EQ(report.at("model").at("kind"), "builtin:bicubic");
    EXPECT_GT(report.at("timings_ms").at("assemble").get<double>(), 0.0);
    EXPECT_GE(report.at("timings_ms").at("total").get<double>(),
              report.at("timings_ms").at("assemble").get<double>());
    EXPECT_GT(report.at("peak_memory").at("process_rss_bytes").get<std::int64_t>(), 0);
    ASSERT_EQ(report.at("ranges").size(), 2u);
    for (const auto& range : report.at("ranges")) {
        // Each machine's own report (its timings and GPU peaks), read before the clean-up.
        ASSERT_TRUE(range.at("report").is_object()) << range.dump();
        EXPECT_EQ(range.at("report").at("state"), "succeeded");
        EXPECT_TRUE(range.at("report").at("timings_ms").contains("upscale"));
    }
    EXPECT_EQ(report.at("ranges")[0].at("end"), 40);
    EXPECT_TRUE(list_manifests(shared).empty());
}

// The same for render farms: an assembly that kept its checkpoint (or was stopped before its
// clean-up) is already done when assembled again; another file at the output path is refused.
TEST_F(FinishedJob, AssemblyRunAgainIsAlreadyDone) {
    const fs::path shared = m_root / "farm";
    JobSpec whole = spec("farm.mkv");
    whole.checkpoint_dir = shared;
    for (auto [first, end] : {std::pair<std::int64_t, std::int64_t>{0, 40}, {40, -1}}) {
        JobSpec part = whole;
        part.first_frame = first;
        part.end_frame = end;
        part.finish = FinishPolicy::SegmentsOnly;
        ASSERT_TRUE(run_job(part).ok());
    }
    JobSpec keep = whole;
    keep.retention = CheckpointRetention::Keep;
    auto first = assemble_job(keep);
    ASSERT_TRUE(first.ok()) << first.error().to_string();
    EXPECT_FALSE(first->already_done);
    const FileState before = file_state(whole.output);

    auto again = assemble_job(keep);
    ASSERT_TRUE(again.ok()) << again.error().to_string();
    EXPECT_TRUE(again->already_done);
    EXPECT_TRUE(file_state(whole.output) == before);
    EXPECT_EQ(list_manifests(shared).size(), 2u);

    // A different file at the output path: refused and untouched.
    const fs::path saved = m_root / "saved.mkv";
    fs::rename(whole.output, saved);
    ASSERT_TRUE(jobs_test::write_test_video(whole.output, kFrames - 2, 128, 96).ok());
    const FileState other = file_state(whole.output);
    auto refused = assemble_job(keep);
    ASSERT_FALSE(refused.ok());
    EXPECT_EQ(refused.error().code, ErrorCode::OutputExists);
    EXPECT_TRUE(file_state(whole.output) == other);

    // Back to the real one; without Keep the checkpoint goes now.
    fs::remove(whole.output);
    fs::rename(saved, whole.output);
    auto cleaned = assemble_job(whole);
    ASSERT_TRUE(cleaned.ok()) << cleaned.error().to_string();
    EXPECT_TRUE(cleaned->already_done);
    EXPECT_TRUE(list_manifests(shared).empty());
    EXPECT_TRUE(file_state(whole.output) == before);
}

// Progress of a CPU job carries no GPU memory; the report lists no GPU either.
TEST_F(FinishedJob, CpuJobsReportNoGpuMemory) {
    const Outcome o = run(spec());
    ASSERT_TRUE(o.result.ok()) << o.result.error().to_string();
    ASSERT_FALSE(o.progress.empty());
    for (const auto& p : o.progress) {
        EXPECT_TRUE(p.gpu_memory.empty());
    }
    const auto report = read_json(o.result->report_path);
    EXPECT_TRUE(report.at("peak_memory").at("gpus").empty());
}

TEST(DeviceErrors, LostCudaContextsAreDeviceLost) {
    Error lost = classify_device_error(
        Error(ErrorCode::Internal, "CUDA error: an illegal memory access was encountered"),
        "cuda:1");
    EXPECT_EQ(lost.code, ErrorCode::DeviceLost);
    EXPECT_EQ(lost.get("device"), "cuda:1");
    EXPECT_EQ(classify_device_error(Error(ErrorCode::Internal, "shape mismatch"), "cuda:0").code,
              ErrorCode::Internal);
    EXPECT_EQ(
        classify_device_error(Error(ErrorCode::OutOfMemory, "CUDA out of memory"), "cuda:0").code,
        ErrorCode::OutOfMemory);
}

// A segment that dies with a lost GPU ends the job DeviceLost with the finished segments kept.
TEST_F(FinishedJob, LostDeviceMidJobKeepsFinishedSegments) {
    const JobSpec s = spec();
    std::atomic<int> made{0};
    SubmitOptions options;
    options.processor_factory =
        [&made](const JobSpec& job,
                const ProcessorContext& context) -> Result<std::unique_ptr<FrameProcessor>> {
        if (made.fetch_add(1) == 1) {
            return Error(ErrorCode::Internal,
                         "CUDA error: unspecified launch failure\nCUDA kernel errors might be "
                         "asynchronously reported");
        }
        return make_processor(job, context);
    };
    JobQueue queue({"cpu"});
    JobHandle handle = queue.submit(s, {}, options);
    const Status status = handle.wait();
    ASSERT_FALSE(status.ok());
    EXPECT_EQ(status.error().code, ErrorCode::DeviceLost) << status.error().to_string();
    EXPECT_EQ(status.error().get("device"), "cpu");
    auto m = read_manifest(manifest_path(s));
    ASSERT_TRUE(m.ok() && m->has_value());
    EXPECT_EQ((*m)->finished.size(), 1u);
    EXPECT_FALSE(fs::exists(s.output));
}

TEST(GpuMemoryInProgress, CudaWorkersAreTheJobsGpus) {
    EXPECT_EQ(cuda_ordinals({"cpu", "cpu"}), std::vector<int>{});
    EXPECT_EQ(cuda_ordinals({"cuda:1", "cpu", "cuda", "cuda:1", "cuda:0"}),
              (std::vector<int>{1, 0}));
}

TEST(GpuMemoryInProgress, PeaksFollowTheHighestReadingPerGpu) {
    std::map<int, GpuMemory> peaks;
    auto first = update_gpu_peaks({{0, 5, 80, 0}, {1, 9, 80, 0}}, peaks);
    ASSERT_EQ(first.size(), 2u);
    EXPECT_EQ(first[0].peak_used_bytes, 5u);
    EXPECT_EQ(first[1].peak_used_bytes, 9u);
    auto second = update_gpu_peaks({{0, 3, 80, 0}, {1, 12, 80, 0}}, peaks);
    EXPECT_EQ(second[0].used_bytes, 3u);
    EXPECT_EQ(second[0].peak_used_bytes, 5u);
    EXPECT_EQ(second[1].peak_used_bytes, 12u);
    EXPECT_EQ(peaks.at(0).used_bytes, 5u);
    EXPECT_EQ(peaks.at(1).used_bytes, 12u);
    EXPECT_EQ(peaks.at(1).total_bytes, 80u);
    EXPECT_TRUE(update_gpu_peaks({}, peaks).empty());
}

}  // namespace
}  // namespace engine::jobs
