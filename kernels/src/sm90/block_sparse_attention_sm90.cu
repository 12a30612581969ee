// Host side of the Hopper attention kernel: tensor maps (TMA descriptors), availability checks
// and the launch. Compiled only for sm_90a (kernels/CMakeLists.txt), which also defines
// FVSR_KERNELS_SM90A for the dispatcher in block_sparse_attention.cu.

#include "../block_sparse_attention_launch.h"
#include "../cuda_utils.cuh"
#include "block_sparse_attention_sm90.cuh"

#include <cuda.h>
#include <cuda_runtime.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <mutex>

namespace kernels::detail {

namespace {

using EncodeTiled = CUresult (*)(CUtensorMap*,
                                 CUtensorMapDataType,
                                 cuuint32_t,
                                 void*,
                                 const cuuint64_t*,
                                 const cuuint64_t*,
                                 const cuuint32_t*,
                                 const cuuint32_t*,
                                 CUtensorMapInterleave,
                                 CUtensorMapSwizzle,
                                 CUtensorMapL2promotion,
                                 CUtensorMapFloatOOBfill);

// cuTensorMapEncodeTiled through the runtime's driver entry point (the library links the CUDA
// runtime only, not libcuda). Looked up once; nullptr when the driver lacks it.
EncodeTiled encode_tiled() {
    static std::once_flag once;
    static EncodeTiled fn = nullptr;
    std::call_once(once, [] {
        void* ptr = nullptr;
        cudaDriverEntryPointQueryResult query{};
#if CUDART_VERSION >= 12050
        const cudaError_t err = cudaGetDriverEntryPointByVersion("cuTensorMapEncodeTiled", &ptr,
                                                                 12000, cudaEnableDefault, &query);
#else
        const cudaError_t err =
            cudaGetDriverEntryPoint("cuTensorMapEncodeTiled", &ptr, cudaEnableDefault, &query);
#endif
        if (err == cudaSuccess && query == cudaDriverEntryPointSuccess) {
            fn = reinterpret_cast<EncodeTiled>(ptr);
        } else {
            (void)cudaGetLastError();  // do not leave the lookup failure as the sticky last error
        }
    });
    return fn;
}

// A 4-D map over x [B, L, H, 128] (element strides given) whose dimensions are ordered by
// ascending stride: d first, then head/row/batch; the box is 64 columns × 128 rows of one (b, h)
// with the 128-byte swizzle. Fills `slots` with where head, row and batch went.
bool encode_map(CUtensorMap* map,
                sm90::TmaSlots* slots,
                ScalarType dtype,
                const void* data,
                int64_t batch,
                int64_t len,
                int64_t heads,
                int64_t batch_stride,
                int64_t row_stride,
                int64_t head_stride) {
    struct Dim {
        int which;  // 0 head, 1 row, 2 batch
        int64_t size;
        int64_t stride_bytes;
    };
    std::array<Dim, 3> dims = {Dim{0, heads, head_stride * 2}, Dim{1, len, row_stride * 2},
                               Dim{2, batch, batch_stride * 2}};
    // A dimension of size 1 is never stepped: give it a harmless stride that sorts last.
    int64_t largest = 256;
    for (const Dim& d : dims) {
        if (d.size > 1) {
            largest = std::max(largest, d.stride_bytes);
        }
    }
    for (Dim& d : dims) {
        if (d.size == 1) {
            d.stride_bytes = largest;
        }
    }
    std::stable_sort(dims.begin(), dims.end(),
                     [](const Dim& a, const Dim& b) { return a.stride_bytes < b.stride_bytes; });
    cuuint64_t global_dim[4] = {static_cast<cuuint64_t>(kHeadDim), 0, 0, 0};
    cuuint64_t global_stride[3] = {0, 0, 0};
    cuuint32_t box[4] = {64, 1, 1, 1};
    for (int i = 0; i < 3; ++i) {
        const Dim& d = dims[i];
        if (d.size <= 0 || d.size > (int64_t{1} << 31) || d.stride_bytes <= 0 ||
            d.stride_bytes % 16 != 0 || d.stride_bytes >= (int64_t{1} << 40)) {
            return false;
        }
        global_dim[i + 1] = static_cast<cuuint64_t>(d.size);
        global_stride[i] = static_cast<cuuint64_t>(d.stride_bytes);
        if (d.which == 0) {
            slots->head = i + 1;
        } else if (d.which == 1) {
            slots->row = i + 1;
            box[i + 1] = kAttentionBlock;
        } else {
            slots->batch = i + 1;
        }
    }
    const cuuint32_t element_strides[4] = {1, 1, 1, 1};
    const EncodeTiled encode = encode_tiled();
    if (encode == nullptr) {
        return false;
    }
    const CUresult res =
        encode(map,
               dtype == ScalarType::kBFloat16 ? CU_TENSOR_MAP_DATA_TYPE_BFLOAT16
                                              : CU_TENSOR_MAP_DATA_TYPE_FLOAT16,
               4, const_cast<void*>(data), global_dim, global_stride, box, element_strides,
               CU_TENSOR_MAP_INTERLEAVE_NONE, CU_TENSOR_MAP_SWIZZLE_128B,
               CU_TENSOR_MAP_L2_PROMOTION_L2_256B, CU_TENSOR_MAP_FLOAT_OOB_FILL_NONE);
    return res == CUDA_SUCCESS;
}

struct Plan {
    CUtensorMap q, k, v;
    sm90::KernelParams params;
};

const char* build_plan(const BlockSparseAttentionParams& p, Plan* plan) {
    if (encode_tiled() == nullptr) {
        return "the driver has no cuTensorMapEncodeTiled (CUDA 12 driver needed)";
    }
    const int64_t q_blocks = attention_blocks(p.q_len);
    const int64_t k_blocks = attention_blocks(p.k_len);
    if (p.q_len > INT32_MAX - kAttentionBlock || p.k_len > INT32_MAX - kAttentionBlock) {
        return "sequence too long for 32-bit TMA coordinates";
    }
    sm90::KernelParams& kp = plan->params;
    if (!encode_map(&plan->q, &kp.q_slots, p.dtype, p.q, p.batch, p.q_len, p.heads,
                    p.q_batch_stride, p.q_row_stride, p.q_head_stride) ||
        !encode_map(&plan->k, &kp.k_slots, p.dtype, p.k, p.batch, p.k_len, p.heads,
                    p.k_batch_stride, p.k_row_stride, p.k_head_stride) ||
        !encode_map(&plan->v, &kp.v_slots, p.dtype, p.v, p.batch, p.k_len, p.heads,
                    p.v_batch_stride, p.v_row_stride, p.v_head_stride)) {
        return "q/k/v strides or sizes cannot be described by a TMA tensor map";
    }
    kp.out = p.out;
    kp.out_batch_stride = p.out_batch_stride;
    kp.out_row_stride = p.out_row_stride;
    kp.out_head_stride = p.out_head_stride;
    kp.heads = p.heads;
    kp.q_len = p.q_len;
    kp.k_len = p.k_len;
    kp.q_blocks = q_blocks;
    kp.k_blocks = k_blocks;
    kp.list_stride = p.list_stride > 0 ? p.list_stride : k_blocks;
    kp.out_windows = p.out_windows;
    kp.scale_log2 = p.scale * 1.4426950408889634f;
    kp.counts = p.block_counts;
    kp.indices = p.block_indices;
    kp.order = p.row_order;
    return nullptr;
}

template <typename T>
const void* kernel_address() {
    return reinterpret_cast<const void*>(&sm90::block_sparse_attention_sm90_kernel<T>);
}

const void* kernel_for(ScalarType dtype) {
    return dtype == ScalarType::kBFloat16 ? kernel_address<__nv_bfloat16>()
                                          : kernel_address<__half>();
}

}  // namespace

const char* sm90_attention_unsupported_reason(const BlockSparseAttentionParams& p) {
    int device = 0;
    int major = 0;
    int minor = 0;
    if (cudaGetDevice(&device) != cudaSuccess ||
        cudaDeviceGetAttribute(&major, cudaDevAttrComputeCapabilityMajor, device) != cudaSuccess ||
        cudaDeviceGetAttribute(&minor, cudaDevAttrComputeCapabilityMinor, device) != cudaSuccess) {
        (void)cudaGetLastError();
        return "the device's compute capability could not be read";
    }
    if (major != 9 || minor != 0) {
        return "the device is not compute capability 9.0 (the wgmma kernel is sm_90a code)";
    }
    cudaFuncAttributes attributes{};
    if (cudaFuncGetAttributes(&attributes, kernel_for(p.dtype)) != cudaSuccess) {
        (void)cudaGetLastError();
        return "the sm_90a kernel image cannot be loaded on this device";
    }
    int optin = 0;
    if (cudaDeviceGetAttribute(&optin, cudaDevAttrMaxSharedMemoryPerBlockOptin, device) !=
            cudaSuccess ||
        optin < static_cast<int>(sm90::kSmemBytes)) {
        (void)cudaGetLastError();
        return "the device offers too little shared memory per block for the wgmma kernel";
    }
    Plan plan;
    return build_plan(p, &plan);
}

KernelStatus launch_block_sparse_attention_sm90(const BlockSparseAttentionParams& p,
                                                cudaStream_t stream) {
    Plan plan;
    const char* reason = build_plan(p, &plan);
    KERNELS_REQUIRE(reason == nullptr, "q/k/v cannot be described by TMA tensor maps");
    const int64_t rows = static_cast<int64_t>(p.batch) * p.heads * attention_blocks(p.q_len);
    const dim3 grid(static_cast<unsigned>(rows));
    if (p.dtype == ScalarType::kBFloat16) {
        const auto kernel = sm90::block_sparse_attention_sm90_kernel<__nv_bfloat16>;
        KERNELS_CUDA_TRY(cudaFuncSetAttribute(kernel, cudaFuncAttributeMaxDynamicSharedMemorySize,
                                              sm90::kSmemBytes));
        kernel<<<grid, sm90::kThreads, sm90::kSmemBytes, stream>>>(plan.q, plan.k, plan.v,
                                                                   plan.params);
    } else {
        const auto kernel = sm90::block_sparse_attention_sm90_kernel<__half>;
        KERNELS_CUDA_TRY(cudaFuncSetAttribute(kernel, cudaFuncAttributeMaxDynamicSharedMemorySize,
                                              sm90::kSmemBytes));
        kernel<<<grid, sm90::kThreads, sm90::kSmemBytes, stream>>>(plan.q, plan.k, plan.v,
                                                                   plan.params);
    }
    KERNELS_CUDA_TRY(cudaGetLastError());
    return {};
}

}  // namespace kernels::detail
