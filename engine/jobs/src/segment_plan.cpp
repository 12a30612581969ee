#include "engine/jobs/segment_plan.h"

#include "engine/jobs/job_spec.h"

#include <algorithm>
#include <string>

namespace engine::jobs {

Result<SegmentPlan> plan_segments(const PlanRequest& request) {
    const std::int64_t total = request.total_frames;
    const std::int64_t first = request.first;
    const std::int64_t end = request.end < 0 ? total : std::min(request.end, total);
    if (total <= 0 || first < 0 || first >= end) {
        return Error(ErrorCode::InvalidArgument,
                     "frame range [" + std::to_string(first) + ", " + std::to_string(request.end) +
                         ") is empty or outside the input's " + std::to_string(total) + " frames")
            .with("first_frame", std::to_string(first))
            .with("end_frame", std::to_string(request.end))
            .with("frame_count", std::to_string(total));
    }
    const std::int64_t max_fed =
        request.max_segment_frames > 0 ? request.max_segment_frames : kMaxFramesPerRun;
    const int overlap = std::max(0, request.overlap);
    if (max_fed - 2 * std::int64_t(overlap) < 1) {
        return Error(ErrorCode::InvalidArgument, "max_segment_frames " + std::to_string(max_fed) +
                                                     " leaves no room for an overlap of " +
                                                     std::to_string(overlap) +
                                                     " frames on both sides")
            .with("field", "segments.max_segment_frames");
    }
    const std::int64_t length = end - first;

    // Equal parts, the first `length % count` one frame longer; inputs widened at inner edges.
    auto build = [&](std::int64_t count) {
        std::vector<Segment> segments;
        const std::int64_t base = length / count;
        const std::int64_t longer = length % count;
        std::int64_t cursor = first;
        for (std::int64_t i = 0; i < count; ++i) {
            Segment s;
            s.index = static_cast<int>(i);
            s.first = cursor;
            s.end = cursor + base + (i < longer ? 1 : 0);
            s.input_first = std::max<std::int64_t>(0, s.first - overlap);
            s.input_end = std::min(total, s.end + overlap);
            cursor = s.end;
            segments.push_back(s);
        }
        return segments;
    };
    auto fits = [&](const std::vector<Segment>& segments) {
        return std::all_of(segments.begin(), segments.end(),
                           [&](const Segment& s) { return s.input_frames() <= max_fed; });
    };

    // The fewest parts that fit (one segment at the clip's edges needs no overlap at all).
    std::int64_t needed = std::max<std::int64_t>(1, (length + max_fed - 1) / max_fed);
    while (!fits(build(needed))) {
        ++needed;
    }
    // More parts when asked (multi-GPU), but not so many that parts fall below the minimum
    // length (CY's 21 frames: very short runs hurt temporal consistency).
    const std::int64_t min_frames = std::max(1, request.min_segment_frames);
    const std::int64_t most_for_min = std::max<std::int64_t>(1, length / min_frames);
    const std::int64_t count =
        std::max(needed, std::min<std::int64_t>(request.min_segments, most_for_min));

    SegmentPlan plan;
    plan.first = first;
    plan.end = end;
    plan.max_segment_frames = max_fed;
    plan.overlap = overlap;
    plan.segments = build(count);
    return plan;
}

}  // namespace engine::jobs
