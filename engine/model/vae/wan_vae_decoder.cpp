#include "engine/model/vae/wan_vae_decoder.h"

#include "engine/model/tc_decoder/tc_decoder.h"

#ifdef FVSR_HAVE_CUDA_KERNELS
#include "kernels/torch/channel_norm.h"
#endif

#include <algorithm>
#include <cmath>
#include <string>
#include <utility>

namespace engine::model::vae {
namespace {

namespace F = torch::nn::functional;

// Frames a causal conv keeps from its input (upstream CACHE_T).
constexpr std::int64_t kCacheFrames = 2;

torch::Tensor need(const StateDict& weights, const std::string& key, std::int64_t dims) {
    return required_weight(weights, key, dims, "Wan VAE");
}

[[noreturn]] void inconsistent(const std::string& key,
                               const torch::Tensor& t,
                               const std::string& why) {
    throw_error(ErrorCode::ModelShapeMismatch,
                "Wan VAE weight " + key + " has shape " + shape_text(t) + ": " + why,
                {{"key", key}, {"got", shape_text(t)}});
}

// A 3x3x3 (or 3x1x1) causal conv: zero padding in space by the conv itself, temporal padding
// 2 in front done here, replaced by the cached input frames when there are any.
torch::nn::Conv3d make_causal_conv(std::int64_t in,
                                   std::int64_t out,
                                   std::int64_t kernel_t,
                                   std::int64_t kernel_s) {
    return torch::nn::Conv3d(torch::nn::Conv3dOptions(in, out, {kernel_t, kernel_s, kernel_s})
                                 .padding({0, kernel_s / 2, kernel_s / 2}));
}

// A conv3d (time padding already applied, space padded by the conv). On CPU it runs as one
// 2-D conv per temporal tap, summed: LibTorch sends batch-1 3-D convs of our shapes to its
// im2col fallback (tens of times slower than the oneDNN 2-D path and allocation-heavy). The taps
// read frames from a [B, T, C, H, W] copy, and the result is returned as a transposed view of a
// [B, T, C, H, W] tensor, so chained convs find their input already in that layout. CUDA keeps
// the native 3-D conv (cuDNN).
// with_bias false: conv->bias is left out (the caller adds it in a later fused pass).
torch::Tensor conv3d(torch::nn::Conv3d& conv, const torch::Tensor& input, bool with_bias = true) {
    const auto& bias = with_bias ? conv->bias : torch::Tensor();
    if (!input.device().is_cpu()) {
        const auto& w = conv->weight;  // spatial padding as make_causal_conv sets it
        return at::conv3d(input, w, bias, {1, 1, 1}, {0, w.size(3) / 2, w.size(4) / 2});
    }
    const auto& weight = conv->weight;  // [O, I, kt, kh, kw]
    const auto taps = weight.size(2);
    const auto b = input.size(0), c = input.size(1), h = input.size(3), w = input.size(4);
    const auto frames_out = input.size(2) - taps + 1;
    const auto frames = input.transpose(1, 2).contiguous();  // free when already T-major
    const auto options = F::Conv2dFuncOptions().padding({weight.size(3) / 2, weight.size(4) / 2});
    torch::Tensor out;
    for (std::int64_t k = 0; k < taps; ++k) {
        const auto x = frames.narrow(1, k, frames_out).reshape({b * frames_out, c, h, w});
        if (k == 0) {
            out = F::conv2d(x, weight.select(2, k), F::Conv2dFuncOptions(options).bias(bias));
        } else {
            out.add_(F::conv2d(x, weight.select(2, k), options));
        }
    }
    return out.view({b, frames_out, out.size(1), out.size(2), out.size(3)}).transpose(1, 2);
}

torch::Tensor channel_view(const torch::Tensor& v, const torch::Tensor& like) {
    std::vector<std::int64_t> shape(static_cast<std::size_t>(like.dim()), 1);
    shape[1] = -1;
    return v.view(shape);
}

// silu(norm(x + bias)), bias optional: one pass on the fused path.
torch::Tensor norm_silu(RmsNormImpl& norm, const torch::Tensor& x, const torch::Tensor& bias) {
#ifdef FVSR_HAVE_CUDA_KERNELS
    if (kernels::torch_api::channel_norm_accepts(x)) {
        return kernels::torch_api::channel_norm(x, bias, {}, norm.gamma, norm.scale(), true);
    }
#endif
    auto y = norm.forward(bias.defined() ? x + channel_view(bias, x) : x);
    return torch::silu_(y);
}

// x + bias + residual (bias optional), rounded after each add as PyTorch's ops round. x is a
// fresh conv output: the unfused path adds into it in place.
torch::Tensor add_bias_residual(const torch::Tensor& x,
                                const torch::Tensor& bias,
                                const torch::Tensor& residual) {
#ifdef FVSR_HAVE_CUDA_KERNELS
    if (kernels::torch_api::channel_norm_accepts(x) && residual.sizes() == x.sizes() &&
        residual.is_contiguous(at::MemoryFormat::ChannelsLast3d)) {
        return kernels::torch_api::channel_norm(x, bias, residual, {}, 1.0, false);
    }
#endif
    auto y = bias.defined() ? x + channel_view(bias, x) : x;
    return y.add_(residual);
}

// The input of a causal conv over new frames like `like` (with `channels` channels): the slot's 2
// cached frames, zeros before the first call (upstream's front padding), then room for the new
// frames (causal_tail), in like's memory layout. The producer of the new frames writes them
// there, so they are not copied again (cat would also fall back to contiguous NCDHW for
// channels-last inputs mixed with fresh zeros).
torch::Tensor causal_input(const WanVaeState::Slot& slot,
                           const torch::Tensor& like,
                           std::int64_t channels) {
    auto sizes = like.sizes().vec();
    sizes[1] = channels;
    sizes[2] += kCacheFrames;
    // suggest_memory_format can miss a channels-last 3-D one-frame tensor (the stride of a size-1
    // dim is arbitrary, e.g. in the resampling's views).
    const auto format = like.size(1) > 1 && like.is_contiguous(at::MemoryFormat::ChannelsLast3d)
                            ? at::MemoryFormat::ChannelsLast3d
                            : like.suggest_memory_format();
    auto input = torch::empty(sizes, like.options().memory_format(format));
    auto head = input.narrow(2, 0, kCacheFrames);
    if (slot.frames.defined()) {
        head.copy_(slot.frames);
    } else {
        head.zero_();
    }
    return input;
}

torch::Tensor causal_tail(const torch::Tensor& input) {
    return input.narrow(2, kCacheFrames, input.size(2) - kCacheFrames);
}

// Upstream CausalConv3d.forward over an input from causal_input, with the cache rule its callers
// apply (spec §2.6): the cache becomes the last 2 input frames, or [last cached frame, the one
// input frame], i.e. always the input's last 2 frames counting the front padding (upstream's
// 1-frame cache and our [zeros, frame] give the next call the same padded input).
// with_bias false: the caller adds conv->bias itself (folded into the next fused pass).
torch::Tensor run_causal_conv(torch::nn::Conv3d& conv,
                              const torch::Tensor& input,
                              WanVaeState::Slot& slot,
                              bool with_bias = true) {
    auto out = conv3d(conv, input, with_bias);
    slot.frames = input.narrow(2, input.size(2) - kCacheFrames, kCacheFrames).clone();
    return out;
}

torch::Tensor causal_conv(torch::nn::Conv3d& conv,
                          const torch::Tensor& x,
                          WanVaeState::Slot& slot,
                          bool with_bias = true) {
    auto input = causal_input(slot, x, x.size(1));
    causal_tail(input).copy_(x);
    return run_causal_conv(conv, input, slot, with_bias);
}

// silu(norm(x + bias)) as the new frames of a causal conv's input (causal_input): the fused
// pass writes them in place behind the cached frames.
torch::Tensor norm_silu_input(RmsNormImpl& norm,
                              const torch::Tensor& x,
                              const torch::Tensor& bias,
                              const WanVaeState::Slot& slot) {
    auto input = causal_input(slot, x, x.size(1));
#ifdef FVSR_HAVE_CUDA_KERNELS
    if (kernels::torch_api::channel_norm_accepts(x)) {
        kernels::torch_api::channel_norm(x, bias, {}, norm.gamma, norm.scale(), true,
                                         causal_tail(input));
        return input;
    }
#endif
    causal_tail(input).copy_(norm_silu(norm, x, bias));
    return input;
}

// Nearest 2x in H and W of [N, C, H, W]: a pure copy, so it equals upstream's nearest-exact
// computed in float32 and cast back, in every dtype.
// A channels-last input gives a channels-last result (the copy runs in NHWC order).
torch::Tensor upsample_nearest_2x(const torch::Tensor& x) {
    const auto n = x.size(0), c = x.size(1), h = x.size(2), w = x.size(3);
    if (x.suggest_memory_format() == at::MemoryFormat::ChannelsLast) {
        return x.permute({0, 2, 3, 1})
            .reshape({n, h, 1, w, 1, c})
            .expand({n, h, 2, w, 2, c})
            .reshape({n, h * 2, w * 2, c})
            .permute({0, 3, 1, 2});
    }
    return x.reshape({n, c, h, 1, w, 1}).expand({n, c, h, 2, w, 2}).reshape({n, c, h * 2, w * 2});
}

torch::Tensor attention(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v) {
#if FVSR_TORCH_AT_LEAST(2, 0)
    return at::scaled_dot_product_attention(q, k, v);
#else
    // Query blocks bound the score matrix to block x L (upstream SDPA never materialises it).
    constexpr std::int64_t kQueryBlock = 4096;
    const double scale = 1.0 / std::sqrt(static_cast<double>(q.size(-1)));
    const auto kt = k.transpose(-1, -2);
    const auto length = q.size(-2);
    auto out = torch::empty_like(q);
    for (std::int64_t start = 0; start < length; start += kQueryBlock) {
        const auto n = std::min(kQueryBlock, length - start);
        auto scores = torch::matmul(q.narrow(-2, start, n), kt).mul_(scale);
        out.narrow(-2, start, n).copy_(torch::matmul(scores.softmax(-1), v));
    }
    return out;
#endif
}

}  // namespace

void WanVaeState::reset() {
    for (auto& slot : slots) {
        slot = Slot{};
    }
    latents_decoded = 0;
}

void WanVaeState::move_to(const torch::Device& device) {
    for (auto& slot : slots) {
        if (slot.frames.defined()) {
            slot.frames = slot.frames.to(device);
        }
    }
}

Result<WanVaeConfig> WanVaeConfig::detect_from_weights(const StateDict& dict) {
    try {
        WanVaeConfig config;
        const auto conv2 = need(dict, "conv2.weight", 5);
        config.z_dim = conv2.size(0);
        if (conv2.size(1) != config.z_dim) {
            inconsistent("conv2.weight", conv2, "input and output widths differ");
        }
        const auto head = need(dict, "decoder.head.2.weight", 5);
        config.dim = head.size(1);
        if (head.size(0) != 3 || config.dim <= 0) {
            inconsistent("decoder.head.2.weight", head, "expected [3, dim, 3, 3, 3]");
        }
        const auto conv1 = need(dict, "decoder.conv1.weight", 5);
        if (conv1.size(1) != config.z_dim) {
            inconsistent("decoder.conv1.weight", conv1, "input width is not z_dim");
        }

        // Walk upsamples.N: levels of residual blocks, separated by resample blocks.
        std::vector<std::int64_t> level_widths;
        std::vector<std::int64_t> level_blocks;
        std::vector<bool> temporal;
        std::int64_t blocks = 0;
        std::int64_t width = -1;
        for (int n = 0;; ++n) {
            const std::string prefix = "decoder.upsamples." + std::to_string(n) + ".";
            if (dict.contains(prefix + "residual.2.weight")) {
                const auto key = prefix + "residual.2.weight";
                const auto& w = need(dict, key, 5);
                if (blocks > 0 && w.size(0) != width) {
                    inconsistent(key, w, "output width changes inside a level");
                }
                width = w.size(0);
                ++blocks;
            } else if (dict.contains(prefix + "resample.1.weight")) {
                if (blocks == 0) {
                    inconsistent(prefix + "resample.1.weight",
                                 dict.at(prefix + "resample.1.weight"),
                                 "resample block without residual blocks before it");
                }
                level_widths.push_back(width);
                level_blocks.push_back(blocks);
                temporal.push_back(dict.contains(prefix + "time_conv.weight"));
                blocks = 0;
            } else {
                break;
            }
        }
        if (blocks == 0) {
            throw_error(ErrorCode::ModelKeysMismatch,
                        "Wan VAE weights lack the decoder's last residual level",
                        {{"key", "decoder.upsamples"}});
        }
        level_widths.push_back(width);
        level_blocks.push_back(blocks);
        for (auto b : level_blocks) {
            if (b != level_blocks.front()) {
                throw_error(ErrorCode::ModelShapeMismatch,
                            "Wan VAE decoder levels have different numbers of residual blocks",
                            {{"key", "decoder.upsamples"}});
            }
        }
        config.num_res_blocks = level_blocks.front() - 1;
        config.temporal_upsample = temporal;
        const auto levels = static_cast<std::int64_t>(level_widths.size());
        config.dim_mult.assign(levels, 1);
        for (std::int64_t i = 0; i < levels; ++i) {
            if (level_widths[i] % config.dim != 0) {
                throw_error(ErrorCode::ModelShapeMismatch,
                            "Wan VAE decoder level width " + std::to_string(level_widths[i]) +
                                " is not a multiple of the base width " +
                                std::to_string(config.dim),
                            {{"key", "decoder.upsamples"}});
            }
            config.dim_mult[levels - 1 - i] = level_widths[i] / config.dim;
        }
        if (conv1.size(0) != config.dim * config.dim_mult.back()) {
            inconsistent("decoder.conv1.weight", conv1, "output width is not dim x dim_mult[-1]");
        }
        return config;
    } catch (const EngineException& e) {
        return e.error();
    }
}

RmsNormImpl::RmsNormImpl(std::int64_t channels, int spatial_dims)
    : m_scale(std::sqrt(static_cast<double>(channels))) {
    std::vector<std::int64_t> shape(1 + spatial_dims, 1);
    shape[0] = channels;
    gamma = register_parameter("gamma", torch::ones(shape));
}

torch::Tensor RmsNormImpl::forward(const torch::Tensor& x) {
    constexpr double kEps = 1e-12;  // F.normalize default
    torch::Tensor y;
    if (x.device().is_cpu()) {
        // LibTorch's CPU norm kernel over dim 1 is ~25x slower than this sum of squares; the
        // values agree to float rounding. Reduced precision squares are summed in float32, as
        // the norm kernel does.
        const auto xf = x.scalar_type() == torch::kFloat32 || x.scalar_type() == torch::kFloat64
                            ? x
                            : x.to(torch::kFloat32);
        auto denom = (xf * xf).sum(1, /*keepdim=*/true).sqrt_().clamp_min_(kEps);
        y = x / denom.to(x.scalar_type());
    } else {
        y = F::normalize(x, F::NormalizeFuncOptions().p(2).dim(1).eps(kEps));
    }
    return y.mul_(m_scale).mul_(gamma);
}

ResidualBlockImpl::ResidualBlockImpl(std::int64_t in, std::int64_t out, int& next_slot)
    : m_slot2(next_slot++), m_slot6(next_slot++) {
    auto residual = register_module("residual", std::make_shared<torch::nn::Module>());
    norm0 = residual->register_module("0", RmsNorm(in, 3));
    conv2 = residual->register_module("2", make_causal_conv(in, out, 3, 3));
    norm3 = residual->register_module("3", RmsNorm(out, 3));
    conv6 = residual->register_module("6", make_causal_conv(out, out, 3, 3));
    if (in != out) {
        shortcut = register_module("shortcut", make_causal_conv(in, out, 1, 1));
    }
}

torch::Tensor ResidualBlockImpl::forward(const torch::Tensor& x, WanVaeState& state) {
    if (fold_bias) {
        // Conv biases folded into the pass after each conv (one fused kernel pass on CUDA): 3
        // passes over the activation besides the convs instead of about 12.
        // Each norm writes its conv's input frames in place (norm_silu_input).
        auto& slot2 = state.slots[m_slot2];
        auto& slot6 = state.slots[m_slot6];
        auto y = run_causal_conv(conv2, norm_silu_input(*norm0, x, {}, slot2), slot2,
                                 /*with_bias=*/false);
        y = run_causal_conv(conv6, norm_silu_input(*norm3, y, conv2->bias, slot6), slot6,
                            /*with_bias=*/false);
        return add_bias_residual(y, conv6->bias, shortcut ? conv3d(shortcut, x) : x);
    }
    auto y = norm0(x);
    y = causal_conv(conv2, torch::silu_(y), state.slots[m_slot2]);
    y = norm3(y);
    // Dropout (p = 0) sits here upstream.
    y = causal_conv(conv6, torch::silu_(y), state.slots[m_slot6]);
    return y.add_(shortcut ? conv3d(shortcut, x) : x);
}

AttentionBlockImpl::AttentionBlockImpl(std::int64_t channels) {
    norm = register_module("norm", RmsNorm(channels, 2));
    to_qkv = register_module(
        "to_qkv", torch::nn::Conv2d(torch::nn::Conv2dOptions(channels, channels * 3, 1)));
    proj =
        register_module("proj", torch::nn::Conv2d(torch::nn::Conv2dOptions(channels, channels, 1)));
}

torch::Tensor AttentionBlockImpl::forward(const torch::Tensor& x) {
    const auto b = x.size(0), c = x.size(1), t = x.size(2), h = x.size(3), w = x.size(4);
    auto frames = x.permute({0, 2, 1, 3, 4}).reshape({b * t, c, h, w});
    auto qkv = to_qkv(norm(frames))
                   .reshape({b * t, 1, c * 3, h * w})
                   .permute({0, 1, 3, 2})
                   .contiguous()
                   .chunk(3, -1);
    auto y = attention(qkv[0], qkv[1], qkv[2]);
    qkv.clear();
    y = proj(y.squeeze(1).permute({0, 2, 1}).reshape({b * t, c, h, w}));
    return y.reshape({b, t, c, h, w}).permute({0, 2, 1, 3, 4}).add(x);
}

ResampleImpl::ResampleImpl(std::int64_t channels, bool temporal, int& next_slot) {
    auto resample = register_module("resample", std::make_shared<torch::nn::Module>());
    conv = resample->register_module(
        "1", torch::nn::Conv2d(torch::nn::Conv2dOptions(channels, channels / 2, 3).padding(1)));
    if (temporal) {
        time_conv = register_module("time_conv", make_causal_conv(channels, channels * 2, 3, 1));
        m_slot = next_slot++;
    }
}

torch::Tensor ResampleImpl::forward(const torch::Tensor& input, WanVaeState& state) {
    auto x = input;
    if (time_conv) {
        auto& slot = state.slots[m_slot];
        if (!slot.seen) {
            // The very first frame of a run passes without the time conv (1 frame stays 1).
            slot.seen = true;
        } else {
            const auto b = x.size(0), c = x.size(1), t = x.size(2), h = x.size(3), w = x.size(4);
            // Right after the first call upstream runs the time conv without cache (zero
            // padding) and keeps [zeros, frame] when only one frame came in; causal_conv does
            // both when the slot has no frames yet.
            auto y = causal_conv(time_conv, x, slot);
            // Channels [0:c] and [c:2c] are two consecutive output frames of each input frame.
            const auto format = y.suggest_memory_format();
            x = y.reshape({b, 2, c, t, h, w})
                    .permute({0, 2, 3, 1, 4, 5})
                    .reshape({b, c, t * 2, h, w})
                    .contiguous(format);
        }
    }
    const auto b = x.size(0), t = x.size(2);
    if (subpixel) {
        if (!m_subpixel_source.matches(conv->weight)) {
            m_subpixel_source.record(conv->weight);
            const auto& k = conv->weight;
            m_subpixel_weight = tc_decoder::subpixel_weight(k.to(torch::kFloat))
                                    .to(k.scalar_type())
                                    .contiguous(at::MemoryFormat::ChannelsLast);
            m_subpixel_bias = conv->bias.defined() ? conv->bias.repeat({4}) : torch::Tensor();
        }
        // [B, C, T, H, W] channels-last 3-D is [B·T, C, H, W] channels-last images, and the
        // result [B·T, m, 2H, 2W] channels-last is [B, m, T, 2H, 2W] channels-last 3-D: views.
        const auto c = x.size(1), h = x.size(3), w = x.size(4);
        auto frames = x.permute({0, 2, 1, 3, 4}).reshape({b * t, c, h, w});
        auto y = tc_decoder::subpixel_upsample_conv(frames, m_subpixel_weight, false, true,
                                                    m_subpixel_bias);
        return y.view({b, t, y.size(1), 2 * h, 2 * w}).permute({0, 2, 1, 3, 4});
    }
    auto out = torch::empty({b, conv->options.out_channels(), t, x.size(3) * 2, x.size(4) * 2},
                            x.options().memory_format(x.suggest_memory_format()));
    for (std::int64_t i = 0; i < t; ++i) {
        out.select(2, i).copy_(conv(upsample_nearest_2x(x.select(2, i))));
    }
    return out;
}

Decoder3dImpl::Decoder3dImpl(const WanVaeConfig& config, int& next_slot) {
    const auto levels = static_cast<std::int64_t>(config.dim_mult.size());
    std::vector<std::int64_t> dims{config.dim * config.dim_mult.back()};
    for (auto it = config.dim_mult.rbegin(); it != config.dim_mult.rend(); ++it) {
        dims.push_back(config.dim * *it);
    }
    conv1 = register_module("conv1", make_causal_conv(config.z_dim, dims[0], 3, 3));
    m_conv1_slot = next_slot++;
    auto middle = register_module("middle", std::make_shared<torch::nn::Module>());
    middle0 = middle->register_module("0", ResidualBlock(dims[0], dims[0], next_slot));
    middle1 = middle->register_module("1", AttentionBlock(dims[0]));
    middle2 = middle->register_module("2", ResidualBlock(dims[0], dims[0], next_slot));

    auto upsamples = register_module("upsamples", std::make_shared<torch::nn::Module>());
    auto index = [&] { return std::to_string(m_upsamples.size()); };
    std::int64_t out_dim = dims[0];
    for (std::int64_t i = 0; i < levels; ++i) {
        auto in_dim = dims[i];
        out_dim = dims[i + 1];
        if (i >= 1) {
            in_dim /= 2;  // the previous level's resample halved the width
        }
        for (std::int64_t r = 0; r < config.num_res_blocks + 1; ++r) {
            Stage stage;
            stage.residual =
                upsamples->register_module(index(), ResidualBlock(in_dim, out_dim, next_slot));
            m_upsamples.push_back(stage);
            in_dim = out_dim;
        }
        if (i != levels - 1) {
            const bool temporal = i < static_cast<std::int64_t>(config.temporal_upsample.size()) &&
                                  config.temporal_upsample[i];
            Stage stage;
            stage.resample =
                upsamples->register_module(index(), Resample(out_dim, temporal, next_slot));
            m_upsamples.push_back(stage);
        }
    }
    auto head = register_module("head", std::make_shared<torch::nn::Module>());
    head_norm = head->register_module("0", RmsNorm(out_dim, 3));
    head_conv = head->register_module("2", make_causal_conv(out_dim, 3, 3, 3));
    m_head_slot = next_slot++;
}

torch::Tensor Decoder3dImpl::forward(const torch::Tensor& input, WanVaeState& state) {
    auto x = causal_conv(conv1, input, state.slots[m_conv1_slot]);
    x = middle0(x, state);
    x = middle1(x);
    x = middle2(x, state);
    for (auto& stage : m_upsamples) {
        x = stage.residual ? stage.residual(x, state) : stage.resample(x, state);
    }
    auto& head_slot = state.slots[m_head_slot];
    return run_causal_conv(head_conv, norm_silu_input(*head_norm, x, {}, head_slot), head_slot);
}

WanVaeDecoderImpl::WanVaeDecoderImpl(const WanVaeConfig& config) : m_config(config) {
    conv2 = register_module(
        "conv2", torch::nn::Conv3d(torch::nn::Conv3dOptions(config.z_dim, config.z_dim, 1)));
    int next_slot = 0;
    decoder = register_module("decoder", Decoder3d(config, next_slot));
    m_slot_count = next_slot;
}

void WanVaeDecoderImpl::set_channels_last(bool enabled) {
    torch::NoGradGuard no_grad;
    for (auto& parameter : parameters()) {
        if (parameter.dim() == 5) {
            parameter.set_data(parameter.contiguous(enabled ? at::MemoryFormat::ChannelsLast3d
                                                            : at::MemoryFormat::Contiguous));
        } else if (parameter.dim() == 4) {
            parameter.set_data(parameter.contiguous(enabled ? at::MemoryFormat::ChannelsLast
                                                            : at::MemoryFormat::Contiguous));
        }
    }
    for (const auto& module : decoder->modules(/*include_self=*/false)) {
        if (auto block = std::dynamic_pointer_cast<ResidualBlockImpl>(module)) {
            block->fold_bias = enabled;
        } else if (auto resample = std::dynamic_pointer_cast<ResampleImpl>(module)) {
            resample->subpixel = enabled;
        }
    }
    m_channels_last = enabled;
}

WanVaeState WanVaeDecoderImpl::make_state() const {
    WanVaeState state;
    state.slots.resize(static_cast<std::size_t>(m_slot_count));
    return state;
}

torch::Tensor WanVaeDecoderImpl::decode(const torch::Tensor& latents, WanVaeState& state) {
    torch::NoGradGuard no_grad;
    TORCH_CHECK(latents.dim() == 5 && latents.size(1) == m_config.z_dim,
                "WanVaeDecoder::decode: latents must be [B, ", m_config.z_dim, ", T, h, w], got ",
                latents.sizes());
    TORCH_CHECK(state.slots.size() == static_cast<std::size_t>(m_slot_count),
                "WanVaeDecoder::decode: state has ", state.slots.size(), " cache slots, model ",
                m_slot_count, " (use make_state())");
    const auto& weight = conv2->weight;
    const auto options = weight.options();
    const auto b = latents.size(0), steps = latents.size(2), h = latents.size(3),
               w = latents.size(4);
    if (steps == 0) {
        return torch::empty({b, 3, 0, h * kSpatialFactor, w * kSpatialFactor}, options);
    }
    TORCH_CHECK(m_config.z_dim == static_cast<std::int64_t>(kLatentMean.size()),
                "WanVaeDecoder::decode: latent statistics exist for 16 channels, model has ",
                m_config.z_dim);
    // Upstream keeps [mean, 1/std] as float32 tensors, casts them to the run dtype, and divides.
    if (!m_mean.defined() || m_mean.device() != options.device() ||
        m_mean.scalar_type() != options.dtype().toScalarType()) {
        m_mean = torch::tensor(std::vector<float>(kLatentMean.begin(), kLatentMean.end()))
                     .to(options.device(), options.dtype().toScalarType())
                     .view({1, -1, 1, 1, 1});
        m_inv_std = (1.0 / torch::tensor(std::vector<float>(kLatentStd.begin(), kLatentStd.end())))
                        .to(options.device(), options.dtype().toScalarType())
                        .view({1, -1, 1, 1, 1});
    }

    if (!m_channels_last) {
        set_channels_last(weight.is_cuda());
    }
    const auto first = state.latents_decoded == 0;
    const auto out_frames = first ? 1 + 4 * (steps - 1) : 4 * steps;
    auto out = torch::empty({b, 3, out_frames, h * kSpatialFactor, w * kSpatialFactor}, options);
    std::int64_t written = 0;
    for (std::int64_t i = 0; i < steps; ++i) {
        auto z = latents.narrow(2, i, 1).to(options.device(), options.dtype().toScalarType());
        z = z.div(m_inv_std).add_(m_mean);
        if (*m_channels_last) {
            z = z.contiguous(at::MemoryFormat::ChannelsLast3d);
        }
        z = conv3d(conv2, z);
        auto frames = decoder(z, state);
        out.narrow(2, written, frames.size(2)).copy_(frames);
        written += frames.size(2);
        ++state.latents_decoded;
    }
    TORCH_CHECK(written == out_frames, "WanVaeDecoder::decode: produced ", written,
                " frames, expected ", out_frames);
    return out;
}

std::vector<VaeTile> plan_vae_tiles(std::int64_t latent_height,
                                    std::int64_t latent_width,
                                    const VaeTiling& tiling) {
    TORCH_CHECK(tiling.stride_height > 0 && tiling.stride_width > 0 &&
                    tiling.stride_height <= tiling.tile_height &&
                    tiling.stride_width <= tiling.tile_width,
                "plan_vae_tiles: need 0 < stride <= tile, got tile ", tiling.tile_height, "x",
                tiling.tile_width, " stride ", tiling.stride_height, "x", tiling.stride_width);
    std::vector<VaeTile> tiles;
    for (std::int64_t h = 0; h < latent_height; h += tiling.stride_height) {
        if (h - tiling.stride_height >= 0 &&
            h - tiling.stride_height + tiling.tile_height >= latent_height) {
            continue;
        }
        for (std::int64_t w = 0; w < latent_width; w += tiling.stride_width) {
            if (w - tiling.stride_width >= 0 &&
                w - tiling.stride_width + tiling.tile_width >= latent_width) {
                continue;
            }
            tiles.push_back(VaeTile{h, std::min(h + tiling.tile_height, latent_height), w,
                                    std::min(w + tiling.tile_width, latent_width)});
        }
    }
    return tiles;
}

namespace {

// Upstream build_1d_mask: ones, with ramps (1..bw)/bw on the sides not on the image border.
torch::Tensor ramp_1d(std::int64_t length,
                      bool low_bound,
                      bool high_bound,
                      std::int64_t border_width) {
    auto x = torch::ones({length});
    const auto bw = std::min(border_width, length);
    if (bw > 0) {
        // Same expression as upstream: int64 arange divided by an int (true division, float32).
        auto ramp = ((torch::arange(border_width) + 1) / border_width).narrow(0, 0, bw);
        if (!low_bound) {
            x.narrow(0, 0, bw).copy_(ramp);
        }
        if (!high_bound) {
            x.narrow(0, length - bw, bw).copy_(ramp.flip({0}));
        }
    }
    return x;
}

}  // namespace

torch::Tensor vae_tile_mask(const VaeTile& tile,
                            std::int64_t latent_height,
                            std::int64_t latent_width,
                            const VaeTiling& tiling) {
    const auto rows = (tile.h1 - tile.h0) * kSpatialFactor;
    const auto cols = (tile.w1 - tile.w0) * kSpatialFactor;
    const auto row_ramp = ramp_1d(rows, tile.h0 == 0, tile.h1 >= latent_height,
                                  (tiling.tile_height - tiling.stride_height) * kSpatialFactor);
    const auto col_ramp = ramp_1d(cols, tile.w0 == 0, tile.w1 >= latent_width,
                                  (tiling.tile_width - tiling.stride_width) * kSpatialFactor);
    return torch::min(row_ramp.view({rows, 1}).expand({rows, cols}),
                      col_ramp.view({1, cols}).expand({rows, cols}));
}

WanVaeStreamDecoder::WanVaeStreamDecoder(WanVaeDecoder model,
                                         std::int64_t latent_height,
                                         std::int64_t latent_width,
                                         WanVaeStreamOptions options)
    : m_model(std::move(model)),
      m_latent_height(latent_height),
      m_latent_width(latent_width),
      m_options(std::move(options)) {
    TORCH_CHECK(latent_height > 0 && latent_width > 0,
                "WanVaeStreamDecoder: latent grid must be positive, got ", latent_height, "x",
                latent_width);
    const auto device = m_model->conv2->weight.device();
    if (m_options.tiling) {
        m_tiles = plan_vae_tiles(latent_height, latent_width, *m_options.tiling);
        m_weight =
            torch::zeros({1, 1, 1, latent_height * kSpatialFactor, latent_width * kSpatialFactor});
        for (const auto& tile : m_tiles) {
            auto mask = vae_tile_mask(tile, latent_height, latent_width, *m_options.tiling);
            const auto rows = mask.size(0), cols = mask.size(1);
            mask = mask.view({1, 1, 1, rows, cols});
            m_weight.narrow(3, tile.h0 * kSpatialFactor, rows)
                .narrow(4, tile.w0 * kSpatialFactor, cols)
                .add_(mask);
            m_masks.push_back(mask.to(device));
        }
        m_weight = m_weight.to(device);
    } else {
        m_tiles.push_back(VaeTile{0, latent_height, 0, latent_width});
    }
    for (std::size_t i = 0; i < m_tiles.size(); ++i) {
        m_states.push_back(m_model->make_state());
    }
}

void WanVaeStreamDecoder::reset() {
    for (auto& state : m_states) {
        state.reset();
    }
    m_latents_decoded = 0;
}

torch::Tensor WanVaeStreamDecoder::decode(const torch::Tensor& latents) {
    torch::NoGradGuard no_grad;
    TORCH_CHECK(latents.dim() == 5 && latents.size(0) == 1 && latents.size(3) == m_latent_height &&
                    latents.size(4) == m_latent_width,
                "WanVaeStreamDecoder::decode: latents must be [1, z, T, ", m_latent_height, ", ",
                m_latent_width, "], got ", latents.sizes());
    if (!m_options.tiling) {
        auto out = m_model->decode(latents, m_states.front());
        m_latents_decoded += latents.size(2);
        return out.clamp_(-1, 1);
    }
    const auto options = m_model->conv2->weight.options();
    const auto steps = latents.size(2);
    const auto out_frames = m_latents_decoded == 0 ? 1 + 4 * (steps - 1) : 4 * steps;
    auto values = torch::zeros({1, 3, std::max<std::int64_t>(out_frames, 0),
                                m_latent_height * kSpatialFactor, m_latent_width * kSpatialFactor},
                               options.dtype(torch::kFloat32));
    for (std::size_t i = 0; i < m_tiles.size(); ++i) {
        const auto& tile = m_tiles[i];
        auto part =
            latents.narrow(3, tile.h0, tile.h1 - tile.h0).narrow(4, tile.w0, tile.w1 - tile.w0);
        auto decoded = m_model->decode(part, m_states[i]);
        if (m_options.cache_device) {
            m_states[i].move_to(*m_options.cache_device);
        }
        values.narrow(3, tile.h0 * kSpatialFactor, decoded.size(3))
            .narrow(4, tile.w0 * kSpatialFactor, decoded.size(4))
            .add_(decoded.to(torch::kFloat32).mul_(m_masks[i]));
    }
    m_latents_decoded += steps;
    return values.div_(m_weight).clamp_(-1, 1).to(options.dtype().toScalarType());
}

Result<WanVaeDecoder> make_wan_vae_decoder(const StateDict& dict,
                                           const LoadOptions& options,
                                           const std::string& file_label) {
    auto config = WanVaeConfig::detect_from_weights(dict);
    if (!config) {
        auto error = config.error();
        if (!file_label.empty()) {
            error.with("path", file_label);
        }
        return error;
    }
    WanVaeDecoder model(*config);
    model->to(options.device, options.dtype.value_or(torch::kFloat32));
    BindOptions bind;
    bind.file_label = file_label;
    bind.ignore_prefixes = {"encoder.", "conv1."};
    auto bound = bind_module(*model, dict, bind);
    if (!bound) {
        return bound.error();
    }
    model->eval();
    return model;
}

Result<WanVaeDecoder> load_wan_vae_decoder(const std::filesystem::path& path,
                                           const LoadOptions& options) {
    auto dict = load_state_dict(path, options);
    if (!dict) {
        return dict.error();
    }
    return make_wan_vae_decoder(*dict, options, path.string());
}

}  // namespace engine::model::vae
