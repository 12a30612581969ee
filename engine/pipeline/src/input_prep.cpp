#include "engine/pipeline/input_prep.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

namespace engine::pipeline {

namespace F = torch::nn::functional;

namespace {

constexpr std::int64_t kAlign = 128;

std::int64_t round_up(std::int64_t value, std::int64_t multiple) {
    return (value + multiple - 1) / multiple * multiple;
}

// ---- PIL-compatible bicubic (Pillow's Resample.c semantics, 8 bits per channel) -------------

constexpr int kPrecisionBits = 32 - 8 - 2;

double pil_bicubic(double x) {
    constexpr double a = -0.5;
    x = std::fabs(x);
    if (x < 1.0) {
        return ((a + 2.0) * x - (a + 3.0)) * x * x + 1.0;
    }
    if (x < 2.0) {
        return (((x - 5.0) * x + 8.0) * x - 4.0) * a;
    }
    return 0.0;
}

struct PilCoefficients {
    int kernel_size = 0;
    std::vector<int> bounds;         // per output sample: first input index, count
    std::vector<std::int32_t> taps;  // out_size * kernel_size fixed-point weights
};

PilCoefficients pil_coefficients(int in_size, int out_size) {
    constexpr double support_base = 2.0;
    const double scale = static_cast<double>(in_size) / out_size;
    const double filter_scale = std::max(scale, 1.0);
    const double support = support_base * filter_scale;
    PilCoefficients c;
    c.kernel_size = static_cast<int>(std::ceil(support)) * 2 + 1;
    c.bounds.resize(static_cast<std::size_t>(out_size) * 2);
    c.taps.assign(static_cast<std::size_t>(out_size) * c.kernel_size, 0);
    std::vector<double> weights(static_cast<std::size_t>(c.kernel_size));
    for (int xx = 0; xx < out_size; ++xx) {
        const double center = (xx + 0.5) * scale;
        const double ss = 1.0 / filter_scale;
        int xmin = static_cast<int>(center - support + 0.5);
        xmin = std::max(xmin, 0);
        int xmax = static_cast<int>(center + support + 0.5);
        xmax = std::min(xmax, in_size) - xmin;
        double total = 0.0;
        for (int x = 0; x < xmax; ++x) {
            weights[x] = pil_bicubic((x + xmin - center + 0.5) * ss);
            total += weights[x];
        }
        for (int x = 0; x < c.kernel_size; ++x) {
            double w = x < xmax ? (total != 0.0 ? weights[x] / total : weights[x]) : 0.0;
            const double fixed = w * (1 << kPrecisionBits);
            c.taps[static_cast<std::size_t>(xx) * c.kernel_size + x] =
                static_cast<std::int32_t>(w < 0 ? -0.5 + fixed : 0.5 + fixed);
        }
        c.bounds[xx * 2] = xmin;
        c.bounds[xx * 2 + 1] = xmax;
    }
    return c;
}

std::uint8_t clip8(std::int64_t value) {
    const auto shifted = value >> kPrecisionBits;
    return static_cast<std::uint8_t>(std::clamp<std::int64_t>(shifted, 0, 255));
}

// in: h x w x 3 uint8 -> out: oh x ow x 3 uint8; horizontal pass first, as Pillow does.
std::vector<std::uint8_t> pil_resize(const std::uint8_t* in, int w, int h, int ow, int oh) {
    const auto horizontal = pil_coefficients(w, ow);
    std::vector<std::uint8_t> mid(static_cast<std::size_t>(h) * ow * 3);
    for (int y = 0; y < h; ++y) {
        for (int xx = 0; xx < ow; ++xx) {
            const int xmin = horizontal.bounds[xx * 2];
            const int count = horizontal.bounds[xx * 2 + 1];
            const auto* k = &horizontal.taps[static_cast<std::size_t>(xx) * horizontal.kernel_size];
            for (int c = 0; c < 3; ++c) {
                std::int64_t sum = 1 << (kPrecisionBits - 1);
                for (int x = 0; x < count; ++x) {
                    sum += static_cast<std::int64_t>(
                               in[(static_cast<std::size_t>(y) * w + xmin + x) * 3 + c]) *
                           k[x];
                }
                mid[(static_cast<std::size_t>(y) * ow + xx) * 3 + c] = clip8(sum);
            }
        }
    }
    const auto vertical = pil_coefficients(h, oh);
    std::vector<std::uint8_t> out(static_cast<std::size_t>(oh) * ow * 3);
    for (int yy = 0; yy < oh; ++yy) {
        const int ymin = vertical.bounds[yy * 2];
        const int count = vertical.bounds[yy * 2 + 1];
        const auto* k = &vertical.taps[static_cast<std::size_t>(yy) * vertical.kernel_size];
        for (int xx = 0; xx < ow; ++xx) {
            for (int c = 0; c < 3; ++c) {
                std::int64_t sum = 1 << (kPrecisionBits - 1);
                for (int y = 0; y < count; ++y) {
                    sum += static_cast<std::int64_t>(
                               mid[(static_cast<std::size_t>(ymin + y) * ow + xx) * 3 + c]) *
                           k[y];
                }
                out[(static_cast<std::size_t>(yy) * ow + xx) * 3 + c] = clip8(sum);
            }
        }
    }
    return out;
}

torch::Tensor pad_to_geometry(const torch::Tensor& x, const LqGeometry& g) {
    const auto pad_w = g.padded_width - g.output_width;
    const auto pad_h = g.padded_height - g.output_height;
    if (pad_w == 0 && pad_h == 0) {
        return x;
    }
    return F::pad(x, F::PadFuncOptions({0, pad_w, 0, pad_h}).mode(torch::kReplicate));
}

// frames [T, h, w, 3] -> [T, 3, output_height, output_width] float32 in the model range, without
// padding: on the frames' device for TorchBicubic, on the CPU for PilBicubic.
torch::Tensor bicubic_model_range(const torch::Tensor& frames,
                                  std::int64_t output_height,
                                  std::int64_t output_width,
                                  LqResample resample) {
    torch::NoGradGuard no_grad;
    if (resample == LqResample::TorchBicubic) {
        auto x = frames.scalar_type() == torch::kByte ? frames.to(torch::kFloat) / 255
                                                      : frames.to(torch::kFloat);
        x = x.permute({0, 3, 1, 2});
        x = F::interpolate(x, F::InterpolateFuncOptions()
                                  .size(std::vector<std::int64_t>{output_height, output_width})
                                  .mode(torch::kBicubic)
                                  .align_corners(false));
        return x * 2 - 1;
    }
    // One contiguous() for both branches: the quantised float frames keep the input's strides.
    const auto bytes =
        (frames.scalar_type() == torch::kByte
             ? frames.to(torch::kCPU)
             : (frames.to(torch::kCPU, torch::kFloat) * 255).round().clamp(0, 255).to(torch::kByte))
            .contiguous();
    const auto count = bytes.size(0);
    const int w = static_cast<int>(bytes.size(2));
    const int h = static_cast<int>(bytes.size(1));
    const int ow = static_cast<int>(output_width);
    const int oh = static_cast<int>(output_height);
    auto out = torch::empty({count, oh, ow, 3}, torch::kByte);
    for (std::int64_t t = 0; t < count; ++t) {
        auto resized = pil_resize(bytes[t].data_ptr<std::uint8_t>(), w, h, ow, oh);
        std::memcpy(out[t].data_ptr<std::uint8_t>(), resized.data(), resized.size());
    }
    return (out.to(torch::kFloat) / 255 * 2 - 1).permute({0, 3, 1, 2});
}

// Source pixels a bicubic output pixel may read beyond its own source pixel: torch's kernel taps
// floor(x) - 1 .. floor(x) + 2, Pillow's (support 2, rounded bounds) up to 2.5 pixels away.
constexpr std::int64_t kSourceMargin = 3;

bool is_power_of_two(std::int64_t value) {
    return value > 0 && (value & (value - 1)) == 0;
}

}  // namespace

LqGeometry lq_geometry(std::int64_t input_width, std::int64_t input_height, std::int64_t scale) {
    LqGeometry g;
    g.input_width = input_width;
    g.input_height = input_height;
    g.scale = scale;
    g.output_width = input_width * scale;
    g.output_height = input_height * scale;
    g.padded_width = round_up(g.output_width, kAlign);
    g.padded_height = round_up(g.output_height, kAlign);
    return g;
}

torch::Tensor prepare_lq_frames(const torch::Tensor& frames,
                                const LqGeometry& geometry,
                                LqResample resample) {
    TORCH_CHECK(frames.dim() == 4 && frames.size(1) == geometry.input_height &&
                    frames.size(2) == geometry.input_width && frames.size(3) == 3,
                "prepare_lq_frames: frames must be [T, ", geometry.input_height, ", ",
                geometry.input_width, ", 3], got ", frames.sizes());
    const auto x =
        bicubic_model_range(frames, geometry.output_height, geometry.output_width, resample);
    return pad_to_geometry(x, geometry).contiguous();
}

torch::Tensor prepare_lq_region(const std::vector<torch::Tensor>& frames,
                                const LqGeometry& geometry,
                                LqResample resample,
                                const LqRegion& region,
                                const torch::Device& device) {
    const auto scale = geometry.scale;
    TORCH_CHECK(!frames.empty(), "prepare_lq_region: no frames");
    TORCH_CHECK(region.y >= 0 && region.x >= 0 && region.y % scale == 0 && region.x % scale == 0 &&
                    region.y < geometry.output_height && region.x < geometry.output_width &&
                    region.rows > 0 && region.cols > 0,
                "prepare_lq_region: region at (", region.y, ", ", region.x, ") size ", region.rows,
                "x", region.cols, " must start inside the ", geometry.output_height, "x",
                geometry.output_width, " frame at a multiple of the scale ", scale);
    torch::NoGradGuard no_grad;
    const auto y_end = std::min(region.y + region.rows, geometry.output_height);
    const auto x_end = std::min(region.x + region.cols, geometry.output_width);
    std::vector<torch::Tensor> pieces;
    if (is_power_of_two(scale)) {
        // 1/scale is exact in binary, so every output pixel's source position (and Pillow's
        // tap bounds) computed in the crop's coordinates equals the full frame's minus the crop
        // origin: the crop resamples to exactly the full frame's values.
        const auto src_y0 = std::max<std::int64_t>(0, region.y / scale - kSourceMargin);
        const auto src_x0 = std::max<std::int64_t>(0, region.x / scale - kSourceMargin);
        const auto src_y1 =
            std::min(geometry.input_height, (y_end + scale - 1) / scale + kSourceMargin);
        const auto src_x1 =
            std::min(geometry.input_width, (x_end + scale - 1) / scale + kSourceMargin);
        std::vector<torch::Tensor> crops;
        for (const auto& frame : frames) {
            const auto f = frame.view({geometry.input_height, geometry.input_width, 3});
            crops.push_back(
                f.narrow(0, src_y0, src_y1 - src_y0).narrow(1, src_x0, src_x1 - src_x0));
        }
        auto source = torch::stack(crops);
        if (resample == LqResample::TorchBicubic) {
            source = source.to(device);
        }
        const auto resampled = bicubic_model_range(source, (src_y1 - src_y0) * scale,
                                                   (src_x1 - src_x0) * scale, resample);
        pieces.push_back(resampled.narrow(2, region.y - src_y0 * scale, y_end - region.y)
                             .narrow(3, region.x - src_x0 * scale, x_end - region.x));
    } else {
        // Positions like (o + 0.5) / 3 round differently at different o: resample whole frames,
        // one at a time (one output-size frame of transient memory), and crop.
        for (const auto& frame : frames) {
            auto f = frame.view({1, geometry.input_height, geometry.input_width, 3});
            if (resample == LqResample::TorchBicubic) {
                f = f.to(device);
            }
            const auto full =
                bicubic_model_range(f, geometry.output_height, geometry.output_width, resample);
            pieces.push_back(full.narrow(2, region.y, y_end - region.y)
                                 .narrow(3, region.x, x_end - region.x)
                                 .contiguous());
        }
    }
    auto out = pieces.size() == 1 ? pieces.front() : torch::cat(pieces);
    if (y_end - region.y < region.rows || x_end - region.x < region.cols) {
        // Past the output frame the model reads the replicated edge, as prepare_lq_frames pads.
        out = F::pad(out, F::PadFuncOptions({0, region.cols - (x_end - region.x), 0,
                                             region.rows - (y_end - region.y)})
                              .mode(torch::kReplicate));
    }
    return out.to(device).contiguous();
}

torch::Tensor frame_to_tensor(const Frame& frame) {
    const std::vector<std::int64_t> shape{1, frame.height, frame.width, 3};
    switch (frame.type) {
        case SampleType::U8:
            return torch::from_blob(const_cast<std::uint8_t*>(frame.data.data()), shape,
                                    torch::kByte)
                .clone();
        case SampleType::U16: {
            // torch 1.13 has no uint16 dtype: widen through int32.
            const auto* samples = frame.samples<std::uint16_t>();
            std::vector<std::int32_t> wide(samples, samples + frame.sample_count());
            return torch::from_blob(wide.data(), shape, torch::kInt).to(torch::kFloat) / 65535;
        }
        case SampleType::F32:
            return torch::from_blob(const_cast<std::uint8_t*>(frame.data.data()), shape,
                                    torch::kFloat)
                .clone();
    }
    return {};
}

}  // namespace engine::pipeline
