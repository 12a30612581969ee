#include "engine/imaging/tone_mapping.h"

#include "src/parallel.h"

#include <algorithm>
#include <cmath>
#include <string>

namespace engine::imaging {
namespace {

// Narkowicz 2015 ACES filmic fit, as upstream's aces_tone_map.
constexpr double kAcesA = 2.51;
constexpr double kAcesB = 0.03;
constexpr double kAcesC = 2.43;
constexpr double kAcesD = 0.59;
constexpr double kAcesE = 0.14;

double aces_curve(double x) {
    return (x * (kAcesA * x + kAcesB)) / (x * (kAcesC * x + kAcesD) + kAcesE);
}

// Non-negative root x of (C y - A) x^2 + (D y - B) x + E y = 0 for y in [0, 1] (C y - A < 0, so
// exactly one root is >= 0). Written as q = -(p + sign(p) sqrt(disc)) / 2 with the two roots
// q / qa and c / q, choosing the one that avoids subtracting nearly equal numbers.
double aces_inverse_curve(double y) {
    if (y <= 0.0) {
        return 0.0;
    }
    const double qa = kAcesC * y - kAcesA;  // < 0 on [0, 1]
    const double qb = kAcesD * y - kAcesB;
    const double qc = kAcesE * y;                 // > 0
    const double disc = qb * qb - 4.0 * qa * qc;  // > qb^2 since qa qc < 0
    const double root = std::sqrt(disc);
    if (qb >= 0.0) {
        // q < 0: the positive root is q / qa; qc / q is the negative one.
        const double q = -0.5 * (qb + root);
        return q / qa;
    }
    const double q = -0.5 * (qb - root);  // > 0: the positive root is qc / q
    return qc / q;
}

Frame map_samples(const Frame& input, int threads, const ToneMapper& mapper, bool forward) {
    Frame as_float;
    const Frame* source = &input;
    if (input.type != SampleType::F32) {
        as_float = to_float(input);
        source = &as_float;
    }
    Frame out;
    out.allocate(input.width, input.height, SampleType::F32);
    out.bit_depth = 32;
    out.pts = input.pts;
    out.time_base = input.time_base;
    out.index = input.index;
    const float* src = source->samples<float>();
    float* dst = out.samples<float>();
    const long long rows = input.height;
    const long long row_samples = static_cast<long long>(input.width) * 3;
    const int n = detail::thread_count_for(threads, rows, row_samples * 40);
    detail::parallel_ranges(rows, n, [&](long long begin, long long end) {
        for (long long i = begin * row_samples; i < end * row_samples; ++i) {
            dst[i] = static_cast<float>(forward ? mapper.forward(static_cast<double>(src[i]))
                                                : mapper.inverse(static_cast<double>(src[i])));
        }
    });
    return out;
}

}  // namespace

std::optional<ToneMapMethod> parse_tone_map_method(std::string_view name) {
    if (name == "reinhard") {
        return ToneMapMethod::Reinhard;
    }
    if (name == "logarithmic" || name == "log") {
        return ToneMapMethod::Logarithmic;
    }
    if (name == "aces") {
        return ToneMapMethod::Aces;
    }
    return std::nullopt;
}

std::string_view tone_map_method_name(ToneMapMethod method) {
    switch (method) {
        case ToneMapMethod::Reinhard:
            return "reinhard";
        case ToneMapMethod::Logarithmic:
            return "logarithmic";
        case ToneMapMethod::Aces:
            return "aces";
    }
    return "reinhard";
}

double aces_white_input() {
    // (A - C) x^2 + (B - D) x - E = 0, positive root.
    const double qa = kAcesA - kAcesC;
    const double qb = kAcesB - kAcesD;
    return (-qb + std::sqrt(qb * qb + 4.0 * qa * kAcesE)) / (2.0 * qa);
}

double aces_exposure_for_peak(double peak) {
    return aces_white_input() / peak;
}

Result<ToneMapper> ToneMapper::create(const ToneMapParams& params) {
    if (!std::isfinite(params.exposure) || params.exposure <= 0.0) {
        return Error(ErrorCode::InvalidArgument, "tone mapping exposure must be finite and > 0")
            .with("exposure", std::to_string(params.exposure));
    }
    if (params.method != ToneMapMethod::Aces &&
        (!std::isfinite(params.l_max) || params.l_max <= 0.0)) {
        return Error(ErrorCode::InvalidArgument, "tone mapping l_max must be finite and > 0")
            .with("l_max", std::to_string(params.l_max));
    }
    return ToneMapper(params);
}

double ToneMapper::linear_max() const {
    if (m_params.method == ToneMapMethod::Aces) {
        return aces_white_input() / m_params.exposure;
    }
    return m_params.l_max / m_params.exposure;
}

double ToneMapper::forward(double linear) const {
    if (!(linear > 0.0)) {
        return 0.0;  // negatives and NaN
    }
    const double x = linear * m_params.exposure;
    double y = 0.0;
    switch (m_params.method) {
        case ToneMapMethod::Reinhard: {
            const double w = m_params.l_max;
            y = (x / (1.0 + x)) / (w / (1.0 + w));
            break;
        }
        case ToneMapMethod::Logarithmic:
            y = std::log1p(x) / std::log1p(m_params.l_max);
            break;
        case ToneMapMethod::Aces:
            y = aces_curve(x);
            break;
    }
    return std::min(y, 1.0);
}

double ToneMapper::inverse(double display) const {
    if (!(display > 0.0)) {
        return 0.0;
    }
    const double y = std::min(display, 1.0);
    double x = 0.0;
    switch (m_params.method) {
        case ToneMapMethod::Reinhard: {
            const double w = m_params.l_max;
            const double t = y * (w / (1.0 + w));  // < 1 for finite w
            x = t / (1.0 - t);
            break;
        }
        case ToneMapMethod::Logarithmic:
            x = std::expm1(y * std::log1p(m_params.l_max));
            break;
        case ToneMapMethod::Aces:
            x = aces_inverse_curve(y);
            break;
    }
    return x / m_params.exposure;
}

Frame ToneMapper::forward(const Frame& linear, int threads) const {
    return map_samples(linear, threads, *this, true);
}

Frame ToneMapper::inverse(const Frame& display, int threads) const {
    return map_samples(display, threads, *this, false);
}

std::vector<std::int64_t> l_max_sample_indices(std::int64_t frame_count,
                                               int step,
                                               int max_samples) {
    std::vector<std::int64_t> indices;
    if (frame_count <= 0 || max_samples <= 0) {
        return indices;
    }
    step = std::max(step, 1);
    const std::int64_t every_step = (frame_count + step - 1) / step;
    if (every_step <= max_samples) {
        for (std::int64_t i = 0; i < frame_count; i += step) {
            indices.push_back(i);
        }
        return indices;
    }
    for (std::int64_t i = 0; i < max_samples; ++i) {
        indices.push_back(i * frame_count / max_samples);
    }
    return indices;
}

void LmaxEstimator::add(const Frame& frame) {
    const std::size_t n = frame.sample_count();
    double peak = m_peak;
    switch (frame.type) {
        case SampleType::U8: {
            const auto* s = frame.samples<std::uint8_t>();
            for (std::size_t i = 0; i < n; ++i) {
                peak = std::max(peak, s[i] / 255.0);
            }
            break;
        }
        case SampleType::U16: {
            const auto* s = frame.samples<std::uint16_t>();
            for (std::size_t i = 0; i < n; ++i) {
                peak = std::max(peak, s[i] / 65535.0);
            }
            break;
        }
        case SampleType::F32: {
            const auto* s = frame.samples<float>();
            for (std::size_t i = 0; i < n; ++i) {
                if (std::isfinite(s[i])) {
                    peak = std::max(peak, static_cast<double>(s[i]));
                }
            }
            break;
        }
    }
    m_peak = peak;
    ++m_frames;
}

double LmaxEstimator::l_max(double exposure) const {
    return std::max(m_peak, 1.0) * exposure;
}

}  // namespace engine::imaging
