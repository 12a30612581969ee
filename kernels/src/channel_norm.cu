// Channels-last bias / residual / RMS norm / SiLU of the Wan VAE decoder (see
// kernels/channel_norm.h). Rows are short (96..384 channels), so a CTA handles several: each
// thread owns 8 consecutive channels (one 16-byte access), G = C/8 consecutive threads form a row,
// and a CTA of 512 / G rows reads one contiguous block of memory. Row sums of squares go through
// shared memory (one partial per thread, summed by the row's first thread).

#include "cuda_utils.cuh"
#include "kernels/channel_norm.h"

#include <cuda_runtime.h>

#include <cstdint>

namespace kernels {

using detail::aligned16;
namespace {

using detail::load8;
using detail::store8;
using detail::TypeOps;

constexpr int kPerThread = 8;
constexpr int kMaxChannels = 4096;
constexpr int kTargetThreads = 512;

template <typename T, bool kNorm>
__global__ void channel_norm_kernel(ChannelNormParams p, int groups_per_row, int rows_per_cta) {
    extern __shared__ float partial[];  // [rows_per_cta * groups_per_row] then [rows_per_cta]
    float* row_inv = partial + rows_per_cta * groups_per_row;
    const int local_row = static_cast<int>(threadIdx.x) / groups_per_row;
    const int group = static_cast<int>(threadIdx.x) % groups_per_row;
    const int64_t row = static_cast<int64_t>(blockIdx.x) * rows_per_cta + local_row;
    const bool active = local_row < rows_per_cta && row < p.rows;
    const int c0 = group * kPerThread;
    const int64_t offset = row * p.channels + c0;

    float r[kPerThread] = {};
    if (active) {
        load8<T>(p.x, offset, r);
        if (p.bias != nullptr) {
            float b[kPerThread];
            load8<T>(p.bias, c0, b);
#pragma unroll
            for (int i = 0; i < kPerThread; ++i) {
                r[i] = TypeOps<T>::round(r[i] + b[i]);
            }
        }
        if (p.residual != nullptr) {
            float y[kPerThread];
            load8<T>(p.residual, offset, y);
#pragma unroll
            for (int i = 0; i < kPerThread; ++i) {
                r[i] = TypeOps<T>::round(r[i] + y[i]);
            }
        }
    }
    if constexpr (kNorm) {
        float squares = 0.f;
#pragma unroll
        for (int i = 0; i < kPerThread; ++i) {
            squares += r[i] * r[i];
        }
        if (local_row < rows_per_cta) {
            partial[threadIdx.x] = squares;
        }
        __syncthreads();
        if (group == 0 && local_row < rows_per_cta) {
            float sum = 0.f;
            const float* mine = partial + local_row * groups_per_row;
            for (int g = 0; g < groups_per_row; ++g) {
                sum += mine[g];
            }
            row_inv[local_row] = p.scale / fmaxf(sqrtf(sum), p.eps);
        }
        __syncthreads();
        if (active) {
            const float inv = row_inv[local_row];
            float g[kPerThread];
            load8<T>(p.gamma, c0, g);
#pragma unroll
            for (int i = 0; i < kPerThread; ++i) {
                r[i] = TypeOps<T>::round(r[i] * inv * g[i]);
            }
        }
    }
    if (!active) {
        return;
    }
    if (p.silu) {
#pragma unroll
        for (int i = 0; i < kPerThread; ++i) {
            r[i] = TypeOps<T>::round(r[i] / (1.f + __expf(-r[i])));
        }
    }
    store8<T>(p.out, offset, r);
}

template <typename T>
KernelStatus launch(const ChannelNormParams& p, cudaStream_t stream) {
    const int groups = p.channels / kPerThread;
    const int rows_per_cta = kTargetThreads / groups > 0 ? kTargetThreads / groups : 1;
    const int threads = rows_per_cta * groups;
    const int64_t ctas = (p.rows + rows_per_cta - 1) / rows_per_cta;
    KERNELS_REQUIRE(ctas <= 0x7fffffff, "channel_norm: too many rows");
    const size_t shared = p.norm ? sizeof(float) * static_cast<size_t>(threads + rows_per_cta) : 0;
    if (p.norm) {
        channel_norm_kernel<T, true>
            <<<static_cast<unsigned>(ctas), threads, shared, stream>>>(p, groups, rows_per_cta);
    } else {
        channel_norm_kernel<T, false>
            <<<static_cast<unsigned>(ctas), threads, shared, stream>>>(p, groups, rows_per_cta);
    }
    KERNELS_CUDA_TRY(cudaGetLastError());
    return {};
}

}  // namespace

KernelStatus channel_norm(const ChannelNormParams& p, cudaStream_t stream) {
    KERNELS_REQUIRE(p.channels > 0 && p.channels % kPerThread == 0 && p.channels <= kMaxChannels,
                    "channel_norm: channels must be a positive multiple of 8, at most 4096");
    KERNELS_REQUIRE(p.rows >= 0, "channel_norm: rows must be >= 0");
    KERNELS_REQUIRE(p.x != nullptr && aligned16(p.x) && p.out != nullptr && aligned16(p.out),
                    "channel_norm: x and out must be 16-byte aligned");
    KERNELS_REQUIRE(p.residual == nullptr || aligned16(p.residual),
                    "channel_norm: residual must be 16-byte aligned");
    KERNELS_REQUIRE(p.bias == nullptr || aligned16(p.bias),
                    "channel_norm: bias must be 16-byte aligned");
    KERNELS_REQUIRE(!p.norm || (p.gamma != nullptr && aligned16(p.gamma)),
                    "channel_norm: the norm needs a 16-byte aligned gamma [C]");
    if (p.rows == 0) {
        return {};
    }
    if (p.dtype == ScalarType::kBFloat16) {
        return launch<__nv_bfloat16>(p, stream);
    }
    KERNELS_REQUIRE(p.dtype == ScalarType::kFloat16, "channel_norm: dtype must be bf16 or fp16");
    return launch<__half>(p, stream);
}

}  // namespace kernels
