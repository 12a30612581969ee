#pragma once
// The one way the project includes LibTorch. Qt defines `slots` (and `signals`, `emit`) as macros,
// and torch's headers use `slots` as an identifier; a TU that sees both must not have the macro
// active while torch is parsed. This header also is the precompiled header of every torch target.

#ifdef slots
#define FVSR_QT_SLOTS_WAS_DEFINED
#undef slots
#endif

#include <ATen/ATen.h>
#include <torch/cuda.h>
#include <torch/nn/functional.h>
#include <torch/nn/module.h>
#include <torch/nn/modules/container/any.h>
#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/modules/normalization.h>
#include <torch/types.h>
#include <torch/utils.h>
#include <torch/version.h>

#ifdef FVSR_QT_SLOTS_WAS_DEFINED
#define slots Q_SLOTS
#undef FVSR_QT_SLOTS_WAS_DEFINED
#endif

// LibTorch 1.13 (Debian, CPU) and 2.x (CUDA) are both supported; code that needs an API from one
// of them tests this macro.
#define FVSR_TORCH_AT_LEAST(major, minor) \
    (TORCH_VERSION_MAJOR > (major) ||     \
     (TORCH_VERSION_MAJOR == (major) && TORCH_VERSION_MINOR >= (minor)))
