#pragma once
// LibTorch binding of kernels/channel_norm.h: the Wan VAE decoder's conv bias, residual add,
// channel RMS norm and SiLU fused into one pass over a channels-last activation.
//
// x: CUDA bf16/fp16, [B, C, T, H, W] in ChannelsLast3d or [B, C, H, W] in ChannelsLast memory
// format (channels contiguous per pixel), C a multiple of 8 (at most 4096). residual: same shape,
// dtype and layout as x (undefined: none); bias, gamma: C elements of x's dtype (undefined: none;
// gamma undefined = no norm). Returns
//   silu?(rms(x + bias + residual)) with rms(r) = r / max(||r||₂ over C, 1e-12) · scale · gamma
// in a new tensor of x's shape and layout, or written into `out` when it is given: x's shape,
// dtype, device and layout, e.g. frames of a larger channels-last tensor (the Wan VAE decoder
// writes a causal conv's new input frames behind its cached ones); returns out then.
// Validates arguments (c10::Error naming the argument); current stream of x's device.

#include "engine/torch.h"

namespace kernels::torch_api {

// True when channel_norm() takes x as it is (device, dtype, layout, channel count).
bool channel_norm_accepts(const torch::Tensor& x);

torch::Tensor channel_norm(const torch::Tensor& x,
                           const torch::Tensor& bias,
                           const torch::Tensor& residual,
                           const torch::Tensor& gamma,
                           double scale,
                           bool silu,
                           const torch::Tensor& out = {});

}  // namespace kernels::torch_api
