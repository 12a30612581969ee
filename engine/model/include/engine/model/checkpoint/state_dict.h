#pragma once
// Weight files as users download them, read without Python:
//  - safetensors (memory-mapped; each tensor converted straight to the run dtype on its device),
//  - PyTorch zip checkpoints (.ckpt/.pth written by torch.save): our own reader for the pickle
//    subset torch.save uses for tensors (dict/OrderedDict state dicts, a bare tensor).
// Strict binding by name fills a torch::nn::Module whose parameter names ARE the checkpoint keys.

#include "engine/core/result.h"
#include "engine/torch.h"

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace engine::model {

// Ordered name -> tensor map (file order preserved).
class StateDict {
  public:
    void insert(std::string name, torch::Tensor tensor);
    bool contains(const std::string& name) const;
    // Throws EngineException(ModelKeysMismatch) naming the key when absent.
    const torch::Tensor& at(const std::string& name) const;
    const torch::Tensor* find(const std::string& name) const;
    const std::vector<std::pair<std::string, torch::Tensor>>& items() const { return m_items; }
    std::vector<std::string> keys() const;
    std::size_t size() const { return m_items.size(); }
    bool empty() const { return m_items.empty(); }
    // Keeps only keys starting with `prefix`, with the prefix removed.
    StateDict with_prefix_stripped(const std::string& prefix) const;

  private:
    std::vector<std::pair<std::string, torch::Tensor>> m_items;
    std::vector<std::pair<std::string, std::size_t>> m_index;  // sorted by name
};

// "[16,784,3,3]" for messages.
std::string shape_text(const torch::Tensor& tensor);

// The tensor `key` of `dict`, which must have `dims` dimensions: the one lookup every network's
// detect_from_weights uses. Throws EngineException: ModelKeysMismatch when absent,
// ModelShapeMismatch for another rank; the detail names `network` ("DiT", "TCDecoder", ...), and
// the context carries "key" (and "got", the shape). Returns a tensor handle (no copy of data).
torch::Tensor required_weight(const StateDict& dict,
                              const std::string& key,
                              std::int64_t dims,
                              const std::string& network);

struct LoadOptions {
    torch::Device device = torch::kCPU;
    std::optional<torch::ScalarType> dtype;  // cast at load (round to nearest even for bf16)
};

// Detects the container from its bytes (safetensors header, zip magic, legacy pickle) and loads a
// name->tensor map. Errors: FileNotFound, FileEmpty, FileTruncated, CheckpointUnsupported (legacy
// non-zip pickle, objects outside the tensor subset), ModelDamaged (inconsistent offsets).
Result<StateDict> load_state_dict(const std::filesystem::path& path,
                                  const LoadOptions& options = {});

// A file that holds one bare tensor (posi_prompt.pth), or a state dict with exactly one tensor.
Result<torch::Tensor> load_tensor_file(const std::filesystem::path& path,
                                       const LoadOptions& options = {});

struct BindOptions {
    // Keys in the file that are fine to leave unused (e.g. "encoder." of the Wan VAE).
    std::vector<std::string> ignore_prefixes;
    // Upstream loads the TCDecoder non-strictly; we still require every module parameter.
    bool allow_unexpected = false;
    std::string file_label;  // for messages: the file the dict came from
};

// Copies every parameter and buffer of `module` from `dict` (names must match exactly, shapes
// equal; values cast to the module's dtype). Reports ModelKeysMismatch with counts and the first
// names, or ModelShapeMismatch with got vs expected.
Status bind_module(torch::nn::Module& module,
                   const StateDict& dict,
                   const BindOptions& options = {});

// Upstream's model-recognition hash: MD5 of the sorted "key:d0_d1_..." strings joined by commas
// (spec §1.1 note 3). Real DiT: 9269f8db9040a9d860eaca435be61814, VAE:
// ccc42284ea13e1ad04693284c7a09be6.
std::string keys_and_shapes_md5(const StateDict& dict);

// SHA-256 of a whole file, lowercase hex (streamed, constant memory).
Result<std::string> file_sha256(const std::filesystem::path& path);

}  // namespace engine::model
