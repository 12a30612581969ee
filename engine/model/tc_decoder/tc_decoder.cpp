#include "engine/model/tc_decoder/tc_decoder.h"

#include "engine/core/log.h"

#ifdef FVSR_HAVE_CUDA_KERNELS
#include "kernels/torch/narrow_conv.h"
#include "kernels/torch/subpixel_gather.h"
#endif

#include <string>
#include <utility>

namespace engine::model::tc_decoder {
namespace {

namespace F = torch::nn::functional;

torch::nn::Conv2d make_conv(std::int64_t in, std::int64_t out, std::int64_t kernel, bool bias) {
    return torch::nn::Conv2d(
        torch::nn::Conv2dOptions(in, out, kernel).padding(kernel / 2).bias(bias));
}

torch::Tensor need(const StateDict& weights, const std::string& key, std::int64_t dims) {
    return required_weight(weights, key, dims, "TCDecoder");
}

void expect_dim(const std::string& key,
                const torch::Tensor& t,
                std::int64_t dim,
                std::int64_t expected) {
    if (t.size(dim) != expected) {
        throw_error(ErrorCode::ModelShapeMismatch,
                    "TCDecoder weight " + key + " has shape " + shape_text(t) + "; dimension " +
                        std::to_string(dim) + " should be " + std::to_string(expected),
                    {{"key", key}, {"got", shape_text(t)}});
    }
}

// 'b c (f 4) (h 8) (w 8) -> b (c 4 8 8) f h w' for one latent step (f = 1): [B,3,4,8h,8w] ->
// [B,768,h,w], channel = c·256 + dt·64 + dy·8 + dx (spec §2.5).
torch::Tensor unshuffle_step(const torch::Tensor& frames) {
    const auto b = frames.size(0);
    const auto c = frames.size(1);
    const auto h = frames.size(3) / 8;
    const auto w = frames.size(4) / 8;
    return frames.reshape({b, c, kCondFramesPerLatent, h, 8, w, 8})
        .permute({0, 1, 2, 4, 6, 3, 5})
        .reshape({b, c * kCondFramesPerLatent * 64, h, w});
}

torch::Tensor upsample_nearest_2x(const torch::Tensor& x) {
    return F::interpolate(x, F::InterpolateFuncOptions()
                                 .size(std::vector<std::int64_t>{x.size(2) * 2, x.size(3) * 2})
                                 .mode(torch::kNearest));
}

}  // namespace

// The four output phases of (nearest x2 upsampling, then a 3x3 conv with weight k [m, n, 3, 3],
// padding 1) as 2x2 kernels of one weight [4m, n, 2, 2]: phase (a, b) at output channels
// (2a + b)·m .. +m. Along one axis, phase 0 reads low-resolution rows (y-1, y) with (k0, k1 + k2),
// phase 1 rows (y, y+1) with (k0 + k1, k2).
torch::Tensor subpixel_weight(const torch::Tensor& k) {
    auto fold = [](const torch::Tensor& t, std::int64_t dim, int phase) {
        const auto k0 = t.select(dim, 0);
        const auto k1 = t.select(dim, 1);
        const auto k2 = t.select(dim, 2);
        return phase == 0 ? torch::stack({k0, k1 + k2}, dim) : torch::stack({k0 + k1, k2}, dim);
    };
    std::vector<torch::Tensor> phases;
    for (int a = 0; a < 2; ++a) {
        const auto rows = fold(k, 2, a);
        for (int b = 0; b < 2; ++b) {
            phases.push_back(fold(rows, 3, b));
        }
    }
    return torch::cat(phases, 0);
}

// x [N, n, H, W] -> [N, m, 2H, 2W]: the 2x2 phase convolution over x padded by 1 ([N, 4m, H+1,
// W+1]), then each phase (a, b) gathered to the output pixels (2y + a, 2x + b) from conv pixel
// (y + a, x + b). The result keeps x's layout.
torch::Tensor subpixel_upsample_conv(const torch::Tensor& x,
                                     const torch::Tensor& weight,
                                     bool fused_relu,
                                     bool channels_last,
                                     const torch::Tensor& bias) {
    const auto batch = x.size(0);
    const auto height = x.size(2);
    const auto width = x.size(3);
    const auto m = weight.size(0) / 4;
    const auto y =
        fused_relu
            ? at::cudnn_convolution_relu(
                  x, weight, bias.defined() ? c10::optional<torch::Tensor>(bias) : c10::nullopt,
                  {1, 1}, {1, 1}, {1, 1}, 1)
            : at::conv2d(x, weight, bias, 1, 1);
#ifdef FVSR_HAVE_CUDA_KERNELS
    if (channels_last && kernels::torch_api::subpixel_gather_accepts(y)) {
        return kernels::torch_api::subpixel_gather(y);  // the four copies below in one pass
    }
#endif
    auto out = torch::empty({batch, 2 * height, 2 * width, m},
                            y.options().memory_format(at::MemoryFormat::Contiguous));
    const auto phases = y.permute({0, 2, 3, 1});  // [N, H+1, W+1, 4m]
    const auto grid = out.view({batch, height, 2, width, 2, m});
    for (std::int64_t a = 0; a < 2; ++a) {
        for (std::int64_t b = 0; b < 2; ++b) {
            grid.select(4, b).select(2, a).copy_(
                phases.narrow(1, a, height).narrow(2, b, width).narrow(3, (2 * a + b) * m, m));
        }
    }
    const auto nchw = out.permute({0, 3, 1, 2});  // channels-last memory
    return channels_last ? nchw : nchw.contiguous();
}

std::int64_t TCDecoderConfig::frames_per_latent() const {
    return time_strides[0] * time_strides[1] * time_strides[2];
}

Result<TCDecoderConfig> TCDecoderConfig::detect_from_weights(const StateDict& dict) {
    try {
        TCDecoderConfig config;
        const auto first = need(dict, "decoder.1.weight", 4);
        config.channels[0] = first.size(0);
        const std::int64_t in_channels = first.size(1);
        if (in_channels <= kCondChannels) {
            throw_error(ErrorCode::ModelShapeMismatch,
                        "TCDecoder input conv takes " + std::to_string(in_channels) +
                            " channels; expected latent channels + " +
                            std::to_string(kCondChannels) + " LQ channels",
                        {{"key", "decoder.1.weight"}, {"got", shape_text(first)}});
        }
        config.latent_channels = in_channels - kCondChannels;
        const char* stage_convs[3] = {"decoder.10.weight", "decoder.16.weight",
                                      "decoder.22.weight"};
        for (int s = 0; s < 3; ++s) {
            const auto w = need(dict, stage_convs[s], 4);
            expect_dim(stage_convs[s], w, 1, config.channels[s]);
            config.channels[s + 1] = w.size(0);
        }
        const auto last = need(dict, "decoder.26.weight", 4);
        expect_dim("decoder.26.weight", last, 0, 3);
        expect_dim("decoder.26.weight", last, 1, config.channels[3]);
        const char* tgrow_keys[3] = {"decoder.9.conv.weight", "decoder.15.conv.weight",
                                     "decoder.21.conv.weight"};
        for (int s = 0; s < 3; ++s) {
            const auto w = need(dict, tgrow_keys[s], 4);
            expect_dim(tgrow_keys[s], w, 1, config.channels[s]);
            if (w.size(0) % config.channels[s] != 0 || w.size(0) == 0) {
                throw_error(ErrorCode::ModelShapeMismatch,
                            std::string("TCDecoder TGrow weight ") + tgrow_keys[s] + " has shape " +
                                shape_text(w) + "; output channels must be a multiple of " +
                                std::to_string(config.channels[s]),
                            {{"key", tgrow_keys[s]}, {"got", shape_text(w)}});
            }
            config.time_strides[s] = w.size(0) / config.channels[s];
        }
        return config;
    } catch (const EngineException& e) {
        return e.error();
    }
}

MemBlockImpl::MemBlockImpl(std::int64_t channels) {
    auto conv = register_module("conv", std::make_shared<torch::nn::Module>());
    conv0 = conv->register_module("0", make_conv(channels * 2, channels, 3, true));
    conv2 = conv->register_module("2", make_conv(channels, channels, 3, true));
    conv4 = conv->register_module("4", make_conv(channels, channels, 3, true));
}

namespace {

// relu(conv(x) + bias) in one cuDNN call (CUDA only).
torch::Tensor conv_relu(const torch::nn::Conv2d& conv, const torch::Tensor& x) {
    const auto pad = conv->weight.size(2) / 2;
    return at::cudnn_convolution_relu(
        x, conv->weight, conv->bias.defined() ? conv->bias : c10::optional<torch::Tensor>(), {1, 1},
        {pad, pad}, {1, 1}, 1);
}

}  // namespace

const torch::Tensor& MemBlockImpl::weight_half(int half) {
    const auto& weight = conv0->weight;
    if (!m_halves[0].defined() || !m_halves_source.matches(weight)) {
        torch::NoGradGuard no_grad;
        const auto n = weight.size(1) / 2;
        for (int h = 0; h < 2; ++h) {
            m_halves[h] = weight.narrow(1, h * n, n).contiguous(weight.suggest_memory_format());
        }
        m_halves_source.record(weight);
    }
    return m_halves[half];
}

torch::Tensor MemBlockImpl::forward(const torch::Tensor& x, const torch::Tensor& past) {
    if (fused) {
        // relu(C3(relu(C2(relu(C1(cat))))) + x): every bias, ReLU and the skip in cuDNN's
        // convolution epilogue.
        torch::Tensor h;
        if (split_input) {
            const auto partial = at::conv2d(past, weight_half(1), {}, 1, 1);
            h = at::cudnn_convolution_add_relu(x, weight_half(0), partial, 1.0, conv0->bias, {1, 1},
                                               {1, 1}, {1, 1}, 1);
        } else {
            h = conv_relu(conv0, torch::cat({x, past}, 1));
        }
        h = conv_relu(conv2, h);
        return at::cudnn_convolution_add_relu(h, conv4->weight, x, 1.0, conv4->bias, {1, 1}, {1, 1},
                                              {1, 1}, 1);
    }
    auto h = conv0(torch::cat({x, past}, 1));
    h.relu_();
    h = conv2(h);
    h.relu_();
    h = conv4(h);
    h.add_(x);  // the skip is the identity: input and output widths are equal
    h.relu_();
    return h;
}

void TCDecoderState::reset() {
    memories.clear();
    trim_pending = true;
}

TCDecoderImpl::TCDecoderImpl(const TCDecoderConfig& config) : m_config(config) {
    decoder = register_module("decoder", std::make_shared<torch::nn::Module>());
    const auto& c = config.channels;
    auto add = [&](LayerKind kind) -> Layer& {
        Layer layer;
        layer.kind = kind;
        m_layers.push_back(layer);
        return m_layers.back();
    };
    auto add_conv = [&](std::int64_t in, std::int64_t out, bool bias) {
        const auto index = std::to_string(m_layers.size());
        add(LayerKind::Conv).conv = decoder->register_module(index, make_conv(in, out, 3, bias));
    };
    auto add_mem_blocks = [&](std::int64_t n) {
        for (int k = 0; k < 3; ++k) {
            const auto index = std::to_string(m_layers.size());
            add(LayerKind::MemBlock).mem_block = decoder->register_module(index, MemBlock(n));
        }
    };
    auto add_tgrow = [&](std::int64_t n, std::int64_t stride) {
        const auto index = std::to_string(m_layers.size());
        auto holder = decoder->register_module(index, std::make_shared<torch::nn::Module>());
        Layer& layer = add(LayerKind::TGrow);
        layer.conv = holder->register_module("conv", make_conv(n, n * stride, 1, false));
        layer.stride = stride;
    };

    add(LayerKind::Clamp);                                         // 0
    add_conv(config.latent_channels + kCondChannels, c[0], true);  // 1
    add(LayerKind::ReLU);                                          // 2
    add_conv(c[0], c[0], false);                                   // 3 (identity-initialised)
    add(LayerKind::ReLU);                                          // 4
    add_mem_blocks(c[0]);                                          // 5, 6, 7
    add(LayerKind::Upsample);                                      // 8
    add_tgrow(c[0], config.time_strides[0]);                       // 9
    add_conv(c[0], c[1], false);                                   // 10
    add_mem_blocks(c[1]);                                          // 11, 12, 13
    add(LayerKind::Upsample);                                      // 14
    add_tgrow(c[1], config.time_strides[1]);                       // 15
    add_conv(c[1], c[2], false);                                   // 16
    add_mem_blocks(c[2]);                                          // 17, 18, 19
    add(LayerKind::Upsample);                                      // 20
    add_tgrow(c[2], config.time_strides[2]);                       // 21
    add_conv(c[2], c[3], false);                                   // 22
    add(LayerKind::ReLU);                                          // 23
    add_conv(c[3], c[3], false);                                   // 24 (identity-initialised)
    add(LayerKind::ReLU);                                          // 25
    add_conv(c[3], 3, true);                                       // 26
    m_subpixel.resize(m_layers.size());
}

void TCDecoderImpl::set_channels_last(bool enabled) {
    torch::NoGradGuard no_grad;
    const auto format = enabled ? at::MemoryFormat::ChannelsLast : at::MemoryFormat::Contiguous;
    for (auto& parameter : parameters()) {
        if (parameter.dim() == 4) {
            parameter.set_data(parameter.contiguous(format));
        }
    }
    m_channels_last = enabled;
    const bool cuda = enabled && parameters().front().is_cuda();
    set_fused_convolutions(cuda);
    m_fast_upsampling = cuda;
    m_narrow_output_conv = cuda;
    set_split_memory_input(cuda);
}

void TCDecoderImpl::set_fast_upsampling(bool enabled) {
    m_fast_upsampling = enabled;
}

void TCDecoderImpl::set_narrow_output_conv(bool enabled) {
    m_narrow_output_conv = enabled;
}

void TCDecoderImpl::set_split_memory_input(bool enabled) {
    m_split_memory_input = enabled;
    for (auto& layer : m_layers) {
        if (layer.kind == LayerKind::MemBlock) {
            layer.mem_block->split_input = enabled && m_fused;
        }
    }
}

const std::vector<torch::Tensor>& TCDecoderImpl::subpixel_weights(std::size_t upsample) {
    const Layer& tgrow = m_layers[upsample + 1];
    const auto& conv_weight = m_layers[upsample + 2].conv->weight;
    auto& entry = m_subpixel[upsample];
    auto& cached = entry.weights;
    const auto format =
        m_channels_last ? at::MemoryFormat::ChannelsLast : at::MemoryFormat::Contiguous;
    // Rebuilt when either source weight moves (.to(), relayout) or is written in place (binding).
    if (!cached.empty() && entry.conv_source.matches(conv_weight) &&
        entry.tgrow_source.matches(tgrow.conv->weight) && cached.front().is_contiguous(format)) {
        return cached;
    }
    torch::NoGradGuard no_grad;
    cached.clear();
    entry.conv_source.record(conv_weight);
    entry.tgrow_source.record(tgrow.conv->weight);
    // In fp32, rounded once: the TGrow step's rows g·n .. +n folded into the 3x3 weight
    // (k[m, c] = Σ_j conv[m, j] · tgrow_g[j, c] at every tap), then the phase kernels.
    const auto conv = conv_weight.to(torch::kFloat);  // [m, n, 3, 3]
    const auto n = conv.size(1);
    const auto tgrow_steps = tgrow.conv->weight.to(torch::kFloat).reshape({tgrow.stride, n, n});
    for (std::int64_t g = 0; g < tgrow.stride; ++g) {
        const auto folded =
            torch::matmul(conv.permute({0, 2, 3, 1}), tgrow_steps[g]).permute({0, 3, 1, 2});
        cached.push_back(subpixel_weight(folded).to(conv_weight.scalar_type()).contiguous(format));
    }
    return cached;
}

bool TCDecoderImpl::narrow_output_ready() {
#ifdef FVSR_HAVE_CUDA_KERNELS
    const auto& weight = m_layers.back().conv->weight;
    const bool usable =
        m_narrow_output_conv && m_channels_last && weight.is_cuda() &&
        (weight.scalar_type() == torch::kBFloat16 || weight.scalar_type() == torch::kHalf) &&
        weight.size(1) % 16 == 0 && weight.size(0) <= 8;
    if (!usable) {
        return false;
    }
    if (!m_narrow_weight.defined() || !m_narrow_source.matches(weight)) {
        torch::NoGradGuard no_grad;
        m_narrow_weight = kernels::torch_api::narrow_conv_pack_weights(weight);
        m_narrow_source.record(weight);
    }
    return true;
#else
    return false;
#endif
}

void TCDecoderImpl::set_fused_convolutions(bool enabled) {
    m_fused = false;
    if (enabled) {
        // Probe once: cuDNN builds (and the bf16/fp16 NHWC kernels) that lack the fused
        // conv-bias-add-ReLU graph throw here, and the decoder keeps the separate passes.
        try {
            torch::NoGradGuard no_grad;
            const auto& weight = m_layers[1].conv->weight;
            auto probe = torch::zeros({1, weight.size(1), 8, 8}, weight.options())
                             .contiguous(at::MemoryFormat::ChannelsLast);
            auto y = conv_relu(m_layers[1].conv, probe);
            at::cudnn_convolution_add_relu(y, m_layers[3].conv->weight, y, 1.0, c10::nullopt,
                                           {1, 1}, {1, 1}, {1, 1}, 1);
            m_fused = true;
        } catch (const c10::Error& e) {
            engine::log_info(std::string("TCDecoder: cuDNN fused convolutions unavailable, using "
                                         "separate bias/ReLU passes: ") +
                             e.what_without_backtrace());
        }
    }
    for (auto& layer : m_layers) {
        if (layer.kind == LayerKind::MemBlock) {
            layer.mem_block->fused = m_fused;
        }
    }
}

void TCDecoderImpl::narrow_output(torch::Tensor& slot, const torch::Tensor& x) {
    auto& conv = m_layers.back().conv;
#ifdef FVSR_HAVE_CUDA_KERNELS
    if (kernels::torch_api::narrow_conv_accepts(x)) {
        kernels::torch_api::narrow_conv3x3_out(slot, x, m_narrow_weight, conv->bias);
        return;
    }
#endif
    slot.copy_(conv->forward(x));
}

// Depth-first, as upstream's sequential work queue: a TGrow's sub-steps each run to the output
// before the next one starts, so every MemBlock sees its inputs in output-time order.
template <typename Emit>
void TCDecoderImpl::run_from(std::size_t first_layer,
                             torch::Tensor x,
                             TCDecoderState& state,
                             Emit& emit) {
    for (std::size_t i = first_layer; i < m_layers.size(); ++i) {
        Layer& layer = m_layers[i];
        switch (layer.kind) {
            case LayerKind::Clamp:
                x = x.div(3).tanh_().mul_(3);
                break;
            case LayerKind::Conv:
                if (i + 1 == m_layers.size() && m_narrow_active) {
                    emit(x, false);  // the output conv runs straight into the output frame
                    return;
                }
                if (m_fused && i + 1 < m_layers.size() && m_layers[i + 1].kind == LayerKind::ReLU) {
                    x = conv_relu(layer.conv, x);
                    ++i;  // the ReLU ran in the convolution's epilogue
                } else {
                    x = layer.conv(x);
                }
                break;
            case LayerKind::ReLU:
                x.relu_();  // always follows a conv, whose output nobody else holds
                break;
            case LayerKind::MemBlock: {
                torch::Tensor& memory = state.memories[i];
                auto out = layer.mem_block(x, memory.defined() ? memory : torch::zeros_like(x));
                // Upstream copies the input into its memory buffer; holding the tensor is the
                // same because nothing writes to a MemBlock input afterwards.
                memory = x;
                x = std::move(out);
                break;
            }
            case LayerKind::Upsample: {
                if (m_fast_upsampling && i + 2 < m_layers.size() &&
                    m_layers[i + 1].kind == LayerKind::TGrow &&
                    m_layers[i + 2].kind == LayerKind::Conv) {
                    // Upsample + TGrow + conv as one sub-pixel conv per time step; each step
                    // runs to the output before the next, as below.
                    const bool relu = m_fused && i + 3 < m_layers.size() &&
                                      m_layers[i + 3].kind == LayerKind::ReLU;
                    const auto input = std::move(x);
                    for (const auto& weight : subpixel_weights(i)) {
                        run_from(i + (relu ? 4 : 3),
                                 subpixel_upsample_conv(input, weight, relu, m_channels_last),
                                 state, emit);
                    }
                    return;
                }
                x = upsample_nearest_2x(x);
                break;
            }
            case LayerKind::TGrow: {
                const auto n = x.size(1);
                if (m_channels_last) {
                    // One 1x1 convolution per time step with that step's rows of the weight:
                    // each output is a dense NHWC tensor, where a channel slice of the whole
                    // output would be strided and copied before the next convolution.
                    const auto input = std::move(x);
                    for (std::int64_t g = 0; g < layer.stride; ++g) {
                        run_from(i + 1, at::conv2d(input, layer.conv->weight.narrow(0, g * n, n)),
                                 state, emit);
                    }
                    return;
                }
                const auto grown = layer.conv(x);
                x = torch::Tensor();
                for (std::int64_t g = 0; g < layer.stride; ++g) {
                    run_from(i + 1, grown.narrow(1, g * n, n), state, emit);
                }
                return;
            }
        }
    }
    emit(x, true);
}

torch::Tensor TCDecoderImpl::decode(const torch::Tensor& latents,
                                    const torch::Tensor& cond,
                                    TCDecoderState& state) {
    torch::NoGradGuard no_grad;
    TORCH_CHECK(latents.dim() == 5 && latents.size(1) == m_config.latent_channels,
                "TCDecoder::decode: latents must be [B, ", m_config.latent_channels,
                ", T, h, w], got ", latents.sizes());
    const auto batch = latents.size(0);
    const auto steps = latents.size(2);
    const auto h = latents.size(3);
    const auto w = latents.size(4);
    TORCH_CHECK(cond.dim() == 5 && cond.size(0) == batch && cond.size(1) == 3 &&
                    cond.size(3) == h * 8 && cond.size(4) == w * 8,
                "TCDecoder::decode: cond must be [", batch, ", 3, Tc, ", h * 8, ", ", w * 8,
                "], got ", cond.sizes());
    const auto cond_frames = cond.size(2);
    TORCH_CHECK((cond_frames + kCondFramesPerLatent - 1) / kCondFramesPerLatent == steps,
                "TCDecoder::decode: ", steps, " latent steps need ",
                (steps - 1) * kCondFramesPerLatent + 1, "..", steps * kCondFramesPerLatent,
                " cond frames, got ", cond_frames);

    const auto& weight = m_layers[1].conv->weight;
    const auto device = weight.device();
    const auto dtype = weight.scalar_type();
    if (state.memories.size() != m_layers.size()) {
        state.memories.assign(m_layers.size(), torch::Tensor());
    }

    const auto per_latent = m_config.frames_per_latent();
    const auto trim = state.trim_pending ? m_config.frames_to_trim() : 0;
    const auto out_frames = steps * per_latent - trim;
    auto out = torch::empty({batch, 3, std::max<std::int64_t>(out_frames, 0), h * 8, w * 8},
                            torch::TensorOptions().dtype(dtype).device(device));
    std::int64_t produced = 0;
    m_narrow_active = narrow_output_ready();
    // frame: the decoded frame, or (complete = false) the last conv's input, whose conv writes
    // straight into the output frame. Trimmed frames are not computed further.
    auto emit = [&](const torch::Tensor& frame, bool complete) {
        if (produced >= trim) {
            auto slot = out.select(2, produced - trim);
            if (complete) {
                slot.copy_(frame);
            } else {
                narrow_output(slot, frame);
            }
        }
        ++produced;
    };

    const auto pad =
        (kCondFramesPerLatent - cond_frames % kCondFramesPerLatent) % kCondFramesPerLatent;
    for (std::int64_t t = 0; t < steps; ++t) {
        // Frames [4t, 4t + 4) of the cond padded in front with `pad` copies of frame 0.
        torch::Tensor frames;
        const auto start = t * kCondFramesPerLatent - pad;
        if (start >= 0) {
            frames = cond.narrow(2, start, kCondFramesPerLatent);
        } else {
            frames = torch::cat({cond.narrow(2, 0, 1).expand({-1, -1, -start, -1, -1}),
                                 cond.narrow(2, 0, kCondFramesPerLatent + start)},
                                2);
        }
        auto lq = unshuffle_step(frames.to(device, dtype));
        auto x = torch::cat({lq, latents.select(2, t).to(device, dtype)}, 1);
        if (m_channels_last) {
            x = x.contiguous(at::MemoryFormat::ChannelsLast);
        }
        lq = torch::Tensor();
        run_from(0, std::move(x), state, emit);
    }
    state.trim_pending = state.trim_pending && produced == 0;
    out.mul_(2).sub_(1);
    return out;
}

Result<TCDecoder> make_tc_decoder(const StateDict& dict,
                                  const LoadOptions& options,
                                  const std::string& file_label) {
    auto config = TCDecoderConfig::detect_from_weights(dict);
    if (!config) {
        auto error = config.error();
        if (!file_label.empty()) {
            error.with("path", file_label);
        }
        return error;
    }
    TCDecoder model(*config);
    model->to(options.device, options.dtype.value_or(torch::kFloat32));
    BindOptions bind;
    bind.file_label = file_label;
    auto bound = bind_module(*model, dict, bind);
    if (!bound) {
        return bound.error();
    }
    model->eval();
    model->set_channels_last(options.device.is_cuda());
    return model;
}

Result<TCDecoder> load_tc_decoder(const std::filesystem::path& path, const LoadOptions& options) {
    auto dict = load_state_dict(path, options);
    if (!dict) {
        return dict.error();
    }
    return make_tc_decoder(*dict, options, path.string());
}

}  // namespace engine::model::tc_decoder
