#pragma once
// Process-wide LibTorch runtime settings, called once by the composition root (CLI, GUI, tools)
// before any model work. Torch-free header.

namespace engine::pipeline {

// Sets LibTorch's intra-op and inter-op thread counts. threads <= 0: one per hardware core
// (LibTorch's own default can be far off in containers and makes CPU inference crawl).
void set_cpu_threads(int threads);

// Number of threads LibTorch will use for intra-op work.
int cpu_threads();

}  // namespace engine::pipeline

#include <string>

namespace engine::pipeline {

// "1.13.0" style version of the LibTorch the engine was built against, plus "+cuda" when it has
// CUDA and how many CUDA devices it sees at run time.
std::string torch_description();

}  // namespace engine::pipeline
