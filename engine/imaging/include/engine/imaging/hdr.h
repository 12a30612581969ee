#pragma once
// HDR transfer functions (BT.2100 PQ and HLG) and RGB primaries conversion (BT.709 <-> BT.2020).
// Scalar functions work in double; frame functions take any sample type and return F32 frames,
// split over std::thread. Everything here is stateless and thread-safe.
//
// Units and conventions:
//  - "signal" is the non-linear code value E' in [0, 1] (full range, as a 16-bit RGB decode / 65535
//    or an F32 frame holds it).
//  - PQ (SMPTE ST 2084) is display-referred: pq_eotf() gives absolute luminance in cd/m^2
//    (0..10000).
//  - HLG (ARIB STD-B67 / BT.2100) is scene-referred: hlg_oetf() maps normalised scene light
//    E in [0, 1] to E'. OOTF choice: to turn HLG into display light (so that PQ and HLG sources
//    give comparable linear frames) we apply the BT.2100 reference OOTF
//    F_D = L_W * Y_S^(gamma - 1) * E with black level L_B = 0 (so beta = 0), luminance Y_S from
//    BT.2020 weights (0.2627, 0.6780, 0.0593), and system gamma 1.2 + 0.42 * log10(L_W / 1000)
//    (1.2 at the nominal L_W = 1000 cd/m^2). HlgOotf::Skip returns the scene light E instead.
//  - Linear frames: 1.0 = LinearScale::nits_per_unit cd/m^2 (default 100, the scRGB and FFmpeg
//    zscale "npl" convention), values above 1 kept.

#include "engine/core/frame.h"
#include "engine/core/result.h"

#include <array>

namespace engine::imaging {

// --- PQ (SMPTE ST 2084) ---------------------------------------------------------------------
inline constexpr double kPqPeakNits = 10000.0;
// E' in [0, 1] -> display luminance in cd/m^2. Inputs outside [0, 1] are clamped.
double pq_eotf(double signal);
// Display luminance in cd/m^2 (clamped to [0, 10000]) -> E'.
double pq_inverse_eotf(double nits);

// --- HLG (ARIB STD-B67, BT.2100) ------------------------------------------------------------
// Normalised scene light E in [0, 1] -> E' in [0, 1] (negative inputs give 0).
double hlg_oetf(double scene);
// E' -> E (negative inputs give 0).
double hlg_inverse_oetf(double signal);
// BT.2100 system gamma for a display of nominal peak luminance L_W (cd/m^2).
double hlg_system_gamma(double peak_nits);
// Reference OOTF on one linear RGB triple (BT.2020 primaries): scene E (0..1) -> display light in
// cd/m^2. The inverse takes display light back to E. Exact inverses of each other.
std::array<double, 3> hlg_ootf(const std::array<double, 3>& scene, double peak_nits);
std::array<double, 3> hlg_inverse_ootf(const std::array<double, 3>& display_nits, double peak_nits);

// --- Primaries ------------------------------------------------------------------------------
enum class Primaries { BT709, BT2020 };
// Row-major 3x3 matrix taking linear RGB in `from` primaries to linear RGB in `to` (both D65),
// derived from the chromaticities in double precision. BT.709 -> BT.2020 is BT.2087's matrix.
std::array<double, 9> primaries_matrix(Primaries from, Primaries to);

// --- Frames ---------------------------------------------------------------------------------
enum class HdrTransfer { PQ, HLG };
enum class HlgOotf { Apply, Skip };

struct LinearScale {
    double nits_per_unit = 100.0;       // linear 1.0 == this many cd/m^2
    double hlg_peak_nits = 1000.0;      // L_W of the HLG reference display
    HlgOotf hlg_ootf = HlgOotf::Apply;  // Skip: linear = scene light E (0..1), scale ignored
    int threads = 0;                    // 0 = hardware_concurrency
};

// Signal frame (any type; values read as 0..1) -> linear F32 frame. pts/index/time_base kept,
// bit_depth set to 32.
Frame hdr_signal_to_linear(const Frame& signal,
                           HdrTransfer transfer,
                           const LinearScale& scale = {});
// Linear frame (any type) -> F32 signal in [0, 1] (the exact inverse of hdr_signal_to_linear on
// the representable range; light beyond the transfer's peak is clipped).
Frame linear_to_hdr_signal(const Frame& linear,
                           HdrTransfer transfer,
                           const LinearScale& scale = {});
// Linear RGB frame (any type) -> F32 frame in the other primaries. Out-of-gamut results are kept
// (may be negative or above 1); clipping is the caller's choice.
Frame convert_primaries(const Frame& linear, Primaries from, Primaries to, int threads = 0);

}  // namespace engine::imaging
