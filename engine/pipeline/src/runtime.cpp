#include "engine/pipeline/runtime.h"

#include "engine/torch.h"

#include <thread>

namespace engine::pipeline {

void set_cpu_threads(int threads) {
    if (threads <= 0) {
        threads = static_cast<int>(std::thread::hardware_concurrency());
        if (threads <= 0) {
            threads = 1;
        }
    }
    at::set_num_threads(threads);
    // Inter-op threads can only be set once per process, before any parallel work started.
    static bool interop_set = false;
    if (!interop_set) {
        interop_set = true;
        try {
            at::set_num_interop_threads(threads);
        } catch (const std::exception&) {
            // Already fixed by earlier parallel work; intra-op threads are what matter here.
        }
    }
}

int cpu_threads() {
    return at::get_num_threads();
}

}  // namespace engine::pipeline

namespace engine::pipeline {

std::string torch_description() {
    std::string text = "LibTorch " + std::to_string(TORCH_VERSION_MAJOR) + "." +
                       std::to_string(TORCH_VERSION_MINOR) + "." +
                       std::to_string(TORCH_VERSION_PATCH);
    if (torch::cuda::is_available()) {
        text += " with CUDA (" + std::to_string(torch::cuda::device_count()) + " device(s))";
    } else {
        text += " (CPU)";
    }
    return text;
}

}  // namespace engine::pipeline
