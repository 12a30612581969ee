#include "engine/io/y4m.h"

#include "engine/io/media.h"
#include "engine/io/support/temp_dir.h"
#include "engine/io/versions.h"
#include "engine/io/video_file.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <fcntl.h>
#include <fstream>
#include <sstream>
#include <thread>
#include <unistd.h>

namespace engine::io {
namespace {

namespace fs = std::filesystem;

// Smooth colour ramps (chroma subsampling of smooth content loses little) plus index motion.
Frame ramp_frame(int width, int height, std::int64_t index, SampleType type) {
    Frame f;
    f.allocate(width, height, SampleType::F32);
    float* p = f.samples<float>();
    for (int y = 0; y < height; ++y) {
        for (int x = 0; x < width; ++x) {
            float* px = p + (static_cast<std::size_t>(y) * width + x) * 3;
            px[0] = 0.1f + 0.8f * float(x) / float(width);
            px[1] = 0.1f + 0.8f * float(y) / float(height);
            px[2] = 0.5f + 0.3f * std::sin(0.2f * float(x + y) + 0.1f * float(index));
        }
    }
    f.index = index;
    f.pts = index;
    f.time_base = {1, 25};
    return type == SampleType::F32 ? f : from_float(f, type, type == SampleType::U8 ? 8 : 16);
}

std::string read_bytes(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

void write_bytes(const fs::path& path, const std::string& bytes) {
    std::ofstream out(path, std::ios::binary);
    out << bytes;
}

SinkOptions sink_options(const fs::path& path, int width, int height, VideoCodec codec, int bits) {
    SinkOptions o;
    o.output = path;
    o.codec = codec;
    o.bit_depth = bits;
    o.width = width;
    o.height = height;
    o.frame_rate = {25, 1};
    o.time_base = {1, 25};
    return o;
}

Status write_video(const SinkOptions& options, int frames, SampleType type) {
    auto sink = open_sink(options);
    if (!sink.ok()) {
        return sink.error();
    }
    for (int k = 0; k < frames; ++k) {
        if (auto st = (*sink)->write(ramp_frame(options.width, options.height, k, type));
            !st.ok()) {
            return st;
        }
    }
    return (*sink)->finish();
}

std::vector<Frame> read_all(const fs::path& path, SampleType type, VideoInfo* info = nullptr) {
    SourceOptions so;
    so.input = path;
    so.preferred_type = type;
    auto source = open_source(so);
    EXPECT_TRUE(source.ok()) << source.error().to_string();
    std::vector<Frame> frames;
    if (!source.ok()) {
        return frames;
    }
    if (info != nullptr) {
        *info = (*source)->info();
    }
    while (true) {
        auto next = (*source)->next();
        EXPECT_TRUE(next.ok()) << next.error().to_string();
        if (!next.ok() || !next->has_value()) {
            break;
        }
        frames.push_back(std::move(**next));
    }
    return frames;
}

// Largest difference between two frames in units of the nominal 0..1 range.
double max_difference(const Frame& a, const Frame& b) {
    double worst = 0;
    for (int y = 0; y < a.height; ++y) {
        for (int x = 0; x < a.width; ++x) {
            for (int c = 0; c < 3; ++c) {
                worst = std::max(worst, double(std::abs(a.value(x, y, c) - b.value(x, y, c))));
            }
        }
    }
    return worst;
}

Error open_error(const std::string& bytes, const fs::path& path) {
    write_bytes(path, bytes);
    SourceOptions so;
    so.input = path;
    auto source = open_source(so);
    EXPECT_FALSE(source.ok());
    return source.ok() ? Error() : source.error();
}

class Y4mTest : public fvsr_test::TempDirTest {};

TEST_F(Y4mTest, RoundTrip444EightBitThroughFile) {
    const fs::path path = this->path("clip.y4m");
    ASSERT_TRUE(
        write_video(sink_options(path, 64, 48, VideoCodec::FFV1, 8), 3, SampleType::U8).ok());
    const std::string bytes = read_bytes(path);
    EXPECT_EQ(bytes.rfind("YUV4MPEG2 W64 H48 F25:1 Ip A1:1 C444 ", 0), 0u) << bytes.substr(0, 80);
    EXPECT_EQ(bytes.size(), bytes.find('\n') + 1 + 3 * (6 + 64 * 48 * 3));
    VideoInfo info;
    auto frames = read_all(path, SampleType::U16, &info);
    ASSERT_EQ(frames.size(), 3u);
    EXPECT_EQ(info.width, 64);
    EXPECT_EQ(info.height, 48);
    EXPECT_EQ(info.pixel_format, "yuv444p");
    EXPECT_EQ(info.container, "yuv4mpegpipe");
    EXPECT_EQ(info.bit_depth, 8);
    EXPECT_EQ(info.frame_count, 3);
    EXPECT_TRUE(info.frame_count_exact);
    EXPECT_EQ(info.frame_rate, (Rational{25, 1}));
    EXPECT_EQ(info.color.range, 1);
    EXPECT_EQ(info.color.matrix, 6);  // untagged rule below 1280x720, written as a tag
    for (int k = 0; k < 3; ++k) {
        EXPECT_EQ(frames[k].type, SampleType::U8);  // 8-bit stream: U8 even when U16 asked
        EXPECT_EQ(frames[k].index, k);
        EXPECT_EQ(frames[k].pts, k);
        // 8-bit limited-range Y'CbCr keeps RGB within 2 codes.
        EXPECT_LE(max_difference(frames[k], ramp_frame(64, 48, k, SampleType::U8)), 2.5 / 255);
    }
}

TEST_F(Y4mTest, RoundTripDeepAndSubsampledLayouts) {
    struct Case {
        VideoCodec codec;
        int bits;
        const char* tag;
        const char* pixel_format;
        double tolerance;
    };
    const Case cases[] = {
        // Subsampled chroma is a block average of a blue ramp that moves by up to 0.06 per
        // pixel, so 4:2:x layouts differ by about that much; 4:4:4 at 16 bits only by rounding.
        {VideoCodec::H264, 10, "C420p10", "yuv420p10le", 0.07},
        {VideoCodec::ProRes422HQ, 12, "C422p12", "yuv422p12le", 0.07},
        {VideoCodec::FFV1, 16, "C444p16", "yuv444p16le", 1e-4},
        {VideoCodec::H265, 8, "C420jpeg", "yuv420p", 0.07},
    };
    for (const Case& c : cases) {
        SCOPED_TRACE(c.tag);
        const fs::path path = this->path(std::string(c.tag) + ".y4m");
        ASSERT_TRUE(
            write_video(sink_options(path, 33, 17, c.codec, c.bits), 2, SampleType::U16).ok());
        EXPECT_NE(read_bytes(path).find(c.tag), std::string::npos);
        VideoInfo info;
        auto frames = read_all(path, SampleType::U16, &info);
        ASSERT_EQ(frames.size(), 2u);
        EXPECT_EQ(info.pixel_format, c.pixel_format);
        EXPECT_EQ(info.bit_depth, c.bits);
        EXPECT_EQ(frames[1].width, 33);
        EXPECT_EQ(frames[1].height, 17);
        EXPECT_LE(max_difference(frames[1], ramp_frame(33, 17, 1, SampleType::F32)), c.tolerance);
    }
}

TEST_F(Y4mTest, RgbFormIsLosslessForFfv1WithRgbMatrix) {
    for (int bits : {8, 16}) {
        SCOPED_TRACE(bits);
        const SampleType type = bits == 8 ? SampleType::U8 : SampleType::U16;
        const fs::path path = this->path("rgb" + std::to_string(bits) + ".y4m");
        SinkOptions o = sink_options(path, 31, 9, VideoCodec::FFV1, bits);
        o.color.matrix = 0;
        ASSERT_TRUE(write_video(o, 2, type).ok());
        EXPECT_NE(read_bytes(path).find("XCOLORRANGE=FULL XFVSR_MATRIX=RGB"), std::string::npos);
        VideoInfo info;
        auto frames = read_all(path, SampleType::U16, &info);
        ASSERT_EQ(frames.size(), 2u);
        EXPECT_EQ(info.color.matrix, 0);
        EXPECT_EQ(info.pixel_format, bits == 8 ? "gbrp" : "gbrp16le");
        EXPECT_EQ(frames[1].data, ramp_frame(31, 9, 1, type).data);
    }
    // RGB is 4:4:4 only.
    const Error e =
        open_error("YUV4MPEG2 W2 H2 C420jpeg XFVSR_MATRIX=RGB\nFRAME\n123456", path("rgb420.y4m"));
    EXPECT_EQ(e.code, ErrorCode::UnsupportedPixelFormat) << e.to_string();
}

TEST_F(Y4mTest, DecodesKnownCodeValuesWithRangeAndMatrix) {
    // 2x1 4:4:4: limited-range white and black, then BT.601 red; full range in a second file.
    const std::string limited = std::string("YUV4MPEG2 W2 H1 F24:1 C444\nFRAME\n") + "\xEB\x10" +
                                "\x80\x80" + "\x80\x80" + "FRAME\n" + "\x51\x51" + "\x5A\x5A" +
                                "\xF0\xF0";
    write_bytes(path("limited.y4m"), limited);
    auto frames = read_all(path("limited.y4m"), SampleType::U8);
    ASSERT_EQ(frames.size(), 2u);
    const auto* s = frames[0].samples<std::uint8_t>();
    EXPECT_EQ(s[0], 255);
    EXPECT_EQ(s[1], 255);
    EXPECT_EQ(s[2], 255);
    EXPECT_EQ(s[3], 0);
    const auto* red = frames[1].samples<std::uint8_t>();
    EXPECT_NEAR(red[0], 255, 2);
    EXPECT_NEAR(red[1], 0, 2);
    EXPECT_NEAR(red[2], 0, 2);

    const std::string full = std::string("YUV4MPEG2 W2 H1 F24:1 C444 XCOLORRANGE=FULL\nFRAME\n") +
                             "\xFF" + std::string(1, '\0') + "\x80\x80\x80\x80";
    write_bytes(path("full.y4m"), full);
    VideoInfo info;
    frames = read_all(path("full.y4m"), SampleType::U8, &info);
    ASSERT_EQ(frames.size(), 1u);
    EXPECT_EQ(info.color.range, 2);
    EXPECT_EQ(frames[0].samples<std::uint8_t>()[0], 255);
    EXPECT_EQ(frames[0].samples<std::uint8_t>()[3], 0);
}

TEST_F(Y4mTest, ProbeFrameRateSeekAndFrameParameters) {
    // FRAME lines may carry parameters; the scan must still find every frame.
    std::string bytes = "YUV4MPEG2 W4 H2 F30000:1001 It A1:1 Cmono\n";
    for (int k = 0; k < 5; ++k) {
        bytes += k == 2 ? "FRAME Ixyz\n" : "FRAME\n";
        bytes += std::string(8, static_cast<char>(16 + 40 * k));
    }
    write_bytes(path("mono.y4m"), bytes);
    SourceOptions so;
    so.input = path("mono.y4m");
    so.first_frame = 2;
    so.max_frames = 2;
    auto source = open_source(so);
    ASSERT_TRUE(source.ok()) << source.error().to_string();
    const VideoInfo& info = (*source)->info();
    EXPECT_EQ(info.frame_count, 5);
    EXPECT_EQ(info.frame_rate, (Rational{30000, 1001}));
    EXPECT_EQ(info.time_base, (Rational{1001, 30000}));
    EXPECT_EQ(info.pixel_format, "gray");
    std::vector<std::int64_t> indices;
    while (true) {
        auto next = (*source)->next();
        ASSERT_TRUE(next.ok());
        if (!next->has_value()) {
            break;
        }
        indices.push_back((*next)->index);
        const int expected =
            static_cast<int>(std::lround((16 + 40 * (*next)->index - 16) * 255.0 / 219));
        EXPECT_NEAR((*next)->samples<std::uint8_t>()[0], expected, 1);
    }
    EXPECT_EQ(indices, (std::vector<std::int64_t>{2, 3}));
}

TEST_F(Y4mTest, BadHeadersAreClearErrors) {
    const std::string frame = "FRAME\n" + std::string(2 * 2 * 3, '\x80');
    struct Case {
        std::string bytes;
        ErrorCode code;
        std::string key;
        std::string value;
    };
    const Case cases[] = {
        {"", ErrorCode::FileEmpty, "", ""},
        {"RIFF....WAVE\n", ErrorCode::FileCorrupt, "reason", "signature"},
        {"YUV4MPEG2 H2 F25:1 C444\n" + frame, ErrorCode::FileCorrupt, "reason", "missing_size"},
        {"YUV4MPEG2 W0 H2 C444\n" + frame, ErrorCode::FileCorrupt, "reason", "bad_size"},
        {"YUV4MPEG2 W2 H2 Cx9\n" + frame, ErrorCode::UnsupportedPixelFormat, "colorspace", "x9"},
        {"YUV4MPEG2 W2 H2 C420p11\n" + frame, ErrorCode::UnsupportedPixelFormat, "colorspace",
         "420p11"},
        {"YUV4MPEG2 W2 H2 Im C444\n" + frame, ErrorCode::UnsupportedFormat, "interlacing", "m"},
        {"YUV4MPEG2 W2 H2 C444", ErrorCode::FileTruncated, "", ""},
        {"YUV4MPEG2 W2 H2 C444\n", ErrorCode::ZeroFrames, "", ""},
        {"YUV4MPEG2 W2 H2 C444\n" + frame + frame.substr(0, 10), ErrorCode::FileTruncated, "frames",
         "1"},
        {"YUV4MPEG2 W2 H2 C444\n" + frame + "FRAMX\n" + frame.substr(6), ErrorCode::FileCorrupt,
         "reason", "frame_header"},
        {"YUV4MPEG2 W2 H2 C444\n" + frame + "FRA", ErrorCode::FileTruncated, "frames", "1"},
    };
    int n = 0;
    for (const Case& c : cases) {
        SCOPED_TRACE(n);
        const fs::path file = path("bad" + std::to_string(n++) + ".y4m");
        const Error e = open_error(c.bytes, file);
        EXPECT_EQ(e.code, c.code) << e.to_string();
        EXPECT_EQ(e.get("path"), path_string(file));
        if (!c.key.empty()) {
            EXPECT_EQ(e.get(c.key), c.value) << e.to_string();
        }
    }
    SourceOptions so;
    so.input = path("missing.y4m");
    auto missing = open_source(so);
    ASSERT_FALSE(missing.ok());
    EXPECT_EQ(missing.error().code, ErrorCode::FileNotFound);
}

TEST_F(Y4mTest, SinkChecksAndCleansUp) {
    const fs::path out = path("out.Y4M");  // the extension is matched in any case
    SinkOptions o = sink_options(out, 8, 8, VideoCodec::H264, 8);
    o.expected_frames = 2;
    {
        auto sink = open_sink(o);
        ASSERT_TRUE(sink.ok()) << sink.error().to_string();
        EXPECT_TRUE(fs::exists(partial_path_for(out)));
        Frame wrong = ramp_frame(4, 8, 0, SampleType::U8);
        auto st = (*sink)->write(wrong);
        ASSERT_FALSE(st.ok());
        EXPECT_EQ(st.error().code, ErrorCode::InvalidArgument);
        ASSERT_TRUE((*sink)->write(ramp_frame(8, 8, 0, SampleType::U8)).ok());
        auto finished = (*sink)->finish();  // one frame of two
        ASSERT_FALSE(finished.ok());
        EXPECT_EQ(finished.error().code, ErrorCode::OutputVerificationFailed);
        EXPECT_EQ(finished.error().get("frames"), "1");
    }
    EXPECT_FALSE(fs::exists(out));
    EXPECT_FALSE(fs::exists(partial_path_for(out)));
    {
        auto sink = open_sink(o);
        ASSERT_TRUE(sink.ok());
        ASSERT_TRUE((*sink)->write(ramp_frame(8, 8, 0, SampleType::U8)).ok());
        // Destroyed without finish(): the partial file goes, nothing appears.
    }
    EXPECT_FALSE(fs::exists(out));
    EXPECT_FALSE(fs::exists(partial_path_for(out)));

    o.expected_frames = -1;
    ASSERT_TRUE(write_video(o, 1, SampleType::U8).ok());
    auto again = open_sink(o);
    ASSERT_FALSE(again.ok());
    EXPECT_EQ(again.error().code, ErrorCode::OutputExists);
    o.overwrite = true;
    EXPECT_TRUE(open_sink(o).ok());

    SinkOptions bad = sink_options(path("deep.y4m"), 8, 8, VideoCodec::H264, 9);
    auto deep = open_sink(bad);
    ASSERT_FALSE(deep.ok());
    EXPECT_EQ(deep.error().code, ErrorCode::InvalidArgument);

    // container "y4m" picks Y4M whatever the name.
    SinkOptions named = sink_options(path("chunk.bin"), 8, 8, VideoCodec::FFV1, 8);
    named.container = "y4m";
    ASSERT_TRUE(write_video(named, 1, SampleType::U8).ok());
    EXPECT_EQ(read_bytes(path("chunk.bin")).rfind("YUV4MPEG2 ", 0), 0u);
}

// Runs `body` with file descriptor `fd` (0 or 1) redirected to `target`.
template <typename Body>
void with_redirected(int fd, int target, Body body) {
    std::fflush(stdout);
    const int saved = ::dup(fd);
    ASSERT_GE(saved, 0);
    ASSERT_EQ(::dup2(target, fd), fd);
    body();
    std::fflush(stdout);
    ::dup2(saved, fd);
    ::close(saved);
}

TEST_F(Y4mTest, StdoutAndStdinPipes) {
    // Write to "-" (stdout redirected into a file), as `flashvsr -o -` would.
    const fs::path piped = path("stdout.y4m");
    {
        const int fd = ::open(piped.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        ASSERT_GE(fd, 0);
        with_redirected(1, fd, [&] {
            EXPECT_TRUE(
                write_video(sink_options("-", 16, 8, VideoCodec::H264, 8), 4, SampleType::U8).ok());
        });
        ::close(fd);
    }
    const std::string bytes = read_bytes(piped);
    ASSERT_EQ(bytes.rfind("YUV4MPEG2 W16 H8 ", 0), 0u);

    // Read it back from "-" through a real pipe (not seekable), skipping the first frame.
    int fds[2];
    ASSERT_EQ(::pipe(fds), 0);
    std::thread feeder([&] {
        std::size_t done = 0;
        while (done < bytes.size()) {
            const ssize_t n = ::write(fds[1], bytes.data() + done, bytes.size() - done);
            if (n <= 0) {
                break;
            }
            done += static_cast<std::size_t>(n);
        }
        ::close(fds[1]);
    });
    std::vector<Frame> frames;
    VideoInfo info;
    with_redirected(0, fds[0], [&] {
        SourceOptions so;
        so.input = "-";
        so.first_frame = 1;
        auto source = open_source(so);
        ASSERT_TRUE(source.ok()) << source.error().to_string();
        info = (*source)->info();
        while (true) {
            auto next = (*source)->next();
            ASSERT_TRUE(next.ok()) << next.error().to_string();
            if (!next->has_value()) {
                break;
            }
            frames.push_back(std::move(**next));
        }
    });
    feeder.join();
    ::close(fds[0]);
    EXPECT_EQ(info.frame_count, -1);
    EXPECT_FALSE(info.frame_count_exact);
    ASSERT_EQ(frames.size(), 3u);
    EXPECT_EQ(frames[0].index, 1);
    const auto from_file = read_all(piped, SampleType::U8);
    ASSERT_EQ(from_file.size(), 4u);
    EXPECT_EQ(frames[2].data, from_file[3].data);
}

TEST_F(Y4mTest, AgreesWithFfmpegsReader) {
    if (!have_ffmpeg()) {
        GTEST_SKIP() << "this build has no FFmpeg to compare with";
    }
    const fs::path path = this->path("clip.y4m");
    ASSERT_TRUE(
        write_video(sink_options(path, 64, 48, VideoCodec::FFV1, 8), 2, SampleType::U8).ok());
    const auto ours = read_all(path, SampleType::U8);
    SourceOptions so;
    so.input = path;
    so.preferred_type = SampleType::U8;
    auto theirs = open_video_source(so);
    ASSERT_TRUE(theirs.ok()) << theirs.error().to_string();
    EXPECT_EQ((*theirs)->info().frame_count, 2);
    for (const Frame& mine : ours) {
        auto next = (*theirs)->next();
        ASSERT_TRUE(next.ok() && next->has_value());
        // Same 4:4:4 samples and matrix (BT.601 below 720p); swscale rounds its own way.
        EXPECT_LE(max_difference(mine, **next), 2.5 / 255) << "frame " << mine.index;
    }
}

}  // namespace
}  // namespace engine::io
