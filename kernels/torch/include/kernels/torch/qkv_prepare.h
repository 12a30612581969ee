#pragma once
// LibTorch binding of kernels/qkv_prepare.h: RMSNorm + RoPE of q and k and the window partition of
// q, k and v in one kernel (spec §2.1.2). Validates tensors, uses the current stream of their
// device; throws c10::Error on bad arguments or a CUDA failure.

#include "engine/torch.h"

#include <array>
#include <cstdint>

namespace kernels::torch_api {

struct QkvWindows {
    torch::Tensor q;  // [nWin, wf*wh*ww, C] contiguous, the input dtype
    torch::Tensor k;
    torch::Tensor v;
};

// q, k, v: [1, L, C] or [L, C] CUDA bf16/fp16 (channels contiguous), L = frames*height*width in
// (f, y, x) order; q_weight, k_weight: [C] RMSNorm weights of the same dtype; rope: upstream's
// complex128 freqs [L, 1, C_head/2] (or its real view [L, 1, 64, 2] double) on the same device.
// The window (wf, wh, ww) must divide the grid. k_out, v_out (optional, both or neither):
// contiguous [nWin, wf*wh*ww, C] tensors of the dtype on the device that receive k and v (e.g. the
// free slots of a KV pool); the returned k and v are then these tensors.
QkvWindows qkv_prepare(const torch::Tensor& q,
                       const torch::Tensor& k,
                       const torch::Tensor& v,
                       const torch::Tensor& q_weight,
                       const torch::Tensor& k_weight,
                       double eps,
                       const torch::Tensor& rope,
                       std::array<std::int64_t, 3> grid,
                       std::array<std::int64_t, 3> window,
                       const torch::Tensor& k_out = {},
                       const torch::Tensor& v_out = {});

}  // namespace kernels::torch_api
