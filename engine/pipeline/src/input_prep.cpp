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

// Pillow's taps for output samples [first, first + count) of an in_size -> out_size axis, computed
// in the whole axis' coordinates: a window gets exactly the taps the whole frame gives those
// samples, so resampling a region is bit-identical to resampling the frame and cropping, at any
// scale.
struct PilAxis {
    int kernel_size = 0;
    std::vector<int> bounds;         // per output sample: first input index (whole axis), count
    std::vector<std::int32_t> taps;  // count * kernel_size fixed-point weights
    int input_begin = 0;             // the input samples [input_begin, input_end) the window reads
    int input_end = 0;
};

PilAxis pil_axis(int in_size, int out_size, int first, int count) {
    constexpr double support_base = 2.0;
    const double scale = static_cast<double>(in_size) / out_size;
    const double filter_scale = std::max(scale, 1.0);
    const double support = support_base * filter_scale;
    PilAxis c;
    c.kernel_size = static_cast<int>(std::ceil(support)) * 2 + 1;
    c.bounds.resize(static_cast<std::size_t>(count) * 2);
    c.taps.assign(static_cast<std::size_t>(count) * c.kernel_size, 0);
    c.input_begin = in_size;
    c.input_end = 0;
    std::vector<double> weights(static_cast<std::size_t>(c.kernel_size));
    for (int i = 0; i < count; ++i) {
        const int xx = first + i;
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
            c.taps[static_cast<std::size_t>(i) * c.kernel_size + x] =
                static_cast<std::int32_t>(w < 0 ? -0.5 + fixed : 0.5 + fixed);
        }
        c.bounds[i * 2] = xmin;
        c.bounds[i * 2 + 1] = xmax;
        c.input_begin = std::min(c.input_begin, xmin);
        c.input_end = std::max(c.input_end, xmin + xmax);
    }
    return c;
}

std::uint8_t clip8(std::int64_t value) {
    const auto shifted = value >> kPrecisionBits;
    return static_cast<std::uint8_t>(std::clamp<std::int64_t>(shifted, 0, 255));
}

