// A real crash: the job runs in a child process (fvsr_job_runner) that is killed with SIGKILL at
// random moments (after a random number of finished segments, plus a random delay), then resumed;
// the final output must equal an uninterrupted run's, frame for frame.

#include "engine/core/paths.h"
#include "engine/jobs/job_queue.h"
#include "engine/jobs/manifest.h"
#include "engine/jobs/support/media.h"

#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <random>
#include <signal.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace engine::jobs {
namespace {
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

pid_t start_runner(const fs::path& spec_file) {
    pid_t pid = ::fork();
    if (pid == 0) {
        // Quiet child: its messages would interleave with the test's.
        FILE* devnull = std::fopen("/dev/null", "w");
        if (devnull != nullptr) {
            ::dup2(::fileno(devnull), STDERR_FILENO);
            ::dup2(::fileno(devnull), STDOUT_FILENO);
        }
        ::execl(FVSR_JOB_RUNNER, FVSR_JOB_RUNNER, spec_file.c_str(), static_cast<char*>(nullptr));
        ::_exit(127);
    }
    return pid;
}

int wait_exit(pid_t pid) {
    int status = 0;
    ::waitpid(pid, &status, 0);
    if (WIFEXITED(status)) {
        return WEXITSTATUS(status);
    }
    return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : -1;
}

TEST(JobRunnerKill, ResumesAfterSigkillAtRandomMoments) {
    const fs::path root = fs::temp_directory_path() / ("fvsr-kill-" + std::to_string(::getpid()));
    engine::remove_tree(root);
    fs::create_directories(root);
    setenv("XDG_CACHE_HOME", (root / "cache").c_str(), 1);
    const fs::path input = root / "input.mkv";
    ASSERT_TRUE(jobs_test::write_test_video(input, 96).ok());

    JobSpec spec;
    spec.input = input;
    spec.upscaler = UpscalerKind::Bicubic;
    spec.scale = 4;
    spec.threads = 1;
    spec.output_settings.codec = io::VideoCodec::FFV1;
    spec.output_settings.quality = io::QualityPreset::Lossless;
    spec.output_settings.hardware_encoder = false;
    spec.segments.max_segment_frames = 25;  // 5 segments

    // The uninterrupted reference (in process: same code, no process start-up to wait for).
    JobSpec reference = spec;
    reference.output = root / "reference.mkv";
    auto reference_run = run_job(reference);
    ASSERT_TRUE(reference_run.ok()) << reference_run.error().to_string();

    JobSpec killed = spec;
    killed.output = root / "killed.mkv";
    const fs::path killed_spec = root / "killed.json";
    std::ofstream(killed_spec) << to_json(killed);
    const fs::path manifest = checkpoint_dir_for(killed) / manifest_file_name(0, -1);
    auto finished_segments = [&]() -> int {
        auto m = read_manifest(manifest);
        EXPECT_TRUE(m.ok()) << m.error().to_string();  // never torn, whenever we look
        return m.ok() && m->has_value() ? static_cast<int>((*m)->finished.size()) : -1;
    };

    // Each attempt waits until the child has finished a random number of segments (5 = all, so
    // the kill hits the assembly), then kills it a random few milliseconds later.
    std::mt19937 rng(20240611);
    std::uniform_int_distribution<int> target(0, 5);
    std::uniform_int_distribution<int> delay_ms(0, 120);
    int kills = 0;
    std::string log;
    const auto deadline = Clock::now() + std::chrono::seconds(40);
    for (int attempt = 0; attempt < 3 && !fs::exists(killed.output); ++attempt) {
        const int wanted = target(rng);
        pid_t pid = start_runner(killed_spec);
        int status = 0;
        bool exited = false;
        while (Clock::now() < deadline && finished_segments() < wanted) {
            if (::waitpid(pid, &status, WNOHANG) == pid) {
                exited = true;
                break;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        }
        if (!exited) {
            std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms(rng)));
            ::kill(pid, SIGKILL);
            const int code = wait_exit(pid);
            kills += code == 128 + SIGKILL ? 1 : 0;
            log += " [wanted " + std::to_string(wanted) + ", had " +
                   std::to_string(finished_segments()) + ", exit " + std::to_string(code) + "]";
        } else {
            log += " [finished first]";
        }
    }
    if (!fs::exists(killed.output)) {
        ASSERT_EQ(wait_exit(start_runner(killed_spec)), 0);
    }
    EXPECT_GE(kills, 1);
    std::printf("kills:%s\n", log.c_str());

    auto a = jobs_test::decode_all(reference.output);
    auto b = jobs_test::decode_all(killed.output);
    ASSERT_TRUE(a.ok() && b.ok());
    ASSERT_EQ(a->size(), 96u);
    EXPECT_EQ(jobs_test::compare_frames(*a, *b), "");
    EXPECT_FALSE(fs::exists(checkpoint_dir_for(killed)));
    unsetenv("XDG_CACHE_HOME");
    engine::remove_tree(root);
}

}  // namespace
}  // namespace engine::jobs
