#pragma once
// The tensor-level FlashVSR streaming loop (spec §3.3, §3.4, §3.7): one call per chunk, LQ frames
// and noise in, colour-fixed output frames out. Upscaler (frames in, frames out) and the golden
// runner both drive this class, so they compute exactly the same thing.
//
// Threads: one thread drives a FlashVsrStream at a time. It owns its models (shared handles) and
// every per-run state: DiT KV caches, LQ projector caches, decoder memories. State is bounded:
// nothing grows with the clip length.

#include "engine/core/result.h"
#include "engine/model/lq_proj/lq_projector.h"
#include "engine/model/tc_decoder/tc_decoder.h"
#include "engine/model/vae/wan_vae_decoder.h"
#include "engine/model/wan/wan_model.h"
#include "engine/pipeline/frame_rule.h"
#include "engine/pipeline/upscaler.h"
#include "engine/torch.h"

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>

namespace engine::pipeline {

// The files of a model folder; an empty path means "not needed / not loaded".
struct ModelFiles {
    std::filesystem::path dit;         // diffusion_pytorch_model_streaming_dmd.safetensors
    std::filesystem::path lq_proj;     // LQ_proj_in.ckpt
    std::filesystem::path tc_decoder;  // TCDecoder.ckpt (tiny, tiny-long)
    std::filesystem::path vae;         // Wan2.1_VAE.pth (full)
    std::filesystem::path prompt;      // posi_prompt.pth
    // The standard file names inside `folder`, with only the decoder that `mode` uses.
    static ModelFiles in_folder(const std::filesystem::path& folder, Mode mode);
};

struct FlashVsrModels {
    model::wan::WanModel dit{nullptr};
    model::lq_proj::LqProjector lq_proj{nullptr};
    model::tc_decoder::TCDecoder tc_decoder{nullptr};  // null unless loaded
    model::vae::WanVaeDecoder vae{nullptr};            // null unless loaded
    torch::Tensor prompt;                              // [1, L_ctx, text_dim]
    torch::Device device = torch::kCPU;
    torch::ScalarType dtype = torch::kFloat;
};

// Loads every non-empty file of `files` (strict binding, configs inferred from the weights),
// casting weights to `dtype` on `device`. Errors: ModelFileMissing (with "path"), and those of
// load_state_dict / detect_from_weights / bind_module.
Result<FlashVsrModels> load_models(const ModelFiles& files,
                                   torch::Device device,
                                   torch::ScalarType dtype);

struct StreamSettings {
    Mode mode = Mode::Tiny;
    ModelVersion version = ModelVersion::V11;
    double sparse_ratio = 2.0;
    double kv_ratio = 3.0;
    int local_range = 11;
    ColorFix color_fix = ColorFix::AdaIN;
    bool tiled_vae = false;  // full mode only
    // Reference: torch reference attention even where the CUDA kernels could run.
    bool reference_attention = false;
    // false: stop after the DiT; run_chunk() returns the chunk's latents and no decoder is
    // needed (parity tools checking the DiT before the decoders are available).
    bool decode = true;
};

// Receives intermediate tensors by name (for parity checks): "text.k_block0", "text.v_block0",
// "time.t", "time.t_mod" (first chunk only), then per chunk k: "lq_tokens.chunk<k>",
// "mask.chunk<k>.block<b>" (bool), "velocity.chunk<k>", "latents.chunk<k>", "decoded.chunk<k>",
// "output.chunk<k>". Called on the driving thread; tensors are on the run device.
using StageObserver = std::function<void(const std::string& name, const torch::Tensor& value)>;

class FlashVsrStream {
  public:
    // padded_height/width: the model frame size (multiples of 128). Errors: InvalidArgument
    // (size, settings, or the decoder the mode needs was not loaded).
    static Result<std::unique_ptr<FlashVsrStream>> create(FlashVsrModels models,
                                                          const StreamSettings& settings,
                                                          std::int64_t padded_height,
                                                          std::int64_t padded_width);

    // The chunk the next run_chunk() computes (0 after create/reset).
    std::int64_t next_chunk() const { return m_next_chunk; }

    // Runs chunk k = next_chunk(), with s = chunk_span(k):
    //   lq    [1, 3, s.lq_end - s.lq_begin, H, W]: LQ frames for the projector,
    //   cond  [1, 3, s.output_end - s.output_begin, H, W]: LQ frames of the chunk's outputs
    //         (TCDecoder conditioning and colour-fix style),
    //   noise [1, 16, s.latent_end - s.latent_begin, H/8, W/8].
    // Inputs may be on any device / dtype; they are moved to the run device and dtype.
    // Returns the chunk's output frames [1, 3, s.output_end - s.output_begin, H, W] in [-1, 1]
    // (colour-fixed and clamped when a colour fix is set) in the run dtype on the run device;
    // with settings.decode == false the chunk's latents [1, 16, f, H/8, W/8] instead.
    // Throws c10::Error / EngineException; the caller converts them.
    torch::Tensor run_chunk(const torch::Tensor& lq,
                            const torch::Tensor& cond,
                            const torch::Tensor& noise,
                            const StageObserver& observer = {});

    // Starts a new run: fresh caches and decoder memories; the prompt constants are kept.
    void reset();

    torch::Device device() const { return m_models.device; }
    torch::ScalarType dtype() const { return m_models.dtype; }
    const model::wan::SparseAttentionParams& sparse_params() const { return m_sparse; }

  private:
    FlashVsrStream(FlashVsrModels models,
                   const StreamSettings& settings,
                   std::int64_t height,
                   std::int64_t width);
    torch::Tensor project_lq(const torch::Tensor& lq);
    torch::Tensor decode(const torch::Tensor& latents, const torch::Tensor& cond);

    FlashVsrModels m_models;
    StreamSettings m_settings;
    std::int64_t m_height;
    std::int64_t m_width;
    model::wan::SparseAttentionParams m_sparse;
    model::wan::WanConstants m_constants;
    model::wan::WanStreamState m_dit_state;
    model::lq_proj::LqProjectorState m_lq_state;
    model::tc_decoder::TCDecoderState m_tc_state;
    std::optional<model::vae::WanVaeStreamDecoder> m_vae_stream;
    std::int64_t m_next_chunk = 0;
};

}  // namespace engine::pipeline
