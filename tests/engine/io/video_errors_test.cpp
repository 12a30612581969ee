// Bad inputs and bad output locations: each gives its own ErrorCode, with the path in context,
// and never crashes or leaves a file under the final name.

#include "engine/core/paths.h"
#include "engine/io/support/synth_media.h"
#include "engine/io/support/temp_dir.h"
#include "engine/io/video_file.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <csignal>
#include <fstream>
#include <iterator>
#include <random>
#include <sys/resource.h>
#include <unistd.h>

namespace engine::io {
namespace {

namespace fs = std::filesystem;

class VideoErrorsTest : public fvsr_test::TempDirTest {
  protected:
    Error open_error(const fs::path& input) {
        SourceOptions o;
        o.input = input;
        auto source = open_video_source(o);
        if (source.ok()) {
            ADD_FAILURE() << "opened " << input;
            return Error();
        }
        EXPECT_EQ(source.error().get("path"), input.u8string());
        EXPECT_FALSE(source.error().detail.empty());
        return source.error();
    }

    // Reads every frame; returns the first error (Ok code when there was none).
    Error decode_error(const fs::path& input) {
        SourceOptions o;
        o.input = input;
        auto source = open_video_source(o);
        if (!source.ok()) {
            return source.error();
        }
        for (;;) {
            auto next = source.value()->next();
            if (!next.ok()) {
                return next.error();
            }
            if (!next.value()) {
                return Error();
            }
        }
    }

    fs::path make_video(const std::string& name,
                        const std::string& encoder = "ffv1",
                        int frames = 8) {
        fvsr_test::SynthFile file;
        file.path = path(name);
        fvsr_test::SynthVideo v;
        v.encoder = encoder;
        v.frames = frames;
        if (encoder == "libx264") {
            v.encoder_options = {{"preset", "ultrafast"}};
        }
        file.video = v;
        fvsr_test::write_media(file);
        return file.path;
    }

    static void truncate_to(const fs::path& p, double fraction) {
        fs::resize_file(
            p, static_cast<std::uintmax_t>(static_cast<double>(fs::file_size(p)) * fraction));
    }

