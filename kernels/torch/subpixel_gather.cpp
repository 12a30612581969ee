#include "kernels/torch/subpixel_gather.h"

#include "binding.h"
#include "kernels/subpixel_gather.h"

#include <c10/cuda/CUDAGuard.h>
#include <c10/cuda/CUDAStream.h>

namespace kernels::torch_api {

bool subpixel_gather_accepts(const torch::Tensor& phases) {
    if (!phases.is_cuda() || phases.dim() != 4 || phases.size(1) % 4 != 0 || phases.size(2) < 2 ||
        phases.size(3) < 2) {
        return false;
    }
    const auto type = phases.scalar_type();
    if (type != torch::kBFloat16 && type != torch::kHalf && type != torch::kFloat) {
        return false;
    }
    const auto m = phases.size(1) / 4;
    return m > 0 && (m * static_cast<std::int64_t>(phases.element_size())) % 16 == 0 &&
           phases.is_contiguous(at::MemoryFormat::ChannelsLast) && detail::aligned16(phases);
}

torch::Tensor subpixel_gather(const torch::Tensor& phases) {
    TORCH_CHECK(subpixel_gather_accepts(phases),
                "subpixel_gather: phases must be a CUDA bf16/fp16/fp32 [N, 4m, H+1, W+1] "
                "channels-last tensor (H, W >= 1, m * element size a multiple of 16), 16-byte "
                "aligned, got ",
                phases.sizes(), " strides ", phases.strides(), " ", phases.scalar_type(), " on ",
                phases.device());
    const auto n = phases.size(0);
    const auto m = phases.size(1) / 4;
    const auto h = phases.size(2) - 1;
    const auto w = phases.size(3) - 1;
    TORCH_CHECK(n <= 65535 && h <= 32767 && w <= INT32_MAX / 2 && m <= INT32_MAX,
                "subpixel_gather: too large: ", phases.sizes());
    auto out = torch::empty({n, m, 2 * h, 2 * w},
                            phases.options().memory_format(at::MemoryFormat::ChannelsLast));
    SubpixelGatherParams p;
    p.element_bytes = static_cast<int>(phases.element_size());
    p.images = static_cast<int>(n);
    p.height = static_cast<int>(h);
    p.width = static_cast<int>(w);
    p.channels = static_cast<int>(m);
    p.in = phases.data_ptr();
    p.out = out.data_ptr();
    const c10::cuda::CUDAGuard guard(phases.device());
    const auto status =
        kernels::subpixel_gather(p, c10::cuda::getCurrentCUDAStream(phases.device().index()));
    TORCH_CHECK(status.ok(), "subpixel_gather: ", status.message());
    return out;
}

}  // namespace kernels::torch_api
