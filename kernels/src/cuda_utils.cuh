#pragma once
// Small device helpers shared by the kernels (PTX wrappers for sm_80+ and error plumbing).

#include "kernels/block_sparse_attention.h"
#include "kernels/status.h"

#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <cuda_runtime.h>

#include <cstdint>

#define KERNELS_STR2(x) #x
#define KERNELS_STR(x) KERNELS_STR2(x)
#define KERNELS_WHERE __FILE__ ":" KERNELS_STR(__LINE__)

// Returns a failed KernelStatus from the enclosing function when a CUDA call fails.
#define KERNELS_CUDA_TRY(expr)                                                    \
    do {                                                                          \
        const cudaError_t kernels_err_ = (expr);                                  \
        if (kernels_err_ != cudaSuccess) {                                        \
            return ::kernels::KernelStatus{kernels_err_, KERNELS_WHERE, nullptr}; \
        }                                                                         \
    } while (0)

// Returns cudaErrorInvalidValue with an explanation when an argument check fails.
#define KERNELS_REQUIRE(cond, text)                                                     \
    do {                                                                                \
        if (!(cond)) {                                                                  \
            return ::kernels::KernelStatus{cudaErrorInvalidValue, KERNELS_WHERE, text}; \
        }                                                                               \
    } while (0)

namespace kernels::detail {

// The kernels load and store 16 bytes at a time: argument checks of the entry points.
inline bool aligned16(const void* ptr) {
    return (reinterpret_cast<uintptr_t>(ptr) & 15u) == 0;
}

__device__ __forceinline__ uint32_t smem_u32(const void* ptr) {
    return static_cast<uint32_t>(__cvta_generic_to_shared(ptr));
}

// 16-byte global->shared copy that bypasses L1; src_bytes = 0 writes zeros (out-of-range rows).
__device__ __forceinline__ void cp_async_16(uint32_t dst, const void* src, int src_bytes) {
    asm volatile("cp.async.cg.shared.global [%0], [%1], 16, %2;\n" ::"r"(dst), "l"(src),
                 "r"(src_bytes));
}
__device__ __forceinline__ void cp_async_commit() {
    asm volatile("cp.async.commit_group;\n" ::);
}
template <int kPending>
__device__ __forceinline__ void cp_async_wait() {
    asm volatile("cp.async.wait_group %0;\n" ::"n"(kPending));
}

__device__ __forceinline__ void ldmatrix_x4(uint32_t (&r)[4], uint32_t addr) {
    asm volatile("ldmatrix.sync.aligned.m8n8.x4.shared.b16 {%0, %1, %2, %3}, [%4];\n"
                 : "=r"(r[0]), "=r"(r[1]), "=r"(r[2]), "=r"(r[3])
                 : "r"(addr));
}
__device__ __forceinline__ void ldmatrix_x4_trans(uint32_t (&r)[4], uint32_t addr) {
    asm volatile("ldmatrix.sync.aligned.m8n8.x4.trans.shared.b16 {%0, %1, %2, %3}, [%4];\n"
                 : "=r"(r[0]), "=r"(r[1]), "=r"(r[2]), "=r"(r[3])
                 : "r"(addr));
}

// 2^x with the hardware approximation (max error 2 ulp, flushes denormal results to zero); the
// attention softmax is fp32 online softmax in base 2, like FlashAttention.
__device__ __forceinline__ float exp2_approx(float x) {
    float y;
    asm("ex2.approx.ftz.f32 %0, %1;\n" : "=f"(y) : "f"(x));
    return y;
}

template <typename T>
struct TypeOps;

template <>
struct TypeOps<__nv_bfloat16> {
    __device__ __forceinline__ static uint32_t pack(float lo, float hi) {
        __nv_bfloat162 v = __floats2bfloat162_rn(lo, hi);
        return *reinterpret_cast<uint32_t*>(&v);
    }
    __device__ __forceinline__ static float2 unpack(uint32_t bits) {
        __nv_bfloat162 v = *reinterpret_cast<__nv_bfloat162*>(&bits);
        return __bfloat1622float2(v);
    }
    __device__ __forceinline__ static float round(float x) {
        return __bfloat162float(__float2bfloat16_rn(x));
    }
    __device__ __forceinline__ static __nv_bfloat16 from_float(float x) {
        return __float2bfloat16_rn(x);
    }
    __device__ __forceinline__ static float to_float(__nv_bfloat16 x) {
        return __bfloat162float(x);
    }
    // D += A·B, m16n8k16, fp32 accumulators.
    __device__ __forceinline__ static void mma(float (&d)[4],
                                               const uint32_t (&a)[4],
                                               uint32_t b0,
                                               uint32_t b1) {
        asm volatile(
            "mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32 {%0, %1, %2, %3}, "
            "{%4, %5, %6, %7}, {%8, %9}, {%0, %1, %2, %3};\n"
            : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3])
            : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b0), "r"(b1));
    }
};

