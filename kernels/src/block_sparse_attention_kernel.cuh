#pragma once
// The block-sparse attention forward kernel (FlashAttention-2 structure, mma.sync m16n8k16).
//
// One CTA = one (batch, head, 128-query block) row; 4 warps, each owning 32 query rows (two m16
// tiles, so every K/V fragment read from shared memory feeds two MMAs). The CTA walks the row's
// selected key blocks as 64-key tiles (two per 128-key block). Q stays in shared memory (32 KiB);
// K and V tiles (16 KiB each) are double-buffered with cp.async, so tile t+1 is in flight while
// tile t is computed: 96 KiB in all, two CTAs per SM on H100/A100. Shared rows are 256 bytes
// (128 halves) with the 16-byte chunk index XOR-swizzled by (row mod 8), which makes both the
// cp.async stores and the ldmatrix reads bank-conflict free.
// Softmax: online, fp32, base 2 (scale·log2 e folded into one FFMA), running max/sum per row;
// P is rounded to the input dtype for the P·V MMA (as FlashAttention does). Rows of a query block
// beyond Lq are computed on zero-filled Q and not stored; keys beyond Lk are masked to −inf and
// their V rows zero-filled.

#include "cuda_utils.cuh"
#include "kernels/block_sparse_attention.h"

#include <cuda_runtime.h>

#include <cstdint>

