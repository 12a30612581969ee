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
    // Scene cuts that matter: inside the range they split it into shots; within `overlap` of its
    // edges they bound the context fed before the first / after the last frame.
    std::vector<std::int64_t> cuts;
    for (std::int64_t c : request.scene_cuts) {
        if (c > 0 && c < total && c >= first - overlap && c <= end + overlap) {
            cuts.push_back(c);
        }
    }
    std::sort(cuts.begin(), cuts.end());
    cuts.erase(std::unique(cuts.begin(), cuts.end()), cuts.end());

    // A shot: output frames [first, end), fed context only within [context_first, context_end).
    struct Shot {
        std::int64_t first = 0;
        std::int64_t end = 0;
        std::int64_t context_first = 0;
        std::int64_t context_end = 0;
        std::int64_t parts = 1;
        std::int64_t length() const { return end - first; }
    };
    std::vector<Shot> shots;
    {
        std::int64_t context_first = 0;
        for (std::int64_t c : cuts) {
            if (c <= first) {
                context_first = c;
            }
        }
        std::int64_t cursor = first;
        for (std::int64_t c : cuts) {
            if (c > first && c < end) {
                shots.push_back({cursor, c, cursor == first ? context_first : cursor, c, 1});
                cursor = c;
            }
        }
        std::int64_t context_end = total;
        for (auto it = cuts.rbegin(); it != cuts.rend(); ++it) {
            if (*it >= end) {
                context_end = *it;
            }
        }
        shots.push_back({cursor, end, cursor == first ? context_first : cursor, context_end, 1});
    }

    // Equal parts, the first `length % count` one frame longer; inputs widened at inner edges.
    auto build = [&](const Shot& shot, std::int64_t count, std::vector<Segment>& segments) {
        const std::int64_t length = shot.length();
        const std::int64_t base = length / count;
        const std::int64_t longer = length % count;
        std::int64_t cursor = shot.first;
        for (std::int64_t i = 0; i < count; ++i) {
            Segment s;
            s.index = static_cast<int>(segments.size());
            s.first = cursor;
            s.end = cursor + base + (i < longer ? 1 : 0);
            s.input_first = std::max(shot.context_first, s.first - overlap);
            s.input_end = std::min(shot.context_end, s.end + overlap);
            cursor = s.end;
            segments.push_back(s);
        }
    };
    auto fits = [&](const Shot& shot, std::int64_t count) {
        std::vector<Segment> segments;
        build(shot, count, segments);
        return std::all_of(segments.begin(), segments.end(),
                           [&](const Segment& s) { return s.input_frames() <= max_fed; });
    };

    // The fewest parts that fit (one segment at the clip's edges needs no overlap at all).
    std::int64_t count = 0;
    for (Shot& shot : shots) {
        shot.parts = std::max<std::int64_t>(1, (shot.length() + max_fed - 1) / max_fed);
        while (!fits(shot, shot.parts)) {
            ++shot.parts;
        }
        count += shot.parts;
    }
    // More parts when asked (multi-GPU), but not so many that parts fall below the minimum
    // length (CY's 21 frames: very short runs hurt temporal consistency). Each extra part goes to
    // the shot whose parts stay longest (ties: the earliest), which keeps this deterministic.
    const std::int64_t min_frames = std::max(1, request.min_segment_frames);
    while (count < request.min_segments) {
        Shot* best = nullptr;
        for (Shot& shot : shots) {
            const std::int64_t more = shot.parts + 1;
            if (more > std::max<std::int64_t>(1, shot.length() / min_frames)) {
                continue;
            }
            if (best == nullptr || shot.length() * (best->parts + 1) > best->length() * more) {
                best = &shot;
            }
        }
        if (best == nullptr) {
            break;
        }
        ++best->parts;
        ++count;
    }

    SegmentPlan plan;
    plan.first = first;
    plan.end = end;
    plan.max_segment_frames = max_fed;
    plan.overlap = overlap;
    for (const Shot& shot : shots) {
        build(shot, shot.parts, plan.segments);
    }
    plan.scene_cuts = std::move(cuts);
    return plan;
}

}  // namespace engine::jobs