template <>
struct TypeOps<__half> {
    __device__ __forceinline__ static uint32_t pack(float lo, float hi) {
        __half2 v = __floats2half2_rn(lo, hi);
        return *reinterpret_cast<uint32_t*>(&v);
    }
    __device__ __forceinline__ static float2 unpack(uint32_t bits) {
        __half2 v = *reinterpret_cast<__half2*>(&bits);
        return __half22float2(v);
    }
    __device__ __forceinline__ static float round(float x) {
        return __half2float(__float2half_rn(x));
    }
    __device__ __forceinline__ static __half from_float(float x) { return __float2half_rn(x); }
    __device__ __forceinline__ static float to_float(__half x) { return __half2float(x); }
    __device__ __forceinline__ static void mma(float (&d)[4],
                                               const uint32_t (&a)[4],
                                               uint32_t b0,
                                               uint32_t b1) {
        asm volatile(
            "mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32 {%0, %1, %2, %3}, "
            "{%4, %5, %6, %7}, {%8, %9}, {%0, %1, %2, %3};\n"
            : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3])
            : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b0), "r"(b1));
    }
};

// Row kernels (qkv_prepare, dit_elementwise): 8 consecutive 2-byte elements per thread as one
// 16-byte access, and CTA-wide fp32 sums.
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
__device__ __forceinline__ void load8(const void* base, int64_t offset, float (&v)[8]) {
    const uint4 raw = *reinterpret_cast<const uint4*>(static_cast<const T*>(base) + offset);
    const uint32_t words[4] = {raw.x, raw.y, raw.z, raw.w};
#pragma unroll
    for (int i = 0; i < 4; ++i) {
        const float2 f = TypeOps<T>::unpack(words[i]);
        v[2 * i] = f.x;
        v[2 * i + 1] = f.y;
    }
}

template <typename T>
__device__ __forceinline__ void store8(void* base, int64_t offset, const float (&v)[8]) {
    uint4 raw;
    raw.x = TypeOps<T>::pack(v[0], v[1]);
    raw.y = TypeOps<T>::pack(v[2], v[3]);
    raw.z = TypeOps<T>::pack(v[4], v[5]);
    raw.w = TypeOps<T>::pack(v[6], v[7]);
    *reinterpret_cast<uint4*>(static_cast<T*>(base) + offset) = raw;
}

// Where query row `row` goes in the output (kernels/block_sparse_attention.h, OutputRowWindows).
__device__ __forceinline__ int64_t output_row(const OutputRowWindows& w, int64_t row) {
    if (w.window_frames <= 0) {
        return row;
    }
    const int64_t per_window =
        static_cast<int64_t>(w.window_frames) * w.window_height * w.window_width;
    const int64_t window = row / per_window;
    const int64_t pos = row % per_window;
    const int64_t dx = pos % w.window_width;
    const int64_t dy = (pos / w.window_width) % w.window_height;
    const int64_t dt = pos / (static_cast<int64_t>(w.window_width) * w.window_height);
    const int64_t across = w.grid_width / w.window_width;
    const int64_t down = w.grid_height / w.window_height;
    const int64_t wx = window % across;
    const int64_t wy = (window / across) % down;
    const int64_t wt = window / (across * down);
    return ((wt * w.window_frames + dt) * w.grid_height + wy * w.window_height + dy) *
               w.grid_width +
           wx * w.window_width + dx;
}

}  // namespace kernels::detail
