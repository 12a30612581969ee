#pragma once
// Read-only POSIX memory mapping of a whole file, shared by every tensor read from it. Loaders
// copy each tensor out of the mapping, so the mapping only needs to live during the load.

#include "engine/core/result.h"

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

namespace engine::model::detail {

// A borrowed byte range; `label` names its origin (a path) for error messages.
struct ByteView {
    const std::uint8_t* data = nullptr;
    std::size_t size = 0;

    // True when [offset, offset + length) lies inside the view (overflow-safe).
    bool contains(std::uint64_t offset, std::uint64_t length) const {
        return offset <= size && length <= size - offset;
    }
};

class MappedFile {
  public:
    // Errors: FileNotFound, FileUnreadable (permissions, a directory, mmap failure), FileEmpty.
    static Result<std::shared_ptr<MappedFile>> open(const std::filesystem::path& path);
    ~MappedFile();
    MappedFile(const MappedFile&) = delete;
    MappedFile& operator=(const MappedFile&) = delete;

    ByteView bytes() const { return {m_data, m_size}; }
    const std::filesystem::path& path() const { return m_path; }

  private:
    MappedFile() = default;
    const std::uint8_t* m_data = nullptr;
    std::size_t m_size = 0;
    std::filesystem::path m_path;
};

// Little-endian readers; callers bounds-check first.
inline std::uint16_t read_u16_le(const std::uint8_t* p) {
    return static_cast<std::uint16_t>(p[0] | (p[1] << 8));
}
inline std::uint32_t read_u32_le(const std::uint8_t* p) {
    return static_cast<std::uint32_t>(p[0]) | (static_cast<std::uint32_t>(p[1]) << 8) |
           (static_cast<std::uint32_t>(p[2]) << 16) | (static_cast<std::uint32_t>(p[3]) << 24);
}
inline std::uint64_t read_u64_le(const std::uint8_t* p) {
    return static_cast<std::uint64_t>(read_u32_le(p)) |
           (static_cast<std::uint64_t>(read_u32_le(p + 4)) << 32);
}

}  // namespace engine::model::detail
