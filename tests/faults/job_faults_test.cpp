// Fault injection on whole jobs (engine::jobs::run_job / JobQueue, bicubic x2, FFV1 lossless,
// small generated videos). Each test ends with: a clear error code, no torn manifest, no
// finished segment lost, and, where resuming makes sense, a resumed output that equals an
// uninterrupted run frame for frame.
//
// Extends tests/engine/jobs (kill -9 after a number of finished segments, a truncated segment,
// a shorter input, a corrupt manifest) with faults at exact moments: SIGKILL just before and
// just after every kind of commit (segment file, manifest, final output) and while a segment
// file is being written; a full disk while segments are written and while the output is
// assembled; a segment damaged without changing its size; an input edited in place, replaced
// frame by frame, or removed; a model folder deleted while its job waits in the queue.

#include "engine/core/paths.h"
#include "engine/jobs/job_queue.h"
#include "engine/jobs/manifest.h"
#include "engine/jobs/support/media.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <fstream>
#include <iterator>
#include <ostream>
#include <set>
#include <signal.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace engine::jobs {
namespace {
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

constexpr int kFrames = 96;
constexpr int kSegments = 4;  // 96 frames, at most 30 per run with overlap 2

struct ChildResult {
    int exit_code = -1;  // the child's status, or 128 + signal
    std::string output;  // its stdout and stderr
};

int wait_exit(pid_t pid) {
    int status = 0;
    ::waitpid(pid, &status, 0);
    if (WIFEXITED(status)) {
        return WEXITSTATUS(status);
    }
    return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : -1;
}

// Starts fvsr_fault_child; its output goes to `log`.
pid_t start_child(const fs::path& spec_file,
                  const std::vector<std::string>& fault,
                  const fs::path& log) {
    std::vector<std::string> args = {FVSR_FAULT_CHILD, spec_file.u8string()};
    args.insert(args.end(), fault.begin(), fault.end());
    pid_t pid = ::fork();
    if (pid == 0) {
        FILE* out = std::fopen(log.c_str(), "w");
        if (out != nullptr) {
            ::dup2(::fileno(out), STDOUT_FILENO);
            ::dup2(::fileno(out), STDERR_FILENO);
        }
        std::vector<char*> argv;
        for (std::string& a : args) {
            argv.push_back(a.data());
        }
        argv.push_back(nullptr);
        ::execv(FVSR_FAULT_CHILD, argv.data());
        ::_exit(127);
    }
    return pid;
}

std::string read_text(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// Temporary files (engine::partial_path_for: ".<name>.partial-<pid>.<ext>") left in `folder`.
std::string partial_files(const fs::path& folder) {
    std::string found;
    std::error_code ec;
    for (fs::directory_iterator it(folder, ec), end; !ec && it != end; it.increment(ec)) {
        const std::string name = it->path().filename().u8string();
        if (name.find(".partial-") != std::string::npos) {
            found += name + " ";
        }
    }
    return found;
}

class JobFaults : public ::testing::Test {
  protected:
    void SetUp() override {
        // Parameterised tests are named "Test/Param": one folder level, not two.
        std::string name = ::testing::UnitTest::GetInstance()->current_test_info()->name();
        std::replace(name.begin(), name.end(), '/', '_');
        m_root =
            fs::temp_directory_path() / ("fvsr-faults-" + std::to_string(::getpid()) + "-" + name);
        engine::remove_tree(m_root);
        fs::create_directories(m_root);
        setenv("XDG_CACHE_HOME", (m_root / "cache").c_str(), 1);
        m_input = m_root / "input.mkv";
        ASSERT_TRUE(jobs_test::write_test_video(m_input, kFrames).ok());
        auto decoded = jobs_test::decode_all(m_input);
        ASSERT_TRUE(decoded.ok()) << decoded.error().to_string();
        m_reference = jobs_test::bicubic_reference(*decoded, 2);
    }
    void TearDown() override {
        unsetenv("XDG_CACHE_HOME");
        engine::remove_tree(m_root);
    }

    JobSpec spec(const std::string& output_name) const {
        JobSpec s;
        s.input = m_input;
        s.output = m_root / output_name;
        s.upscaler = UpscalerKind::Bicubic;
        s.scale = 2;
        s.threads = 1;
        s.output_settings.codec = io::VideoCodec::FFV1;
        s.output_settings.quality = io::QualityPreset::Lossless;
        s.output_settings.hardware_encoder = false;
        s.segments.max_segment_frames = 30;
        s.segments.segment_overlap = 2;
        return s;
    }

    fs::path write_spec(const JobSpec& s) const {
        const fs::path file = m_root / (s.output.filename().u8string() + ".json");
        std::ofstream(file) << to_json(s);
        return file;
    }

    ChildResult run_child(const JobSpec& s, const std::vector<std::string>& fault = {}) const {
        const fs::path log = m_root / (s.output.filename().u8string() + ".log");
        ChildResult r;
        r.exit_code = wait_exit(start_child(write_spec(s), fault, log));
        r.output = read_text(log);
        return r;
    }

    static fs::path manifest_path(const JobSpec& s) {
        return checkpoint_dir_for(s) / manifest_file_name(s.first_frame, s.end_frame);
    }

    // Finished segments the manifest lists (0 without a manifest); fails on a torn one.
    static int finished_segments(const JobSpec& s) {
        auto m = read_manifest(manifest_path(s));
        EXPECT_TRUE(m.ok()) << m.error().to_string();
        return m.ok() && m->has_value() ? static_cast<int>((*m)->finished.size()) : 0;
    }

    std::string compare_output(const fs::path& output) const {
        auto decoded = jobs_test::decode_all(output);
        if (!decoded.ok()) {
            return decoded.error().to_string();
        }
        return jobs_test::compare_frames(*decoded, m_reference);
    }

    // Resumes in a child without faults and checks the result against the reference.
    void resume_and_compare(const JobSpec& s, int resumed_at_least) const {
        const ChildResult r = run_child(s);
        ASSERT_EQ(r.exit_code, 0) << r.output;
        int total = -1;
        int resumed = -1;
        std::sscanf(r.output.c_str(), "segments %d resumed %d", &total, &resumed);
        EXPECT_EQ(total, kSegments) << r.output;
        EXPECT_GE(resumed, resumed_at_least) << r.output;
        EXPECT_EQ(compare_output(s.output), "");
        EXPECT_FALSE(fs::exists(checkpoint_dir_for(s)));
    }

    // Runs in process until `segments` are finished, then cancels (the worker keeps them).
    void run_and_stop_after(const JobSpec& s, int segments) const {
        CancelToken cancel;
        JobEvents events;
        events.on_progress = [cancel, segments](const JobProgress& p) {
            if (p.segments_done >= segments) {
                cancel.cancel();
            }
        };
        auto r = run_job(s, events, cancel);
        ASSERT_FALSE(r.ok());
        ASSERT_EQ(r.error().code, ErrorCode::Cancelled) << r.error().to_string();
    }

    fs::path m_root;
    fs::path m_input;
    std::vector<Frame> m_reference;
};

// SIGKILL right before or right after one commit (a rename of a finished temporary file). The
// first manifest write happens when the job starts (before any segment), the next ones after
// each finished segment. One test per moment, so CTest runs them in parallel.
struct KillPoint {
    const char* name;  // test name suffix
    const char* what;  // substring of the rename's destination
    int ordinal;       // which matching rename (1-based)
    const char* moment;
};

// Names the point in test listings (gtest would print the struct's bytes).
void PrintTo(const KillPoint& point, std::ostream* out) {
    *out << point.name;
}

class JobFaultsKill : public JobFaults, public ::testing::WithParamInterface<KillPoint> {};

TEST_P(JobFaultsKill, SigkillAtCommitResumesBitIdentical) {
    const KillPoint& point = GetParam();
    const JobSpec s = spec("out_final.mkv");
    const ChildResult killed =
        run_child(s, {"--kill-at-rename", point.what, std::to_string(point.ordinal), point.moment});
    ASSERT_EQ(killed.exit_code, 128 + SIGKILL) << killed.output;
    EXPECT_FALSE(fs::exists(s.output));
    // A segment renamed into place but not yet listed is a leftover: it is redone.
    resume_and_compare(s, finished_segments(s));
}

INSTANTIATE_TEST_SUITE_P(
    Commits,
    JobFaultsKill,
    ::testing::Values(KillPoint{"BeforeFirstSegmentRename", "seg_", 1, "before"},
                      KillPoint{"AfterSecondSegmentRename", "seg_", 2, "after"},
                      KillPoint{"BeforeFirstManifestWrite", "manifest_", 1, "before"},
                      KillPoint{"AfterFirstManifestWrite", "manifest_", 1, "after"},
                      KillPoint{"BeforeSecondSegmentListed", "manifest_", 3, "before"},
                      KillPoint{"AfterSecondSegmentListed", "manifest_", 3, "after"},
                      KillPoint{"BeforeOutputRename", "out_final", 1, "before"}),
    [](const ::testing::TestParamInfo<KillPoint>& info) { return std::string(info.param.name); });

// SIGKILL after the final output was renamed into place, before the checkpoint was removed:
// the output is complete; running the job again recognises it as done (success, output
// untouched, checkpoint cleaned up).
TEST_F(JobFaults, SigkillAfterFinalRenameKeepsTheOutput) {
    const JobSpec s = spec("out_done.mkv");
    const ChildResult killed = run_child(s, {"--kill-at-rename", "out_done.mkv", "1", "after"});
    ASSERT_EQ(killed.exit_code, 128 + SIGKILL) << killed.output;
    ASSERT_TRUE(fs::exists(s.output));
    EXPECT_EQ(compare_output(s.output), "");
    const auto written = fs::last_write_time(s.output);
    const ChildResult again = run_child(s);
    EXPECT_EQ(again.exit_code, 0) << again.output;
    EXPECT_EQ(compare_output(s.output), "");
    EXPECT_EQ(fs::last_write_time(s.output), written);
    EXPECT_FALSE(fs::exists(checkpoint_dir_for(s)));
}

// SIGKILL while the encoder is writing a segment's temporary file (polled, so the moment varies
// between the first bytes and the end of the segment).
TEST_F(JobFaults, SigkillWhileWritingSegmentsResumesBitIdentical) {
    const JobSpec s = spec("out.mkv");
    const fs::path dir = checkpoint_dir_for(s);
    std::set<std::string> killed_in;
    for (int attempt = 0; attempt < 2; ++attempt) {
        const fs::path log = m_root / "child.log";
        const pid_t pid = start_child(write_spec(s), {}, log);
        bool killed = false;
        const auto deadline = Clock::now() + std::chrono::seconds(20);
        int status = 0;
        while (!killed && Clock::now() < deadline && ::waitpid(pid, &status, WNOHANG) == 0) {
            std::error_code ec;
            for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
                const std::string file = it->path().filename().u8string();
                std::error_code size_error;
                if (file.rfind(".seg_", 0) == 0 && file.find(".partial-") != std::string::npos &&
                    fs::file_size(it->path(), size_error) > 0 && !size_error &&
                    killed_in.insert(file.substr(0, 27)).second) {
                    ::kill(pid, SIGKILL);
                    killed = true;
                    break;
                }
            }
            std::this_thread::sleep_for(std::chrono::microseconds(500));
        }
        if (!killed) {
            break;  // finished (or failed) before a new segment started; checked below
        }
        EXPECT_EQ(wait_exit(pid), 128 + SIGKILL);
        EXPECT_GE(finished_segments(s), 0);
    }
    EXPECT_GE(killed_in.size(), 1u);
    resume_and_compare(s, 0);
}

// A full disk while the first segment is written: DiskFull, nothing half-written left behind
// as if it were finished, and the job completes once there is room again.
TEST_F(JobFaults, DiskFullDuringSegmentsThenResume) {
    const JobSpec s = spec("out.mkv");
    const ChildResult full = run_child(s, {"--file-size-limit", "16384"});
    ASSERT_EQ(full.exit_code, static_cast<int>(ErrorCode::DiskFull)) << full.output;
    EXPECT_FALSE(fs::exists(s.output));
    EXPECT_EQ(finished_segments(s), 0);
    EXPECT_EQ(partial_files(checkpoint_dir_for(s)), "");
    resume_and_compare(s, 0);
}

// A full disk while the segments are joined into the output: every segment stays finished, the
// output is not left half-written, and the resumed run only assembles.
TEST_F(JobFaults, DiskFullDuringAssemblyKeepsEverySegment) {
    // Sizes from an uninterrupted run that keeps its segments.
    JobSpec sizing = spec("sizing.mkv");
    sizing.retention = CheckpointRetention::Keep;
    auto sized = run_job(sizing);
    ASSERT_TRUE(sized.ok()) << sized.error().to_string();
    std::uintmax_t largest_segment = 0;
    for (const auto& entry : fs::directory_iterator(checkpoint_dir_for(sizing))) {
        if (entry.path().filename().u8string().rfind("seg_", 0) == 0) {
            largest_segment = std::max(largest_segment, entry.file_size());
        }
    }
    const std::uintmax_t output_size = fs::file_size(sizing.output);
    ASSERT_GT(largest_segment, 0u);
    ASSERT_LT(2 * largest_segment, output_size) << "segments too large for this test";

    const JobSpec s = spec("out.mkv");
    const ChildResult full =
        run_child(s, {"--file-size-limit", std::to_string(2 * largest_segment)});
    ASSERT_EQ(full.exit_code, static_cast<int>(ErrorCode::DiskFull)) << full.output;
    EXPECT_FALSE(fs::exists(s.output));
    EXPECT_EQ(partial_files(m_root), "");
    EXPECT_EQ(finished_segments(s), kSegments);
    resume_and_compare(s, kSegments);
}

// A finished segment damaged in place (same size, different bytes): its hash no longer matches
// the manifest, so it is redone; the others are kept.
TEST_F(JobFaults, CorruptedFinishedSegmentIsRedone) {
    const JobSpec s = spec("out.mkv");
    run_and_stop_after(s, 2);
    auto m = read_manifest(manifest_path(s));
    ASSERT_TRUE(m.ok() && m->has_value());
    const int listed = static_cast<int>((*m)->finished.size());
    ASSERT_GE(listed, 2);
    const fs::path damaged = checkpoint_dir_for(s) / (*m)->finished.front().files.front().name;
    const std::uintmax_t size = fs::file_size(damaged);
    {
        std::fstream file(damaged, std::ios::in | std::ios::out | std::ios::binary);
        file.seekp(static_cast<std::streamoff>(size / 2));
        const std::string noise(64, '\x5a');
        file.write(noise.data(), static_cast<std::streamsize>(noise.size()));
    }
    ASSERT_EQ(fs::file_size(damaged), size);

    auto r = run_job(s);
    ASSERT_TRUE(r.ok()) << r.error().to_string();
    EXPECT_EQ(r->segments_resumed, listed - 1);
    EXPECT_EQ(compare_output(s.output), "");
}

// The input edited in place (same size, new modification time) between runs: refused with
// InputChanged and the checkpoint kept, until a clean start.
TEST_F(JobFaults, InputEditedInPlaceIsInputChanged) {
    JobSpec s = spec("out.mkv");
    run_and_stop_after(s, 1);
    const std::uintmax_t size = fs::file_size(m_input);
    {
        std::fstream file(m_input, std::ios::in | std::ios::out | std::ios::binary);
        file.seekp(static_cast<std::streamoff>(size / 2));
        file.put('\x01');
    }
    fs::last_write_time(m_input, fs::last_write_time(m_input) + std::chrono::seconds(5));
    auto r = run_job(s);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, ErrorCode::InputChanged) << r.error().to_string();
    EXPECT_GE(finished_segments(s), 1);
}

