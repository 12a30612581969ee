#pragma once
// The Wan2.1 VAE decoder of FlashVSR's full mode (spec §1.5, §2.6): latent de-normalisation,
// conv2, then the causal 3-D decoder run one latent frame at a time with per-conv input caches.
// Only conv2.* and decoder.* of Wan2.1_VAE.pth are used; encoder.* and conv1.* are ignored.
//
// Two layers of API:
//  - WanVaeDecoder (the weights) + WanVaeState (the caches of one run, one per tile when tiling):
//    decode() continues the run where the state left it.
//  - WanVaeStreamDecoder: what the pipeline drives. Fixed latent grid, optional spatial tiling
//    (spec §2.6), decode() called once per chunk in order; output clamped to [-1, 1].
//
// Causality makes chunking free: latent frame i only depends on frames <= i through the caches,
// so decoding T latents in any split into consecutive chunks gives exactly the frames of one
// decode of all T (1 + 4(T − 1) frames overall). Tiling keeps that property: each tile has its
// own caches, tiles never exchange data, and the blend weights do not depend on time, so
// blending per chunk equals upstream's blend of the whole video. The tiled result differs from
// the untiled one (each tile zero-pads at its own edges); that is upstream's approximation.
//
// Threads: the module is read-only during decode(); states and stream decoders belong to one run
// and one thread at a time.

#include "engine/core/result.h"
#include "engine/model/checkpoint/state_dict.h"
#include "engine/model/checkpoint/weight_stamp.h"
#include "engine/torch.h"

#include <array>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace engine::model::vae {

// Per-channel latent statistics of Wan2.1 (hard-coded upstream, not in the file).
inline constexpr std::array<float, 16> kLatentMean{
    -0.7571F, -0.7089F, -0.9113F, 0.1075F,  -0.1745F, 0.9653F,  -0.1517F, 1.5508F,
    0.4134F,  -0.0715F, 0.5517F,  -0.3632F, -0.1922F, -0.9497F, 0.2503F,  -0.2921F};
inline constexpr std::array<float, 16> kLatentStd{
    2.8184F, 1.4541F, 2.3275F, 2.6558F, 1.2196F, 1.7708F, 2.6052F, 2.0743F,
    3.2687F, 2.1526F, 2.8652F, 1.5579F, 1.6382F, 1.1253F, 2.8251F, 1.9160F};

// Pixels per latent cell along H and W.
inline constexpr std::int64_t kSpatialFactor = 8;

struct WanVaeConfig {
    std::int64_t dim = 96;                                   // base width (head width)
    std::int64_t z_dim = 16;                                 // latent channels
    std::vector<std::int64_t> dim_mult{1, 2, 4, 4};          // encoder order, as upstream
    std::int64_t num_res_blocks = 2;                         // per level the decoder has this + 1
    std::vector<bool> temporal_upsample{true, true, false};  // decoder levels 0..L-2

    // Infers the config from conv2.* and decoder.* shapes of a Wan2.1_VAE.pth state dict.
    // Errors: ModelKeysMismatch (a needed key is absent), ModelShapeMismatch (inconsistent).
    static Result<WanVaeConfig> detect_from_weights(const StateDict& dict);
};

// The caches of one decode run. A slot per causal conv: its last (up to) 2 input frames.
struct WanVaeState {
    struct Slot {
        torch::Tensor frames;  // undefined: no cache yet
        bool seen = false;     // Up3d time convs: false until the first call (upstream 'Rep')
    };
    std::vector<Slot> slots;
    std::int64_t latents_decoded = 0;

    void reset();
    // Moves every cached tensor to `device` (to park a tile's caches in host memory).
    void move_to(const torch::Device& device);
};

// F.normalize over channels (eps 1e-12) × sqrt(C) × gamma. Checkpoint name: gamma.
class RmsNormImpl : public torch::nn::Module {
  public:
    // spatial_dims: 3 for video tensors [B,C,T,H,W] (gamma [C,1,1,1]), 2 for images.
    RmsNormImpl(std::int64_t channels, int spatial_dims);
    torch::Tensor forward(const torch::Tensor& x);
    double scale() const { return m_scale; }  // sqrt(C)
    torch::Tensor gamma;

  private:
    double m_scale;
};
TORCH_MODULE(RmsNorm);

