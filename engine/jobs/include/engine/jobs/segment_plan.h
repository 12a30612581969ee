#pragma once
// Temporal segmentation (design §5.3, CY's --segmented / --multi_gpu): a frame range is cut into
// segments, each run through a fresh processor. Inner boundaries get `overlap` extra frames on
// both sides, fed to the processor and dropped at the join, so every output frame of a segment
// had context on both sides and the joined output has exactly the range's frame count.
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
};

struct SegmentPlan {
    std::int64_t first = 0;
    std::int64_t end = 0;
    std::int64_t max_segment_frames = 0;  // resolved (never 0)
    int overlap = 0;
    std::vector<Segment> segments;
};

// The plan is a pure function of the request:
//  - the range's frames are split into n equal parts (the first `len % n` one frame longer);
//    n is the fewest parts whose inputs fit max_segment_frames, raised to min_segments unless
//    parts would then have fewer than min_segment_frames frames;
//  - input ranges extend by `overlap` at every boundary that is not the source's first or last
//    frame, so a range starting mid-clip also gets context (range joins = segment joins);
//  - every segment is fed at most max_segment_frames frames.
// InvalidArgument for an empty or out-of-bounds range, or a max too small for the overlap.
Result<SegmentPlan> plan_segments(const PlanRequest& request);

}  // namespace engine::jobs
