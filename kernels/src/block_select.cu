// GPU draft block-mask selection (flashvsr-model.md §4.2/§4.3); see kernels/block_select.h for the
// numerical contract of every stage.

#include "cuda_utils.cuh"
#include "kernels/block_select.h"

#include <cuda_runtime.h>

#include <cmath>
#include <cstdint>

namespace kernels {

using detail::aligned16;
namespace {

using detail::TypeOps;

constexpr int kWindowTokens = 128;

// ---------------------------------------------------------------------------------------------
// Stage 1: mean over the 128 tokens of each window. Block (64, 4): x covers 8 channels per thread
// (16-byte loads), y splits the tokens into four runs of 32 summed sequentially in fp32; the four
// partial sums are added as (p0 + p1) + (p2 + p3) and multiplied by 1/128 (exact), then rounded.
template <typename T>
__global__ void pool_windows_kernel(const T* __restrict__ x,
                                    int64_t window_stride,
                                    int64_t token_stride,
                                    int channels,
                                    T* __restrict__ out) {
    constexpr int kSplit = 4;
    constexpr int kTokensPerSplit = kWindowTokens / kSplit;
    __shared__ float partial[kSplit][64][8];
    const int window = blockIdx.x;
    const int c0 = (blockIdx.y * 64 + threadIdx.x) * 8;
    float acc[8];
#pragma unroll
    for (int e = 0; e < 8; ++e) {
        acc[e] = 0.f;
    }
    if (c0 < channels) {
        const T* base =
            x + window * window_stride + threadIdx.y * kTokensPerSplit * token_stride + c0;
#pragma unroll 8
        for (int t = 0; t < kTokensPerSplit; ++t) {
            const uint4 raw = *reinterpret_cast<const uint4*>(base + t * token_stride);
            const uint32_t words[4] = {raw.x, raw.y, raw.z, raw.w};
#pragma unroll
            for (int w = 0; w < 4; ++w) {
                const float2 f = TypeOps<T>::unpack(words[w]);
                acc[2 * w] += f.x;
                acc[2 * w + 1] += f.y;
            }
        }
    }
#pragma unroll
    for (int e = 0; e < 8; ++e) {
        partial[threadIdx.y][threadIdx.x][e] = acc[e];
    }
    __syncthreads();
    if (threadIdx.y == 0 && c0 < channels) {
        uint32_t words[4];
#pragma unroll
        for (int w = 0; w < 4; ++w) {
            float f[2];
#pragma unroll
            for (int h = 0; h < 2; ++h) {
                const int e = 2 * w + h;
                const float sum = (partial[0][threadIdx.x][e] + partial[1][threadIdx.x][e]) +
                                  (partial[2][threadIdx.x][e] + partial[3][threadIdx.x][e]);
                f[h] = sum * (1.f / kWindowTokens);
            }
            words[w] = TypeOps<T>::pack(f[0], f[1]);
        }
        *reinterpret_cast<uint4*>(out + static_cast<int64_t>(window) * channels + c0) =
            make_uint4(words[0], words[1], words[2], words[3]);
    }
}

// ---------------------------------------------------------------------------------------------
// Stage 2: scores[h, i, j] = round(round(q̄_i·k̄_j) · inv_sqrt_d). 32×32 output tile per block of
// kScoreThreads threads; the two 32×128 operand tiles are staged in shared memory as fp32. The
// tiles are loaded as 16-byte vectors, all loads of a thread issued before the first use (the
// kernel is latency-bound: one element per load and iteration made it ~25 µs per call), and the
// four dot products of a thread are interleaved; each dot product still sums its 128 products
// sequentially in d order, so the scores are unchanged.
constexpr int kScoreThreads = 256;

template <typename T>
__global__ void __launch_bounds__(kScoreThreads)
    window_scores_kernel(const T* __restrict__ pooled_q,
                         const T* __restrict__ pooled_k,
                         int nq,
                         int nk,
                         int heads,
                         float inv_sqrt_d,
                         float* __restrict__ scores) {
    constexpr int kTile = 32;
    constexpr int kVectorsPerRow = kHeadDim / 8;                    // 16-byte vectors
    constexpr int kLoads = kTile * kVectorsPerRow / kScoreThreads;  // per operand
    __shared__ float s_q[kTile][kHeadDim + 1];
    __shared__ float s_k[kTile][kHeadDim + 1];
    const int head = blockIdx.z;
    const int i0 = blockIdx.y * kTile;
    const int j0 = blockIdx.x * kTile;
    const int channels = heads * kHeadDim;
    uint4 q_raw[kLoads];
    uint4 k_raw[kLoads];
#pragma unroll
    for (int l = 0; l < kLoads; ++l) {
        const int vector = static_cast<int>(threadIdx.x) + l * kScoreThreads;
        const int r = vector / kVectorsPerRow;
        const int d0 = (vector % kVectorsPerRow) * 8;
        const int qi = i0 + r;
        const int kj = j0 + r;
        q_raw[l] = qi < nq
                       ? *reinterpret_cast<const uint4*>(
                             pooled_q + static_cast<int64_t>(qi) * channels + head * kHeadDim + d0)
                       : make_uint4(0, 0, 0, 0);
        k_raw[l] = kj < nk
                       ? *reinterpret_cast<const uint4*>(
                             pooled_k + static_cast<int64_t>(kj) * channels + head * kHeadDim + d0)
                       : make_uint4(0, 0, 0, 0);
    }
#pragma unroll
    for (int l = 0; l < kLoads; ++l) {
        const int vector = static_cast<int>(threadIdx.x) + l * kScoreThreads;
        const int r = vector / kVectorsPerRow;
        const int d0 = (vector % kVectorsPerRow) * 8;
        const uint32_t q_words[4] = {q_raw[l].x, q_raw[l].y, q_raw[l].z, q_raw[l].w};
        const uint32_t k_words[4] = {k_raw[l].x, k_raw[l].y, k_raw[l].z, k_raw[l].w};
#pragma unroll
        for (int w = 0; w < 4; ++w) {
            const float2 qf = TypeOps<T>::unpack(q_words[w]);
            const float2 kf = TypeOps<T>::unpack(k_words[w]);
            s_q[r][d0 + 2 * w] = qf.x;
            s_q[r][d0 + 2 * w + 1] = qf.y;
            s_k[r][d0 + 2 * w] = kf.x;
            s_k[r][d0 + 2 * w + 1] = kf.y;
        }
    }
    __syncthreads();
    const int tx = threadIdx.x % kTile;  // key
    const int ty = threadIdx.x / kTile;  // 0..7: query rows ty, ty+8, ty+16, ty+24
    const int j = j0 + tx;
    float dot[4] = {0.f, 0.f, 0.f, 0.f};
#pragma unroll 8
    for (int d = 0; d < kHeadDim; ++d) {
        const float k_value = s_k[tx][d];
#pragma unroll
        for (int rr = 0; rr < 4; ++rr) {
            dot[rr] = fmaf(s_q[ty + 8 * rr][d], k_value, dot[rr]);
        }
    }
#pragma unroll
    for (int rr = 0; rr < 4; ++rr) {
        const int i = i0 + ty + 8 * rr;
        if (i < nq && j < nk) {
            const float rounded = TypeOps<T>::round(dot[rr]);
            scores[(static_cast<int64_t>(head) * nq + i) * nk + j] =
                TypeOps<T>::round(rounded * inv_sqrt_d);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Stage 3: softmax over keys of (score + local mask). The warp version reproduces PyTorch's
// persistent warp softmax (aten/src/ATen/native/cuda/PersistentSoftmax.cuh) for rows of ≤ 1024
// elements: kWidth = min(32, next_pow2(nk)) lanes per row, element j = lane + it·kWidth held by
// lane, max and sum reduced per thread in `it` order then by xor-butterfly from kWidth/2 down to
// 1, p = expf(x − max) / sum. Lanes ≥ kWidth (rows shorter than 32) do no work.
struct LocalWindow {
    int grid_w;
    int windows_per_group;  // S
    int range;              // R
    __device__ __forceinline__ bool allowed(int query_window, int key_window) const {
        const int qs = query_window % windows_per_group;
        const int ks = key_window % windows_per_group;
        const int qr = qs / grid_w;
        const int qc = qs % grid_w;
        const int kr = ks / grid_w;
        const int kc = ks % grid_w;
        const int r0 = qr - range / 2;
        const int c0 = qc - range / 2;
        return kr >= r0 && kr <= r0 + range - 1 && kc >= c0 && kc <= c0 + range - 1;
    }
};

template <int kIterations>
__global__ void softmax_rows_warp_kernel(const float* __restrict__ scores,
                                         int nq,
                                         int nk,
                                         int width,
                                         LocalWindow local,
                                         int64_t rows,
                                         float* __restrict__ probabilities) {
    const int64_t row = static_cast<int64_t>(blockIdx.x) * (blockDim.x / 32) + threadIdx.x / 32;
    const int lane = threadIdx.x & 31;
    if (row >= rows || lane >= width) {
        return;
    }
    const unsigned group_mask = width == 32 ? 0xffffffffu : ((1u << width) - 1u);
    const int query_window = static_cast<int>(row % nq);
    const float* src = scores + row * nk;
    float elements[kIterations];
#pragma unroll
    for (int it = 0; it < kIterations; ++it) {
        const int j = lane + it * width;
        elements[it] = -INFINITY;
        if (j < nk) {
            elements[it] = src[j] + (local.allowed(query_window, j) ? 0.f : -INFINITY);
        }
    }
    float max_value = elements[0];
#pragma unroll
    for (int it = 1; it < kIterations; ++it) {
        max_value = (max_value > elements[it]) ? max_value : elements[it];
    }
    for (int offset = width / 2; offset > 0; offset /= 2) {
        const float other = __shfl_xor_sync(group_mask, max_value, offset, width);
        max_value = max_value < other ? other : max_value;
    }
    float sum = 0.f;
#pragma unroll
    for (int it = 0; it < kIterations; ++it) {
        elements[it] = expf(elements[it] - max_value);
        sum += elements[it];
    }
    for (int offset = width / 2; offset > 0; offset /= 2) {
        sum += __shfl_xor_sync(group_mask, sum, offset, width);
    }
    float* dst = probabilities + row * nk;
#pragma unroll
    for (int it = 0; it < kIterations; ++it) {
        const int j = lane + it * width;
        if (j < nk) {
            dst[j] = elements[it] / sum;
        }
    }
}

// Rows longer than 1024: one warp per row, three passes over global memory (same element
// ownership and butterfly order as above, but with more iterations than PyTorch's warp kernel
// allows; PyTorch uses a block softmax there, so results can differ by a few ulp).
__global__ void softmax_rows_long_kernel(const float* __restrict__ scores,
                                         int nq,
                                         int nk,
                                         LocalWindow local,
                                         int64_t rows,
                                         float* __restrict__ probabilities) {
    const int64_t row = static_cast<int64_t>(blockIdx.x) * (blockDim.x / 32) + threadIdx.x / 32;
    const int lane = threadIdx.x & 31;
    if (row >= rows) {
        return;
    }
    const int query_window = static_cast<int>(row % nq);
    const float* src = scores + row * nk;
    float* dst = probabilities + row * nk;
    auto value = [&](int j) { return src[j] + (local.allowed(query_window, j) ? 0.f : -INFINITY); };
    float max_value = -INFINITY;
    for (int j = lane; j < nk; j += 32) {
        const float x = value(j);
        max_value = max_value > x ? max_value : x;
    }
    for (int offset = 16; offset > 0; offset /= 2) {
        const float other = __shfl_xor_sync(0xffffffffu, max_value, offset);
        max_value = max_value < other ? other : max_value;
    }
    float sum = 0.f;
    for (int j = lane; j < nk; j += 32) {
        sum += expf(value(j) - max_value);
    }
    for (int offset = 16; offset > 0; offset /= 2) {
        sum += __shfl_xor_sync(0xffffffffu, sum, offset);
    }
    for (int j = lane; j < nk; j += 32) {
        dst[j] = expf(value(j) - max_value) / sum;
    }
}

// ---------------------------------------------------------------------------------------------
// Stage 4: per (head, group of S query rows), τ = the k-th largest of the S·nk probabilities
// (k = min(topk, S·nk − 1) + 1), found exactly by a most-significant-digit radix select on the
// fp32 bit patterns (non-negative floats order like their bits) in three histogram passes of
// 11, 11 and 10 bits; then mask = p > τ.
constexpr int kSelectThreads = 1024;

// Inclusive prefix sum over the block (kSelectThreads threads); `scratch` holds 32 ints.
__device__ int block_inclusive_scan(int value, int* scratch) {
    const int lane = threadIdx.x & 31;
    const int warp = threadIdx.x >> 5;
#pragma unroll
    for (int offset = 1; offset < 32; offset *= 2) {
        const int other = __shfl_up_sync(0xffffffffu, value, offset);
        if (lane >= offset) {
            value += other;
        }
    }
    if (lane == 31) {
        scratch[warp] = value;
    }
    __syncthreads();
    if (warp == 0) {
        int total = scratch[lane];
#pragma unroll
        for (int offset = 1; offset < 32; offset *= 2) {
            const int other = __shfl_up_sync(0xffffffffu, total, offset);
            if (lane >= offset) {
                total += other;
            }
        }
        scratch[lane] = total;
    }
    __syncthreads();
    const int result = value + (warp > 0 ? scratch[warp - 1] : 0);
    __syncthreads();  // scratch may be reused by the caller
    return result;
}

__global__ void __launch_bounds__(kSelectThreads)
    topk_threshold_kernel(const float* __restrict__ probabilities,
                          int nq,
                          int nk,
                          int windows_per_group,
                          int64_t topk,
                          uint8_t* __restrict__ mask) {
    constexpr int kBins = 2048;
    __shared__ int histogram[kBins];
    __shared__ int scratch[32];
    __shared__ uint32_t s_digit;
    __shared__ int s_rank;

    const int head = blockIdx.y;
    const int group = blockIdx.x;
    const int64_t offset =
        (static_cast<int64_t>(head) * nq + static_cast<int64_t>(group) * windows_per_group) * nk;
    const float* p = probabilities + offset;
    uint8_t* m = mask + offset;
    const int n = windows_per_group * nk;
    const int64_t k_apply = topk < static_cast<int64_t>(n) - 1 ? topk : static_cast<int64_t>(n) - 1;
    if (k_apply < 0) {
        for (int idx = threadIdx.x; idx < n; idx += blockDim.x) {
            m[idx] = 0;
        }
        return;
    }

    // rank (1-based from the top) of τ among the remaining candidates.
    int rank = static_cast<int>(k_apply) + 1;
    uint32_t prefix = 0;
    uint32_t prefix_mask = 0;
    constexpr int kShifts[3] = {21, 10, 0};
    constexpr int kBits[3] = {11, 11, 10};
#pragma unroll
    for (int pass = 0; pass < 3; ++pass) {
        const int shift = kShifts[pass];
        const int bins = 1 << kBits[pass];
        for (int b = threadIdx.x; b < kBins; b += blockDim.x) {
            histogram[b] = 0;
        }
        __syncthreads();
        for (int idx = threadIdx.x; idx < n; idx += blockDim.x) {
            const uint32_t bits = __float_as_uint(p[idx]);
            if ((bits & prefix_mask) == prefix) {
                atomicAdd(&histogram[(bits >> shift) & (bins - 1)], 1);
            }
        }
        __syncthreads();
        // Thread t owns bins (from the top) bins−1−2t and bins−2−2t; counts above a bin come from
        // an inclusive scan of the per-thread pair sums in descending-bin order.
        const int hi_bin = bins - 1 - 2 * static_cast<int>(threadIdx.x);
        const int lo_bin = hi_bin - 1;
        const int hi = hi_bin >= 0 ? histogram[hi_bin] : 0;
        const int lo = lo_bin >= 0 ? histogram[lo_bin] : 0;
        const int inclusive = block_inclusive_scan(hi + lo, scratch);
        const int above = inclusive - hi - lo;
        if (hi_bin >= 0 && above < rank && above + hi >= rank) {
            s_digit = static_cast<uint32_t>(hi_bin);
            s_rank = rank - above;
        } else if (lo_bin >= 0 && above + hi < rank && above + hi + lo >= rank) {
            s_digit = static_cast<uint32_t>(lo_bin);
            s_rank = rank - above - hi;
        }
        __syncthreads();
        prefix |= s_digit << shift;
        prefix_mask |= static_cast<uint32_t>(bins - 1) << shift;
        rank = s_rank;
        __syncthreads();
    }
    const float threshold = __uint_as_float(prefix);
    for (int idx = threadIdx.x; idx < n; idx += blockDim.x) {
        m[idx] = p[idx] > threshold ? 1 : 0;
    }
}

template <typename T>
KernelStatus run_select(const BlockSelectParams& p, cudaStream_t stream) {
    const int channels = p.heads * kHeadDim;
    {
        const dim3 block(64, 4);
        const dim3 grid_q(static_cast<unsigned>(p.nq),
                          static_cast<unsigned>((channels + 511) / 512));
        pool_windows_kernel<T><<<grid_q, block, 0, stream>>>(static_cast<const T*>(p.q_windows),
                                                             p.q_window_stride, p.q_token_stride,
                                                             channels, static_cast<T*>(p.pooled_q));
        KERNELS_CUDA_TRY(cudaGetLastError());
        // Only the windows whose pooled keys are not carried over (the current chunk's).
        const int fresh = p.nk - p.nk_pooled;
        if (fresh > 0) {
            const dim3 grid_k(static_cast<unsigned>(fresh),
                              static_cast<unsigned>((channels + 511) / 512));
            pool_windows_kernel<T><<<grid_k, block, 0, stream>>>(
                static_cast<const T*>(p.k_windows) +
                    static_cast<int64_t>(p.nk_pooled - p.k_windows_first) * p.k_window_stride,
                p.k_window_stride, p.k_token_stride, channels,
                static_cast<T*>(p.pooled_k) + static_cast<int64_t>(p.nk_pooled) * channels);
            KERNELS_CUDA_TRY(cudaGetLastError());
        }
    }
    {
        // torch on CUDA divides a half/bf16 tensor by a Python float as x · (1 / float(d)).
        const float inv_sqrt_d =
            1.0f / static_cast<float>(std::sqrt(static_cast<double>(kHeadDim)));
        const dim3 grid(static_cast<unsigned>((p.nk + 31) / 32),
                        static_cast<unsigned>((p.nq + 31) / 32), static_cast<unsigned>(p.heads));
        window_scores_kernel<T><<<grid, kScoreThreads, 0, stream>>>(
            static_cast<const T*>(p.pooled_q), static_cast<const T*>(p.pooled_k), p.nq, p.nk,
            p.heads, inv_sqrt_d, p.scores);
        KERNELS_CUDA_TRY(cudaGetLastError());
    }
    {
        const LocalWindow local{p.grid_w, p.grid_h * p.grid_w, p.local_range};
        const int64_t rows = static_cast<int64_t>(p.heads) * p.nq;
        constexpr int kWarps = 4;  // 128 threads per block, as PyTorch
        const unsigned grid = static_cast<unsigned>((rows + kWarps - 1) / kWarps);
        int pow2 = 1;
        while (pow2 < p.nk) {
            pow2 *= 2;
        }
        const int width = pow2 < 32 ? pow2 : 32;
        const int iterations = pow2 / width;
        switch (iterations) {
#define KERNELS_SOFTMAX_CASE(n)                                         \
    case n:                                                             \
        softmax_rows_warp_kernel<n><<<grid, kWarps * 32, 0, stream>>>(  \
            p.scores, p.nq, p.nk, width, local, rows, p.probabilities); \
        break;
            KERNELS_SOFTMAX_CASE(1)
            KERNELS_SOFTMAX_CASE(2)
            KERNELS_SOFTMAX_CASE(4)
            KERNELS_SOFTMAX_CASE(8)
            KERNELS_SOFTMAX_CASE(16)
            KERNELS_SOFTMAX_CASE(32)
#undef KERNELS_SOFTMAX_CASE
            default:
                softmax_rows_long_kernel<<<grid, kWarps * 32, 0, stream>>>(
                    p.scores, p.nq, p.nk, local, rows, p.probabilities);
                break;
        }
        KERNELS_CUDA_TRY(cudaGetLastError());
    }
    {
        const int groups = p.nq / (p.grid_h * p.grid_w);
        const dim3 grid(static_cast<unsigned>(groups), static_cast<unsigned>(p.heads));
        topk_threshold_kernel<<<grid, kSelectThreads, 0, stream>>>(
            p.probabilities, p.nq, p.nk, p.grid_h * p.grid_w, p.topk, p.mask);
        KERNELS_CUDA_TRY(cudaGetLastError());
    }
    return {};
}

}  // namespace

KernelStatus select_blocks(const BlockSelectParams& p, cudaStream_t stream) {
    KERNELS_REQUIRE(p.heads > 0 && p.nq > 0 && p.nk > 0, "heads, nq and nk must be positive");
    KERNELS_REQUIRE(p.grid_h > 0 && p.grid_w > 0, "the window grid must be positive");
    const int64_t windows_per_group = static_cast<int64_t>(p.grid_h) * p.grid_w;
    KERNELS_REQUIRE(p.nq % windows_per_group == 0 && p.nk % windows_per_group == 0,
                    "nq and nk must be multiples of S = grid_h * grid_w");
    KERNELS_REQUIRE(windows_per_group * p.nk <= INT32_MAX, "S * nk too large");
    KERNELS_REQUIRE(p.local_range >= 1, "local_range must be at least 1");
    KERNELS_REQUIRE(p.nk_pooled >= 0 && p.nk_pooled <= p.nk, "nk_pooled must lie in [0, nk]");
    KERNELS_REQUIRE(p.k_windows_first >= 0 && p.k_windows_first <= p.nk_pooled,
                    "k_windows_first must lie in [0, nk_pooled]");
    KERNELS_REQUIRE(p.q_windows != nullptr && p.k_windows != nullptr && p.pooled_q != nullptr &&
                        p.pooled_k != nullptr && p.scores != nullptr &&
                        p.probabilities != nullptr && p.mask != nullptr,
                    "all input, stage and output pointers are required");
    KERNELS_REQUIRE(aligned16(p.q_windows) && aligned16(p.k_windows) && aligned16(p.pooled_q) &&
                        aligned16(p.pooled_k),
                    "window and pooled buffers must be 16-byte aligned");
    KERNELS_REQUIRE(p.q_window_stride % 8 == 0 && p.q_token_stride % 8 == 0 &&
                        p.k_window_stride % 8 == 0 && p.k_token_stride % 8 == 0,
                    "window strides must be multiples of 8 elements");
    switch (p.dtype) {
        case ScalarType::kBFloat16:
            return run_select<__nv_bfloat16>(p, stream);
        case ScalarType::kFloat16:
            return run_select<__half>(p, stream);
    }
    KERNELS_REQUIRE(false, "unsupported dtype");
    return {};
}

}  // namespace kernels
