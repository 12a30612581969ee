#pragma once
// LibTorch binding of kernels/subpixel_gather.h: the four phases of a sub-pixel convolution's
// output moved to their output pixels in one pass. Uses the current stream of the input's device;
// throws c10::Error on bad arguments or a CUDA failure.

#include "engine/torch.h"

namespace kernels::torch_api {

// True when subpixel_gather takes `phases`: a CUDA bf16 / fp16 / fp32 [N, 4m, H+1, W+1] tensor
// in channels-last memory, m · element size a multiple of 16, 16-byte aligned.
bool subpixel_gather_accepts(const torch::Tensor& phases);

// [N, m, 2H, 2W] in channels-last memory with out[n, c, 2y + a, 2x + b] =
// phases[n, (2a + b)·m + c, y + a, x + b].
torch::Tensor subpixel_gather(const torch::Tensor& phases);

}  // namespace kernels::torch_api
