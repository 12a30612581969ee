#include "engine/core/paths.h"
#include "engine/io/dpx.h"
#include "engine/io/exr.h"
#include "engine/io/image_sequence.h"
#include "engine/io/media.h"

#include <gtest/gtest.h>

#include <cstring>
#include <fstream>
#include <string>
#include <vector>

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavutil/imgutils.h>
#include <libavutil/pixdesc.h>
}

namespace engine::io {
namespace {

namespace fs = std::filesystem;

class ImageSequenceSourceTest : public ::testing::Test {
  protected:
    void SetUp() override {
        const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
        m_dir = fs::temp_directory_path() /
                ("fvsr-imgseq-src-" + std::string(info->name()) + "-" + std::to_string(::getpid()));
        engine::remove_tree(m_dir);
        fs::create_directories(m_dir);
    }
    void TearDown() override {
        std::error_code ec;
        engine::remove_tree(m_dir, ec);
    }
    fs::path path(const std::string& name) const { return m_dir / name; }

    static void write_bytes(const fs::path& p, const std::vector<std::uint8_t>& bytes) {
        fs::create_directories(p.parent_path());
        std::ofstream out(p, std::ios::binary);
        out.write(reinterpret_cast<const char*>(bytes.data()),
                  static_cast<std::streamsize>(bytes.size()));
    }
    static std::vector<std::uint8_t> read_bytes(const fs::path& p) {
        std::ifstream in(p, std::ios::binary);
        return std::vector<std::uint8_t>(std::istreambuf_iterator<char>(in), {});
    }

