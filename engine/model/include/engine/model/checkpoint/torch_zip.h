#pragma once
// Writing PyTorch zip checkpoints that torch.load (1.13 and 2.x) reads: used by the test-model
// generator and by fixtures. Reading goes through load_state_dict / load_tensor_file.

#include "engine/core/result.h"
#include "engine/model/checkpoint/state_dict.h"
#include "engine/torch.h"

#include <filesystem>
#include <string>

namespace engine::model {

enum class PickledDictType {
    Dict,         // a plain dict, like the released LQ_proj_in.ckpt (v1.1) and TCDecoder.ckpt
    OrderedDict,  // collections.OrderedDict, as module.state_dict() returns
};

struct TorchZipOptions {
    // Top folder inside the zip; empty = the file name without extension, as recent torch.save
    // does ("LQ_proj_in/data.pkl").
    std::string archive_name;
    PickledDictType dict_type = PickledDictType::Dict;
    // Zip64 records even for small files (large files get them anyway); for compatibility tests.
    bool force_zip64 = false;
};

// Each tensor is written contiguous, in its own storage, little-endian, 64-byte aligned, in the
// dict's order; written atomically (temporary sibling + rename). Dtypes: f64 f32 f16 bf16 i64
// i32 i16 i8 u8 bool; others -> InvalidArgument.
Status save_torch_zip(const std::filesystem::path& path,
                      const StateDict& dict,
                      const TorchZipOptions& options = {});
// A bare tensor at top level, like posi_prompt.pth.
Status save_torch_zip(const std::filesystem::path& path,
                      const torch::Tensor& tensor,
                      const TorchZipOptions& options = {});

}  // namespace engine::model
