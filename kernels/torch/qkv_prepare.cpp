#include "kernels/torch/qkv_prepare.h"

#include "binding.h"
#include "kernels/qkv_prepare.h"

#include <c10/cuda/CUDAGuard.h>
#include <c10/cuda/CUDAStream.h>

#include <vector>

namespace kernels::torch_api {
namespace {

constexpr const char* kFn = "qkv_prepare";

// [1, L, C] or [L, C] -> [L, C] with contiguous channels, 16-byte aligned rows.
torch::Tensor rows_of(const torch::Tensor& t, const char* name, std::int64_t tokens) {
    TORCH_CHECK(t.is_cuda(), kFn, ": ", name, " must be a CUDA tensor, got ", t.device());
    TORCH_CHECK((t.dim() == 3 && t.size(0) == 1) || t.dim() == 2, kFn, ": ", name,
                " must be [1, L, C] or [L, C], got ", t.sizes());
    auto rows = t.dim() == 3 ? t.select(0, 0) : t;
    TORCH_CHECK(rows.size(0) == tokens, kFn, ": ", name, " has ", rows.size(0),
                " tokens, the grid has ", tokens);
    const bool readable = rows.stride(1) == 1 && rows.stride(0) % 8 == 0 &&
                          (reinterpret_cast<std::uintptr_t>(rows.data_ptr()) & 15u) == 0;
    return readable ? rows : rows.contiguous();
}

}  // namespace

QkvWindows qkv_prepare(const torch::Tensor& q,
                       const torch::Tensor& k,
                       const torch::Tensor& v,
                       const torch::Tensor& q_weight,
                       const torch::Tensor& k_weight,
                       double eps,
                       const torch::Tensor& rope,
                       std::array<std::int64_t, 3> grid,
                       std::array<std::int64_t, 3> window,
                       const torch::Tensor& k_out,
                       const torch::Tensor& v_out) {
    const auto tokens = grid[0] * grid[1] * grid[2];
    auto qr = rows_of(q, "q", tokens);
    auto kr = rows_of(k, "k", tokens);
    auto vr = rows_of(v, "v", tokens);
    const auto dtype = qr.scalar_type();
    TORCH_CHECK(dtype == torch::kBFloat16 || dtype == torch::kHalf, kFn,
                ": q must be bfloat16 or float16, got ", dtype);
    TORCH_CHECK(kr.scalar_type() == dtype && vr.scalar_type() == dtype &&
                    q_weight.scalar_type() == dtype && k_weight.scalar_type() == dtype,
                kFn, ": q, k, v and the norm weights must share one dtype");
    const auto channels = qr.size(1);
    TORCH_CHECK(kr.size(1) == channels && vr.size(1) == channels, kFn,
                ": q, k and v must have the same channel count");
    TORCH_CHECK(q_weight.numel() == channels && k_weight.numel() == channels, kFn,
                ": norm weights must have ", channels, " elements");
    const auto device = qr.device();
    TORCH_CHECK(kr.device() == device && vr.device() == device && q_weight.device() == device &&
                    k_weight.device() == device && rope.device() == device,
                kFn, ": all tensors must be on ", device);
    auto table = rope.is_complex() ? torch::view_as_real(rope) : rope;
    TORCH_CHECK(table.scalar_type() == torch::kDouble && table.numel() == tokens * kHeadDim, kFn,
                ": rope must be complex128 [L, 1, 64] (or double [L, 1, 64, 2]), got ",
                rope.sizes(), " ", rope.scalar_type());
    table = table.contiguous();
    auto qw = q_weight.contiguous();
    auto kw = k_weight.contiguous();

    const c10::cuda::CUDAGuard guard(device);
    const auto tokens_per_window = window[0] * window[1] * window[2];
    const auto windows = tokens / tokens_per_window;
    auto options = qr.options();
    const std::vector<std::int64_t> shape{windows, tokens_per_window, channels};
    TORCH_CHECK(k_out.defined() == v_out.defined(), kFn, ": pass both k_out and v_out or neither");
    for (const auto* given : {&k_out, &v_out}) {
        TORCH_CHECK(!given->defined() || (given->sizes() == torch::IntArrayRef(shape) &&
                                          given->is_contiguous() && given->scalar_type() == dtype &&
                                          given->device() == device && detail::aligned16(*given)),
                    kFn, ": k_out and v_out must be contiguous 16-byte aligned ",
                    torch::IntArrayRef(shape), " ", dtype, " on ", device, ", got ", given->sizes(),
                    " ", given->scalar_type(), " on ", given->device());
    }
    QkvWindows out{torch::empty(shape, options),
                   k_out.defined() ? k_out : torch::empty(shape, options),
                   v_out.defined() ? v_out : torch::empty(shape, options)};

    QkvPrepareParams p;
    p.dtype = dtype == torch::kBFloat16 ? ScalarType::kBFloat16 : ScalarType::kFloat16;
    p.q = qr.data_ptr();
    p.k = kr.data_ptr();
    p.v = vr.data_ptr();
    p.q_row_stride = qr.stride(0);
    p.k_row_stride = kr.stride(0);
    p.v_row_stride = vr.stride(0);
    p.q_weight = qw.data_ptr();
    p.k_weight = kw.data_ptr();
    p.eps = static_cast<float>(eps);
    p.rope = table.data_ptr<double>();
    p.q_out = out.q.data_ptr();
    p.k_out = out.k.data_ptr();
    p.v_out = out.v.data_ptr();
    p.frames = grid[0];
    p.height = grid[1];
    p.width = grid[2];
    p.window_frames = window[0];
    p.window_height = window[1];
    p.window_width = window[2];
    p.channels = static_cast<int>(channels);
    const auto status = kernels::qkv_prepare(p, c10::cuda::getCurrentCUDAStream(device.index()));
    TORCH_CHECK(status.ok(), kFn, ": CUDA kernel failed: ", status.message());
    return out;
}

}  // namespace kernels::torch_api
