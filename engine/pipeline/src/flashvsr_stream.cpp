#include "engine/pipeline/flashvsr_stream.h"

#include "device_memory.h"
#include "engine/model/attention/block_mask.h"
#include "engine/model/checkpoint/state_dict.h"
#include "engine/pipeline/color_fix.h"

#include <cstdlib>
#include <string>

namespace engine::pipeline {

namespace fs = std::filesystem;
namespace wan = model::wan;
namespace lq_proj = model::lq_proj;
namespace tc_decoder = model::tc_decoder;
namespace vae = model::vae;

namespace {

constexpr std::int64_t kLatentChannels = 16;
constexpr std::int64_t kPixelsPerLatent = 8;
constexpr std::int64_t kLqFramesPerClip = 4;

Status require_file(const fs::path& path) {
    std::error_code ec;
    if (!fs::is_regular_file(path, ec)) {
        return Error(ErrorCode::ModelFileMissing, "model file not found: " + path.string())
            .with("path", path.string());
    }
    return {};
}

Error with_file(Error error, const fs::path& path) {
    if (error.get("path").empty()) {
        error.with("path", path.string());
    }
    return error;
}

std::int64_t tensor_bytes(const torch::Tensor& t) {
    return t.defined() ? static_cast<std::int64_t>(t.numel() * t.element_size()) : 0;
}

void move_tensor(torch::Tensor& t, const torch::Device& device) {
    if (t.defined()) {
        t = t.to(device);
    }
}

}  // namespace

struct SharedDit {
    wan::WanConstants constants;
    bool on_host = false;  // unload_dit moved the DiT and the constants to the host

