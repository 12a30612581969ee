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

// Sum over the CTA; every thread gets the result. `scratch` holds one float per warp.
__device__ __forceinline__ float block_sum(float value, float* scratch) {
    for (int offset = 16; offset > 0; offset >>= 1) {
        value += __shfl_xor_sync(0xffffffffu, value, offset);
    }
    const int warp = threadIdx.x / 32;
    const int lane = threadIdx.x % 32;
    if (lane == 0) {
        scratch[warp] = value;
    }
    __syncthreads();
    const int warps = (blockDim.x + 31) / 32;
    float total = 0.f;
    for (int w = 0; w < warps; ++w) {
        total += scratch[w];
    }
    __syncthreads();  // scratch is reused by the next call
    return total;
}

template <typename T>
struct Vec8 {
    float x[kPerThread];
};

template <typename T>
__device__ __forceinline__ Vec8<T> load8(const T* p) {
    const uint4 raw = *reinterpret_cast<const uint4*>(p);
    const uint32_t words[4] = {raw.x, raw.y, raw.z, raw.w};
    Vec8<T> v;
#pragma unroll
    for (int i = 0; i < 4; ++i) {
        const float2 f = TypeOps<T>::unpack(words[i]);
        v.x[2 * i] = f.x;
        v.x[2 * i + 1] = f.y;
    }
    return v;
}

template <typename T>
__device__ __forceinline__ void store8(T* p, const Vec8<T>& v) {
    uint4 raw;
    raw.x = TypeOps<T>::pack(v.x[0], v.x[1]);
    raw.y = TypeOps<T>::pack(v.x[2], v.x[3]);
    raw.z = TypeOps<T>::pack(v.x[4], v.x[5]);
    raw.w = TypeOps<T>::pack(v.x[6], v.x[7]);
    *reinterpret_cast<uint4*>(p) = raw;
}

// Upstream: x.float() * rsqrt(mean(x.float()^2) + eps), rounded to the run dtype, times weight
// (a run-dtype product), then rope_apply in complex128, rounded back through float.
template <typename T>
__device__ __forceinline__ Vec8<T> norm_rope(Vec8<T> v,
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
            squares += v.x[i] * v.x[i];
        }
    }
    const float rstd = rsqrtf(block_sum(squares, scratch) / channels + eps);
    if (!active) {
        return v;
    }
    const Vec8<T> w = load8(weight + c0);
    const int pair0 = (c0 % kHeadDim) / 2;
#pragma unroll
    for (int j = 0; j < kPerThread / 2; ++j) {
        const float a = TypeOps<T>::round(TypeOps<T>::round(v.x[2 * j] * rstd) * w.x[2 * j]);
        const float b =
            TypeOps<T>::round(TypeOps<T>::round(v.x[2 * j + 1] * rstd) * w.x[2 * j + 1]);
        const double c = rope_row[2 * (pair0 + j)];
        const double s = rope_row[2 * (pair0 + j) + 1];
        const double ad = a;
        const double bd = b;
        v.x[2 * j] = __double2float_rn(ad * c - bd * s);
        v.x[2 * j + 1] = __double2float_rn(ad * s + bd * c);
    }
    return v;
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

    Vec8<T> qv{}, kv{}, vv{};
    if (active) {
        qv = load8(q + c0);
        kv = load8(k + c0);
        vv = load8(v + c0);
    }
    qv = norm_rope(qv, active, static_cast<const T*>(p.q_weight), rope_row, c0, p.eps, channels,
                   scratch);
    kv = norm_rope(kv, active, static_cast<const T*>(p.k_weight), rope_row, c0, p.eps, channels,
                   scratch);
    if (active) {
        store8(static_cast<T*>(p.q_out) + out_row + c0, qv);
        store8(static_cast<T*>(p.k_out) + out_row + c0, kv);
        store8(static_cast<T*>(p.v_out) + out_row + c0, vv);
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
