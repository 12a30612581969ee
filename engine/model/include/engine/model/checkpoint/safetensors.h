#pragma once
// Writing safetensors (reading goes through load_state_dict / load_safetensors in
// checkpoint_file.h). Used by the test-model generator and by test fixtures.

#include "engine/core/result.h"
#include "engine/model/checkpoint/state_dict.h"

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

namespace engine::model {

// Writes `dict` in its order (tensors copied to CPU, contiguous, dtype kept) with an optional
// __metadata__ map, atomically (temporary sibling + rename). Dtypes: f64 f32 f16 bf16 i64 i32
// i16 i8 u8 bool; others -> InvalidArgument. Write errors: OutputNotWritable, DiskFull.
Status save_safetensors(const std::filesystem::path& path,
                        const StateDict& dict,
                        const std::vector<std::pair<std::string, std::string>>& metadata = {});

}  // namespace engine::model
