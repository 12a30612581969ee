// Passthrough of a source's audio, subtitles, chapters and attachments: packets byte-identical
// with the same timing; a container that cannot hold a stream is refused by name.

#include "engine/core/paths.h"
#include "engine/io/support/synth_media.h"
#include "engine/io/support/temp_dir.h"
#include "engine/io/video_file.h"

#include <gtest/gtest.h>

namespace engine::io {
namespace {

namespace fs = std::filesystem;

class VideoPassthroughTest : public fvsr_test::TempDirTest {
  protected:
    // 10 frames at 25 fps (0.4 s) with PCM and FLAC audio, SRT and ASS subtitles, two chapters
    // and a font attachment.
    fs::path make_source() {
        fvsr_test::SynthFile file;
        file.path = path("source with spaces.mkv");
        fvsr_test::SynthVideo v;
        v.frames = 10;
        file.video = v;
        fvsr_test::SynthAudio pcm;
        pcm.seconds = 0.4;
        pcm.language = "eng";
        fvsr_test::SynthAudio flac;
        flac.encoder = "flac";
        flac.seconds = 0.4;
        flac.channels = 1;
        flac.sample_rate = 44100;
        file.audio = {pcm, flac};
        fvsr_test::SynthSubtitle srt;
        srt.cues = {{0, 120, "first line"}, {150, 200, "second <i>line</i>"}};
        srt.language = "eng";
        fvsr_test::SynthSubtitle ass;
        ass.codec = "ass";
        ass.cues = {{40, 100, "{\\b1}bold{\\b0} text"}, {300, 80, "later"}};
        ass.language = "deu";
        file.subtitles = {srt, ass};
        file.chapters = {{0, 200, "Opening"}, {200, 400, "Ending"}};
        file.attachments = {{"font.ttf", "application/x-truetype-font",
                             std::string("\x00\x01\x00\x00 fake font bytes", 21)}};
        fvsr_test::write_media(file);
        return file.path;
    }

