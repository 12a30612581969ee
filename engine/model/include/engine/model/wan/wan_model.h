#pragma once
// The FlashVSR DiT (Wan2.1 T2V layout, spec §1.2, §2.1) in its streaming form. Module member
// names ARE the checkpoint keys (diffsynth WanModel); do not rename them. Weights live in the
// modules; everything that changes per run (self-attention KV caches, prompt K/V, timestep
// embedding) lives in plain structs the caller owns, so one model can serve several runs.
// Not thread-safe: one thread drives a model at a time.

#include "engine/core/result.h"
#include "engine/model/attention/block_sparse_attention.h"
#include "engine/model/checkpoint/state_dict.h"
#include "engine/model/wan/rope.h"
#include "engine/torch.h"

#include <array>
#include <cstdint>
#include <functional>
#include <vector>

namespace engine::model::wan {

struct WanConfig {
    std::int64_t dim = 1536;
    std::int64_t in_dim = 16;
    std::int64_t out_dim = 16;
    std::int64_t ffn_dim = 8960;
    std::int64_t text_dim = 4096;
    std::int64_t freq_dim = 256;
    std::int64_t num_heads = 12;
    std::int64_t num_layers = 30;
    std::array<std::int64_t, 3> patch_size{1, 2, 2};
    double eps = 1e-6;

    std::int64_t head_dim() const { return dim / num_heads; }
    // Wan2.1-T2V-1.3B, the FlashVSR release.
    static WanConfig wan21_1_3b() { return WanConfig{}; }
    // Infers every size from tensor shapes (heads = dim / 128: the files do not record it, and
    // RoPE needs head_dim 128). Errors: ModelKeysMismatch (a needed key is absent),
    // ModelShapeMismatch (inconsistent shapes).
    static Result<WanConfig> detect_from_weights(const StateDict& weights);
};

// y = (x_f32 * rsqrt(mean(x_f32^2) + eps)).to(dtype) * weight, over the last axis.
class RmsNormImpl : public torch::nn::Module {
  public:
    RmsNormImpl(std::int64_t dim, double eps);
    torch::Tensor forward(const torch::Tensor& x);

    torch::Tensor weight;  // [dim]
    double eps() const { return m_eps; }

  private:
    double m_eps;
};
TORCH_MODULE(RmsNorm);

// The self-attention K/V of every block of one run (spec §2.1.2) in one pool of slots. A slot
// holds one temporal window of window-partitioned K (after RMSNorm and RoPE, absolute positions)
// or V: S = (h/8)·(w/8) windows of 128 tokens, rows [slot·S, (slot+1)·S) of k and v. A chunk's
// new windows are written once into free slots; after a block's attention its oldest temporal
// window is dropped by freeing the slot. So nothing is copied once written, and the run needs
// free room for one chunk's windows in total, not one temporal window more per block (what
// per-block buffers that append and drop by copying would need).
// Slots are written in place: a copy of the state that must keep its values needs snapshot().
struct KvSlotPool {
    torch::Tensor k;  // [slots·S, 128, dim], run dtype and device
    torch::Tensor v;
    std::int64_t windows_per_slot = 0;  // S
    std::vector<std::int64_t> free;     // free slots, taken from the back
    bool empty() const { return !k.defined(); }
    std::int64_t slots() const { return empty() ? 0 : k.size(0) / windows_per_slot; }
};

// Self-attention KV cache of one block: its temporal windows' slots in the run's KvSlotPool,
// oldest first. Empty before the first chunk.
struct SelfAttentionCache {
    std::vector<std::int64_t> slots;
    // With the CUDA selection kernel: the 128-token means of the cached windows, [slots·S, dim]
    // in the same order, so the next chunk's block selection pools only its new windows.
    torch::Tensor k_pooled;
    // Set by WanStreamState::reset on block 0's cache: its next forward logs which attention
    // implementation runs and why (once per run), then clears the flag.
    bool log_kernel_choice = false;
    bool empty() const { return slots.empty(); }
};

// Sparse-attention settings of one run (spec §4.1).
struct SparseAttentionParams {
    std::int64_t topk = 0;    // int(S*S*topk_ratio) - 1
    std::int64_t kv_len = 3;  // int(kv_ratio): cached temporal windows kept
    std::int64_t local_range = 11;
    attention::Backend backend = attention::Backend::Auto;
};

// Called with (block index, bool mask [1, heads, query windows, key windows]) for every block.
using MaskObserver = std::function<void(std::int64_t block, const torch::Tensor& mask)>;

class SelfAttentionImpl : public torch::nn::Module {
  public:
    SelfAttentionImpl(const WanConfig& config);
    // x [1, f*h*w, dim] (token grid f x h x w, f even, h and w multiples of 8), freqs from
    // rope_freqs. Reads and updates `cache` (spec §2.1.2), whose K/V live in `pool` (sized by
    // WanModel::forward_chunk; grown here if a chunk finds too few free slots). Returns
    // [1, f*h*w, dim].
    torch::Tensor forward(const torch::Tensor& x,
                          const torch::Tensor& freqs,
                          std::array<std::int64_t, 3> grid,
                          const SparseAttentionParams& sparse,
                          SelfAttentionCache& cache,
                          KvSlotPool& pool,
                          torch::Tensor* mask_out);

