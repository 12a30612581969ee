#pragma once
// The im2col matrix of a causal 3-D convolution with a (taps, 3, 3) kernel, spatial stride 1 and
// replicate padding of one pixel on every spatial side (the LQ projector's convolutions), written
// straight from the unpadded frames: no padded copy of the input, no concatenation with the
// temporal cache. The temporal padding is the caller's frame list (a frame may appear more than
// once: the projector repeats its first frame in front). Plain CUDA API (no torch).
//
// Semantics: with P the padded sequence frames[0 .. frame_count), output frame t, pixel (y, x)
// is matrix row r = (t·height + y)·width + x, and
//   out[r − row_begin, ((dt·3 + dy)·3 + dx)·C + c] =
//       P[t·temporal_stride + dt][clamp(y + dy − 1, 0, height − 1), clamp(x + dx − 1, 0, width −
//       1), c]
// for dt < taps, dy, dx < 3, c < C: the column order of a weight [C_out, taps, 3, 3, C] viewed as
// [C_out, taps·9·C], so the convolution is out · weightᵀ. A pure copy (bit exact).
//
// Threading: enqueues on `stream` only; thread-safe.

#include "kernels/status.h"

#include <cuda_runtime_api.h>

#include <cstdint>

namespace kernels {

constexpr int kCausalIm2colMaxFrames = 16;
constexpr int kCausalIm2colMaxTaps = 8;

struct CausalIm2colParams {
    int element_bytes = 2;  // 2 (bf16 / fp16) or 4 (fp32): the copy does not look at values
    int channels = 0;       // C; C · element_bytes a multiple of 16
    int height = 0;
    int width = 0;
    int taps = 0;  // temporal kernel size, 1 .. kCausalIm2colMaxTaps
    int temporal_stride = 1;
    int frame_count = 0;  // ≤ kCausalIm2colMaxFrames
    // Frame p: [height, width, C] with C contiguous and no gaps (pixel stride C, row stride
    // width·C), 16-byte aligned; e.g. one frame of a channels-last [B, C, T, h, w] tensor.
    const void* frames[kCausalIm2colMaxFrames] = {};
    int64_t row_begin = 0;  // first matrix row written
    int64_t rows = 0;       // rows written; row_begin + rows ≤ t_out · height · width
    void* out = nullptr;  // [rows, taps·9·C], rows out_row_stride elements apart, 16-byte aligned
    int64_t out_row_stride = 0;
};

// t_out = (frame_count − taps) / temporal_stride + 1 output frames.
KernelStatus causal_im2col(const CausalIm2colParams& params, cudaStream_t stream);

}  // namespace kernels
