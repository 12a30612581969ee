#include "engine/core/paths.h"
#include "engine/io/image_sequence.h"
#include "engine/io/media.h"

#include <gtest/gtest.h>

#include <csignal>
#include <fstream>
#include <string>
#include <sys/resource.h>
#include <unistd.h>
#include <vector>

namespace engine::io {
namespace {

namespace fs = std::filesystem;

class ImageSequenceSinkTest : public ::testing::Test {
  protected:
    void SetUp() override {
        const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
        m_dir = fs::temp_directory_path() / ("fvsr-imgseq-sink-" + std::string(info->name()) + "-" +
                                             std::to_string(::getpid()));
        engine::remove_tree(m_dir);
        fs::create_directories(m_dir);
    }
    void TearDown() override {
        std::error_code ec;
        engine::remove_tree(m_dir, ec);
    }
    fs::path path(const std::string& name) const { return m_dir / name; }

    SinkOptions options(const fs::path& output, PictureFormat format, int depth) const {
        SinkOptions o;
        o.output = output;
        o.mode = OutputMode::Pictures;
        o.picture_format = format;
        o.picture_bit_depth = depth;
        return o;
    }

    std::vector<std::string> listing(const fs::path& folder) const {
        std::vector<std::string> names;
        for (const auto& e : fs::directory_iterator(folder)) {
            names.push_back(e.path().filename().string());
        }
        std::sort(names.begin(), names.end());
        return names;
    }

