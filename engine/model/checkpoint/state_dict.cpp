#include "engine/model/checkpoint/state_dict.h"

#include "checkpoint/hashes.h"
#include "checkpoint/mapped_file.h"
#include "checkpoint/parsed_checkpoint.h"
#include "engine/core/paths.h"
#include "engine/model/checkpoint/checkpoint_file.h"

#include <algorithm>
#include <cstring>

namespace engine::model {

void StateDict::insert(std::string name, torch::Tensor tensor) {
    auto it =
        std::lower_bound(m_index.begin(), m_index.end(), name,
                         [](const auto& entry, const std::string& n) { return entry.first < n; });
    if (it != m_index.end() && it->first == name) {
        m_items[it->second].second = std::move(tensor);
        return;
    }
    m_index.insert(it, {name, m_items.size()});
    m_items.emplace_back(std::move(name), std::move(tensor));
}

const torch::Tensor* StateDict::find(const std::string& name) const {
    auto it =
        std::lower_bound(m_index.begin(), m_index.end(), name,
                         [](const auto& entry, const std::string& n) { return entry.first < n; });
    if (it == m_index.end() || it->first != name) {
        return nullptr;
    }
    return &m_items[it->second].second;
}

bool StateDict::contains(const std::string& name) const {
    return find(name) != nullptr;
}

const torch::Tensor& StateDict::at(const std::string& name) const {
    const torch::Tensor* tensor = find(name);
    if (tensor == nullptr) {
        throw_error(ErrorCode::ModelKeysMismatch, "no tensor named '" + name + "'",
                    {{"key", name}});
    }
    return *tensor;
}

std::vector<std::string> StateDict::keys() const {
    std::vector<std::string> out;
    out.reserve(m_items.size());
    for (const auto& item : m_items) {
        out.push_back(item.first);
    }
    return out;
}

StateDict StateDict::with_prefix_stripped(const std::string& prefix) const {
    StateDict out;
    for (const auto& [name, tensor] : m_items) {
        if (name.size() >= prefix.size() && name.compare(0, prefix.size(), prefix) == 0) {
            out.insert(name.substr(prefix.size()), tensor);
        }
    }
    return out;
}

CheckpointFormat detect_checkpoint_format(const void* data, std::size_t size_bytes) {
    const auto* p = static_cast<const std::uint8_t*>(data);
    if (size_bytes >= 4 && p[0] == 'P' && p[1] == 'K' &&
        ((p[2] == 3 && p[3] == 4) || (p[2] == 5 && p[3] == 6))) {
        return CheckpointFormat::TorchZip;
    }
    // Checked before the pickle test: a header length such as 0x0280 also starts with 0x80.
    if (size_bytes >= 9) {
        const std::uint64_t header_bytes = detail::read_u64_le(p);
        if (header_bytes <= size_bytes - 8 && p[8] == '{') {
            return CheckpointFormat::Safetensors;
        }
    }
    // Legacy torch.save starts with a pickled magic number: PROTO (0x80) then a version byte.
    if (size_bytes >= 2 && p[0] == 0x80 && p[1] >= 2 && p[1] <= 5) {
        return CheckpointFormat::LegacyTorchPickle;
    }
    if (size_bytes >= 8 && size_bytes < 64 * 1024) {
        // Possibly a safetensors file cut inside its header.
        const std::uint64_t header_bytes = detail::read_u64_le(p);
        if (header_bytes > size_bytes - 8 && header_bytes < 100ull * 1024 * 1024 &&
            (size_bytes == 8 || p[8] == '{')) {
            return CheckpointFormat::Safetensors;
        }
    }
    return CheckpointFormat::Unknown;
}

namespace detail {

Result<ParsedCheckpoint> parse_checkpoint(ByteView bytes, const std::string& label) {
    if (bytes.size == 0) {
        return Error(ErrorCode::FileEmpty, label + " is empty").with("path", label);
    }
    switch (detect_checkpoint_format(bytes.data, bytes.size)) {
        case CheckpointFormat::Safetensors:
            return parse_safetensors(bytes, label);
        case CheckpointFormat::TorchZip:
            return parse_torch_zip(bytes, label);
        case CheckpointFormat::LegacyTorchPickle:
            return Error(ErrorCode::CheckpointUnsupported,
                         label +
                             " uses the legacy (pre-1.6, non-zip) torch.save format; re-save it "
                             "with a current PyTorch: torch.save(torch.load(path), new_path)")
                .with("path", label)
                .with("format", "legacy_pickle");
        case CheckpointFormat::Unknown:
            break;
    }
    if (bytes.size < 8) {
        return Error(ErrorCode::FileTruncated, label + " is too short (" +
                                                   std::to_string(bytes.size) +
                                                   " bytes) to be a checkpoint")
            .with("path", label);
    }
    return Error(ErrorCode::CheckpointUnsupported,
                 label + " is neither a safetensors file nor a PyTorch zip checkpoint")
        .with("path", label);
}

}  // namespace detail

namespace {

Result<StateDict> state_dict_from_bytes(detail::ByteView bytes,
                                        const LoadOptions& options,
                                        const std::string& label) {
    auto parsed = detail::parse_checkpoint(bytes, label);
    if (!parsed) {
        return parsed.error();
    }
    if (parsed.value().single_tensor) {
        return Error(ErrorCode::CheckpointUnsupported,
                     label + " holds a single bare tensor, not a state dict")
            .with("path", label);
    }
    return detail::materialize(parsed.value(), options, label);
}

Result<torch::Tensor> tensor_from_bytes(detail::ByteView bytes,
                                        const LoadOptions& options,
                                        const std::string& label) {
    auto parsed = detail::parse_checkpoint(bytes, label);
    if (!parsed) {
        return parsed.error();
    }
    if (parsed.value().tensors.size() != 1) {
        return Error(ErrorCode::ModelWrongFile, label + " holds " +
                                                    std::to_string(parsed.value().tensors.size()) +
                                                    " tensors; expected a single tensor")
            .with("path", label)
            .with("tensor_count", std::to_string(parsed.value().tensors.size()));
    }
    auto dict = detail::materialize(parsed.value(), options, label);
    if (!dict) {
        return dict.error();
    }
    return dict.value().items().front().second;
}

}  // namespace

Result<StateDict> load_state_dict(const std::filesystem::path& path, const LoadOptions& options) {
    auto file = detail::MappedFile::open(path);
    if (!file) {
        return file.error();
    }
    return state_dict_from_bytes(file.value()->bytes(), options, path_string(path));
}

Result<torch::Tensor> load_tensor_file(const std::filesystem::path& path,
                                       const LoadOptions& options) {
    auto file = detail::MappedFile::open(path);
    if (!file) {
        return file.error();
    }
    return tensor_from_bytes(file.value()->bytes(), options, path_string(path));
}

Result<StateDict> load_state_dict_from_memory(const void* data,
                                              std::size_t size_bytes,
                                              const LoadOptions& options,
                                              const std::string& label) {
    return state_dict_from_bytes({static_cast<const std::uint8_t*>(data), size_bytes}, options,
                                 label);
}

Result<torch::Tensor> load_tensor_from_memory(const void* data,
                                              std::size_t size_bytes,
                                              const LoadOptions& options,
                                              const std::string& label) {
    return tensor_from_bytes({static_cast<const std::uint8_t*>(data), size_bytes}, options, label);
}

Result<CheckpointInfo> inspect_checkpoint(const std::filesystem::path& path) {
    auto file = detail::MappedFile::open(path);
    if (!file) {
        return file.error();
    }
    auto parsed = detail::parse_checkpoint(file.value()->bytes(), path_string(path));
    if (!parsed) {
        return parsed.error();
    }
    CheckpointInfo info;
    info.format = parsed.value().format;
    info.single_tensor = parsed.value().single_tensor;
    info.metadata = parsed.value().metadata;
    for (const auto& raw : parsed.value().tensors) {
        info.tensors.push_back(TensorInfo{raw.name, raw.dtype, raw.sizes});
    }
    return info;
}

std::string keys_and_shapes_md5(const std::vector<TensorInfo>& tensors) {
    // Upstream (diffsynth hash_state_dict_keys, with_shape=True): for every tensor both
    // "key:d0_d1_..." and "key" go into one list, which is sorted (code point order = byte order
    // for UTF-8) and joined with commas.
    std::vector<std::string> parts;
    parts.reserve(tensors.size() * 2);
    for (const auto& t : tensors) {
        std::string with_shape = t.name + ":";
        for (std::size_t i = 0; i < t.shape.size(); ++i) {
            with_shape += (i ? "_" : "") + std::to_string(t.shape[i]);
        }
        parts.push_back(std::move(with_shape));
        parts.push_back(t.name);
    }
    std::sort(parts.begin(), parts.end());
    detail::Md5 md5;
    for (std::size_t i = 0; i < parts.size(); ++i) {
        if (i > 0) {
            md5.update(",", 1);
        }
        md5.update(parts[i].data(), parts[i].size());
    }
    return md5.finish_hex();
}

std::string keys_and_shapes_md5(const StateDict& dict) {
    std::vector<TensorInfo> infos;
    infos.reserve(dict.size());
    for (const auto& [name, tensor] : dict.items()) {
        infos.push_back(TensorInfo{name, tensor.scalar_type(), tensor.sizes().vec()});
    }
    return keys_and_shapes_md5(infos);
}

Result<std::string> file_sha256(const std::filesystem::path& path) {
    const std::string where = path_string(path);
    std::FILE* f = std::fopen(path.c_str(), "rb");
    if (f == nullptr) {
        const int err = errno;
        if (err == ENOENT || err == ENOTDIR) {
            return Error(ErrorCode::FileNotFound, "no such file: " + where).with("path", where);
        }
        return Error(ErrorCode::FileUnreadable, "cannot open " + where + ": " + std::strerror(err))
            .with("path", where);
    }
    detail::Sha256 sha;
    std::vector<char> buffer(1 << 20);
    std::size_t n = 0;
    while ((n = std::fread(buffer.data(), 1, buffer.size(), f)) > 0) {
        sha.update(buffer.data(), n);
    }
    const bool failed = std::ferror(f) != 0;
    std::fclose(f);
    if (failed) {
        return Error(ErrorCode::FileUnreadable, "read error in " + where).with("path", where);
    }
    return sha.finish_hex();
}

std::string shape_text(const torch::Tensor& tensor) {
    std::string s = "[";
    for (std::int64_t d = 0; d < tensor.dim(); ++d) {
        s += (d ? "," : "") + std::to_string(tensor.size(d));
    }
    return s + "]";
}

torch::Tensor required_weight(const StateDict& dict,
                              const std::string& key,
                              std::int64_t dims,
                              const std::string& network) {
    const torch::Tensor* t = dict.find(key);
    if (t == nullptr) {
        throw_error(ErrorCode::ModelKeysMismatch, network + " weights lack " + key, {{"key", key}});
    }
    if (t->dim() != dims) {
        throw_error(ErrorCode::ModelShapeMismatch,
                    network + " weight " + key + " has shape " + shape_text(*t) + ", expected " +
                        std::to_string(dims) + " dimensions",
                    {{"key", key}, {"got", shape_text(*t)}});
    }
    return *t;
}

}  // namespace engine::model
