#include "block_sparse_attention_kernel.cuh"
#include "block_sparse_attention_launch.h"

namespace kernels::detail {

KernelStatus launch_block_sparse_attention_bf16(const BlockSparseAttentionParams& params,
                                                cudaStream_t stream) {
    return launch_block_sparse_attention<__nv_bfloat16>(params, stream);
}

}  // namespace kernels::detail