namespace kernels::detail {

constexpr int kBsaThreads = 128;
constexpr int kBsaBlockM = 128;
constexpr int kBsaBlockN = 64;
constexpr int kBsaRowBytes = kHeadDim * 2;                     // 256
constexpr int kBsaQBytes = kBsaBlockM * kBsaRowBytes;          // 32 KiB
constexpr int kBsaTileBytes = kBsaBlockN * kBsaRowBytes;       // 16 KiB
constexpr int kBsaSmemBytes = kBsaQBytes + 4 * kBsaTileBytes;  // Q + 2×K + 2×V = 96 KiB

// Byte offset of 16-byte chunk `chunk` (0..15) of shared row `row`.
__device__ __forceinline__ uint32_t bsa_swizzle(int row, int chunk) {
    return static_cast<uint32_t>(row * kBsaRowBytes + ((chunk ^ (row & 7)) << 4));
}

// Copies `rows` (a multiple of 8) rows of 256 bytes starting at global row `first_row` into
// swizzled shared memory. Thread `tid` always copies chunk tid mod 16 of rows tid/16 + 8·i, so a
// warp copies two full rows per step (coalesced) and the per-thread addresses are one base plus
// a constant stride. Rows at or beyond `row_limit` are zero-filled.
template <typename T, int kRows>
__device__ __forceinline__ void bsa_load_rows(uint32_t smem_thread,
                                              const T* gmem_thread,
                                              int64_t row_stride,
                                              int64_t first_row,
                                              int64_t row_limit,
                                              int thread_row) {
    const T* src = gmem_thread + first_row * row_stride;
    const int64_t remaining = row_limit - first_row - thread_row;  // rows valid for this thread
#pragma unroll
    for (int i = 0; i < kRows / 8; ++i) {
        const bool valid = 8 * i < remaining;
        cp_async_16(smem_thread + i * 8 * kBsaRowBytes,
                    valid ? src + 8 * i * row_stride : gmem_thread, valid ? 16 : 0);
    }
}

template <typename T>
__global__ void __launch_bounds__(kBsaThreads, 2)
    block_sparse_attention_kernel(const BlockSparseAttentionParams p) {
    using Ops = TypeOps<T>;
    extern __shared__ __align__(128) uint8_t smem[];
    const uint32_t s_q = smem_u32(smem);
    const uint32_t s_k = s_q + kBsaQBytes;                      // two K buffers
    const uint32_t s_v = s_q + kBsaQBytes + 2 * kBsaTileBytes;  // two V buffers

    const int tid = threadIdx.x;
    const int warp = tid >> 5;
    const int lane = tid & 31;

    const int64_t q_blocks = (p.q_len + kAttentionBlock - 1) / kAttentionBlock;
    const int64_t k_blocks = (p.k_len + kAttentionBlock - 1) / kAttentionBlock;
    const int64_t row_id = p.row_order != nullptr ? p.row_order[blockIdx.x] : blockIdx.x;
    const int64_t q_block = row_id % q_blocks;
    const int64_t bh = row_id / q_blocks;
    const int head = static_cast<int>(bh % p.heads);
    const int batch = static_cast<int>(bh / p.heads);
    const int count = p.block_counts[row_id];
    const int32_t* list = p.block_indices + row_id * (p.list_stride > 0 ? p.list_stride : k_blocks);
    const int64_t q_start = q_block * kBsaBlockM;

    T* out = static_cast<T*>(p.out) + batch * p.out_batch_stride + head * p.out_head_stride;

    if (count <= 0) {
        // No selected key block: the output rows are exactly zero.
        for (int c = tid; c < kBsaBlockM * 16; c += kBsaThreads) {
            const int64_t row = q_start + (c >> 4);
            if (row < p.q_len) {
                *reinterpret_cast<uint4*>(
                    out + detail::output_row(p.out_windows, row) * p.out_row_stride +
                    (c & 15) * 8) = make_uint4(0u, 0u, 0u, 0u);
            }
        }
        return;
    }

    const T* q = static_cast<const T*>(p.q) + batch * p.q_batch_stride + head * p.q_head_stride;
    const T* k = static_cast<const T*>(p.k) + batch * p.k_batch_stride + head * p.k_head_stride;
    const T* v = static_cast<const T*>(p.v) + batch * p.v_batch_stride + head * p.v_head_stride;

    // 64-key tiles: two per selected block, except that the second half of a final key block with
    // ≤ 64 valid keys is skipped (it would be all −inf). The list is ascending, so only its last
    // entry can be the final block (lists through a key map need k_len % 128 == 0: no short
    // tail).
    const int last_block = list[count - 1];
    const bool short_tail =
        last_block == k_blocks - 1 && p.k_len - (k_blocks - 1) * kAttentionBlock <= kBsaBlockN;
    const int tiles = 2 * count - (short_tail ? 1 : 0);

    auto tile_first_key = [](int block, int t) -> int64_t {
        return static_cast<int64_t>(block) * kAttentionBlock + (t & 1) * kBsaBlockN;
    };
    // Block indices of tiles t and t+1 live in registers; the list entry of tile t+2 is loaded one
    // iteration ahead so the prefetch address never waits on a global load.
    int block_cur = list[0];
    int block_next = list[0];  // tile 1 is the second half of the first block

    // Per-thread copy slots (see bsa_load_rows): chunk tid mod 16 of rows tid/16 + 8·i; the
    // swizzle term depends only on (row mod 8) = (tid/16) mod 8, so it is the same for all i.
    const int ld_row = tid >> 4;
    const int ld_chunk = tid & 15;
    const uint32_t ld_smem = bsa_swizzle(ld_row, ld_chunk);
    const T* q_thread = q + ld_row * p.q_row_stride + ld_chunk * 8;
    const T* k_thread = k + ld_row * p.k_row_stride + ld_chunk * 8;
    const T* v_thread = v + ld_row * p.v_row_stride + ld_chunk * 8;

    // Prologue: Q and tile 0 in one group.
    bsa_load_rows<T, kBsaBlockM>(s_q + ld_smem, q_thread, p.q_row_stride, q_start, p.q_len, ld_row);
    bsa_load_rows<T, kBsaBlockN>(s_k + ld_smem, k_thread, p.k_row_stride,
                                 tile_first_key(block_cur, 0), p.k_len, ld_row);
    bsa_load_rows<T, kBsaBlockN>(s_v + ld_smem, v_thread, p.v_row_stride,
                                 tile_first_key(block_cur, 0), p.k_len, ld_row);
    cp_async_commit();

    const float scale_log2 = p.scale * 1.4426950408889634f;
    float o[2][16][4];
#pragma unroll
    for (int mi = 0; mi < 2; ++mi) {
#pragma unroll
        for (int d = 0; d < 16; ++d) {
#pragma unroll
            for (int e = 0; e < 4; ++e) {
                o[mi][d][e] = 0.f;
            }
        }
    }
    float row_max[4];
    float row_sum[4];
#pragma unroll
    for (int r = 0; r < 4; ++r) {
        row_max[r] = -INFINITY;
        row_sum[r] = 0.f;
    }

    // Per-lane parts of the ldmatrix addresses. A operand (Q) and the transposed V operand use
    // rows (lane & 7) + 8·((lane >> 3) & 1) and chunk offset lane >> 4; the K operand uses rows
    // (lane & 7) + 8·(lane >> 4) and chunk offset (lane >> 3) & 1.
    const int a_row = (lane & 7) + ((lane >> 3) & 1) * 8;
    const int a_chunk = lane >> 4;
    const int b_row = (lane & 7) + (lane >> 4) * 8;
    const int b_chunk = (lane >> 3) & 1;
    const int warp_row = warp * 32;

    for (int t = 0; t < tiles; ++t) {
        const int buf = t & 1;
        const int block_after = t + 2 < tiles ? list[(t + 2) >> 1] : 0;
        if (t + 1 < tiles) {
            const int64_t next_key = tile_first_key(block_next, t + 1);
            bsa_load_rows<T, kBsaBlockN>(s_k + (buf ^ 1) * kBsaTileBytes + ld_smem, k_thread,
                                         p.k_row_stride, next_key, p.k_len, ld_row);
            bsa_load_rows<T, kBsaBlockN>(s_v + (buf ^ 1) * kBsaTileBytes + ld_smem, v_thread,
                                         p.v_row_stride, next_key, p.k_len, ld_row);
            cp_async_commit();
            cp_async_wait<1>();
        } else {
            cp_async_wait<0>();
        }
        __syncthreads();

        const uint32_t s_k_buf = s_k + buf * kBsaTileBytes;
        const uint32_t s_v_buf = s_v + buf * kBsaTileBytes;

        // S = Q·Kᵀ for this warp's 32 rows × 64 keys.
        float s[2][8][4];
#pragma unroll
        for (int mi = 0; mi < 2; ++mi) {
#pragma unroll
            for (int j = 0; j < 8; ++j) {
#pragma unroll
                for (int e = 0; e < 4; ++e) {
                    s[mi][j][e] = 0.f;
                }
            }
        }
#pragma unroll
        for (int kk = 0; kk < 8; ++kk) {
            uint32_t a[2][4];
#pragma unroll
            for (int mi = 0; mi < 2; ++mi) {
                ldmatrix_x4(a[mi], s_q + bsa_swizzle(warp_row + mi * 16 + a_row, kk * 2 + a_chunk));
            }
#pragma unroll
            for (int np = 0; np < 4; ++np) {
                uint32_t b[4];
                ldmatrix_x4(b, s_k_buf + bsa_swizzle(np * 16 + b_row, kk * 2 + b_chunk));
#pragma unroll
                for (int mi = 0; mi < 2; ++mi) {
                    Ops::mma(s[mi][2 * np], a[mi], b[0], b[1]);
                    Ops::mma(s[mi][2 * np + 1], a[mi], b[2], b[3]);
                }
            }
        }

        // Keys beyond Lk (only in a partial final block).
        const int64_t key0 = tile_first_key(block_cur, t);
        if (key0 + kBsaBlockN > p.k_len) {
            const int valid_keys = static_cast<int>(p.k_len - key0);
#pragma unroll
            for (int j = 0; j < 8; ++j) {
#pragma unroll
                for (int e = 0; e < 4; ++e) {
                    if (j * 8 + (lane & 3) * 2 + (e & 1) >= valid_keys) {
                        s[0][j][e] = -INFINITY;
                        s[1][j][e] = -INFINITY;
                    }
                }
            }
        }

        // Online softmax. Thread rows: r = 2·mi + half ↔ warp_row + 16·mi + 8·half + lane/4; a
        // row's 64 values are spread over the 4 threads of a quad.
#pragma unroll
        for (int mi = 0; mi < 2; ++mi) {
#pragma unroll
            for (int half = 0; half < 2; ++half) {
                const int r = mi * 2 + half;
                float mx = row_max[r];
#pragma unroll
                for (int j = 0; j < 8; ++j) {
                    mx = fmaxf(mx, fmaxf(s[mi][j][2 * half], s[mi][j][2 * half + 1]));
                }
                mx = fmaxf(mx, __shfl_xor_sync(0xffffffffu, mx, 1));
                mx = fmaxf(mx, __shfl_xor_sync(0xffffffffu, mx, 2));
                // A row that has seen only −inf keeps a zero reference so no NaN appears.
                const float ref = mx == -INFINITY ? 0.f : mx * scale_log2;
                const float correction = exp2_approx(row_max[r] * scale_log2 - ref);
                row_max[r] = mx;
                row_sum[r] *= correction;
#pragma unroll
                for (int d = 0; d < 16; ++d) {
                    o[mi][d][2 * half] *= correction;
                    o[mi][d][2 * half + 1] *= correction;
                }
                float sum = 0.f;
#pragma unroll
                for (int j = 0; j < 8; ++j) {
#pragma unroll
                    for (int e = 0; e < 2; ++e) {
                        const float pr =
                            exp2_approx(fmaf(s[mi][j][2 * half + e], scale_log2, -ref));
                        s[mi][j][2 * half + e] = pr;
                        sum += pr;
                    }
                }
                row_sum[r] += sum;
            }
        }

        // O += P·V. P (the S accumulators) is re-packed in registers as the A operand.
#pragma unroll
        for (int kk = 0; kk < 4; ++kk) {
            uint32_t a[2][4];
#pragma unroll
            for (int mi = 0; mi < 2; ++mi) {
                a[mi][0] = Ops::pack(s[mi][2 * kk][0], s[mi][2 * kk][1]);
                a[mi][1] = Ops::pack(s[mi][2 * kk][2], s[mi][2 * kk][3]);
                a[mi][2] = Ops::pack(s[mi][2 * kk + 1][0], s[mi][2 * kk + 1][1]);
                a[mi][3] = Ops::pack(s[mi][2 * kk + 1][2], s[mi][2 * kk + 1][3]);
            }
#pragma unroll
            for (int dp = 0; dp < 8; ++dp) {
                uint32_t b[4];
                ldmatrix_x4_trans(b, s_v_buf + bsa_swizzle(kk * 16 + a_row, dp * 2 + a_chunk));
#pragma unroll
                for (int mi = 0; mi < 2; ++mi) {
                    Ops::mma(o[mi][2 * dp], a[mi], b[0], b[1]);
                    Ops::mma(o[mi][2 * dp + 1], a[mi], b[2], b[3]);
                }
            }
        }
        // Everyone is done with buffer `buf` before the next iteration refills it.
        __syncthreads();
        block_cur = block_next;
        block_next = block_after;
    }

    // Normalise and stage the tile in the (now free) Q area for 16-byte coalesced stores.
#pragma unroll
    for (int mi = 0; mi < 2; ++mi) {
#pragma unroll
        for (int half = 0; half < 2; ++half) {
            const int r = mi * 2 + half;
            float total = row_sum[r];
            total += __shfl_xor_sync(0xffffffffu, total, 1);
            total += __shfl_xor_sync(0xffffffffu, total, 2);
            const float inv = total > 0.f ? 1.f / total : 0.f;
            const int row = warp_row + mi * 16 + half * 8 + (lane >> 2);
#pragma unroll
            for (int d = 0; d < 16; ++d) {
                const uint32_t packed =
                    Ops::pack(o[mi][d][2 * half] * inv, o[mi][d][2 * half + 1] * inv);
                *reinterpret_cast<uint32_t*>(smem + bsa_swizzle(row, d) + (lane & 3) * 4) = packed;
            }
        }
    }
    __syncthreads();
    for (int c = tid; c < kBsaBlockM * 16; c += kBsaThreads) {
        const int r = c >> 4;
        const int ch = c & 15;
        const int64_t row = q_start + r;
        if (row < p.q_len) {
            *reinterpret_cast<uint4*>(
                out + detail::output_row(p.out_windows, row) * p.out_row_stride + ch * 8) =
                *reinterpret_cast<const uint4*>(smem + bsa_swizzle(r, ch));
        }
    }
}

template <typename T>
KernelStatus launch_block_sparse_attention(const BlockSparseAttentionParams& p,
                                           cudaStream_t stream) {
    const auto kernel = block_sparse_attention_kernel<T>;
    KERNELS_CUDA_TRY(
        cudaFuncSetAttribute(kernel, cudaFuncAttributeMaxDynamicSharedMemorySize, kBsaSmemBytes));
    const int64_t rows = static_cast<int64_t>(p.batch) * p.heads * attention_blocks(p.q_len);
    kernel<<<static_cast<unsigned>(rows), kBsaThreads, kBsaSmemBytes, stream>>>(p);
    KERNELS_CUDA_TRY(cudaGetLastError());
    return {};
}

}  // namespace kernels::detail
