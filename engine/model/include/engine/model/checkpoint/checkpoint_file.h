#pragma once
// Checkpoint files below the StateDict level: what a file holds without loading its tensors, and
// loading from bytes already in memory. All functions are thread-safe (no shared state).

#include "engine/core/result.h"
#include "engine/model/checkpoint/state_dict.h"
#include "engine/torch.h"

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

namespace engine::model {

enum class CheckpointFormat {
    Unknown,
    Safetensors,
    TorchZip,           // torch.save since PyTorch 1.6 (.ckpt / .pth / .pt)
    LegacyTorchPickle,  // torch.save before 1.6 (_use_new_zipfile_serialization=False)
};

// Guesses the container from the first bytes only (no validation).
CheckpointFormat detect_checkpoint_format(const void* data, std::size_t size_bytes);

struct TensorInfo {
    std::string name;
    torch::ScalarType dtype = torch::kFloat;  // as stored in the file
    std::vector<std::int64_t> shape;
};

struct CheckpointInfo {
    CheckpointFormat format = CheckpointFormat::Unknown;
    std::vector<TensorInfo> tensors;  // file order; one entry with an empty name for a bare tensor
    bool single_tensor = false;       // the top-level object is a bare tensor (posi_prompt.pth)
    std::vector<std::pair<std::string, std::string>> metadata;  // safetensors __metadata__
};

// Reads names, dtypes and shapes; validates the structure (offsets, sizes, pickle) but reads no
// tensor data, so it is fast for multi-GB files. Same errors as load_state_dict.
Result<CheckpointInfo> inspect_checkpoint(const std::filesystem::path& path);

// LoadOptions.dtype applies to floating-point tensors only; integer and bool tensors keep their
// dtype (as Module::to(dtype) does). Tensors come back contiguous even when the file stored a
// view (torch zip views: offsets, strides, shared storages).
//
// load_state_dict / load_tensor_file for bytes in memory; `label` names the origin in errors.
Result<StateDict> load_state_dict_from_memory(const void* data,
                                              std::size_t size_bytes,
                                              const LoadOptions& options = {},
                                              const std::string& label = "<memory>");
Result<torch::Tensor> load_tensor_from_memory(const void* data,
                                              std::size_t size_bytes,
                                              const LoadOptions& options = {},
                                              const std::string& label = "<memory>");

// Safetensors with its __metadata__ map (string -> string), in header order.
struct SafetensorsContents {
    StateDict tensors;
    std::vector<std::pair<std::string, std::string>> metadata;
};
Result<SafetensorsContents> load_safetensors(const std::filesystem::path& path,
                                             const LoadOptions& options = {});

// keys_and_shapes_md5 for a key/shape list (no tensors needed).
std::string keys_and_shapes_md5(const std::vector<TensorInfo>& tensors);

}  // namespace engine::model