// A picture-folder input whose frame 10 was replaced by a different picture: InputChanged.
TEST_F(JobFaults, ReplacedInputPictureIsInputChanged) {
    const fs::path folder = m_root / "frames";
    ASSERT_TRUE(jobs_test::write_test_pictures(folder, kFrames).ok());
    JobSpec s = spec("pictures_out.mkv");
    s.input = folder;
    s.input_fps = Rational{25, 1};
    run_and_stop_after(s, 1);
    std::vector<fs::path> frames;
    for (const auto& entry : fs::directory_iterator(folder)) {
        frames.push_back(entry.path());
    }
    std::sort(frames.begin(), frames.end());
    ASSERT_EQ(frames.size(), std::size_t(kFrames));
    fs::copy_file(frames[11], frames[10], fs::copy_options::overwrite_existing);
    auto r = run_job(s);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, ErrorCode::InputChanged) << r.error().to_string();
}

// The input removed between runs: a clear FileNotFound naming it, and the finished segments are
// kept, so putting the file back resumes.
TEST_F(JobFaults, RemovedInputKeepsCheckpointForLater) {
    const JobSpec s = spec("out.mkv");
    run_and_stop_after(s, 2);
    const int finished = finished_segments(s);
    const fs::path moved = m_root / "moved.mkv";
    fs::rename(m_input, moved);
    auto r = run_job(s);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, ErrorCode::FileNotFound) << r.error().to_string();
    EXPECT_EQ(r.error().get("path"), m_input.u8string()) << r.error().to_string();
    EXPECT_EQ(finished_segments(s), finished);

    fs::rename(moved, m_input);
    auto resumed = run_job(s);
    ASSERT_TRUE(resumed.ok()) << resumed.error().to_string();
    EXPECT_EQ(resumed->segments_resumed, finished);
    EXPECT_EQ(compare_output(s.output), "");
}

