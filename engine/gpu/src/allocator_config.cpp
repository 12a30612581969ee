#include "engine/gpu/allocator_config.h"

#include <cstdlib>

namespace engine::gpu {

const char* default_cuda_allocator_config() {
    return "expandable_segments:True";
}

bool configure_cuda_allocator() {
    if (std::getenv("PYTORCH_CUDA_ALLOC_CONF") != nullptr) {
        return false;
    }
    return ::setenv("PYTORCH_CUDA_ALLOC_CONF", default_cuda_allocator_config(), 0) == 0;
}

}  // namespace engine::gpu
