#pragma once
// One translation unit per dtype instantiation of the attention kernel (compile time and
// register reports stay per variant); block_sparse_attention.cu dispatches.

#include "kernels/block_sparse_attention.h"

namespace kernels::detail {

KernelStatus launch_block_sparse_attention_bf16(const BlockSparseAttentionParams& params,
                                                cudaStream_t stream);
KernelStatus launch_block_sparse_attention_fp16(const BlockSparseAttentionParams& params,
                                                cudaStream_t stream);

}  // namespace kernels::detail
