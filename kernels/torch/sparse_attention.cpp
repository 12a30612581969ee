#include "kernels/torch/sparse_attention.h"

#include "binding.h"
#include "kernels/block_select.h"
#include "kernels/block_sparse_attention.h"

#include <c10/cuda/CUDAGuard.h>
#include <c10/cuda/CUDAStream.h>

#include <cstdint>
#include <string>

namespace kernels::torch_api {
namespace {

using detail::aligned16;

kernels::ScalarType scalar_type_of(const torch::Tensor& t, const char* fn, const char* name) {
    if (t.scalar_type() == torch::kBFloat16) {
        return kernels::ScalarType::kBFloat16;
    }
    TORCH_CHECK(t.scalar_type() == torch::kHalf, fn, ": ", name,
                " must be bfloat16 or float16, got ", t.scalar_type());
    return kernels::ScalarType::kFloat16;
}

void check_status(const kernels::KernelStatus& status, const char* fn) {
    TORCH_CHECK(status.ok(), fn, ": CUDA kernel failed: ", status.message());
}

// True when the kernels can read `t` in place: last dimension contiguous, 16-byte aligned base,
// all other strides multiples of 8 elements (16 bytes).
bool kernel_readable(const torch::Tensor& t) {
    if (t.stride(t.dim() - 1) != 1 || !aligned16(t)) {
        return false;
    }
    for (int64_t d = 0; d + 1 < t.dim(); ++d) {
        if (t.stride(d) % 8 != 0) {
            return false;
        }
    }
    return true;
}

torch::Tensor readable(const torch::Tensor& t) {
    return kernel_readable(t) ? t : t.contiguous();
}

kernels::AttentionKernel kernel_of(AttentionImpl impl) {
    switch (impl) {
        case AttentionImpl::kMmaSync:
            return kernels::AttentionKernel::kMmaSync;
        case AttentionImpl::kWgmma:
            return kernels::AttentionKernel::kWgmmaSm90;
        case AttentionImpl::kAuto:
            break;
    }
    return kernels::AttentionKernel::kAuto;
}

}  // namespace

namespace {

// block_sparse_attention_out, with an optional key map (block_sparse_attention_mapped).
void attention_into(torch::Tensor& out,
                    const torch::Tensor& q_in,
                    const torch::Tensor& k_in,
                    const torch::Tensor& v_in,
                    const torch::Tensor& block_mask,
                    const torch::Tensor& key_blocks,
                    double scale,
                    AttentionImpl impl,
                    const OutputWindows& out_windows) {
    constexpr const char* fn = "block_sparse_attention";
    TORCH_CHECK(q_in.is_cuda(), fn, ": q must be a CUDA tensor, got device ", q_in.device());
    TORCH_CHECK(q_in.dim() == 4 && q_in.size(3) == kernels::kHeadDim, fn,
                ": q must be [B, Lq, H, 128], got ", q_in.sizes());
    const int64_t batch = q_in.size(0);
    const int64_t q_len = q_in.size(1);
    const int64_t heads = q_in.size(2);
    TORCH_CHECK(k_in.dim() == 4 && k_in.size(0) == batch && k_in.size(2) == heads &&
                    k_in.size(3) == kernels::kHeadDim,
                fn, ": k must be [B=", batch, ", Lk, H=", heads, ", 128], got ", k_in.sizes());
    const int64_t k_len = k_in.size(1);
    TORCH_CHECK(k_len > 0, fn, ": k must have at least one key (Lk > 0)");
    TORCH_CHECK(v_in.sizes() == k_in.sizes(), fn, ": v must be [B, Lk, H, 128] = ", k_in.sizes(),
                ", got ", v_in.sizes());
    const auto dtype = scalar_type_of(q_in, fn, "q");
    TORCH_CHECK(
        k_in.scalar_type() == q_in.scalar_type() && v_in.scalar_type() == q_in.scalar_type(), fn,
        ": q, k and v must share one dtype, got ", q_in.scalar_type(), ", ", k_in.scalar_type(),
        ", ", v_in.scalar_type());
    TORCH_CHECK(k_in.device() == q_in.device() && v_in.device() == q_in.device() &&
                    block_mask.device() == q_in.device(),
                fn, ": q, k, v and block_mask must be on one device, got ", q_in.device(), ", ",
                k_in.device(), ", ", v_in.device(), ", ", block_mask.device());
    const int64_t q_blocks = kernels::attention_blocks(q_len);
    const bool mapped = key_blocks.defined();
    if (mapped) {
        TORCH_CHECK(k_len % kernels::kAttentionBlock == 0, fn,
                    ": with key_blocks, Lk must be a multiple of 128, got ", k_len);
        TORCH_CHECK(
            key_blocks.dim() == 1 && key_blocks.numel() > 0 &&
                key_blocks.scalar_type() == torch::kInt && key_blocks.device() == q_in.device(),
            fn, ": key_blocks must be a non-empty int32 [nkb] tensor on ", q_in.device(), ", got ",
            key_blocks.sizes(), " ", key_blocks.scalar_type(), " on ", key_blocks.device());
    }
    const int64_t k_blocks = mapped ? key_blocks.numel() : kernels::attention_blocks(k_len);
    TORCH_CHECK(block_mask.dim() == 4 && block_mask.size(0) == batch &&
                    block_mask.size(1) == heads && block_mask.size(2) == q_blocks &&
                    block_mask.size(3) == k_blocks,
                fn, ": block_mask must be [B=", batch, ", H=", heads, ", ceil(Lq/128)=", q_blocks,
                mapped ? ", key_blocks.numel()=" : ", ceil(Lk/128)=", k_blocks, "], got ",
                block_mask.sizes());
    TORCH_CHECK(
        block_mask.scalar_type() == torch::kBool || block_mask.scalar_type() == torch::kByte, fn,
        ": block_mask must be bool or uint8, got ", block_mask.scalar_type());
    TORCH_CHECK(out.sizes() == q_in.sizes() && out.scalar_type() == q_in.scalar_type() &&
                    out.device() == q_in.device(),
                fn, ": out must be ", q_in.sizes(), " ", q_in.scalar_type(), " on ", q_in.device(),
                ", got ", out.sizes(), " ", out.scalar_type(), " on ", out.device());
    TORCH_CHECK(kernel_readable(out), fn,
                ": out needs a contiguous head dimension, 16-byte aligned rows and strides that "
                "are multiples of 8, got strides ",
                out.strides());
    if (out.numel() == 0) {
        return;
    }

    const c10::cuda::CUDAGuard guard(q_in.device());
    const cudaStream_t stream = c10::cuda::getCurrentCUDAStream(q_in.device().index()).stream();
    const torch::Tensor q = readable(q_in);
    const torch::Tensor k = readable(k_in);
    const torch::Tensor v = readable(v_in);
    const torch::Tensor mask = block_mask.contiguous();

    const int64_t rows = batch * heads * q_blocks;
    const auto int_options = torch::TensorOptions().dtype(torch::kInt).device(q.device());
    torch::Tensor counts = torch::empty({rows}, int_options);
    torch::Tensor indices = torch::empty({rows, k_blocks}, int_options);
    torch::Tensor order = torch::empty({rows}, int_options);
    const torch::Tensor map = mapped ? key_blocks.contiguous() : torch::Tensor();
    check_status(kernels::build_block_lists(static_cast<const uint8_t*>(mask.data_ptr()), rows,
                                            q_blocks, k_blocks, counts.data_ptr<int32_t>(),
                                            indices.data_ptr<int32_t>(), order.data_ptr<int32_t>(),
                                            stream, mapped ? map.data_ptr<int32_t>() : nullptr),
                 fn);

    kernels::BlockSparseAttentionParams p;
    p.dtype = dtype;
    p.q = q.data_ptr();
    p.k = k.data_ptr();
    p.v = v.data_ptr();
    p.out = out.data_ptr();
    p.q_batch_stride = q.stride(0);
    p.q_row_stride = q.stride(1);
    p.q_head_stride = q.stride(2);
    p.k_batch_stride = k.stride(0);
    p.k_row_stride = k.stride(1);
    p.k_head_stride = k.stride(2);
    p.v_batch_stride = v.stride(0);
    p.v_row_stride = v.stride(1);
    p.v_head_stride = v.stride(2);
    p.out_batch_stride = out.stride(0);
    p.out_row_stride = out.stride(1);
    p.out_head_stride = out.stride(2);
    TORCH_CHECK(batch <= INT32_MAX && heads <= INT32_MAX, fn, ": batch or heads too large");
    p.batch = static_cast<int>(batch);
    p.heads = static_cast<int>(heads);
    p.q_len = q_len;
    p.k_len = k_len;
    p.scale = static_cast<float>(scale);
    p.block_counts = counts.data_ptr<int32_t>();
    p.block_indices = indices.data_ptr<int32_t>();
    p.row_order = order.data_ptr<int32_t>();
    p.list_stride = mapped ? k_blocks : 0;
    if (out_windows.window[0] > 0) {
        const auto& g = out_windows.grid;
        const auto& w = out_windows.window;
        TORCH_CHECK(w[1] > 0 && w[2] > 0 && g[0] % w[0] == 0 && g[1] % w[1] == 0 &&
                        g[2] % w[2] == 0 && g[0] * g[1] * g[2] == q_len &&
                        w[0] * w[1] * w[2] <= INT32_MAX,
                    fn, ": out_windows: the window (", w[0], ", ", w[1], ", ", w[2],
                    ") must divide the grid (", g[0], ", ", g[1], ", ", g[2],
                    ") whose size must be Lq = ", q_len);
        p.out_windows.window_frames = static_cast<int>(w[0]);
        p.out_windows.window_height = static_cast<int>(w[1]);
        p.out_windows.window_width = static_cast<int>(w[2]);
        p.out_windows.grid_frames = g[0];
        p.out_windows.grid_height = g[1];
        p.out_windows.grid_width = g[2];
    }
    p.kernel = kernel_of(impl);
    check_status(kernels::block_sparse_attention_forward(p, stream), fn);
}

}  // namespace

void block_sparse_attention_out(torch::Tensor& out,
                                const torch::Tensor& q,
                                const torch::Tensor& k,
                                const torch::Tensor& v,
                                const torch::Tensor& block_mask,
                                double scale,
                                AttentionImpl impl) {
    attention_into(out, q, k, v, block_mask, torch::Tensor(), scale, impl, OutputWindows{});
}

torch::Tensor block_sparse_attention_mapped(const torch::Tensor& q,
                                            const torch::Tensor& k,
                                            const torch::Tensor& v,
                                            const torch::Tensor& block_mask,
                                            const torch::Tensor& key_blocks,
                                            double scale,
                                            AttentionImpl impl,
                                            const OutputWindows& out_windows) {
    TORCH_CHECK(key_blocks.defined(), "block_sparse_attention_mapped: key_blocks is required");
    torch::Tensor out =
        torch::empty(q.sizes(), q.options().memory_format(torch::MemoryFormat::Contiguous));
    attention_into(out, q, k, v, block_mask, key_blocks, scale, impl, out_windows);
    return out;
}

torch::Tensor block_sparse_attention(const torch::Tensor& q,
                                     const torch::Tensor& k,
                                     const torch::Tensor& v,
                                     const torch::Tensor& block_mask,
                                     double scale,
                                     AttentionImpl impl,
                                     const OutputWindows& out_windows) {
    torch::Tensor out =
        torch::empty(q.sizes(), q.options().memory_format(torch::MemoryFormat::Contiguous));
    attention_into(out, q, k, v, block_mask, torch::Tensor(), scale, impl, out_windows);
    return out;
}

std::string attention_kernel_description(const torch::Tensor& q_in,
                                         const torch::Tensor& k_in,
                                         const torch::Tensor& v_in) {
    constexpr const char* fn = "attention_kernel_description";
    TORCH_CHECK(q_in.is_cuda() && k_in.device() == q_in.device() && v_in.device() == q_in.device(),
                fn, ": q, k and v must be CUDA tensors on one device");
    TORCH_CHECK(q_in.dim() == 4 && q_in.size(3) == kernels::kHeadDim && k_in.dim() == 4 &&
                    v_in.sizes() == k_in.sizes() && k_in.size(0) == q_in.size(0) &&
                    k_in.size(2) == q_in.size(2) && k_in.size(3) == kernels::kHeadDim,
                fn, ": q must be [B, Lq, H, 128] and k, v [B, Lk, H, 128], got ", q_in.sizes(),
                ", ", k_in.sizes(), ", ", v_in.sizes());
    const c10::cuda::CUDAGuard guard(q_in.device());
    const torch::Tensor q = readable(q_in);
    const torch::Tensor k = readable(k_in);
    const torch::Tensor v = readable(v_in);
    kernels::BlockSparseAttentionParams p;
    p.dtype = scalar_type_of(q, fn, "q");
    p.q = q.data_ptr();
    p.k = k.data_ptr();
    p.v = v.data_ptr();
    p.out = q.data_ptr();
    p.q_batch_stride = p.out_batch_stride = q.stride(0);
    p.q_row_stride = p.out_row_stride = q.stride(1);
    p.q_head_stride = p.out_head_stride = q.stride(2);
    p.k_batch_stride = k.stride(0);
    p.k_row_stride = k.stride(1);
    p.k_head_stride = k.stride(2);
    p.v_batch_stride = v.stride(0);
    p.v_row_stride = v.stride(1);
    p.v_head_stride = v.stride(2);
    p.batch = static_cast<int>(q.size(0));
    p.heads = static_cast<int>(q.size(2));
    p.q_len = q.size(1);
    p.k_len = k.size(1);
    const kernels::AttentionKernelChoice choice = kernels::choose_attention_kernel(p);
    return std::string(choice.kernel == kernels::AttentionKernel::kWgmmaSm90 ? "wgmma: "
                                                                             : "mma.sync: ") +
           choice.reason;
}

namespace {

// select_blocks_with_stages where k_in holds key windows k_first .. nk-1 (k_first ≤ the prefix's
// rows, nk = k_first + k_in.size(0)).
BlockSelection select_impl(const torch::Tensor& q_in,
                           const torch::Tensor& k_in,
                           std::int64_t k_first,
                           std::int64_t heads,
                           std::int64_t grid_h,
                           std::int64_t grid_w,
                           std::int64_t local_range,
                           std::int64_t topk,
                           const torch::Tensor& pooled_k_prefix) {
    constexpr const char* fn = "select_blocks";
    TORCH_CHECK(heads > 0, fn, ": heads must be positive, got ", heads);
    const int64_t channels = heads * kernels::kHeadDim;
    TORCH_CHECK(q_in.is_cuda(), fn, ": q_windows must be a CUDA tensor, got device ",
                q_in.device());
    TORCH_CHECK(
        q_in.dim() == 3 && q_in.size(1) == kernels::kAttentionBlock && q_in.size(2) == channels, fn,
        ": q_windows must be [nq, 128, C=heads*128=", channels, "], got ", q_in.sizes());
    TORCH_CHECK(
        k_in.dim() == 3 && k_in.size(1) == kernels::kAttentionBlock && k_in.size(2) == channels, fn,
        ": k_windows must be [nk, 128, C=", channels, "], got ", k_in.sizes());
    TORCH_CHECK(k_in.device() == q_in.device(), fn,
                ": q_windows and k_windows must be on one device, got ", q_in.device(), " and ",
                k_in.device());
    const auto dtype = scalar_type_of(q_in, fn, "q_windows");
    TORCH_CHECK(k_in.scalar_type() == q_in.scalar_type(), fn,
                ": q_windows and k_windows must share one dtype, got ", q_in.scalar_type(), " and ",
                k_in.scalar_type());
    TORCH_CHECK(grid_h > 0 && grid_w > 0, fn, ": the window grid must be positive, got ", grid_h,
                "x", grid_w);
    TORCH_CHECK(local_range >= 1, fn, ": local_range must be at least 1, got ", local_range);
    const int64_t nq = q_in.size(0);
    const int64_t nk = k_first + k_in.size(0);
    const int64_t windows = grid_h * grid_w;
    TORCH_CHECK(nq > 0 && nq % windows == 0 && nk > 0 && nk % windows == 0, fn, ": nq=", nq,
                " and nk=", nk, " must be positive multiples of S = grid_h*grid_w = ", windows);
    TORCH_CHECK(
        nq <= INT32_MAX && nk <= INT32_MAX && heads <= INT32_MAX && local_range <= INT32_MAX, fn,
        ": sizes too large");

    const c10::cuda::CUDAGuard guard(q_in.device());
    const cudaStream_t stream = c10::cuda::getCurrentCUDAStream(q_in.device().index()).stream();
    const torch::Tensor q = readable(q_in);
    const torch::Tensor k = readable(k_in);

    BlockSelection result;
    result.pooled_q = torch::empty({nq, channels}, q.options());
    result.pooled_k = torch::empty({nk, channels}, q.options());
    const auto float_options = q.options().dtype(torch::kFloat);
    result.scores = torch::empty({heads, nq, nk}, float_options);
    result.probabilities = torch::empty({heads, nq, nk}, float_options);
    torch::Tensor mask = torch::empty({heads, nq, nk}, q.options().dtype(torch::kBool));

    int64_t nk_pooled = 0;
    if (pooled_k_prefix.defined() && pooled_k_prefix.numel() > 0) {
        TORCH_CHECK(pooled_k_prefix.dim() == 2 && pooled_k_prefix.size(0) <= nk &&
                        pooled_k_prefix.size(1) == channels &&
                        pooled_k_prefix.scalar_type() == q.scalar_type() &&
                        pooled_k_prefix.device() == q.device(),
                    fn, ": pooled_k_prefix must be [n <= nk=", nk, ", C=", channels, "] ",
                    q.scalar_type(), " on ", q.device(), ", got ", pooled_k_prefix.sizes(), " ",
                    pooled_k_prefix.scalar_type(), " on ", pooled_k_prefix.device());
        nk_pooled = pooled_k_prefix.size(0);
        result.pooled_k.narrow(0, 0, nk_pooled).copy_(pooled_k_prefix);
    }
    TORCH_CHECK(k_first <= nk_pooled, fn, ": the key windows before the first one passed (",
                k_first, ") need their pooled keys, got ", nk_pooled);

    kernels::BlockSelectParams p;
    p.dtype = dtype;
    p.nk_pooled = static_cast<int>(nk_pooled);
    p.k_windows_first = static_cast<int>(k_first);
    p.q_windows = q.data_ptr();
    p.k_windows = k.data_ptr();
    p.q_window_stride = q.stride(0);
    p.q_token_stride = q.stride(1);
    p.k_window_stride = k.stride(0);
    p.k_token_stride = k.stride(1);
    p.nq = static_cast<int>(nq);
    p.nk = static_cast<int>(nk);
    p.heads = static_cast<int>(heads);
    p.grid_h = static_cast<int>(grid_h);
    p.grid_w = static_cast<int>(grid_w);
    p.local_range = static_cast<int>(local_range);
    p.topk = topk;
    p.pooled_q = result.pooled_q.data_ptr();
    p.pooled_k = result.pooled_k.data_ptr();
    p.scores = result.scores.data_ptr<float>();
    p.probabilities = result.probabilities.data_ptr<float>();
    // torch's bool is one byte holding 0 or 1, which is what the kernel writes.
    p.mask = static_cast<uint8_t*>(mask.data_ptr());
    check_status(kernels::select_blocks(p, stream), fn);
    result.mask = mask.unsqueeze(0);
    return result;
}

}  // namespace

BlockSelection select_blocks_with_stages(const torch::Tensor& q_windows,
                                         const torch::Tensor& k_windows,
                                         std::int64_t heads,
                                         std::int64_t grid_h,
                                         std::int64_t grid_w,
                                         std::int64_t local_range,
                                         std::int64_t topk,
                                         const torch::Tensor& pooled_k_prefix) {
    return select_impl(q_windows, k_windows, 0, heads, grid_h, grid_w, local_range, topk,
                       pooled_k_prefix);
}

BlockSelection select_blocks_appended(const torch::Tensor& q_windows,
                                      const torch::Tensor& pooled_k_cached,
                                      const torch::Tensor& k_new_windows,
                                      std::int64_t heads,
                                      std::int64_t grid_h,
                                      std::int64_t grid_w,
                                      std::int64_t local_range,
                                      std::int64_t topk) {
    const std::int64_t cached = pooled_k_cached.defined() ? pooled_k_cached.size(0) : 0;
    return select_impl(q_windows, k_new_windows, cached, heads, grid_h, grid_w, local_range, topk,
                       pooled_k_cached);
}

torch::Tensor select_blocks(const torch::Tensor& q_windows,
                            const torch::Tensor& k_windows,
                            std::int64_t heads,
                            std::int64_t grid_h,
                            std::int64_t grid_w,
                            std::int64_t local_range,
                            std::int64_t topk) {
    return select_blocks_with_stages(q_windows, k_windows, heads, grid_h, grid_w, local_range, topk)
        .mask;
}

}  // namespace kernels::torch_api
