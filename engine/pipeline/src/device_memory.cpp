#include "device_memory.h"

#include "engine/pipeline/upscaler.h"

#include <string>

#ifdef FVSR_TORCH_HAS_CUDA
#include <c10/cuda/CUDACachingAllocator.h>
#include <c10/cuda/CUDAGuard.h>
#endif
#ifdef FVSR_PIPELINE_HAS_CUDART
#include <cuda_runtime_api.h>
#endif

namespace engine::pipeline::detail {

void release_cached_memory([[maybe_unused]] const torch::Device& device) {
#ifdef FVSR_TORCH_HAS_CUDA
    if (device.is_cuda()) {
        c10::cuda::CUDACachingAllocator::emptyCache();
    }
#endif
}

std::optional<std::int64_t> free_device_bytes([[maybe_unused]] const torch::Device& device) {
#if defined(FVSR_TORCH_HAS_CUDA) && defined(FVSR_PIPELINE_HAS_CUDART)
    if (device.is_cuda()) {
        const auto index = device.has_index() ? device.index() : 0;
        c10::cuda::CUDAGuard guard(index);
        std::size_t free_bytes = 0;
        std::size_t total_bytes = 0;
        if (cudaMemGetInfo(&free_bytes, &total_bytes) != cudaSuccess) {
            return std::nullopt;
        }
        // Index 0 of the stat arrays is the aggregate over pool types (LibTorch 1.13 and 2.x).
        const auto stats = c10::cuda::CUDACachingAllocator::getDeviceStats(index);
        const auto cached_unused =
            stats.reserved_bytes[0].current - stats.allocated_bytes[0].current;
        return static_cast<std::int64_t>(free_bytes) + cached_unused;
    }
#endif
    return std::nullopt;
}

}  // namespace engine::pipeline::detail

namespace engine::pipeline {

#ifdef FVSR_TORCH_HAS_CUDA
namespace {

// The CUDA device index `device` names, if this process has that device.
std::optional<int> cuda_index(const std::string& device) {
    try {
        const torch::Device parsed(device);
        if (!parsed.is_cuda() || !at::globalContext().hasCUDA()) {
            return std::nullopt;
        }
        const int index = parsed.has_index() ? parsed.index() : 0;
        if (index >= static_cast<int>(at::detail::getCUDAHooks().getNumGPUs())) {
            return std::nullopt;
        }
        return index;
    } catch (const c10::Error&) {
        return std::nullopt;
    }
}

}  // namespace
#endif

std::optional<AllocatorBytes> allocator_bytes([[maybe_unused]] const std::string& device) {
#ifdef FVSR_TORCH_HAS_CUDA
    if (const auto index = cuda_index(device)) {
        const auto stats = c10::cuda::CUDACachingAllocator::getDeviceStats(*index);
        AllocatorBytes bytes;
        bytes.reserved = static_cast<std::uint64_t>(stats.reserved_bytes[0].current);
        bytes.peak_reserved = static_cast<std::uint64_t>(stats.reserved_bytes[0].peak);
        return bytes;
    }
#endif
    return std::nullopt;
}

void reset_allocator_peak([[maybe_unused]] const std::string& device) {
#ifdef FVSR_TORCH_HAS_CUDA
    if (const auto index = cuda_index(device)) {
        c10::cuda::CUDACachingAllocator::resetPeakStats(*index);
    }
#endif
}

}  // namespace engine::pipeline
