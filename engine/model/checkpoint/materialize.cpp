#include "checkpoint/hashes.h"
#include "checkpoint/parsed_checkpoint.h"

#include <algorithm>
#include <cstring>
#include <limits>
#include <vector>

namespace engine::model::detail {
namespace {

constexpr std::int64_t kMaxElements = std::int64_t{1} << 62;

bool multiply_checked(std::int64_t a, std::int64_t b, std::int64_t& out) {
    if (a < 0 || b < 0) {
        return false;
    }
    if (a != 0 && b > kMaxElements / a) {
        return false;
    }
    out = a * b;
    return true;
}

void swap_bytes_in_place(std::uint8_t* data, std::size_t count, std::size_t element_size) {
    for (std::size_t i = 0; i < count; ++i) {
        std::reverse(data + i * element_size, data + (i + 1) * element_size);
    }
}

// One tensor out of the file: a view over the mapped bytes (or an aligned copy of them), then one
// converting copy into a fresh contiguous tensor. torch's float -> bf16/fp16 conversion rounds to
// nearest even, as upstream's .to(dtype) does.
torch::Tensor materialize_one(const RawTensor& raw,
                              const RawStorage& storage,
                              bool big_endian,
                              const LoadOptions& options) {
    const bool is_bool = raw.dtype == torch::kBool;
    // Bool bytes other than 0/1 are undefined behaviour in torch: read them as bytes.
    const torch::ScalarType read_type = is_bool ? torch::kByte : raw.dtype;
    const auto element_size = static_cast<std::int64_t>(c10::elementSize(read_type));
    // Only floating-point tensors take the run dtype (as Module::to(dtype) does): an integer or
    // bool tensor (an index, a counter) would be corrupted by a float cast.
    const torch::ScalarType target =
        c10::isFloatingType(raw.dtype) ? options.dtype.value_or(raw.dtype) : raw.dtype;
    const std::int64_t extent = view_extent(raw.sizes, raw.strides, raw.storage_offset);

    torch::Tensor out = torch::empty(raw.sizes, torch::TensorOptions().dtype(target));
    if (extent > 0) {
        const std::uint8_t* base = storage.data;
        const std::size_t span_bytes = static_cast<std::size_t>(extent * element_size);
        torch::Tensor owned;
        const bool misaligned = reinterpret_cast<std::uintptr_t>(base) % element_size != 0;
        const bool swap = big_endian && element_size > 1;
        torch::Tensor flat;
        if (misaligned || swap) {
            owned = torch::empty({extent}, torch::TensorOptions().dtype(read_type));
            auto* dst = static_cast<std::uint8_t*>(owned.data_ptr());
            std::memcpy(dst, base, span_bytes);
            if (swap) {
                swap_bytes_in_place(dst, static_cast<std::size_t>(extent),
                                    static_cast<std::size_t>(element_size));
            }
            flat = owned;
        } else {
            flat = torch::from_blob(const_cast<std::uint8_t*>(base), {extent},
                                    torch::TensorOptions().dtype(read_type));
        }
        torch::Tensor view = flat.as_strided(raw.sizes, raw.strides, raw.storage_offset);
        if (is_bool) {
            view = view.ne(0);
        }
        out.copy_(view);
    }
    if (options.device != torch::Device(torch::kCPU)) {
        out = out.to(options.device);
    }
    return out;
}

}  // namespace

std::int64_t checked_numel(const std::vector<std::int64_t>& sizes) {
    std::int64_t numel = 1;
    for (const std::int64_t s : sizes) {
        if (!multiply_checked(numel, s, numel)) {
            return -1;
        }
    }
    return numel;
}

std::int64_t view_extent(const std::vector<std::int64_t>& sizes,
                         const std::vector<std::int64_t>& strides,
                         std::int64_t storage_offset) {
    if (sizes.size() != strides.size() || storage_offset < 0 || storage_offset > kMaxElements) {
        return -1;
    }
    std::int64_t last = storage_offset;
    for (std::size_t i = 0; i < sizes.size(); ++i) {
        if (sizes[i] < 0 || strides[i] < 0) {
            return -1;
        }
        if (sizes[i] == 0) {
            return checked_numel(sizes) < 0 ? -1 : 0;
        }
        std::int64_t reach = 0;
        if (!multiply_checked(sizes[i] - 1, strides[i], reach) || reach > kMaxElements - last) {
            return -1;
        }
        last += reach;
    }
    if (checked_numel(sizes) < 0) {
        return -1;
    }
    return last + 1;
}

std::string shape_string(const std::vector<std::int64_t>& sizes) {
    std::string out = "[";
    for (std::size_t i = 0; i < sizes.size(); ++i) {
        out += (i ? ", " : "") + std::to_string(sizes[i]);
    }
    return out + "]";
}

Result<StateDict> materialize(const ParsedCheckpoint& parsed,
                              const LoadOptions& options,
                              const std::string& label) {
    std::vector<bool> crc_checked(parsed.storages.size(), false);
    StateDict dict;
    for (const RawTensor& raw : parsed.tensors) {
        const RawStorage& storage = parsed.storages.at(raw.storage_index);
        if (storage.check_crc && !crc_checked[raw.storage_index]) {
            const std::uint32_t crc =
                crc32_update(0, storage.data, static_cast<std::size_t>(storage.size_bytes));
            if (crc != storage.expected_crc) {
                return Error(ErrorCode::ModelDamaged, "CRC mismatch in " + storage.name + " of " +
                                                          label + ": the file is damaged")
                    .with("path", label)
                    .with("entry", storage.name);
            }
            crc_checked[raw.storage_index] = true;
        }
        try {
            dict.insert(raw.name, materialize_one(raw, storage, parsed.big_endian, options));
        } catch (const c10::Error& e) {
            // Allocation failure (host or device) is the realistic cause here.
            return Error(ErrorCode::OutOfMemory, "cannot load tensor '" + raw.name + "' " +
                                                     shape_string(raw.sizes) + " from " + label +
                                                     ": " + e.what_without_backtrace())
                .with("path", label)
                .with("key", raw.name);
        }
    }
    return dict;
}

}  // namespace engine::model::detail
