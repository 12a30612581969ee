// End-to-end runs of the flashvsr binary on media synthesised here: exit codes, outputs, streams.

#include "engine/io/media.h"
#include "engine/io/support/synth_media.h"
#include "engine/io/support/temp_dir.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <sys/wait.h>

namespace {
namespace fs = std::filesystem;

struct RunResult {
    int exit_code = -1;
    std::string output;  // stdout + stderr
};

std::string quote(const std::string& s) {
    std::string q = "'";
    for (char c : s) {
        q += c == '\'' ? std::string("'\\''") : std::string(1, c);
    }
    return q + "'";
}

RunResult run_cli(const std::vector<std::string>& args, const fs::path& log) {
    std::string command = quote(FVSR_CLI_PATH);
    for (const auto& a : args) {
        command += " " + quote(a);
    }
    command += " > " + quote(log.string()) + " 2>&1";
    int status = std::system(command.c_str());
    RunResult r;
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    std::ifstream in(log);
    std::stringstream ss;
    ss << in.rdbuf();
    r.output = ss.str();
    return r;
}

std::int64_t count_frames(const fs::path& path) {
    engine::io::SourceOptions so;
    so.input = path;
    auto source = engine::io::open_source(so);
    if (!source.ok()) {
        return -1;
    }
    std::int64_t n = 0;
    while (true) {
        auto f = (*source)->next();
        if (!f.ok() || !f->has_value()) {
            break;
        }
        ++n;
    }
    return n;
}

class CliRunTest : public fvsr_test::TempDirTest {
  protected:
    fs::path make_clip(const std::string& name, int frames, bool with_streams) {
        fvsr_test::SynthFile file;
        file.path = path(name);
        fvsr_test::SynthVideo video;
        video.encoder = "ffv1";
        video.pixel_format = AV_PIX_FMT_YUV444P;
        video.width = 32;
        video.height = 24;
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
};

TEST_F(CliRunTest, BicubicUpscaleKeepsFramesAndStreams) {
    fs::path in = make_clip("in clip é.mkv", 12, true);
    fs::path out = path("out 2x.mkv");
    RunResult r = run_cli({"--input", in.string(), "--output", out.string(), "--upscaler",
                           "bicubic", "--scale", "2", "--codec", "ffv1", "--quiet"},
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
}

TEST_F(CliRunTest, ExistingOutputIsNeverReplacedSilently) {
    fs::path in = make_clip("in.mkv", 3, false);
    fs::path out = path("out.mkv");
    std::ofstream(out) << "precious";
    RunResult r = run_cli(
        {"--input", in.string(), "--output", out.string(), "--upscaler", "bicubic", "--quiet"},
        path("log.txt"));
    EXPECT_EQ(r.exit_code, 32) << r.output;
    std::ifstream kept(out);
    std::string content;
    kept >> content;
    EXPECT_EQ(content, "precious");
    for (const auto& e : fs::directory_iterator(dir())) {
        EXPECT_EQ(e.path().filename().string().find(".partial-"), std::string::npos) << e.path();
    }
}

TEST_F(CliRunTest, VersionAndDevices) {
    RunResult v = run_cli({"--version"}, path("v.txt"));
    EXPECT_EQ(v.exit_code, 0);
    EXPECT_NE(v.output.find("LibTorch"), std::string::npos);
    EXPECT_NE(v.output.find("libavcodec"), std::string::npos);
    RunResult d = run_cli({"devices"}, path("d.txt"));
    EXPECT_EQ(d.exit_code, 0);
    EXPECT_NE(d.output.find("cpu"), std::string::npos);
    RunResult p = run_cli({"probe", make_clip("p.mkv", 2, true).string()}, path("p.txt"));
    EXPECT_EQ(p.exit_code, 0) << p.output;
    EXPECT_NE(p.output.find("32x24"), std::string::npos);
    EXPECT_NE(p.output.find("audio flac"), std::string::npos);
}

TEST_F(CliRunTest, FlashVsrUpscaleWithTinyTestModel) {
    const std::string maker = FVSR_MAKE_TEST_MODEL_PATH;
    if (maker.empty()) {
        GTEST_SKIP() << "flashvsr-make-test-model is not built in this configuration";
    }
    fs::path model = path("model");
    ASSERT_EQ(std::system((quote(maker) + " " + quote(model.string()) + " > /dev/null").c_str()),
              0);
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
