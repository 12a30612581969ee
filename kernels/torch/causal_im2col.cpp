#include "kernels/torch/causal_im2col.h"

#include "binding.h"
#include "kernels/causal_im2col.h"

#include <c10/cuda/CUDAGuard.h>
#include <c10/cuda/CUDAStream.h>

namespace kernels::torch_api {

static_assert(kCausalIm2colMaxFrames == kernels::kCausalIm2colMaxFrames,
              "the binding's frame limit is the kernel's");

bool causal_im2col_accepts(const torch::Tensor& frame) {
    if (!frame.is_cuda() || frame.dim() != 3) {
        return false;
    }
    const auto type = frame.scalar_type();
    if (type != torch::kBFloat16 && type != torch::kHalf && type != torch::kFloat) {
        return false;
    }
    const auto c = frame.size(0);
    const auto w = frame.size(2);
    return c > 0 && (c * static_cast<std::int64_t>(frame.element_size())) % 16 == 0 &&
           frame.stride(0) == 1 && frame.stride(2) == c &&
           (frame.size(1) == 1 || frame.stride(1) == w * c) && detail::aligned16(frame);
}

void causal_im2col_out(torch::Tensor& columns,
                       const std::vector<torch::Tensor>& frames,
                       std::int64_t taps,
                       std::int64_t temporal_stride,
                       std::int64_t row_begin) {
    constexpr const char* fn = "causal_im2col";
    TORCH_CHECK(
        !frames.empty() && static_cast<int>(frames.size()) <= kernels::kCausalIm2colMaxFrames, fn,
        ": 1 to ", kernels::kCausalIm2colMaxFrames, " frames, got ", frames.size());
    TORCH_CHECK(taps >= 1 && taps <= kernels::kCausalIm2colMaxTaps && temporal_stride >= 1 &&
                    temporal_stride <= kernels::kCausalIm2colMaxFrames && row_begin >= 0,
                fn, ": taps must be 1 to ", kernels::kCausalIm2colMaxTaps,
                ", the temporal stride positive and row_begin >= 0, got ", taps, ", ",
                temporal_stride, ", ", row_begin);
    const auto& first = frames.front();
    CausalIm2colParams p;
    for (std::size_t i = 0; i < frames.size(); ++i) {
        const auto& f = frames[i];
        TORCH_CHECK(causal_im2col_accepts(f), fn, ": frame ", i,
                    " must be a CUDA bf16/fp16/fp32 [C, h, w] channels-last frame (strides 1, "
                    "w*C, C), 16-byte aligned, got ",
                    f.sizes(), " strides ", f.strides(), " ", f.scalar_type(), " on ", f.device());
        TORCH_CHECK(f.sizes() == first.sizes() && f.scalar_type() == first.scalar_type() &&
                        f.device() == first.device(),
                    fn, ": frame ", i, " differs from frame 0 (", first.sizes(), " ",
                    first.scalar_type(), " on ", first.device(), ")");
        p.frames[i] = f.data_ptr();
    }
    const auto c = first.size(0);
    TORCH_CHECK(columns.dim() == 2 && columns.size(1) == taps * 9 * c && columns.stride(1) == 1 &&
                    columns.scalar_type() == first.scalar_type() &&
                    columns.device() == first.device() && detail::aligned16(columns),
                fn, ": columns must be [rows, ", taps * 9 * c, "] of ", first.scalar_type(), " on ",
                first.device(), " with contiguous, 16-byte aligned rows, got ", columns.sizes(),
                " strides ", columns.strides(), " ", columns.scalar_type());
    TORCH_CHECK(first.size(1) <= INT32_MAX && first.size(2) <= INT32_MAX && c <= INT32_MAX, fn,
                ": frame too large");
    p.element_bytes = static_cast<int>(first.element_size());
    p.channels = static_cast<int>(c);
    p.height = static_cast<int>(first.size(1));
    p.width = static_cast<int>(first.size(2));
    p.taps = static_cast<int>(taps);
    p.temporal_stride = static_cast<int>(temporal_stride);
    p.frame_count = static_cast<int>(frames.size());
    p.row_begin = row_begin;
    p.rows = columns.size(0);
    p.out = columns.data_ptr();
    p.out_row_stride = columns.stride(0);
    const c10::cuda::CUDAGuard guard(first.device());
    const auto status =
        kernels::causal_im2col(p, c10::cuda::getCurrentCUDAStream(first.device().index()));
    TORCH_CHECK(status.ok(), fn, ": ", status.message());
}

}  // namespace kernels::torch_api
