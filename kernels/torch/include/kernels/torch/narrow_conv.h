#pragma once
// LibTorch binding of kernels/narrow_conv.h: a 3x3 convolution (padding 1) with 1 to 8 output
// channels over a channels-last image, on tensor cores (the TCDecoder's last layer). Validates
// tensors, uses the current stream of their device; throws c10::Error on bad arguments or a CUDA
// failure.

#include "engine/torch.h"

namespace kernels::torch_api {

// The kernel's weight layout from a Conv2d weight [Cout ≤ 8, C, 3, 3] (CUDA, any layout):
// [3, 3, 8, C] contiguous, same dtype, zero rows for the padded outputs. Build once per weight.
torch::Tensor narrow_conv_pack_weights(const torch::Tensor& weight);

// True when narrow_conv3x3 takes x: CUDA bf16/fp16 [N, C, H, W] in channels-last memory, C a
// multiple of 16, 16-byte aligned.
bool narrow_conv_accepts(const torch::Tensor& x);

// out[n, o] = conv3x3(x, weight)[n, o] (+ bias[o]) with PyTorch's roundings (see the header).
// packed: from narrow_conv_pack_weights (x's dtype and device); bias: optional [Cout];
// out: [N, Cout, H, W] of x's dtype on its device with the W dimension contiguous (any other
// strides, e.g. one frame of a [B, 3, T, H, W] video), Cout ≤ 8.
void narrow_conv3x3_out(torch::Tensor& out,
                        const torch::Tensor& x,
                        const torch::Tensor& packed,
                        const torch::Tensor& bias);

}  // namespace kernels::torch_api
