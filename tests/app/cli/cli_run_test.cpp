// End-to-end runs of the flashvsr binary (which runs every job through engine/jobs) on media
// synthesised here: outputs, streams, exit codes, Ctrl-C and kill -9 followed by a resume that is
// bit-identical to an uninterrupted run, render-farm ranges joined by `flashvsr assemble`, and
// job files.

#include "engine/io/media.h"
#include "engine/io/support/synth_media.h"
#include "engine/io/support/temp_dir.h"
#include "engine/jobs/job_spec.h"
#include "engine/jobs/manifest.h"

#include <gtest/gtest.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <fcntl.h>
#include <fstream>
#include <sstream>
#include <string>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace {
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

struct RunResult {
    int exit_code = -1;  // 128 + signal when killed
    std::string output;  // stdout + stderr
};

std::string read_text(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

// Starts the CLI with stdout and stderr going to `log`.
pid_t start_cli(const std::vector<std::string>& args, const fs::path& log) {
    pid_t pid = ::fork();
    if (pid == 0) {
        int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fd >= 0) {
            ::dup2(fd, STDOUT_FILENO);
            ::dup2(fd, STDERR_FILENO);
        }
        std::vector<char*> argv;
        argv.push_back(const_cast<char*>(FVSR_CLI_PATH));
        for (const auto& a : args) {
            argv.push_back(const_cast<char*>(a.c_str()));
        }
        argv.push_back(nullptr);
        ::execv(FVSR_CLI_PATH, argv.data());
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

RunResult run_cli(const std::vector<std::string>& args, const fs::path& log) {
    RunResult r;
    r.exit_code = wait_exit(start_cli(args, log));
    r.output = read_text(log);
    return r;
}

std::vector<engine::Frame> decode_all(const fs::path& path) {
    engine::io::SourceOptions so;
    so.input = path;
    std::vector<engine::Frame> frames;
    auto source = engine::io::open_source(so);
    if (!source.ok()) {
        ADD_FAILURE() << source.error().to_string();
        return frames;
    }
    while (true) {
        auto f = (*source)->next();
        if (!f.ok() || !f->has_value()) {
            break;
        }
        frames.push_back(std::move(**f));
    }
    return frames;
}

std::int64_t count_frames(const fs::path& path) {
    return static_cast<std::int64_t>(decode_all(path).size());
}

// "" when equal, else where they differ.
std::string compare_videos(const fs::path& a, const fs::path& b) {
    auto fa = decode_all(a);
    auto fb = decode_all(b);
    if (fa.size() != fb.size()) {
        return std::to_string(fa.size()) + " vs " + std::to_string(fb.size()) + " frames";
    }
    for (std::size_t i = 0; i < fa.size(); ++i) {
        if (fa[i].width != fb[i].width || fa[i].height != fb[i].height ||
            fa[i].data != fb[i].data || fa[i].pts != fb[i].pts) {
            return "frame " + std::to_string(i) + " differs";
        }
    }
    return "";
}

int finished_segments(const fs::path& checkpoint_dir) {
    int n = 0;
    for (const auto& m : engine::jobs::list_manifests(checkpoint_dir)) {
        auto read = engine::jobs::read_manifest(m);
        if (read.ok() && read->has_value()) {
            n += static_cast<int>((*read)->finished.size());
        }
    }
    return n;
}

class CliRunTest : public fvsr_test::TempDirTest {
  protected:
    void SetUp() override {
        fvsr_test::TempDirTest::SetUp();
        // Checkpoints of the CLI runs go under the test's folder, not the user's cache.
        setenv("XDG_CACHE_HOME", path("cache").c_str(), 1);
    }
    void TearDown() override {
        unsetenv("XDG_CACHE_HOME");
        fvsr_test::TempDirTest::TearDown();
    }

    fs::path make_clip(const std::string& name,
                       int frames,
                       bool with_streams,
                       int width = 32,
                       int height = 24) {
        fvsr_test::SynthFile file;
        file.path = path(name);
        fvsr_test::SynthVideo video;
        video.encoder = "ffv1";
        video.pixel_format = AV_PIX_FMT_YUV444P;
        video.width = width;
        video.height = height;
        video.frames = frames;
        file.video = video;
        if (with_streams) {
            fvsr_test::SynthAudio audio;
            audio.encoder = "flac";
            audio.seconds = frames / 25.0;
            file.audio.push_back(audio);
            fvsr_test::SynthSubtitle sub;
            sub.cues = {{0, 100, "hello"}};
            file.subtitles.push_back(sub);
        }
        fvsr_test::write_media(file);
        return file.path;
    }

    // Bicubic x4 into lossless FFV1, so outputs can be compared bit for bit.
    std::vector<std::string> lossless_args(const fs::path& in, const fs::path& out) {
        return {"--input",      in.string(), "--output", out.string(), "--upscaler",
                "bicubic",      "--codec",   "ffv1",     "--threads",  "1",
                "--hw_encoder", "False",     "--scale",  "4"};
    }
};

TEST_F(CliRunTest, BicubicUpscaleKeepsFramesAndStreamsAndWritesAReport) {
    fs::path in = make_clip("in clip é.mkv", 12, true);
    fs::path out = path("out 2x.mkv");
    RunResult r = run_cli({"--input", in.string(), "--output", out.string(), "--upscaler",
                           "bicubic", "--scale", "2", "--codec", "ffv1"},
                          path("log.txt"));
    ASSERT_EQ(r.exit_code, 0) << r.output;
    ASSERT_TRUE(fs::exists(out));
    EXPECT_EQ(count_frames(out), 12);
    fvsr_test::FileRecord rec = fvsr_test::inspect(out);
    ASSERT_EQ(rec.streams.size(), 3u);
    EXPECT_EQ(rec.streams[0].width, 64);
    EXPECT_EQ(rec.streams[0].height, 48);
    auto src_audio = fvsr_test::read_packets(in, 1);
    auto out_audio = fvsr_test::read_packets(out, 1);
    ASSERT_EQ(src_audio.size(), out_audio.size());
    for (std::size_t i = 0; i < src_audio.size(); ++i) {
        EXPECT_EQ(src_audio[i].data, out_audio[i].data) << "audio packet " << i;
    }
    // The run report beside the output; the checkpoint is gone after success.
    const std::string report = read_text(fs::path(out.string() + ".report.json"));
    EXPECT_NE(report.find("\"state\": \"succeeded\""), std::string::npos) << report;
    // What the issue asks of it: settings, model identity, versions, timings, peak memory.
    for (const char* key :
         {"\"spec\"", "\"settings_fingerprint\"", "\"model\"", "\"builtin:bicubic\"",
          "\"versions\"", "libavcodec", "\"timings_ms\"", "\"upscale\"", "\"assemble\"",
          "\"peak_memory\"", "\"process_rss_bytes\"", "\"gpus\""}) {
        EXPECT_NE(report.find(key), std::string::npos) << key << " in " << report;
    }
    EXPECT_NE(r.output.find("wrote 12 frames"), std::string::npos) << r.output;
    EXPECT_FALSE(fs::exists(path("cache/flashvsr-studio/jobs")) &&
                 !fs::is_empty(path("cache/flashvsr-studio/jobs")));

    // --report puts it elsewhere.
    fs::path out2 = path("out2.mkv");
    fs::path report2 = path("reports/run.json");
    fs::create_directories(report2.parent_path());
    RunResult r2 = run_cli({"-i", in.string(), "-o", out2.string(), "--upscaler", "bicubic",
                            "--quiet", "--report", report2.string()},
                           path("log2.txt"));
    ASSERT_EQ(r2.exit_code, 0) << r2.output;
    EXPECT_TRUE(fs::exists(report2));
    EXPECT_FALSE(fs::exists(out2.string() + ".report.json"));
    EXPECT_EQ(r2.output.find("frames"), std::string::npos) << r2.output;  // --quiet
}

TEST_F(CliRunTest, MaxFramesAndPicturesOutput) {
    fs::path in = make_clip("in.mkv", 10, false);
    fs::path out = path("frames");
    RunResult r =
        run_cli({"-i", in.string(), "-o", out.string(), "--upscaler", "lanczos", "--output_mode",
                 "pictures", "--output_format", "png", "--max_frames", "4", "--quiet"},
                path("log.txt"));
    ASSERT_EQ(r.exit_code, 0) << r.output;
    int pngs = 0;
    for (const auto& e : fs::directory_iterator(out)) {
        pngs += e.path().extension() == ".png";
    }
    EXPECT_EQ(pngs, 4);
}

TEST_F(CliRunTest, ExitCodesAndMessagesForBadInput) {
    RunResult missing =
        run_cli({"--input", path("nope.mp4").string(), "--upscaler", "bicubic"}, path("log1.txt"));
    EXPECT_EQ(missing.exit_code, 10) << missing.output;
    EXPECT_NE(missing.output.find("nope.mp4"), std::string::npos);

    std::ofstream(path("empty.mp4")).close();
    RunResult empty =
        run_cli({"--input", path("empty.mp4").string(), "--upscaler", "bicubic"}, path("log2.txt"));
    EXPECT_EQ(empty.exit_code, 11) << empty.output;

    RunResult bad_option = run_cli({"--input", "x", "--scale", "9"}, path("log3.txt"));
    EXPECT_EQ(bad_option.exit_code, 2) << bad_option.output;
    EXPECT_NE(bad_option.output.find("--scale"), std::string::npos);

    fs::path in = make_clip("in.mkv", 3, false);
    RunResult no_model = run_cli({"--input", in.string(), "--model_dir", path("no-model").string()},
                                 path("log4.txt"));
    EXPECT_EQ(no_model.exit_code, 50) << no_model.output;
    EXPECT_NE(no_model.output.find("--upscaler bicubic"), std::string::npos);

    RunResult hlg = run_cli({"--input", in.string(), "--hdr_preprocess", "hlg"}, path("log5.txt"));
    EXPECT_EQ(hlg.exit_code, 2) << hlg.output;
    EXPECT_NE(hlg.output.find("not supported"), std::string::npos) << hlg.output;

    RunResult no_job = run_cli({"--job", path("missing.json").string()}, path("log6.txt"));
    EXPECT_EQ(no_job.exit_code, 10) << no_job.output;

    // An SDR source cannot be asked for a PQ <-> HLG conversion; a matching request is fine.
    RunResult transfer = run_cli(
        {"--input", in.string(), "--upscaler", "bicubic", "--hdr_transfer", "hdr10", "--print-job"},
        path("log7.txt"));
    EXPECT_EQ(transfer.exit_code, 0) << transfer.output;
}

TEST_F(CliRunTest, ExistingOutputIsNeverReplacedSilently) {
    fs::path in = make_clip("in.mkv", 3, false);
    fs::path out = path("out.mkv");
    std::ofstream(out) << "precious";
    RunResult r = run_cli(
        {"--input", in.string(), "--output", out.string(), "--upscaler", "bicubic", "--quiet"},
        path("log.txt"));
    EXPECT_EQ(r.exit_code, 32) << r.output;
    EXPECT_EQ(read_text(out), "precious");
    for (const auto& e : fs::directory_iterator(dir())) {
        EXPECT_EQ(e.path().filename().string().find(".partial-"), std::string::npos) << e.path();
    }
}

TEST_F(CliRunTest, VersionHelpDevicesProbe) {
    RunResult v = run_cli({"--version"}, path("v.txt"));
    EXPECT_EQ(v.exit_code, 0);
    EXPECT_NE(v.output.find("LibTorch"), std::string::npos);
    EXPECT_NE(v.output.find("libavcodec"), std::string::npos);
    RunResult h = run_cli({"--help"}, path("h.txt"));
    EXPECT_EQ(h.exit_code, 0);
    EXPECT_NE(h.output.find("--master_addr"), std::string::npos);
    RunResult d = run_cli({"devices"}, path("d.txt"));
    EXPECT_EQ(d.exit_code, 0);
    EXPECT_NE(d.output.find("cpu"), std::string::npos);
    RunResult p = run_cli({"probe", make_clip("p.mkv", 2, true).string()}, path("p.txt"));
    EXPECT_EQ(p.exit_code, 0) << p.output;
    EXPECT_NE(p.output.find("32x24"), std::string::npos);
    EXPECT_NE(p.output.find("audio flac"), std::string::npos);
}

TEST_F(CliRunTest, PrintJobWritesAJobFileThatRuns) {
    fs::path in = make_clip("in.mkv", 6, false);
    fs::path out = path("out.mkv");
    std::vector<std::string> args = lossless_args(in, out);
    args.insert(args.end(), {"--seed", "5", "--master_port", "29500", "--print-job"});
    RunResult printed = run_cli(args, path("job.json"));
    ASSERT_EQ(printed.exit_code, 0) << printed.output;
    auto spec = engine::jobs::job_spec_from_json(printed.output);
    ASSERT_TRUE(spec.ok()) << printed.output;
    EXPECT_EQ(spec->output, out);
    EXPECT_EQ(spec->upscaler, engine::jobs::UpscalerKind::Bicubic);
    EXPECT_EQ(spec->model.seed, 5u);
    EXPECT_FALSE(fs::exists(out));  // printed, not run

    RunResult ran = run_cli({"--job", path("job.json").string()}, path("log.txt"));
    ASSERT_EQ(ran.exit_code, 0) << ran.output;
    EXPECT_EQ(count_frames(out), 6);
    EXPECT_EQ(fvsr_test::inspect(out).streams.at(0).width, 128);
}

// Ctrl-C (SIGINT) and kill -9 after the first finished segment, then the same command again:
// the output equals an uninterrupted run's, frame for frame.
TEST_F(CliRunTest, InterruptedRunsResumeBitIdentical) {
    // 100 frames in segments of at most 25 fed frames: 5 segments, so the signal (sent as soon
    // as the manifest lists one) lands while others are still to do.
    fs::path in = make_clip("in.mkv", 100, false, 64, 48);
    auto args_for = [&](const fs::path& out) {
        auto a = lossless_args(in, out);
        a.insert(a.end(), {"--max_segment_frames", "25", "--scene_cuts", "False"});
        return a;
    };
    RunResult reference = run_cli(args_for(path("reference.mkv")), path("ref.txt"));
    ASSERT_EQ(reference.exit_code, 0) << reference.output;

    for (int sig : {SIGINT, SIGKILL}) {
        SCOPED_TRACE(sig == SIGINT ? "SIGINT" : "SIGKILL");
        const fs::path out = path(sig == SIGINT ? "interrupted.mkv" : "killed.mkv");
        const fs::path checkpoint = path(sig == SIGINT ? "ckpt-int" : "ckpt-kill");
        auto args = args_for(out);
        args.insert(args.end(), {"--checkpoint_dir", checkpoint.string()});
        pid_t pid = start_cli(args, path("first.txt"));
        const auto deadline = Clock::now() + std::chrono::seconds(30);
        bool exited = false;
        int code = -1;
        while (Clock::now() < deadline && finished_segments(checkpoint) < 1) {
            int status = 0;
            if (::waitpid(pid, &status, WNOHANG) == pid) {
                exited = true;
                code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
                break;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        }
        ASSERT_FALSE(exited) << "finished before it could be interrupted (exit " << code
                             << "): " << read_text(path("first.txt"));
        ::kill(pid, sig);
        code = wait_exit(pid);
        const std::string first = read_text(path("first.txt"));
        if (sig == SIGINT) {
            EXPECT_EQ(code, 4) << first;  // Cancelled
            EXPECT_NE(first.find("Run the same command again to resume"), std::string::npos)
                << first;
            EXPECT_NE(first.find(checkpoint.string()), std::string::npos) << first;
        } else {
            EXPECT_EQ(code, 128 + SIGKILL);
        }
        ASSERT_FALSE(fs::exists(out));
        const int kept = finished_segments(checkpoint);
        EXPECT_GE(kept, 1);

        RunResult resumed = run_cli(args, path("resumed.txt"));
        ASSERT_EQ(resumed.exit_code, 0) << resumed.output;
        EXPECT_NE(resumed.output.find("resumed: "), std::string::npos) << resumed.output;
        EXPECT_EQ(compare_videos(path("reference.mkv"), out), "");
        EXPECT_FALSE(fs::exists(checkpoint));  // removed after success
    }
}

// A job whose checkpoint says it finished and whose output verifies is done: the same command
// says so and succeeds without touching the output (the engine tests kill -9 the job right after
// the output's rename; a kept checkpoint leaves the same state behind).
TEST_F(CliRunTest, FinishedJobRunAgainIsAlreadyDone) {
    fs::path in = make_clip("in.mkv", 60, true);
    fs::path out = path("out.mkv");
    const fs::path checkpoint = path("ckpt");
    auto args = lossless_args(in, out);
    args.insert(args.end(), {"--checkpoint_dir", checkpoint.string(), "--max_segment_frames", "25",
                             "--scene_cuts", "False"});
    auto keep = args;
    keep.push_back("--keep_checkpoint");
    RunResult first = run_cli(keep, path("a.txt"));
    ASSERT_EQ(first.exit_code, 0) << first.output;
    ASSERT_GE(finished_segments(checkpoint), 2);
    const std::string made = read_text(out);

    RunResult again = run_cli(keep, path("b.txt"));
    ASSERT_EQ(again.exit_code, 0) << again.output;
    EXPECT_NE(again.output.find("already done"), std::string::npos) << again.output;
    EXPECT_EQ(again.output.find("wrote "), std::string::npos) << again.output;
    EXPECT_EQ(read_text(out), made);
    EXPECT_GE(finished_segments(checkpoint), 2);  // kept, as asked

    RunResult cleaned = run_cli(args, path("c.txt"));
    ASSERT_EQ(cleaned.exit_code, 0) << cleaned.output;
    EXPECT_NE(cleaned.output.find("already done"), std::string::npos) << cleaned.output;
    EXPECT_FALSE(fs::exists(checkpoint));
    EXPECT_EQ(read_text(out), made);

    // Nothing left to prove it: the output is in the way again.
    RunResult refused = run_cli(args, path("d.txt"));
    EXPECT_EQ(refused.exit_code, 32) << refused.output;  // OutputExists
    EXPECT_EQ(read_text(out), made);
}

TEST_F(CliRunTest, ChangedSettingsAreRefusedOnResume) {
    fs::path in = make_clip("in.mkv", 30, false);
    fs::path out = path("out.mkv");
    const fs::path checkpoint = path("ckpt");
    auto args = lossless_args(in, out);
    args.insert(args.end(), {"--checkpoint_dir", checkpoint.string(), "--segments_only",
                             "--end_frame", "10", "--quiet"});
    ASSERT_EQ(run_cli(args, path("a.txt")).exit_code, 0);
    EXPECT_GE(finished_segments(checkpoint), 1);

    auto changed = args;
    changed.insert(changed.end(), {"--scale", "2"});
    RunResult refused = run_cli(changed, path("b.txt"));
    EXPECT_EQ(refused.exit_code, 90) << refused.output;  // CheckpointMismatch
    EXPECT_NE(refused.output.find("--clean-checkpoint"), std::string::npos) << refused.output;

    changed.push_back("--clean-checkpoint");
    RunResult restarted = run_cli(changed, path("c.txt"));
    EXPECT_EQ(restarted.exit_code, 0) << restarted.output;
}

// Render farm: two machines run disjoint frame ranges into one shared checkpoint folder, then
// `flashvsr assemble` joins them; the result equals a single run.
TEST_F(CliRunTest, AssembleJoinsTwoRanges) {
    fs::path in = make_clip("in.mkv", 40, true);
    const fs::path shared = path("shared");
    const fs::path out = path("joined.mkv");
    RunResult single = run_cli(lossless_args(in, path("single.mkv")), path("single.txt"));
    ASSERT_EQ(single.exit_code, 0) << single.output;

    for (auto [first, end] : {std::pair<const char*, const char*>{"0", "22"}, {"22", "-1"}}) {
        auto args = lossless_args(in, out);
        args.insert(args.end(), {"--first_frame", first, "--end_frame", end, "--segments_only",
                                 "--checkpoint_dir", shared.string()});
        RunResult range = run_cli(args, path(std::string("range") + first + ".txt"));
        ASSERT_EQ(range.exit_code, 0) << range.output;
        EXPECT_NE(range.output.find("flashvsr assemble"), std::string::npos) << range.output;
        EXPECT_FALSE(fs::exists(out));
    }
    auto assemble = lossless_args(in, out);
    assemble.insert(assemble.begin(), "assemble");
    assemble.insert(assemble.end(), {"--checkpoint_dir", shared.string()});
    auto with_report = assemble;
    with_report.insert(with_report.end(), {"--report", path("farm-report.json").string()});
    RunResult joined = run_cli(with_report, path("assemble.txt"));
    ASSERT_EQ(joined.exit_code, 0) << joined.output;
    EXPECT_EQ(compare_videos(path("single.mkv"), out), "");
    EXPECT_EQ(fvsr_test::inspect(out).streams.size(), 3u);  // audio and subtitles too
    // The run report where --report asked, with both ranges' own reports inside.
    const std::string report = read_text(path("farm-report.json"));
    EXPECT_NE(report.find("\"command\": \"assemble\""), std::string::npos) << report;
    EXPECT_NE(report.find("\"ranges\""), std::string::npos) << report;
    EXPECT_NE(report.find("\"versions\""), std::string::npos) << report;
    EXPECT_FALSE(fs::exists(out.string() + ".report.json"));
    EXPECT_NE(joined.output.find("report " + path("farm-report.json").string()), std::string::npos)
        << joined.output;

    // Assembling again without --overwrite refuses to replace the output.
    auto again = assemble;
    again.push_back("--keep_checkpoint");
    EXPECT_NE(run_cli(again, path("again.txt")).exit_code, 0);
}

// --multi_gpu splits even a short clip into one segment per worker (CPU workers stand in for
// GPUs here); a resume with another worker count keeps the first run's split instead of
// refusing the checkpoint.
TEST_F(CliRunTest, MultiGpuSplitsPerWorkerAndResumesWithAnotherCount) {
    fs::path in = make_clip("in.mkv", 66, false);
    fs::path out = path("out.mkv");
    const fs::path checkpoint = path("ckpt");
    auto args = lossless_args(in, out);
    args.insert(args.end(), {"--multi_gpu", "--checkpoint_dir", checkpoint.string(),
                             "--keep_checkpoint", "--overwrite", "True", "--scene_cuts", "False"});
    auto three = args;
    three.insert(three.end(), {"--devices", "cpu,cpu,cpu"});
    RunResult first = run_cli(three, path("a.txt"));
    ASSERT_EQ(first.exit_code, 0) << first.output;
    EXPECT_EQ(finished_segments(checkpoint), 3);
    EXPECT_EQ(count_frames(out), 66);

    auto two = args;
    two.insert(two.end(), {"--devices", "cpu,cpu"});
    RunResult second = run_cli(two, path("b.txt"));
    ASSERT_EQ(second.exit_code, 0) << second.output;
    EXPECT_NE(second.output.find("resumed: 3 of 3 segments"), std::string::npos) << second.output;
    EXPECT_EQ(count_frames(out), 66);
}

// `flashvsr plan` and `--plan` print the planner's prediction and what auto chose, run nothing.
TEST_F(CliRunTest, PlanPrintsThePredictionAndTheAutoChoice) {
    fs::path in = make_clip("in.mkv", 8, false, 96, 64);
    RunResult classic =
        run_cli({"plan", "-i", in.string(), "--upscaler", "bicubic"}, path("a.txt"));
    ASSERT_EQ(classic.exit_code, 0) << classic.output;
    for (const char* part : {"untiled", "96x64, 8 frames", "temp disk", "peak host", "time"}) {
        EXPECT_NE(classic.output.find(part), std::string::npos) << part << classic.output;
    }
    RunResult tiles = run_cli({"-i", in.string(), "--tiled_dit", "True", "--tile_size", "auto",
                               "--memory_budget", "64", "--device", "cpu", "--plan"},
                              path("b.txt"));
    ASSERT_EQ(tiles.exit_code, 0) << tiles.output;
    EXPECT_NE(tiles.output.find("(chosen by auto)"), std::string::npos) << tiles.output;
    EXPECT_NE(tiles.output.find("tile order   "), std::string::npos) << tiles.output;
    EXPECT_FALSE(fs::exists(path("in_4x.mkv")));
}

// The tiny model tiled, tile by tile (scratch files in the job's work folder) and frame by frame:
// the same frames bit for bit, two segments each (the runner drains finish() slice by slice).
TEST_F(CliRunTest, TileOrdersGiveTheSameVideo) {
    const std::string maker = FVSR_MAKE_TEST_MODEL_PATH;
    if (maker.empty()) {
        GTEST_SKIP() << "flashvsr-make-test-model is not built in this configuration";
    }
    fs::path model = path("model");
    ASSERT_EQ(std::system(("'" + maker + "' '" + model.string() + "' > /dev/null").c_str()), 0);
    fs::path in = make_clip("in.mkv", 30, false, 96, 64);
    auto run_order = [&](const std::string& order) {
        fs::path out = path("out_" + order + ".mkv");
        RunResult r = run_cli({"--input",
                               in.string(),
                               "--output",
                               out.string(),
                               "--model_dir",
                               model.string(),
                               "--scale",
                               "2",
                               "--codec",
                               "ffv1",
                               "--tiled_dit",
                               "True",
                               "--tile_size",
                               "64",
                               "--tile_shift",
                               "False",
                               "--tile_order",
                               order.c_str(),
                               "--max_segment_frames",
                               "25",
                               "--scene_cuts",
                               "False",
                               "--checkpoint_dir",
                               path("ckpt_" + order).string(),
                               "--quiet"},
                              path("log_" + order + ".txt"));
        EXPECT_EQ(r.exit_code, 0) << r.output;
        return out;
    };
    const fs::path tile = run_order("tile");
    const fs::path frame = run_order("frame");
    EXPECT_EQ(count_frames(tile), 30);
    EXPECT_EQ(compare_videos(tile, frame), "");
}

TEST_F(CliRunTest, FlashVsrUpscaleWithTinyTestModel) {
    const std::string maker = FVSR_MAKE_TEST_MODEL_PATH;
    if (maker.empty()) {
        GTEST_SKIP() << "flashvsr-make-test-model is not built in this configuration";
    }
    fs::path model = path("model");
    ASSERT_EQ(std::system(("'" + maker + "' '" + model.string() + "' > /dev/null").c_str()), 0);
    fs::path in = make_clip("in.mkv", 5, true);
    fs::path out = path("out.mkv");
    RunResult r = run_cli({"--input", in.string(), "--output", out.string(), "--model_dir",
                           model.string(), "--scale", "4", "--codec", "ffv1", "--quiet"},
                          path("log.txt"));
    ASSERT_EQ(r.exit_code, 0) << r.output;
    EXPECT_EQ(count_frames(out), 5);
    fvsr_test::FileRecord rec = fvsr_test::inspect(out);
    ASSERT_FALSE(rec.streams.empty());
    EXPECT_EQ(rec.streams[0].width, 128);
    EXPECT_EQ(rec.streams[0].height, 96);
}

}  // namespace
