// PyTorch zip checkpoints (torch.save since 1.6): "<root>/data.pkl" (pickle), "<root>/data/<key>"
// (one raw little-endian storage each), "<root>/version", optionally "<root>/byteorder". The root
// folder is named after the file by recent PyTorch ("archive" by older ones), so data.pkl is found
// by suffix.

#include "engine/model/checkpoint/torch_zip.h"

#include "checkpoint/file_writer.h"
#include "checkpoint/hashes.h"
#include "checkpoint/parsed_checkpoint.h"
#include "checkpoint/pickle_reader.h"
#include "checkpoint/zip_archive.h"

#include <algorithm>
#include <unordered_map>

namespace engine::model {
namespace detail {
namespace {

// A state dict pickle is a few hundred bytes per tensor; 64 MiB is far beyond any real one.
constexpr std::uint64_t kMaxPickleBytes = 64ull << 20;

Error damaged(const std::string& label, const std::string& what) {
    return Error(ErrorCode::ModelDamaged, what + " in " + label).with("path", label);
}

Result<const ZipEntry*> stored_entry(const ZipEntry& entry, const std::string& label) {
    if (entry.method != 0 || (entry.flags & 1) != 0) {
        return Error(ErrorCode::CheckpointUnsupported,
                     "zip entry '" + entry.name + "' of " + label +
                         " is compressed or encrypted (method " + std::to_string(entry.method) +
                         "); torch.save stores entries uncompressed")
            .with("path", label)
            .with("entry", entry.name);
    }
    return &entry;
}

}  // namespace

Result<ParsedCheckpoint> parse_torch_zip(ByteView bytes, const std::string& label) {
    auto directory = read_zip_directory(bytes, label);
    if (!directory) {
        return directory.error();
    }
    const std::vector<ZipEntry>& entries = directory.value();
    const ZipEntry* pickle_entry = nullptr;
    std::unordered_map<std::string, const ZipEntry*> by_name;
    for (const ZipEntry& e : entries) {
        by_name.emplace(e.name, &e);
        const bool is_pickle =
            e.name == "data.pkl" ||
            (e.name.size() > 9 && e.name.compare(e.name.size() - 9, 9, "/data.pkl") == 0);
        if (is_pickle && (pickle_entry == nullptr || e.name.size() < pickle_entry->name.size())) {
            pickle_entry = &e;
        }
    }
    if (pickle_entry == nullptr) {
        return Error(ErrorCode::CheckpointUnsupported,
                     label + " is a zip archive without data.pkl, not a PyTorch checkpoint")
            .with("path", label);
    }
    const std::string root = pickle_entry->name.substr(0, pickle_entry->name.size() - 8);
    if (auto s = stored_entry(*pickle_entry, label); !s) {
        return s.error();
    }
    if (pickle_entry->size_bytes > kMaxPickleBytes) {
        return damaged(label, "data.pkl of " + std::to_string(pickle_entry->size_bytes) + " bytes");
    }
    const ByteView pickle{bytes.data + pickle_entry->data_offset,
                          static_cast<std::size_t>(pickle_entry->size_bytes)};
    if (crc32_update(0, pickle.data, pickle.size) != pickle_entry->crc32) {
        return damaged(label, "CRC mismatch of " + pickle_entry->name);
    }

    ParsedCheckpoint parsed;
    parsed.format = CheckpointFormat::TorchZip;
    if (auto it = by_name.find(root + "byteorder"); it != by_name.end()) {
        const ZipEntry& e = *it->second;
        const std::string order(
            reinterpret_cast<const char*>(bytes.data + e.data_offset),
            static_cast<std::size_t>(std::min<std::uint64_t>(e.size_bytes, 16)));
        if (order == "big") {
            parsed.big_endian = true;
        } else if (order != "little") {
            return damaged(label, "unknown byteorder record '" + order + "'");
        }
    }

    auto unpickled = unpickle_torch_checkpoint(pickle, label);
    if (!unpickled) {
        return unpickled.error();
    }
    PickledCheckpoint& pickled = unpickled.value();
    for (const PickledStorage& s : pickled.storages) {
        const std::string name = root + "data/" + s.key;
        auto it = by_name.find(name);
        if (it == by_name.end()) {
            return damaged(label, "storage '" + name + "' is missing");
        }
        if (auto ok = stored_entry(*it->second, label); !ok) {
            return ok.error();
        }
        const auto element_size = static_cast<std::uint64_t>(c10::elementSize(s.dtype));
        const std::uint64_t needed = static_cast<std::uint64_t>(s.numel) * element_size;
        if (it->second->size_bytes < needed) {
            return damaged(label, "storage '" + name + "' holds " +
                                      std::to_string(it->second->size_bytes) + " bytes, " +
                                      std::to_string(needed) + " expected");
        }
        parsed.storages.push_back(RawStorage{bytes.data + it->second->data_offset,
                                             it->second->size_bytes, name, true,
                                             it->second->crc32});
    }
    // Views may share storages, but the tensors together must not expand the file absurdly (a
    // hostile file could point a thousand big views at one storage).
    const std::uint64_t view_budget = 2 * static_cast<std::uint64_t>(bytes.size) + (256ull << 20);
    std::uint64_t view_bytes = 0;
    for (auto& [name, t] : pickled.tensors) {
        const PickledStorage& s = pickled.storages[t.storage];
        const std::int64_t numel = checked_numel(t.sizes);
        const auto element_size = static_cast<std::uint64_t>(c10::elementSize(s.dtype));
        if (numel < 0 || static_cast<std::uint64_t>(numel) > view_budget / element_size ||
            static_cast<std::uint64_t>(numel) * element_size > view_budget - view_bytes) {
            return damaged(label, "tensor views larger than the file allows");
        }
        const std::uint64_t bytes_needed = static_cast<std::uint64_t>(numel) * element_size;
        view_bytes += bytes_needed;
        RawTensor raw;
        raw.name = name;
        raw.dtype = s.dtype;
        raw.sizes = std::move(t.sizes);
        raw.strides = std::move(t.strides);
        raw.storage_offset = t.storage_offset;
        raw.storage_index = t.storage;
        parsed.tensors.push_back(std::move(raw));
    }
    parsed.single_tensor = pickled.single_tensor;
    return parsed;
}

namespace {

// Protocol-2 pickle of a state dict in the exact shape torch.save produces.
class PickleWriter {
  public:
    void proto() { m_out += "\x80\x02"; }
    void stop() { m_out += '.'; }
    void mark() { m_out += '('; }
    void op(char c) { m_out += c; }
    void global(const char* module, const char* name) {
        m_out += 'c';
        m_out += module;
        m_out += '\n';
        m_out += name;
        m_out += '\n';
    }
    void string(const std::string& s) {
        m_out += 'X';
        put_u32(static_cast<std::uint32_t>(s.size()));
        m_out += s;
    }
    void integer(std::int64_t v) {
        if (v >= 0 && v < 256) {
            m_out += 'K';
            m_out += static_cast<char>(v);
        } else if (v >= 0 && v < 65536) {
            m_out += 'M';
            m_out += static_cast<char>(v & 0xFF);
            m_out += static_cast<char>(v >> 8);
        } else if (v >= INT32_MIN && v <= INT32_MAX) {
            m_out += 'J';
            put_u32(static_cast<std::uint32_t>(static_cast<std::int32_t>(v)));
        } else {
            m_out += '\x8a';
            m_out += '\x08';
            for (int i = 0; i < 8; ++i) {
                m_out += static_cast<char>(static_cast<std::uint64_t>(v) >> (8 * i));
            }
        }
    }
    void int_tuple(torch::IntArrayRef values) {
        mark();
        for (const std::int64_t v : values) {
            integer(v);
        }
        op('t');
    }
    void empty_ordered_dict() {
        global("collections", "OrderedDict");
        op(')');
        op('R');
    }
    // _rebuild_tensor_v2(storage, offset, size, stride, requires_grad=False, OrderedDict())
    void tensor(const torch::Tensor& t, const std::string& storage_key, const char* storage_type) {
        global("torch._utils", "_rebuild_tensor_v2");
        mark();
        mark();
        string("storage");
        global("torch", storage_type);
        string(storage_key);
        string("cpu");
        integer(t.numel());
        op('t');
        op('Q');
        integer(0);
        int_tuple(t.sizes());
        int_tuple(t.strides());
        op('\x89');
        empty_ordered_dict();
        op('t');
        op('R');
    }
    const std::string& bytes() const { return m_out; }

