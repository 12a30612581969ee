#include "engine/pipeline/color_fix.h"

#include <algorithm>

namespace engine::pipeline {
namespace {

namespace F = torch::nn::functional;

constexpr double kVarianceEps = 1e-5;

struct MeanStd {
    torch::Tensor mean;
    torch::Tensor std;
};

MeanStd mean_std(const torch::Tensor& x) {
    const auto n = x.size(0), c = x.size(1);
    const auto flat = x.reshape({n, c, -1});
    auto var = torch::var(flat, {2}, /*unbiased=*/false, /*keepdim=*/false).add_(kVarianceEps);
    return {flat.mean({2}).view({n, c, 1, 1}), var.sqrt_().view({n, c, 1, 1})};
}

bool is_reduced(const torch::Tensor& t) {
    return t.scalar_type() == torch::kHalf || t.scalar_type() == torch::kBFloat16;
}

// Frames [start, start + count) as [N, 3, H, W] in the compute dtype on `device`.
torch::Tensor frames_of(const torch::Tensor& video,
                        std::int64_t start,
                        std::int64_t count,
                        const torch::Device& device,
                        torch::ScalarType dtype) {
    torch::Tensor frames;
    if (video.dim() == 5) {
        const auto part = video.narrow(2, start, count);
        frames = part.permute({0, 2, 1, 3, 4})
                     .reshape({part.size(0) * count, part.size(1), part.size(3), part.size(4)});
    } else {
        frames = video.narrow(0, start, count);
    }
    return frames.to(device, dtype);
}

torch::Tensor fix_frames(const torch::Tensor& hq,
                         const torch::Tensor& lq,
                         const ColorFixOptions& options) {
    auto out = options.method == ColorFixMethod::AdaIN
                   ? adain(hq, lq)
                   : wavelet_reconstruct(hq, lq, options.wavelet_levels);
    return out.clamp_(-1, 1);
}

void check_args(const torch::Tensor& hq, const torch::Tensor& lq, const ColorFixOptions& options) {
    TORCH_CHECK((hq.dim() == 5 && hq.size(1) == 3) || (hq.dim() == 4 && hq.size(1) == 3),
                "color_fix: hq must be [B, 3, T, H, W] or [T, 3, H, W], got ", hq.sizes());
    TORCH_CHECK(hq.sizes() == lq.sizes(), "color_fix: lq must have hq's shape ", hq.sizes(),
                ", got ", lq.sizes());
    TORCH_CHECK(options.frames_per_chunk > 0, "color_fix: frames_per_chunk must be positive, got ",
                options.frames_per_chunk);
    TORCH_CHECK(options.wavelet_levels >= 0, "color_fix: wavelet_levels must be >= 0, got ",
                options.wavelet_levels);
}

}  // namespace

torch::Tensor adain(const torch::Tensor& content, const torch::Tensor& style) {
    TORCH_CHECK(content.dim() == 4 && style.dim() == 4 && content.size(0) == style.size(0) &&
                    content.size(1) == style.size(1),
                "adain: content and style must be [N, C, H, W] with equal N and C, got ",
                content.sizes(), " and ", style.sizes());
    const auto s = mean_std(style);
    const auto c = mean_std(content);
    return (content - c.mean).div_(c.std).mul_(s.std).add_(s.mean);
}

torch::Tensor wavelet_blur(const torch::Tensor& x, std::int64_t radius) {
    TORCH_CHECK(x.dim() == 4, "wavelet_blur: x must be [N, C, H, W], got ", x.sizes());
    const auto channels = x.size(1);
    const auto kernel =
        torch::tensor({0.0625, 0.125, 0.0625, 0.125, 0.25, 0.125, 0.0625, 0.125, 0.0625},
                      x.options())
            .view({1, 1, 3, 3})
            .repeat({channels, 1, 1, 1});
    const auto padded =
        F::pad(x, F::PadFuncOptions({radius, radius, radius, radius}).mode(torch::kReplicate));
    return F::conv2d(padded, kernel, F::Conv2dFuncOptions().dilation(radius).groups(channels));
}

WaveletBands wavelet_decompose(const torch::Tensor& x, int levels) {
    WaveletBands bands{torch::zeros_like(x), x};
    for (int i = 0; i < levels; ++i) {
        auto blurred = wavelet_blur(bands.low, std::int64_t{1} << i);
        bands.high = bands.high + (bands.low - blurred);
        bands.low = std::move(blurred);
    }
    return bands;
}

torch::Tensor wavelet_reconstruct(const torch::Tensor& content,
                                  const torch::Tensor& style,
                                  int levels) {
    auto high = wavelet_decompose(content, levels).high;
    return high.add_(wavelet_decompose(style, levels).low);
}

void color_fix_(torch::Tensor& hq, const torch::Tensor& lq, const ColorFixOptions& options) {
    torch::NoGradGuard no_grad;
    check_args(hq, lq, options);
    const bool video = hq.dim() == 5;
    const auto frames = video ? hq.size(2) : hq.size(0);
    const auto compute = is_reduced(hq) ? torch::kFloat32 : hq.scalar_type();
    for (std::int64_t start = 0; start < frames; start += options.frames_per_chunk) {
        const auto count = std::min(options.frames_per_chunk, frames - start);
        auto fixed = fix_frames(frames_of(hq, start, count, hq.device(), compute),
                                frames_of(lq, start, count, hq.device(), compute), options);
        if (video) {
            const auto b = hq.size(0);
            hq.narrow(2, start, count)
                .copy_(fixed.view({b, count, 3, hq.size(3), hq.size(4)}).permute({0, 2, 1, 3, 4}));
        } else {
            hq.narrow(0, start, count).copy_(fixed);
        }
    }
}

torch::Tensor color_fix(const torch::Tensor& hq,
                        const torch::Tensor& lq,
                        const ColorFixOptions& options) {
    auto out = hq.clone();
    color_fix_(out, lq, options);
    return out;
}

}  // namespace engine::pipeline
