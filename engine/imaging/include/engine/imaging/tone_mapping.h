#pragma once
// Global tone mapping with exact inverses, so an SDR-trained model can be wrapped around HDR
// material: linear HDR -> forward() -> [0, 1] -> model -> inverse() -> linear HDR
// (--hdr_preprocess tone_mapping, --tone_mapping_method, --tone_mapping_exposure, --global_l_max
// of the upstream CY scripts, design/flashvsr-model.md §8.3).
//
// The curves follow upstream utils/hdr/tone_mapping.py in its global-parameter form, applied to
// each RGB channel independently (as upstream), with x = exposure * linear:
//   reinhard:     y = (x / (1 + x)) / (W / (1 + W)),  W = l_max (the white point)
//   logarithmic:  y = log1p(x) / log1p(l_max)
//   aces:         y = x (2.51 x + 0.03) / (x (2.43 x + 0.59) + 0.14)   (Narkowicz 2015 fit;
//                 l_max unused; y reaches 1 at x = aces_white_input() ~ 7.2417)
// followed by a clamp to [0, 1]. Unlike upstream (whose ACES "inverse" is a logarithmic
// approximation and whose inverses clamp to 1.1 x max), every inverse here is the exact closed
// form: reinhard x = t / (1 - t) with t = y W / (1 + W); logarithmic x = expm1(y log1p(l_max));
// aces the non-negative root of (2.43 y - 2.51) x^2 + (0.59 y - 0.03) x + 0.14 y = 0, taken in
// the cancellation-free form. So inverse(forward(v)) == v (to double rounding) for
// 0 <= v <= linear_max(); inputs below 0 map to 0, above linear_max() to 1, and inverse() clamps
// its input to [0, 1] first.
//
// Threads: ToneMapper is immutable after create(); share it freely.

#include "engine/core/frame.h"
#include "engine/core/result.h"

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace engine::imaging {

enum class ToneMapMethod { Reinhard, Logarithmic, Aces };

// "reinhard", "logarithmic" (also "log"), "aces"; case-sensitive, as on the command line.
std::optional<ToneMapMethod> parse_tone_map_method(std::string_view name);
std::string_view tone_map_method_name(ToneMapMethod method);

struct ToneMapParams {
    ToneMapMethod method = ToneMapMethod::Reinhard;
    double exposure = 1.0;  // multiplies the linear input before the curve; > 0
    // Peak of exposure * linear that maps to 1 (reinhard white point, logarithmic normaliser),
    // i.e. upstream's global_l_max, which already includes the exposure. > 0; unused by aces.
    double l_max = 1.0;
};

class ToneMapper {
  public:
    // InvalidArgument unless exposure and l_max are finite and > 0.
    static Result<ToneMapper> create(const ToneMapParams& params);

    const ToneMapParams& params() const { return m_params; }
    // Largest linear value that forward() does not clip: l_max / exposure, or
    // aces_white_input() / exposure.
    double linear_max() const;

    double forward(double linear) const;   // -> [0, 1]
    double inverse(double display) const;  // [0, 1] -> [0, linear_max()]

    // Frame versions: any input type (integer frames read as 0..1), F32 output; pts/index/
    // time_base copied. forward() sets bit_depth 32; inverse() too.
    Frame forward(const Frame& linear, int threads = 0) const;
    Frame inverse(const Frame& display, int threads = 0) const;

  private:
    explicit ToneMapper(const ToneMapParams& params) : m_params(params) {}
    ToneMapParams m_params;
};

// x at which the ACES fit reaches 1 (about 7.2417); aces' white for an exposure of 1.
double aces_white_input();
// Exposure that makes the ACES curve reach 1 exactly at linear value `peak` (aces_white / peak),
// for callers who want ACES normalised to a measured peak like the other two methods.
double aces_exposure_for_peak(double peak);

// Frame indices to sample for a global l_max: 0, step, 2*step, ... (< frame_count), at most
// max_samples of them, spread evenly over the clip when there would be more (upstream pre-scan:
// every 10th frame, at most 500). Empty for frame_count <= 0.
std::vector<std::int64_t> l_max_sample_indices(std::int64_t frame_count,
                                               int step = 10,
                                               int max_samples = 500);

// Accumulates the peak linear value over sampled frames. Not thread-safe; one owner.
class LmaxEstimator {
  public:
    // Adds a frame (any type). NaN and infinite samples are ignored.
    void add(const Frame& frame);
    std::int64_t frames_seen() const { return m_frames; }
    // Largest finite sample seen (0 before any frame).
    double peak() const { return m_peak; }
    // upstream's global_l_max: max(peak, 1) * exposure. The floor of 1 (SDR white) keeps the
    // curves well defined for clips without highlights.
    double l_max(double exposure) const;

  private:
    double m_peak = 0.0;
    std::int64_t m_frames = 0;
};

}  // namespace engine::imaging
