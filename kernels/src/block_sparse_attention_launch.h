#pragma once
// One translation unit per dtype instantiation of the attention kernel (compile time and
// register reports stay per variant); block_sparse_attention.cu dispatches.

#include "kernels/block_sparse_attention.h"

namespace kernels::detail {

KernelStatus launch_block_sparse_attention_bf16(const BlockSparseAttentionParams& params,
                                                cudaStream_t stream);
KernelStatus launch_block_sparse_attention_fp16(const BlockSparseAttentionParams& params,
                                                cudaStream_t stream);

#if defined(FVSR_KERNELS_SM90A)
// The Hopper kernel (src/sm90/, compiled for sm_90a only; the build defines FVSR_KERNELS_SM90A
// when it compiles it). nullptr when it can run `params` on the current device, else a static
// English reason (not cc 9.0, no kernel image, strides a tensor map cannot describe, ...).
const char* sm90_attention_unsupported_reason(const BlockSparseAttentionParams& params);
// Launches it; call only after the reason above was nullptr.
KernelStatus launch_block_sparse_attention_sm90(const BlockSparseAttentionParams& params,
                                                cudaStream_t stream);
#endif

}  // namespace kernels::detail
