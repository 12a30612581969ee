// Encoding through open_video_sink: every codec and depth decodes back, lossless FFV1 is
// bit-exact, colour tags and HDR10 metadata are carried, timestamps (VFR) are kept, the output
// appears atomically and only after verification.

#include "engine/core/paths.h"
#include "engine/io/support/synth_media.h"
#include "engine/io/support/temp_dir.h"
#include "engine/io/video_file.h"

#include <gtest/gtest.h>

#include <fstream>

namespace engine::io {
namespace {

namespace fs = std::filesystem;

class VideoSinkTest : public fvsr_test::TempDirTest {
  protected:
    SinkOptions options_for(const fs::path& output,
                            VideoCodec codec,
                            int depth,
                            int w = 64,
                            int h = 48) {
        SinkOptions o;
        o.output = output;
        o.codec = codec;
        o.bit_depth = depth;
        o.width = w;
        o.height = h;
        o.frame_rate = Rational{25, 1};
        o.time_base = Rational{1, 25};
        o.hardware_encoder = false;
        return o;
    }

    // Writes `frames` and finishes; returns the sink's notes.
    std::vector<std::string> encode(const SinkOptions& options, const std::vector<Frame>& frames) {
        auto sink = open_video_sink(options);
        EXPECT_TRUE(sink.ok()) << (sink.ok() ? "" : sink.error().to_string());
        if (!sink.ok()) {
            return {};
        }
        for (const Frame& f : frames) {
            Status s = sink.value()->write(f);
            EXPECT_TRUE(s.ok()) << (s.ok() ? "" : s.error().to_string());
        }
        Status done = sink.value()->finish();
        EXPECT_TRUE(done.ok()) << (done.ok() ? "" : done.error().to_string());
        return sink.value()->notes();
    }

    std::vector<Frame> decode(const fs::path& input,
                              VideoInfo* info = nullptr,
                              SampleType type = SampleType::U16) {
        SourceOptions so;
        so.input = input;
        so.preferred_type = type;
        auto source = open_video_source(so);
        EXPECT_TRUE(source.ok()) << (source.ok() ? "" : source.error().to_string());
        std::vector<Frame> frames;
        if (!source.ok()) {
            return frames;
        }
        if (info != nullptr) {
            *info = source.value()->info();
        }
        for (;;) {
            auto next = source.value()->next();
            EXPECT_TRUE(next.ok());
            if (!next.ok() || !next.value()) {
                break;
            }
            frames.push_back(std::move(*next.value()));
        }
        return frames;
    }

    static std::vector<Frame> clip(int count, int w, int h, SampleType type) {
        std::vector<Frame> frames;
        for (int i = 0; i < count; ++i) {
            frames.push_back(fvsr_test::make_rgb_frame(w, h, type, i));
        }
        return frames;
    }

