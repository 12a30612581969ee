#include "engine/model/wan/wan_model.h"

#include "engine/core/log.h"
#include "engine/model/attention/block_mask.h"
#include "engine/model/attention/block_sparse_attention.h"
#include "engine/model/attention/window.h"

#ifdef FVSR_HAVE_CUDA_KERNELS
#include "kernels/torch/dit_elementwise.h"
#include "kernels/torch/qkv_prepare.h"
#include "kernels/torch/sparse_attention.h"
#endif

#include <cmath>
#include <string>

namespace engine::model::wan {

namespace F = torch::nn::functional;
using attention::WindowShape;

namespace {

constexpr std::int64_t kHeadDim = 128;

torch::nn::Linear linear(std::int64_t in, std::int64_t out) {
    return torch::nn::Linear(torch::nn::LinearOptions(in, out).bias(true));
}

// Parameter-free activations as modules, so Sequential indices match the checkpoint keys.
struct GeluTanhImpl : torch::nn::Module {
    torch::Tensor forward(const torch::Tensor& x) {
        return F::gelu(x, F::GELUFuncOptions().approximate("tanh"));
    }
};
TORCH_MODULE(GeluTanh);

struct SiluImpl : torch::nn::Module {
    torch::Tensor forward(const torch::Tensor& x) { return torch::silu(x); }
};
TORCH_MODULE(Silu);

GeluTanh gelu_tanh() {
    return GeluTanh();
}

Silu silu() {
    return Silu();
}

// A Linear over tokens [..., in] as one GEMM with the bias added in its epilogue. (The C++
// frontend's Linear runs matmul plus a separate bias pass for inputs of more than 2 dimensions.)
torch::Tensor project(const torch::nn::Linear& layer, const torch::Tensor& x) {
    auto sizes = x.sizes().vec();
    auto rows = torch::addmm(layer->bias, x.reshape({-1, sizes.back()}), layer->weight.t());
    sizes.back() = layer->weight.size(0);
    return rows.view(sizes);
}

// GELU(tanh)(Linear(x)). On CUDA the GELU runs in the GEMM epilogue (cuBLASLt GELU_BIAS, the tanh
// form) on the fp32 accumulator, one rounding instead of two and no extra pass over the
// [tokens, ffn_dim] activation.
torch::Tensor project_gelu_tanh(const torch::nn::Linear& layer, const torch::Tensor& x) {
    if (x.is_cuda()) {
        auto sizes = x.sizes().vec();
        auto rows = at::_addmm_activation(layer->bias, x.reshape({-1, sizes.back()}),
                                          layer->weight.t(), 1, 1, /*use_gelu=*/true);
        sizes.back() = layer->weight.size(0);
        return rows.view(sizes);
    }
    return F::gelu(project(layer, x), F::GELUFuncOptions().approximate("tanh"));
}

torch::Tensor layer_norm(const torch::Tensor& x, double eps) {
    return torch::layer_norm(x, {x.size(-1)}, {}, {}, eps);
}

torch::Tensor modulate(const torch::Tensor& x,
                       const torch::Tensor& shift,
                       const torch::Tensor& scale) {
    return x * (1 + scale) + shift;
}

// Plain softmax attention, one head at a time to bound the score memory at real sizes.
// q [1, L, H*D], k/v [1, Lk, H*D] -> [1, L, H*D].
torch::Tensor dense_attention(const torch::Tensor& q,
                              const torch::Tensor& k,
                              const torch::Tensor& v,
                              std::int64_t num_heads) {
    const auto length = q.size(1);
    const auto head_dim = q.size(2) / num_heads;
    auto qh = q.view({1, length, num_heads, head_dim}).permute({0, 2, 1, 3});
    auto kh = k.view({1, k.size(1), num_heads, head_dim}).permute({0, 2, 1, 3});
    auto vh = v.view({1, v.size(1), num_heads, head_dim}).permute({0, 2, 1, 3});
#if FVSR_TORCH_AT_LEAST(2, 0)
    auto out = at::scaled_dot_product_attention(qh, kh, vh);
#else
    const double scale = 1.0 / std::sqrt(static_cast<double>(head_dim));
    std::vector<torch::Tensor> heads;
    heads.reserve(static_cast<std::size_t>(num_heads));
    for (std::int64_t h = 0; h < num_heads; ++h) {
        auto scores = torch::matmul(qh.select(1, h), kh.select(1, h).transpose(-1, -2)) * scale;
        heads.push_back(torch::matmul(torch::softmax(scores, -1), vh.select(1, h)));
    }
    auto out = torch::stack(heads, 1);
#endif
    return out.permute({0, 2, 1, 3}).reshape({1, length, num_heads * head_dim});
}

#ifdef FVSR_HAVE_CUDA_KERNELS
// True when the fused elementwise kernels (kernels/torch/dit_elementwise.h) take this activation
// and these per-channel tensors: the attention kernels' conditions (CUDA, bf16/fp16, not the
// reference backend) and one dtype for all, which the kernels do not convert.
bool fused_elementwise(const torch::Tensor& x,
                       attention::Backend backend,
                       std::initializer_list<const torch::Tensor*> vectors) {
    if (!attention::kernels_accept(x, kHeadDim, backend)) {
        return false;
    }
    for (const auto* v : vectors) {
        if (v->scalar_type() != x.scalar_type()) {
            return false;
        }
    }
    return true;
}
#endif

torch::Tensor require(const StateDict& weights, const std::string& key, std::int64_t dims) {
    return required_weight(weights, key, dims, "DiT");
}

}  // namespace

Result<WanConfig> WanConfig::detect_from_weights(const StateDict& weights) {
    try {
        WanConfig c;
        const auto patch = require(weights, "patch_embedding.weight", 5);
        c.dim = patch.size(0);
        c.in_dim = patch.size(1);
        c.patch_size = {patch.size(2), patch.size(3), patch.size(4)};
        c.text_dim = require(weights, "text_embedding.0.weight", 2).size(1);
        c.freq_dim = require(weights, "time_embedding.0.weight", 2).size(1);
        c.ffn_dim = require(weights, "blocks.0.ffn.0.weight", 2).size(0);
        const auto head_out = require(weights, "head.head.weight", 2).size(0);
        const auto patch_volume = c.patch_size[0] * c.patch_size[1] * c.patch_size[2];
        c.out_dim = head_out / patch_volume;
        c.num_layers = 0;
        while (weights.contains("blocks." + std::to_string(c.num_layers) + ".modulation")) {
            ++c.num_layers;
        }
        if (c.dim % kHeadDim != 0 || head_out % patch_volume != 0 || c.freq_dim % 2 != 0) {
            return Error(ErrorCode::ModelShapeMismatch,
                         "DiT shapes are inconsistent: dim " + std::to_string(c.dim) +
                             " (must be a multiple of 128), head " + std::to_string(head_out) +
                             " outputs for patch volume " + std::to_string(patch_volume));
        }
        c.num_heads = c.dim / kHeadDim;
        return c;
    } catch (const EngineException& e) {
        return e.error();
    }
}

// ---------------------------------------------------------------------------------------------

RmsNormImpl::RmsNormImpl(std::int64_t dim, double eps) : m_eps(eps) {
    weight = register_parameter("weight", torch::ones({dim}));
}

torch::Tensor RmsNormImpl::forward(const torch::Tensor& x) {
    auto xf = x.to(torch::kFloat);
    auto normed = xf * torch::rsqrt(xf.pow(2).mean(-1, true) + m_eps);
    return normed.to(x.scalar_type()) * weight;
}

SelfAttentionImpl::SelfAttentionImpl(const WanConfig& config) : m_num_heads(config.num_heads) {
    q = register_module("q", linear(config.dim, config.dim));
    k = register_module("k", linear(config.dim, config.dim));
    v = register_module("v", linear(config.dim, config.dim));
    o = register_module("o", linear(config.dim, config.dim));
    norm_q = register_module("norm_q", RmsNorm(config.dim, config.eps));
    norm_k = register_module("norm_k", RmsNorm(config.dim, config.eps));
}

namespace {

// Key window j of a cache whose temporal windows sit in `slots` (oldest first) is pool row
// slots[j / S]·S + j mod S: the logical-to-pool map, int32 [slots·S] on `device` (through pinned
// memory and a non-blocking copy on CUDA, so the host does not wait for the GPU).
torch::Tensor window_map(const std::vector<std::int64_t>& slots,
                         std::int64_t windows_per_slot,
                         const torch::Device& device) {
    const auto n = static_cast<std::int64_t>(slots.size()) * windows_per_slot;
    auto options = torch::TensorOptions().dtype(torch::kInt);
    if (device.is_cuda()) {
        options = options.pinned_memory(true);
    }
    auto host = torch::empty({n}, options);
    auto* out = host.data_ptr<std::int32_t>();
    for (std::size_t s = 0; s < slots.size(); ++s) {
        for (std::int64_t w = 0; w < windows_per_slot; ++w) {
            *out++ = static_cast<std::int32_t>(slots[s] * windows_per_slot + w);
        }
    }
    return device.is_cpu() ? host : host.to(device, /*non_blocking=*/true);
}

// Adds `more` free slots, keeping every slot's rows where they are (rare: only a chunk with more
// new windows than the pool was sized for).
void grow_pool(KvSlotPool& pool, std::int64_t more) {
    const auto old_slots = pool.slots();
    auto grow = [&](torch::Tensor& t) {
        auto bigger = torch::empty(
            {(old_slots + more) * pool.windows_per_slot, t.size(1), t.size(2)}, t.options());
        bigger.narrow(0, 0, t.size(0)).copy_(t);
        t = std::move(bigger);
    };
    grow(pool.k);
    grow(pool.v);
    for (auto slot = old_slots + more - 1; slot >= old_slots; --slot) {
        pool.free.push_back(slot);
    }
    engine::log_info("DiT KV pool grown to " + std::to_string(old_slots + more) + " slots");
}

// Slots a run needs when every chunk after the first brings one temporal window: after the
// first chunk each block keeps its windows less the one dropped once a cache exceeds kv_len;
// during a block's attention that block also holds the chunk's new windows.
std::int64_t pool_slots_needed(std::int64_t blocks,
                               std::int64_t first_windows,
                               std::int64_t kv_len) {
    const auto after_first = first_windows - (first_windows > kv_len ? 1 : 0);
    const auto steady = std::max(after_first, kv_len);
    return std::max((blocks - 1) * after_first + first_windows, blocks * steady + 1);
}

}  // namespace

void WanStreamState::reset(std::size_t blocks) {
    self_attention.assign(blocks, SelfAttentionCache{});
    if (!self_attention.empty()) {
        self_attention.front().log_kernel_choice = true;
    }
    kv.free.clear();
    for (auto slot = kv.slots() - 1; slot >= 0; --slot) {
        kv.free.push_back(slot);
    }
}

WanStreamState WanStreamState::snapshot() const {
    WanStreamState copy = *this;
    if (!kv.empty()) {
        copy.kv.k = kv.k.clone();
        copy.kv.v = kv.v.clone();
    }
    return copy;
}

void WanStreamState::move_to(const torch::Device& device) {
    auto move = [&](torch::Tensor& t) {
        if (t.defined() && t.device() != device) {
            t = t.to(device);
        }
    };
    move(kv.k);
    move(kv.v);
    for (auto& cache : self_attention) {
        move(cache.k_pooled);
    }
}

std::int64_t WanStreamState::bytes() const {
    auto bytes_of = [](const torch::Tensor& t) {
        return t.defined() ? t.numel() * static_cast<std::int64_t>(t.element_size()) : 0;
    };
    std::int64_t total = bytes_of(kv.k) + bytes_of(kv.v);
    for (const auto& cache : self_attention) {
        total += bytes_of(cache.k_pooled);
    }
    return total;
}

torch::Tensor SelfAttentionImpl::forward(const torch::Tensor& x,
                                         const torch::Tensor& freqs,
                                         std::array<std::int64_t, 3> grid,
                                         const SparseAttentionParams& sparse,
                                         SelfAttentionCache& cache,
                                         KvSlotPool& pool,
                                         torch::Tensor* mask_out) {
    const auto [f, h, w] = grid;
    const auto dim = x.size(2);
    const auto head_dim = dim / m_num_heads;
    const WindowShape window{};
    const auto query_groups = f / window.frames;
    const auto windows_per_frame = (h / window.height) * (w / window.width);  // S
    TORCH_CHECK(!pool.empty() && pool.windows_per_slot == windows_per_frame &&
                    pool.k.size(2) == dim && pool.k.device() == x.device(),
                "SelfAttention: the KV pool (", pool.windows_per_slot,
                " windows per slot) does not fit this chunk (", windows_per_frame,
                " windows per temporal window, dim ", dim, ", ", x.device(), ")");

    // The chunk's temporal windows go into free slots, once; the cache is the slot list.
    if (static_cast<std::int64_t>(pool.free.size()) < query_groups) {
        grow_pool(pool, query_groups - static_cast<std::int64_t>(pool.free.size()));
    }
    std::vector<std::int64_t> slots = cache.slots;
    const auto first_new = slots.size();
    bool consecutive = true;
    for (std::int64_t g = 0; g < query_groups; ++g) {
        slots.push_back(pool.free.back());
        pool.free.pop_back();
        consecutive = consecutive && (g == 0 || slots.back() == slots[slots.size() - 2] + 1);
    }
    auto slot_rows = [&](const torch::Tensor& t, std::int64_t g, std::int64_t count) {
        return t.narrow(0, slots[first_new + g] * windows_per_frame, count * windows_per_frame);
    };

    torch::Tensor q_windows;
    torch::Tensor k_windows;
    torch::Tensor v_windows;
    bool in_pool = false;
#ifdef FVSR_HAVE_CUDA_KERNELS
    // One fused kernel for RMSNorm + RoPE of q and k and the window partition of q, k, v, which
    // writes k and v straight into their slots when those are consecutive (always at steady
    // state: one new temporal window).
    if (attention::kernels_accept(x, head_dim, sparse.backend)) {
        auto prepared = kernels::torch_api::qkv_prepare(
            project(q, x), project(k, x), project(v, x), norm_q->weight, norm_k->weight,
            norm_q->eps(), freqs, {f, h, w}, {window.frames, window.height, window.width},
            consecutive ? slot_rows(pool.k, 0, query_groups) : torch::Tensor(),
            consecutive ? slot_rows(pool.v, 0, query_groups) : torch::Tensor());
        q_windows = std::move(prepared.q);
        k_windows = std::move(prepared.k);
        v_windows = std::move(prepared.v);
        in_pool = consecutive;
    }
#endif
    if (!q_windows.defined()) {
        auto qx = apply_rope(norm_q(project(q, x)), freqs, m_num_heads);
        auto kx = apply_rope(norm_k(project(k, x)), freqs, m_num_heads);
        auto vx = project(v, x);
        q_windows = attention::window_partition(qx.view({1, f, h, w, dim}), window);
        k_windows = attention::window_partition(kx.view({1, f, h, w, dim}), window);
        v_windows = attention::window_partition(vx.view({1, f, h, w, dim}), window);
    }
    if (!in_pool) {
        for (std::int64_t g = 0; g < query_groups; ++g) {
            const auto rows = g * windows_per_frame;
            slot_rows(pool.k, g, 1).copy_(k_windows.narrow(0, rows, windows_per_frame));
            slot_rows(pool.v, g, 1).copy_(v_windows.narrow(0, rows, windows_per_frame));
        }
    }
    const auto key_map = window_map(slots, windows_per_frame, x.device());
    const auto nq = q_windows.size(0);
    auto q_heads = q_windows.view({1, nq * window.tokens(), m_num_heads, head_dim});

    torch::Tensor block_mask;
    torch::Tensor k_pooled;
    if (attention::kernels_accept(q_windows, head_dim, sparse.backend)) {
        // Selection pools only the new windows: the cached windows' means come with the cache
        // (unless they are missing, e.g. a cache filled by the reference path: then all keys).
        const auto cached = static_cast<std::int64_t>(cache.slots.size()) * windows_per_frame;
        const bool carried =
            cached == 0 || (cache.k_pooled.defined() && cache.k_pooled.device() == x.device() &&
                            cache.k_pooled.size(0) == cached);
        block_mask = attention::select_block_mask_kernel(
            q_windows, carried ? cache.k_pooled : torch::Tensor(),
            carried ? k_windows : pool.k.index_select(0, key_map.to(torch::kLong)), m_num_heads,
            h / window.height, w / window.width, sparse.local_range, sparse.topk, &k_pooled);
    } else {
        // The reference selects on the cache in logical order.
        const auto keys = pool.k.index_select(0, key_map.to(torch::kLong));
        auto local = attention::local_window_mask(h / window.height, w / window.width,
                                                  sparse.local_range, x.device());
        block_mask = attention::select_block_mask(q_windows, keys, m_num_heads, query_groups,
                                                  sparse.topk, local);
    }
    // K/V straight from the pool through the block map; the output comes back in token order.
    const auto k_heads = pool.k.view({1, pool.k.size(0) * window.tokens(), m_num_heads, head_dim});
    const auto v_heads = pool.v.view({1, pool.v.size(0) * window.tokens(), m_num_heads, head_dim});
    if (cache.log_kernel_choice) {
        cache.log_kernel_choice = false;
        engine::log_info("DiT self-attention: " + attention::attention_kernel_description(
                                                      q_heads, k_heads, v_heads, sparse.backend));
    }
    const auto attended = attention::block_sparse_attention(
        q_heads, k_heads, v_heads, block_mask, 1.0 / std::sqrt(static_cast<double>(head_dim)),
        sparse.backend, key_map, grid);
    if (mask_out != nullptr) {
        *mask_out = block_mask;
    }

    // Keep at most kv_len temporal windows; upstream drops one temporal window per chunk.
    // Dropping frees the oldest slot (the next chunk's windows are written there).
    if (static_cast<std::int64_t>(slots.size()) > sparse.kv_len) {
        pool.free.push_back(slots.front());
        slots.erase(slots.begin());
        if (k_pooled.defined()) {
            k_pooled = k_pooled.slice(0, windows_per_frame);
        }
    }
    cache.slots = std::move(slots);
    cache.k_pooled = k_pooled;

    // The attention returned the tokens in grid order (the window reverse is in its stores).
    return project(o, attended.view({1, f * h * w, dim}));
}

CrossAttentionImpl::CrossAttentionImpl(const WanConfig& config) : m_num_heads(config.num_heads) {
    q = register_module("q", linear(config.dim, config.dim));
    k = register_module("k", linear(config.dim, config.dim));
    v = register_module("v", linear(config.dim, config.dim));
    o = register_module("o", linear(config.dim, config.dim));
    norm_q = register_module("norm_q", RmsNorm(config.dim, config.eps));
    norm_k = register_module("norm_k", RmsNorm(config.dim, config.eps));
}

std::pair<torch::Tensor, torch::Tensor> CrossAttentionImpl::project_context(
    const torch::Tensor& ctx) {
    return {norm_k(project(k, ctx)), project(v, ctx)};
}

torch::Tensor CrossAttentionImpl::forward(const torch::Tensor& x,
                                          const torch::Tensor& context_k,
                                          const torch::Tensor& context_v,
                                          attention::Backend backend) {
    auto query = project(q, x);
#ifdef FVSR_HAVE_CUDA_KERNELS
    // RMSNorm in one pass instead of the fp32 round trip of RmsNorm (two casts, four ops).
    if (fused_elementwise(query, backend, {&norm_q->weight})) {
        query = kernels::torch_api::rms_norm(query, norm_q->weight, norm_q->eps());
    } else {
        query = norm_q(query);
    }
#else
    query = norm_q(query);
#endif
    return project(o, dense_attention(query, context_k, context_v, m_num_heads));
}

DiTBlockImpl::DiTBlockImpl(const WanConfig& config) : m_eps(config.eps) {
    self_attn = register_module("self_attn", SelfAttention(config));
    cross_attn = register_module("cross_attn", CrossAttention(config));
    norm3 = register_module(
        "norm3", torch::nn::LayerNorm(torch::nn::LayerNormOptions({config.dim}).eps(config.eps)));
    m_ffn_in = linear(config.dim, config.ffn_dim);
    m_ffn_out = linear(config.ffn_dim, config.dim);
    ffn = register_module("ffn", torch::nn::Sequential(m_ffn_in, gelu_tanh(), m_ffn_out));
    modulation = register_parameter("modulation", torch::zeros({1, 6, config.dim}));
}

torch::Tensor DiTBlockImpl::forward(const torch::Tensor& x,
                                    const torch::Tensor& t_mod,
                                    const torch::Tensor& context_k,
                                    const torch::Tensor& context_v,
                                    const torch::Tensor& freqs,
                                    std::array<std::int64_t, 3> grid,
                                    const SparseAttentionParams& sparse,
                                    SelfAttentionCache& cache,
                                    KvSlotPool& pool,
                                    torch::Tensor* mask_out) {
    auto mod = (modulation + t_mod).chunk(6, 1);
    const auto& shift_msa = mod[0];
    const auto& scale_msa = mod[1];
    const auto& gate_msa = mod[2];
    const auto& shift_mlp = mod[3];
    const auto& scale_mlp = mod[4];
    const auto& gate_mlp = mod[5];

#ifdef FVSR_HAVE_CUDA_KERNELS
    // The same chain with every residual, norm and modulation fused into the pass that produces
    // or consumes it (kernels/torch/dit_elementwise.h): four passes over [L, dim] instead of
    // about fifteen, with upstream's roundings.
    if (fused_elementwise(x, sparse.backend, {&modulation, &t_mod, &norm3->weight, &norm3->bias})) {
        namespace fused = kernels::torch_api;
        auto attended = self_attn(fused::layer_norm_modulate(x, m_eps, shift_msa, scale_msa), freqs,
                                  grid, sparse, cache, pool, mask_out);
        auto [y, normed] = fused::gated_residual_layer_norm(x, gate_msa, attended, norm3->weight,
                                                            norm3->bias, norm3->options.eps());
        auto [z, ffn_in] = fused::residual_layer_norm_modulate(
            y, cross_attn(normed, context_k, context_v, sparse.backend), m_eps, shift_mlp,
            scale_mlp);
        return fused::gated_residual(z, gate_mlp,
                                     project(m_ffn_out, project_gelu_tanh(m_ffn_in, ffn_in)));
    }
#endif
    auto y = x + gate_msa * self_attn(modulate(layer_norm(x, m_eps), shift_msa, scale_msa), freqs,
                                      grid, sparse, cache, pool, mask_out);
    y = y + cross_attn(norm3(y), context_k, context_v, sparse.backend);
    auto hidden = project_gelu_tanh(m_ffn_in, modulate(layer_norm(y, m_eps), shift_mlp, scale_mlp));
    return y + gate_mlp * project(m_ffn_out, hidden);
}

HeadImpl::HeadImpl(const WanConfig& config) : m_eps(config.eps) {
    const auto patch_volume = config.patch_size[0] * config.patch_size[1] * config.patch_size[2];
    head = register_module("head", linear(config.dim, config.out_dim * patch_volume));
    modulation = register_parameter("modulation", torch::zeros({1, 2, config.dim}));
}

torch::Tensor HeadImpl::forward(const torch::Tensor& x,
                                const torch::Tensor& t,
                                attention::Backend backend) {
    auto mod = (modulation + t).chunk(2, 1);  // t [1, dim] broadcasts to [1, 2, dim]
#ifdef FVSR_HAVE_CUDA_KERNELS
    if (fused_elementwise(x, backend, {&mod[0]})) {
        return project(head, kernels::torch_api::layer_norm_modulate(x, m_eps, mod[0], mod[1]));
    }
#endif
    return project(head, layer_norm(x, m_eps) * (1 + mod[1]) + mod[0]);
}

// ---------------------------------------------------------------------------------------------

torch::Tensor sinusoidal_embedding(std::int64_t dim, const torch::Tensor& position) {
    const auto half = dim / 2;
    auto exponent = -torch::arange(half, position.options().dtype(torch::kDouble))
                         .div(static_cast<double>(half));
    auto sinusoid = torch::outer(position.to(torch::kDouble), torch::pow(10000.0, exponent));
    return torch::cat({torch::cos(sinusoid), torch::sin(sinusoid)}, 1).to(position.scalar_type());
}

WanModelImpl::WanModelImpl(const WanConfig& config)
    : m_config(config), m_rope(make_rope_tables(config.head_dim())) {
    patch_embedding = register_module(
        "patch_embedding",
        torch::nn::Conv3d(torch::nn::Conv3dOptions(config.in_dim, config.dim,
                                                   torch::IntArrayRef(config.patch_size))
                              .stride(torch::IntArrayRef(config.patch_size))));
    text_embedding = register_module(
        "text_embedding", torch::nn::Sequential(linear(config.text_dim, config.dim), gelu_tanh(),
                                                linear(config.dim, config.dim)));
    time_embedding = register_module(
        "time_embedding", torch::nn::Sequential(linear(config.freq_dim, config.dim), silu(),
                                                linear(config.dim, config.dim)));
    time_projection = register_module(
        "time_projection", torch::nn::Sequential(silu(), linear(config.dim, 6 * config.dim)));
    blocks = register_module("blocks", torch::nn::ModuleList());
    for (std::int64_t i = 0; i < config.num_layers; ++i) {
        blocks->push_back(DiTBlock(config));
    }
    head = register_module("head", Head(config));
}

WanConstants WanModelImpl::prepare_constants(const torch::Tensor& prompt, double timestep) {
    torch::NoGradGuard no_grad;
    const auto& weight = patch_embedding->weight;
    WanConstants c;
    auto ctx = text_embedding->forward(prompt.to(weight.device(), weight.scalar_type()));
    auto position = torch::full({1}, timestep, weight.options());
    c.t = time_embedding->forward(sinusoidal_embedding(m_config.freq_dim, position));
    c.t_mod = time_projection->forward(c.t).view({1, 6, m_config.dim});
    for (const auto& block : *blocks) {
        auto [k, v] = block->as<DiTBlock>()->cross_attn->project_context(ctx);
        c.context_k.push_back(k);
        c.context_v.push_back(v);
    }
    return c;
}

const RopeTables& WanModelImpl::rope_tables_on(const torch::Device& device) {
    if (device.is_cpu()) {
        return m_rope;
    }
    // Once per device: the per-chunk frequencies are then sliced on the device, instead of an
    // 8.6 MB pageable host-to-device copy per chunk that the GPU waited for (≈ 1 ms at 768x1408).
    if (!m_rope_device.frames.defined() || m_rope_device.frames.device() != device) {
        m_rope_device =
            RopeTables{m_rope.frames.to(device), m_rope.height.to(device), m_rope.width.to(device)};
    }
    return m_rope_device;
}

torch::Tensor WanModelImpl::forward_chunk(const torch::Tensor& latents,
                                          const torch::Tensor& lq_tokens,
                                          std::int64_t frame_offset,
                                          const WanConstants& constants,
                                          const SparseAttentionParams& sparse,
                                          WanStreamState& state,
                                          const MaskObserver& on_mask) {
    torch::NoGradGuard no_grad;
    TORCH_CHECK(latents.dim() == 5 && latents.size(0) == 1 && latents.size(1) == m_config.in_dim,
                "WanModel: latents must be [1, ", m_config.in_dim, ", f, h, w], got ",
                latents.sizes());
    if (state.self_attention.size() != blocks->size()) {
        state.reset(blocks->size());
    }
    auto x = patch_embedding(latents);  // [1, dim, f, h, w]
    const std::array<std::int64_t, 3> grid{x.size(2), x.size(3), x.size(4)};
    const auto [f, h, w] = grid;
    x = x.flatten(2).transpose(1, 2);  // [1, f*h*w, dim], (f, h, w) order
    TORCH_CHECK(lq_tokens.sizes() == x.sizes(), "WanModel: LQ tokens ", lq_tokens.sizes(),
                " do not match the patch tokens ", x.sizes());
    x = x + lq_tokens;

    // A run's first chunk sizes the KV pool (kept across resets of the same size).
    const WindowShape window{};
    const auto windows_per_frame = (h / window.height) * (w / window.width);
    const auto blocks_count = static_cast<std::int64_t>(blocks->size());
    bool fresh = true;
    for (const auto& cache : state.self_attention) {
        fresh = fresh && cache.empty();
    }
    if (fresh) {
        const auto slots = pool_slots_needed(blocks_count, f / window.frames, sparse.kv_len);
        auto& kv = state.kv;
        if (kv.empty() || kv.windows_per_slot != windows_per_frame || kv.slots() < slots ||
            kv.k.device() != x.device() || kv.k.scalar_type() != x.scalar_type() ||
            kv.k.size(2) != m_config.dim) {
            kv.k = torch::Tensor();  // release before allocating the new pool
            kv.v = torch::Tensor();
            kv.windows_per_slot = windows_per_frame;
            const auto shape =
                std::vector<std::int64_t>{slots * windows_per_frame, window.tokens(), m_config.dim};
            kv.k = torch::empty(shape, x.options());
            kv.v = torch::empty(shape, x.options());
        }
        state.reset(blocks->size());
    }

    auto freqs = rope_freqs(rope_tables_on(x.device()), frame_offset, f, h, w);
    for (std::size_t b = 0; b < blocks->size(); ++b) {
        torch::Tensor mask;
        x = blocks[b]->as<DiTBlock>()->forward(
            x, constants.t_mod, constants.context_k[b], constants.context_v[b], freqs, grid, sparse,
            state.self_attention[b], state.kv, on_mask ? &mask : nullptr);
        if (on_mask) {
            on_mask(static_cast<std::int64_t>(b), mask);
        }
    }
    auto y = head(x, constants.t, sparse.backend);  // [1, f*h*w, patch_volume * out_dim]

    // Unpatchify: channel (py * pw + px) * out_dim + c of token (fi, hi, wi) goes to
    // [c, fi*pt, hi*ph + py, wi*pw + px] (spec §2.1 step 7).
    const auto [pt, ph, pw] = m_config.patch_size;
    const auto c = m_config.out_dim;
    return y.view({1, f, h, w, pt, ph, pw, c})
        .permute({0, 7, 1, 4, 2, 5, 3, 6})
        .reshape({1, c, f * pt, h * ph, w * pw});
}

}  // namespace engine::model::wan
