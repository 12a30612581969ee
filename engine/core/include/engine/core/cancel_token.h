#pragma once
// Cooperative cancellation: the owner calls cancel(); workers poll is_cancelled() between units of
// work (frames, chunks, segments). Cheap to copy; all copies share one flag.

#include <atomic>
#include <memory>

namespace engine {

class CancelToken {
  public:
    CancelToken() : m_flag(std::make_shared<std::atomic<bool>>(false)) {}
    void cancel() const { m_flag->store(true, std::memory_order_relaxed); }
    bool is_cancelled() const { return m_flag->load(std::memory_order_relaxed); }

  private:
    std::shared_ptr<std::atomic<bool>> m_flag;
};

}  // namespace engine
