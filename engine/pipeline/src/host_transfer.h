#pragma once
// Device-to-host copies of finished output frames that overlap the next chunk's GPU work
// (private header). On CUDA the copy runs on a side stream into pinned host memory, ordered after
// the work that produced the frames by an event, so the compute stream never waits for it and
// the host never waits for the compute stream. Elsewhere (CPU runs, CPU-only LibTorch builds) it
// is a plain copy.
//
// Threads: driven by the upscaler's one driving thread.

#include "engine/torch.h"

#include <memory>

namespace engine::pipeline::detail {

class HostTransfer {
  public:
    HostTransfer();
    ~HostTransfer();
    HostTransfer(const HostTransfer&) = delete;
    HostTransfer& operator=(const HostTransfer&) = delete;

    // Starts copying `frames` (any device) to the host. On CUDA the copy begins when the current
    // stream has produced `frames`; until wait() the tensor is kept alive here. At most one copy
    // is in flight: call wait() before the next start().
    void start(const torch::Tensor& frames);
    bool pending() const { return m_pending; }
    // Blocks until the started copy is complete and returns the host tensor. It stays valid until
    // the next start(), which may reuse its memory.
    torch::Tensor wait();

  private:
    struct CudaState;  // side stream, events and the pinned buffer (CUDA builds)
    std::unique_ptr<CudaState> m_cuda;
    torch::Tensor m_source;
    torch::Tensor m_host;
    bool m_pending = false;
};

}  // namespace engine::pipeline::detail
