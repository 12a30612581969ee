#pragma once
// What the model and pipeline benchmarks share: "--key value" arguments, the CUDA allocator
// setting, host RSS from /proc and LibTorch's CUDA caching allocator statistics (index 0 of the
// stat arrays is the aggregate over pool types in every LibTorch 2.x). CPU devices and CPU-only
// builds read 0 for the GPU figures.
#include "engine/gpu/allocator_config.h"
#include "engine/torch.h"

#include <fstream>
#include <map>
#include <string>
#include <sys/resource.h>
#include <unistd.h>

#ifdef FVSR_TORCH_HAS_CUDA
#include <c10/cuda/CUDACachingAllocator.h>
#endif

namespace bench {

// "--key value" pairs. Unless "--alloc_conf none" (LibTorch's default, to compare), sets the
// CUDA allocator as the CLI does for one-GPU runs; call first thing in main().
inline std::map<std::string, std::string> arguments(int argc, char** argv) {
    std::map<std::string, std::string> args;
    for (int i = 1; i + 1 < argc; i += 2) {
        args[argv[i]] = argv[i + 1];
    }
    const auto alloc = args.find("--alloc_conf");
    if (alloc == args.end() || alloc->second != "none") {
        engine::gpu::configure_cuda_allocator();
    }
    return args;
}

inline double current_rss_mib() {
    std::ifstream statm("/proc/self/statm");
    long pages = 0;
    long resident = 0;
    statm >> pages >> resident;
    return static_cast<double>(resident) * static_cast<double>(sysconf(_SC_PAGESIZE)) /
           (1024.0 * 1024.0);
}

inline double peak_rss_mib() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return static_cast<double>(usage.ru_maxrss) / 1024.0;  // ru_maxrss is in KiB on Linux
}

struct GpuMemory {
    double allocated_gib = 0.0;  // now
    double peak_allocated_gib = 0.0;
    double peak_reserved_gib = 0.0;
};

inline GpuMemory gpu_memory(const torch::Device& device) {
    GpuMemory memory;
#ifdef FVSR_TORCH_HAS_CUDA
    if (device.is_cuda()) {
        const auto stats = c10::cuda::CUDACachingAllocator::getDeviceStats(
            device.has_index() ? device.index() : 0);
        constexpr double kGiB = 1024.0 * 1024.0 * 1024.0;
        memory.allocated_gib = static_cast<double>(stats.allocated_bytes[0].current) / kGiB;
        memory.peak_allocated_gib = static_cast<double>(stats.allocated_bytes[0].peak) / kGiB;
        memory.peak_reserved_gib = static_cast<double>(stats.reserved_bytes[0].peak) / kGiB;
    }
#endif
    (void)device;
    return memory;
}

// Also initialises CUDA on `device` (the allocator rejects statistics calls before that).
inline void reset_gpu_peak(const torch::Device& device) {
#ifdef FVSR_TORCH_HAS_CUDA
    if (device.is_cuda()) {
        (void)torch::empty({1}, torch::TensorOptions().device(device));
        c10::cuda::CUDACachingAllocator::resetPeakStats(device.has_index() ? device.index() : 0);
    }
#endif
    (void)device;
}

}  // namespace bench
