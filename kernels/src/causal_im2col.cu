// Im2col of a causal (taps, 3, 3) convolution from unpadded frames (see kernels/causal_im2col.h).
// One CTA per matrix row: the row's taps·9 segments of C contiguous values are copied 16 bytes
// per thread and step; the source pixel of each segment is clamped at the frame's border, which
// is the replicate padding. The overlapping windows of neighbouring rows are read from L2.

#include "cuda_utils.cuh"
#include "kernels/causal_im2col.h"

#include <cuda_runtime.h>

#include <cstdint>

namespace kernels {

using detail::aligned16;
namespace {

constexpr int kThreads = 256;

__global__ void __launch_bounds__(kThreads) causal_im2col_kernel(const CausalIm2colParams p) {
    __shared__ const char* s_frames[kCausalIm2colMaxTaps];
    const int64_t row = p.row_begin + static_cast<int64_t>(blockIdx.x);
    const int64_t plane = static_cast<int64_t>(p.height) * p.width;
    const int t = static_cast<int>(row / plane);
    const int64_t pixel = row - static_cast<int64_t>(t) * plane;
    const int y = static_cast<int>(pixel / p.width);
    const int x = static_cast<int>(pixel - static_cast<int64_t>(y) * p.width);
    if (threadIdx.x < p.taps) {
        const int frame = t * p.temporal_stride + static_cast<int>(threadIdx.x);
        s_frames[threadIdx.x] = static_cast<const char*>(p.frames[frame]);
    }
    __syncthreads();

    const int64_t pixel_bytes = static_cast<int64_t>(p.channels) * p.element_bytes;
    const int vectors = static_cast<int>(pixel_bytes / 16);  // per segment
    const int total = p.taps * 9 * vectors;
    char* out = static_cast<char*>(p.out) +
                static_cast<int64_t>(blockIdx.x) * p.out_row_stride * p.element_bytes;
    for (int i = static_cast<int>(threadIdx.x); i < total; i += kThreads) {
        const int segment = i / vectors;
        const int v = i - segment * vectors;
        const int dt = segment / 9;
        const int tap = segment - dt * 9;
        const int dy = tap / 3;
        const int dx = tap - dy * 3;
        const int sy = min(max(y + dy - 1, 0), p.height - 1);
        const int sx = min(max(x + dx - 1, 0), p.width - 1);
        const char* src = s_frames[dt] + (static_cast<int64_t>(sy) * p.width + sx) * pixel_bytes +
                          static_cast<int64_t>(v) * 16;
        const int4 value = __ldg(reinterpret_cast<const int4*>(src));
        // Written once, read once by the GEMM: streamed past L1.
        __stcs(reinterpret_cast<int4*>(out + static_cast<int64_t>(segment) * pixel_bytes +
                                       static_cast<int64_t>(v) * 16),
               value);
    }
}

}  // namespace

KernelStatus causal_im2col(const CausalIm2colParams& p, cudaStream_t stream) {
    KERNELS_REQUIRE(p.element_bytes == 2 || p.element_bytes == 4,
                    "causal_im2col: elements of 2 or 4 bytes");
    KERNELS_REQUIRE(p.channels > 0 && (p.channels * p.element_bytes) % 16 == 0,
                    "causal_im2col: C · element bytes must be a positive multiple of 16");
    KERNELS_REQUIRE(p.height > 0 && p.width > 0, "causal_im2col: frame sizes must be positive");
    KERNELS_REQUIRE(p.taps >= 1 && p.taps <= kCausalIm2colMaxTaps && p.temporal_stride >= 1,
                    "causal_im2col: 1 to 8 temporal taps and a positive stride");
    KERNELS_REQUIRE(p.frame_count >= p.taps && p.frame_count <= kCausalIm2colMaxFrames,
                    "causal_im2col: the padded sequence needs taps to 16 frames");
    const int64_t t_out = (p.frame_count - p.taps) / p.temporal_stride + 1;
    const int64_t matrix_rows = t_out * p.height * p.width;
    KERNELS_REQUIRE(p.row_begin >= 0 && p.rows >= 0 && p.row_begin + p.rows <= matrix_rows,
                    "causal_im2col: rows outside the matrix");
    KERNELS_REQUIRE(p.rows <= 0x7fffffff, "causal_im2col: at most 2^31 - 1 rows per launch");
    KERNELS_REQUIRE(p.out != nullptr && aligned16(p.out) &&
                        (p.out_row_stride * p.element_bytes) % 16 == 0 &&
                        p.out_row_stride >= static_cast<int64_t>(p.taps) * 9 * p.channels,
                    "causal_im2col: out must be 16-byte aligned rows of at least taps·9·C");
    for (int i = 0; i < p.frame_count; ++i) {
        KERNELS_REQUIRE(p.frames[i] != nullptr && aligned16(p.frames[i]),
                        "causal_im2col: every frame must be set and 16-byte aligned");
    }
    if (p.rows == 0) {
        return {};
    }
    causal_im2col_kernel<<<static_cast<unsigned>(p.rows), kThreads, 0, stream>>>(p);
    KERNELS_CUDA_TRY(cudaGetLastError());
    return {};
}

}  // namespace kernels
