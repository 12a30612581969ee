#include "engine/model/attention/block_sparse_attention.h"

#include "engine/core/log.h"
#include "engine/model/attention/window.h"

#include <algorithm>
#include <atomic>
#include <limits>
#include <utility>

#ifdef FVSR_HAVE_CUDA_KERNELS
#include "kernels/torch/sparse_attention.h"
#endif

namespace engine::model::attention {

namespace {

void check_inputs(const torch::Tensor& q,
                  const torch::Tensor& k,
                  const torch::Tensor& v,
                  const torch::Tensor& block_mask) {
    TORCH_CHECK(q.dim() == 4 && k.dim() == 4 && v.dim() == 4,
                "block_sparse_attention: q, k, v must be [B, L, H, D], got ", q.sizes(), ", ",
                k.sizes(), ", ", v.sizes());
    TORCH_CHECK(k.sizes() == v.sizes(), "block_sparse_attention: k ", k.sizes(), " and v ",
                v.sizes(), " differ");
    TORCH_CHECK(q.size(0) == k.size(0) && q.size(2) == k.size(2) && q.size(3) == k.size(3),
                "block_sparse_attention: q ", q.sizes(), " and k ", k.sizes(),
                " disagree on batch, heads or head_dim");
    TORCH_CHECK(q.size(1) % kBlockTokens == 0 && k.size(1) % kBlockTokens == 0,
                "block_sparse_attention: sequence lengths ", q.size(1), " and ", k.size(1),
                " must be multiples of ", kBlockTokens);
    TORCH_CHECK(block_mask.scalar_type() == torch::kBool,
                "block_sparse_attention: block_mask must be bool, got ", block_mask.scalar_type());
    const std::vector<std::int64_t> expected{q.size(0), q.size(2), q.size(1) / kBlockTokens,
                                             k.size(1) / kBlockTokens};
    TORCH_CHECK(block_mask.sizes() == torch::IntArrayRef(expected),
                "block_sparse_attention: block_mask must be ", torch::IntArrayRef(expected),
                ", got ", block_mask.sizes());
    TORCH_CHECK(
        q.device() == k.device() && k.device() == v.device() && block_mask.device() == q.device(),
        "block_sparse_attention: all inputs must be on one device");
}

}  // namespace

namespace {

// The reference on K/V in logical order: the named blocks gathered.
torch::Tensor reference_mapped(const torch::Tensor& q,
                               const torch::Tensor& k,
                               const torch::Tensor& v,
                               const torch::Tensor& block_mask,
                               double scale,
                               const torch::Tensor& key_blocks) {
    if (!key_blocks.defined()) {
        return block_sparse_attention_reference(q, k, v, block_mask, scale);
    }
    TORCH_CHECK(k.dim() == 4 && k.size(1) % kBlockTokens == 0 && key_blocks.dim() == 1,
                "block_sparse_attention: with key_blocks, k must be [B, Lk, H, D] with Lk a "
                "multiple of ",
                kBlockTokens, " and key_blocks 1-D, got ", k.sizes(), " and ", key_blocks.sizes());
    const auto index = key_blocks.to(torch::kLong);
    auto gather = [&](const torch::Tensor& t) {
        return t.view({t.size(0), t.size(1) / kBlockTokens, kBlockTokens, t.size(2), t.size(3)})
            .index_select(1, index)
            .view({t.size(0), index.numel() * kBlockTokens, t.size(2), t.size(3)});
    };
    return block_sparse_attention_reference(q, gather(k), gather(v), block_mask, scale);
}

}  // namespace

torch::Tensor block_sparse_attention(
    const torch::Tensor& q,
    const torch::Tensor& k,
    const torch::Tensor& v,
    const torch::Tensor& block_mask,
    double scale,
    Backend backend,
    const torch::Tensor& key_blocks,
    const std::optional<std::array<std::int64_t, 3>>& output_grid) {
    const WindowShape window{};
    TORCH_CHECK(!output_grid || (q.dim() == 4 && q.size(0) == 1),
                "block_sparse_attention: "
                "output_grid needs q [1, Lq, H, D], got ",
                q.sizes());
#ifdef FVSR_HAVE_CUDA_KERNELS
    if (kernels_accept(q, q.size(3), backend)) {
        kernels::torch_api::OutputWindows out_windows;
        if (output_grid) {
            out_windows.grid = *output_grid;
            out_windows.window = {window.frames, window.height, window.width};
        }
        const auto impl = kernels::torch_api::AttentionImpl::kAuto;
        return key_blocks.defined() ? kernels::torch_api::block_sparse_attention_mapped(
                                          q, k, v, block_mask, key_blocks, scale, impl, out_windows)
                                    : kernels::torch_api::block_sparse_attention(
                                          q, k, v, block_mask, scale, impl, out_windows);
    }
#endif
    auto out = reference_mapped(q, k, v, block_mask, scale, key_blocks);
    if (!output_grid) {
        return out;
    }
    const auto [f, h, w] = *output_grid;
    const auto windows = out.size(1) / window.tokens();
    return window_reverse(out.view({windows, window.tokens(), out.size(2) * out.size(3)}), window,
                          f, h, w)
        .view(out.sizes());
}

bool kernels_accept(const torch::Tensor& q, std::int64_t head_dim, Backend backend) {
    if (backend == Backend::Reference || !q.is_cuda()) {
        return false;
    }
    static std::atomic<bool> logged{false};
#ifdef FVSR_HAVE_CUDA_KERNELS
    const bool dtype_ok = q.scalar_type() == torch::kBFloat16 || q.scalar_type() == torch::kHalf;
    if (dtype_ok && head_dim == 128) {
        return true;
    }
    if (!logged.exchange(true)) {
        engine::log_info(
            "block-sparse attention: the CUDA kernels need bf16/fp16 and head dim 128; using "
            "the reference path for this run");
    }
#else
    if (!logged.exchange(true)) {
        engine::log_warning(
            "block-sparse attention: this build has no CUDA kernels (configure with "
            "-DFVSR_CUDA=ON against a CUDA LibTorch); using the slower reference path");
    }
#endif
    return false;
}

std::string attention_kernel_description(const torch::Tensor& q,
                                         const torch::Tensor& k,
                                         const torch::Tensor& v,
                                         Backend backend) {
    if (backend == Backend::Reference) {
        return "reference: requested (--attention_mode reference)";
    }
    if (!q.is_cuda()) {
        return std::string("reference: tensors are on ") + q.device().str();
    }
#ifdef FVSR_HAVE_CUDA_KERNELS
    const bool dtype_ok = q.scalar_type() == torch::kBFloat16 || q.scalar_type() == torch::kHalf;
    if (!dtype_ok || q.size(3) != 128) {
        return "reference: the CUDA kernels need bf16/fp16 and head dim 128";
    }
    return "CUDA kernel, " + kernels::torch_api::attention_kernel_description(q, k, v);
#else
    return "reference: this build has no CUDA kernels";
#endif
}

torch::Tensor select_block_mask_kernel(const torch::Tensor& q_windows,
                                       const torch::Tensor& pooled_k_cached,
                                       const torch::Tensor& k_new_windows,
                                       std::int64_t num_heads,
                                       std::int64_t grid_h,
                                       std::int64_t grid_w,
                                       std::int64_t local_range,
                                       std::int64_t topk,
                                       torch::Tensor* pooled_k_out) {
#ifdef FVSR_HAVE_CUDA_KERNELS
    auto selection = kernels::torch_api::select_blocks_appended(
        q_windows, pooled_k_cached, k_new_windows, num_heads, grid_h, grid_w, local_range, topk);
    if (pooled_k_out != nullptr) {
        *pooled_k_out = std::move(selection.pooled_k);
    }
    return selection.mask;
#else
    (void)pooled_k_out;
    TORCH_CHECK(false, "select_block_mask_kernel: this build has no CUDA kernels (q_windows ",
                q_windows.sizes(), ", k_new_windows ", k_new_windows.sizes(), ", heads ", num_heads,
                ", grid ", grid_h, "x", grid_w, ", local_range ", local_range, ", topk ", topk,
                ", cached ", pooled_k_cached.defined() ? pooled_k_cached.size(0) : 0, ")");
#endif
}

torch::Tensor block_sparse_attention_reference(const torch::Tensor& q,
                                               const torch::Tensor& k,
                                               const torch::Tensor& v,
                                               const torch::Tensor& block_mask,
                                               double scale,
                                               std::int64_t workspace_bytes) {
    check_inputs(q, k, v, block_mask);
    torch::NoGradGuard no_grad;
    const auto batch = q.size(0);
    const auto heads = q.size(2);
    const auto head_dim = q.size(3);
    const auto nq = q.size(1) / kBlockTokens;
    const auto nk = k.size(1) / kBlockTokens;
    auto out = torch::zeros_like(q);
    auto counts_all = block_mask.sum(-1);  // [B, H, nq]

    for (std::int64_t b = 0; b < batch; ++b) {
        for (std::int64_t h = 0; h < heads; ++h) {
            auto counts = counts_all[b][h];
            const auto max_selected = counts.max().item<std::int64_t>();
            if (max_selected == 0) {
                continue;  // every query block of this head is empty: output stays zero
            }
            auto q_blocks = q[b].select(1, h).reshape({nq, kBlockTokens, head_dim});
            auto k_blocks = k[b].select(1, h).reshape({nk, kBlockTokens, head_dim});
            auto v_blocks = v[b].select(1, h).reshape({nk, kBlockTokens, head_dim});
            // Selected key blocks first in each row; rows with fewer are padded with unselected
            // indices that the validity mask removes below.
            auto ranked = block_mask[b][h].to(torch::kInt).topk(max_selected, 1);
            auto valid = std::get<0>(ranked) > 0;  // [nq, max_selected]
            auto indices = std::get<1>(ranked);

            const std::int64_t keys = max_selected * kBlockTokens;
            const std::int64_t bytes_per_block =
                (kBlockTokens * keys + 2 * keys * head_dim + kBlockTokens * head_dim) * 4;
            const std::int64_t group =
                std::max<std::int64_t>(1, std::min(nq, workspace_bytes / bytes_per_block));
            auto out_head = out[b].select(1, h);  // [Lq, D] view
            for (std::int64_t g0 = 0; g0 < nq; g0 += group) {
                const auto g1 = std::min(nq, g0 + group);
                const auto n = g1 - g0;
                auto idx = indices.slice(0, g0, g1).reshape(-1);
                auto kg = k_blocks.index_select(0, idx).view({n, keys, head_dim}).to(torch::kFloat);
                auto vg = v_blocks.index_select(0, idx).view({n, keys, head_dim}).to(torch::kFloat);
                auto qg = q_blocks.slice(0, g0, g1).to(torch::kFloat);
                auto scores = torch::bmm(qg, kg.transpose(1, 2)) * scale;  // [n, 128, keys]
                auto key_valid =
                    valid.slice(0, g0, g1).repeat_interleave(kBlockTokens, 1).unsqueeze(1);
                scores.masked_fill_(key_valid.logical_not(),
                                    -std::numeric_limits<float>::infinity());
                auto probs = torch::softmax(scores, -1);
                auto empty = (counts.slice(0, g0, g1) == 0).view({n, 1, 1});
                probs.masked_fill_(empty, 0.0);  // all -inf rows are NaN; they output zero
                auto result = torch::bmm(probs, vg).reshape({n * kBlockTokens, head_dim});
                out_head.slice(0, g0 * kBlockTokens, g1 * kBlockTokens).copy_(result);
            }
        }
    }
    return out;
}

}  // namespace engine::model::attention
