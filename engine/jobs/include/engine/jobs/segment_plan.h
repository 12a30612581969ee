#pragma once
// Temporal segmentation (design §5.3, CY's --segmented / --multi_gpu): a frame range is cut into
// segments, each run through a fresh processor. Inner boundaries get `overlap` extra frames on
// both sides, fed to the processor and dropped at the join, so every output frame of a segment
// had context on both sides and the joined output has exactly the range's frame count.
//
// Scene cuts (SegmentSettings::scene_cuts) are hard boundaries: a segment never spans a cut and
// no input overlap reaches across one, so the model's temporal state restarts at every cut.
//
// All indices are source frame indices; ranges are half-open [first, end).

#include "engine/core/result.h"

#include <cstdint>
#include <vector>

namespace engine::jobs {

struct Segment {
    int index = 0;           // 0-based within its plan
    std::int64_t first = 0;  // output frames [first, end)
    std::int64_t end = 0;
    std::int64_t input_first = 0;  // frames fed to the processor [input_first, input_end)
    std::int64_t input_end = 0;

    std::int64_t frames() const { return end - first; }
    std::int64_t input_frames() const { return input_end - input_first; }
    // Output frames to drop at the start / end of the processor's output.
    std::int64_t drop_front() const { return first - input_first; }
    std::int64_t drop_back() const { return input_end - end; }
    friend bool operator==(const Segment& a, const Segment& b) {
        return a.index == b.index && a.first == b.first && a.end == b.end &&
               a.input_first == b.input_first && a.input_end == b.input_end;
    }
};

struct PlanRequest {
    std::int64_t total_frames = 0;        // frames in the whole source
    std::int64_t first = 0;               // range to produce, within [0, total_frames)
    std::int64_t end = -1;                // -1: total_frames
    std::int64_t max_segment_frames = 0;  // fed frames per segment, overlap included (0: 4093)
    int overlap = 2;
    int min_segment_frames = 21;
    int min_segments = 1;
    // Frames that start a new shot (source indices; unsorted and out-of-range values are
    // ignored). Cuts up to `overlap` frames outside the range matter too: they bound the context.
    std::vector<std::int64_t> scene_cuts;
};

struct SegmentPlan {
    std::int64_t first = 0;
    std::int64_t end = 0;
    std::int64_t max_segment_frames = 0;  // resolved (never 0)
    int overlap = 0;
    std::vector<Segment> segments;
    // The request's cuts that shaped this plan (sorted, within [first - overlap, end + overlap]),
    // stored in the manifest so that a resume plans with the same cuts without re-detecting.
    std::vector<std::int64_t> scene_cuts;
};

// The plan is a pure function of the request:
//  - the range is cut into shots at the scene cuts inside it; each shot's frames are split into
//    n equal parts (the first `len % n` one frame longer); n is the fewest parts whose inputs fit
//    max_segment_frames. While the total is below min_segments, the shot whose parts would stay
//    longest gets one more part, as long as parts keep at least min_segment_frames frames
//    (without cuts: exactly the old rule, n raised to min_segments within that limit);
//  - input ranges extend by `overlap` at every boundary that is not the source's first or last
//    frame nor a scene cut, and never across a cut, so a range starting mid-clip also gets
//    context (range joins = segment joins);
//  - every segment is fed at most max_segment_frames frames.
// InvalidArgument for an empty or out-of-bounds range, or a max too small for the overlap.
Result<SegmentPlan> plan_segments(const PlanRequest& request);

}  // namespace engine::jobs