// Three jobs on one CPU worker; the FlashVSR job's model folder is deleted while the first job
// runs. The FlashVSR job fails with ModelFileMissing; the jobs before and after it succeed.
TEST_F(JobFaults, ModelFolderRemovedMidQueue) {
#ifndef FVSR_MAKE_TEST_MODEL
    GTEST_SKIP() << "flashvsr-make-test-model is not built (needs engine_model)";
#else
    const fs::path model = m_root / "model";
    const std::string make = std::string(FVSR_MAKE_TEST_MODEL) + " '" + model.u8string() + "' > '" +
                             (m_root / "make_model.log").u8string() + "' 2>&1";
    ASSERT_EQ(std::system(make.c_str()), 0) << read_text(m_root / "make_model.log");
    ASSERT_TRUE(fs::exists(model / "TCDecoder.ckpt"));

    JobSpec flashvsr = spec("flashvsr_out.mkv");
    flashvsr.upscaler = UpscalerKind::FlashVSR;
    flashvsr.scale = 4;
    flashvsr.model.model_dir = model;
    flashvsr.model.device = "cpu";
    flashvsr.model.mode = ModelMode::Tiny;

    std::atomic<bool> removed{false};
    JobEvents first_events;
    first_events.on_progress = [&removed, model](const JobProgress&) {
        if (!removed.exchange(true)) {
            std::error_code ec;
            engine::remove_tree(model, ec);
        }
    };
    JobQueue queue({"cpu"});
    JobHandle first = queue.submit(spec("first.mkv"), first_events);
    JobHandle missing = queue.submit(flashvsr);
    JobHandle last = queue.submit(spec("last.mkv"));

    ASSERT_TRUE(first.wait_for(std::chrono::seconds(60)));
    ASSERT_TRUE(missing.wait_for(std::chrono::seconds(60)));
    ASSERT_TRUE(last.wait_for(std::chrono::seconds(60)));
    EXPECT_TRUE(removed.load());
    EXPECT_TRUE(first.wait().ok()) << first.wait().error().to_string();
    const Status failed = missing.wait();
    ASSERT_FALSE(failed.ok());
    EXPECT_EQ(failed.error().code, ErrorCode::ModelFileMissing) << failed.error().to_string();
    EXPECT_EQ(missing.state(), JobState::Failed);
    EXPECT_FALSE(fs::exists(flashvsr.output));
    EXPECT_TRUE(last.wait().ok()) << last.wait().error().to_string();
    EXPECT_EQ(compare_output(m_root / "first.mkv"), "");
    EXPECT_EQ(compare_output(m_root / "last.mkv"), "");
#endif
}

}  // namespace
}  // namespace engine::jobs
