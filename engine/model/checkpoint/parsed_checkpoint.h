#pragma once
// The format-independent middle of loading: a parser (safetensors or torch zip) describes every
// tensor as a validated view into the file's bytes; materialize() then copies each one out,
// converted to the run dtype, one tensor at a time (peak host memory ~ one tensor beyond the
// result).

#include "checkpoint/mapped_file.h"
#include "engine/model/checkpoint/checkpoint_file.h"
#include "engine/model/checkpoint/state_dict.h"

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace engine::model::detail {

// Raw bytes a tensor is read from. For torch zip files one storage may back several tensors.
struct RawStorage {
    const std::uint8_t* data = nullptr;
    std::uint64_t size_bytes = 0;
    std::string name;  // zip entry name, for messages
    bool check_crc = false;
    std::uint32_t expected_crc = 0;
};

// A validated view: every element the view can address lies inside its storage.
struct RawTensor {
    std::string name;
    torch::ScalarType dtype = torch::kFloat;  // as stored in the file
    std::vector<std::int64_t> sizes;
    std::vector<std::int64_t> strides;  // in elements
    std::int64_t storage_offset = 0;    // in elements
    std::size_t storage_index = 0;
};

struct ParsedCheckpoint {
    CheckpointFormat format = CheckpointFormat::Unknown;
    std::vector<RawStorage> storages;
    std::vector<RawTensor> tensors;
    bool single_tensor = false;  // torch zip whose top-level object is a bare tensor
    bool big_endian = false;     // torch zip "byteorder" record said big
    std::vector<std::pair<std::string, std::string>> metadata;
};

// Parsers never read tensor data (inspection of a 5.7 GB file costs only its header) and
// return FileTruncated / ModelDamaged / CheckpointUnsupported for bad bytes, never UB.
Result<ParsedCheckpoint> parse_safetensors(ByteView bytes, const std::string& label);
Result<ParsedCheckpoint> parse_torch_zip(ByteView bytes, const std::string& label);
Result<ParsedCheckpoint> parse_checkpoint(ByteView bytes, const std::string& label);

// Copies every tensor out (contiguous, options.dtype, options.device), verifying zip CRCs.
Result<StateDict> materialize(const ParsedCheckpoint& parsed,
                              const LoadOptions& options,
                              const std::string& label);

// Element count a view reaches: offset + sum((size-1)*stride) + 1, 0 for an empty view;
// -1 on negative values or overflow.
std::int64_t view_extent(const std::vector<std::int64_t>& sizes,
                         const std::vector<std::int64_t>& strides,
                         std::int64_t storage_offset);

// Product of sizes, -1 on negative values or overflow past 2^62.
std::int64_t checked_numel(const std::vector<std::int64_t>& sizes);

std::string shape_string(const std::vector<std::int64_t>& sizes);

}  // namespace engine::model::detail
