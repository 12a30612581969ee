#include "kernels/torch/narrow_conv.h"

#include "binding.h"
#include "kernels/narrow_conv.h"

#include <c10/cuda/CUDAGuard.h>
#include <c10/cuda/CUDAStream.h>

namespace kernels::torch_api {

torch::Tensor narrow_conv_pack_weights(const torch::Tensor& weight) {
    TORCH_CHECK(weight.dim() == 4 && weight.size(0) >= 1 && weight.size(0) <= kNarrowConvMaxOut &&
                    weight.size(2) == 3 && weight.size(3) == 3,
                "narrow_conv_pack_weights: weight must be [Cout <= 8, C, 3, 3], got ",
                weight.sizes());
    auto packed = torch::zeros({3, 3, kNarrowConvMaxOut, weight.size(1)}, weight.options());
    packed.narrow(2, 0, weight.size(0)).copy_(weight.permute({2, 3, 0, 1}));
    return packed;
}

bool narrow_conv_accepts(const torch::Tensor& x) {
    return x.is_cuda() && x.dim() == 4 &&
           (x.scalar_type() == torch::kBFloat16 || x.scalar_type() == torch::kHalf) &&
           x.size(1) % 16 == 0 && x.size(1) > 0 &&
           x.is_contiguous(at::MemoryFormat::ChannelsLast) && detail::aligned16(x);
}

void narrow_conv3x3_out(torch::Tensor& out,
                        const torch::Tensor& x,
                        const torch::Tensor& packed,
                        const torch::Tensor& bias) {
    constexpr const char* fn = "narrow_conv3x3";
    TORCH_CHECK(narrow_conv_accepts(x), fn,
                ": x must be a CUDA bf16/fp16 channels-last [N, C, H, W] tensor with C a "
                "multiple of 16, got ",
                x.sizes(), " ", x.scalar_type(), " on ", x.device());
    const auto channels = x.size(1);
    TORCH_CHECK(packed.dim() == 4 && packed.size(0) == 3 && packed.size(1) == 3 &&
                    packed.size(2) == kNarrowConvMaxOut && packed.size(3) == channels &&
                    packed.is_contiguous() && packed.scalar_type() == x.scalar_type() &&
                    packed.device() == x.device() && detail::aligned16(packed),
                fn, ": packed must come from narrow_conv_pack_weights for ", channels,
                " channels (", x.scalar_type(), " on ", x.device(), "), got ", packed.sizes(), " ",
                packed.scalar_type(), " on ", packed.device());
    TORCH_CHECK(out.dim() == 4 && out.size(0) == x.size(0) && out.size(1) >= 1 &&
                    out.size(1) <= kNarrowConvMaxOut && out.size(2) == x.size(2) &&
                    out.size(3) == x.size(3) && out.stride(3) == 1 &&
                    out.scalar_type() == x.scalar_type() && out.device() == x.device(),
                fn, ": out must be [N, Cout <= 8, H, W] = [", x.size(0), ", Cout, ", x.size(2),
                ", ", x.size(3), "] with contiguous rows, ", x.scalar_type(), " on ", x.device(),
                ", got ", out.sizes(), " strides ", out.strides());
    torch::Tensor bias_c;
    if (bias.defined()) {
        TORCH_CHECK(bias.numel() == out.size(1) && bias.scalar_type() == x.scalar_type() &&
                        bias.device() == x.device(),
                    fn, ": bias must have Cout = ", out.size(1), " elements of ", x.scalar_type(),
                    " on ", x.device());
        bias_c = bias.reshape({-1}).contiguous();
    }
    TORCH_CHECK(x.size(0) <= 65535 && x.size(2) <= INT32_MAX && x.size(3) <= INT32_MAX, fn,
                ": image too large");
    NarrowConvParams p;
    p.dtype = x.scalar_type() == torch::kBFloat16 ? ScalarType::kBFloat16 : ScalarType::kFloat16;
    p.images = static_cast<int>(x.size(0));
    p.channels = static_cast<int>(channels);
    p.height = static_cast<int>(x.size(2));
    p.width = static_cast<int>(x.size(3));
    p.out_channels = static_cast<int>(out.size(1));
    p.x = x.data_ptr();
    p.weight = packed.data_ptr();
    p.bias = bias_c.defined() ? bias_c.data_ptr() : nullptr;
    p.out = out.data_ptr();
    p.out_image_stride = out.stride(0);
    p.out_channel_stride = out.stride(1);
    p.out_row_stride = out.stride(2);
    const c10::cuda::CUDAGuard guard(x.device());
    const auto status =
        kernels::narrow_conv3x3(p, c10::cuda::getCurrentCUDAStream(x.device().index()));
    TORCH_CHECK(status.ok(), fn, ": CUDA kernel failed: ", status.message());
}

}  // namespace kernels::torch_api
