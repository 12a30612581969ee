#pragma once
// A bounded unpickler for the object subset torch.save writes for state dicts and tensors:
// dict / collections.OrderedDict (its _metadata attribute is accepted and dropped), tensors
// rebuilt by torch._utils._rebuild_tensor_v2 / _rebuild_parameter from persistent storage ids,
// and plain scalars, strings and tuples around them. Any other global is refused by name before
// anything is called; nothing is ever executed. Stack, memo and object counts are capped, objects
// live in one arena (no recursive destruction), and strings are views into the pickle bytes.

#include "checkpoint/mapped_file.h"
#include "engine/core/result.h"
#include "engine/torch.h"

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace engine::model::detail {

struct PickledStorage {
    torch::ScalarType dtype = torch::kFloat;
    std::string key;  // "<archive>/data/<key>" holds the bytes
    std::int64_t numel = 0;
};

struct PickledTensor {
    std::size_t storage = 0;  // index into PickledCheckpoint::storages
    std::int64_t storage_offset = 0;
    std::vector<std::int64_t> sizes;
    std::vector<std::int64_t> strides;
};

struct PickledCheckpoint {
    std::vector<PickledStorage> storages;
    // String-keyed tensors of the state dict in insertion order; one unnamed entry for a bare
    // tensor. {'state_dict': {...}} and {'model_state': {...}} wrappers are unwrapped.
    std::vector<std::pair<std::string, PickledTensor>> tensors;
    bool single_tensor = false;
};

// Errors: CheckpointUnsupported (opcode or global outside the subset, a legacy protocol detail),
// ModelDamaged (malformed pickle, views reaching outside their storage).
Result<PickledCheckpoint> unpickle_torch_checkpoint(ByteView pickle, const std::string& label);

}  // namespace engine::model::detail