// R(i, o): residual.{0 norm, 2 conv, 3 norm, 6 conv} (+ shortcut 1x1x1 when i != o).
class ResidualBlockImpl : public torch::nn::Module {
  public:
    ResidualBlockImpl(std::int64_t in, std::int64_t out, int& next_slot);
    torch::Tensor forward(const torch::Tensor& x, WanVaeState& state);

    // Conv biases added in the pass after each conv (with the norm, SiLU and residual add: one
    // fused kernel on CUDA) instead of by the conv; set with the channels-last layout.
    bool fold_bias = false;
    RmsNorm norm0{nullptr};
    torch::nn::Conv3d conv2{nullptr};
    RmsNorm norm3{nullptr};
    torch::nn::Conv3d conv6{nullptr};
    torch::nn::Conv3d shortcut{nullptr};

  private:
    int m_slot2;
    int m_slot6;
};
TORCH_MODULE(ResidualBlock);

// Single-head self-attention over the H·W positions of each frame (decoder middle).
class AttentionBlockImpl : public torch::nn::Module {
  public:
    explicit AttentionBlockImpl(std::int64_t channels);
    torch::Tensor forward(const torch::Tensor& x);

    RmsNorm norm{nullptr};
    torch::nn::Conv2d to_qkv{nullptr};
    torch::nn::Conv2d proj{nullptr};
};
TORCH_MODULE(AttentionBlock);

// Up2d / Up3d: (Up3d: causal time conv doubling the frames) then per frame nearest 2x and a 3x3
// conv halving the channels. Checkpoint names resample.1.*, time_conv.*.
class ResampleImpl : public torch::nn::Module {
  public:
    ResampleImpl(std::int64_t channels, bool temporal, int& next_slot);
    torch::Tensor forward(const torch::Tensor& x, WanVaeState& state);

    torch::nn::Conv2d conv{nullptr};       // resample.1
    torch::nn::Conv3d time_conv{nullptr};  // Up3d only
    // Set with the channels-last layout (WanVaeDecoderImpl::set_channels_last): the nearest 2x
    // and the 3x3 conv as one sub-pixel conv of all frames on the low-resolution input
    // (tc_decoder::subpixel_upsample_conv): 16 instead of 36 multiply-adds per output pixel and
    // channel pair, and no upsampled copy. Equal up to the order of the sums (the phase weights
    // are sums of the 3x3 taps, added in float32 and rounded once).
    bool subpixel = false;

  private:
    int m_slot = -1;
    torch::Tensor m_subpixel_weight;  // [4m, C, 2, 2] channels-last, from conv->weight
    torch::Tensor m_subpixel_bias;    // conv->bias for each phase [4m]
    WeightStamp m_subpixel_source;
};
TORCH_MODULE(Resample);

class Decoder3dImpl : public torch::nn::Module {
  public:
    Decoder3dImpl(const WanVaeConfig& config, int& next_slot);
    // x: [B, z, t, h, w] (after conv2) -> [B, 3, t', 8h, 8w], unclamped.
    torch::Tensor forward(const torch::Tensor& x, WanVaeState& state);

    torch::nn::Conv3d conv1{nullptr};
    ResidualBlock middle0{nullptr};
    AttentionBlock middle1{nullptr};
    ResidualBlock middle2{nullptr};
    RmsNorm head_norm{nullptr};            // head.0
    torch::nn::Conv3d head_conv{nullptr};  // head.2

  private:
    struct Stage {
        ResidualBlock residual{nullptr};
        Resample resample{nullptr};
    };
    std::vector<Stage> m_upsamples;  // upsamples.N in order
    int m_conv1_slot;
    int m_head_slot;
};
TORCH_MODULE(Decoder3d);

class WanVaeDecoderImpl : public torch::nn::Module {
  public:
    explicit WanVaeDecoderImpl(const WanVaeConfig& config);

    // A fresh state sized for this model.
    WanVaeState make_state() const;

    // Continues the run in `state` with the next latent frames.
    //  latents: [B, z, T, h, w] in the DiT's normalised latent space (any device; moved to the
    //           module's device and dtype). De-normalised here: z / (1/std) + mean.
    // Returns [B, 3, T', 8h, 8w] in the module's dtype, NOT clamped; T' = 1 + 4(T − 1) when the
    // state is fresh, 4T afterwards. One latent frame is in flight at a time; each 2-D stage runs
    // frame by frame so the largest temporary is a few full-resolution frames.
    torch::Tensor decode(const torch::Tensor& latents, WanVaeState& state);

    const WanVaeConfig& config() const { return m_config; }

