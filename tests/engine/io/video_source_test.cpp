// Decoding through open_video_source: pixel values per matrix/range/depth/subsampling, exact
// frame counts, timestamps (VFR), rotation, seeking, sample types, colour and HDR metadata.

#include "engine/io/support/synth_media.h"
#include "engine/io/support/temp_dir.h"
#include "engine/io/video_file.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

namespace engine::io {
namespace {

using fvsr_test::SynthFile;
using fvsr_test::SynthVideo;

class VideoSourceTest : public fvsr_test::TempDirTest {
  protected:
    std::unique_ptr<FrameSource> open(const std::filesystem::path& path,
                                      SampleType type = SampleType::U16,
                                      std::int64_t first = 0,
                                      std::int64_t max = -1) {
        SourceOptions options;
        options.input = path;
        options.preferred_type = type;
        options.first_frame = first;
        options.max_frames = max;
        auto source = open_video_source(options);
        EXPECT_TRUE(source.ok()) << (source.ok() ? "" : source.error().to_string());
        if (!source.ok()) {
            return nullptr;
        }
        return std::move(source).value();
    }

    std::vector<Frame> read_all(FrameSource& source) {
        std::vector<Frame> frames;
        for (;;) {
            auto next = source.next();
            EXPECT_TRUE(next.ok()) << (next.ok() ? "" : next.error().to_string());
            if (!next.ok() || !next.value()) {
                break;
            }
            frames.push_back(std::move(*next.value()));
        }
        return frames;
    }
};

struct Matrix {
    AVColorSpace space;
    double kr;
    double kb;
};
const Matrix kBt601{AVCOL_SPC_SMPTE170M, 0.299, 0.114};
const Matrix kBt709{AVCOL_SPC_BT709, 0.2126, 0.0722};
const Matrix kBt2020{AVCOL_SPC_BT2020_NCL, 0.2627, 0.0593};

// Y, Cb, Cr code values of an RGB colour (0..1), per ITU-R BT.601/709/2020 and H.273 ranges.
std::vector<int> encode_ycbcr(const double rgb[3], const Matrix& m, int depth, bool full) {
    const double kg = 1.0 - m.kr - m.kb;
    const double y = m.kr * rgb[0] + kg * rgb[1] + m.kb * rgb[2];
    const double cb = (rgb[2] - y) / (2.0 * (1.0 - m.kb));
    const double cr = (rgb[0] - y) / (2.0 * (1.0 - m.kr));
    const double scale = std::ldexp(1.0, depth - 8);
    const int max = (1 << depth) - 1;
    auto code = [&](double v) { return std::clamp(static_cast<int>(std::lround(v)), 0, max); };
    if (full) {
        const double mid = std::ldexp(1.0, depth - 1);
        return {code(y * max), code(cb * max + mid), code(cr * max + mid)};
    }
    return {code((16.0 + 219.0 * y) * scale), code((128.0 + 224.0 * cb) * scale),
            code((128.0 + 224.0 * cr) * scale)};
}

struct YuvCase {
    AVPixelFormat format;
    int depth;
    Matrix matrix;
    bool full;
    double tolerance;  // per component, nominal 0..1
};

TEST_F(VideoSourceTest, YuvDecodesToKnownRgbForEveryMatrixRangeDepthAndSubsampling) {
    const double colours[][3] = {
        {0.8, 0.3, 0.15}, {0.1, 0.6, 0.9}, {0.5, 0.5, 0.5}, {1.0, 0.0, 0.0}};
    // 8-bit code values carry about 1/219 of error per component before the matrix.
    const std::vector<YuvCase> cases = {
        {AV_PIX_FMT_YUV420P, 8, kBt709, false, 0.02},
        {AV_PIX_FMT_YUV420P, 8, kBt601, false, 0.02},
        {AV_PIX_FMT_YUV420P, 8, kBt709, true, 0.02},
        {AV_PIX_FMT_YUV420P10LE, 10, kBt709, false, 0.006},
        {AV_PIX_FMT_YUV422P10LE, 10, kBt2020, false, 0.006},
        {AV_PIX_FMT_YUV444P10LE, 10, kBt601, true, 0.006},
        {AV_PIX_FMT_YUV444P12LE, 12, kBt2020, false, 0.004},
        {AV_PIX_FMT_YUV422P16LE, 16, kBt709, false, 0.004},
    };
    int file_index = 0;
    for (const YuvCase& c : cases) {
        for (const auto& rgb : colours) {
            SCOPED_TRACE(std::string(av_get_pix_fmt_name(c.format)) + " matrix " +
                         std::to_string(c.matrix.space) + (c.full ? " full" : " limited") +
                         " rgb " + std::to_string(rgb[0]) + "," + std::to_string(rgb[1]) + "," +
                         std::to_string(rgb[2]));
            const std::vector<int> code = encode_ycbcr(rgb, c.matrix, c.depth, c.full);
            SynthFile file;
            file.path = path("yuv" + std::to_string(file_index++) + ".mkv");
            SynthVideo v;
            v.encoder = "ffv1";
            v.pixel_format = c.format;
            v.frames = 1;
            v.matrix = c.matrix.space;
            v.range = c.full ? AVCOL_RANGE_JPEG : AVCOL_RANGE_MPEG;
            v.fill = [&](AVFrame* f, int) { fvsr_test::fill_constant(f, code); };
            file.video = v;
            fvsr_test::write_media(file);

            auto source = open(file.path);
            ASSERT_TRUE(source);
            EXPECT_EQ(source->info().bit_depth, c.depth);
            EXPECT_EQ(source->info().color.matrix, c.matrix.space);
            auto frames = read_all(*source);
            ASSERT_EQ(frames.size(), 1u);
            const Frame& f = frames[0];
            EXPECT_EQ(f.type, c.depth > 8 ? SampleType::U16 : SampleType::U8);
            EXPECT_EQ(f.bit_depth, c.depth);
            for (int ch = 0; ch < 3; ++ch) {
                EXPECT_NEAR(f.value(f.width / 2, f.height / 2, ch), rgb[ch], c.tolerance)
                    << "channel " << ch;
                EXPECT_NEAR(f.value(0, 0, ch), rgb[ch], c.tolerance) << "channel " << ch;
            }
        }
    }
}

TEST_F(VideoSourceTest, UntaggedYuvUsesBt601BelowHdAndLimitedRange) {
    const double rgb[3] = {0.8, 0.3, 0.15};
    const std::vector<int> code = encode_ycbcr(rgb, kBt601, 8, false);
    SynthFile file;
    file.path = path("untagged.mkv");
    SynthVideo v;
    v.pixel_format = AV_PIX_FMT_YUV444P;
    v.frames = 1;
    v.fill = [&](AVFrame* f, int) { fvsr_test::fill_constant(f, code); };
    file.video = v;
    fvsr_test::write_media(file);
    auto source = open(file.path);
    ASSERT_TRUE(source);
    EXPECT_EQ(source->info().color.matrix, 2);  // reported as the file says: unspecified
    auto frames = read_all(*source);
    ASSERT_EQ(frames.size(), 1u);
    for (int ch = 0; ch < 3; ++ch) {
        EXPECT_NEAR(frames[0].value(3, 3, ch), rgb[ch], 0.02);
    }
}

TEST_F(VideoSourceTest, RgbSourcesDecodeBitExact) {
    for (AVPixelFormat format : {AV_PIX_FMT_GBRP16LE, AV_PIX_FMT_BGR0, AV_PIX_FMT_GBRP10LE}) {
        SCOPED_TRACE(av_get_pix_fmt_name(format));
        SynthFile file;
        file.path = path(std::string("rgb_") + av_get_pix_fmt_name(format) + ".mkv");
        SynthVideo v;
        v.pixel_format = format;
        v.frames = 2;
        file.video = v;
        fvsr_test::write_media(file);
        auto source = open(file.path);
        ASSERT_TRUE(source);
        auto frames = read_all(*source);
        ASSERT_EQ(frames.size(), 2u);
        const Frame& f = frames[1];
        // fill_pattern wrote plane p (G, B, R for gbrp; bytes B, G, R, X for bgr0) as
        // (x*7 + y*13 + index*29 + p*51) mod 2^depth.
        for (int y : {0, 5, 47}) {
            for (int x : {0, 9, 63}) {
                const int i = (y * 64 + x) * 3;
                if (format == AV_PIX_FMT_BGR0) {
                    auto byte = [&](int b) { return ((x * 4 + b) * 7 + y * 13 + 29) & 0xFF; };
                    EXPECT_EQ(f.samples<std::uint8_t>()[i + 0], byte(2));
                    EXPECT_EQ(f.samples<std::uint8_t>()[i + 1], byte(1));
                    EXPECT_EQ(f.samples<std::uint8_t>()[i + 2], byte(0));
                    continue;
                }
                const int depth = format == AV_PIX_FMT_GBRP16LE ? 16 : 10;
                const int mask = (1 << depth) - 1;
                auto plane = [&](int p) { return (x * 7 + y * 13 + 29 + p * 51) & mask; };
                // U16 output is full scale: a 10-bit value v becomes v * 65535 / 1023.
                auto scaled = [&](int v) {
                    return depth == 16 ? v : static_cast<int>(std::lround(v * 65535.0 / 1023.0));
                };
                EXPECT_NEAR(f.samples<std::uint16_t>()[i + 0], scaled(plane(2)),
                            depth == 16 ? 0 : 1);
                EXPECT_NEAR(f.samples<std::uint16_t>()[i + 1], scaled(plane(0)),
                            depth == 16 ? 0 : 1);
                EXPECT_NEAR(f.samples<std::uint16_t>()[i + 2], scaled(plane(1)),
                            depth == 16 ? 0 : 1);
            }
        }
    }
}

TEST_F(VideoSourceTest, CountsFramesExactlyAndKeepsCfrTimestamps) {
    SynthFile file;
    file.path = path("count.mp4");
    SynthVideo v;
    v.encoder = "libx264";
    v.frames = 9;
    v.time_base = AVRational{1, 25};
    v.encoder_options = {{"bf", "2"}, {"g", "4"}, {"preset", "ultrafast"}};
    file.video = v;
    fvsr_test::write_media(file);

    auto source = open(file.path);
    ASSERT_TRUE(source);
    const VideoInfo& info = source->info();
    EXPECT_EQ(info.frame_count, 9);
    EXPECT_TRUE(info.frame_count_exact);
    EXPECT_FALSE(info.variable_frame_rate);
    EXPECT_EQ(info.frame_rate, (Rational{25, 1}));
    EXPECT_EQ(info.codec_name, "h264");
    EXPECT_NEAR(info.duration_seconds, 9 / 25.0, 1e-6);
    auto frames = read_all(*source);
    ASSERT_EQ(frames.size(), 9u);
    for (std::size_t i = 0; i < frames.size(); ++i) {
        EXPECT_EQ(frames[i].index, static_cast<std::int64_t>(i));
        EXPECT_NEAR(static_cast<double>(frames[i].pts) * frames[i].time_base.to_double(),
                    static_cast<double>(i) / 25.0, 1e-6);
    }
    EXPECT_EQ(source->info().frame_count, 9);
}

TEST_F(VideoSourceTest, VariableFrameRateTimestampsArePreserved) {
    const std::vector<std::int64_t> pts = {0, 40, 80, 200, 210, 300, 301};
    SynthFile file;
    file.path = path("vfr.mkv");
    SynthVideo v;
    v.frames = static_cast<int>(pts.size());
    v.time_base = AVRational{1, 1000};
    v.pts = pts;
    file.video = v;
    fvsr_test::write_media(file);

    auto source = open(file.path);
    ASSERT_TRUE(source);
    EXPECT_TRUE(source->info().variable_frame_rate);
    EXPECT_EQ(source->info().frame_count, 7);
    EXPECT_EQ(source->info().time_base, (Rational{1, 1000}));
    auto frames = read_all(*source);
    ASSERT_EQ(frames.size(), pts.size());
    for (std::size_t i = 0; i < pts.size(); ++i) {
        EXPECT_EQ(frames[i].pts, pts[i]);
        EXPECT_EQ(frames[i].time_base, (Rational{1, 1000}));
    }
}

TEST_F(VideoSourceTest, TimestampsWithoutPtsComeFromTheFrameRate) {
    // AVI stores no presentation times; with B-frames FFmpeg's guesses start late and repeat.
    SynthFile file;
    file.path = path("bframes.avi");
    SynthVideo v;
    v.encoder = "mpeg4";
    v.frames = 8;
    v.encoder_options = {{"bf", "2"}};
    file.video = v;
    fvsr_test::write_media(file);
    auto source = open(file.path);
    ASSERT_TRUE(source);
    EXPECT_EQ(source->info().frame_count, 8);
    EXPECT_NEAR(source->info().duration_seconds, 8 / 25.0, 1e-9);
    auto frames = read_all(*source);
    ASSERT_EQ(frames.size(), 8u);
    for (std::size_t i = 0; i < frames.size(); ++i) {
        EXPECT_EQ(frames[i].index, static_cast<std::int64_t>(i));
        EXPECT_NEAR(static_cast<double>(frames[i].pts) * frames[i].time_base.to_double(),
                    static_cast<double>(i) / 25.0, 1e-9);
    }
}

TEST_F(VideoSourceTest, DisplayMatrixRotationIsAppliedToPixels) {
    SynthFile plain;
    plain.path = path("plain.mov");
    SynthVideo v;
    v.encoder = "png";
    v.pixel_format = AV_PIX_FMT_RGB24;
    v.frames = 1;
    plain.video = v;
    fvsr_test::write_media(plain);
    auto reference_source = open(plain.path);
    ASSERT_TRUE(reference_source);
    const Frame reference = read_all(*reference_source).at(0);
    ASSERT_EQ(reference.width, 64);
    ASSERT_EQ(reference.height, 48);
    const int w = reference.width;
    const int h = reference.height;

    for (int degrees : {90, 180, 270}) {
        SCOPED_TRACE(degrees);
        SynthFile rotated = plain;
        rotated.path = path("rotated" + std::to_string(degrees) + ".mov");
        rotated.video->display_matrix = fvsr_test::rotation_matrix(degrees);
        fvsr_test::write_media(rotated);
        auto source = open(rotated.path);
        ASSERT_TRUE(source);
        EXPECT_EQ(source->info().rotation_degrees, degrees);
        const Frame f = read_all(*source).at(0);
        const bool swapped = degrees != 180;
        ASSERT_EQ(f.width, swapped ? h : w);
        ASSERT_EQ(f.height, swapped ? w : h);
        EXPECT_EQ(source->info().width, f.width);
        EXPECT_EQ(source->info().height, f.height);
        for (int y = 0; y < f.height; ++y) {
            for (int x = 0; x < f.width; ++x) {
                // Clockwise rotation: 90 maps (x, y) <- (y, h-1-x); 180 <- (w-1-x, h-1-y);
                // 270 <- (w-1-y, x).
                int sx = x, sy = y;
                if (degrees == 90) {
                    sx = y, sy = h - 1 - x;
                } else if (degrees == 180) {
                    sx = w - 1 - x, sy = h - 1 - y;
                } else {
                    sx = w - 1 - y, sy = x;
                }
                for (int c = 0; c < 3; ++c) {
                    ASSERT_EQ(f.value(x, y, c), reference.value(sx, sy, c))
                        << "at " << x << "," << y;
                }
            }
        }
    }
}

TEST_F(VideoSourceTest, FirstFrameAndMaxFramesAreFrameAccurate) {
    SynthFile file;
    file.path = path("seek.mkv");
    SynthVideo v;
    v.encoder = "libx264";
    v.frames = 12;
    v.encoder_options = {{"bf", "2"}, {"g", "5"}, {"preset", "ultrafast"}, {"qp", "0"}};
    file.video = v;
    fvsr_test::write_media(file);

    auto all_source = open(file.path);
    ASSERT_TRUE(all_source);
    const std::vector<Frame> all = read_all(*all_source);
    ASSERT_EQ(all.size(), 12u);

    auto part_source = open(file.path, SampleType::U16, 7, 3);
    ASSERT_TRUE(part_source);
    EXPECT_EQ(part_source->info().frame_count, 12);
    const std::vector<Frame> part = read_all(*part_source);
    ASSERT_EQ(part.size(), 3u);
    for (int i = 0; i < 3; ++i) {
        EXPECT_EQ(part[i].index, 7 + i);
        EXPECT_EQ(part[i].pts, all[7 + i].pts);
        EXPECT_EQ(part[i].data, all[7 + i].data);
    }

    auto past_end = open(file.path, SampleType::U16, 20);
    ASSERT_TRUE(past_end);
    EXPECT_TRUE(read_all(*past_end).empty());
}

TEST_F(VideoSourceTest, SampleTypeFollowsPreferenceAndDepth) {
    SynthFile file8;
    file8.path = path("eight.mkv");
    SynthVideo v;
    v.pixel_format = AV_PIX_FMT_BGR0;
    v.frames = 1;
    file8.video = v;
    fvsr_test::write_media(file8);
    SynthFile file10 = file8;
    file10.path = path("ten.mkv");
    file10.video->pixel_format = AV_PIX_FMT_YUV420P10LE;
    fvsr_test::write_media(file10);

    auto u8_from_8 = open(file8.path, SampleType::U16);
    ASSERT_TRUE(u8_from_8);
    Frame a = read_all(*u8_from_8).at(0);
    EXPECT_EQ(a.type, SampleType::U8);
    EXPECT_EQ(a.bit_depth, 8);

    auto f32_from_8 = open(file8.path, SampleType::F32);
    ASSERT_TRUE(f32_from_8);
    Frame b = read_all(*f32_from_8).at(0);
    EXPECT_EQ(b.type, SampleType::F32);
    EXPECT_NEAR(b.value(10, 10, 1), a.value(10, 10, 1), 1e-6);

    auto u16_from_10 = open(file10.path, SampleType::U16);
    ASSERT_TRUE(u16_from_10);
    Frame c = read_all(*u16_from_10).at(0);
    EXPECT_EQ(c.type, SampleType::U16);
    EXPECT_EQ(c.bit_depth, 10);

    auto u8_from_10 = open(file10.path, SampleType::U8);
    ASSERT_TRUE(u8_from_10);
    Frame d = read_all(*u8_from_10).at(0);
    EXPECT_EQ(d.type, SampleType::U8);
    EXPECT_EQ(d.bit_depth, 8);
    EXPECT_NEAR(d.value(10, 10, 0), c.value(10, 10, 0), 1.0 / 255.0);
}

TEST_F(VideoSourceTest, ColourTagsAndHdrStreamSideDataAreReported) {
    SynthFile file;
    file.path = path("hdr.mkv");
    SynthVideo v;
    v.pixel_format = AV_PIX_FMT_YUV420P10LE;
    v.frames = 2;
    v.primaries = AVCOL_PRI_BT2020;
    v.transfer = AVCOL_TRC_SMPTE2084;
    v.matrix = AVCOL_SPC_BT2020_NCL;
    v.range = AVCOL_RANGE_MPEG;
    MasteringDisplay md;
    md.primaries_x[0] = 34000, md.primaries_y[0] = 16000;
    md.primaries_x[1] = 13250, md.primaries_y[1] = 34500;
    md.primaries_x[2] = 7500, md.primaries_y[2] = 3000;
    md.white_x = 15635, md.white_y = 16450;
    md.max_luminance = 10000000, md.min_luminance = 50;
    v.hdr.mastering = md;
    v.hdr.content_light = ContentLight{1000, 400};
    file.video = v;
    fvsr_test::write_media(file);

    auto source = open(file.path);
    ASSERT_TRUE(source);
    const VideoInfo& info = source->info();
    EXPECT_EQ(info.color, (ColorInfo{9, 16, 9, 1}));
    EXPECT_TRUE(info.color.is_pq());
    ASSERT_TRUE(info.hdr.mastering);
    EXPECT_EQ(*info.hdr.mastering, md);
    ASSERT_TRUE(info.hdr.content_light);
    EXPECT_EQ(*info.hdr.content_light, (ContentLight{1000, 400}));
    EXPECT_EQ(info.pixel_format, "yuv420p10le");
    EXPECT_EQ(info.container, "matroska,webm");
}

TEST_F(VideoSourceTest, OtherStreamsAndChaptersAreListed) {
    SynthFile file;
    file.path = path("streams.mkv");
    SynthVideo v;
    v.frames = 3;
    file.video = v;
    fvsr_test::SynthAudio audio;
    audio.language = "fra";
    file.audio = {audio};
    fvsr_test::SynthSubtitle sub;
    sub.cues = {{0, 50, "hello"}};
    sub.language = "eng";
    file.subtitles = {sub};
    file.attachments = {{"font.ttf", "application/x-truetype-font", "not really a font"}};
    file.chapters = {{0, 60, "One"}, {60, 120, "Two"}};
    fvsr_test::write_media(file);

    auto source = open(file.path);
    ASSERT_TRUE(source);
    const VideoInfo& info = source->info();
    ASSERT_EQ(info.other_streams.size(), 3u);
    EXPECT_EQ(info.other_streams[0].kind, StreamKind::Audio);
    EXPECT_EQ(info.other_streams[0].codec_name, "pcm_s16le");
    EXPECT_EQ(info.other_streams[0].language, "fra");
    EXPECT_EQ(info.other_streams[1].kind, StreamKind::Subtitle);
    EXPECT_EQ(info.other_streams[1].codec_name, "subrip");
    EXPECT_EQ(info.other_streams[1].language, "eng");
    EXPECT_EQ(info.other_streams[2].kind, StreamKind::Attachment);
    EXPECT_EQ(info.chapter_count, 2);
    EXPECT_EQ(read_all(*source).size(), 3u);
}

}  // namespace
}  // namespace engine::io
