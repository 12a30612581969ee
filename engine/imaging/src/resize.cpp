#include "engine/imaging/resize.h"

#include "src/parallel.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

namespace engine::imaging {
namespace {

// Filter taps of one output coordinate: `count` consecutive weights starting at table offset
// `first_weight`, applied to the source indices in `indices` (already clamped or in range).
struct AxisTaps {
    int taps_per_output = 0;
    std::vector<int> indices;    // output_size * taps_per_output
    std::vector<float> weights;  // output_size * taps_per_output
};

// PyTorch's bicubic weights, reproduced operation by operation. PyTorch's CPU kernels are built
// with FMA contraction, and the golden data (and any PyTorch on an AVX2 machine) carry its exact
// rounding: the first two steps of each cubic polynomial are fused, the last is not. This file is
// compiled with -ffp-contract=off so only the std::fma calls below are fused.
float cubic_convolution1(float x, float a) {
    const float inner = std::fma(a + 2.0f, x, -(a + 3.0f));
    const float squared = inner * x;
    return squared * x + 1.0f;
}
float cubic_convolution2(float x, float a) {
    const float s1 = std::fma(a, x, -(5.0f * a));
    const float s2 = std::fma(s1, x, 8.0f * a);
    return s2 * x - 4.0f * a;
}

AxisTaps bicubic_taps(int in_size, int out_size) {
    constexpr float a = -0.75f;
    AxisTaps taps;
    taps.taps_per_output = 4;
    taps.indices.resize(static_cast<std::size_t>(out_size) * 4);
    taps.weights.resize(static_cast<std::size_t>(out_size) * 4);
    // area_pixel_compute_scale (align_corners=False, explicit output size): in / out in float.
    const float scale = static_cast<float>(in_size) / static_cast<float>(out_size);
    for (int i = 0; i < out_size; ++i) {
        // The source coordinate is formed in double (PyTorch adds the double literal 0.5), the
        // index is floorf of it rounded to float, and t is the double difference rounded to
        // float, which can be slightly negative when the float rounding crossed an integer.
        const double real = static_cast<double>(scale) * (static_cast<double>(i) + 0.5) - 0.5;
        long long input_index = static_cast<long long>(std::floor(static_cast<float>(real)));
        input_index = std::min<long long>(input_index, in_size - 1);
        const float t = static_cast<float>(real - static_cast<double>(input_index));
        const float x1 = t;
        const float x2 = 1.0f - t;
        float* w = &taps.weights[static_cast<std::size_t>(i) * 4];
        w[0] = cubic_convolution2(x1 + 1.0f, a);
        w[1] = cubic_convolution1(x1, a);
        w[2] = cubic_convolution1(x2, a);
        w[3] = cubic_convolution2(x2 + 1.0f, a);
        int* idx = &taps.indices[static_cast<std::size_t>(i) * 4];
        for (int k = 0; k < 4; ++k) {
            idx[k] = static_cast<int>(std::clamp<long long>(input_index - 1 + k, 0, in_size - 1));
        }
    }
    return taps;
}

double lanczos_kernel(double x, double a) {
    x = std::fabs(x);
    if (x >= a) {
        return 0.0;
    }
    if (x < 1e-12) {
        return 1.0;
    }
    const double pi_x = M_PI * x;
    return a * std::sin(pi_x) * std::sin(pi_x / a) / (pi_x * pi_x);
}

AxisTaps lanczos_taps(int in_size, int out_size) {
    constexpr double a = 3.0;
    const double scale = static_cast<double>(in_size) / static_cast<double>(out_size);
    const double stretch = std::max(scale, 1.0);  // widen the kernel when downscaling
    const double support = a * stretch;
    AxisTaps taps;
    taps.taps_per_output = static_cast<int>(std::ceil(support)) * 2 + 1;
    const std::size_t n = static_cast<std::size_t>(out_size) * taps.taps_per_output;
    taps.indices.assign(n, 0);
    taps.weights.assign(n, 0.0f);
    std::vector<double> w(static_cast<std::size_t>(taps.taps_per_output));
    for (int i = 0; i < out_size; ++i) {
        const double center = (static_cast<double>(i) + 0.5) * scale;  // in source pixel edges
        const int first = std::max(0, static_cast<int>(std::floor(center - support)));
        const int last = std::min(in_size - 1, static_cast<int>(std::ceil(center + support)));
        double sum = 0.0;
        int count = 0;
        for (int j = first; j <= last && count < taps.taps_per_output; ++j) {
            const double weight =
                lanczos_kernel((static_cast<double>(j) + 0.5 - center) / stretch, a);
            w[static_cast<std::size_t>(count)] = weight;
            taps.indices[static_cast<std::size_t>(i) * taps.taps_per_output + count] = j;
            sum += weight;
            ++count;
        }
        // Unused trailing taps keep weight 0 on a valid index.
        for (int k = count; k < taps.taps_per_output; ++k) {
            taps.indices[static_cast<std::size_t>(i) * taps.taps_per_output + k] = first;
            w[static_cast<std::size_t>(k)] = 0.0;
        }
        if (sum == 0.0) {
            // Cannot happen for a >= 1 tap window around the centre, but keep the image defined.
            w[0] = 1.0;
            sum = 1.0;
        }
        for (int k = 0; k < taps.taps_per_output; ++k) {
            taps.weights[static_cast<std::size_t>(i) * taps.taps_per_output + k] =
                static_cast<float>(w[static_cast<std::size_t>(k)] / sum);
        }
    }
    return taps;
}

AxisTaps make_taps(ResizeFilter filter, int in_size, int out_size) {
    return filter == ResizeFilter::Bicubic ? bicubic_taps(in_size, out_size)
                                           : lanczos_taps(in_size, out_size);
}

// The accumulation PyTorch's kernel performs with FMA contraction:
// acc = fma(s0, w0, s1 * w1), then acc = fma(sk, wk, acc) for k >= 2.
// x86-64 builds get an FMA clone chosen at load time (identical results, several times faster
// than the library fma the baseline clone calls).
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define FVSR_FMA_CLONES __attribute__((target_clones("arch=x86-64-v3", "default")))
#else
#define FVSR_FMA_CLONES
#endif

FVSR_FMA_CLONES
void horizontal_rows(const float* src,
                     std::size_t src_row,
                     float* dst,
                     std::size_t dst_row,
                     int dst_width,
                     int channels,
                     const AxisTaps& tx,
                     long long begin,
                     long long end) {
    const int taps = tx.taps_per_output;
    for (long long y = begin; y < end; ++y) {
        const float* in = src + static_cast<std::size_t>(y) * src_row;
        float* out = dst + static_cast<std::size_t>(y) * dst_row;
        for (int x = 0; x < dst_width; ++x) {
            const int* idx = &tx.indices[static_cast<std::size_t>(x) * taps];
            const float* w = &tx.weights[static_cast<std::size_t>(x) * taps];
            for (int c = 0; c < channels; ++c) {
                const float first = in[static_cast<std::size_t>(idx[0]) * channels + c];
                float acc = first * w[0];
                if (taps > 1) {
                    const float second = in[static_cast<std::size_t>(idx[1]) * channels + c];
                    acc = std::fma(first, w[0], second * w[1]);
                }
                for (int k = 2; k < taps; ++k) {
                    acc = std::fma(in[static_cast<std::size_t>(idx[k]) * channels + c], w[k], acc);
                }
                out[static_cast<std::size_t>(x) * channels + c] = acc;
            }
        }
    }
}

FVSR_FMA_CLONES
void vertical_rows(const float* horizontal,
                   float* dst,
                   std::size_t dst_row,
                   const AxisTaps& ty,
                   long long begin,
                   long long end) {
    const int taps = ty.taps_per_output;
    for (long long y = begin; y < end; ++y) {
        const int* idx = &ty.indices[static_cast<std::size_t>(y) * taps];
        const float* w = &ty.weights[static_cast<std::size_t>(y) * taps];
        float* out = dst + static_cast<std::size_t>(y) * dst_row;
        const float* row0 = horizontal + static_cast<std::size_t>(idx[0]) * dst_row;
        if (taps == 1) {
            for (std::size_t i = 0; i < dst_row; ++i) {
                out[i] = row0[i] * w[0];
            }
            continue;
        }
        const float* row1 = horizontal + static_cast<std::size_t>(idx[1]) * dst_row;
        const float w0 = w[0];
        const float w1 = w[1];
        for (std::size_t i = 0; i < dst_row; ++i) {
            out[i] = std::fma(row0[i], w0, row1[i] * w1);
        }
        for (int k = 2; k < taps; ++k) {
            const float* row = horizontal + static_cast<std::size_t>(idx[k]) * dst_row;
            const float wk = w[k];
            for (std::size_t i = 0; i < dst_row; ++i) {
                out[i] = std::fma(row[i], wk, out[i]);
            }
        }
    }
}

}  // namespace

void resize_interleaved(const float* src,
                        int src_width,
                        int src_height,
                        int channels,
                        float* dst,
                        int dst_width,
                        int dst_height,
                        ResizeFilter filter,
                        int threads) {
    const AxisTaps tx = make_taps(filter, src_width, dst_width);
    const AxisTaps ty = make_taps(filter, src_height, dst_height);
    const std::size_t src_row = static_cast<std::size_t>(src_width) * channels;
    const std::size_t dst_row = static_cast<std::size_t>(dst_width) * channels;

    // Horizontal pass over every source row, then the vertical pass: the same nesting as
    // PyTorch's kernel (sum over rows of weight * (sum over columns of weight * sample)).
    std::vector<float> horizontal(static_cast<std::size_t>(src_height) * dst_row);
    const int h_threads =
        detail::thread_count_for(threads, src_height, static_cast<long long>(dst_row) * 4);
    detail::parallel_ranges(src_height, h_threads, [&](long long begin, long long end) {
        horizontal_rows(src, src_row, horizontal.data(), dst_row, dst_width, channels, tx, begin,
                        end);
    });
    const int v_threads =
        detail::thread_count_for(threads, dst_height, static_cast<long long>(dst_row) * 4);
    detail::parallel_ranges(dst_height, v_threads, [&](long long begin, long long end) {
        vertical_rows(horizontal.data(), dst, dst_row, ty, begin, end);
    });
}

Result<Frame> resize(const Frame& input, int width, int height, const ResizeOptions& options) {
    if (width < 1 || height < 1) {
        return Error(ErrorCode::InvalidArgument, "resize: output size must be at least 1x1")
            .with("width", std::to_string(width))
            .with("height", std::to_string(height));
    }
    if (input.width < 1 || input.height < 1 ||
        input.data.size() != input.sample_count() * bytes_per_sample(input.type)) {
        return Error(ErrorCode::InvalidArgument, "resize: input frame is empty or inconsistent")
            .with("width", std::to_string(input.width))
            .with("height", std::to_string(input.height))
            .with("bytes", std::to_string(input.data.size()));
    }
    const SampleType out_type = options.output_type.value_or(input.type);

    Frame scaled;
    scaled.allocate(width, height, SampleType::F32);
    if (input.type == SampleType::F32) {
        resize_interleaved(input.samples<float>(), input.width, input.height, 3,
                           scaled.samples<float>(), width, height, options.filter, options.threads);
    } else {
        const Frame as_float = to_float(input);
        resize_interleaved(as_float.samples<float>(), input.width, input.height, 3,
                           scaled.samples<float>(), width, height, options.filter, options.threads);
    }

    int bit_depth = input.bit_depth;
    if (out_type == SampleType::U8) {
        bit_depth = std::min(bit_depth, 8);
    } else if (out_type == SampleType::U16) {
        bit_depth = std::min(bit_depth, 16);
    }
    Frame out =
        out_type == SampleType::F32 ? std::move(scaled) : from_float(scaled, out_type, bit_depth);
    out.bit_depth = bit_depth;
    out.pts = input.pts;
    out.time_base = input.time_base;
    out.index = input.index;
    return out;
}

}  // namespace engine::imaging
