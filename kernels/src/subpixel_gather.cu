// Sub-pixel phase gather (see kernels/subpixel_gather.h). A CTA writes 256 16-byte vectors of one
// output row; consecutive threads read consecutive vectors of one phase of one low-resolution
// pixel, so reads and writes are both coalesced.

#include "cuda_utils.cuh"
#include "kernels/subpixel_gather.h"

#include <cuda_runtime.h>

#include <cstdint>

namespace kernels {

using detail::aligned16;
namespace {

constexpr int kThreads = 256;

__global__ void __launch_bounds__(kThreads) subpixel_gather_kernel(const SubpixelGatherParams p) {
    const int vectors = p.channels * p.element_bytes / 16;  // per output pixel
    const int64_t row_vectors = static_cast<int64_t>(2) * p.width * vectors;
    const int64_t i = static_cast<int64_t>(blockIdx.x) * kThreads + threadIdx.x;
    if (i >= row_vectors) {
        return;
    }
    const int oy = static_cast<int>(blockIdx.y);
    const int n = static_cast<int>(blockIdx.z);
    const int ox = static_cast<int>(i / vectors);
    const int v = static_cast<int>(i - static_cast<int64_t>(ox) * vectors);
    const int a = oy & 1;
    const int b = ox & 1;
    const int y = (oy >> 1) + a;
    const int x = (ox >> 1) + b;
    const int64_t pixel_bytes = static_cast<int64_t>(p.channels) * p.element_bytes;
    const int64_t in_pixel = (static_cast<int64_t>(n) * (p.height + 1) + y) * (p.width + 1) + x;
    const char* src = static_cast<const char*>(p.in) + in_pixel * 4 * pixel_bytes +
                      (2 * a + b) * pixel_bytes + static_cast<int64_t>(v) * 16;
    const int64_t out_pixel = (static_cast<int64_t>(n) * 2 * p.height + oy) * 2 * p.width + ox;
    char* dst = static_cast<char*>(p.out) + out_pixel * pixel_bytes + static_cast<int64_t>(v) * 16;
    *reinterpret_cast<int4*>(dst) = __ldcs(reinterpret_cast<const int4*>(src));
}

}  // namespace

KernelStatus subpixel_gather(const SubpixelGatherParams& p, cudaStream_t stream) {
    KERNELS_REQUIRE(p.element_bytes == 2 || p.element_bytes == 4,
                    "subpixel_gather: elements of 2 or 4 bytes");
    KERNELS_REQUIRE(p.channels > 0 && (p.channels * p.element_bytes) % 16 == 0,
                    "subpixel_gather: m · element bytes must be a positive multiple of 16");
    KERNELS_REQUIRE(p.images >= 0 && p.height > 0 && p.width > 0,
                    "subpixel_gather: sizes must be positive");
    KERNELS_REQUIRE(p.images <= 65535 && p.height <= 32767,
                    "subpixel_gather: at most 65535 images of 32767 rows per launch");
    KERNELS_REQUIRE(p.in != nullptr && p.out != nullptr && aligned16(p.in) && aligned16(p.out),
                    "subpixel_gather: in and out must be set and 16-byte aligned");
    if (p.images == 0) {
        return {};
    }
    const int64_t row_vectors =
        static_cast<int64_t>(2) * p.width * (p.channels * p.element_bytes / 16);
    const dim3 grid(static_cast<unsigned>((row_vectors + kThreads - 1) / kThreads),
                    static_cast<unsigned>(2 * p.height), static_cast<unsigned>(p.images));
    subpixel_gather_kernel<<<grid, kThreads, 0, stream>>>(p);
    KERNELS_CUDA_TRY(cudaGetLastError());
    return {};
}

}  // namespace kernels
