#pragma once
// LibTorch binding of kernels/dit_elementwise.h: the DiT block's residual adds, norms and adaLN
// modulation fused into single passes over the [L, C] activation. Each function reproduces the
// named chain of PyTorch ops on bf16/fp16 tensors (each op rounding its result), up to rare
// one-ulp differences of the norm where fp32 statistics are summed in another order.
//
// Tensors: activations x, y are [1, L, C] or [L, C] CUDA bf16/fp16 with contiguous channels
// (other layouts are copied first); per-channel vectors (gate, shift, scale, weights) have C
// elements of the same dtype, e.g. the [1, 1, C] chunks of the modulation. Outputs are new
// contiguous tensors shaped like x. Validates arguments (c10::Error naming the argument), uses the
// current stream of x's device; asynchronous like any CUDA op, safe from several threads.

#include "engine/torch.h"

#include <utility>

namespace kernels::torch_api {

// round(round(layer_norm(x, eps)·round(1 + scale)) + shift): upstream's modulate(norm(x), shift,
// scale) with a LayerNorm without affine parameters.
torch::Tensor layer_norm_modulate(const torch::Tensor& x,
                                  double eps,
                                  const torch::Tensor& shift,
                                  const torch::Tensor& scale);

// x + gate·y (two roundings: the product, then the sum).
torch::Tensor gated_residual(const torch::Tensor& x,
                             const torch::Tensor& gate,
                             const torch::Tensor& y);

// r = x + gate·y, and layer_norm(r, weight, bias, eps) (affine, one rounding). Returns {r, norm}.
std::pair<torch::Tensor, torch::Tensor> gated_residual_layer_norm(const torch::Tensor& x,
                                                                  const torch::Tensor& gate,
                                                                  const torch::Tensor& y,
                                                                  const torch::Tensor& weight,
                                                                  const torch::Tensor& bias,
                                                                  double eps);

// r = x + y, and layer_norm_modulate(r, eps, shift, scale). Returns {r, modulated}.
std::pair<torch::Tensor, torch::Tensor> residual_layer_norm_modulate(const torch::Tensor& x,
                                                                     const torch::Tensor& y,
                                                                     double eps,
                                                                     const torch::Tensor& shift,
                                                                     const torch::Tensor& scale);

// Upstream's WanRMSNorm: (x_f32·rsqrt(mean(x_f32²) + eps)).to(dtype)·weight.
torch::Tensor rms_norm(const torch::Tensor& x, const torch::Tensor& weight, double eps);

}  // namespace kernels::torch_api
