#include "engine/model/lq_proj/lq_projector.h"

#ifdef FVSR_HAVE_CUDA_KERNELS
#include "kernels/torch/causal_im2col.h"
#endif

#include <algorithm>
#include <cmath>
#include <optional>
#include <string>
#include <vector>

namespace engine::model::lq_proj {

namespace F = torch::nn::functional;

namespace {

constexpr std::int64_t kUnshuffle = 16;
constexpr std::int64_t kCacheFrames = 2;
constexpr std::int64_t kTemporalTaps = 4;  // kernel (4, 3, 3), stride (2, 1, 1): make_conv
constexpr std::int64_t kTemporalStride = 2;

torch::Tensor require(const StateDict& weights, const std::string& key, std::int64_t dims) {
    return required_weight(weights, key, dims, "LQ projector");
}

// Rows of the im2col matrix per GEMM: bands cut evenly so that one band's matrix
// (rows x row_bytes) stays within piece_bytes.
std::int64_t rows_per_band(std::int64_t rows, std::int64_t row_bytes, std::int64_t piece_bytes) {
    const auto fit = std::max<std::int64_t>(1, piece_bytes / std::max<std::int64_t>(row_bytes, 1));
    const auto bands = (rows + fit - 1) / fit;
    return (rows + bands - 1) / bands;
}

torch::nn::Conv3d make_conv(std::int64_t in, std::int64_t out) {
    return torch::nn::Conv3d(
        torch::nn::Conv3dOptions(in, out, {kTemporalTaps, 3, 3}).stride({kTemporalStride, 1, 1}));
}

}  // namespace

Result<LqProjectorConfig> LqProjectorConfig::detect_from_weights(const StateDict& weights) {
    try {
        LqProjectorConfig c;
        const auto conv1 = require(weights, "conv1.weight", 5);
        const auto conv2 = require(weights, "conv2.weight", 5);
        const auto out = require(weights, "linear_layers.0.weight", 2);
        c.in_channels = conv1.size(1);
        c.hidden_dim1 = conv1.size(0);
        c.hidden_dim2 = conv2.size(0);
        c.out_dim = out.size(0);
        c.layer_num = 0;
        while (weights.contains("linear_layers." + std::to_string(c.layer_num) + ".weight")) {
            ++c.layer_num;
        }
        if (conv2.size(1) != c.hidden_dim1 || out.size(1) != c.hidden_dim2 ||
            c.in_channels % (kUnshuffle * kUnshuffle) != 0) {
            return Error(ErrorCode::ModelShapeMismatch,
                         "LQ projector shapes are inconsistent: conv1 " +
                             std::to_string(c.in_channels) + "->" + std::to_string(c.hidden_dim1) +
                             ", conv2 " + std::to_string(conv2.size(1)) + "->" +
                             std::to_string(c.hidden_dim2) + ", linear " +
                             std::to_string(out.size(1)) + "->" + std::to_string(c.out_dim));
        }
        if (c.layer_num != 1) {
            return Error(ErrorCode::CheckpointUnsupported,
                         "LQ projector with " + std::to_string(c.layer_num) +
                             " output layers; FlashVSR uses exactly one")
                .with("layer_num", std::to_string(c.layer_num));
        }
        return c;
    } catch (const EngineException& e) {
        return e.error();
    }
}

ChannelRmsNormImpl::ChannelRmsNormImpl(std::int64_t channels)
    : m_scale(std::sqrt(static_cast<double>(channels))) {
    gamma = register_parameter("gamma", torch::ones({channels, 1, 1, 1}));
}

torch::Tensor ChannelRmsNormImpl::forward(const torch::Tensor& x) {
    return F::normalize(x, F::NormalizeFuncOptions().dim(1)) * m_scale * gamma;
}

torch::Tensor pixel_unshuffle_16(const torch::Tensor& video) {
    TORCH_CHECK(
        video.dim() == 5 && video.size(3) % kUnshuffle == 0 && video.size(4) % kUnshuffle == 0,
        "pixel_unshuffle_16: video must be [B, C, T, H, W] with H, W multiples of 16, got ",
        video.sizes());
    const auto b = video.size(0);
    const auto c = video.size(1);
    const auto t = video.size(2);
    const auto h = video.size(3) / kUnshuffle;
    const auto w = video.size(4) / kUnshuffle;
    return video.view({b, c, t, h, kUnshuffle, w, kUnshuffle})
        .permute({0, 1, 4, 6, 2, 3, 5})
        .reshape({b, c * kUnshuffle * kUnshuffle, t, h, w});
}

torch::Tensor conv3d_as_gemm(const torch::nn::Conv3d& conv,
                             const torch::Tensor& input,
                             std::int64_t piece_bytes) {
    torch::NoGradGuard no_grad;         // inference only: the out= products reject autograd inputs
    const auto& weight = conv->weight;  // [C_out, C, kt, kh, kw]
    TORCH_CHECK(input.dim() == 5 && weight.dim() == 5 && input.size(1) == weight.size(1),
                "conv3d_as_gemm: input ", input.sizes(), " does not fit the weight ",
                weight.sizes());
    const auto& options = conv->options;
    // The padding option is a variant whose C++ type differs between LibTorch 1.13 and 2.x; the
    // projector's convolutions are unpadded (make_conv), the contract in the header.
    TORCH_CHECK(options.groups() == 1 && (*options.dilation())[0] == 1 &&
                    (*options.dilation())[1] == 1 && (*options.dilation())[2] == 1,
                "conv3d_as_gemm: only undilated, ungrouped convolutions");
    const auto c_out = weight.size(0);
    const auto c = weight.size(1);
    const auto kt = weight.size(2);
    const auto kh = weight.size(3);
    const auto kw = weight.size(4);
    const auto st = (*options.stride())[0];
    const auto sh = (*options.stride())[1];
    const auto sw = (*options.stride())[2];
    const auto batch = input.size(0);
    const auto t_out = (input.size(2) - kt) / st + 1;
    const auto h_out = (input.size(3) - kh) / sh + 1;
    const auto w_out = (input.size(4) - kw) / sw + 1;
    const auto taps = kt * kh * kw * c;

    // [B, T_out, H_out, W_out, kt, kh, kw, C] view of the input: a copy of a band of it is the
    // band's im2col matrix.
    const auto s = input.strides();
    const auto windows = input.as_strided(
        {batch, t_out, h_out, w_out, kt, kh, kw, c},
        {s[0], st * s[2], sh * s[3], sw * s[4], s[2], s[3], s[4], s[1]}, input.storage_offset());
    // [taps, C_out]: a view when the weight is channels-last, one copy otherwise.
    const auto matrix = weight.permute({0, 2, 3, 4, 1}).reshape({c_out, taps}).t();
    auto out = torch::empty({batch, t_out, h_out, w_out, c_out}, input.options());

    // Bands of whole output rows of one frame.
    const auto band_rows = rows_per_band(
        h_out, w_out * taps * static_cast<std::int64_t>(input.element_size()), piece_bytes);
    for (std::int64_t b = 0; b < batch; ++b) {
        for (std::int64_t t = 0; t < t_out; ++t) {
            for (std::int64_t h0 = 0; h0 < h_out; h0 += band_rows) {
                const auto rows = std::min(band_rows, h_out - h0);
                auto columns = windows[b][t].narrow(0, h0, rows).reshape({rows * w_out, taps});
                auto target = out[b][t].narrow(0, h0, rows).view({rows * w_out, c_out});
                if (conv->bias.defined()) {
                    at::addmm_out(target, conv->bias, columns, matrix);
                } else {
                    at::mm_out(target, columns, matrix);
                }
            }
        }
    }
    return out.permute({0, 4, 1, 2, 3});
}

namespace {

#ifdef FVSR_HAVE_CUDA_KERNELS
// conv3d_as_gemm over the causally padded sequence without building it: the im2col bands come
// straight from the unpadded frames of `cache` and `x` (kernels/causal_im2col: the replicate
// padding is a clamp, the front padding a repeated frame), so the cat, the pad and the layout
// copy of the portable path are never made. Same matrix, same GEMMs: bit-identical to it.
// Empty when the kernel does not take these frames (the caller then takes the portable path).
std::optional<torch::Tensor> causal_conv3d_gemm_frames(const torch::nn::Conv3d& conv,
                                                       const torch::Tensor& x,
                                                       const torch::Tensor& cache,
                                                       std::int64_t piece_bytes) {
    const auto& weight = conv->weight;
    const auto cached = cache.defined() ? cache.size(2) : 0;
    if (!x.is_cuda() || x.dim() != 5 || x.size(2) == 0 || weight.dim() != 5 ||
        weight.size(1) != x.size(1) || weight.size(2) != kTemporalTaps || weight.size(3) != 3 ||
        weight.size(4) != 3 || weight.scalar_type() != x.scalar_type() || cached > kCacheFrames ||
        kCacheFrames + x.size(2) > kernels::torch_api::kCausalIm2colMaxFrames) {
        return std::nullopt;
    }
    const auto batch = x.size(0);
    const auto h = x.size(3);
    const auto w = x.size(4);
    const auto frame = [](const torch::Tensor& t, std::int64_t b, std::int64_t i) {
        return t[b].select(1, i);  // [C, h, w]
    };
    // The padded sequence of batch item b: copies of the first frame, the cache, x.
    const auto sequence = [&](std::int64_t b) {
        std::vector<torch::Tensor> frames;
        const auto& first = cached > 0 ? cache : x;
        for (std::int64_t i = 0; i < kCacheFrames - cached; ++i) {
            frames.push_back(frame(first, b, 0));
        }
        for (std::int64_t i = 0; i < cached; ++i) {
            frames.push_back(frame(cache, b, i));
        }
        for (std::int64_t i = 0; i < x.size(2); ++i) {
            frames.push_back(frame(x, b, i));
        }
        return frames;
    };
    const auto frame_sizes = frame(x, 0, 0).sizes().vec();
    std::vector<std::vector<torch::Tensor>> sequences;
    for (std::int64_t b = 0; b < batch; ++b) {
        sequences.push_back(sequence(b));
        for (const auto& f : sequences.back()) {
            if (!kernels::torch_api::causal_im2col_accepts(f) || f.sizes() != frame_sizes ||
                f.device() != x.device() || f.scalar_type() != x.scalar_type()) {
                return std::nullopt;
            }
        }
    }
    torch::NoGradGuard no_grad;
    const auto c_out = weight.size(0);
    const auto taps = kTemporalTaps * 9 * x.size(1);
    const auto t_out = (kCacheFrames + x.size(2) - kTemporalTaps) / kTemporalStride + 1;
    const auto rows = t_out * h * w;
    const auto band =
        rows_per_band(rows, taps * static_cast<std::int64_t>(x.element_size()), piece_bytes);
    const auto matrix = weight.permute({0, 2, 3, 4, 1}).reshape({c_out, taps}).t();
    auto out = torch::empty({batch, t_out, h, w, c_out}, x.options());
    auto columns = torch::empty({band, taps}, x.options());
    for (std::int64_t b = 0; b < batch; ++b) {
        const auto& frames = sequences[static_cast<std::size_t>(b)];
        auto target_rows = out[b].view({rows, c_out});
        for (std::int64_t r0 = 0; r0 < rows; r0 += band) {
            const auto n = std::min(band, rows - r0);
            auto band_columns = columns.narrow(0, 0, n);
            kernels::torch_api::causal_im2col_out(band_columns, frames, kTemporalTaps,
                                                  kTemporalStride, r0);
            auto target = target_rows.narrow(0, r0, n);
            if (conv->bias.defined()) {
                at::addmm_out(target, conv->bias, band_columns, matrix);
            } else {
                at::mm_out(target, band_columns, matrix);
            }
        }
    }
    return out.permute({0, 4, 1, 2, 3});
}
#endif

}  // namespace

torch::Tensor causal_conv3d(torch::nn::Conv3d& conv,
                            const torch::Tensor& x,
                            const torch::Tensor& cache,
                            ConvImpl impl) {
    if (impl == ConvImpl::Stacked2d) {
        return causal_conv3d_stacked(x, cache, stack_temporal_taps(conv->weight), conv->bias);
    }
#ifdef FVSR_HAVE_CUDA_KERNELS
    if (impl == ConvImpl::Gemm) {
        if (auto out = causal_conv3d_gemm_frames(conv, x, cache, kDefaultGemmPieceBytes)) {
            return *out;
        }
    }
#endif
    auto input = x;
    std::int64_t front = kCacheFrames;
    if (cache.defined()) {
        input = torch::cat({cache, x}, 2);
        front -= cache.size(2);
    }
    const auto format = x.suggest_memory_format();
    input = F::pad(input, F::PadFuncOptions({1, 1, 1, 1, front, 0}).mode(torch::kReplicate));
    if (impl == ConvImpl::Gemm) {
        return conv3d_as_gemm(conv, input.contiguous(format), kDefaultGemmPieceBytes);
    }
    return conv->forward(input.contiguous(format));
}

torch::Tensor stack_temporal_taps(const torch::Tensor& weight) {
    TORCH_CHECK(weight.dim() == 5 && weight.size(2) == kTemporalTaps,
                "stack_temporal_taps: ", "weight must be [C_out, C, ", kTemporalTaps,
                ", kh, kw], got ", weight.sizes());
    return weight.permute({0, 2, 1, 3, 4})
        .reshape({weight.size(0), kTemporalTaps * weight.size(1), weight.size(3), weight.size(4)})
        .contiguous(at::MemoryFormat::ChannelsLast);
}

torch::Tensor causal_conv3d_stacked(const torch::Tensor& x,
                                    const torch::Tensor& cache,
                                    const torch::Tensor& stacked_weight,
                                    const torch::Tensor& bias) {
    TORCH_CHECK(x.dim() == 5 && x.size(2) > 0,
                "causal_conv3d_stacked: x must be [B, C, T, h, w], got ", x.sizes());
    const auto batch = x.size(0);
    const auto channels = x.size(1);
    const auto frames = x.size(2);
    const auto h = x.size(3);
    const auto w = x.size(4);
    const auto cached = cache.defined() ? cache.size(2) : 0;
    TORCH_CHECK(
        !cache.defined() || (cache.dim() == 5 && cached <= kCacheFrames && cache.size(0) == batch &&
                             cache.size(1) == channels && cache.size(3) == h && cache.size(4) == w),
        "causal_conv3d_stacked: cache must be [", batch, ", ", channels, ", <=2, ", h, ", ", w,
        "], got ", cache.sizes());
    TORCH_CHECK(stacked_weight.dim() == 4 && stacked_weight.size(1) == kTemporalTaps * channels &&
                    stacked_weight.size(2) == 3 && stacked_weight.size(3) == 3,
                "causal_conv3d_stacked: stacked_weight must be [C_out, ", kTemporalTaps * channels,
                ", 3, 3], got ", stacked_weight.sizes());
    // The padded sequence: `front` copies of the first frame, the cache, x.
    const auto front = kCacheFrames - cached;
    const auto padded = front + cached + frames;
    TORCH_CHECK(padded >= kTemporalTaps, "causal_conv3d_stacked: ", frames, " frames behind ",
                cached, " cached ones are fewer than the ", kTemporalTaps, " temporal taps");
    const auto t_out = (padded - kTemporalTaps) / kTemporalStride + 1;

    // Source of padded frame p: (tensor, frame index, step between consecutive output frames).
    // Replicated front frames repeat one frame (step 0).
    struct Source {
        const torch::Tensor* tensor;
        std::int64_t frame;
        std::int64_t step;
    };
    const auto& first = cached > 0 ? cache : x;
    const auto source_of = [&](std::int64_t p) {
        if (p < front) {
            return Source{&first, 0, 0};
        }
        if (p < front + cached) {
            return Source{&cache, p - front, kTemporalStride};
        }
        return Source{&x, p - front - cached, kTemporalStride};
    };

    auto stacked = torch::empty({batch, t_out, h + 2, w + 2, kTemporalTaps, channels}, x.options());
    // Interior: for each tap, the output frames whose tap frames come from one source in even
    // steps take one strided copy ([B, C, n, h, w] source view -> [B, n, h, w, C] destination).
    for (std::int64_t tap = 0; tap < kTemporalTaps; ++tap) {
        auto interior = stacked.select(4, tap).slice(2, 1, h + 1).slice(3, 1, w + 1);
        for (std::int64_t t0 = 0; t0 < t_out;) {
            const auto begin = source_of(kTemporalStride * t0 + tap);
            std::int64_t n = 1;
            while (t0 + n < t_out) {
                const auto next = source_of(kTemporalStride * (t0 + n) + tap);
                if (next.tensor != begin.tensor || next.frame != begin.frame + n * begin.step) {
                    break;
                }
                ++n;
            }
            const auto& src = *begin.tensor;
            const auto s = src.strides();
            const auto view = src.as_strided({batch, n, h, w, channels},
                                             {s[0], begin.step * s[2], s[3], s[4], s[1]},
                                             src.storage_offset() + begin.frame * s[2]);
            interior.slice(1, t0, t0 + n).copy_(view);
            t0 += n;
        }
    }
    // Replicate border: rows 0 and h+1 from rows 1 and h (interior columns), then columns 0 and
    // w+1 from columns 1 and w over all rows, which fills the corners too.
    stacked.select(2, 0).slice(2, 1, w + 1).copy_(stacked.select(2, 1).slice(2, 1, w + 1));
    stacked.select(2, h + 1).slice(2, 1, w + 1).copy_(stacked.select(2, h).slice(2, 1, w + 1));
    stacked.select(3, 0).copy_(stacked.select(3, 1));
    stacked.select(3, w + 1).copy_(stacked.select(3, w));

    const auto images =
        stacked.view({batch * t_out, h + 2, w + 2, kTemporalTaps * channels}).permute({0, 3, 1, 2});
    const auto out = at::conv2d(images, stacked_weight, bias)
                         .contiguous(at::MemoryFormat::ChannelsLast);  // [B*T_out, C_out, h, w]
    const auto c_out = out.size(1);
    return out.permute({0, 2, 3, 1}).view({batch, t_out, h, w, c_out}).permute({0, 4, 1, 2, 3});
}

const torch::Tensor& LqProjectorImpl::StackedWeight::get(const torch::Tensor& weight) {
    if (!stacked.defined() || !source.matches(weight)) {
        stacked = stack_temporal_taps(weight);
        source.record(weight);
    }
    return stacked;
}

torch::Tensor LqProjectorImpl::run_conv(torch::nn::Conv3d& conv,
                                        StackedWeight& stacked,
                                        const torch::Tensor& x,
                                        const torch::Tensor& cache,
                                        ConvImpl impl) {
    if (impl == ConvImpl::Stacked2d) {
        return causal_conv3d_stacked(x, cache, stacked.get(conv->weight), conv->bias);
    }
    return causal_conv3d(conv, x, cache, impl);
}

LqProjectorImpl::LqProjectorImpl(const LqProjectorConfig& config) : m_config(config) {
    conv1 = register_module("conv1", make_conv(config.in_channels, config.hidden_dim1));
    norm1 = register_module("norm1", ChannelRmsNorm(config.hidden_dim1));
    conv2 = register_module("conv2", make_conv(config.hidden_dim1, config.hidden_dim2));
    norm2 = register_module("norm2", ChannelRmsNorm(config.hidden_dim2));
    linear_layers = register_module("linear_layers", torch::nn::ModuleList());
    for (std::int64_t i = 0; i < config.layer_num; ++i) {
        linear_layers->push_back(torch::nn::Linear(config.hidden_dim2, config.out_dim));
    }
}

void LqProjectorImpl::set_channels_last(bool enabled) {
    torch::NoGradGuard no_grad;
    const auto format = enabled ? at::MemoryFormat::ChannelsLast3d : at::MemoryFormat::Contiguous;
    for (auto& parameter : parameters()) {
        if (parameter.dim() == 5) {
            parameter.set_data(parameter.contiguous(format));
        }
    }
    m_channels_last = enabled;
}

void LqProjectorImpl::set_conv_impl(ConvImpl impl) {
    m_conv_impl = impl;
    if (impl != ConvImpl::Stacked2d) {
        m_conv1_stacked.release();
        m_conv2_stacked.release();
    }
}

ConvImpl LqProjectorImpl::conv_impl_for(const torch::Device& device) const {
    if (m_conv_impl) {
        return *m_conv_impl;
    }
    return device.is_cuda() && channels_last() ? ConvImpl::Gemm : ConvImpl::Native;
}

std::optional<torch::Tensor> LqProjectorImpl::stream_forward(const torch::Tensor& clip,
                                                             LqProjectorState& state,
                                                             LqProjectorVersion version) {
    torch::NoGradGuard no_grad;
    const bool first = state.clip_index == 0;
    TORCH_CHECK(clip.dim() == 5 && clip.size(2) == (first ? 1 : 4), "LqProjector: call ",
                state.clip_index, " needs [B, 3, ", (first ? 1 : 4), ", H, W] frames, got ",
                clip.sizes());
    auto video = clip;
    if (first) {
        // Upstream warms up on 4 copies of the first frame.
        video = torch::cat({clip.expand({-1, -1, 3, -1, -1}), clip}, 2);
    }
    if (!m_channels_last) {
        set_channels_last(clip.is_cuda());
    }
    auto x = pixel_unshuffle_16(video);
    if (*m_channels_last) {
        x = x.contiguous(at::MemoryFormat::ChannelsLast3d);
    }
    auto x_tail = x.slice(2, x.size(2) - kCacheFrames);
    // v1.0 pads with the clip's own last frames; v1.1 with the previous clip's.
    const auto conv1_cache = version == LqProjectorVersion::V10Buffer ? x_tail : state.conv1_cache;
    const auto impl = conv_impl_for(clip.device());
    auto y = torch::silu(norm1(run_conv(conv1, m_conv1_stacked, x, conv1_cache, impl)));
    state.conv1_cache = x_tail;
    auto y_tail = y.slice(2, y.size(2) - kCacheFrames);
    ++state.clip_index;
    if (first) {
        state.conv2_cache = y_tail;
        return std::nullopt;
    }
    const auto conv2_cache = version == LqProjectorVersion::V10Buffer ? y_tail : state.conv2_cache;
    auto z = torch::silu(norm2(run_conv(conv2, m_conv2_stacked, y, conv2_cache, impl)));
    state.conv2_cache = y_tail;
    // [B, f*h*w, hidden_dim2] in (f, h, w) order; contiguous already in the channels-last layout.
    auto tokens = z.flatten(2).transpose(1, 2).contiguous();
    const auto& linear = linear_layers[0]->as<torch::nn::Linear>();
    auto rows = torch::addmm(linear->bias, tokens.view({-1, tokens.size(2)}), linear->weight.t());
    return rows.view({tokens.size(0), tokens.size(1), rows.size(1)});
}

}  // namespace engine::model::lq_proj