    fs::path m_dir;
};

Frame pattern_u16(int width, int height, int seed) {
    Frame f;
    f.allocate(width, height, SampleType::U16);
    f.bit_depth = 16;
    auto* s = f.samples<std::uint16_t>();
    for (std::size_t i = 0; i < f.sample_count(); ++i) {
        s[i] = static_cast<std::uint16_t>(
            ((i + 1) * 2654435761u + static_cast<unsigned>(seed) * 40503u) >> 16);
    }
    return f;
}

Frame pattern_u8(int width, int height, int seed) {
    Frame f;
    f.allocate(width, height, SampleType::U8);
    auto* s = f.samples<std::uint8_t>();
    for (std::size_t i = 0; i < f.sample_count(); ++i) {
        s[i] = static_cast<std::uint8_t>((i * 37 + static_cast<std::size_t>(seed) * 11) & 0xFF);
    }
    return f;
}

// Writes frames 0..n-1 through our sink into `folder`.
void write_sequence(const fs::path& folder,
                    PictureFormat format,
                    int bit_depth,
                    const std::vector<Frame>& frames) {
    SinkOptions options;
    options.output = folder;
    options.mode = OutputMode::Pictures;
    options.picture_format = format;
    options.picture_bit_depth = bit_depth;
    options.overwrite = true;
    auto sink = open_image_sequence_sink(options);
    ASSERT_TRUE(sink.ok()) << sink.error().to_string();
    for (std::size_t i = 0; i < frames.size(); ++i) {
        Frame f = frames[i];
        f.index = static_cast<std::int64_t>(i);
        ASSERT_TRUE(sink.value()->write(f).ok());
    }
    ASSERT_TRUE(sink.value()->finish().ok());
}

std::vector<Frame> read_all(const SourceOptions& options, VideoInfo* info = nullptr) {
    auto source = open_image_sequence_source(options);
    EXPECT_TRUE(source.ok()) << source.error().to_string();
    std::vector<Frame> frames;
    if (!source.ok()) {
        return frames;
    }
    if (info != nullptr) {
        *info = source.value()->info();
    }
    for (;;) {
        auto next = source.value()->next();
        EXPECT_TRUE(next.ok()) << next.error().to_string();
        if (!next.ok() || !next->has_value()) {
            break;
        }
        frames.push_back(std::move(**next));
    }
    return frames;
}

Error first_error(const SourceOptions& options) {
    auto source = open_image_sequence_source(options);
    if (!source.ok()) {
        return source.error();
    }
    for (;;) {
        auto next = source.value()->next();
        if (!next.ok()) {
            return next.error();
        }
        if (!next->has_value()) {
            return Error();
        }
    }
}

// Encodes one picture with an FFmpeg encoder (independent of our writers).
std::vector<std::uint8_t> ffmpeg_encode(AVCodecID id, AVPixelFormat format, int width, int height) {
    const AVCodec* codec = avcodec_find_encoder(id);
    EXPECT_NE(codec, nullptr);
    AVCodecContext* ctx = avcodec_alloc_context3(codec);
    ctx->width = width;
    ctx->height = height;
    ctx->pix_fmt = format;
    ctx->time_base = {1, 25};
    ctx->color_range = AVCOL_RANGE_JPEG;
    EXPECT_EQ(avcodec_open2(ctx, codec, nullptr), 0);
    AVFrame* frame = av_frame_alloc();
    frame->format = format;
    frame->width = width;
    frame->height = height;
    EXPECT_EQ(av_frame_get_buffer(frame, 0), 0);
    const AVPixFmtDescriptor* desc = av_pix_fmt_desc_get(format);
    for (int p = 0; p < 4 && frame->data[p] != nullptr; ++p) {
        if (format == AV_PIX_FMT_PAL8 && p == 1) {
            break;  // the palette, filled below
        }
        const bool chroma = (p == 1 || p == 2) && !(desc->flags & AV_PIX_FMT_FLAG_RGB);
        const int rows = chroma ? AV_CEIL_RSHIFT(height, desc->log2_chroma_h) : height;
        for (int y = 0; y < rows; ++y) {
            for (int x = 0; x < frame->linesize[p]; ++x) {
                frame->data[p][y * frame->linesize[p] + x] =
                    static_cast<std::uint8_t>(100 + (x + y) % 50);
            }
        }
    }
    if (format == AV_PIX_FMT_PAL8) {
        auto* palette = reinterpret_cast<std::uint32_t*>(frame->data[1]);
        for (int i = 0; i < 256; ++i) {
            palette[i] = 0xFF000000u | (static_cast<std::uint32_t>(i) << 16) | (255u - i);
        }
    }
    AVPacket* packet = av_packet_alloc();
    EXPECT_EQ(avcodec_send_frame(ctx, frame), 0);
    avcodec_send_frame(ctx, nullptr);
    EXPECT_EQ(avcodec_receive_packet(ctx, packet), 0);
    std::vector<std::uint8_t> bytes(packet->data, packet->data + packet->size);
    av_packet_free(&packet);
    av_frame_free(&frame);
    avcodec_free_context(&ctx);
    return bytes;
}

TEST_F(ImageSequenceSourceTest, RecognisesSequenceInputs) {
    EXPECT_TRUE(is_image_sequence_input(m_dir));
    EXPECT_TRUE(is_image_sequence_input(path("frames_%06d.png")));
    EXPECT_TRUE(is_image_sequence_input(path("frames_%d.exr")));
    EXPECT_TRUE(is_image_sequence_input(path("still.PNG")));
    EXPECT_TRUE(is_image_sequence_input(path("scan.dpx")));
    EXPECT_TRUE(is_image_sequence_input(path("a.jpeg")));
    EXPECT_TRUE(is_image_sequence_input(path("a.tif")));
    EXPECT_FALSE(is_image_sequence_input(path("clip.mp4")));
    EXPECT_FALSE(is_image_sequence_input(path("100%.mkv")));
    EXPECT_FALSE(is_image_sequence_input(path("clip_%6d.mov")));  // space padding: no pattern
}

TEST_F(ImageSequenceSourceTest, FolderSortsByLastNumber) {
    const Frame f = pattern_u8(4, 3, 0);
    const std::vector<std::string> names = {"frame10.png",         "frame2.png", "frame1.png",
                                            "take2_frame0003.png", "cover.png",  "frame00002.png"};
    fs::create_directories(path("seq"));
    for (const auto& n : names) {
        write_sequence(path("tmp"), PictureFormat::PNG, 8, {f});
        fs::rename(path("tmp") / "frame_000000.png", path("seq") / n);
    }
    write_bytes(path("seq") / ".hidden.png", {1, 2, 3});
    write_bytes(path("seq") / "notes.txt", {1, 2, 3});
    auto files = list_image_sequence(path("seq"));
    ASSERT_TRUE(files.ok()) << files.error().to_string();
    std::vector<std::string> got;
    for (const auto& p : files.value()) {
        got.push_back(p.filename().string());
    }
    EXPECT_EQ(got, (std::vector<std::string>{"cover.png", "frame1.png", "frame00002.png",
                                             "frame2.png", "take2_frame0003.png", "frame10.png"}));
}

TEST_F(ImageSequenceSourceTest, Png16RoundTripIsBitExactWithInfo) {
    std::vector<Frame> frames = {pattern_u16(21, 13, 1), pattern_u16(21, 13, 2),
                                 pattern_u16(21, 13, 3)};
    write_sequence(path("out"), PictureFormat::PNG, 16, frames);
    SourceOptions options;
    options.input = path("out");
    options.sequence_fps = {24000, 1001};
    VideoInfo info;
    const auto back = read_all(options, &info);
    ASSERT_EQ(back.size(), 3u);
    EXPECT_EQ(info.codec_name, "png");
    EXPECT_EQ(info.container, "image2");
    EXPECT_EQ(info.bit_depth, 16);
    EXPECT_EQ(info.width, 21);
    EXPECT_EQ(info.height, 13);
    EXPECT_EQ(info.frame_count, 3);
    EXPECT_TRUE(info.frame_count_exact);
    EXPECT_EQ(info.frame_rate, (Rational{24000, 1001}));
    EXPECT_EQ(info.time_base, (Rational{1001, 24000}));
    for (std::size_t i = 0; i < 3; ++i) {
        EXPECT_EQ(back[i].type, SampleType::U16);
        EXPECT_EQ(back[i].bit_depth, 16);
        EXPECT_EQ(back[i].index, static_cast<std::int64_t>(i));
        EXPECT_EQ(back[i].pts, static_cast<std::int64_t>(i));
        EXPECT_EQ(back[i].data, frames[i].data) << "frame " << i;
    }
}

TEST_F(ImageSequenceSourceTest, Png8ReadsAsU8AndHonoursFirstAndMax) {
    std::vector<Frame> frames;
    for (int i = 0; i < 5; ++i) {
        frames.push_back(pattern_u8(8, 6, i));
    }
    write_sequence(path("out"), PictureFormat::PNG, 8, frames);
    SourceOptions options;
    options.input = path("out") / "frame_%06d.png";
    options.first_frame = 1;
    options.max_frames = 3;
    VideoInfo info;
    const auto back = read_all(options, &info);
    EXPECT_EQ(info.frame_count, 5);  // the whole sequence
    ASSERT_EQ(back.size(), 3u);
    for (std::size_t k = 0; k < 3; ++k) {
        EXPECT_EQ(back[k].type, SampleType::U8);
        EXPECT_EQ(back[k].index, static_cast<std::int64_t>(k + 1));
        EXPECT_EQ(back[k].data, frames[k + 1].data);
    }
    // F32 on request: value / 255.
    options.first_frame = 0;
    options.max_frames = 1;
    options.preferred_type = SampleType::F32;
    const auto as_float = read_all(options);
    ASSERT_EQ(as_float.size(), 1u);
    EXPECT_EQ(as_float[0].samples<float>()[5], frames[0].samples<std::uint8_t>()[5] / 255.0f);
    // Past the end: nothing.
    options.first_frame = 7;
    options.max_frames = -1;
    EXPECT_TRUE(read_all(options).empty());
}

TEST_F(ImageSequenceSourceTest, DpxTenBitReadsBackQuantised) {
    const Frame frame = pattern_u16(30, 4, 9);
    write_sequence(path("dpx"), PictureFormat::DPX, 10, {frame});
    SourceOptions options;
    options.input = path("dpx");
    VideoInfo info;
    const auto back = read_all(options, &info);
    ASSERT_EQ(back.size(), 1u);
    EXPECT_EQ(info.codec_name, "dpx");
    EXPECT_EQ(info.bit_depth, 10);
    EXPECT_EQ(back[0].type, SampleType::U16);
    EXPECT_EQ(back[0].bit_depth, 10);
    for (std::size_t i = 0; i < frame.sample_count(); ++i) {
        const std::uint32_t code = (frame.samples<std::uint16_t>()[i] * 2046u + 65535u) / 131070u;
        const std::uint32_t full = (code * 65535u * 2 + 1023u) / 2046u;
        ASSERT_EQ(back[0].samples<std::uint16_t>()[i], full) << i;
    }
}

TEST_F(ImageSequenceSourceTest, ExrGivesLinearFloat) {
    Frame frame;
    frame.allocate(5, 4, SampleType::F32);
    for (std::size_t i = 0; i < frame.sample_count(); ++i) {
        frame.samples<float>()[i] = 0.01f * static_cast<float>(i * i);  // up to ~35
    }
    SinkOptions options;
    options.output = path("exr");
    options.mode = OutputMode::Pictures;
    options.picture_format = PictureFormat::EXR;
    options.picture_bit_depth = 32;
    auto sink = open_image_sequence_sink(options);
    ASSERT_TRUE(sink.ok());
    ASSERT_TRUE(sink.value()->write(frame).ok());
    ASSERT_TRUE(sink.value()->finish().ok());
    SourceOptions in;
    in.input = path("exr");
    in.preferred_type = SampleType::U16;  // EXR stays F32 regardless
    VideoInfo info;
    const auto back = read_all(in, &info);
    ASSERT_EQ(back.size(), 1u);
    EXPECT_EQ(info.codec_name, "exr");
    EXPECT_EQ(info.bit_depth, 32);
    EXPECT_EQ(info.color.transfer, 8);
    EXPECT_EQ(back[0].type, SampleType::F32);
    EXPECT_EQ(back[0].data, frame.data);
}

TEST_F(ImageSequenceSourceTest, ReadsFfmpegJpegTiffGreyAndPalettePng) {
    struct Case {
        const char* name;
        AVCodecID codec;
        AVPixelFormat format;
        const char* codec_name;
        int bit_depth;
    };
    const Case cases[] = {
        {"a.jpg", AV_CODEC_ID_MJPEG, AV_PIX_FMT_YUVJ420P, "mjpeg", 8},
        {"b.tif", AV_CODEC_ID_TIFF, AV_PIX_FMT_RGB24, "tiff", 8},
        {"c.tiff", AV_CODEC_ID_TIFF, AV_PIX_FMT_RGB48LE, "tiff", 16},
        {"d.png", AV_CODEC_ID_PNG, AV_PIX_FMT_GRAY16BE, "png", 16},
        {"e.png", AV_CODEC_ID_PNG, AV_PIX_FMT_PAL8, "png", 8},
        {"f.png", AV_CODEC_ID_PNG, AV_PIX_FMT_RGBA, "png", 8},
        {"g.dpx", AV_CODEC_ID_DPX, AV_PIX_FMT_GBRP12LE, "dpx", 12},
        {"h.dpx", AV_CODEC_ID_DPX, AV_PIX_FMT_GBRP10LE, "dpx", 10},
    };
    for (const Case& c : cases) {
        write_bytes(path(c.name), ffmpeg_encode(c.codec, c.format, 16, 8));
        SourceOptions options;
        options.input = path(c.name);
        VideoInfo info;
        const auto frames = read_all(options, &info);
        ASSERT_EQ(frames.size(), 1u) << c.name;
        EXPECT_EQ(info.codec_name, c.codec_name) << c.name;
        EXPECT_EQ(info.bit_depth, c.bit_depth) << c.name;
        EXPECT_EQ(frames[0].width, 16);
        EXPECT_EQ(frames[0].height, 8);
        if (c.format == AV_PIX_FMT_GRAY16BE) {
            // Grey is expanded: R == G == B.
            const auto* s = frames[0].samples<std::uint16_t>();
            EXPECT_EQ(s[0], s[1]);
            EXPECT_EQ(s[1], s[2]);
        }
        if (c.format == AV_PIX_FMT_RGB24) {
            // Lossless: the encoder's bytes come back (first pixel R = 100).
            EXPECT_EQ(frames[0].samples<std::uint8_t>()[0], 100);
        }
        if (c.format == AV_PIX_FMT_GBRP12LE) {
            // Planes filled with bytes 100 + (x + y) % 50: first 16-bit sample 0x6564 & 0xFFF,
            // rescaled from 12 bits to 16.
            const std::uint32_t code = 0x6564 & 0xFFF;
            EXPECT_EQ(frames[0].type, SampleType::U16);
            EXPECT_EQ(frames[0].samples<std::uint16_t>()[1], (code * 65535 * 2 + 4095) / 8190);
        }
    }
}

TEST_F(ImageSequenceSourceTest, MissingAndEmptyInputs) {
    SourceOptions options;
    options.input = path("nope");
    Error e = first_error(options);
    EXPECT_EQ(e.code, ErrorCode::FileNotFound);
    EXPECT_EQ(e.get("path"), path("nope").string());

    fs::create_directories(path("empty"));
    write_bytes(path("empty") / "readme.txt", {1});
    options.input = path("empty");
    e = first_error(options);
    EXPECT_EQ(e.code, ErrorCode::ZeroFrames);
    EXPECT_EQ(e.get("path"), path("empty").string());

    options.input = path("empty") / "f_%04d.png";
    EXPECT_EQ(first_error(options).code, ErrorCode::ZeroFrames);
    options.input = path("missing_dir") / "f_%04d.png";
    EXPECT_EQ(first_error(options).code, ErrorCode::FileNotFound);
    options.input = path("missing.png");
    EXPECT_EQ(first_error(options).code, ErrorCode::FileNotFound);
}

// A damaged file in the middle: the frames before it decode, then a distinct error naming it.
TEST_F(ImageSequenceSourceTest, DamagedFilesInTheMiddle) {
    struct Damage {
        PictureFormat format;
        int depth;
        const char* ext;
        bool truncate;  // else corrupt
        ErrorCode expected;
    };
    const Damage cases[] = {
        {PictureFormat::PNG, 8, "png", true, ErrorCode::FileTruncated},
        {PictureFormat::PNG, 8, "png", false, ErrorCode::FileCorrupt},
        {PictureFormat::DPX, 10, "dpx", true, ErrorCode::FileTruncated},
        {PictureFormat::DPX, 10, "dpx", false, ErrorCode::FileCorrupt},
        {PictureFormat::EXR, 16, "exr", true, ErrorCode::FileTruncated},
        {PictureFormat::EXR, 16, "exr", false, ErrorCode::FileCorrupt},
    };
    int n = 0;
    for (const Damage& d : cases) {
        const fs::path folder = path("damage" + std::to_string(n++));
        write_sequence(folder, d.format, d.depth,
                       {pattern_u16(40, 30, 1), pattern_u16(40, 30, 2), pattern_u16(40, 30, 3)});
        const fs::path victim = folder / (std::string("frame_000001.") + d.ext);
        std::vector<std::uint8_t> bytes = read_bytes(victim);
        if (d.truncate) {
            bytes.resize(bytes.size() * 2 / 3);
        } else if (d.format == PictureFormat::PNG) {
            bytes[bytes.size() / 2] ^= 0x55;  // CRC no longer matches
        } else {
            bytes[0] = 'Q';  // magic number
        }
        write_bytes(victim, bytes);
        SourceOptions options;
        options.input = folder;
        auto source = open_image_sequence_source(options);
        ASSERT_TRUE(source.ok()) << d.ext;
        auto first = source.value()->next();
        ASSERT_TRUE(first.ok() && first->has_value()) << d.ext;
        auto second = source.value()->next();
        ASSERT_FALSE(second.ok()) << d.ext << (d.truncate ? " truncated" : " corrupt");
        EXPECT_EQ(second.error().code, d.expected)
            << d.ext << (d.truncate ? " truncated: " : " corrupt: ") << second.error().to_string();
        EXPECT_EQ(second.error().get("path"), victim.string());
    }
}

TEST_F(ImageSequenceSourceTest, EmptyFileMixedFormatsAndSizeMismatch) {
    write_sequence(path("a"), PictureFormat::PNG, 8, {pattern_u8(8, 8, 0), pattern_u8(8, 8, 1)});
    write_bytes(path("a") / "frame_000001.png", {});
    SourceOptions options;
    options.input = path("a");
    Error e = first_error(options);
    EXPECT_EQ(e.code, ErrorCode::FileEmpty);
    EXPECT_EQ(e.get("path"), (path("a") / "frame_000001.png").string());

    write_sequence(path("b"), PictureFormat::PNG, 8, {pattern_u8(8, 8, 0)});
    write_bytes(path("b") / "frame_000001.dpx", encode_dpx(pattern_u16(8, 8, 0), {}).value());
    options.input = path("b");
    e = first_error(options);
    EXPECT_EQ(e.code, ErrorCode::UnsupportedFormat);
    EXPECT_EQ(e.get("reason"), "mixed_formats");

    write_sequence(path("c"), PictureFormat::PNG, 8, {pattern_u8(8, 8, 0), pattern_u8(8, 8, 1)});
    write_sequence(path("c2"), PictureFormat::PNG, 8, {pattern_u8(9, 8, 0)});
    fs::rename(path("c2") / "frame_000000.png", path("c") / "frame_000002.png");
    options.input = path("c");
    e = first_error(options);
    EXPECT_EQ(e.code, ErrorCode::UnsupportedFormat);
    EXPECT_EQ(e.get("reason"), "size_mismatch");
    EXPECT_EQ(e.get("path"), (path("c") / "frame_000002.png").string());
    EXPECT_EQ(e.get("actual_width"), "9");
}

}  // namespace
}  // namespace engine::io
