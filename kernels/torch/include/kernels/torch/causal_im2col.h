#pragma once
// LibTorch binding of kernels/causal_im2col.h: the im2col matrix of a causal (taps, 3, 3)
// convolution with replicate spatial padding, written from unpadded channels-last frames. Uses
// the current stream of the frames' device; throws c10::Error on bad arguments or a CUDA failure.

#include "engine/torch.h"

#include <cstdint>
#include <vector>

namespace kernels::torch_api {

// Most frames in one padded sequence (kernels::kCausalIm2colMaxFrames).
constexpr std::int64_t kCausalIm2colMaxFrames = 16;

// True when causal_im2col_out takes `frame`: a CUDA [C, h, w] bf16 / fp16 / fp32 view with C
// contiguous and no gaps (strides 1, w·C, C: one frame of a channels-last [B, C, T, h, w]
// tensor), C · element size a multiple of 16, 16-byte aligned.
bool causal_im2col_accepts(const torch::Tensor& frame);

// columns[i] = matrix row row_begin + i of the convolution over the padded sequence `frames`
// (each accepted by causal_im2col_accepts, same size, dtype and device; up to 16; a frame may
// repeat): row (t, y, x), column ((dt·3 + dy)·3 + dx)·C + c, frame t·temporal_stride + dt,
// pixel clamped into the frame. columns: [rows, taps·9·C] of the frames' dtype on their device,
// rows contiguous (row stride a multiple of 16 bytes).
void causal_im2col_out(torch::Tensor& columns,
                       const std::vector<torch::Tensor>& frames,
                       std::int64_t taps,
                       std::int64_t temporal_stride,
                       std::int64_t row_begin);

}  // namespace kernels::torch_api
