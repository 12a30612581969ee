#pragma once
// Block-sparse flash attention forward (FlashVSR locality-constrained sparse attention, design
// spec flashvsr-model.md §4.3/§4.5). Plain CUDA API: raw device pointers, element strides, a
// cudaStream_t; no torch.
//
// Semantics, per batch b and head h: queries are cut into 128-token blocks, keys into 128-token
// blocks; query block i attends (non-causal softmax(scale·q·kᵀ)·v, softmax in fp32) only to the
// key blocks listed for row (b, h, i). A row with no listed block outputs exactly zero. The last
// query/key block may be partial (Lq, Lk need not be multiples of 128).
//
// Block lists (the layout the kernel reads; built from a [B, H, nqb, nkb] byte mask by
// build_block_lists, about 10 µs for production shapes):
//   counts  [B·H·nqb]        int32: number of selected key blocks of row r = (b·H + h)·nqb + i
//   indices [B·H·nqb, nkb]   int32: the first counts[r] entries of row r are the selected key
//                            block indices in ascending order (the rest is unspecified); with a
//                            key map (build_block_lists), map[j] for the selected columns j in
//                            ascending j: the mask's columns are logical key blocks and K/V hold
//                            them anywhere (a pool of window slots, engine/model/wan)
//   order   [B·H·nqb]        int32: a permutation of the rows in which CTAs are launched:
//                            grouped by (b, h) so that concurrent CTAs share K/V in L2, and within
//                            a group by descending count so that long rows start first (shorter
//                            tail). Optional: nullptr launches rows in natural order.
// A compact list (instead of the mask) lets each CTA loop only over its selected blocks with no
// scan of the mask row and no divergent skips.
//
// Threading: all functions only enqueue work on `stream` (asynchronous) and are thread-safe.

#include "kernels/status.h"

#include <cuda_runtime_api.h>

#include <cstdint>

namespace kernels {

constexpr int kAttentionBlock = 128;  // tokens per query block and per key block
constexpr int kHeadDim = 128;         // the only supported head dimension

enum class ScalarType { kBFloat16, kFloat16 };

// The two implementations of the attention forward (same semantics, same results up to fp32
// summation order):
//   kMmaSync   FlashAttention-2 structure with mma.sync (sm_80 and newer, every GPU);
//   kWgmmaSm90 FlashAttention-3 structure for Hopper (compute capability 9.0 only): TMA loads into
//              an mbarrier pipeline, a producer warpgroup and two consumer warpgroups, wgmma.
// kAuto picks kWgmmaSm90 where it can run and kMmaSync otherwise.
enum class AttentionKernel { kAuto, kMmaSync, kWgmmaSm90 };

// Optional order of the output rows: the query rows are the tokens of a [frames, height, width]
// grid cut into windows (window_partition order: windows (t, y, x) with x fastest, tokens inside
// a window (dt, dy, dx) with dx fastest), and the output is written back in grid order, so no
// window-reverse copy follows. window_frames == 0: rows are written where they are.
struct OutputRowWindows {
    int window_frames = 0;
    int window_height = 0;
    int window_width = 0;
    int64_t grid_frames = 0;
    int64_t grid_height = 0;
    int64_t grid_width = 0;
};

struct BlockSparseAttentionParams {
    ScalarType dtype = ScalarType::kBFloat16;
    // q [B, Lq, H, 128], k and v [B, Lk, H, 128], out [B, Lq, H, 128], all of `dtype`, the head
    // dimension contiguous. Strides are in elements; every pointer must be 16-byte aligned and
    // every stride a multiple of 8 elements (16-byte rows for cp.async).
    const void* q = nullptr;
    const void* k = nullptr;
    const void* v = nullptr;
    void* out = nullptr;
    int64_t q_batch_stride = 0, q_row_stride = 0, q_head_stride = 0;
    int64_t k_batch_stride = 0, k_row_stride = 0, k_head_stride = 0;
    int64_t v_batch_stride = 0, v_row_stride = 0, v_head_stride = 0;
    int64_t out_batch_stride = 0, out_row_stride = 0, out_head_stride = 0;
    int batch = 0;
    int heads = 0;
    int64_t q_len = 0;  // Lq
    int64_t k_len = 0;  // Lk
    float scale = 0.f;  // softmax scale, usually 1/sqrt(128)
    // Block lists as described above (device pointers).
    const int32_t* block_counts = nullptr;
    const int32_t* block_indices = nullptr;
    const int32_t* row_order = nullptr;  // optional
    // Entries per row of block_indices (the mask's key blocks); 0 = ceil(k_len / 128). Set it
    // when the lists index K/V through a key map: then K/V may hold more blocks than the mask has
    // columns, and k_len must be a multiple of 128 (every block full).
    int64_t list_stride = 0;
    // Output row order (see OutputRowWindows); grid_frames·grid_height·grid_width must be Lq.
    OutputRowWindows out_windows;
    // Which implementation to run; an explicit kWgmmaSm90 that cannot run is an error (the
    // status carries the reason), kAuto falls back to kMmaSync.
    AttentionKernel kernel = AttentionKernel::kAuto;
};

struct AttentionKernelChoice {
    AttentionKernel kernel = AttentionKernel::kMmaSync;  // never kAuto
    // Static English text for logs: why this implementation (e.g. why the Hopper kernel is not
    // used: "the device is not compute capability 9.0 ...", "built without sm_90a code ...").
    const char* reason = "";
};

// The implementation block_sparse_attention_forward runs for `params` (only `kernel`, `dtype`,
// the pointers, sizes and strides are looked at) on the current device. Host-only, a few µs.
AttentionKernelChoice choose_attention_kernel(const BlockSparseAttentionParams& params);

inline int64_t attention_blocks(int64_t tokens) {
    return (tokens + kAttentionBlock - 1) / kAttentionBlock;
}

// mask: [rows = B·H·nqb, nkb] bytes (0 = skip, anything else = attend), row-major contiguous.
// Writes counts/indices (sizes above) and, when `order` is not null, the launch order; rows are
// grouped by (b, h) in segments of q_blocks rows. q_blocks must be ≤ 12288. key_map (optional,
// device, [nkb] int32): the K/V block that holds logical key block j; the lists then hold
// key_map[j] (set BlockSparseAttentionParams::list_stride = nkb).
KernelStatus build_block_lists(const uint8_t* mask,
                               int64_t rows,
                               int64_t q_blocks,
                               int64_t k_blocks,
                               int32_t* counts,
                               int32_t* indices,
                               int32_t* order,
                               cudaStream_t stream,
                               const int32_t* key_map = nullptr);

// Enqueues the attention with the implementation choose_attention_kernel names. mma.sync: about
// 96 KiB of shared memory per CTA (128 threads), compute capability ≥ 8.0; wgmma: about 161 KiB
// per CTA (384 threads), compute capability 9.0 and a build with sm_90a code.
KernelStatus block_sparse_attention_forward(const BlockSparseAttentionParams& params,
                                            cudaStream_t stream);

}  // namespace kernels