// in: the source crop the axes read, [rows.input_end - rows.input_begin, cols.input_end -
// cols.input_begin, 3] uint8 -> out: the axes' windows, [rows samples, cols samples, 3] uint8.
// Horizontal pass first, as Pillow does.
std::vector<std::uint8_t> pil_resize(const std::uint8_t* in,
                                     const PilAxis& rows,
                                     const PilAxis& cols) {
    const int w = cols.input_end - cols.input_begin;
    const int h = rows.input_end - rows.input_begin;
    const int ow = static_cast<int>(cols.bounds.size() / 2);
    const int oh = static_cast<int>(rows.bounds.size() / 2);
    std::vector<std::uint8_t> mid(static_cast<std::size_t>(h) * ow * 3);
    for (int y = 0; y < h; ++y) {
        for (int xx = 0; xx < ow; ++xx) {
            const int xmin = cols.bounds[xx * 2] - cols.input_begin;
            const int count = cols.bounds[xx * 2 + 1];
            const auto* k = &cols.taps[static_cast<std::size_t>(xx) * cols.kernel_size];
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
    std::vector<std::uint8_t> out(static_cast<std::size_t>(oh) * ow * 3);
    for (int yy = 0; yy < oh; ++yy) {
        const int ymin = rows.bounds[yy * 2] - rows.input_begin;
        const int count = rows.bounds[yy * 2 + 1];
        const auto* k = &rows.taps[static_cast<std::size_t>(yy) * rows.kernel_size];
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

// PilBicubic of source crops [T, h, w, 3] (the input samples the axes read, any device, uint8 or
// float) -> [T, 3, rows samples, cols samples] float32 on the CPU in the model range.
torch::Tensor pil_model_range(const torch::Tensor& crops,
                              const PilAxis& rows,
                              const PilAxis& cols) {
    // Float input is quantised to uint8 first, as the official scripts' PIL images are. One
    // contiguous() for both branches: the quantised frames keep the input's strides.
    const auto bytes =
        (crops.scalar_type() == torch::kByte
             ? crops.to(torch::kCPU)
             : (crops.to(torch::kCPU, torch::kFloat) * 255).round().clamp(0, 255).to(torch::kByte))
            .contiguous();
    TORCH_CHECK(bytes.size(1) == rows.input_end - rows.input_begin &&
                    bytes.size(2) == cols.input_end - cols.input_begin,
                "pil_model_range: crops ", bytes.sizes(), " do not match the taps' source");
    const auto count = bytes.size(0);
    const auto oh = static_cast<std::int64_t>(rows.bounds.size() / 2);
    const auto ow = static_cast<std::int64_t>(cols.bounds.size() / 2);
    auto out = torch::empty({count, oh, ow, 3}, torch::kByte);
    for (std::int64_t t = 0; t < count; ++t) {
        auto resized = pil_resize(bytes[t].data_ptr<std::uint8_t>(), rows, cols);
        std::memcpy(out[t].data_ptr<std::uint8_t>(), resized.data(), resized.size());
    }
    return (out.to(torch::kFloat) / 255 * 2 - 1).permute({0, 3, 1, 2});
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
    const auto rows = pil_axis(static_cast<int>(frames.size(1)), static_cast<int>(output_height), 0,
                               static_cast<int>(output_height));
    const auto cols = pil_axis(static_cast<int>(frames.size(2)), static_cast<int>(output_width), 0,
                               static_cast<int>(output_width));
    // Upscaling reads every source row and column; a downscale might skip some at the edges.
    return pil_model_range(frames.narrow(1, rows.input_begin, rows.input_end - rows.input_begin)
                               .narrow(2, cols.input_begin, cols.input_end - cols.input_begin),
                           rows, cols);
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
                                const torch::Device& device,
                                torch::ScalarType dtype) {
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
    const auto source = [&](const torch::Tensor& frame) {
        return frame.view({geometry.input_height, geometry.input_width, 3});
    };
    torch::Tensor out;
    if (resample == LqResample::PilBicubic) {
        // Our own arithmetic: the taps of the region's samples computed in whole-frame
        // coordinates, over exactly the source pixels they read (any scale).
        const auto rows = pil_axis(static_cast<int>(geometry.input_height),
                                   static_cast<int>(geometry.output_height),
                                   static_cast<int>(region.y), static_cast<int>(y_end - region.y));
        const auto cols = pil_axis(static_cast<int>(geometry.input_width),
                                   static_cast<int>(geometry.output_width),
                                   static_cast<int>(region.x), static_cast<int>(x_end - region.x));
        std::vector<torch::Tensor> crops;
        for (const auto& frame : frames) {
            crops.push_back(source(frame)
                                .narrow(0, rows.input_begin, rows.input_end - rows.input_begin)
                                .narrow(1, cols.input_begin, cols.input_end - cols.input_begin));
        }
        out = pil_model_range(torch::stack(crops), rows, cols);
    } else {
        // torch's kernel computes an output pixel's source position as
        // float(in / out) * (o + 0.5) - 0.5 in float32. For a power-of-two scale that is exact,
        // so a crop's positions are the frame's minus the crop origin and the crop may start
        // kSourceMargin pixels before the region. Otherwise (1/3 is inexact) the rounding
        // depends on o, so positions only match when the crop starts at the frame's origin:
        // the crop is anchored at (0, 0) and still ends kSourceMargin pixels past the region
        // (the far edge, where torch clamps its taps, is then outside the region).
        const bool exact_positions = is_power_of_two(scale);
        const auto src_y0 =
            exact_positions ? std::max<std::int64_t>(0, region.y / scale - kSourceMargin) : 0;
        const auto src_x0 =
            exact_positions ? std::max<std::int64_t>(0, region.x / scale - kSourceMargin) : 0;
        const auto src_y1 =
            std::min(geometry.input_height, (y_end + scale - 1) / scale + kSourceMargin);
        const auto src_x1 =
            std::min(geometry.input_width, (x_end + scale - 1) / scale + kSourceMargin);
        const auto resample_crop = [&](const torch::Tensor& crops) {
            const auto resampled = bicubic_model_range(crops.to(device), (src_y1 - src_y0) * scale,
                                                       (src_x1 - src_x0) * scale, resample);
            return resampled.narrow(2, region.y - src_y0 * scale, y_end - region.y)
                .narrow(3, region.x - src_x0 * scale, x_end - region.x);
        };
        const auto crop = [&](const torch::Tensor& frame) {
            return source(frame)
                .narrow(0, src_y0, src_y1 - src_y0)
                .narrow(1, src_x0, src_x1 - src_x0)
                .unsqueeze(0);
        };
        if (exact_positions) {
            std::vector<torch::Tensor> crops;
            for (const auto& frame : frames) {
                crops.push_back(crop(frame));
            }
            out = resample_crop(torch::cat(crops));
        } else {
            // An anchored crop can be most of the frame: one frame at a time bounds the
            // transient memory to one resampled crop.
            std::vector<torch::Tensor> pieces;
            for (const auto& frame : frames) {
                pieces.push_back(resample_crop(crop(frame)).contiguous());
            }
            out = pieces.size() == 1 ? pieces.front() : torch::cat(pieces);
        }
    }
    if (y_end - region.y < region.rows || x_end - region.x < region.cols) {
        // Past the output frame the model reads the replicated edge, as prepare_lq_frames pads.
        out = F::pad(out, F::PadFuncOptions({0, region.cols - (x_end - region.x), 0,
                                             region.rows - (y_end - region.y)})
                              .mode(torch::kReplicate));
    }
    // One conversion: device, dtype and layout together (the region is a strided view).
    return out.to(device, dtype, /*non_blocking=*/false, /*copy=*/false,
                  torch::MemoryFormat::Contiguous);
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
