#pragma once
// Shared helpers of the GPU kernel tests (label gpu): device check, error norms.

#include "engine/torch.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <string>

namespace kernels_test {

// GPU tests skip loudly when the machine has no CUDA device (style.md §8).
#define KERNELS_REQUIRE_CUDA()                                                             \
    do {                                                                                   \
        if (!at::hasCUDA()) {                                                              \
            std::fprintf(stderr, "\n*** NO CUDA DEVICE: GPU kernel test SKIPPED ***\n\n"); \
            GTEST_SKIP() << "*** NO CUDA DEVICE: GPU kernel test skipped ***";             \
        }                                                                                  \
    } while (0)

struct ErrorNorms {
    double relative_l2 = 0;  // ||got - ref|| / ||ref||
    double max_abs = 0;      // max |got - ref|
    double ref_max_abs = 0;  // max |ref|
    int64_t non_finite = 0;  // NaN/Inf in got
};

inline ErrorNorms error_norms(const torch::Tensor& got, const torch::Tensor& ref) {
    const auto g = got.to(torch::kDouble);
    const auto r = ref.to(torch::kDouble);
    ErrorNorms n;
    n.non_finite = g.isfinite().logical_not().sum().item<int64_t>();
    const auto diff = (g - r).nan_to_num(0.0, 0.0, 0.0);
    const double ref_norm = r.norm().item<double>();
    n.relative_l2 = diff.norm().item<double>() / (ref_norm > 0 ? ref_norm : 1.0);
    n.max_abs = diff.abs().max().item<double>();
    n.ref_max_abs = r.abs().max().item<double>();
    return n;
}

}  // namespace kernels_test
