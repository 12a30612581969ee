#pragma once
// What the LibTorch bindings of the kernels share (private to kernels/torch): alignment and
// per-channel vector checks.

#include "engine/torch.h"

#include <cstdint>

namespace kernels::torch_api::detail {

// The kernels load 16 bytes at a time.
inline bool aligned16(const torch::Tensor& t) {
    return (reinterpret_cast<std::uintptr_t>(t.data_ptr()) & 15u) == 0;
}

// A per-channel vector with C = x.size(1) elements, on x's device and of x's dtype, as a
// contiguous, 16-byte aligned [C] tensor (a copy only when it is not one already). c10::Error
// names `fn` and `name` otherwise.
inline torch::Tensor channels_of(const torch::Tensor& t,
                                 const char* fn,
                                 const char* name,
                                 const torch::Tensor& x) {
    TORCH_CHECK(t.numel() == x.size(1), fn, ": ", name, " must have C = ", x.size(1),
                " elements, got ", t.sizes());
    TORCH_CHECK(t.device() == x.device(), fn, ": ", name, " must be on ", x.device(), ", got ",
                t.device());
    TORCH_CHECK(t.scalar_type() == x.scalar_type(), fn, ": ", name, " must be ", x.scalar_type(),
                " like x, got ", t.scalar_type());
    auto flat = t.reshape({-1});
    return flat.is_contiguous() && aligned16(flat) ? flat
                                                   : flat.clone(torch::MemoryFormat::Contiguous);
}

}  // namespace kernels::torch_api::detail
