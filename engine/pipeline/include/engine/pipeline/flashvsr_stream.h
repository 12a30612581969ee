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
#include <memory>
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
    // Full mode on CUDA: the DiT weights and its prompt K/V wait in host memory while the VAE
    // decodes and come back before the next DiT step (upstream's unload_dit). Ignored elsewhere.
    bool unload_dit = false;
    // Tiled VAE only: where the VAE tile caches wait between chunks (nullopt: the run device).
    std::optional<torch::Device> vae_cache_device;
};

// Receives intermediate tensors by name (for parity checks): "text.k_block0", "text.v_block0",
// "time.t", "time.t_mod" (first chunk only), then per chunk k: "lq_tokens.chunk<k>",
// "mask.chunk<k>.block<b>" (bool), "velocity.chunk<k>", "latents.chunk<k>", "decoded.chunk<k>",
// "output.chunk<k>". Called on the driving thread; tensors are on the run device.
using StageObserver = std::function<void(const std::string& name, const torch::Tensor& value)>;

// The DiT's per-run constants and where the DiT currently is; shared by the streams of one run
// (the tiles of a tiled run), so that the prompt K/V exist once and the DiT moves once.
struct SharedDit;

class FlashVsrStream {
  public:
    // A restore point of the per-run state: caches, memories and chunk counters. The DiT's KV
    // pool is written in place, so it is copied (one more KV state of memory while the restore
    // point lives); every other module replaces its state tensors and never writes into them,
    // so holding the old handles keeps the old values (tests/engine/pipeline checks this).
    struct Checkpoint;

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
    // run_chunk() = run_dit() then run_decoder(): bit-identical, whichever is called.
    // between_stages, if set, is called once in between, when the DiT's work is queued and the
    // decoder's not yet: on CUDA the device is then still busy with the DiT, so host work put
    // there (the previous chunk's frames) does not leave it idle.
    torch::Tensor run_chunk(const torch::Tensor& lq,
                            const torch::Tensor& cond,
                            const torch::Tensor& noise,
                            const StageObserver& observer = {},
                            const std::function<void()>& between_stages = {});

    // Stage 1 of chunk next_chunk(): LQ projector and DiT. Returns the latents
    // [1, 16, f, H/8, W/8] (run dtype, run device). Must alternate with run_decoder() (with
    // settings.decode == false, run_chunk() only).
    torch::Tensor run_dit(const torch::Tensor& lq,
                          const torch::Tensor& noise,
                          const StageObserver& observer = {});
    // Stage 2: decoder and colour fix of the latents run_dit() returned; advances next_chunk().
    torch::Tensor run_decoder(const torch::Tensor& latents,
                              const torch::Tensor& cond,
                              const StageObserver& observer = {});

    // Starts a new run: fresh caches and decoder memories; the prompt constants are kept.
    void reset();

    // A stream for another model frame size (a tile) sharing this stream's weights, settings,
    // prompt K/V and DiT residency; its own fresh per-run state. Errors as create().
    Result<std::unique_ptr<FlashVsrStream>> create_sibling(std::int64_t padded_height,
                                                           std::int64_t padded_width) const;

    Checkpoint checkpoint() const;
    void restore(const Checkpoint& checkpoint);
    // Moves the per-run state (KV caches, projector caches, decoder memories, VAE caches of an
    // untiled VAE) to `device`; the next chunk moves nothing back by itself, so park with the
    // host and call move_state_to(device()) before the next chunk.
    void move_state_to(const torch::Device& device);
    // Bytes of the per-run state tensors (views counted by their own size).
    std::int64_t state_bytes() const;

    torch::Device device() const { return m_models.device; }
    torch::ScalarType dtype() const { return m_models.dtype; }
    const model::wan::SparseAttentionParams& sparse_params() const { return m_sparse; }
    std::int64_t height() const { return m_height; }
    std::int64_t width() const { return m_width; }

  private:
    FlashVsrStream(FlashVsrModels models,
                   const StreamSettings& settings,
                   std::int64_t height,
                   std::int64_t width,
                   std::shared_ptr<SharedDit> shared);
    torch::Tensor project_lq(const torch::Tensor& lq);
    torch::Tensor decode(const torch::Tensor& latents, const torch::Tensor& cond);
    bool unloads_dit() const;

    FlashVsrModels m_models;
    StreamSettings m_settings;
    std::int64_t m_height;
    std::int64_t m_width;
    model::wan::SparseAttentionParams m_sparse;
    std::shared_ptr<SharedDit> m_shared;
    model::wan::WanStreamState m_dit_state;
    model::lq_proj::LqProjectorState m_lq_state;
    model::tc_decoder::TCDecoderState m_tc_state;
    model::vae::WanVaeState m_vae_state;                          // untiled VAE
    std::optional<model::vae::WanVaeStreamDecoder> m_vae_stream;  // tiled VAE
    std::int64_t m_next_chunk = 0;                                // chunks fully done (decoded)
    std::int64_t m_dit_chunk = 0;  // chunks through the DiT (m_next_chunk or one more)
};

struct FlashVsrStream::Checkpoint {
    model::wan::WanStreamState dit_state;
    model::lq_proj::LqProjectorState lq_state;
    model::tc_decoder::TCDecoderState tc_state;
    model::vae::WanVaeState vae_state;
    std::optional<model::vae::WanVaeStreamDecoder> vae_stream;
    std::int64_t next_chunk = 0;
    std::int64_t dit_chunk = 0;
};

}  // namespace engine::pipeline