    static std::vector<Frame> noise_clip(int count, int w, int h, SampleType type) {
        std::vector<Frame> frames;
        std::uint32_t state = 12345;
        for (int i = 0; i < count; ++i) {
            Frame f;
            f.allocate(w, h, type);
            f.pts = i;
            f.index = i;
            for (auto& byte : f.data) {
                state = state * 1664525u + 1013904223u;
                byte = static_cast<std::uint8_t>(state >> 24);
            }
            frames.push_back(std::move(f));
        }
        return frames;
    }
};

TEST(VideoCodecNames, ParseAndNameRoundTrip) {
    for (VideoCodec c : {VideoCodec::H264, VideoCodec::H265, VideoCodec::AV1,
                         VideoCodec::ProRes422HQ, VideoCodec::ProRes4444, VideoCodec::FFV1}) {
        auto parsed = parse_video_codec(video_codec_name(c));
        ASSERT_TRUE(parsed);
        EXPECT_EQ(*parsed, c);
    }
    EXPECT_EQ(video_codec_name(VideoCodec::H265), "h265");
    EXPECT_EQ(parse_video_codec("hevc"), VideoCodec::H265);
    EXPECT_EQ(parse_video_codec("H264"), VideoCodec::H264);
    EXPECT_EQ(parse_video_codec("prores_hq"), VideoCodec::ProRes422HQ);
    EXPECT_EQ(parse_video_codec("prores_4444"), VideoCodec::ProRes4444);
    EXPECT_EQ(parse_video_codec("ffv1"), VideoCodec::FFV1);
    EXPECT_FALSE(parse_video_codec("mpeg2"));
    EXPECT_FALSE(parse_video_codec(""));
}

TEST_F(VideoSinkTest, Ffv1SixteenBitRgbRoundTripIsBitExact) {
    const fs::path out = path("lossless16.mkv");
    SinkOptions o = options_for(out, VideoCodec::FFV1, 16);
    const std::vector<Frame> frames = noise_clip(3, 64, 48, SampleType::U16);
    encode(o, frames);
    VideoInfo info;
    const std::vector<Frame> back = decode(out, &info);
    ASSERT_EQ(back.size(), frames.size());
    EXPECT_EQ(info.codec_name, "ffv1");
    EXPECT_EQ(info.bit_depth, 16);
    for (std::size_t i = 0; i < frames.size(); ++i) {
        ASSERT_EQ(back[i].type, SampleType::U16);
        EXPECT_TRUE(back[i].data == frames[i].data) << "frame " << i << " differs";
        EXPECT_NEAR(static_cast<double>(back[i].pts) * back[i].time_base.to_double(),
                    static_cast<double>(frames[i].pts) / 25.0, 1e-9);
    }
}

TEST_F(VideoSinkTest, Ffv1EightBitRgbRoundTripIsBitExact) {
    const fs::path out = path("lossless8.mkv");
    const std::vector<Frame> frames = noise_clip(2, 64, 48, SampleType::U8);
    encode(options_for(out, VideoCodec::FFV1, 8), frames);
    const std::vector<Frame> back = decode(out);
    ASSERT_EQ(back.size(), frames.size());
    for (std::size_t i = 0; i < frames.size(); ++i) {
        ASSERT_EQ(back[i].type, SampleType::U8);
        EXPECT_TRUE(back[i].data == frames[i].data) << "frame " << i << " differs";
    }
}

struct EncoderCase {
    VideoCodec codec;
    int depth;
    const char* codec_name;  // as the decoder reports it
    int decoded_depth;
    const char* container;
};

TEST_F(VideoSinkTest, EveryCodecAndDepthDecodesBackClose) {
    const std::vector<EncoderCase> cases = {
        {VideoCodec::H264, 8, "h264", 8, "mkv"},
        {VideoCodec::H264, 10, "h264", 10, "mp4"},
        {VideoCodec::H265, 8, "hevc", 8, "mp4"},
        {VideoCodec::H265, 10, "hevc", 10, "mkv"},
        {VideoCodec::AV1, 8, "av1", 8, "mkv"},
        {VideoCodec::AV1, 10, "av1", 10, "mp4"},
        {VideoCodec::ProRes422HQ, 10, "prores", 10, "mov"},
        {VideoCodec::ProRes4444, 10, "prores", 12, "mkv"},  // decoded at 12 bits
        {VideoCodec::FFV1, 10, "ffv1", 10, "mkv"},
        {VideoCodec::FFV1, 12, "ffv1", 12, "mkv"},
    };
    const std::vector<Frame> frames = clip(4, 64, 64, SampleType::U16);
    for (const EncoderCase& c : cases) {
        const std::string name = video_codec_name(c.codec) + "_" + std::to_string(c.depth);
        SCOPED_TRACE(name);
        const fs::path out = path(name + "." + c.container);
        SinkOptions o = options_for(out, c.codec, c.depth, 64, 64);
        o.expected_frames = 4;
        encode(o, frames);
        ASSERT_TRUE(fs::exists(out));
        VideoInfo info;
        const std::vector<Frame> back = decode(out, &info);
        ASSERT_EQ(back.size(), frames.size());
        EXPECT_EQ(info.codec_name, c.codec_name);
        EXPECT_EQ(info.bit_depth, c.decoded_depth);
        EXPECT_EQ(info.frame_count, 4);
        EXPECT_EQ(info.width, 64);
        EXPECT_EQ(info.height, 64);
        for (std::size_t i = 0; i < frames.size(); ++i) {
            EXPECT_GT(fvsr_test::psnr(frames[i], back[i]), 33.0) << "frame " << i;
            EXPECT_EQ(back[i].pts, static_cast<std::int64_t>(i) * back[i].time_base.den /
                                       (25 * back[i].time_base.num));
        }
    }
}

TEST_F(VideoSinkTest, QualityPresetsAndCrfChangeTheSize) {
    const std::vector<Frame> frames = clip(4, 64, 64, SampleType::U8);
    SinkOptions small = options_for(path("small.mkv"), VideoCodec::H264, 8, 64, 64);
    small.quality = QualityPreset::Small;
    encode(small, frames);
    SinkOptions lossless = options_for(path("lossless.mkv"), VideoCodec::H264, 8, 64, 64);
    lossless.quality = QualityPreset::Lossless;
    encode(lossless, frames);
    EXPECT_LT(fs::file_size(path("small.mkv")), fs::file_size(path("lossless.mkv")));

    SinkOptions bad_crf = options_for(path("badcrf.mkv"), VideoCodec::H264, 8, 64, 64);
    bad_crf.crf = 70;
    auto sink = open_video_sink(bad_crf);
    ASSERT_FALSE(sink.ok());
    EXPECT_EQ(sink.error().code, ErrorCode::InvalidArgument);
}

TEST_F(VideoSinkTest, MissingHardwareEncoderIsANoteNotAFailure) {
    SinkOptions o = options_for(path("hw.mkv"), VideoCodec::H264, 8);
    o.hardware_encoder = true;
    const std::vector<std::string> notes = encode(o, clip(2, 64, 48, SampleType::U8));
    ASSERT_FALSE(notes.empty());
    bool mentions_nvenc = false;
    for (const std::string& n : notes) {
        mentions_nvenc = mentions_nvenc || n.find("nvenc") != std::string::npos;
    }
    EXPECT_TRUE(mentions_nvenc);
    EXPECT_EQ(decode(path("hw.mkv")).size(), 2u);
}

TEST_F(VideoSinkTest, ColourTagsAndHdr10MetadataAreCarried) {
    MasteringDisplay md;
    md.primaries_x[0] = 34000, md.primaries_y[0] = 16000;
    md.primaries_x[1] = 13250, md.primaries_y[1] = 34500;
    md.primaries_x[2] = 7500, md.primaries_y[2] = 3000;
    md.white_x = 15635, md.white_y = 16450;
    md.max_luminance = 10000000, md.min_luminance = 50;
    // x265 in mp4 carries the metadata as SEI (frame side data); FFV1 and H.264 in mkv in the
    // container's Colour element (stream side data).
    struct Case {
        VideoCodec codec;
        int depth;
        const char* name;
    };
    for (const Case& c :
         {Case{VideoCodec::H265, 10, "hdr.mp4"}, Case{VideoCodec::FFV1, 16, "hdr.mkv"},
          Case{VideoCodec::H264, 10, "hdr264.mkv"}, Case{VideoCodec::AV1, 10, "hdr_av1.mp4"},
          Case{VideoCodec::ProRes422HQ, 10, "hdr_prores.mov"}}) {
        SCOPED_TRACE(c.name);
        SinkOptions o = options_for(path(c.name), c.codec, c.depth, 64, 64);
        o.color = ColorInfo{9, 16, 9, 1};
        o.hdr.mastering = md;
        o.hdr.content_light = ContentLight{1000, 400};
        encode(o, clip(2, 64, 64, SampleType::U16));
        VideoInfo info;
        ASSERT_EQ(decode(path(c.name), &info).size(), 2u);
        EXPECT_EQ(info.color.primaries, 9);
        EXPECT_EQ(info.color.transfer, 16);
        if (c.codec == VideoCodec::FFV1) {
            EXPECT_EQ(info.color.matrix, 0);  // FFV1 codes RGB
            EXPECT_EQ(info.color.range, 2);
        } else {
            EXPECT_EQ(info.color.matrix, 9);
            EXPECT_EQ(info.color.range, 1);
        }
        ASSERT_TRUE(info.hdr.mastering);
        EXPECT_EQ(*info.hdr.mastering, md);
        ASSERT_TRUE(info.hdr.content_light);
        EXPECT_EQ(*info.hdr.content_light, (ContentLight{1000, 400}));
    }
}

TEST_F(VideoSinkTest, FullRangeAndBt601TagsAreWrittenAndUsed) {
    SinkOptions o = options_for(path("full.mkv"), VideoCodec::H264, 8, 64, 64);
    o.color = ColorInfo{6, 6, 6, 2};
    o.quality = QualityPreset::Lossless;
    const std::vector<Frame> frames = clip(1, 64, 64, SampleType::U8);
    encode(o, frames);
    VideoInfo info;
    const std::vector<Frame> back = decode(path("full.mkv"), &info);
    ASSERT_EQ(back.size(), 1u);
    EXPECT_EQ(info.color, (ColorInfo{6, 6, 6, 2}));
    // Lossless YUV 4:2:0 of smooth content: only chroma subsampling and rounding remain.
    EXPECT_GT(fvsr_test::psnr(frames[0], back[0]), 38.0);
}

TEST_F(VideoSinkTest, VariableFrameRateTimestampsSurviveEncoding) {
    const std::vector<std::int64_t> pts = {0, 40, 80, 200, 210, 300};
    std::vector<Frame> frames = clip(static_cast<int>(pts.size()), 64, 48, SampleType::U8);
    for (std::size_t i = 0; i < pts.size(); ++i) {
        frames[i].pts = pts[i];
    }
    for (VideoCodec codec : {VideoCodec::FFV1, VideoCodec::H264}) {
        SCOPED_TRACE(video_codec_name(codec));
        const fs::path out = path("vfr_" + video_codec_name(codec) + ".mkv");
        SinkOptions o = options_for(out, codec, 8);
        o.time_base = Rational{1, 1000};
        o.frame_rate = Rational{20, 1};
        encode(o, frames);
        VideoInfo info;
        const std::vector<Frame> back = decode(out, &info);
        ASSERT_EQ(back.size(), pts.size());
        EXPECT_TRUE(info.variable_frame_rate);
        for (std::size_t i = 0; i < pts.size(); ++i) {
            EXPECT_NEAR(static_cast<double>(back[i].pts) * back[i].time_base.to_double(),
                        static_cast<double>(pts[i]) / 1000.0, 1e-9);
        }
    }
}

TEST_F(VideoSinkTest, ContainerComesFromOptionThenExtensionThenMatroska) {
    const std::vector<Frame> frames = clip(2, 64, 48, SampleType::U8);
    encode(options_for(path("no_extension"), VideoCodec::H264, 8), frames);
    EXPECT_EQ(fvsr_test::inspect(path("no_extension")).format, "matroska,webm");
    encode(options_for(path("by_ext.mp4"), VideoCodec::H264, 8), frames);
    EXPECT_EQ(fvsr_test::inspect(path("by_ext.mp4")).format, "mov,mp4,m4a,3gp,3g2,mj2");
    SinkOptions forced = options_for(path("forced.bin"), VideoCodec::H264, 8);
    forced.container = "mkv";
    encode(forced, frames);
    EXPECT_EQ(fvsr_test::inspect(path("forced.bin")).format, "matroska,webm");
    // Apple players need 'hvc1' HEVC in mp4/mov.
    encode(options_for(path("apple.mov"), VideoCodec::H265, 8, 64, 64),
           clip(2, 64, 64, SampleType::U8));
    EXPECT_EQ(decode(path("apple.mov")).size(), 2u);
}

TEST_F(VideoSinkTest, OutputAppearsOnlyAfterFinish) {
    const fs::path out = path("atomic.mkv");
    const fs::path partial = engine::partial_path_for(out);
    auto sink = open_video_sink(options_for(out, VideoCodec::FFV1, 8));
    ASSERT_TRUE(sink.ok());
    const std::vector<Frame> frames = clip(3, 64, 48, SampleType::U8);
    for (const Frame& f : frames) {
        ASSERT_TRUE(sink.value()->write(f).ok());
    }
    EXPECT_FALSE(fs::exists(out));
    EXPECT_TRUE(fs::exists(partial));
    ASSERT_TRUE(sink.value()->finish().ok());
    EXPECT_TRUE(fs::exists(out));
    EXPECT_FALSE(fs::exists(partial));
    EXPECT_FALSE(sink.value()->write(frames[0]).ok());
}

TEST_F(VideoSinkTest, AbortAndDestructionRemoveThePartialFile) {
    const fs::path out = path("aborted.mkv");
    const fs::path partial = engine::partial_path_for(out);
    {
        auto sink = open_video_sink(options_for(out, VideoCodec::H264, 8));
        ASSERT_TRUE(sink.ok());
        ASSERT_TRUE(sink.value()->write(fvsr_test::make_rgb_frame(64, 48, SampleType::U8, 0)).ok());
        EXPECT_TRUE(fs::exists(partial));
        sink.value()->abort();
        EXPECT_FALSE(fs::exists(partial));
        EXPECT_FALSE(fs::exists(out));
    }
    {
        auto sink = open_video_sink(options_for(out, VideoCodec::H264, 8));
        ASSERT_TRUE(sink.ok());
        ASSERT_TRUE(sink.value()->write(fvsr_test::make_rgb_frame(64, 48, SampleType::U8, 0)).ok());
    }
    EXPECT_FALSE(fs::exists(partial));
    EXPECT_FALSE(fs::exists(out));
}

TEST_F(VideoSinkTest, ExistingOutputNeedsOverwrite) {
    const fs::path out = path("exists.mkv");
    { std::ofstream(out) << "old"; }
    auto refused = open_video_sink(options_for(out, VideoCodec::FFV1, 8));
    ASSERT_FALSE(refused.ok());
    EXPECT_EQ(refused.error().code, ErrorCode::OutputExists);
    EXPECT_EQ(refused.error().get("path"), out.u8string());

    SinkOptions o = options_for(out, VideoCodec::FFV1, 8);
    o.overwrite = true;
    encode(o, clip(2, 64, 48, SampleType::U8));
    EXPECT_EQ(decode(out).size(), 2u);
}

TEST_F(VideoSinkTest, FrameCountMismatchFailsVerificationAndLeavesNothing) {
    const fs::path out = path("short.mkv");
    SinkOptions o = options_for(out, VideoCodec::FFV1, 8);
    o.expected_frames = 5;
    auto sink = open_video_sink(o);
    ASSERT_TRUE(sink.ok());
    for (const Frame& f : clip(3, 64, 48, SampleType::U8)) {
        ASSERT_TRUE(sink.value()->write(f).ok());
    }
    Status done = sink.value()->finish();
    ASSERT_FALSE(done.ok());
    EXPECT_EQ(done.error().code, ErrorCode::OutputVerificationFailed);
    EXPECT_EQ(done.error().get("found_frames"), "3");
    EXPECT_EQ(done.error().get("expected_frames"), "5");
    EXPECT_FALSE(fs::exists(out));
    EXPECT_FALSE(fs::exists(engine::partial_path_for(out)));
}

TEST_F(VideoSinkTest, RejectedFramesDoNotEndTheSink) {
    auto sink = open_video_sink(options_for(path("reject.mkv"), VideoCodec::FFV1, 8));
    ASSERT_TRUE(sink.ok());
    Status wrong_size = sink.value()->write(fvsr_test::make_rgb_frame(32, 48, SampleType::U8, 0));
    ASSERT_FALSE(wrong_size.ok());
    EXPECT_EQ(wrong_size.error().code, ErrorCode::InvalidArgument);
    ASSERT_TRUE(sink.value()->write(fvsr_test::make_rgb_frame(64, 48, SampleType::U8, 1)).ok());
    Status same_pts = sink.value()->write(fvsr_test::make_rgb_frame(64, 48, SampleType::U8, 1));
    ASSERT_FALSE(same_pts.ok());
    EXPECT_EQ(same_pts.error().code, ErrorCode::InvalidArgument);
    ASSERT_TRUE(sink.value()->finish().ok());
    EXPECT_EQ(decode(path("reject.mkv")).size(), 1u);
}

TEST_F(VideoSinkTest, FloatFramesAreAccepted) {
    const fs::path out = path("float.mkv");
    std::vector<Frame> frames = clip(2, 64, 48, SampleType::F32);
    encode(options_for(out, VideoCodec::FFV1, 16), frames);
    const std::vector<Frame> back = decode(out, nullptr, SampleType::F32);
    ASSERT_EQ(back.size(), 2u);
    EXPECT_GT(fvsr_test::psnr(frames[0], back[0]), 80.0);
}

}  // namespace
}  // namespace engine::io
