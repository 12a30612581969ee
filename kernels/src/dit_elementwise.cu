// Fused residual + norm + modulation of the DiT (see kernels/dit_elementwise.h for the numerics).
// One CTA per row: C/8 threads each own 8 consecutive channels, loaded and stored as 16-byte
// vectors, so a row is read once and each output written once; the row statistics are two (or
// one) CTA-wide sums in fp32.

#include "cuda_utils.cuh"
#include "kernels/dit_elementwise.h"

#include <cuda_runtime.h>

#include <cstdint>

namespace kernels {

using detail::aligned16;
namespace {

using detail::TypeOps;

constexpr int kMaxChannels = 8192;
constexpr int kPerThread = 8;

using detail::block_sum;
using detail::load8;
using detail::store8;

template <typename T, ResidualKind kResidual, NormKind kNorm>
__global__ void dit_elementwise_kernel(DitElementwiseParams p, float inv_channels) {
    __shared__ float scratch[32];
    const int64_t row = blockIdx.x;
    const int c0 = static_cast<int>(threadIdx.x) * kPerThread;
    const bool active = c0 < p.channels;

    float r[kPerThread] = {};
    if (active) {
        load8<T>(p.x, row * p.x_row_stride + c0, r);
        if constexpr (kResidual != ResidualKind::kNone) {
            float y[kPerThread];
            load8<T>(p.y, row * p.y_row_stride + c0, y);
            if constexpr (kResidual == ResidualKind::kGatedAdd) {
                float g[kPerThread];
                load8<T>(p.gate, c0, g);
#pragma unroll
                for (int i = 0; i < kPerThread; ++i) {
                    y[i] = TypeOps<T>::round(g[i] * y[i]);
                }
            }
#pragma unroll
            for (int i = 0; i < kPerThread; ++i) {
                r[i] = TypeOps<T>::round(r[i] + y[i]);
            }
            store8<T>(p.residual_out, row * p.residual_out_row_stride + c0, r);
        }
    }
    if constexpr (kNorm == NormKind::kNone) {
        return;
    } else {
        float n[kPerThread];
        if constexpr (kNorm == NormKind::kRmsNormWeight) {
            float squares = 0.f;
#pragma unroll
            for (int i = 0; i < kPerThread; ++i) {
                squares += r[i] * r[i];
            }
            const float rstd = rsqrtf(block_sum(squares, scratch) * inv_channels + p.eps);
            if (!active) {
                return;
            }
            float w[kPerThread];
            load8<T>(p.norm_weight, c0, w);
#pragma unroll
            for (int i = 0; i < kPerThread; ++i) {
                n[i] = TypeOps<T>::round(TypeOps<T>::round(r[i] * rstd) * w[i]);
            }
        } else {
            float sum = 0.f;
#pragma unroll
            for (int i = 0; i < kPerThread; ++i) {
                sum += r[i];
            }
            const float mean = block_sum(sum, scratch) * inv_channels;
            float squares = 0.f;
            if (active) {
#pragma unroll
                for (int i = 0; i < kPerThread; ++i) {
                    const float d = r[i] - mean;
                    squares += d * d;
                }
            }
            const float rstd = rsqrtf(block_sum(squares, scratch) * inv_channels + p.eps);
            if (!active) {
                return;
            }
            if constexpr (kNorm == NormKind::kLayerNormAffine) {
                float w[kPerThread];
                float b[kPerThread];
                load8<T>(p.norm_weight, c0, w);
                load8<T>(p.norm_bias, c0, b);
#pragma unroll
                for (int i = 0; i < kPerThread; ++i) {
                    n[i] = TypeOps<T>::round(fmaf(w[i], rstd * (r[i] - mean), b[i]));
                }
            } else {
#pragma unroll
                for (int i = 0; i < kPerThread; ++i) {
                    n[i] = TypeOps<T>::round(rstd * (r[i] - mean));
                }
            }
        }
        if (p.shift != nullptr) {
            float shift[kPerThread];
            float scale[kPerThread];
            load8<T>(p.shift, c0, shift);
            load8<T>(p.scale, c0, scale);
#pragma unroll
            for (int i = 0; i < kPerThread; ++i) {
                const float factor = TypeOps<T>::round(1.f + scale[i]);
                n[i] = TypeOps<T>::round(TypeOps<T>::round(n[i] * factor) + shift[i]);
            }
        }
        store8<T>(p.norm_out, row * p.norm_out_row_stride + c0, n);
    }
}

bool stride_ok(int64_t stride, int channels) {
    return stride % kPerThread == 0 && stride >= channels;
}

template <typename T, ResidualKind kResidual>
KernelStatus launch_norm(const DitElementwiseParams& p, cudaStream_t stream) {
    const int threads = ((p.channels / kPerThread) + 31) / 32 * 32;
    const unsigned grid = static_cast<unsigned>(p.rows);
    const float inv_channels = 1.f / static_cast<float>(p.channels);
    switch (p.norm) {
        case NormKind::kNone:
            dit_elementwise_kernel<T, kResidual, NormKind::kNone>
                <<<grid, threads, 0, stream>>>(p, inv_channels);
            break;
        case NormKind::kLayerNorm:
            dit_elementwise_kernel<T, kResidual, NormKind::kLayerNorm>
                <<<grid, threads, 0, stream>>>(p, inv_channels);
            break;
        case NormKind::kLayerNormAffine:
            dit_elementwise_kernel<T, kResidual, NormKind::kLayerNormAffine>
                <<<grid, threads, 0, stream>>>(p, inv_channels);
            break;
        case NormKind::kRmsNormWeight:
            dit_elementwise_kernel<T, kResidual, NormKind::kRmsNormWeight>
                <<<grid, threads, 0, stream>>>(p, inv_channels);
            break;
    }
    KERNELS_CUDA_TRY(cudaGetLastError());
    return {};
}

template <typename T>
KernelStatus launch(const DitElementwiseParams& p, cudaStream_t stream) {
    switch (p.residual) {
        case ResidualKind::kNone:
            return launch_norm<T, ResidualKind::kNone>(p, stream);
        case ResidualKind::kAdd:
            return launch_norm<T, ResidualKind::kAdd>(p, stream);
        case ResidualKind::kGatedAdd:
            return launch_norm<T, ResidualKind::kGatedAdd>(p, stream);
    }
    KERNELS_REQUIRE(false, "dit_elementwise: unknown residual kind");
    return {};
}

}  // namespace

KernelStatus dit_elementwise(const DitElementwiseParams& p, cudaStream_t stream) {
    KERNELS_REQUIRE(p.channels > 0 && p.channels % kPerThread == 0 && p.channels <= kMaxChannels,
                    "dit_elementwise: channels must be a positive multiple of 8, at most 8192");
    KERNELS_REQUIRE(p.rows >= 0 && p.rows <= 0x7fffffff, "dit_elementwise: rows out of range");
    KERNELS_REQUIRE(p.residual != ResidualKind::kNone || p.norm != NormKind::kNone,
                    "dit_elementwise: nothing to compute (no residual and no norm)");
    KERNELS_REQUIRE(p.x != nullptr && aligned16(p.x) && stride_ok(p.x_row_stride, p.channels),
                    "dit_elementwise: x must be 16-byte aligned with a row stride that is a "
                    "multiple of 8 and at least C");
    if (p.residual != ResidualKind::kNone) {
        KERNELS_REQUIRE(p.y != nullptr && aligned16(p.y) && stride_ok(p.y_row_stride, p.channels),
                        "dit_elementwise: the residual branch y must be 16-byte aligned with a "
                        "row stride that is a multiple of 8 and at least C");
        KERNELS_REQUIRE(p.residual_out != nullptr && aligned16(p.residual_out) &&
                            stride_ok(p.residual_out_row_stride, p.channels),
                        "dit_elementwise: residual_out must be 16-byte aligned with a row stride "
                        "that is a multiple of 8 and at least C");
    }
    if (p.residual == ResidualKind::kGatedAdd) {
        KERNELS_REQUIRE(p.gate != nullptr && aligned16(p.gate),
                        "dit_elementwise: kGatedAdd needs a 16-byte aligned gate [C]");
    }
    if (p.norm != NormKind::kNone) {
        KERNELS_REQUIRE(p.norm_out != nullptr && aligned16(p.norm_out) &&
                            stride_ok(p.norm_out_row_stride, p.channels),
                        "dit_elementwise: norm_out must be 16-byte aligned with a row stride that "
                        "is a multiple of 8 and at least C");
    }
    if (p.norm == NormKind::kLayerNormAffine || p.norm == NormKind::kRmsNormWeight) {
        KERNELS_REQUIRE(p.norm_weight != nullptr && aligned16(p.norm_weight),
                        "dit_elementwise: this norm needs a 16-byte aligned weight [C]");
    }
    if (p.norm == NormKind::kLayerNormAffine) {
        KERNELS_REQUIRE(p.norm_bias != nullptr && aligned16(p.norm_bias),
                        "dit_elementwise: kLayerNormAffine needs a 16-byte aligned bias [C]");
    }
    KERNELS_REQUIRE((p.shift == nullptr) == (p.scale == nullptr),
                    "dit_elementwise: modulation needs both shift and scale");
    if (p.shift != nullptr) {
        KERNELS_REQUIRE(p.norm != NormKind::kNone && aligned16(p.shift) && aligned16(p.scale),
                        "dit_elementwise: modulation follows a norm and needs 16-byte aligned "
                        "shift and scale [C]");
    }
    if (p.rows == 0) {
        return {};
    }
    if (p.dtype == ScalarType::kBFloat16) {
        return launch<__nv_bfloat16>(p, stream);
    }
    return launch<__half>(p, stream);
}

}  // namespace kernels
