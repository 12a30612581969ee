#include "engine/imaging/hdr.h"

#include "src/parallel.h"

#include <algorithm>
#include <cmath>

namespace engine::imaging {
namespace {

// SMPTE ST 2084 constants, as exact rationals.
constexpr double kPqM1 = 2610.0 / 16384.0;
constexpr double kPqM2 = 2523.0 / 4096.0 * 128.0;
constexpr double kPqC1 = 3424.0 / 4096.0;
constexpr double kPqC2 = 2413.0 / 4096.0 * 32.0;
constexpr double kPqC3 = 2392.0 / 4096.0 * 32.0;

// ARIB STD-B67 constants; b and c derived from a so the two segments meet exactly at E = 1/12.
constexpr double kHlgA = 0.17883277;
constexpr double kHlgB = 1.0 - 4.0 * kHlgA;
const double kHlgC = 0.5 - kHlgA * std::log(4.0 * kHlgA);

// BT.2020 luminance weights (BT.2100 Table 6), used by the HLG OOTF.
constexpr double kYr = 0.2627;
constexpr double kYg = 0.6780;
constexpr double kYb = 0.0593;

struct Chromaticities {
    double rx, ry, gx, gy, bx, by, wx, wy;
};

Chromaticities chromaticities(Primaries primaries) {
    if (primaries == Primaries::BT2020) {
        return {0.708, 0.292, 0.170, 0.797, 0.131, 0.046, 0.3127, 0.3290};
    }
    return {0.640, 0.330, 0.300, 0.600, 0.150, 0.060, 0.3127, 0.3290};
}

using Mat3 = std::array<double, 9>;

Mat3 multiply(const Mat3& a, const Mat3& b) {
    Mat3 r{};
    for (int i = 0; i < 3; ++i) {
        for (int j = 0; j < 3; ++j) {
            double s = 0.0;
            for (int k = 0; k < 3; ++k) {
                s += a[i * 3 + k] * b[k * 3 + j];
            }
            r[i * 3 + j] = s;
        }
    }
    return r;
}

Mat3 invert(const Mat3& m) {
    const double det = m[0] * (m[4] * m[8] - m[5] * m[7]) - m[1] * (m[3] * m[8] - m[5] * m[6]) +
                       m[2] * (m[3] * m[7] - m[4] * m[6]);
    const double inv = 1.0 / det;
    return {(m[4] * m[8] - m[5] * m[7]) * inv, (m[2] * m[7] - m[1] * m[8]) * inv,
            (m[1] * m[5] - m[2] * m[4]) * inv, (m[5] * m[6] - m[3] * m[8]) * inv,
            (m[0] * m[8] - m[2] * m[6]) * inv, (m[2] * m[3] - m[0] * m[5]) * inv,
            (m[3] * m[7] - m[4] * m[6]) * inv, (m[1] * m[6] - m[0] * m[7]) * inv,
            (m[0] * m[4] - m[1] * m[3]) * inv};
}

// RGB -> XYZ normalised primary matrix (SMPTE RP 177).
Mat3 rgb_to_xyz(Primaries primaries) {
    const Chromaticities c = chromaticities(primaries);
    const Mat3 p = {c.rx / c.ry,
                    c.gx / c.gy,
                    c.bx / c.by,
                    1.0,
                    1.0,
                    1.0,
                    (1.0 - c.rx - c.ry) / c.ry,
                    (1.0 - c.gx - c.gy) / c.gy,
                    (1.0 - c.bx - c.by) / c.by};
    const Mat3 p_inv = invert(p);
    const double white[3] = {c.wx / c.wy, 1.0, (1.0 - c.wx - c.wy) / c.wy};
    double s[3];
    for (int i = 0; i < 3; ++i) {
        s[i] = p_inv[i * 3] * white[0] + p_inv[i * 3 + 1] * white[1] + p_inv[i * 3 + 2] * white[2];
    }
    Mat3 m{};
    for (int i = 0; i < 3; ++i) {
        for (int j = 0; j < 3; ++j) {
            m[i * 3 + j] = p[i * 3 + j] * s[j];
        }
    }
    return m;
}

Frame float_copy_header(const Frame& in) {
    Frame out;
    out.allocate(in.width, in.height, SampleType::F32);
    out.bit_depth = 32;
    out.pts = in.pts;
    out.time_base = in.time_base;
    out.index = in.index;
    return out;
}

// Applies fn(const float* in_rgb, float* out_rgb) to every pixel, over threads.
template <typename PixelFn>
Frame map_pixels(const Frame& input, int threads, long long cost, const PixelFn& fn) {
    Frame as_float;
    const Frame* source = &input;
    if (input.type != SampleType::F32) {
        as_float = to_float(input);
        source = &as_float;
    }
    Frame out = float_copy_header(input);
    const float* src = source->samples<float>();
    float* dst = out.samples<float>();
    const long long rows = input.height;
    const long long row_samples = static_cast<long long>(input.width) * 3;
    const int n = detail::thread_count_for(threads, rows, row_samples * cost);
    detail::parallel_ranges(rows, n, [&](long long begin, long long end) {
        for (long long i = begin * row_samples; i < end * row_samples; i += 3) {
            fn(src + i, dst + i);
        }
    });
    return out;
}

}  // namespace

double pq_eotf(double signal) {
    const double e = std::clamp(signal, 0.0, 1.0);
    const double p = std::pow(e, 1.0 / kPqM2);
    const double num = std::max(p - kPqC1, 0.0);
    const double den = kPqC2 - kPqC3 * p;
    return kPqPeakNits * std::pow(num / den, 1.0 / kPqM1);
}

double pq_inverse_eotf(double nits) {
    const double y = std::clamp(nits / kPqPeakNits, 0.0, 1.0);
    const double p = std::pow(y, kPqM1);
    return std::pow((kPqC1 + kPqC2 * p) / (1.0 + kPqC3 * p), kPqM2);
}

double hlg_oetf(double scene) {
    const double e = std::max(scene, 0.0);
    if (e <= 1.0 / 12.0) {
        return std::sqrt(3.0 * e);
    }
    return kHlgA * std::log(12.0 * e - kHlgB) + kHlgC;
}

double hlg_inverse_oetf(double signal) {
    const double e = std::max(signal, 0.0);
    if (e <= 0.5) {
        return e * e / 3.0;
    }
    return (std::exp((e - kHlgC) / kHlgA) + kHlgB) / 12.0;
}

double hlg_system_gamma(double peak_nits) {
    return 1.2 + 0.42 * std::log10(peak_nits / 1000.0);
}

std::array<double, 3> hlg_ootf(const std::array<double, 3>& scene, double peak_nits) {
    const double gamma = hlg_system_gamma(peak_nits);
    const double ys = kYr * scene[0] + kYg * scene[1] + kYb * scene[2];
    if (ys <= 0.0) {
        return {0.0, 0.0, 0.0};
    }
    const double gain = peak_nits * std::pow(ys, gamma - 1.0);
    return {gain * scene[0], gain * scene[1], gain * scene[2]};
}

std::array<double, 3> hlg_inverse_ootf(const std::array<double, 3>& display_nits,
                                       double peak_nits) {
    const double gamma = hlg_system_gamma(peak_nits);
    // Y_D = L_W * Y_S^gamma, because the OOTF scales R, G and B by one common gain.
    const double yd = kYr * display_nits[0] + kYg * display_nits[1] + kYb * display_nits[2];
    if (yd <= 0.0) {
        return {0.0, 0.0, 0.0};
    }
    const double ys = std::pow(yd / peak_nits, 1.0 / gamma);
    const double gain = 1.0 / (peak_nits * std::pow(ys, gamma - 1.0));
    return {gain * display_nits[0], gain * display_nits[1], gain * display_nits[2]};
}

std::array<double, 9> primaries_matrix(Primaries from, Primaries to) {
    if (from == to) {
        return {1, 0, 0, 0, 1, 0, 0, 0, 1};
    }
    return multiply(invert(rgb_to_xyz(to)), rgb_to_xyz(from));
}

Frame hdr_signal_to_linear(const Frame& signal, HdrTransfer transfer, const LinearScale& scale) {
    const double unit = scale.nits_per_unit;
    if (transfer == HdrTransfer::PQ) {
        return map_pixels(signal, scale.threads, 60, [unit](const float* in, float* out) {
            for (int c = 0; c < 3; ++c) {
                out[c] = static_cast<float>(pq_eotf(in[c]) / unit);
            }
        });
    }
    const double peak = scale.hlg_peak_nits;
    const bool apply_ootf = scale.hlg_ootf == HlgOotf::Apply;
    return map_pixels(signal, scale.threads, 60, [=](const float* in, float* out) {
        std::array<double, 3> e = {hlg_inverse_oetf(in[0]), hlg_inverse_oetf(in[1]),
                                   hlg_inverse_oetf(in[2])};
        if (apply_ootf) {
            e = hlg_ootf(e, peak);
            for (double& v : e) {
                v /= unit;
            }
        }
        for (int c = 0; c < 3; ++c) {
            out[c] = static_cast<float>(e[c]);
        }
    });
}

Frame linear_to_hdr_signal(const Frame& linear, HdrTransfer transfer, const LinearScale& scale) {
    const double unit = scale.nits_per_unit;
    if (transfer == HdrTransfer::PQ) {
        return map_pixels(linear, scale.threads, 60, [unit](const float* in, float* out) {
            for (int c = 0; c < 3; ++c) {
                out[c] = static_cast<float>(pq_inverse_eotf(in[c] * unit));
            }
        });
    }
    const double peak = scale.hlg_peak_nits;
    const bool apply_ootf = scale.hlg_ootf == HlgOotf::Apply;
    return map_pixels(linear, scale.threads, 60, [=](const float* in, float* out) {
        std::array<double, 3> e = {in[0], in[1], in[2]};
        if (apply_ootf) {
            for (double& v : e) {
                v = std::max(v, 0.0) * unit;
            }
            e = hlg_inverse_ootf(e, peak);
        }
        for (int c = 0; c < 3; ++c) {
            out[c] = static_cast<float>(std::min(hlg_oetf(e[c]), 1.0));
        }
    });
}

Frame convert_primaries(const Frame& linear, Primaries from, Primaries to, int threads) {
    const Mat3 m = primaries_matrix(from, to);
    return map_pixels(linear, threads, 6, [&m](const float* in, float* out) {
        const double r = in[0];
        const double g = in[1];
        const double b = in[2];
        for (int c = 0; c < 3; ++c) {
            out[c] = static_cast<float>(m[c * 3] * r + m[c * 3 + 1] * g + m[c * 3 + 2] * b);
        }
    });
}

}  // namespace engine::imaging
