#include "engine/jobs/segment_plan.h"

#include "engine/jobs/job_spec.h"

#include <gtest/gtest.h>

namespace engine::jobs {
namespace {

// Every plan: segments tile [first, end) in order, inputs add the overlap at inner boundaries
// only, and no segment is fed more than max_segment_frames.
void expect_well_formed(const SegmentPlan& plan, const PlanRequest& r) {
    ASSERT_FALSE(plan.segments.empty());
    std::int64_t cursor = plan.first;
    for (std::size_t i = 0; i < plan.segments.size(); ++i) {
        const Segment& s = plan.segments[i];
        EXPECT_EQ(s.index, int(i));
        EXPECT_EQ(s.first, cursor);
        EXPECT_GT(s.end, s.first);
        EXPECT_EQ(s.input_first, std::max<std::int64_t>(0, s.first - r.overlap));
        EXPECT_EQ(s.input_end, std::min(r.total_frames, s.end + r.overlap));
        EXPECT_LE(s.input_frames(), plan.max_segment_frames);
        cursor = s.end;
    }
    EXPECT_EQ(cursor, plan.end);
}

TEST(SegmentPlan, ShortClipIsOneSegmentWithoutOverlap) {
    PlanRequest r;
    r.total_frames = 120;
    auto plan = plan_segments(r);
    ASSERT_TRUE(plan.ok());
    ASSERT_EQ(plan->segments.size(), 1u);
    const Segment& s = plan->segments[0];
    EXPECT_EQ(s.first, 0);
    EXPECT_EQ(s.end, 120);
    EXPECT_EQ(s.input_first, 0);
    EXPECT_EQ(s.input_end, 120);
    EXPECT_EQ(plan->max_segment_frames, kMaxFramesPerRun);
}

TEST(SegmentPlan, ExactCountsAndOverlaps) {
    PlanRequest r;
    r.total_frames = 100;
    r.max_segment_frames = 30;  // 26 new frames per segment with 2 + 2 overlap
    r.overlap = 2;
    auto plan = plan_segments(r);
    ASSERT_TRUE(plan.ok());
    expect_well_formed(*plan, r);
    ASSERT_EQ(plan->segments.size(), 4u);  // ceil(100 / 26)
    EXPECT_EQ(plan->segments[0].first, 0);
    EXPECT_EQ(plan->segments[0].end, 25);
    EXPECT_EQ(plan->segments[0].input_end, 27);
    EXPECT_EQ(plan->segments[0].drop_front(), 0);
    EXPECT_EQ(plan->segments[0].drop_back(), 2);
    EXPECT_EQ(plan->segments[1].input_first, 23);
    EXPECT_EQ(plan->segments[1].drop_front(), 2);
    EXPECT_EQ(plan->segments[3].end, 100);
    EXPECT_EQ(plan->segments[3].input_end, 100);
    std::int64_t kept = 0;
    for (const auto& s : plan->segments) {
        kept += s.frames();
    }
    EXPECT_EQ(kept, 100);
}

TEST(SegmentPlan, RopeLimitSplitsLongInputs) {
    PlanRequest r;
    r.total_frames = 10000;
    auto plan = plan_segments(r);
    ASSERT_TRUE(plan.ok());
    expect_well_formed(*plan, r);
    EXPECT_EQ(plan->segments.size(), 3u);  // ceil(10000 / 4089)
    for (const auto& s : plan->segments) {
        EXPECT_LE(s.input_frames(), 4093);
    }

    r.total_frames = 4093;  // fits one run exactly
    plan = plan_segments(r);
    ASSERT_TRUE(plan.ok());
    EXPECT_EQ(plan->segments.size(), 1u);
    r.total_frames = 4094;
    plan = plan_segments(r);
    ASSERT_TRUE(plan.ok());
    EXPECT_EQ(plan->segments.size(), 2u);
    expect_well_formed(*plan, r);
}

TEST(SegmentPlan, MinimumSegmentsAndMinimumLength) {
    PlanRequest r;
    r.total_frames = 120;
    r.min_segments = 3;  // --multi_gpu on three devices
    auto plan = plan_segments(r);
    ASSERT_TRUE(plan.ok());
    expect_well_formed(*plan, r);
    ASSERT_EQ(plan->segments.size(), 3u);
    EXPECT_EQ(plan->segments[0].frames(), 40);

    r.total_frames = 50;
    r.min_segments = 8;  // would give 6-frame segments: limited by the 21-frame minimum
    plan = plan_segments(r);
    ASSERT_TRUE(plan.ok());
    EXPECT_EQ(plan->segments.size(), 2u);
    for (const auto& s : plan->segments) {
        EXPECT_GE(s.frames(), 21);
    }

    r.total_frames = 10;  // shorter than the minimum: one segment anyway
    plan = plan_segments(r);
    ASSERT_TRUE(plan.ok());
    EXPECT_EQ(plan->segments.size(), 1u);
}

TEST(SegmentPlan, RangesGetContextFromOutsideAndTileLikeSegments) {
    PlanRequest r;
    r.total_frames = 300;
    r.first = 100;
    r.end = 200;
    r.max_segment_frames = 60;
    auto plan = plan_segments(r);
    ASSERT_TRUE(plan.ok());
    expect_well_formed(*plan, r);
    EXPECT_EQ(plan->segments.front().first, 100);
    EXPECT_EQ(plan->segments.front().input_first, 98);  // context before the range
    EXPECT_EQ(plan->segments.back().end, 200);
    EXPECT_EQ(plan->segments.back().input_end, 202);

    r.end = -1;  // to the end of the source
    plan = plan_segments(r);
    ASSERT_TRUE(plan.ok());
    EXPECT_EQ(plan->end, 300);
    EXPECT_EQ(plan->segments.back().input_end, 300);

    r.end = 1000;  // clipped to the source
    plan = plan_segments(r);
    ASSERT_TRUE(plan.ok());
    EXPECT_EQ(plan->end, 300);
}

TEST(SegmentPlan, RejectsEmptyRangesAndImpossibleSizes) {
    PlanRequest r;
    r.total_frames = 50;
    r.first = 50;
    EXPECT_EQ(plan_segments(r).error().code, ErrorCode::InvalidArgument);
    r.first = 0;
    r.total_frames = 0;
    EXPECT_FALSE(plan_segments(r).ok());
    r.total_frames = 50;
    r.max_segment_frames = 4;
    r.overlap = 2;
    EXPECT_FALSE(plan_segments(r).ok());
}

TEST(SegmentPlan, IsDeterministic) {
    PlanRequest r;
    r.total_frames = 12345;
    r.max_segment_frames = 777;
    r.overlap = 3;
    auto a = plan_segments(r);
    auto b = plan_segments(r);
    ASSERT_TRUE(a.ok() && b.ok());
    EXPECT_EQ(a->segments, b->segments);
    expect_well_formed(*a, r);
}

// With cuts: segments tile the range, no segment spans a cut, and no input reaches across one.
void expect_respects_cuts(const SegmentPlan& plan, const PlanRequest& r) {
    std::int64_t cursor = plan.first;
    for (const Segment& s : plan.segments) {
        EXPECT_EQ(s.first, cursor);
        cursor = s.end;
        EXPECT_LE(s.input_frames(), plan.max_segment_frames);
        for (std::int64_t c : r.scene_cuts) {
            EXPECT_FALSE(s.first < c && c < s.end) << "segment " << s.index << " spans cut " << c;
            EXPECT_FALSE(s.input_first < c && c <= s.first) << "context before cut " << c;
            EXPECT_FALSE(s.end <= c && c < s.input_end) << "context after cut " << c;
        }
    }
    EXPECT_EQ(cursor, plan.end);
}

TEST(SegmentPlanSceneCuts, CutsAreHardBoundariesWithoutOverlap) {
    PlanRequest r;
    r.total_frames = 120;
    r.scene_cuts = {50, 90};
    auto plan = plan_segments(r);
    ASSERT_TRUE(plan.ok());
    expect_respects_cuts(*plan, r);
    ASSERT_EQ(plan->segments.size(), 3u);  // one segment per shot
    EXPECT_EQ(plan->segments[0].end, 50);
    EXPECT_EQ(plan->segments[0].input_end, 50);  // no look past the cut
    EXPECT_EQ(plan->segments[1].first, 50);
    EXPECT_EQ(plan->segments[1].input_first, 50);
    EXPECT_EQ(plan->segments[1].input_end, 90);
    EXPECT_EQ(plan->segments[2].input_first, 90);
    EXPECT_EQ(plan->scene_cuts, (std::vector<std::int64_t>{50, 90}));

    // Long shots are still split to fit, with overlap inside the shot only.
    r.max_segment_frames = 30;
    plan = plan_segments(r);
    ASSERT_TRUE(plan.ok());
    expect_respects_cuts(*plan, r);
    bool inner_overlap = false;
    for (const Segment& s : plan->segments) {
        inner_overlap = inner_overlap || s.drop_front() == 2;
    }
    EXPECT_TRUE(inner_overlap);
}

TEST(SegmentPlanSceneCuts, WithoutCutsThePlanIsUnchanged) {
    PlanRequest r;
    r.total_frames = 1000;
    r.max_segment_frames = 130;
    r.min_segments = 3;
    auto before = plan_segments(r);
    r.scene_cuts = {0, 1000, 5000, -3};  // none is a cut inside the source
    auto after = plan_segments(r);
    ASSERT_TRUE(before.ok() && after.ok());
    EXPECT_EQ(before->segments, after->segments);
    EXPECT_TRUE(after->scene_cuts.empty());
}

TEST(SegmentPlanSceneCuts, MinSegmentsGoToTheLongestShots) {
    PlanRequest r;
    r.total_frames = 200;
    r.scene_cuts = {150, 40, 150};  // unsorted and repeated: same as {40, 150}
    r.min_segments = 4;
    auto plan = plan_segments(r);
    ASSERT_TRUE(plan.ok());
    expect_respects_cuts(*plan, r);
    ASSERT_EQ(plan->segments.size(), 4u);
    // Shots of 40, 110 and 50 frames: the 110-frame shot gets the extra part.
    EXPECT_EQ(plan->segments[1].first, 40);
    EXPECT_EQ(plan->segments[1].end, 95);
    EXPECT_EQ(plan->segments[2].end, 150);
    EXPECT_EQ(plan->segments[1].input_end, 97);
    EXPECT_EQ(plan->segments[2].input_first, 93);

    r.min_segments = 50;  // limited by 21-frame parts: 40 -> 1, 110 -> 5, 50 -> 2
    plan = plan_segments(r);
    ASSERT_TRUE(plan.ok());
    EXPECT_EQ(plan->segments.size(), 8u);
    for (const Segment& s : plan->segments) {
        EXPECT_GE(s.frames(), 21);
    }
}

TEST(SegmentPlanSceneCuts, RangeEdgesUseCutsNearThem) {
    PlanRequest r;
    r.total_frames = 300;
    r.first = 100;
    r.end = 200;
    r.scene_cuts = {99, 201, 250};
    auto plan = plan_segments(r);
    ASSERT_TRUE(plan.ok());
    ASSERT_EQ(plan->segments.size(), 1u);
    EXPECT_EQ(plan->segments[0].input_first, 99);  // one frame of context, then the cut
    EXPECT_EQ(plan->segments[0].input_end, 201);
    EXPECT_EQ(plan->scene_cuts, (std::vector<std::int64_t>{99, 201}));  // 250 is too far

    r.scene_cuts = {100};  // the range starts with a shot: no context before it
    plan = plan_segments(r);
    ASSERT_TRUE(plan.ok());
    EXPECT_EQ(plan->segments[0].input_first, 100);
    EXPECT_EQ(plan->segments[0].input_end, 202);

    // A farm split at 150 plans the same inputs on both sides as one run does.
    r.first = 100;
    r.end = 200;
    r.scene_cuts = {151};
    r.max_segment_frames = 60;
    auto whole = plan_segments(r);
    PlanRequest left = r;
    left.end = 151;
    PlanRequest right = r;
    right.first = 151;
    auto a = plan_segments(left);
    auto b = plan_segments(right);
    ASSERT_TRUE(whole.ok() && a.ok() && b.ok());
    EXPECT_EQ(a->segments.back().input_end, 151);
    EXPECT_EQ(b->segments.front().input_first, 151);
}

}  // namespace
}  // namespace engine::jobs
