#pragma once
// The ZIP subset torch.save writes: stored (uncompressed) entries, optional data descriptors
// (flag bit 3: sizes live in the central directory), zip64 records for large archives. Reading
// works on a mapped byte range and validates every offset; writing streams through FileWriter.

#include "checkpoint/file_writer.h"
#include "checkpoint/mapped_file.h"
#include "engine/core/result.h"

#include <cstdint>
#include <string>
#include <vector>

namespace engine::model::detail {

struct ZipEntry {
    std::string name;
    std::uint16_t method = 0;  // 0 = stored; anything else is refused when the entry is read
    std::uint16_t flags = 0;
    std::uint32_t crc32 = 0;
    std::uint64_t size_bytes = 0;   // uncompressed
    std::uint64_t data_offset = 0;  // from the start of the archive; checked to lie inside it
};

// Errors: FileTruncated (no end record, data past the end), ModelDamaged (inconsistent records).
Result<std::vector<ZipEntry>> read_zip_directory(ByteView bytes, const std::string& label);

// Appends entries one by one; data of each entry starts at a multiple of `alignment` bytes (torch
// aligns storages to 64 so they can be memory-mapped). finish() writes the central directory.
class ZipWriter {
  public:
    ZipWriter(FileWriter& out, std::uint32_t alignment, bool force_zip64)
        : m_out(out), m_alignment(alignment), m_force_zip64(force_zip64) {}
    void add(const std::string& name, const void* data, std::uint64_t size_bytes);
    void finish();

  private:
    struct Written {
        std::string name;
        std::uint32_t crc32;
        std::uint64_t size_bytes;
        std::uint64_t header_offset;
    };
    FileWriter& m_out;
    std::uint32_t m_alignment;
    bool m_force_zip64;
    std::vector<Written> m_entries;
};

}  // namespace engine::model::detail
