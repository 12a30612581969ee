// Safetensors: 8-byte little-endian header length N, N bytes of JSON, then the raw data section.
// Every number in the header is checked against the file before any data is touched.

#include "engine/model/checkpoint/safetensors.h"

#include "checkpoint/file_writer.h"
#include "checkpoint/parsed_checkpoint.h"
#include "engine/core/paths.h"

#include <nlohmann/json.hpp>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <map>
#include <unistd.h>
#include <unordered_set>

namespace engine::model {
namespace detail {
namespace {

using OrderedJson = nlohmann::ordered_json;

// The reference implementation refuses headers above 100 MB; a real 825-tensor header is ~100 KB.
constexpr std::uint64_t kMaxHeaderBytes = 100ull * 1024 * 1024;
// Headers are flat: {name: {dtype, shape: [...], data_offsets: [...]}} and __metadata__.
constexpr int kMaxJsonDepth = 8;

struct DtypeName {
    const char* name;
    torch::ScalarType type;
};
constexpr DtypeName kDtypes[] = {
    {"F64", torch::kDouble},    {"F32", torch::kFloat}, {"F16", torch::kHalf},
    {"BF16", torch::kBFloat16}, {"I64", torch::kLong},  {"I32", torch::kInt},
    {"I16", torch::kShort},     {"I8", torch::kChar},   {"U8", torch::kByte},
    {"BOOL", torch::kBool},
};

Error damaged(const std::string& label, const std::string& what) {
    return Error(ErrorCode::ModelDamaged, "bad safetensors header in " + label + ": " + what)
        .with("path", label);
}

// Nesting depth of the JSON text, outside strings; bounds the parser's and destructor's work.
bool json_depth_ok(const char* text, std::size_t size) {
    int depth = 0;
    bool in_string = false;
    for (std::size_t i = 0; i < size; ++i) {
        const char c = text[i];
        if (in_string) {
            if (c == '\\') {
                ++i;
            } else if (c == '"') {
                in_string = false;
            }
        } else if (c == '"') {
            in_string = true;
        } else if (c == '{' || c == '[') {
            if (++depth > kMaxJsonDepth) {
                return false;
            }
        } else if (c == '}' || c == ']') {
            --depth;
        }
    }
    return true;
}

bool read_int_array(const OrderedJson& value, std::vector<std::int64_t>& out) {
    if (!value.is_array()) {
        return false;
    }
    out.clear();
    for (const auto& item : value) {
        if (!item.is_number_unsigned()) {
            return false;
        }
        const auto v = item.get<std::uint64_t>();
        if (v > (std::uint64_t{1} << 62)) {
            return false;
        }
        out.push_back(static_cast<std::int64_t>(v));
    }
    return true;
}

}  // namespace

Result<ParsedCheckpoint> parse_safetensors(ByteView bytes, const std::string& label) {
    if (bytes.size < 8) {
        return Error(ErrorCode::FileTruncated, label + " is too short for a safetensors file (" +
                                                   std::to_string(bytes.size) + " bytes)")
            .with("path", label);
    }
    const std::uint64_t header_bytes = read_u64_le(bytes.data);
    if (header_bytes > bytes.size - 8) {
        return Error(ErrorCode::FileTruncated,
                     "safetensors header of " + label + " claims " + std::to_string(header_bytes) +
                         " bytes but the file has " + std::to_string(bytes.size) + " bytes")
            .with("path", label);
    }
    if (header_bytes > kMaxHeaderBytes || header_bytes < 2) {
        return damaged(label, "header length " + std::to_string(header_bytes));
    }
    const char* text = reinterpret_cast<const char*>(bytes.data + 8);
    if (!json_depth_ok(text, header_bytes)) {
        return damaged(label, "JSON nested too deeply");
    }
    OrderedJson header =
        OrderedJson::parse(text, text + header_bytes, nullptr, /*allow_exceptions=*/false);
    if (header.is_discarded() || !header.is_object()) {
        return damaged(label, "the header is not a JSON object");
    }

    ParsedCheckpoint parsed;
    parsed.format = CheckpointFormat::Safetensors;
    const std::uint8_t* data_section = bytes.data + 8 + header_bytes;
    const std::uint64_t data_bytes = bytes.size - 8 - header_bytes;

    for (const auto& [name, entry] : header.items()) {
        if (name == "__metadata__") {
            if (!entry.is_object()) {
                return damaged(label, "__metadata__ is not an object");
            }
            for (const auto& [key, value] : entry.items()) {
                if (!value.is_string()) {
                    return damaged(label, "__metadata__ value of '" + key + "' is not a string");
                }
                parsed.metadata.emplace_back(key, value.get<std::string>());
            }
            continue;
        }
        if (!entry.is_object() || !entry.contains("dtype") || !entry.contains("shape") ||
            !entry.contains("data_offsets") || !entry["dtype"].is_string()) {
            return damaged(label, "entry '" + name + "' lacks dtype/shape/data_offsets");
        }
        const std::string dtype_name = entry["dtype"].get<std::string>();
        const DtypeName* dtype = nullptr;
        for (const auto& d : kDtypes) {
            if (dtype_name == d.name) {
                dtype = &d;
            }
        }
        if (dtype == nullptr) {
            return Error(ErrorCode::CheckpointUnsupported, "tensor '" + name + "' in " + label +
                                                               " has dtype " + dtype_name +
                                                               ", which is not supported")
                .with("path", label)
                .with("key", name)
                .with("dtype", dtype_name);
        }
        RawTensor raw;
        raw.name = name;
        raw.dtype = dtype->type;
        std::vector<std::int64_t> offsets;
        if (!read_int_array(entry["shape"], raw.sizes) || raw.sizes.size() > 16) {
            return damaged(label, "bad shape of '" + name + "'");
        }
        if (!read_int_array(entry["data_offsets"], offsets) || offsets.size() != 2 ||
            offsets[0] > offsets[1]) {
            return damaged(label, "bad data_offsets of '" + name + "'");
        }
        const std::int64_t numel = checked_numel(raw.sizes);
        const auto element_size = static_cast<std::int64_t>(c10::elementSize(raw.dtype));
        if (numel < 0 || numel > (std::int64_t{1} << 62) / element_size ||
            numel * element_size != offsets[1] - offsets[0]) {
            return damaged(label, "'" + name + "' has shape " + shape_string(raw.sizes) + " " +
                                      dtype_name + " but " +
                                      std::to_string(offsets[1] - offsets[0]) + " bytes of data");
        }
        if (static_cast<std::uint64_t>(offsets[1]) > data_bytes) {
            return Error(ErrorCode::FileTruncated,
                         "tensor '" + name + "' ends at byte " + std::to_string(offsets[1]) +
                             " of the data section, which has " + std::to_string(data_bytes) +
                             " bytes: " + label + " is truncated")
                .with("path", label)
                .with("key", name);
        }
        // Each tensor gets its own storage: the format does not promise aligned offsets, and
        // materialize() copies misaligned data to an aligned buffer before converting it.
        raw.storage_offset = 0;
        raw.strides.assign(raw.sizes.size(), 1);
        for (std::size_t i = raw.sizes.size(); i-- > 1;) {
            raw.strides[i - 1] = raw.strides[i] * std::max<std::int64_t>(raw.sizes[i], 1);
        }
        raw.storage_index = parsed.storages.size();
        parsed.storages.push_back(RawStorage{data_section + offsets[0],
                                             static_cast<std::uint64_t>(offsets[1] - offsets[0]),
                                             name, false, 0});
        parsed.tensors.push_back(std::move(raw));
    }
    return parsed;
}

}  // namespace detail

Result<SafetensorsContents> load_safetensors(const std::filesystem::path& path,
                                             const LoadOptions& options) {
    auto file = detail::MappedFile::open(path);
    if (!file) {
        return file.error();
    }
    const std::string label = path_string(path);
    auto parsed = detail::parse_safetensors(file.value()->bytes(), label);
    if (!parsed) {
        return parsed.error();
    }
    auto dict = detail::materialize(parsed.value(), options, label);
    if (!dict) {
        return dict.error();
    }
    return SafetensorsContents{std::move(dict.value()), std::move(parsed.value().metadata)};
}

Status save_safetensors(const std::filesystem::path& path,
                        const StateDict& dict,
                        const std::vector<std::pair<std::string, std::string>>& metadata) {
    detail::OrderedJson header = detail::OrderedJson::object();
    if (!metadata.empty()) {
        detail::OrderedJson meta = detail::OrderedJson::object();
        for (const auto& [key, value] : metadata) {
            meta[key] = value;
        }
        header["__metadata__"] = std::move(meta);
    }
    // Data is laid out by element size, largest first (stable), as the reference writer does, so
    // every tensor starts aligned without gaps; the header keeps the dict's order.
    std::vector<std::pair<std::string, torch::Tensor>> contiguous;
    for (const auto& [name, tensor] : dict.items()) {
        if (name == "__metadata__") {
            return Error(ErrorCode::InvalidArgument, "cannot save a tensor named __metadata__")
                .with("key", name);
        }
        bool supported = false;
        for (const auto& d : detail::kDtypes) {
            supported = supported || d.type == tensor.scalar_type();
        }
        if (!supported) {
            return Error(ErrorCode::InvalidArgument,
                         "safetensors cannot hold dtype " +
                             std::string(c10::toString(tensor.scalar_type())) + " of '" + name +
                             "'")
                .with("key", name);
        }
        contiguous.emplace_back(name, tensor.detach().to(torch::kCPU).contiguous());
    }
    std::vector<std::size_t> layout(contiguous.size());
    for (std::size_t i = 0; i < layout.size(); ++i) {
        layout[i] = i;
    }
    std::stable_sort(layout.begin(), layout.end(), [&](std::size_t a, std::size_t b) {
        return contiguous[a].second.element_size() > contiguous[b].second.element_size();
    });
    std::vector<std::uint64_t> begin(contiguous.size());
    std::uint64_t offset = 0;
    for (const std::size_t i : layout) {
        begin[i] = offset;
        offset += static_cast<std::uint64_t>(contiguous[i].second.nbytes());
    }
    for (std::size_t i = 0; i < contiguous.size(); ++i) {
        const auto& [name, t] = contiguous[i];
        const char* dtype_name = "";
        for (const auto& d : detail::kDtypes) {
            if (d.type == t.scalar_type()) {
                dtype_name = d.name;
            }
        }
        header[name] = {{"dtype", dtype_name},
                        {"shape", t.sizes().vec()},
                        {"data_offsets", {begin[i], begin[i] + t.nbytes()}}};
    }
    std::string header_text = header.dump();
    // Pad with spaces so the data section starts 8-byte aligned, as the reference writer does.
    header_text.append((8 - header_text.size() % 8) % 8, ' ');
    std::uint8_t length_field[8];
    for (int i = 0; i < 8; ++i) {
        length_field[i] = static_cast<std::uint8_t>(header_text.size() >> (8 * i));
    }
    detail::FileWriter writer;
    if (auto s = writer.open(path); !s) {
        return s;
    }
    writer.write(length_field, sizeof(length_field));
    writer.write(header_text.data(), header_text.size());
    for (const std::size_t i : layout) {
        writer.write(contiguous[i].second.data_ptr(), contiguous[i].second.nbytes());
    }
    return writer.commit();
}

}  // namespace engine::model