    torch::nn::Linear q{nullptr}, k{nullptr}, v{nullptr}, o{nullptr};
    RmsNorm norm_q{nullptr}, norm_k{nullptr};

  private:
    std::int64_t m_num_heads;
};
TORCH_MODULE(SelfAttention);

class CrossAttentionImpl : public torch::nn::Module {
  public:
    CrossAttentionImpl(const WanConfig& config);
    // Prompt K (k-linear then RMSNorm) and V (v-linear) of ctx [1, L_ctx, dim].
    std::pair<torch::Tensor, torch::Tensor> project_context(const torch::Tensor& ctx);
    // x [1, L, dim] attends to the cached prompt K/V [1, L_ctx, dim]; no mask, no RoPE. With
    // Backend::Auto on CUDA bf16/fp16 the RMSNorm of q is one fused kernel (same numerics).
    torch::Tensor forward(const torch::Tensor& x,
                          const torch::Tensor& context_k,
                          const torch::Tensor& context_v,
                          attention::Backend backend = attention::Backend::Auto);

    torch::nn::Linear q{nullptr}, k{nullptr}, v{nullptr}, o{nullptr};
    RmsNorm norm_q{nullptr}, norm_k{nullptr};

  private:
    std::int64_t m_num_heads;
};
TORCH_MODULE(CrossAttention);

class DiTBlockImpl : public torch::nn::Module {
  public:
    DiTBlockImpl(const WanConfig& config);
    // x [1, L, dim], t_mod [1, 6, dim] -> [1, L, dim] (spec §2.1.1). With the CUDA kernels
    // (sparse.backend Auto, CUDA bf16/fp16) the residuals, norms and modulations run as fused
    // kernels that reproduce upstream's per-op roundings; otherwise as plain torch ops.
    torch::Tensor forward(const torch::Tensor& x,
                          const torch::Tensor& t_mod,
                          const torch::Tensor& context_k,
                          const torch::Tensor& context_v,
                          const torch::Tensor& freqs,
                          std::array<std::int64_t, 3> grid,
                          const SparseAttentionParams& sparse,
                          SelfAttentionCache& cache,
                          KvSlotPool& pool,
                          torch::Tensor* mask_out);

    SelfAttention self_attn{nullptr};
    CrossAttention cross_attn{nullptr};
    torch::nn::LayerNorm norm3{nullptr};
    torch::nn::Sequential ffn{nullptr};  // ffn.0 Linear, ffn.1 GELU(tanh), ffn.2 Linear
    torch::Tensor modulation;            // [1, 6, dim]