    void move_to(wan::WanModel& dit, const torch::Device& device) {
        dit->to(device);
        move_tensor(constants.t, device);
        move_tensor(constants.t_mod, device);
        for (auto& k : constants.context_k) {
            move_tensor(k, device);
        }
        for (auto& v : constants.context_v) {
            move_tensor(v, device);
        }
    }
};

ModelFiles ModelFiles::in_folder(const fs::path& folder, Mode mode) {
    ModelFiles files;
    files.dit = folder / "diffusion_pytorch_model_streaming_dmd.safetensors";
    files.lq_proj = folder / "LQ_proj_in.ckpt";
    files.prompt = folder / "posi_prompt.pth";
    if (mode == Mode::Full) {
        files.vae = folder / "Wan2.1_VAE.pth";
    } else {
        files.tc_decoder = folder / "TCDecoder.ckpt";
    }
    return files;
}

Result<FlashVsrModels> load_models(const ModelFiles& files,
                                   torch::Device device,
                                   torch::ScalarType dtype) {
    try {
        FlashVsrModels models;
        models.device = device;
        models.dtype = dtype;
        model::LoadOptions load_options;
        load_options.device = device;
        load_options.dtype = dtype;
        if (device.is_cuda()) {
            // cuDNN autotuning: each convolution shape (a handful per run: chunk 0, steady
            // chunks, tiles) is timed once and its fastest algorithm reused; measured 12% off the
            // LQ projector on an H200 (docs/PERFORMANCE.md). Process-wide, like PyTorch's flag.
            // The choice goes by timing, so two runs may pick algorithms that round differently;
            // FLASHVSR_DETERMINISTIC=1 trades the gain for output that a rerun or a resumed job
            // on the same GPU model reproduces bit for bit (cuDNN's deterministic algorithms;
            // cuBLAS and our kernels are deterministic already).
            const char* flag = std::getenv("FLASHVSR_DETERMINISTIC");
            const bool deterministic = flag != nullptr && std::string(flag) == "1";
            at::globalContext().setBenchmarkCuDNN(!deterministic);
            if (deterministic) {
                at::globalContext().setDeterministicCuDNN(true);
            }
        }

        for (const auto* path : {&files.dit, &files.lq_proj, &files.prompt}) {
            if (auto ok = require_file(*path); !ok) {
                return ok.error();
            }
        }
        {
            auto weights = model::load_state_dict(files.dit, load_options);
            if (!weights) {
                return with_file(weights.error(), files.dit);
            }
            auto config = wan::WanConfig::detect_from_weights(weights.value());
            if (!config) {
                return with_file(config.error(), files.dit);
            }
            models.dit = wan::WanModel(config.value());
            models.dit->to(device, dtype);
            model::BindOptions bind;
            bind.file_label = files.dit.string();
            if (auto bound = model::bind_module(*models.dit, weights.value(), bind); !bound) {
                return bound.error();
            }
            models.dit->eval();
        }
        {
            auto weights = model::load_state_dict(files.lq_proj, load_options);
            if (!weights) {
                return with_file(weights.error(), files.lq_proj);
            }
            auto config = lq_proj::LqProjectorConfig::detect_from_weights(weights.value());
            if (!config) {
                return with_file(config.error(), files.lq_proj);
            }
            if (config->out_dim != models.dit->config().dim) {
                return Error(ErrorCode::ModelWrongFile,
                             "LQ projector output width " + std::to_string(config->out_dim) +
                                 " does not match the DiT width " +
                                 std::to_string(models.dit->config().dim))
                    .with("path", files.lq_proj.string());
            }
            models.lq_proj = lq_proj::LqProjector(config.value());
            models.lq_proj->to(device, dtype);
            model::BindOptions bind;
            bind.file_label = files.lq_proj.string();
            if (auto bound = model::bind_module(*models.lq_proj, weights.value(), bind); !bound) {
                return bound.error();
            }
            models.lq_proj->eval();
        }
        {
            auto prompt = model::load_tensor_file(files.prompt, load_options);
            if (!prompt) {
                return with_file(prompt.error(), files.prompt);
            }
            const auto& p = prompt.value();
            if (p.dim() != 3 || p.size(2) != models.dit->config().text_dim) {
                return Error(ErrorCode::ModelWrongFile,
                             "prompt tensor must be [1, L, " +
                                 std::to_string(models.dit->config().text_dim) + "]")
                    .with("path", files.prompt.string());
            }
            models.prompt = p.to(device, dtype);
        }
        if (!files.tc_decoder.empty()) {
            if (auto ok = require_file(files.tc_decoder); !ok) {
                return ok.error();
            }
            auto decoder = tc_decoder::load_tc_decoder(files.tc_decoder, load_options);
            if (!decoder) {
                return with_file(decoder.error(), files.tc_decoder);
            }
            models.tc_decoder = decoder.value();
        }
        if (!files.vae.empty()) {
            if (auto ok = require_file(files.vae); !ok) {
                return ok.error();
            }
            auto decoder = vae::load_wan_vae_decoder(files.vae, load_options);
            if (!decoder) {
                return with_file(decoder.error(), files.vae);
            }
            models.vae = decoder.value();
        }
        return models;
    } catch (const EngineException& e) {
        return e.error();
    } catch (const c10::Error& e) {
        return Error(ErrorCode::Internal,
                     std::string("loading models: ") + e.what_without_backtrace());
    }
}

Result<std::unique_ptr<FlashVsrStream>> FlashVsrStream::create(FlashVsrModels models,
                                                               const StreamSettings& settings,
                                                               std::int64_t padded_height,
                                                               std::int64_t padded_width) {
    if (padded_height <= 0 || padded_width <= 0 || padded_height % 128 != 0 ||
        padded_width % 128 != 0) {
        return Error(ErrorCode::InvalidArgument,
                     "model frame size " + std::to_string(padded_width) + "x" +
                         std::to_string(padded_height) + " must be positive multiples of 128");
    }
    if (!models.dit || !models.lq_proj || !models.prompt.defined()) {
        return Error(ErrorCode::InvalidArgument, "the DiT, LQ projector and prompt must be loaded");
    }
    if (settings.decode &&
        (settings.mode == Mode::Full ? models.vae.is_empty() : models.tc_decoder.is_empty())) {
        return Error(ErrorCode::InvalidArgument, settings.mode == Mode::Full
                                                     ? "full mode needs the Wan VAE decoder"
                                                     : "tiny modes need the TCDecoder");
    }
    if (settings.kv_ratio < 1.0 || settings.local_range < 1 || settings.sparse_ratio <= 0.0) {
        return Error(ErrorCode::InvalidArgument,
                     "kv_ratio must be >= 1, local_range >= 1 and sparse_ratio > 0");
    }
    try {
        return std::unique_ptr<FlashVsrStream>(
            new FlashVsrStream(std::move(models), settings, padded_height, padded_width, nullptr));
    } catch (const c10::Error& e) {
        return Error(ErrorCode::Internal, e.what_without_backtrace());
    }
}

Result<std::unique_ptr<FlashVsrStream>> FlashVsrStream::create_sibling(
    std::int64_t padded_height,
    std::int64_t padded_width) const {
    if (padded_height <= 0 || padded_width <= 0 || padded_height % 128 != 0 ||
        padded_width % 128 != 0) {
        return Error(ErrorCode::InvalidArgument,
                     "model frame size " + std::to_string(padded_width) + "x" +
                         std::to_string(padded_height) + " must be positive multiples of 128");
    }
    try {
        return std::unique_ptr<FlashVsrStream>(
            new FlashVsrStream(m_models, m_settings, padded_height, padded_width, m_shared));
    } catch (const c10::Error& e) {
        return Error(ErrorCode::Internal, e.what_without_backtrace());
    }
}

FlashVsrStream::FlashVsrStream(FlashVsrModels models,
                               const StreamSettings& settings,
                               std::int64_t height,
                               std::int64_t width,
                               std::shared_ptr<SharedDit> shared)
    : m_models(std::move(models)),
      m_settings(settings),
      m_height(height),
      m_width(width),
      m_shared(std::move(shared)) {
    const auto grid_h = height / 16 / 8;
    const auto grid_w = width / 16 / 8;
    const double ratio = model::attention::topk_ratio_for(settings.sparse_ratio, height, width);
    m_sparse.topk = model::attention::topk_for(grid_h * grid_w, ratio);
    m_sparse.kv_len = static_cast<std::int64_t>(settings.kv_ratio);
    m_sparse.local_range = settings.local_range;
    m_sparse.backend = settings.reference_attention ? model::attention::Backend::Reference
                                                    : model::attention::Backend::Auto;
    if (!m_shared) {
        m_shared = std::make_shared<SharedDit>();
        m_shared->constants = m_models.dit->prepare_constants(m_models.prompt);
    }
    if (!m_models.vae.is_empty()) {
        if (settings.tiled_vae) {
            vae::WanVaeStreamOptions options;
            options.tiling = vae::VaeTiling{};
            options.cache_device = settings.vae_cache_device;
            m_vae_stream.emplace(m_models.vae, height / kPixelsPerLatent, width / kPixelsPerLatent,
                                 options);
        } else {
            m_vae_state = m_models.vae->make_state();
        }
    }
    reset();
}

void FlashVsrStream::reset() {
    m_dit_state.reset(m_models.dit->blocks->size());
    m_lq_state.reset();
    m_tc_state.reset();
    m_vae_state.reset();
    if (m_vae_stream) {
        m_vae_stream->reset();
    }
    m_next_chunk = 0;
    m_dit_chunk = 0;
}

FlashVsrStream::Checkpoint FlashVsrStream::checkpoint() const {
    Checkpoint c;
    c.dit_state = m_dit_state.snapshot();
    c.lq_state = m_lq_state;
    c.tc_state = m_tc_state;
    c.vae_state = m_vae_state;
    c.vae_stream = m_vae_stream;
    c.next_chunk = m_next_chunk;
    c.dit_chunk = m_dit_chunk;
    return c;
}

void FlashVsrStream::restore(const Checkpoint& c) {
    m_dit_state = c.dit_state;
    m_lq_state = c.lq_state;
    m_tc_state = c.tc_state;
    m_vae_state = c.vae_state;
    m_vae_stream = c.vae_stream;
    m_next_chunk = c.next_chunk;
    m_dit_chunk = c.dit_chunk;
}

void FlashVsrStream::move_state_to(const torch::Device& device) {
    m_dit_state.move_to(device);
    move_tensor(m_lq_state.conv1_cache, device);
    move_tensor(m_lq_state.conv2_cache, device);
    for (auto& memory : m_tc_state.memories) {
        move_tensor(memory, device);
    }
    m_vae_state.move_to(device);
}

std::int64_t FlashVsrStream::state_bytes() const {
    std::int64_t bytes = 0;
    bytes += m_dit_state.bytes();
    bytes += tensor_bytes(m_lq_state.conv1_cache) + tensor_bytes(m_lq_state.conv2_cache);
    for (const auto& memory : m_tc_state.memories) {
        bytes += tensor_bytes(memory);
    }
    for (const auto& slot : m_vae_state.slots) {
        bytes += tensor_bytes(slot.frames);
    }
    return bytes;
}

bool FlashVsrStream::unloads_dit() const {
    return m_settings.unload_dit && m_settings.mode == Mode::Full && m_models.device.is_cuda();
}

torch::Tensor FlashVsrStream::project_lq(const torch::Tensor& lq) {
    const auto version = m_settings.version == ModelVersion::V10
                             ? lq_proj::LqProjectorVersion::V10Buffer
                             : lq_proj::LqProjectorVersion::V11Causal;
    std::vector<torch::Tensor> tokens;
    std::int64_t begin = 0;
    if (m_lq_state.clip_index == 0) {
        m_models.lq_proj->stream_forward(lq.slice(2, 0, 1), m_lq_state, version);
        begin = 1;
    }
    for (; begin < lq.size(2); begin += kLqFramesPerClip) {
        auto out = m_models.lq_proj->stream_forward(lq.slice(2, begin, begin + kLqFramesPerClip),
                                                    m_lq_state, version);
        tokens.push_back(*out);
    }
    return torch::cat(tokens, 1);
}

torch::Tensor FlashVsrStream::decode(const torch::Tensor& latents, const torch::Tensor& cond) {
    if (m_settings.mode == Mode::Full) {
        if (m_vae_stream) {
            return m_vae_stream->decode(latents);
        }
        // As WanVaeStreamDecoder does untiled, with a state this stream can park and restore.
        return m_models.vae->decode(latents, m_vae_state).clamp_(-1, 1);
    }
    return m_models.tc_decoder->decode(latents, cond, m_tc_state);
}

torch::Tensor FlashVsrStream::run_chunk(const torch::Tensor& lq,
                                        const torch::Tensor& cond,
                                        const torch::Tensor& noise,
                                        const StageObserver& observer,
                                        const std::function<void()>& between_stages) {
    if (m_settings.decode) {
        // Checked before the DiT runs, so a wrong cond never costs a chunk of DiT work.
        const auto span = chunk_span(m_next_chunk);
        const std::vector<std::int64_t> cond_shape{1, 3, span.output_end - span.output_begin,
                                                   m_height, m_width};
        TORCH_CHECK(cond.sizes() == torch::IntArrayRef(cond_shape), "FlashVsrStream: chunk ",
                    m_next_chunk, " needs cond frames ", torch::IntArrayRef(cond_shape), ", got ",
                    cond.sizes());
    }
    auto latents = run_dit(lq, noise, observer);
    if (between_stages) {
        between_stages();
    }
    if (!m_settings.decode) {
        ++m_next_chunk;
        return latents;
    }
    return run_decoder(latents, cond, observer);
}

torch::Tensor FlashVsrStream::run_dit(const torch::Tensor& lq,
                                      const torch::Tensor& noise,
                                      const StageObserver& observer) {
    torch::NoGradGuard no_grad;
    const auto chunk = m_next_chunk;
    const auto span = chunk_span(chunk);
    TORCH_CHECK(m_dit_chunk == m_next_chunk, "FlashVsrStream: chunk ", chunk,
                " went through the DiT but was not decoded yet");
    TORCH_CHECK(chunk < kMaxChunks, "FlashVsrStream: chunk ", chunk, " is past the RoPE limit of ",
                kMaxChunks, " chunks per run");
    const std::vector<std::int64_t> lq_shape{1, 3, span.lq_end - span.lq_begin, m_height, m_width};
    const std::vector<std::int64_t> noise_shape{
        1, kLatentChannels, span.latent_end - span.latent_begin, m_height / kPixelsPerLatent,
        m_width / kPixelsPerLatent};
    TORCH_CHECK(lq.sizes() == torch::IntArrayRef(lq_shape), "FlashVsrStream: chunk ", chunk,
                " needs LQ frames ", torch::IntArrayRef(lq_shape), ", got ", lq.sizes());
    TORCH_CHECK(noise.sizes() == torch::IntArrayRef(noise_shape), "FlashVsrStream: chunk ", chunk,
                " needs noise ", torch::IntArrayRef(noise_shape), ", got ", noise.sizes());

    const auto device = m_models.device;
    const auto dtype = m_models.dtype;
    if (m_shared->on_host) {
        m_shared->move_to(m_models.dit, device);
        m_shared->on_host = false;
    }
    const auto& constants = m_shared->constants;
    const auto key = "chunk" + std::to_string(chunk);
    if (observer && chunk == 0) {
        observer("text.k_block0", constants.context_k.at(0));
        observer("text.v_block0", constants.context_v.at(0));
        observer("time.t", constants.t);
        observer("time.t_mod", constants.t_mod);
    }

    auto tokens = project_lq(lq.to(device, dtype));
    if (observer) {
        observer("lq_tokens." + key, tokens);
    }
    auto noise_run = noise.to(device, dtype);
    wan::MaskObserver on_mask;
    if (observer) {
        on_mask = [&](std::int64_t block, const torch::Tensor& mask) {
            observer("mask." + key + ".block" + std::to_string(block), mask);
        };
    }
    auto velocity = m_models.dit->forward_chunk(noise_run, tokens, span.latent_begin, constants,
                                                m_sparse, m_dit_state, on_mask);
    auto latents = noise_run - velocity;
    if (observer) {
        observer("velocity." + key, velocity);
        observer("latents." + key, latents);
    }
    ++m_dit_chunk;
    return latents;
}

torch::Tensor FlashVsrStream::run_decoder(const torch::Tensor& latents,
                                          const torch::Tensor& cond,
                                          const StageObserver& observer) {
    torch::NoGradGuard no_grad;
    const auto chunk = m_next_chunk;
    const auto span = chunk_span(chunk);
    TORCH_CHECK(m_settings.decode, "FlashVsrStream: this stream was created without a decoder");
    TORCH_CHECK(m_dit_chunk == m_next_chunk + 1, "FlashVsrStream: chunk ", chunk,
                " must go through run_dit() before run_decoder()");
    const std::vector<std::int64_t> cond_shape{1, 3, span.output_end - span.output_begin, m_height,
                                               m_width};
    TORCH_CHECK(cond.sizes() == torch::IntArrayRef(cond_shape), "FlashVsrStream: chunk ", chunk,
                " needs cond frames ", torch::IntArrayRef(cond_shape), ", got ", cond.sizes());
    if (unloads_dit() && !m_shared->on_host) {
        m_shared->move_to(m_models.dit, torch::kCPU);
        m_shared->on_host = true;
        detail::release_cached_memory(m_models.device);
    }
    const auto device = m_models.device;
    const auto dtype = m_models.dtype;
    const auto key = "chunk" + std::to_string(chunk);
    auto cond_run = cond.to(device, dtype);
    auto decoded = decode(latents.to(device, dtype), cond_run);
    if (observer) {
        observer("decoded." + key, decoded);
    }
    TORCH_CHECK(decoded.size(2) == cond_shape[2], "FlashVsrStream: decoder returned ",
                decoded.size(2), " frames for chunk ", chunk, ", expected ", cond_shape[2]);
    torch::Tensor output = decoded;
    if (m_settings.color_fix != ColorFix::None) {
        ColorFixOptions options;
        options.method = m_settings.color_fix == ColorFix::Wavelet ? ColorFixMethod::Wavelet
                                                                   : ColorFixMethod::AdaIN;
        output = color_fix(decoded, cond_run, options);
    }
    if (observer) {
        observer("output." + key, output);
    }
    ++m_next_chunk;
    return output;
}

}  // namespace engine::pipeline