    Status transcode(const fs::path& source_path, const SinkOptions& base) {
        SourceOptions so;
        so.input = source_path;
        auto source = open_video_source(so);
        EXPECT_TRUE(source.ok()) << (source.ok() ? "" : source.error().to_string());
        if (!source.ok()) {
            return source.error();
        }
        SinkOptions o = base;
        o.width = source.value()->info().width;
        o.height = source.value()->info().height;
        o.time_base = source.value()->info().time_base;
        o.frame_rate = source.value()->info().frame_rate;
        o.passthrough_from = source_path;
        o.expected_frames = source.value()->info().frame_count;
        o.hardware_encoder = false;
        auto sink = open_video_sink(o);
        if (!sink.ok()) {
            return sink.error();
        }
        for (;;) {
            auto next = source.value()->next();
            EXPECT_TRUE(next.ok());
            if (!next.ok() || !next.value()) {
                break;
            }
            Status s = sink.value()->write(*next.value());
            if (!s.ok()) {
                return s;
            }
        }
        return sink.value()->finish();
    }
};

TEST_F(VideoPassthroughTest, AudioSubtitlesChaptersAndAttachmentsAreCopiedBitExact) {
    const fs::path source = make_source();
    const fs::path output = path("wyjście ü 日本.mkv");
    SinkOptions o;
    o.output = output;
    o.codec = VideoCodec::H264;
    Status s = transcode(source, o);
    ASSERT_TRUE(s.ok()) << s.error().to_string();

    const fvsr_test::FileRecord in = fvsr_test::inspect(source);
    const fvsr_test::FileRecord out = fvsr_test::inspect(output);
    ASSERT_EQ(in.streams.size(), 6u);
    ASSERT_EQ(out.streams.size(), 6u);
    EXPECT_EQ(out.streams[0].codec, "h264");
    for (int i = 1; i < 6; ++i) {
        SCOPED_TRACE("stream " + std::to_string(i));
        EXPECT_EQ(out.streams[i].type, in.streams[i].type);
        EXPECT_EQ(out.streams[i].codec, in.streams[i].codec);
        EXPECT_EQ(out.streams[i].extradata, in.streams[i].extradata);
        EXPECT_EQ(out.streams[i].metadata.count("language"),
                  in.streams[i].metadata.count("language"));
        if (in.streams[i].metadata.count("language")) {
            EXPECT_EQ(out.streams[i].metadata.at("language"),
                      in.streams[i].metadata.at("language"));
        }
        if (in.streams[i].type == AVMEDIA_TYPE_ATTACHMENT) {
            EXPECT_EQ(out.streams[i].metadata.at("filename"), "font.ttf");
            continue;
        }
        const auto a = fvsr_test::read_packets(source, i);
        const auto b = fvsr_test::read_packets(output, i);
        ASSERT_FALSE(a.empty());
        ASSERT_EQ(a.size(), b.size());
        for (std::size_t p = 0; p < a.size(); ++p) {
            EXPECT_TRUE(a[p].data == b[p].data) << "packet " << p << " differs";
            EXPECT_NEAR(a[p].pts_seconds(), b[p].pts_seconds(), 1e-9) << "packet " << p;
            EXPECT_NEAR(a[p].duration_seconds(), b[p].duration_seconds(), 1e-9) << "packet " << p;
        }
    }
    ASSERT_EQ(out.chapters.size(), 2u);
    for (std::size_t c = 0; c < 2; ++c) {
        EXPECT_EQ(out.chapters[c].title, in.chapters[c].title);
        EXPECT_NEAR(out.chapters[c].start_seconds, in.chapters[c].start_seconds, 1e-9);
        EXPECT_NEAR(out.chapters[c].end_seconds, in.chapters[c].end_seconds, 1e-9);
    }
}

TEST_F(VideoPassthroughTest, StreamsAreInterleavedWithTheVideo) {
    const fs::path source = make_source();
    const fs::path output = path("interleaved.mkv");
    SinkOptions o;
    o.output = output;
    o.codec = VideoCodec::FFV1;
    ASSERT_TRUE(transcode(source, o).ok());
    // The first audio packet must come before the last video packet in the file.
    const auto video = fvsr_test::read_packets(output, 0);
    const auto audio = fvsr_test::read_packets(output, 1);
    ASSERT_FALSE(video.empty());
    ASSERT_FALSE(audio.empty());
    EXPECT_LT(audio.front().pos, video.back().pos);
}

TEST_F(VideoPassthroughTest, Mp4CannotHoldPcmAndSaysWhichStream) {
    const fs::path source = make_source();
    const fs::path output = path("out.mp4");
    SinkOptions o;
    o.output = output;
    o.codec = VideoCodec::H264;
    Status s = transcode(source, o);
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.error().code, ErrorCode::StreamNotSupported);
    EXPECT_EQ(s.error().get("stream"), "1");
    EXPECT_EQ(s.error().get("codec"), "pcm_s16le");
    EXPECT_EQ(s.error().get("kind"), "audio");
    EXPECT_EQ(s.error().get("container"), "mp4");
    EXPECT_EQ(s.error().get("suggested_container"), "mkv");
    EXPECT_EQ(s.error().get("path"), output.u8string());
    EXPECT_FALSE(fs::exists(output));
    EXPECT_FALSE(fs::exists(engine::partial_path_for(output)));
}

TEST_F(VideoPassthroughTest, Mp4CannotHoldSubripOrAttachments) {
    fvsr_test::SynthFile file;
    file.path = path("subs.mkv");
    fvsr_test::SynthVideo v;
    v.frames = 3;
    file.video = v;
    fvsr_test::SynthAudio aac;
    aac.encoder = "aac";
    file.audio = {aac};
    fvsr_test::SynthSubtitle srt;
    srt.cues = {{0, 50, "x"}};
    file.subtitles = {srt};
    fvsr_test::write_media(file);

    SinkOptions o;
    o.output = path("subs.mp4");
    o.codec = VideoCodec::H264;
    Status s = transcode(file.path, o);
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.error().code, ErrorCode::StreamNotSupported);
    EXPECT_EQ(s.error().get("stream"), "2");
    EXPECT_EQ(s.error().get("codec"), "subrip");

