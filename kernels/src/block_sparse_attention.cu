// Argument checks, block-list construction and dtype dispatch for the block-sparse attention.

#include "block_sparse_attention_launch.h"
#include "cuda_utils.cuh"
#include "kernels/block_sparse_attention.h"

#include <cuda_runtime.h>

#include <cstdint>
#include <string>

namespace kernels {

using detail::aligned16;

std::string KernelStatus::message() const {
    if (ok()) {
        return "ok";
    }
    std::string text =
        detail != nullptr ? std::string(detail) : std::string(cudaGetErrorString(code));
    text += " (";
    text += cudaGetErrorName(code);
    text += ")";
    if (where != nullptr) {
        text += " at ";
        text += where;
    }
    return text;
}

namespace {

constexpr int kMaxOrderedQueryBlocks = 12288;  // 48 KiB of int32 counts in shared memory

// One warp per row: ballot-compacts the selected block indices in ascending order.
__global__ void build_block_lists_kernel(const uint8_t* __restrict__ mask,
                                         int64_t rows,
                                         int64_t k_blocks,
                                         const int32_t* __restrict__ key_map,
                                         int32_t* __restrict__ counts,
                                         int32_t* __restrict__ indices) {
    const int64_t row = static_cast<int64_t>(blockIdx.x) * (blockDim.x / 32) + threadIdx.x / 32;
    const int lane = threadIdx.x & 31;
    if (row >= rows) {
        return;
    }
    const uint8_t* m = mask + row * k_blocks;
    int32_t* out = indices + row * k_blocks;
    int n = 0;
    for (int64_t base = 0; base < k_blocks; base += 32) {
        const int64_t j = base + lane;
        const bool selected = j < k_blocks && m[j] != 0;
        const unsigned ballot = __ballot_sync(0xffffffffu, selected);
        if (selected) {
            out[n + __popc(ballot & ((1u << lane) - 1u))] =
                key_map != nullptr ? key_map[j] : static_cast<int32_t>(j);
        }
        n += __popc(ballot);
    }
    if (lane == 0) {
        counts[row] = n;
    }
}

// One CTA per (batch, head) segment: rank rows by descending count (ties by index), a stable
// counting of the rows that must precede each row; O(q_blocks²) with q_blocks ≤ a few thousand.
__global__ void order_rows_kernel(const int32_t* __restrict__ counts,
                                  int q_blocks,
                                  int32_t* __restrict__ order) {
    extern __shared__ int32_t s_counts[];
    const int64_t base = static_cast<int64_t>(blockIdx.x) * q_blocks;
    for (int i = threadIdx.x; i < q_blocks; i += blockDim.x) {
        s_counts[i] = counts[base + i];
    }
    __syncthreads();
    for (int i = threadIdx.x; i < q_blocks; i += blockDim.x) {
        const int ci = s_counts[i];
        int rank = 0;
        for (int j = 0; j < q_blocks; ++j) {
            const int cj = s_counts[j];
            rank += (cj > ci || (cj == ci && j < i)) ? 1 : 0;
        }
        order[base + rank] = static_cast<int32_t>(base + i);
    }
}

bool strides_ok(int64_t a, int64_t b, int64_t c) {
    return a % 8 == 0 && b % 8 == 0 && c % 8 == 0;
}

}  // namespace

AttentionKernelChoice choose_attention_kernel(const BlockSparseAttentionParams& p) {
    if (p.kernel == AttentionKernel::kMmaSync) {
        return {AttentionKernel::kMmaSync, "mma.sync kernel requested"};
    }
#if defined(FVSR_KERNELS_SM90A)
    const char* reason = detail::sm90_attention_unsupported_reason(p);
    if (reason == nullptr) {
        return {AttentionKernel::kWgmmaSm90, "compute capability 9.0: wgmma/TMA kernel"};
    }
    return {AttentionKernel::kMmaSync, reason};
#else
    return {AttentionKernel::kMmaSync,
            "built without sm_90a code (FVSR_CUDA_ARCHITECTURES has no 90, or nvcc < 12)"};
#endif
}

KernelStatus build_block_lists(const uint8_t* mask,
                               int64_t rows,
                               int64_t q_blocks,
                               int64_t k_blocks,
                               int32_t* counts,
                               int32_t* indices,
                               int32_t* order,
                               cudaStream_t stream,
                               const int32_t* key_map) {
    KERNELS_REQUIRE(rows >= 0 && q_blocks > 0 && k_blocks > 0, "block list sizes must be positive");
    KERNELS_REQUIRE(rows % q_blocks == 0, "rows must be a multiple of q_blocks (B·H·nqb)");
    KERNELS_REQUIRE(k_blocks <= INT32_MAX && rows <= INT32_MAX, "too many blocks");
    KERNELS_REQUIRE(order == nullptr || q_blocks <= kMaxOrderedQueryBlocks,
                    "row ordering supports at most 12288 query blocks per (batch, head)");
    if (rows == 0) {
        return {};
    }
    KERNELS_REQUIRE(mask != nullptr && counts != nullptr && indices != nullptr,
                    "mask, counts and indices must be device pointers");
    constexpr int kWarpsPerBlock = 8;
    const int64_t grid = (rows + kWarpsPerBlock - 1) / kWarpsPerBlock;
    build_block_lists_kernel<<<static_cast<unsigned>(grid), kWarpsPerBlock * 32, 0, stream>>>(
        mask, rows, k_blocks, key_map, counts, indices);
    KERNELS_CUDA_TRY(cudaGetLastError());
    if (order != nullptr) {
        const int64_t segments = rows / q_blocks;
        const size_t smem = static_cast<size_t>(q_blocks) * sizeof(int32_t);
        order_rows_kernel<<<static_cast<unsigned>(segments), 256, smem, stream>>>(
            counts, static_cast<int>(q_blocks), order);
        KERNELS_CUDA_TRY(cudaGetLastError());
    }
    return {};
}

KernelStatus block_sparse_attention_forward(const BlockSparseAttentionParams& p,
                                            cudaStream_t stream) {
    KERNELS_REQUIRE(p.batch >= 0 && p.heads > 0 && p.q_len >= 0 && p.k_len > 0,
                    "batch ≥ 0, heads > 0, q_len ≥ 0 and k_len > 0 required");
    const int64_t rows = static_cast<int64_t>(p.batch) * p.heads * attention_blocks(p.q_len);
    KERNELS_REQUIRE(rows <= INT32_MAX, "too many query blocks for one launch");
    if (rows == 0) {
        return {};
    }
    KERNELS_REQUIRE(p.q != nullptr && p.k != nullptr && p.v != nullptr && p.out != nullptr,
                    "q, k, v and out must be device pointers");
    KERNELS_REQUIRE(p.block_counts != nullptr && p.block_indices != nullptr,
                    "block_counts and block_indices are required");
    KERNELS_REQUIRE(aligned16(p.q) && aligned16(p.k) && aligned16(p.v) && aligned16(p.out),
                    "q, k, v and out must be 16-byte aligned");
    KERNELS_REQUIRE(strides_ok(p.q_batch_stride, p.q_row_stride, p.q_head_stride) &&
                        strides_ok(p.k_batch_stride, p.k_row_stride, p.k_head_stride) &&
                        strides_ok(p.v_batch_stride, p.v_row_stride, p.v_head_stride) &&
                        strides_ok(p.out_batch_stride, p.out_row_stride, p.out_head_stride),
                    "all strides must be multiples of 8 elements (16 bytes)");
    KERNELS_REQUIRE(p.list_stride >= 0, "list_stride must not be negative");
    {
        const OutputRowWindows& w = p.out_windows;
        KERNELS_REQUIRE(
            w.window_frames == 0 ||
                (w.window_frames > 0 && w.window_height > 0 && w.window_width > 0 &&
                 w.grid_frames % w.window_frames == 0 && w.grid_height % w.window_height == 0 &&
                 w.grid_width % w.window_width == 0 &&
                 w.grid_frames * w.grid_height * w.grid_width == p.q_len),
            "out_windows: the window must divide the token grid, whose size must be q_len");
    }
    KERNELS_REQUIRE(p.list_stride == 0 || p.k_len % kAttentionBlock == 0,
                    "block lists through a key map need k_len to be a multiple of 128");
    int device = 0;
    KERNELS_CUDA_TRY(cudaGetDevice(&device));
    int major = 0;
    KERNELS_CUDA_TRY(cudaDeviceGetAttribute(&major, cudaDevAttrComputeCapabilityMajor, device));
    KERNELS_REQUIRE(major >= 8, "block-sparse attention needs compute capability 8.0 or newer");
    KERNELS_REQUIRE(p.dtype == ScalarType::kBFloat16 || p.dtype == ScalarType::kFloat16,
                    "unsupported dtype");
    const AttentionKernelChoice choice = choose_attention_kernel(p);
    if (p.kernel == AttentionKernel::kWgmmaSm90 && choice.kernel != AttentionKernel::kWgmmaSm90) {
        return KernelStatus{cudaErrorInvalidValue, KERNELS_WHERE, choice.reason};
    }
#if defined(FVSR_KERNELS_SM90A)
    if (choice.kernel == AttentionKernel::kWgmmaSm90) {
        return detail::launch_block_sparse_attention_sm90(p, stream);
    }
#endif
    switch (p.dtype) {
        case ScalarType::kBFloat16:
            return detail::launch_block_sparse_attention_bf16(p, stream);
        case ScalarType::kFloat16:
            return detail::launch_block_sparse_attention_fp16(p, stream);
    }
    KERNELS_REQUIRE(false, "unsupported dtype");
    return {};
}

}  // namespace kernels
