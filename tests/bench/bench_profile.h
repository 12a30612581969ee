#pragma once
// Timing helpers of the model benchmarks: device synchronisation, stage timers, and Kineto traces
// (CPU ops with input shapes and CUDA kernels) written as a Chrome trace that
// scripts/gpu/trace_summary.py summarises by kernel kind.
#include "engine/torch.h"

#include <torch/csrc/autograd/profiler_kineto.h>

#if FVSR_TORCH_HAS_CUDA
#include <ATen/cuda/CUDAContext.h>
#include <ATen/cuda/CUDAEvent.h>
#endif

#include <chrono>
#include <cstdio>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace bench {

// Waits for the device's queued work (timing with host clocks); no-op on the CPU.
inline void synchronize(const torch::Device& device) {
    if (device.is_cuda()) {
        at::detail::getCUDAHooks().deviceSynchronize(device.index());
    }
}

// Splits a chunk's time into stages without synchronising inside it: on CUDA an event per mark
// on the current stream, read after the caller's synchronisation at the chunk's end; on the CPU
// host clocks (the work is synchronous there).
class StageTimer {
  public:
    explicit StageTimer(const torch::Device& device) : m_device(device) {}
    void start() {
        m_marks.clear();
        m_start = mark_now();
    }
    void mark(const std::string& stage) { m_marks.emplace_back(stage, mark_now()); }
    // After the chunk's work finished (synchronize): adds each stage's milliseconds.
    void add_to(std::map<std::string, double>& stage_ms) {
        const Mark* previous = &m_start;
        for (auto& [stage, mark] : m_marks) {
            stage_ms[stage] += elapsed_ms(*previous, mark);
            previous = &mark;
        }
        m_marks.clear();
    }

  private:
    struct Mark {
        std::chrono::steady_clock::time_point host;
#if FVSR_TORCH_HAS_CUDA
        std::shared_ptr<at::cuda::CUDAEvent> event;
#endif
    };
    Mark mark_now() {
        Mark m;
#if FVSR_TORCH_HAS_CUDA
        if (m_device.is_cuda()) {
            m.event = std::make_shared<at::cuda::CUDAEvent>(cudaEventDefault);
            m.event->record(at::cuda::getCurrentCUDAStream(m_device.index()));
            return m;
        }
#endif
        m.host = std::chrono::steady_clock::now();
        return m;
    }
    static double elapsed_ms(const Mark& from, const Mark& to) {
#if FVSR_TORCH_HAS_CUDA
        if (from.event && to.event) {
            return from.event->elapsed_time(*to.event);
        }
#endif
        return std::chrono::duration<double, std::milli>(to.host - from.host).count();
    }
    torch::Device m_device;
    Mark m_start;
    std::vector<std::pair<std::string, Mark>> m_marks;
};

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
