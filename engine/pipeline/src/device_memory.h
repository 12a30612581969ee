#pragma once
// Device memory queries and cache release for the pipeline (private header). CPU devices and
// builds without a CUDA LibTorch get the "unknown" / no-op answers.

#include "engine/torch.h"

#include <cstdint>
#include <optional>

namespace engine::pipeline::detail {

// Returns the caching allocator's unused blocks to the driver (CUDA); no-op elsewhere.
void release_cached_memory(const torch::Device& device);

// Bytes a new allocation could still get on `device`: the driver's free memory plus what the
// caching allocator holds unused. nullopt on the CPU or when it cannot be asked.
std::optional<std::int64_t> free_device_bytes(const torch::Device& device);

}  // namespace engine::pipeline::detail
