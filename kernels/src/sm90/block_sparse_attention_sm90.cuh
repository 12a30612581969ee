#pragma once
// The block-sparse attention forward kernel for Hopper (sm_90a): FlashAttention-3 structure with
// the same semantics as the mma.sync kernel (block_sparse_attention_kernel.cuh).
//
// One CTA = one (batch, head, 128-query block) row, 384 threads in three warpgroups:
//   warpgroup 0, the producer (registers lowered to 40 with setmaxnreg): one thread walks the
//     row's compact block list and issues bulk tensor copies (TMA) of each selected 128-key block
//     of K and of V into 2-stage rings of shared-memory buffers, each stage guarded by a "full"
//     mbarrier (transaction bytes) and an "empty" mbarrier (released by the consumers). Deeper
//     rings (3 or 4 K stages, 3 V stages) and FlashAttention-3's ping-pong scheduling of the two
//     consumers were measured on an H200 and gave nothing beyond run-to-run noise
//     (docs/PERFORMANCE.md), so the simpler form stays;
//   warpgroups 1 and 2, the consumers (registers raised to 232): each owns 64 query rows.
//     S = Q·Kᵀ is a chain of 8 wgmma m64n128k16 (Q and K from shared memory), P·V a chain of 8
//     wgmma with P from registers and V from shared memory (MN-major operand). The softmax of
//     block j runs while the tensor cores compute P(j−1)·V(j−1): the loop issues S(j) = Q·K(j)ᵀ
//     and O += P(j−1)·V(j−1), waits for S(j) only, does the online softmax on it, then waits for
//     the P·V product before rescaling O.
// Shared memory (1024-byte aligned, every tile in the 128-byte swizzled layout that TMA writes and
// wgmma reads): Q 32 KiB + 2 × K 32 KiB + 2 × V 32 KiB + barriers ≈ 161 KiB, one CTA per SM.
// A tile of 128 rows × 128 columns is stored as two column halves of 128 rows × 128 bytes
// (16 KiB each); in a half, the 16-byte chunk c of row r sits at r·128 + ((c ⊕ (r mod 8))·16).
// Rows beyond Lq/Lk arrive as zeros (TMA bounds); keys beyond Lk are masked to −inf in S.
// Softmax: fp32, base 2, scale·log2 e folded into one FFMA; P rounded to the input dtype; empty
// rows write exact zeros; the output is staged in the consumer's own Q rows for 16-byte stores.

#include "../cuda_utils.cuh"
#include "kernels/block_sparse_attention.h"
#include "sm90_ptx.cuh"

#include <cuda.h>
#include <cuda_runtime.h>

#include <cstdint>

