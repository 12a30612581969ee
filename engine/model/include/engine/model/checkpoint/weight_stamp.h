#pragma once
// The identity of a weight tensor's values, for caches of tensors derived from a weight (re-laid,
// folded, packed copies): its storage (held weakly, so a weight moved away is not kept alive),
// view (offset, strides), dtype and version counter. Moving the weight (.to(), set_data, a
// relayout) or writing it in place (binding a checkpoint) changes the stamp, so the cache knows
// to rebuild. Not thread-safe; owned by the module that owns the cache.

#include "engine/torch.h"

#include <cstdint>
#include <optional>
#include <vector>

namespace engine::model {

class WeightStamp {
  public:
    // True when `weight` still is (storage, view, dtype, values) what record() saw.
    bool matches(const torch::Tensor& weight) const {
        return m_storage && !m_storage->expired() &&
               m_storage->_unsafe_get_target() == weight.storage().unsafeGetStorageImpl() &&
               m_offset == weight.storage_offset() && m_strides == weight.strides().vec() &&
               m_dtype == weight.scalar_type() && m_version == weight._version();
    }
    void record(const torch::Tensor& weight) {
        m_storage = weight.storage().getWeakStorageImpl();
        m_offset = weight.storage_offset();
        m_strides = weight.strides().vec();
        m_dtype = weight.scalar_type();
        m_version = weight._version();
    }

  private:
    std::optional<c10::weak_intrusive_ptr<c10::StorageImpl>> m_storage;
    std::int64_t m_offset = 0;
    std::vector<std::int64_t> m_strides;
    c10::ScalarType m_dtype = c10::ScalarType::Undefined;
    std::int64_t m_version = -1;
};

}  // namespace engine::model
