// Fused RMSNorm + RoPE + window partition of the DiT self-attention inputs (see the header for the
// semantics). One CTA per token: C/8 threads each own 8 consecutive channels (4 complex pairs of
// one head), loaded and stored as 16-byte vectors.

#include "cuda_utils.cuh"
#include "kernels/qkv_prepare.h"

#include <cuda_runtime.h>

#include <cstdint>

namespace kernels {
namespace {

using detail::TypeOps;

constexpr int kMaxChannels = 8192;
constexpr int kPerThread = 8;

using detail::block_sum;
using detail::load8;
using detail::store8;

// Upstream: x.float() * rsqrt(mean(x.float()^2) + eps), rounded to the run dtype, times weight
// (a run-dtype product), then rope_apply in complex128, rounded back through float.
template <typename T>
__device__ __forceinline__ void norm_rope(float (&v)[kPerThread],
                                          bool active,
                                          const T* weight,
                                          const double* rope_row,
                                          int c0,
                                          float eps,
                                          float channels,
                                          float* scratch) {
    float squares = 0.f;
    if (active) {
#pragma unroll
        for (int i = 0; i < kPerThread; ++i) {
            squares += v[i] * v[i];
        }
    }
    const float rstd = rsqrtf(block_sum(squares, scratch) / channels + eps);
    if (!active) {
        return;
    }
    float w[kPerThread];
    load8<T>(weight, c0, w);
    const int pair0 = (c0 % kHeadDim) / 2;
#pragma unroll
    for (int j = 0; j < kPerThread / 2; ++j) {
        const float a = TypeOps<T>::round(TypeOps<T>::round(v[2 * j] * rstd) * w[2 * j]);
        const float b = TypeOps<T>::round(TypeOps<T>::round(v[2 * j + 1] * rstd) * w[2 * j + 1]);
        const double c = rope_row[2 * (pair0 + j)];
        const double s = rope_row[2 * (pair0 + j) + 1];
        const double ad = a;
        const double bd = b;
        v[2 * j] = __double2float_rn(ad * c - bd * s);
        v[2 * j + 1] = __double2float_rn(ad * s + bd * c);
    }
}

template <typename T>
__global__ void qkv_prepare_kernel(QkvPrepareParams p, float channels) {
    __shared__ float scratch[32];
    const int64_t token = blockIdx.x;
    const int c0 = static_cast<int>(threadIdx.x) * kPerThread;
    const bool active = c0 < p.channels;

    const int64_t hw = p.height * p.width;
    const int64_t f = token / hw;
    const int64_t y = (token / p.width) % p.height;
    const int64_t x = token % p.width;
    const int64_t window =
        ((f / p.window_frames) * (p.height / p.window_height) + y / p.window_height) *
            (p.width / p.window_width) +
        x / p.window_width;
    const int64_t position =
        ((f % p.window_frames) * p.window_height + y % p.window_height) * p.window_width +
        x % p.window_width;
    const int64_t out_row =
        (window * p.window_frames * p.window_height * p.window_width + position) * p.channels;

    const T* q = static_cast<const T*>(p.q) + token * p.q_row_stride;
    const T* k = static_cast<const T*>(p.k) + token * p.k_row_stride;
    const T* v = static_cast<const T*>(p.v) + token * p.v_row_stride;
    const double* rope_row = p.rope + token * kHeadDim;  // 64 pairs x (cos, sin)

    float qv[kPerThread] = {};
    float kv[kPerThread] = {};
    float vv[kPerThread] = {};
    if (active) {
        load8<T>(q, c0, qv);
        load8<T>(k, c0, kv);
        load8<T>(v, c0, vv);
    }
    norm_rope<T>(qv, active, static_cast<const T*>(p.q_weight), rope_row, c0, p.eps, channels,
                 scratch);
    norm_rope<T>(kv, active, static_cast<const T*>(p.k_weight), rope_row, c0, p.eps, channels,
                 scratch);
    if (active) {
        store8<T>(p.q_out, out_row + c0, qv);
        store8<T>(p.k_out, out_row + c0, kv);
        store8<T>(p.v_out, out_row + c0, vv);
    }
}

bool aligned16(const void* p) {
    return (reinterpret_cast<std::uintptr_t>(p) & 15u) == 0;
}

}  // namespace

KernelStatus qkv_prepare(const QkvPrepareParams& p, cudaStream_t stream) {
    KERNELS_REQUIRE(
        p.q && p.k && p.v && p.q_weight && p.k_weight && p.rope && p.q_out && p.k_out && p.v_out,
        "qkv_prepare: a pointer is null");
    KERNELS_REQUIRE(p.channels > 0 && p.channels % kHeadDim == 0 && p.channels <= kMaxChannels,
                    "qkv_prepare: channels must be a positive multiple of 128, at most 8192");
    KERNELS_REQUIRE(p.frames > 0 && p.height > 0 && p.width > 0 && p.window_frames > 0 &&
                        p.window_height > 0 && p.window_width > 0 &&
                        p.frames % p.window_frames == 0 && p.height % p.window_height == 0 &&
                        p.width % p.window_width == 0,
                    "qkv_prepare: the window must divide the token grid");
    KERNELS_REQUIRE(p.q_row_stride % kPerThread == 0 && p.k_row_stride % kPerThread == 0 &&
                        p.v_row_stride % kPerThread == 0 && p.q_row_stride >= p.channels &&
                        p.k_row_stride >= p.channels && p.v_row_stride >= p.channels,
                    "qkv_prepare: row strides must be multiples of 8 and at least C");
    KERNELS_REQUIRE(aligned16(p.q) && aligned16(p.k) && aligned16(p.v) && aligned16(p.q_weight) &&
                        aligned16(p.k_weight) && aligned16(p.q_out) && aligned16(p.k_out) &&
                        aligned16(p.v_out),
                    "qkv_prepare: pointers must be 16-byte aligned");
    const int64_t tokens = p.frames * p.height * p.width;
    KERNELS_REQUIRE(tokens <= 0x7fffffff, "qkv_prepare: too many tokens for one launch");
    const int threads = ((p.channels / kPerThread) + 31) / 32 * 32;
    const float channels = static_cast<float>(p.channels);
    if (p.dtype == ScalarType::kBFloat16) {
        qkv_prepare_kernel<__nv_bfloat16>
            <<<static_cast<unsigned>(tokens), threads, 0, stream>>>(p, channels);
    } else {
        qkv_prepare_kernel<__half>
            <<<static_cast<unsigned>(tokens), threads, 0, stream>>>(p, channels);
    }
    KERNELS_CUDA_TRY(cudaGetLastError());
    return {};
}

}  // namespace kernels