namespace kernels::detail::sm90 {

constexpr int kThreads = 384;
constexpr int kKStages = 2;  // K ring depth
constexpr int kVStages = 2;  // V ring depth
constexpr int kProducerRegisters = 40;
constexpr int kConsumerRegisters = 232;
constexpr uint32_t kHalfBytes = 128 * 128;       // 128 rows × 64 columns × 2 bytes
constexpr uint32_t kTileBytes = 2 * kHalfBytes;  // 128 × 128 × 2 bytes
constexpr uint32_t kQOffset = 0;
constexpr uint32_t kKOffset = kQOffset + kTileBytes;
constexpr uint32_t kVOffset = kKOffset + kKStages * kTileBytes;
constexpr uint32_t kBarrierOffset = kVOffset + kVStages * kTileBytes;
// Barriers: q_full, k_full[KS], k_empty[KS], v_full[VS], v_empty[VS] (8 bytes each).
constexpr uint32_t kBarrierBytes = 8 * (1 + 2 * kKStages + 2 * kVStages);
constexpr uint32_t kSmemBytes = kBarrierOffset + kBarrierBytes + 1024;  // + alignment slack
constexpr int kConsumerThreads = 256;

// Positions (1..3) of the head, row and batch coordinates in a tensor map whose dimensions are
// ordered by ascending stride (dimension 0 is the head dimension d).
struct TmaSlots {
    int head = 1;
    int row = 2;
    int batch = 3;
};

struct KernelParams {
    void* out = nullptr;
    int64_t out_batch_stride = 0, out_row_stride = 0, out_head_stride = 0;
    int heads = 0;
    int64_t q_len = 0;
    int64_t k_len = 0;
    int64_t q_blocks = 0;
    int64_t k_blocks = 0;
    int64_t list_stride = 0;  // entries per row of indices
    OutputRowWindows out_windows;
    float scale_log2 = 0.f;
    const int32_t* counts = nullptr;
    const int32_t* indices = nullptr;
    const int32_t* order = nullptr;
    TmaSlots q_slots, k_slots, v_slots;
};

template <typename T>
struct Mma;
template <>
struct Mma<__nv_bfloat16> {
    __device__ __forceinline__ static void ss(float (&d)[64], uint64_t a, uint64_t b, int acc) {
        wgmma_ss_bf16(d, a, b, acc);
    }
    __device__ __forceinline__ static void rs(float (&d)[64], const uint32_t (&a)[4], uint64_t b) {
        wgmma_rs_bf16(d, a, b);
    }
};
template <>
struct Mma<__half> {
    __device__ __forceinline__ static void ss(float (&d)[64], uint64_t a, uint64_t b, int acc) {
        wgmma_ss_f16(d, a, b, acc);
    }
    __device__ __forceinline__ static void rs(float (&d)[64], const uint32_t (&a)[4], uint64_t b) {
        wgmma_rs_f16(d, a, b);
    }
};

__device__ __forceinline__ int slot_coord(const TmaSlots& s, int slot, int head, int row, int b) {
    return s.head == slot ? head : (s.row == slot ? row : b);
}

// Loads the 128 rows starting at `row` (both column halves) of the (batch, head) slice.
__device__ __forceinline__ void tma_load_tile(uint32_t dst,
                                              const CUtensorMap* map,
                                              const TmaSlots& s,
                                              uint32_t bar,
                                              int head,
                                              int row,
                                              int batch) {
    const int c1 = slot_coord(s, 1, head, row, batch);
    const int c2 = slot_coord(s, 2, head, row, batch);
    const int c3 = slot_coord(s, 3, head, row, batch);
    tma_load_4d(dst, map, bar, 0, c1, c2, c3);
    tma_load_4d(dst + kHalfBytes, map, bar, 64, c1, c2, c3);
}

// S = Q·Kᵀ for this warpgroup's 64 rows and one 128-key block (8 k-steps of 16 columns: k-step
// kk lies in column half kk/4 at byte offset 32·(kk mod 4) inside the swizzled rows).
template <typename T>
__device__ __forceinline__ void issue_qk(float (&s)[64], uint32_t q_rows, uint32_t k_tile) {
#pragma unroll
    for (int kk = 0; kk < 8; ++kk) {
        const uint32_t offset = (kk >> 2) * kHalfBytes + (kk & 3) * 32;
        Mma<T>::ss(s, make_smem_desc(q_rows + offset, 16, 1024),
                   make_smem_desc(k_tile + offset, 16, 1024), kk > 0 ? 1 : 0);
    }
}

// O += P·V: k-step kk covers keys 16kk..16kk+15 = rows 16kk.. of the V tile (2048 bytes per
// k-step); N = 128 columns are the two column halves, LBO = one half apart.
template <typename T>
__device__ __forceinline__ void issue_pv(float (&o)[64], const uint32_t (&p)[32], uint32_t v_tile) {
#pragma unroll
    for (int kk = 0; kk < 8; ++kk) {
        const uint32_t a[4] = {p[4 * kk], p[4 * kk + 1], p[4 * kk + 2], p[4 * kk + 3]};
        Mma<T>::rs(o, a, make_smem_desc(v_tile + kk * 2048, kHalfBytes, 1024));
    }
}

template <typename T>
__global__ void __launch_bounds__(kThreads, 1)
    block_sparse_attention_sm90_kernel(const __grid_constant__ CUtensorMap tm_q,
                                       const __grid_constant__ CUtensorMap tm_k,
                                       const __grid_constant__ CUtensorMap tm_v,
                                       const KernelParams p) {
    using Ops = TypeOps<T>;
    extern __shared__ uint8_t smem_raw[];
    const uint32_t raw = smem_u32(smem_raw);
    const uint32_t base = (raw + 1023u) & ~1023u;
    uint8_t* const smem = smem_raw + (base - raw);

    const int tid = threadIdx.x;
    const int64_t row_id = p.order != nullptr ? p.order[blockIdx.x] : blockIdx.x;
    const int64_t q_block = row_id % p.q_blocks;
    const int64_t bh = row_id / p.q_blocks;
    const int head = static_cast<int>(bh % p.heads);
    const int batch = static_cast<int>(bh / p.heads);
    const int count = p.counts[row_id];
    const int32_t* list = p.indices + row_id * p.list_stride;
    const int64_t q_start = q_block * kAttentionBlock;
    T* out = static_cast<T*>(p.out) + batch * p.out_batch_stride + head * p.out_head_stride;

    if (count <= 0) {
        // No selected key block: the output rows are exactly zero.
        for (int c = tid; c < kAttentionBlock * 16; c += kThreads) {
            const int64_t row = q_start + (c >> 4);
            if (row < p.q_len) {
                *reinterpret_cast<uint4*>(out + output_row(p.out_windows, row) * p.out_row_stride +
                                          (c & 15) * 8) = make_uint4(0u, 0u, 0u, 0u);
            }
        }
        return;
    }

    const uint32_t bar_q_full = base + kBarrierOffset;
    const uint32_t bar_k_full = bar_q_full + 8;
    const uint32_t bar_k_empty = bar_k_full + 8 * kKStages;
    const uint32_t bar_v_full = bar_k_empty + 8 * kKStages;
    const uint32_t bar_v_empty = bar_v_full + 8 * kVStages;
    if (tid == 0) {
        mbar_init(bar_q_full, 1);
        for (int s = 0; s < kKStages; ++s) {
            mbar_init(bar_k_full + 8 * s, 1);
            mbar_init(bar_k_empty + 8 * s, kConsumerThreads);
        }
        for (int s = 0; s < kVStages; ++s) {
            mbar_init(bar_v_full + 8 * s, 1);
            mbar_init(bar_v_empty + 8 * s, kConsumerThreads);
        }
        mbar_fence_init();
    }
    __syncthreads();

    const int warpgroup = tid / 128;
    if (warpgroup == 0) {
        // ------------------------------------------------------------------- producer --
        setmaxnreg_dec<kProducerRegisters>();
        if (tid == 0) {
            prefetch_tensor_map(&tm_q);
            prefetch_tensor_map(&tm_k);
            prefetch_tensor_map(&tm_v);
            mbar_arrive_expect_tx(bar_q_full, kTileBytes);
            tma_load_tile(base + kQOffset, &tm_q, p.q_slots, bar_q_full, head,
                          static_cast<int>(q_start), batch);
            int block = list[0];
            for (int i = 0; i < count; ++i) {
                const int next_block = i + 1 < count ? list[i + 1] : 0;
                const int key0 = block * kAttentionBlock;
                const int ks = i % kKStages;
                mbar_wait(bar_k_empty + 8 * ks, ((i / kKStages) & 1) ^ 1);
                mbar_arrive_expect_tx(bar_k_full + 8 * ks, kTileBytes);
                tma_load_tile(base + kKOffset + ks * kTileBytes, &tm_k, p.k_slots,
                              bar_k_full + 8 * ks, head, key0, batch);
                const int vs = i % kVStages;
                mbar_wait(bar_v_empty + 8 * vs, ((i / kVStages) & 1) ^ 1);
                mbar_arrive_expect_tx(bar_v_full + 8 * vs, kTileBytes);
                tma_load_tile(base + kVOffset + vs * kTileBytes, &tm_v, p.v_slots,
                              bar_v_full + 8 * vs, head, key0, batch);
                block = next_block;
            }
        }
        return;
    }

    // --------------------------------------------------------------------- consumers --
    setmaxnreg_inc<kConsumerRegisters>();
    const int consumer = warpgroup - 1;  // rows 64·consumer .. +63 of the query block
    const int ctid = tid - 128 * warpgroup;
    const int warp = ctid >> 5;
    const int lane = ctid & 31;
    // Accumulator layout of wgmma m64nN (per warp 16 rows): element 4j + 2h + e holds row
    // 16·warp + lane/4 + 8h, column 8j + 2·(lane mod 4) + e.
    const int quad_col = 2 * (lane & 3);
    const uint32_t q_rows = base + kQOffset + consumer * 64 * 128;
    const float scale_log2 = p.scale_log2;
    const int64_t last_key_block = p.k_blocks - 1;

    float o[64];
    float s[64];
    uint32_t pf[32];
#pragma unroll
    for (int i = 0; i < 64; ++i) {
        o[i] = 0.f;
    }
    float row_max[2] = {-INFINITY, -INFINITY};
    float row_sum[2] = {0.f, 0.f};

    // Keys beyond Lk (only in the partial final block) are masked to −inf.
    auto mask_tail = [&](int block) {
        if (block == last_key_block) {
            const int64_t valid = p.k_len - static_cast<int64_t>(block) * kAttentionBlock;
            if (valid < kAttentionBlock) {
#pragma unroll
                for (int j = 0; j < 16; ++j) {
#pragma unroll
                    for (int e = 0; e < 4; ++e) {
                        if (8 * j + quad_col + (e & 1) >= valid) {
                            s[4 * j + e] = -INFINITY;
                        }
                    }
                }
            }
        }
    };
    // Online softmax on s (in place: s becomes the unnormalised probabilities); returns the
    // per-row correction factors for O in `correction`.
    auto softmax = [&](float(&correction)[2]) {
#pragma unroll
        for (int h = 0; h < 2; ++h) {
            float mx = row_max[h];
#pragma unroll
            for (int j = 0; j < 16; ++j) {
                mx = fmaxf(mx, fmaxf(s[4 * j + 2 * h], s[4 * j + 2 * h + 1]));
            }
            mx = fmaxf(mx, __shfl_xor_sync(0xffffffffu, mx, 1));
            mx = fmaxf(mx, __shfl_xor_sync(0xffffffffu, mx, 2));
            // A row that has seen only −inf keeps a zero reference so no NaN appears.
            const float ref = mx == -INFINITY ? 0.f : mx * scale_log2;
            correction[h] = exp2_approx(row_max[h] * scale_log2 - ref);
            row_max[h] = mx;
            float sum = 0.f;
#pragma unroll
            for (int j = 0; j < 16; ++j) {
#pragma unroll
                for (int e = 0; e < 2; ++e) {
                    const float pr = exp2_approx(fmaf(s[4 * j + 2 * h + e], scale_log2, -ref));
                    s[4 * j + 2 * h + e] = pr;
                    sum += pr;
                }
            }
            row_sum[h] = row_sum[h] * correction[h] + sum;
        }
    };
    // P as the A operand of k-step kk: registers 4kk..4kk+3 = (row g, keys 16kk+2t..), (row g+8,
    // same keys), (row g, keys 16kk+8+2t..), (row g+8, same) — the accumulator columns 8·(2kk)
    // and 8·(2kk+1).
    auto pack_p = [&]() {
#pragma unroll
        for (int kk = 0; kk < 8; ++kk) {
            pf[4 * kk + 0] = Ops::pack(s[8 * kk + 0], s[8 * kk + 1]);
            pf[4 * kk + 1] = Ops::pack(s[8 * kk + 2], s[8 * kk + 3]);
            pf[4 * kk + 2] = Ops::pack(s[8 * kk + 4], s[8 * kk + 5]);
            pf[4 * kk + 3] = Ops::pack(s[8 * kk + 6], s[8 * kk + 7]);
        }
    };

    mbar_wait(bar_q_full, 0);

    // Block 0: S(0), softmax, P(0).
    int block = list[0];
    mbar_wait(bar_k_full, 0);
    fence_registers(s);
    wgmma_fence();
    issue_qk<T>(s, q_rows, base + kKOffset);
    wgmma_commit();
    wgmma_wait<0>();
    fence_registers(s);
    mbar_arrive(bar_k_empty);
    mask_tail(block);
    {
        float correction[2];
        softmax(correction);
    }
    pack_p();

    for (int i = 1; i < count; ++i) {
        const int stage = i % kKStages;
        const uint32_t parity = (i / kKStages) & 1;
        const int prev = (i - 1) % kVStages;
        const uint32_t prev_parity = ((i - 1) / kVStages) & 1;
        block = list[i];

        mbar_wait(bar_k_full + 8 * stage, parity);
        fence_registers(s);
        fence_registers(o);
        fence_registers(pf);
        wgmma_fence();
        issue_qk<T>(s, q_rows, base + kKOffset + stage * kTileBytes);
        wgmma_commit();
        mbar_wait(bar_v_full + 8 * prev, prev_parity);
        wgmma_fence();  // the wait loop is a branch between the two chains
        issue_pv<T>(o, pf, base + kVOffset + prev * kTileBytes);
        wgmma_commit();

        wgmma_wait<1>();  // S(i) is complete; P(i−1)·V(i−1) may still run
        fence_registers(s);
        mbar_arrive(bar_k_empty + 8 * stage);
        mask_tail(block);
        float correction[2];
        softmax(correction);

        wgmma_wait<0>();
        fence_registers(o);
        fence_registers(pf);
        mbar_arrive(bar_v_empty + 8 * prev);
#pragma unroll
        for (int j = 0; j < 16; ++j) {
            o[4 * j + 0] *= correction[0];
            o[4 * j + 1] *= correction[0];
            o[4 * j + 2] *= correction[1];
            o[4 * j + 3] *= correction[1];
        }
        pack_p();
    }

    // The last P·V.
    {
        const int last = (count - 1) % kVStages;
        const uint32_t last_parity = ((count - 1) / kVStages) & 1;
        mbar_wait(bar_v_full + 8 * last, last_parity);
        fence_registers(o);
        fence_registers(pf);
        wgmma_fence();
        issue_pv<T>(o, pf, base + kVOffset + last * kTileBytes);
        wgmma_commit();
        wgmma_wait<0>();
        fence_registers(o);
        mbar_arrive(bar_v_empty + 8 * last);
    }

    // Normalise and stage the 64 × 128 output in this warpgroup's own Q rows (same swizzled
    // layout; every wgmma reading them has completed), then store 16-byte chunks.
#pragma unroll
    for (int h = 0; h < 2; ++h) {
        float total = row_sum[h];
        total += __shfl_xor_sync(0xffffffffu, total, 1);
        total += __shfl_xor_sync(0xffffffffu, total, 2);
        const float inv = total > 0.f ? 1.f / total : 0.f;
        const int r = warp * 16 + (lane >> 2) + 8 * h;  // row within this warpgroup's 64
        uint8_t* row_base = smem + kQOffset + (consumer * 64 + r) * 128;
#pragma unroll
        for (int j = 0; j < 16; ++j) {
            const uint32_t packed = Ops::pack(o[4 * j + 2 * h] * inv, o[4 * j + 2 * h + 1] * inv);
            uint8_t* chunk = row_base + (j >> 3) * kHalfBytes + (((j & 7) ^ (r & 7)) << 4);
            *reinterpret_cast<uint32_t*>(chunk + (lane & 3) * 4) = packed;
        }
    }
    named_barrier_sync(1 + consumer, 128);
    const int chunk = ctid & 15;
#pragma unroll
    for (int i = 0; i < 8; ++i) {
        const int r = (ctid >> 4) + 8 * i;
        const int64_t row = q_start + consumer * 64 + r;
        if (row < p.q_len) {
            const uint8_t* src = smem + kQOffset + (chunk >> 3) * kHalfBytes +
                                 (consumer * 64 + r) * 128 + (((chunk & 7) ^ (r & 7)) << 4);
            *reinterpret_cast<uint4*>(out + output_row(p.out_windows, row) * p.out_row_stride +
                                      chunk * 8) = *reinterpret_cast<const uint4*>(src);
        }
    }
}

}  // namespace kernels::detail::sm90