    SinkOptions sink_options(const fs::path& output) {
        SinkOptions o;
        o.output = output;
        o.codec = VideoCodec::FFV1;
        o.width = 64;
        o.height = 48;
        o.hardware_encoder = false;
        return o;
    }
};

TEST_F(VideoErrorsTest, MissingFile) {
    EXPECT_EQ(open_error(path("nope.mkv")).code, ErrorCode::FileNotFound);
}

TEST_F(VideoErrorsTest, EmptyFile) {
    { std::ofstream(path("empty.mp4")); }
    EXPECT_EQ(open_error(path("empty.mp4")).code, ErrorCode::FileEmpty);
}

TEST_F(VideoErrorsTest, TruncatedMatroskaAndMp4) {
    const fs::path mkv = make_video("cut.mkv");
    truncate_to(mkv, 0.6);
    Error e = open_error(mkv);
    EXPECT_EQ(e.code, ErrorCode::FileTruncated) << e.to_string();

    // mp4 with the index (moov) at the end, cut in the media data.
    const fs::path mp4 = make_video("cut.mp4", "libx264");
    truncate_to(mp4, 0.5);
    e = open_error(mp4);
    EXPECT_EQ(e.code, ErrorCode::FileTruncated) << e.to_string();
}

TEST_F(VideoErrorsTest, CorruptPacketData) {
    const fs::path mkv = make_video("corrupt.mkv", "libx264");
    // Overwrite the start of the first video packet's payload (its NAL length prefixes) with
    // 0xFF bytes; the container around it stays intact.
    const auto packets = fvsr_test::read_packets(mkv, 0);
    ASSERT_FALSE(packets.empty());
    std::string bytes;
    {
        std::ifstream in(mkv, std::ios::binary);
        bytes.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
    const std::string payload(packets[0].data.begin(), packets[0].data.begin() + 32);
    const std::size_t at = bytes.find(payload);
    ASSERT_NE(at, std::string::npos);
    std::fill(bytes.begin() + static_cast<std::ptrdiff_t>(at),
              bytes.begin() + static_cast<std::ptrdiff_t>(at + 16), '\xFF');
    {
        std::ofstream out(mkv, std::ios::binary | std::ios::trunc);
        out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    }
    Error e = decode_error(mkv);
    EXPECT_EQ(e.code, ErrorCode::FileCorrupt) << e.to_string();
    EXPECT_EQ(e.get("path"), mkv.u8string());
}

TEST_F(VideoErrorsTest, NotAMediaFile) {
    std::mt19937 rng(7);
    {
        std::ofstream f(path("noise.mp4"), std::ios::binary);
        for (int i = 0; i < 50000; ++i) {
            f.put(static_cast<char>(rng()));
        }
    }
    EXPECT_EQ(open_error(path("noise.mp4")).code, ErrorCode::UnsupportedFormat);
    { std::ofstream(path("notes.mkv")) << "just some text, not a video\n"; }
    EXPECT_EQ(open_error(path("notes.mkv")).code, ErrorCode::UnsupportedFormat);
}

TEST_F(VideoErrorsTest, UnsupportedPixelFormat) {
    // 4-bit packed RGB: FFmpeg decodes it, libswscale cannot read it.
    fvsr_test::SynthFile file;
    file.path = path("bgr4.nut");
    fvsr_test::SynthVideo v;
    v.encoder = "rawvideo";
    v.pixel_format = AV_PIX_FMT_BGR4;
    v.frames = 2;
    file.video = v;
    fvsr_test::write_media(file);
    Error e = open_error(file.path);
    EXPECT_EQ(e.code, ErrorCode::UnsupportedPixelFormat) << e.to_string();
    EXPECT_EQ(e.get("pixel_format"), "bgr4");
}

TEST_F(VideoErrorsTest, ZeroFrameVideo) {
    // A video track without frames. (FFmpeg 5.1's Matroska muxer writes an unreadable file
    // without packets and its mp4 demuxer drops empty tracks; AVI keeps the track.)
    const fs::path p = make_video("zero.avi", "ffv1", 0);
    EXPECT_EQ(open_error(p).code, ErrorCode::ZeroFrames);
}

TEST_F(VideoErrorsTest, AudioOnlyFile) {
    fvsr_test::SynthFile file;
    file.path = path("sound.mka");
    file.audio = {fvsr_test::SynthAudio{}};
    fvsr_test::write_media(file);
    EXPECT_EQ(open_error(file.path).code, ErrorCode::NoVideoStream);
}

TEST_F(VideoErrorsTest, UnreadableFile) {
    // Reading /proc/self/mem at offset 0 fails with EIO: an unreadable file even for root.
    SourceOptions o;
    o.input = "/proc/self/mem";
    auto source = open_video_source(o);
    ASSERT_FALSE(source.ok());
    EXPECT_EQ(source.error().code, ErrorCode::FileUnreadable);
    if (::geteuid() != 0) {
        const fs::path p = make_video("locked.mkv");
        fs::permissions(p, fs::perms::none);
        EXPECT_EQ(open_error(p).code, ErrorCode::FileUnreadable);
    }
}

TEST_F(VideoErrorsTest, PathsWithSpacesColonsAndNonAscii) {
    fs::create_directories(path("dossier été 日本"));
    const fs::path input = path("dossier été 日本") / "clip: ñ 1.mkv";
    fvsr_test::SynthFile file;
    file.path = input;
    fvsr_test::SynthVideo v;
    v.frames = 3;
    file.video = v;
    fvsr_test::write_media(file);
    EXPECT_EQ(decode_error(input).code, ErrorCode::Ok);

    const fs::path output = path("dossier été 日本") / "sortie: ü.mkv";
    SourceOptions so;
    so.input = input;
    auto source = open_video_source(so);
    ASSERT_TRUE(source.ok());
    SinkOptions o = sink_options(output);
    o.passthrough_from = input;
    auto sink = open_video_sink(o);
    ASSERT_TRUE(sink.ok()) << sink.error().to_string();
    for (;;) {
        auto next = source.value()->next();
        ASSERT_TRUE(next.ok());
        if (!next.value()) {
            break;
        }
        ASSERT_TRUE(sink.value()->write(*next.value()).ok());
    }
    ASSERT_TRUE(sink.value()->finish().ok());
    EXPECT_EQ(decode_error(output).code, ErrorCode::Ok);

    Error missing = open_error(path("dossier été 日本") / "absent ü.mkv");
    EXPECT_EQ(missing.code, ErrorCode::FileNotFound);
}

TEST_F(VideoErrorsTest, UnwritableOutputLocations) {
    auto missing_folder = open_video_sink(sink_options(path("no such folder") / "out.mkv"));
    ASSERT_FALSE(missing_folder.ok());
    EXPECT_EQ(missing_folder.error().code, ErrorCode::OutputNotWritable);
    EXPECT_EQ(missing_folder.error().get("path"), (path("no such folder") / "out.mkv").u8string());

    auto in_proc = open_video_sink(sink_options("/proc/fvsr-video-test.mkv"));
    ASSERT_FALSE(in_proc.ok());
    EXPECT_EQ(in_proc.error().code, ErrorCode::OutputNotWritable) << in_proc.error().to_string();

    auto folder = open_video_sink(sink_options(dir()));
    ASSERT_FALSE(folder.ok());
    EXPECT_EQ(folder.error().code, ErrorCode::OutputNotWritable);

    if (::geteuid() != 0) {
        fs::create_directories(path("locked"));
        fs::permissions(path("locked"), fs::perms::owner_read | fs::perms::owner_exec);
        auto locked = open_video_sink(sink_options(path("locked") / "out.mkv"));
        ASSERT_FALSE(locked.ok());
        EXPECT_EQ(locked.error().code, ErrorCode::OutputNotWritable);
        fs::permissions(path("locked"), fs::perms::owner_all);
    }
}

TEST_F(VideoErrorsTest, InvalidOutputOptions) {
    SinkOptions unknown_ext = sink_options(path("out.xyz123"));
    auto a = open_video_sink(unknown_ext);
    ASSERT_FALSE(a.ok());
    EXPECT_EQ(a.error().code, ErrorCode::InvalidArgument);

    SinkOptions ffv1_mp4 = sink_options(path("out.mp4"));
    auto b = open_video_sink(ffv1_mp4);
    ASSERT_FALSE(b.ok());
    EXPECT_EQ(b.error().code, ErrorCode::InvalidArgument);
    EXPECT_EQ(b.error().get("suggested_container"), "mkv");

    SinkOptions odd = sink_options(path("odd.mkv"));
    odd.codec = VideoCodec::H264;
    odd.width = 63;
    auto c = open_video_sink(odd);
    ASSERT_FALSE(c.ok());
    EXPECT_EQ(c.error().code, ErrorCode::InvalidArgument);

    SinkOptions depth = sink_options(path("depth.mkv"));
    depth.codec = VideoCodec::H264;
    depth.bit_depth = 16;
    auto d = open_video_sink(depth);
    ASSERT_FALSE(d.ok());
    EXPECT_EQ(d.error().code, ErrorCode::InvalidArgument);

    auto e = open_video_sink(sink_options(path("nothing.mkv")));
    ASSERT_TRUE(e.ok());
    Status empty = e.value()->finish();
    ASSERT_FALSE(empty.ok());
    EXPECT_EQ(empty.error().code, ErrorCode::ZeroFrames);
    EXPECT_FALSE(fs::exists(path("nothing.mkv")));
}

TEST_F(VideoErrorsTest, FullDiskIsDiskFull) {
    // A file-size limit makes write() fail with EFBIG exactly as a full disk fails with ENOSPC.
    struct rlimit saved {};
    ASSERT_EQ(::getrlimit(RLIMIT_FSIZE, &saved), 0);
    auto previous = std::signal(SIGXFSZ, SIG_IGN);
    struct rlimit limited = saved;
    limited.rlim_cur = 256 * 1024;
    ASSERT_EQ(::setrlimit(RLIMIT_FSIZE, &limited), 0);

    const fs::path output = path("full.mkv");
    SinkOptions o = sink_options(output);
    o.bit_depth = 16;
    o.width = 256;
    o.height = 256;
    Error failure;
    {
        auto sink = open_video_sink(o);
        if (sink.ok()) {
            std::uint32_t state = 99;
            for (int i = 0; i < 40 && failure.code == ErrorCode::Ok; ++i) {
                Frame f;
                f.allocate(256, 256, SampleType::U16);
                f.pts = i;
                for (auto& byte : f.data) {
                    state = state * 1664525u + 1013904223u;
                    byte = static_cast<std::uint8_t>(state >> 24);
                }
                Status s = sink.value()->write(f);
                if (!s.ok()) {
                    failure = s.error();
                }
            }
            if (failure.code == ErrorCode::Ok) {
                Status s = sink.value()->finish();
                if (!s.ok()) {
                    failure = s.error();
                }
            }
        } else {
            failure = sink.error();
        }
    }
    ::setrlimit(RLIMIT_FSIZE, &saved);
    std::signal(SIGXFSZ, previous);

    EXPECT_EQ(failure.code, ErrorCode::DiskFull) << failure.to_string();
    EXPECT_EQ(failure.get("path"), output.u8string());
    EXPECT_FALSE(fs::exists(output));
    EXPECT_FALSE(fs::exists(engine::partial_path_for(output)));
}

}  // namespace
}  // namespace engine::io