  private:
    void put_u32(std::uint32_t v) {
        for (int i = 0; i < 4; ++i) {
            m_out += static_cast<char>(v >> (8 * i));
        }
    }
    std::string m_out;
};

const char* storage_type_name(torch::ScalarType dtype) {
    switch (dtype) {
        case torch::kFloat:
            return "FloatStorage";
        case torch::kDouble:
            return "DoubleStorage";
        case torch::kHalf:
            return "HalfStorage";
        case torch::kBFloat16:
            return "BFloat16Storage";
        case torch::kLong:
            return "LongStorage";
        case torch::kInt:
            return "IntStorage";
        case torch::kShort:
            return "ShortStorage";
        case torch::kChar:
            return "CharStorage";
        case torch::kByte:
            return "ByteStorage";
        case torch::kBool:
            return "BoolStorage";
        default:
            return nullptr;
    }
}

Status write_archive(const std::filesystem::path& path,
                     const std::vector<std::pair<std::string, torch::Tensor>>& tensors,
                     bool bare_tensor,
                     const TorchZipOptions& options) {
    std::string root = options.archive_name.empty() ? path.stem().string() : options.archive_name;
    if (root.empty() || root.find('/') != std::string::npos) {
        return Error(ErrorCode::InvalidArgument, "bad archive folder name '" + root + "'");
    }
    root += '/';
    std::vector<torch::Tensor> contiguous;
    PickleWriter pickle;
    pickle.proto();
    if (!bare_tensor) {
        if (options.dict_type == PickledDictType::OrderedDict) {
            pickle.empty_ordered_dict();
        } else {
            pickle.op('}');
        }
        pickle.mark();
    }
    for (std::size_t i = 0; i < tensors.size(); ++i) {
        const auto& [name, tensor] = tensors[i];
        const char* type = storage_type_name(tensor.scalar_type());
        if (type == nullptr) {
            return Error(ErrorCode::InvalidArgument,
                         "cannot save dtype " + std::string(c10::toString(tensor.scalar_type())) +
                             " of '" + name + "'")
                .with("key", name);
        }
        torch::Tensor t = tensor.detach().to(torch::kCPU).contiguous();
        if (!bare_tensor) {
            pickle.string(name);
        }
        pickle.tensor(t, std::to_string(i), type);
        contiguous.push_back(std::move(t));
    }
    if (!bare_tensor) {
        pickle.op('u');
    }
    pickle.stop();

    FileWriter out;
    if (auto s = out.open(path); !s) {
        return s;
    }
    ZipWriter zip(out, 64, options.force_zip64);
    zip.add(root + "data.pkl", pickle.bytes().data(), pickle.bytes().size());
    const std::string byteorder = "little";
    zip.add(root + "byteorder", byteorder.data(), byteorder.size());
    for (std::size_t i = 0; i < contiguous.size(); ++i) {
        zip.add(root + "data/" + std::to_string(i), contiguous[i].data_ptr(),
                contiguous[i].nbytes());
    }
    const std::string version = "3\n";
    zip.add(root + "version", version.data(), version.size());
    zip.finish();
    return out.commit();
}

}  // namespace
}  // namespace detail

Status save_torch_zip(const std::filesystem::path& path,
                      const StateDict& dict,
                      const TorchZipOptions& options) {
    return detail::write_archive(path, dict.items(), false, options);
}

Status save_torch_zip(const std::filesystem::path& path,
                      const torch::Tensor& tensor,
                      const TorchZipOptions& options) {
    return detail::write_archive(path, {{std::string(), tensor}}, true, options);
}

}  // namespace engine::model
