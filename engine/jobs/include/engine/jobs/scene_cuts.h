#pragma once
// Scene-cut detection for SegmentSettings::scene_cuts: frames where a new shot starts become hard
// segment boundaries, so FlashVSR's temporal state (KV caches, decoder memories) restarts there
// instead of ghosting one shot into the next.
//
// The detector is cheap and deterministic (same frames in, same cuts out, on every machine):
//  1. luma of each frame (BT.709 weights on the decoded RGB samples, scaled to [0, 1]),
//     averaged over square blocks of ceil(width / 64) pixels (a thumbnail at most 64 wide);
//  2. a 32-bin histogram of the thumbnail, normalised to sum 1;
//  3. score(frame i) = half the L1 distance between the histograms of frames i-1 and i, in
//     [0, 1] (0: same tone distribution, 1: no overlap at all);
//  4. frame i starts a shot when score > threshold (default 0.35).
// A histogram ignores where things are, so camera motion, pans and moving objects do not score;
// a change of the whole tone distribution (a cut) does. Its blind spot: a cut between two shots
// with the same tones is missed (the model then carries state across it, as without detection),
// and a flash that changes the whole frame's tones may count as a cut (a harmless extra restart).
//
// Threads: a SceneCutDetector is used by one thread; detect_scene_cuts() may run anywhere.

#include "engine/core/cancel_token.h"
#include "engine/core/frame.h"
#include "engine/core/result.h"
#include "engine/jobs/job_spec.h"

#include <array>
#include <cstdint>
#include <functional>
#include <vector>

namespace engine::jobs {

inline constexpr int kSceneThumbnailWidth = 64;
inline constexpr int kSceneHistogramBins = 32;

class SceneCutDetector {
  public:
    explicit SceneCutDetector(double threshold) : m_threshold(threshold) {}
    // Feeds the next frame (RGB, any sample type, any size; consecutive frames share a size).
    // Returns its score against the previous frame; 0 for the first frame.
    double push(const Frame& frame);
    // Whether the frame last pushed starts a new shot.
    bool is_cut() const { return m_last_score > m_threshold; }
    double threshold() const { return m_threshold; }

  private:
    double m_threshold;
    bool m_has_previous = false;
    std::array<double, kSceneHistogramBins> m_previous{};
    double m_last_score = 0.0;
};

// The shot starts among source frames [first, end) of spec.input: indices c with first < c < end
// whose frame differs from frame c - 1 (frame `first` itself is never reported). Sorted.
// Decode errors as the sources report them; Cancelled when `cancel` fires. `on_frame` (optional)
// is called after every decoded frame with the count so far.
Result<std::vector<std::int64_t>> detect_scene_cuts(
    const JobSpec& spec,
    std::int64_t first,
    std::int64_t end,
    const CancelToken& cancel,
    const std::function<void(std::int64_t frames_done)>& on_frame = {});

}  // namespace engine::jobs
