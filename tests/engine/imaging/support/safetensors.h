#pragma once
// Test-only safetensors reader: 8-byte little-endian header length, a JSON header
// {name: {dtype, shape, data_offsets}}, then the raw little-endian tensor bytes. Enough to read
// golden fixtures without torch; the product's reader is engine/model/checkpoint.

#include <nlohmann/json.hpp>

#include <cstdint>
#include <cstring>
#include <fstream>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace test_support {

struct SafeTensor {
    std::string dtype;  // "F32", "F64", "U8", ...
    std::vector<std::int64_t> shape;
    std::vector<std::uint8_t> bytes;

    std::int64_t numel() const {
        std::int64_t n = 1;
        for (std::int64_t d : shape) {
            n *= d;
        }
        return n;
    }
    // Copies the payload out as T; throws when T's size does not match the dtype's.
    template <typename T>
    std::vector<T> as() const {
        if (bytes.size() != static_cast<std::size_t>(numel()) * sizeof(T)) {
            throw std::runtime_error("safetensors: element size mismatch for dtype " + dtype);
        }
        std::vector<T> out(static_cast<std::size_t>(numel()));
        std::memcpy(out.data(), bytes.data(), bytes.size());
        return out;
    }
};

// Throws std::runtime_error on a malformed file.
inline std::map<std::string, SafeTensor> read_safetensors(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        throw std::runtime_error("cannot open " + path);
    }
    unsigned char length_bytes[8];
    in.read(reinterpret_cast<char*>(length_bytes), 8);
    if (!in) {
        throw std::runtime_error("truncated header length in " + path);
    }
    std::uint64_t header_length = 0;
    for (int i = 7; i >= 0; --i) {
        header_length = (header_length << 8) | length_bytes[i];
    }
    std::string header(header_length, '\0');
    in.read(header.data(), static_cast<std::streamsize>(header_length));
    if (!in) {
        throw std::runtime_error("truncated header in " + path);
    }
    const nlohmann::json json = nlohmann::json::parse(header);
    const std::uint64_t data_start = 8 + header_length;
    std::map<std::string, SafeTensor> tensors;
    for (const auto& [name, entry] : json.items()) {
        if (name == "__metadata__") {
            continue;
        }
        SafeTensor t;
        t.dtype = entry.at("dtype").get<std::string>();
        t.shape = entry.at("shape").get<std::vector<std::int64_t>>();
        const auto offsets = entry.at("data_offsets").get<std::vector<std::uint64_t>>();
        if (offsets.size() != 2 || offsets[1] < offsets[0]) {
            throw std::runtime_error("bad data_offsets for " + name);
        }
        t.bytes.resize(offsets[1] - offsets[0]);
        in.seekg(static_cast<std::streamoff>(data_start + offsets[0]));
        in.read(reinterpret_cast<char*>(t.bytes.data()),
                static_cast<std::streamsize>(t.bytes.size()));
        if (!in) {
            throw std::runtime_error("truncated data for " + name);
        }
        tensors.emplace(name, std::move(t));
    }
    return tensors;
}

}  // namespace test_support
