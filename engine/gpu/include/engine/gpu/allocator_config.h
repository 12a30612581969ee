#pragma once
// Settings of LibTorch's CUDA caching allocator, applied through its environment variable
// because LibTorch reads PYTORCH_CUDA_ALLOC_CONF once, when CUDA is first used. No torch here.

namespace engine::gpu {

// The value configure_cuda_allocator() sets: "expandable_segments:True". The allocator then grows
// a few large virtual-memory segments instead of keeping blocks of every size it has seen: the
// KV cache, the decoder's frames and the tiles change size from chunk to chunk, and with fixed
// segments that fragmentation cost 0.6 GiB of reserved memory and 4 % of the throughput at
// 768x1408 on an H100 (docs/PERFORMANCE.md).
const char* default_cuda_allocator_config();

// Sets PYTORCH_CUDA_ALLOC_CONF to default_cuda_allocator_config() unless the user has set it
// (theirs wins). Call first thing in main(), before any thread starts and before CUDA is used;
// later calls have no effect on an allocator that is already initialised. Returns whether it set
// the variable.
bool configure_cuda_allocator();

}  // namespace engine::gpu