    fvsr_test::SynthFile with_font = file;
    with_font.path = path("font.mkv");
    with_font.subtitles.clear();
    with_font.attachments = {{"a.ttf", "application/x-truetype-font", "abc"}};
    fvsr_test::write_media(with_font);
    o.output = path("font.mov");
    s = transcode(with_font.path, o);
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.error().code, ErrorCode::StreamNotSupported);
    EXPECT_EQ(s.error().get("kind"), "attachment");
    EXPECT_EQ(s.error().get("container"), "mov");

    // AAC and chapters fit mp4.
    fvsr_test::SynthFile aac_only = file;
    aac_only.path = path("aac.mkv");
    aac_only.subtitles.clear();
    aac_only.chapters = {{0, 60, "Start"}, {60, 120, "End"}};
    fvsr_test::write_media(aac_only);
    o.output = path("aac.mp4");
    s = transcode(aac_only.path, o);
    ASSERT_TRUE(s.ok()) << s.error().to_string();
    const auto a = fvsr_test::read_packets(aac_only.path, 1);
    const auto b = fvsr_test::read_packets(o.output, 1);
    ASSERT_EQ(a.size(), b.size());
    for (std::size_t p = 0; p < a.size(); ++p) {
        EXPECT_TRUE(a[p].data == b[p].data);
    }
    const fvsr_test::FileRecord out = fvsr_test::inspect(o.output);
    ASSERT_EQ(out.chapters.size(), 2u);
    EXPECT_EQ(out.chapters[1].title, "End");
}

TEST_F(VideoPassthroughTest, MatroskaCannotHoldMovTextAndSuggestsMp4) {
    fvsr_test::SynthFile file;
    file.path = path("timed_text.mp4");
    fvsr_test::SynthVideo v;
    v.encoder = "libx264";
    v.frames = 3;
    file.video = v;
    fvsr_test::SynthSubtitle text;
    text.codec = "mov_text";
    text.cues = {{0, 80, "caption"}};
    file.subtitles = {text};
    fvsr_test::write_media(file);

    SinkOptions o;
    o.output = path("timed_text.mkv");
    o.codec = VideoCodec::H264;
    Status s = transcode(file.path, o);
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.error().code, ErrorCode::StreamNotSupported);
    EXPECT_EQ(s.error().get("codec"), "mov_text");
    EXPECT_EQ(s.error().get("container"), "matroska");
    EXPECT_EQ(s.error().get("suggested_container"), "mp4");

    o.output = path("timed_text_copy.mp4");
    s = transcode(file.path, o);
    ASSERT_TRUE(s.ok()) << s.error().to_string();
    const auto a = fvsr_test::read_packets(file.path, 1);
    const auto b = fvsr_test::read_packets(o.output, 1);
    ASSERT_EQ(a.size(), b.size());
    for (std::size_t p = 0; p < a.size(); ++p) {
        EXPECT_TRUE(a[p].data == b[p].data);
    }
}

TEST_F(VideoPassthroughTest, Mp2AudioInMp4PassesVerification) {
    // mp4 stores MPEG-1 Layer II under the MPEG-1 audio object type, which reads back as MP3.
    fvsr_test::SynthFile file;
    file.path = path("mp2.mkv");
    fvsr_test::SynthVideo v;
    v.frames = 3;
    file.video = v;
    fvsr_test::SynthAudio mp2;
    mp2.encoder = "mp2";
    file.audio = {mp2};
    fvsr_test::write_media(file);
    SinkOptions o;
    o.output = path("mp2.mp4");
    o.codec = VideoCodec::H264;
    Status s = transcode(file.path, o);
    ASSERT_TRUE(s.ok()) << s.error().to_string();
    const auto a = fvsr_test::read_packets(file.path, 1);
    const auto b = fvsr_test::read_packets(o.output, 1);
    ASSERT_EQ(a.size(), b.size());
    for (std::size_t p = 0; p < a.size(); ++p) {
        EXPECT_TRUE(a[p].data == b[p].data);
    }
}

}  // namespace
}  // namespace engine::io