    // Activation layout: channels-last (NDHWC, cuDNN's fast 3-D kernels and channel reductions
    // over contiguous memory) or contiguous NCDHW. Unset, decode() picks channels-last on CUDA
    // and contiguous on the CPU (where convs run as 2-D taps over a T-major copy). The same
    // numbers either way up to the convolution algorithms' rounding. Not while a run decodes.
    void set_channels_last(bool enabled);

    torch::nn::Conv3d conv2{nullptr};
    Decoder3d decoder{nullptr};

  private:
    WanVaeConfig m_config;
    int m_slot_count = 0;
    std::optional<bool> m_channels_last;
    // The latent mean and 1/std on the weights' device and dtype, made at the first decode: a
    // fresh host tensor copied per call would wait for the device (a host sync per tile).
    torch::Tensor m_mean;
    torch::Tensor m_inv_std;
};
TORCH_MODULE(WanVaeDecoder);

// Latent-space tile geometry of spec §2.6 (pipeline defaults: 60x104 tiles, stride 30x52).
struct VaeTiling {
    std::int64_t tile_height = 60;
    std::int64_t tile_width = 104;
    std::int64_t stride_height = 30;
    std::int64_t stride_width = 52;
};

struct VaeTile {
    std::int64_t h0, h1, w0, w1;  // latent rows [h0, h1), columns [w0, w1), clipped to the grid
};

// Upstream's tile origins for a latent grid (rows in the outer loop).
std::vector<VaeTile> plan_vae_tiles(std::int64_t latent_height,
                                    std::int64_t latent_width,
                                    const VaeTiling& tiling);

// Upstream's blend mask of one tile in pixels, [8(h1−h0), 8(w1−w0)] float32: 1, with linear ramps
// (1..bw)/bw of width bw = 8(tile − stride) on every side that is not on the image border;
// the 2-D mask is the minimum of the row and column ramps.
torch::Tensor vae_tile_mask(const VaeTile& tile,
                            std::int64_t latent_height,
                            std::int64_t latent_width,
                            const VaeTiling& tiling);

struct WanVaeStreamOptions {
    std::optional<VaeTiling> tiling;  // nullopt: decode whole frames
    // Tiled only: where each tile's caches wait between chunks (e.g. torch::kCPU to keep GPU
    // memory to one tile's caches). nullopt: they stay on the module's device.
    std::optional<torch::Device> cache_device;
};

class WanVaeStreamDecoder {
  public:
    // `model` is shared, not copied. The latent grid (h, w) is fixed for the run.
    WanVaeStreamDecoder(WanVaeDecoder model,
                        std::int64_t latent_height,
                        std::int64_t latent_width,
                        WanVaeStreamOptions options = {});

    // latents: [1, z, T, h, w] (T >= 1) -> [1, 3, T', 8h, 8w] in the module's dtype on its device,
    // clamped to [-1, 1]; T' = 1 + 4(T − 1) on the first call of a run, 4T afterwards.
    // Tiled: tiles decoded one after another, blended with upstream's ramps (accumulated in
    // float32 on the module's device; upstream accumulates in the run dtype on the host).
    torch::Tensor decode(const torch::Tensor& latents);

    // Starts a new run (fresh caches).
    void reset();
    std::int64_t latents_decoded() const { return m_latents_decoded; }
    const std::vector<VaeTile>& tiles() const { return m_tiles; }

  private:
    WanVaeDecoder m_model;
    std::int64_t m_latent_height;
    std::int64_t m_latent_width;
    WanVaeStreamOptions m_options;
    std::vector<VaeTile> m_tiles;
    std::vector<WanVaeState> m_states;   // one per tile (one in total when untiled)
    std::vector<torch::Tensor> m_masks;  // per tile [1, 1, 1, 8th, 8tw] float32
    torch::Tensor m_weight;              // [1, 1, 1, 8h, 8w] float32, sum of the masks
    std::int64_t m_latents_decoded = 0;
};

// Loads Wan2.1_VAE.pth (conv2 + decoder; encoder.* and conv1.* ignored): config from the weight
// shapes, strict binding, module moved to options.device / options.dtype (default float32), eval.
Result<WanVaeDecoder> load_wan_vae_decoder(const std::filesystem::path& path,
                                           const LoadOptions& options = {});
Result<WanVaeDecoder> make_wan_vae_decoder(const StateDict& dict,
                                           const LoadOptions& options = {},
                                           const std::string& file_label = {});

}  // namespace engine::model::vae
