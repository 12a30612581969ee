#include "kernels/torch/channel_norm.h"

#include "binding.h"
#include "kernels/channel_norm.h"

#include <c10/cuda/CUDAGuard.h>
#include <c10/cuda/CUDAStream.h>

#include <cstdint>

namespace kernels::torch_api {
namespace {

using detail::aligned16;
using detail::channels_of;

at::MemoryFormat channels_last_of(const torch::Tensor& x) {
    return x.dim() == 5 ? at::MemoryFormat::ChannelsLast3d : at::MemoryFormat::ChannelsLast;
}

}  // namespace

bool channel_norm_accepts(const torch::Tensor& x) {
    return x.is_cuda() && (x.dim() == 4 || x.dim() == 5) &&
           (x.scalar_type() == torch::kBFloat16 || x.scalar_type() == torch::kHalf) &&
           x.size(1) % 8 == 0 && x.size(1) <= 4096 && x.is_contiguous(channels_last_of(x)) &&
           aligned16(x);
}

torch::Tensor channel_norm(const torch::Tensor& x,
                           const torch::Tensor& bias,
                           const torch::Tensor& residual,
                           const torch::Tensor& gamma,
                           double scale,
                           bool silu,
                           const torch::Tensor& out) {
    TORCH_CHECK(channel_norm_accepts(x),
                "channel_norm: x must be a CUDA bf16/fp16 channels-last [B, C, (T,) H, W] tensor "
                "with C a multiple of 8 (at most 4096), got ",
                x.sizes(), " ", x.scalar_type(), " on ", x.device());
    ChannelNormParams p;
    p.dtype = x.scalar_type() == torch::kBFloat16 ? ScalarType::kBFloat16 : ScalarType::kFloat16;
    p.rows = x.numel() / x.size(1);
    p.channels = static_cast<int>(x.size(1));
    p.x = x.data_ptr();
    torch::Tensor bias_c;
    torch::Tensor gamma_c;
    if (bias.defined()) {
        bias_c = channels_of(bias, "channel_norm", "bias", x);
        p.bias = bias_c.data_ptr();
    }
    if (residual.defined()) {
        TORCH_CHECK(residual.sizes() == x.sizes() && residual.scalar_type() == x.scalar_type() &&
                        residual.device() == x.device() &&
                        residual.is_contiguous(channels_last_of(x)) && aligned16(residual),
                    "channel_norm: residual must match x in shape, dtype, device and layout");
        p.residual = residual.data_ptr();
    }
    if (gamma.defined()) {
        gamma_c = channels_of(gamma, "channel_norm", "gamma", x);
        p.norm = true;
        p.gamma = gamma_c.data_ptr();
        p.scale = static_cast<float>(scale);
    }
    p.silu = silu;
    auto result = out.defined() ? out : torch::empty_like(x, x.options(), channels_last_of(x));
    if (out.defined()) {
        TORCH_CHECK(out.sizes() == x.sizes() && out.scalar_type() == x.scalar_type() &&
                        out.device() == x.device() && out.is_contiguous(channels_last_of(x)) &&
                        aligned16(out),
                    "channel_norm: out must match x in shape, dtype, device and layout, got ",
                    out.sizes(), " ", out.scalar_type(), " on ", out.device());
    }
    p.out = result.data_ptr();
    const c10::cuda::CUDAGuard guard(x.device());
    const auto status =
        kernels::channel_norm(p, c10::cuda::getCurrentCUDAStream(x.device().index()));
    TORCH_CHECK(status.ok(), "channel_norm: CUDA kernel failed: ", status.message());
    return result;
}

}  // namespace kernels::torch_api