    fs::path m_dir;
};

Frame frame_at(std::int64_t index, int width = 12, int height = 10) {
    Frame f;
    f.allocate(width, height, SampleType::U16);
    for (std::size_t i = 0; i < f.sample_count(); ++i) {
        f.samples<std::uint16_t>()[i] =
            static_cast<std::uint16_t>(i * 977 + static_cast<std::size_t>(index) * 131);
    }
    f.index = index;
    f.pts = index;
    return f;
}

Status write_frames(FrameSink& sink, std::int64_t first, std::int64_t count) {
    for (std::int64_t i = first; i < first + count; ++i) {
        if (Status s = sink.write(frame_at(i)); !s.ok()) {
            return s;
        }
    }
    return {};
}

TEST_F(ImageSequenceSinkTest, NamesFramesAndCreatesFolders) {
    for (auto [format, depth, ext] :
         {std::tuple{PictureFormat::PNG, 16, "png"}, std::tuple{PictureFormat::DPX, 10, "dpx"},
          std::tuple{PictureFormat::EXR, 16, "exr"}}) {
        const fs::path out = path(std::string("deep/") + ext);
        SinkOptions o = options(out, format, depth);
        o.expected_frames = 3;
        auto sink = open_image_sequence_sink(o);
        ASSERT_TRUE(sink.ok()) << sink.error().to_string();
        ASSERT_TRUE(write_frames(*sink.value(), 0, 3).ok());
        ASSERT_TRUE(sink.value()->finish().ok());
        const std::string e = ext;
        EXPECT_EQ(listing(out), (std::vector<std::string>{"frame_000000." + e, "frame_000001." + e,
                                                          "frame_000002." + e}));
        EXPECT_EQ(image_sequence_frame_path(o, 1234567).value(), out / ("frame_1234567." + e));
    }
    SinkOptions o = options(path("short"), PictureFormat::PNG, 8);
    o.name_digits = 3;
    EXPECT_EQ(image_sequence_frame_path(o, 7).value(), path("short") / "frame_007.png");
    EXPECT_EQ(image_sequence_frame_path(o, -1).error().code, ErrorCode::InvalidArgument);
}

TEST_F(ImageSequenceSinkTest, PatternAndSingleFileOutputs) {
    SinkOptions o = options(path("pat") / "shot_%04d.dpx", PictureFormat::DPX, 16);
    auto sink = open_image_sequence_sink(o);
    ASSERT_TRUE(sink.ok()) << sink.error().to_string();
    ASSERT_TRUE(write_frames(*sink.value(), 8, 3).ok());
    ASSERT_TRUE(sink.value()->finish().ok());
    EXPECT_EQ(listing(path("pat")),
              (std::vector<std::string>{"shot_0008.dpx", "shot_0009.dpx", "shot_0010.dpx"}));

    o = options(path("pat") / "shot_%04d.png", PictureFormat::DPX, 16);
    EXPECT_EQ(open_image_sequence_sink(o).error().code, ErrorCode::InvalidArgument);

    o = options(path("single") / "still.png", PictureFormat::PNG, 8);
    o.expected_frames = 1;
    sink = open_image_sequence_sink(o);
    ASSERT_TRUE(sink.ok());
    ASSERT_TRUE(sink.value()->write(frame_at(5)).ok());
    EXPECT_EQ(sink.value()->write(frame_at(6)).error().code, ErrorCode::InvalidArgument);
    ASSERT_TRUE(sink.value()->finish().ok());
    EXPECT_EQ(listing(path("single")), (std::vector<std::string>{"still.png"}));
}

TEST_F(ImageSequenceSinkTest, RefusesOtherRunsFramesUnlessOverwriting) {
    SinkOptions o = options(path("out"), PictureFormat::PNG, 8);
    auto first = open_image_sequence_sink(o);
    ASSERT_TRUE(first.ok());
    ASSERT_TRUE(write_frames(*first.value(), 0, 4).ok());
    ASSERT_TRUE(first.value()->finish().ok());
    // Unrelated files do not count as frames.
    std::ofstream(path("out") / "notes.txt") << "x";

    auto again = open_image_sequence_sink(o);
    ASSERT_FALSE(again.ok());
    EXPECT_EQ(again.error().code, ErrorCode::OutputExists);
    EXPECT_EQ(again.error().get("existing_frames"), "4");
    EXPECT_EQ(again.error().get("path"), path("out").string());

    // overwrite=true: frames are replaced and those this run did not write are removed.
    o.overwrite = true;
    o.expected_frames = 2;
    auto replace = open_image_sequence_sink(o);
    ASSERT_TRUE(replace.ok());
    ASSERT_TRUE(write_frames(*replace.value(), 0, 2).ok());
    ASSERT_TRUE(replace.value()->finish().ok());
    EXPECT_EQ(listing(path("out")),
              (std::vector<std::string>{"frame_000000.png", "frame_000001.png", "notes.txt"}));
}

TEST_F(ImageSequenceSinkTest, ResumeKeepsCompleteFramesOnly) {
    SinkOptions o = options(path("out"), PictureFormat::EXR, 16);
    o.width = 12;
    o.height = 10;
    auto first = open_image_sequence_sink(o);
    ASSERT_TRUE(first.ok());
    ASSERT_TRUE(write_frames(*first.value(), 0, 5).ok());
    first.value()->abort();  // "crash" after 5 of 8 frames

    // Damage frame 3 (as if the disk lost its tail) and leave a partial file of a dead writer.
    const fs::path f3 = path("out") / "frame_000003.exr";
    fs::resize_file(f3, fs::file_size(f3) / 2);
    const fs::path stale = path("out") / ".frame_000005.partial-999999999.exr";
    std::ofstream(stale) << "half";

    auto done = completed_image_sequence_frames(o);
    ASSERT_TRUE(done.ok());
    EXPECT_EQ(done.value(), (std::vector<std::int64_t>{0, 1, 2, 4}));
    // Another size does not count as complete.
    SinkOptions other_size = o;
    other_size.width = 24;
    EXPECT_TRUE(completed_image_sequence_frames(other_size).value().empty());
    EXPECT_TRUE(completed_image_sequence_frames(options(path("none"), PictureFormat::EXR, 16))
                    .value()
                    .empty());

    o.expected_frames = 8;
    auto resume = open_image_sequence_sink(o, ExistingFrames::Resume);
    ASSERT_TRUE(resume.ok()) << resume.error().to_string();
    EXPECT_FALSE(resume.value()->notes().empty());
    EXPECT_FALSE(fs::exists(stale));
    for (std::int64_t i : {3, 5, 6}) {
        ASSERT_TRUE(resume.value()->write(frame_at(i)).ok());
    }
    // Frame 7 missing: verification names it.
    Status missing = resume.value()->finish();
    ASSERT_FALSE(missing.ok());
    EXPECT_EQ(missing.error().code, ErrorCode::OutputVerificationFailed);
    EXPECT_EQ(missing.error().get("first_missing"), (path("out") / "frame_000007.exr").string());
    EXPECT_EQ(missing.error().get("frames"), "7");

    auto last = open_image_sequence_sink(o, ExistingFrames::Resume);
    ASSERT_TRUE(last.ok());
    ASSERT_TRUE(last.value()->write(frame_at(7)).ok());
    ASSERT_TRUE(last.value()->finish().ok());
    EXPECT_EQ(completed_image_sequence_frames(o).value(),
              (std::vector<std::int64_t>{0, 1, 2, 3, 4, 5, 6, 7}));
}

TEST_F(ImageSequenceSinkTest, OpeningASinkLeavesThisProcessesPartialFilesAlone) {
    // Two GPU workers of one process write their segments' frames into one folder: a sink opened
    // for the next segment must not take the other worker's in-flight partial file (same pid)
    // for a crashed writer's leftover and delete it under its rename.
    SinkOptions o = options(path("out"), PictureFormat::DPX, 16);
    o.width = 12;
    o.height = 10;
    fs::create_directories(path("out"));
    const fs::path in_flight =
        path("out") / (".frame_000009.partial-" + std::to_string(::getpid()) + ".dpx");
    std::ofstream(in_flight) << "being written";
    auto sink = open_image_sequence_sink(o, ExistingFrames::Resume);
    ASSERT_TRUE(sink.ok()) << sink.error().to_string();
    EXPECT_TRUE(fs::exists(in_flight));
    ASSERT_TRUE(write_frames(*sink.value(), 0, 2).ok());
    ASSERT_TRUE(sink.value()->finish().ok());
    EXPECT_TRUE(fs::exists(in_flight));
}

TEST_F(ImageSequenceSinkTest, ValidatesOptionsAndFrames) {
    EXPECT_EQ(open_image_sequence_sink(options(path("a"), PictureFormat::PNG, 10)).error().code,
              ErrorCode::InvalidArgument);
    EXPECT_EQ(open_image_sequence_sink(options(path("a"), PictureFormat::DPX, 8)).error().code,
              ErrorCode::InvalidArgument);
    EXPECT_EQ(open_image_sequence_sink(options(path("a"), PictureFormat::EXR, 8)).error().code,
              ErrorCode::InvalidArgument);
    SinkOptions o = options(path("a"), PictureFormat::PNG, 8);
    o.name_digits = 0;
    EXPECT_EQ(open_image_sequence_sink(o).error().code, ErrorCode::InvalidArgument);
    o.name_digits = 6;
    o.width = 12;
    o.height = 10;
    auto sink = open_image_sequence_sink(o);
    ASSERT_TRUE(sink.ok());
    EXPECT_EQ(sink.value()->write(frame_at(0, 13, 10)).error().code, ErrorCode::InvalidArgument);
    EXPECT_EQ(sink.value()->write(frame_at(-1)).error().code, ErrorCode::InvalidArgument);
    ASSERT_TRUE(sink.value()->write(frame_at(0)).ok());
    ASSERT_TRUE(sink.value()->finish().ok());
}

TEST_F(ImageSequenceSinkTest, UnwritableOutput) {
    std::ofstream(path("file")) << "x";
    auto sink = open_image_sequence_sink(options(path("file") / "frames", PictureFormat::PNG, 8));
    ASSERT_FALSE(sink.ok());
    EXPECT_EQ(sink.error().code, ErrorCode::OutputNotWritable);
    EXPECT_FALSE(sink.error().get("path").empty());

    if (::geteuid() != 0) {  // root ignores permissions
        fs::create_directories(path("ro"));
        fs::permissions(path("ro"), fs::perms::owner_read | fs::perms::owner_exec);
        sink = open_image_sequence_sink(options(path("ro"), PictureFormat::PNG, 8));
        ASSERT_FALSE(sink.ok());
        EXPECT_EQ(sink.error().code, ErrorCode::OutputNotWritable);
        fs::permissions(path("ro"), fs::perms::owner_all);
    }
}

// A file size limit makes write() fail with EFBIG, which the sink reports like ENOSPC.
TEST_F(ImageSequenceSinkTest, DiskFullIsReported) {
    auto sink = open_image_sequence_sink(options(path("out"), PictureFormat::PNG, 16));
    ASSERT_TRUE(sink.ok());
    struct rlimit old_limit {};
    ASSERT_EQ(::getrlimit(RLIMIT_FSIZE, &old_limit), 0);
    void (*old_handler)(int) = std::signal(SIGXFSZ, SIG_IGN);
    struct rlimit small = old_limit;
    small.rlim_cur = 200;
    ASSERT_EQ(::setrlimit(RLIMIT_FSIZE, &small), 0);
    const Status s = sink.value()->write(frame_at(0, 64, 64));
    ::setrlimit(RLIMIT_FSIZE, &old_limit);
    std::signal(SIGXFSZ, old_handler);
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.error().code, ErrorCode::DiskFull) << s.error().to_string();
    // No partial file and no final name left behind.
    EXPECT_TRUE(listing(path("out")).empty());
}

}  // namespace
}  // namespace engine::io
