#pragma once
// Result of a kernel entry point. Plain CUDA API (no torch): the binding in kernels/torch turns a
// failed status into an exception; other callers log `message()`.

#include <cuda_runtime_api.h>

#include <string>

namespace kernels {

struct KernelStatus {
    cudaError_t code = cudaSuccess;
    // Static "file:line" of the failing CUDA call or argument check; nullptr when ok.
    const char* where = nullptr;
    // Static English explanation for argument errors (code == cudaErrorInvalidValue); may be null.
    const char* detail = nullptr;

    bool ok() const { return code == cudaSuccess; }
    // "<detail or cudaGetErrorString(code)> (<cuda error name>) at <where>".
    std::string message() const;
};

}  // namespace kernels