  private:
    double m_eps;
    torch::nn::Linear m_ffn_in{nullptr};  // = ffn[0], ffn[2], held typed
    torch::nn::Linear m_ffn_out{nullptr};
};
TORCH_MODULE(DiTBlock);

class HeadImpl : public torch::nn::Module {
  public:
    HeadImpl(const WanConfig& config);
    // x [1, L, dim], t [1, dim] (the time embedding, not t_mod) -> [1, L, out_dim * prod(patch)].
    // `backend` as for the blocks: Auto fuses LayerNorm + modulation on CUDA bf16/fp16.
    torch::Tensor forward(const torch::Tensor& x,
                          const torch::Tensor& t,
                          attention::Backend backend = attention::Backend::Auto);

    torch::nn::Linear head{nullptr};
    torch::Tensor modulation;  // [1, 2, dim]

  private:
    double m_eps;
};
TORCH_MODULE(Head);

// Per-run constants (spec §2.1 constants 1-5), computed once from the prompt.
struct WanConstants {
    torch::Tensor t;                       // [1, dim]
    torch::Tensor t_mod;                   // [1, 6, dim]
    std::vector<torch::Tensor> context_k;  // per block [1, L_ctx, dim]
    std::vector<torch::Tensor> context_v;
};

// Streaming state of one run: one KV cache per block, their K/V in one slot pool.
struct WanStreamState {
    std::vector<SelfAttentionCache> self_attention;
    KvSlotPool kv;
    // Starts a run: empty caches (the pool's memory is kept for the next run of the same size),
    // and block 0 logs its attention implementation once.
    void reset(std::size_t blocks);
    // A copy whose values later chunks do not change (they write the pool in place): the pool
    // is cloned. For restore points.
    WanStreamState snapshot() const;
    // Moves the pool and pooled keys to `device` (to park the state in host memory).
    void move_to(const torch::Device& device);
    // Device or host bytes the state holds (the pool and pooled keys).
    std::int64_t bytes() const;
};

class WanModelImpl : public torch::nn::Module {
  public:
    explicit WanModelImpl(const WanConfig& config);

    const WanConfig& config() const { return m_config; }

    // prompt [1, L_ctx, text_dim] (cast to the model dtype here), timestep in the model dtype.
    WanConstants prepare_constants(const torch::Tensor& prompt, double timestep = 1000.0);

    // One streaming chunk (spec §2.1 per-chunk steps 1-7). latents [1, in_dim, f, H/8, W/8] noise,
    // lq_tokens [1, f*h*w, dim] added before block 0, frame_offset = RoPE temporal position of
    // the chunk's first latent. Updates `state`. Returns the velocity v [1, out_dim, f, H/8, W/8].
    torch::Tensor forward_chunk(const torch::Tensor& latents,
                                const torch::Tensor& lq_tokens,
                                std::int64_t frame_offset,
                                const WanConstants& constants,
                                const SparseAttentionParams& sparse,
                                WanStreamState& state,
                                const MaskObserver& on_mask = {});

    torch::nn::Conv3d patch_embedding{nullptr};
    torch::nn::Sequential text_embedding{nullptr};   // .0 Linear, .1 GELU(tanh), .2 Linear
    torch::nn::Sequential time_embedding{nullptr};   // .0 Linear, .1 SiLU, .2 Linear
    torch::nn::Sequential time_projection{nullptr};  // .0 SiLU, .1 Linear(dim, 6 dim)
    torch::nn::ModuleList blocks{nullptr};
    Head head{nullptr};

  private:
    WanConfig m_config;
    // The RoPE tables (complex128, CPU) and their copy on the device the DiT last ran on.
    const RopeTables& rope_tables_on(const torch::Device& device);
    RopeTables m_rope;
    RopeTables m_rope_device;
};
TORCH_MODULE(WanModel);

// Sinusoidal timestep embedding: [cos(t w_i), sin(t w_i)], w_i = 10000^(-i/(dim/2)), computed in
// float64 and cast to `position`'s dtype. position [N] -> [N, dim].
torch::Tensor sinusoidal_embedding(std::int64_t dim, const torch::Tensor& position);

}  // namespace engine::model::wan
