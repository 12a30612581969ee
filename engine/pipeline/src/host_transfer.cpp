#include "host_transfer.h"

#ifdef FVSR_TORCH_HAS_CUDA
#include <ATen/cuda/CUDAEvent.h>
#include <c10/cuda/CUDAGuard.h>
#include <c10/cuda/CUDAStream.h>

#include <optional>
#endif

namespace engine::pipeline::detail {

#ifdef FVSR_TORCH_HAS_CUDA
struct HostTransfer::CudaState {
    std::optional<c10::cuda::CUDAStream> stream;
    at::cuda::CUDAEvent produced;
    at::cuda::CUDAEvent copied;
    torch::Tensor pinned;  // reused while the frame size stays the same
};
#else
struct HostTransfer::CudaState {};
#endif

HostTransfer::HostTransfer() : m_cuda(std::make_unique<CudaState>()) {}

HostTransfer::~HostTransfer() {
    if (m_pending) {
        wait();  // the copy writes into memory this object owns
    }
}

void HostTransfer::start(const torch::Tensor& frames) {
    TORCH_CHECK(!m_pending, "HostTransfer::start: the previous copy was not waited for");
    m_pending = true;
#ifdef FVSR_TORCH_HAS_CUDA
    if (frames.is_cuda()) {
        const auto index = frames.device().index();
        auto& cuda = *m_cuda;
        if (!cuda.stream) {
            cuda.stream = c10::cuda::getStreamFromPool(/*isHighPriority=*/false, index);
        }
        if (!cuda.pinned.defined() || cuda.pinned.sizes() != frames.sizes() ||
            cuda.pinned.scalar_type() != frames.scalar_type()) {
            cuda.pinned = torch::empty(
                frames.sizes(),
                torch::TensorOptions().dtype(frames.scalar_type()).pinned_memory(true));
        }
        cuda.produced.record(c10::cuda::getCurrentCUDAStream(index));
        cuda.produced.block(*cuda.stream);
        {
            c10::cuda::CUDAStreamGuard guard(*cuda.stream);
            cuda.pinned.copy_(frames, /*non_blocking=*/true);
        }
        cuda.copied.record(*cuda.stream);
        // `frames` was allocated on the compute stream; holding it until wait() keeps the
        // caching allocator from handing its memory to the next chunk while the copy reads it.
        m_source = frames;
        m_host = cuda.pinned;
        return;
    }
#endif
    m_host = frames.to(torch::kCPU);
}

torch::Tensor HostTransfer::wait() {
    TORCH_CHECK(m_pending, "HostTransfer::wait: nothing was started");
    m_pending = false;
#ifdef FVSR_TORCH_HAS_CUDA
    if (m_source.defined()) {
        m_cuda->copied.synchronize();
        m_source = torch::Tensor();
    }
#endif
    return m_host;
}

}  // namespace engine::pipeline::detail
