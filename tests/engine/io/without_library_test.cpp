// What a build without FFmpeg or OpenEXR does with the formats that need them: a clear
// UnsupportedFormat naming the missing library and how to rebuild, never a crash or a link
// error. In builds with the libraries, the same calls must not report them missing.

#include "engine/io/exr.h"
#include "engine/io/image_sequence.h"
#include "engine/io/media.h"
#include "engine/io/support/temp_dir.h"
#include "engine/io/versions.h"

#include <gtest/gtest.h>

#include <fstream>

namespace engine::io {
namespace {

namespace fs = std::filesystem;

class WithoutLibraryTest : public fvsr_test::TempDirTest {};

void expect_missing(const Error& e, const std::string& library) {
    EXPECT_EQ(e.code, ErrorCode::UnsupportedFormat) << e.to_string();
    EXPECT_EQ(e.get("missing_library"), library) << e.to_string();
    EXPECT_NE(e.get("rebuild").find(library == "FFmpeg" ? "FVSR_FFMPEG" : "FVSR_OPENEXR"),
              std::string::npos);
    EXPECT_NE(e.detail.find("this build"), std::string::npos) << e.detail;
}

TEST_F(WithoutLibraryTest, VersionsNameWhatIsMissing) {
    const std::string versions = media_library_versions();
    EXPECT_EQ(versions.find("libavformat") != std::string::npos, have_ffmpeg()) << versions;
    EXPECT_EQ(versions.find("no FFmpeg") != std::string::npos, !have_ffmpeg()) << versions;
    EXPECT_EQ(versions.find("no OpenEXR") != std::string::npos, !have_openexr()) << versions;
}

TEST_F(WithoutLibraryTest, VideoFilesNeedFfmpeg) {
    const fs::path input = path("clip.mkv");
    std::ofstream(input) << "not really a video";
    SourceOptions so;
    so.input = input;
    auto source = open_source(so);
    ASSERT_FALSE(source.ok());
    if (have_ffmpeg()) {
        EXPECT_TRUE(source.error().get("missing_library").empty());
    } else {
        expect_missing(source.error(), "FFmpeg");
        EXPECT_EQ(source.error().get("path"), path_string(input));
    }

    SinkOptions o;
    o.output = path("out.mkv");
    o.width = 16;
    o.height = 16;
    auto sink = open_sink(o);
    if (have_ffmpeg()) {
        EXPECT_TRUE(sink.ok()) << sink.error().to_string();
    } else {
        ASSERT_FALSE(sink.ok());
        expect_missing(sink.error(), "FFmpeg");
        EXPECT_FALSE(fs::exists(path("out.mkv")));
    }
}

TEST_F(WithoutLibraryTest, PngNeedsFfmpegAndExrNeedsOpenExr) {
    struct Case {
        PictureFormat format;
        int bits;
        bool present;
        const char* library;
    };
    const Case cases[] = {{PictureFormat::PNG, 8, have_ffmpeg(), "FFmpeg"},
                          {PictureFormat::EXR, 16, have_openexr(), "OpenEXR"}};
    for (const Case& c : cases) {
        SCOPED_TRACE(c.library);
        SinkOptions o;
        o.mode = OutputMode::Pictures;
        o.output = path(std::string("frames_") + c.library);
        o.picture_format = c.format;
        o.picture_bit_depth = c.bits;
        o.width = 4;
        o.height = 4;
        Frame f;
        f.allocate(4, 4, SampleType::U8);
        Status written;
        auto sink = open_sink(o);
        if (!sink.ok()) {
            written = sink.error();
        } else {
            written = (*sink)->write(f);
            if (written.ok()) {
                written = (*sink)->finish();
            }
        }
        if (c.present) {
            EXPECT_TRUE(written.ok()) << written.error().to_string();
        } else {
            ASSERT_FALSE(written.ok());
            expect_missing(written.error(), c.library);
        }
    }
    if (!have_openexr()) {
        const std::uint8_t bytes[4] = {0x76, 0x2f, 0x31, 0x01};
        auto info = inspect_exr(bytes, sizeof bytes, "a.exr");
        ASSERT_FALSE(info.ok());
        expect_missing(info.error(), "OpenEXR");
    }
}

}  // namespace
}  // namespace engine::io
