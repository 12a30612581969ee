// Scene-cut detection: exact cut frames on synthetic shots, no false cuts on smooth motion or on
// the moving test pattern the other job tests use, ranges, and the score's bounds.

#include "engine/jobs/scene_cuts.h"

#include "engine/core/paths.h"
#include "engine/jobs/support/media.h"

#include <gtest/gtest.h>

#include <unistd.h>

namespace engine::jobs {
namespace {
namespace fs = std::filesystem;

class SceneCuts : public ::testing::Test {
  protected:
    void SetUp() override {
        m_root = fs::temp_directory_path() /
                 ("fvsr-scenes-" + std::to_string(::getpid()) + "-" +
                  ::testing::UnitTest::GetInstance()->current_test_info()->name());
        engine::remove_tree(m_root);
        fs::create_directories(m_root);
    }
    void TearDown() override { engine::remove_tree(m_root); }

    JobSpec spec(const fs::path& input) const {
        JobSpec s;
        s.input = input;
        s.output = m_root / "out.mkv";
        return s;
    }
    fs::path m_root;
};

TEST(SceneCutDetector, ScoresAreBoundedAndIdenticalFramesScoreZero) {
    SceneCutDetector detector(0.35);
    const Frame a = jobs_test::shot_frame(64, 48, 0, 0);
    EXPECT_EQ(detector.push(a), 0.0);  // first frame: nothing to compare with
    EXPECT_FALSE(detector.is_cut());
    EXPECT_EQ(detector.push(a), 0.0);
    Frame black;
    black.allocate(64, 48, SampleType::U8);
    Frame white = black;
    std::fill(white.data.begin(), white.data.end(), std::uint8_t(255));
    detector.push(black);
    EXPECT_DOUBLE_EQ(detector.push(white), 1.0);  // disjoint histograms
    EXPECT_TRUE(detector.is_cut());
    // Sample types agree: the same picture as U16 and F32 scores 0 against the U8 one.
    detector.push(a);
    EXPECT_NEAR(detector.push(to_float(a)), 0.0, 1e-12);
    EXPECT_NEAR(detector.push(from_float(to_float(a), SampleType::U16, 16)), 0.0, 1e-12);
}

TEST(SceneCutDetector, SmoothMotionScoresFarBelowTheThreshold) {
    // 150 frames of one drifting shot at two sizes (the thumbnail path with blocks > 1 too).
    for (int width : {64, 320}) {
        SceneCutDetector detector(0.35);
        double worst = 0.0;
        for (int i = 0; i < 150; ++i) {
            worst =
                std::max(worst, detector.push(jobs_test::shot_frame(width, width * 3 / 4, i, 1)));
        }
        EXPECT_LT(worst, 0.15) << "width " << width;
    }
    // The gradient pattern of the end-to-end tests moves by several levels per frame.
    SceneCutDetector detector(0.35);
    double worst = 0.0;
    for (int i = 0; i < 200; ++i) {
        worst = std::max(worst, detector.push(jobs_test::pattern_frame(64, 48, i, SampleType::U8)));
    }
    EXPECT_LT(worst, 0.35);
}

TEST_F(SceneCuts, FindsEveryCutExactlyInAFile) {
    const fs::path video = m_root / "cuts.mkv";
    const std::vector<std::int64_t> cuts = {17, 40, 41, 75};  // 40/41: a one-frame shot
    ASSERT_TRUE(jobs_test::write_test_video_with_cuts(video, 100, cuts).ok());
    auto found = detect_scene_cuts(spec(video), 0, 100, CancelToken());
    ASSERT_TRUE(found.ok()) << found.error().to_string();
    EXPECT_EQ(*found, cuts);

    // A range: cuts strictly inside it only (its first frame is never a cut).
    std::int64_t frames_seen = 0;
    auto part = detect_scene_cuts(spec(video), 17, 60, CancelToken(),
                                  [&](std::int64_t n) { frames_seen = n; });
    ASSERT_TRUE(part.ok());
    EXPECT_EQ(*part, (std::vector<std::int64_t>{40, 41}));
    EXPECT_EQ(frames_seen, 43);

    // A higher threshold than any score finds nothing.
    JobSpec strict = spec(video);
    strict.segments.scene_cut_threshold = 1.0;
    EXPECT_TRUE(detect_scene_cuts(strict, 0, 100, CancelToken())->empty());
}

TEST_F(SceneCuts, NoFalseCutsOnOneLongShotAndCancellation) {
    const fs::path video = m_root / "one_shot.mkv";
    ASSERT_TRUE(jobs_test::write_test_video_with_cuts(video, 150, {}).ok());
    auto found = detect_scene_cuts(spec(video), 0, 150, CancelToken());
    ASSERT_TRUE(found.ok());
    EXPECT_TRUE(found->empty());

    CancelToken cancel;
    cancel.cancel();
    auto cancelled = detect_scene_cuts(spec(video), 0, 150, cancel);
    ASSERT_FALSE(cancelled.ok());
    EXPECT_EQ(cancelled.error().code, ErrorCode::Cancelled);

    auto missing = detect_scene_cuts(spec(m_root / "nope.mkv"), 0, 10, CancelToken());
    EXPECT_FALSE(missing.ok());
}

}  // namespace
}  // namespace engine::jobs
