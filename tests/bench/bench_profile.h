#pragma once
// Timing helpers of the model benchmarks: device synchronisation, and Kineto traces (CPU ops with
// input shapes and CUDA kernels) written as a Chrome trace that scripts/gpu/trace_summary.py
// summarises by kernel kind.
#include "engine/torch.h"

#include <torch/csrc/autograd/profiler_kineto.h>

#include <cstdio>
#include <set>
#include <string>

namespace bench {

// Waits for the device's queued work (timing with host clocks); no-op on the CPU.
inline void synchronize(const torch::Device& device) {
    if (device.is_cuda()) {
        at::detail::getCUDAHooks().deviceSynchronize(device.index());
    }
}

inline void start_profiler(const torch::Device& device) {
    namespace prof = torch::profiler::impl;
    const prof::ProfilerConfig config(prof::ProfilerState::KINETO, /*report_input_shapes=*/true);
    std::set<prof::ActivityType> activities{prof::ActivityType::CPU};
    if (device.is_cuda()) {
        activities.insert(prof::ActivityType::CUDA);
    }
    torch::autograd::profiler::prepareProfiler(config, activities);
    torch::autograd::profiler::enableProfiler(config, activities);
}

// Stops the profiler started by start_profiler() and writes the trace; a failure is printed.
inline void save_profile(const std::string& path) {
    try {
        torch::autograd::profiler::disableProfiler()->save(path);
        std::printf("trace written to %s\n", path.c_str());
    } catch (const c10::Error& e) {
        std::printf("no trace: %s\n", e.what_without_backtrace());
    }
}

}  // namespace bench
