#include "kernels/torch/dit_elementwise.h"

#include "binding.h"
#include "kernels/dit_elementwise.h"

#include <c10/cuda/CUDAGuard.h>
#include <c10/cuda/CUDAStream.h>

#include <cstdint>
#include <vector>

namespace kernels::torch_api {
namespace {

using detail::aligned16;
using detail::channels_of;

// [1, L, C] or [L, C] -> [L, C] rows the kernel can read in place (contiguous channels, row
// stride a multiple of 8, 16-byte aligned), else a contiguous copy.
torch::Tensor rows_of(const torch::Tensor& t, const char* fn, const char* name) {
    TORCH_CHECK(t.is_cuda(), fn, ": ", name, " must be a CUDA tensor, got ", t.device());
    TORCH_CHECK((t.dim() == 3 && t.size(0) == 1) || t.dim() == 2, fn, ": ", name,
                " must be [1, L, C] or [L, C], got ", t.sizes());
    auto rows = t.dim() == 3 ? t.select(0, 0) : t;
    const bool readable = rows.stride(1) == 1 && rows.stride(0) % 8 == 0 && aligned16(rows);
    return readable ? rows : rows.clone(torch::MemoryFormat::Contiguous);
}

struct Call {
    const char* fn;
    torch::Tensor x;  // [L, C] rows
    DitElementwiseParams p;
    // Keeps converted inputs alive until the kernel is enqueued.
    std::vector<torch::Tensor> keep;

    Call(const char* name, const torch::Tensor& x_in) : fn(name), x(rows_of(x_in, name, "x")) {
        TORCH_CHECK(x.scalar_type() == torch::kBFloat16 || x.scalar_type() == torch::kHalf, fn,
                    ": x must be bfloat16 or float16, got ", x.scalar_type());
        TORCH_CHECK(x.size(1) % 8 == 0 && x.size(1) > 0 && x.size(1) <= 8192, fn,
                    ": C must be a positive multiple of 8, at most 8192, got ", x.size(1));
        p.dtype =
            x.scalar_type() == torch::kBFloat16 ? ScalarType::kBFloat16 : ScalarType::kFloat16;
        p.rows = x.size(0);
        p.channels = static_cast<int>(x.size(1));
        p.x = x.data_ptr();
        p.x_row_stride = x.stride(0);
    }

    const void* vec(const torch::Tensor& t, const char* name) {
        keep.push_back(channels_of(t, fn, name, x));
        return keep.back().data_ptr();
    }

    void residual(ResidualKind kind, const torch::Tensor& y_in, torch::Tensor& out) {
        auto y = rows_of(y_in, fn, "y");
        TORCH_CHECK(y.sizes() == x.sizes() && y.scalar_type() == x.scalar_type() &&
                        y.device() == x.device(),
                    fn, ": y must match x (", x.sizes(), " ", x.scalar_type(), " on ", x.device(),
                    "), got ", y.sizes(), " ", y.scalar_type(), " on ", y.device());
        keep.push_back(y);
        p.residual = kind;
        p.y = y.data_ptr();
        p.y_row_stride = y.stride(0);
        out = torch::empty(x.sizes(), x.options());
        p.residual_out = out.data_ptr();
        p.residual_out_row_stride = out.stride(0);
    }

    void norm(NormKind kind, double eps, torch::Tensor& out) {
        p.norm = kind;
        p.eps = static_cast<float>(eps);
        out = torch::empty(x.sizes(), x.options());
        p.norm_out = out.data_ptr();
        p.norm_out_row_stride = out.stride(0);
    }

    void modulate(const torch::Tensor& shift, const torch::Tensor& scale) {
        p.shift = vec(shift, "shift");
        p.scale = vec(scale, "scale");
    }

    void run() {
        const c10::cuda::CUDAGuard guard(x.device());
        const auto status =
            kernels::dit_elementwise(p, c10::cuda::getCurrentCUDAStream(x.device().index()));
        TORCH_CHECK(status.ok(), fn, ": CUDA kernel failed: ", status.message());
    }
};

// Output [L, C] shaped like the caller's x ([1, L, C] stays 3-D).
torch::Tensor shaped_like(const torch::Tensor& out, const torch::Tensor& x_in) {
    return x_in.dim() == 3 ? out.unsqueeze(0) : out;
}

}  // namespace

torch::Tensor layer_norm_modulate(const torch::Tensor& x,
                                  double eps,
                                  const torch::Tensor& shift,
                                  const torch::Tensor& scale) {
    Call call("layer_norm_modulate", x);
    torch::Tensor out;
    call.norm(NormKind::kLayerNorm, eps, out);
    call.modulate(shift, scale);
    call.run();
    return shaped_like(out, x);
}

torch::Tensor gated_residual(const torch::Tensor& x,
                             const torch::Tensor& gate,
                             const torch::Tensor& y) {
    Call call("gated_residual", x);
    torch::Tensor out;
    call.residual(ResidualKind::kGatedAdd, y, out);
    call.p.gate = call.vec(gate, "gate");
    call.run();
    return shaped_like(out, x);
}

std::pair<torch::Tensor, torch::Tensor> gated_residual_layer_norm(const torch::Tensor& x,
                                                                  const torch::Tensor& gate,
                                                                  const torch::Tensor& y,
                                                                  const torch::Tensor& weight,
                                                                  const torch::Tensor& bias,
                                                                  double eps) {
    Call call("gated_residual_layer_norm", x);
    torch::Tensor residual;
    torch::Tensor normed;
    call.residual(ResidualKind::kGatedAdd, y, residual);
    call.p.gate = call.vec(gate, "gate");
    call.norm(NormKind::kLayerNormAffine, eps, normed);
    call.p.norm_weight = call.vec(weight, "weight");
    call.p.norm_bias = call.vec(bias, "bias");
    call.run();
    return {shaped_like(residual, x), shaped_like(normed, x)};
}

std::pair<torch::Tensor, torch::Tensor> residual_layer_norm_modulate(const torch::Tensor& x,
                                                                     const torch::Tensor& y,
                                                                     double eps,
                                                                     const torch::Tensor& shift,
                                                                     const torch::Tensor& scale) {
    Call call("residual_layer_norm_modulate", x);
    torch::Tensor residual;
    torch::Tensor modulated;
    call.residual(ResidualKind::kAdd, y, residual);
    call.norm(NormKind::kLayerNorm, eps, modulated);
    call.modulate(shift, scale);
    call.run();
    return {shaped_like(residual, x), shaped_like(modulated, x)};
}

torch::Tensor rms_norm(const torch::Tensor& x, const torch::Tensor& weight, double eps) {
    Call call("rms_norm", x);
    torch::Tensor out;
    call.norm(NormKind::kRmsNormWeight, eps, out);
    call.p.norm_weight = call.vec(weight, "weight");
    call.run();
    return shaped_like(out, x);
}

}  // namespace kernels::torch_api
