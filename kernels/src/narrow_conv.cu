// 3x3 convolution to a few output channels on tensor cores (see kernels/narrow_conv.h). A CTA
// computes 8 output rows x 64 pixels: one warp per row, four m16n8k16 tiles of 16 pixels. The
// input channels are walked 16 at a time (one mma k-step): the halo tile of those 16 channels and
// the matching weights go to shared memory, then every warp runs 9 taps x 4 tiles of mma with its
// A fragments read by ldmatrix at the tap's shifted pixel.

#include "cuda_utils.cuh"
#include "kernels/narrow_conv.h"

#include <cuda_runtime.h>

#include <cstdint>

namespace kernels {

using detail::aligned16;
namespace {

using detail::ldmatrix_x4;
using detail::smem_u32;
using detail::TypeOps;

constexpr int kTileH = 8;   // output rows per CTA, one per warp
constexpr int kTileW = 64;  // output pixels per row: four 16-pixel mma tiles
constexpr int kMTiles = kTileW / 16;
constexpr int kWarps = kTileH;
constexpr int kThreads = kWarps * 32;
constexpr int kChunk = 16;  // input channels per pass: one mma k-step
// Elements per pixel in shared memory: 16 channels + 8 of padding, so that the 8 rows an
// ldmatrix phase reads (consecutive pixels, 48 bytes apart) fall into distinct banks.
constexpr int kPixStride = 24;
constexpr int kHaloW = kTileW + 2;
constexpr int kHaloH = kTileH + 2;
constexpr int kTaps = 9;

template <typename T>
__global__ void __launch_bounds__(kThreads) narrow_conv3x3_kernel(const NarrowConvParams p) {
    __shared__ __align__(16) T s_x[kHaloH * kHaloW * kPixStride];
    __shared__ __align__(16) T s_w[kTaps * kNarrowConvMaxOut * kChunk];
    const int warp = static_cast<int>(threadIdx.x) / 32;
    const int lane = static_cast<int>(threadIdx.x) % 32;
    const int n = static_cast<int>(blockIdx.z);
    const int y0 = static_cast<int>(blockIdx.y) * kTileH;
    const int x0 = static_cast<int>(blockIdx.x) * kTileW;
    const T* image =
        static_cast<const T*>(p.x) + static_cast<int64_t>(n) * p.height * p.width * p.channels;
    const T* weight = static_cast<const T*>(p.weight);

    float acc[kMTiles][4];
#pragma unroll
    for (int m = 0; m < kMTiles; ++m) {
#pragma unroll
        for (int i = 0; i < 4; ++i) {
            acc[m][i] = 0.f;
        }
    }

    for (int c0 = 0; c0 < p.channels; c0 += kChunk) {
        __syncthreads();  // the previous pass is done with the tiles
        // Halo tile of 16 channels: two 16-byte vectors per pixel, zeros outside the image.
        for (int i = static_cast<int>(threadIdx.x); i < kHaloH * kHaloW * 2; i += kThreads) {
            const int pix = i >> 1;
            const int half = i & 1;
            const int gy = y0 + pix / kHaloW - 1;
            const int gx = x0 + pix % kHaloW - 1;
            uint4 v = make_uint4(0u, 0u, 0u, 0u);
            if (gy >= 0 && gy < p.height && gx >= 0 && gx < p.width) {
                v = *reinterpret_cast<const uint4*>(
                    image + (static_cast<int64_t>(gy) * p.width + gx) * p.channels + c0 + half * 8);
            }
            *reinterpret_cast<uint4*>(s_x + pix * kPixStride + half * 8) = v;
        }
        // Weights [tap][o][16 channels] of this pass.
        for (int i = static_cast<int>(threadIdx.x); i < kTaps * kNarrowConvMaxOut * 2;
             i += kThreads) {
            const int row = i >> 1;  // tap * 8 + o
            const int half = i & 1;
            *reinterpret_cast<uint4*>(s_w + row * kChunk + half * 8) =
                *reinterpret_cast<const uint4*>(weight + static_cast<int64_t>(row) * p.channels +
                                                c0 + half * 8);
        }
        __syncthreads();

        // B fragments (k x n = 16 channels x 8 outputs): b0 holds k = 2·(lane mod 4) + {0, 1}
        // of output n = lane / 4, b1 the same 8 channels further.
        uint32_t b[kTaps][2];
#pragma unroll
        for (int tap = 0; tap < kTaps; ++tap) {
            const T* row = s_w + (tap * kNarrowConvMaxOut + lane / 4) * kChunk + 2 * (lane % 4);
            b[tap][0] = *reinterpret_cast<const uint32_t*>(row);
            b[tap][1] = *reinterpret_cast<const uint32_t*>(row + 8);
        }
        // A fragments (16 pixels x 16 channels) by ldmatrix.x4: lane i names pixel i mod 16 of
        // the tile and channels 8·(i / 16) .. +7.
#pragma unroll
        for (int m = 0; m < kMTiles; ++m) {
#pragma unroll
            for (int tap = 0; tap < kTaps; ++tap) {
                const int pix = (warp + tap / 3) * kHaloW + m * 16 + lane % 16 + tap % 3;
                uint32_t a[4];
                ldmatrix_x4(a, smem_u32(s_x + pix * kPixStride + (lane / 16) * 8));
                TypeOps<T>::mma(acc[m], a, b[tap][0], b[tap][1]);
            }
        }
    }

    // Accumulator fragment: acc[m][2h + e] is pixel m·16 + lane/4 + 8h, output 2·(lane mod 4) + e.
    const int y = y0 + warp;
    if (y >= p.height) {
        return;
    }
    T* out = static_cast<T*>(p.out) + n * p.out_image_stride + y * p.out_row_stride;
    const T* bias = static_cast<const T*>(p.bias);
#pragma unroll
    for (int e = 0; e < 2; ++e) {
        const int o = 2 * (lane % 4) + e;
        if (o >= p.out_channels) {
            continue;
        }
        const float b_o = bias != nullptr ? TypeOps<T>::to_float(bias[o]) : 0.f;
#pragma unroll
        for (int m = 0; m < kMTiles; ++m) {
#pragma unroll
            for (int h = 0; h < 2; ++h) {
                const int x = x0 + m * 16 + lane / 4 + 8 * h;
                if (x < p.width) {
                    float r = TypeOps<T>::round(acc[m][2 * h + e]);
                    if (bias != nullptr) {
                        r = TypeOps<T>::round(r + b_o);
                    }
                    out[o * p.out_channel_stride + x] = TypeOps<T>::from_float(r);
                }
            }
        }
    }
}

}  // namespace

KernelStatus narrow_conv3x3(const NarrowConvParams& p, cudaStream_t stream) {
    KERNELS_REQUIRE(p.images >= 0 && p.height > 0 && p.width > 0,
                    "narrow_conv3x3: image sizes must be positive");
    KERNELS_REQUIRE(p.channels > 0 && p.channels % kChunk == 0,
                    "narrow_conv3x3: channels must be a positive multiple of 16");
    KERNELS_REQUIRE(p.out_channels >= 1 && p.out_channels <= kNarrowConvMaxOut,
                    "narrow_conv3x3: 1 to 8 output channels");
    KERNELS_REQUIRE(p.x != nullptr && p.weight != nullptr && p.out != nullptr,
                    "narrow_conv3x3: x, weight and out are required");
    KERNELS_REQUIRE(aligned16(p.x) && aligned16(p.weight),
                    "narrow_conv3x3: x and weight must be 16-byte aligned");
    KERNELS_REQUIRE(p.images <= 65535, "narrow_conv3x3: at most 65535 images per launch");
    if (p.images == 0) {
        return {};
    }
    const dim3 grid(static_cast<unsigned>((p.width + kTileW - 1) / kTileW),
                    static_cast<unsigned>((p.height + kTileH - 1) / kTileH),
                    static_cast<unsigned>(p.images));
    if (p.dtype == ScalarType::kBFloat16) {
        narrow_conv3x3_kernel<__nv_bfloat16><<<grid, kThreads, 0, stream>>>(p);
    } else {
        narrow_conv3x3_kernel<__half><<<grid, kThreads, 0, stream>>>(p);
    }
    KERNELS_CUDA_TRY(cudaGetLastError());
    return {};
}

}  // namespace kernels
