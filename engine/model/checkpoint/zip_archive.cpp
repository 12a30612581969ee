#include "checkpoint/zip_archive.h"

#include "checkpoint/hashes.h"

#include <algorithm>

namespace engine::model::detail {
namespace {

constexpr std::uint32_t kLocalHeaderSignature = 0x04034b50;
constexpr std::uint32_t kCentralHeaderSignature = 0x02014b50;
constexpr std::uint32_t kEndSignature = 0x06054b50;
constexpr std::uint32_t kZip64EndSignature = 0x06064b50;
constexpr std::uint32_t kZip64LocatorSignature = 0x07064b50;
constexpr std::uint16_t kZip64ExtraId = 0x0001;
constexpr std::size_t kEndRecordBytes = 22;
constexpr std::size_t kMaxEntries = 1u << 20;

Error damaged(const std::string& label, const std::string& what) {
    return Error(ErrorCode::ModelDamaged, "bad zip structure in " + label + ": " + what)
        .with("path", label);
}

Error truncated(const std::string& label, const std::string& what) {
    return Error(ErrorCode::FileTruncated, label + " is truncated: " + what).with("path", label);
}

void put_u16(std::vector<std::uint8_t>& out, std::uint64_t v) {
    out.push_back(static_cast<std::uint8_t>(v));
    out.push_back(static_cast<std::uint8_t>(v >> 8));
}
void put_u32(std::vector<std::uint8_t>& out, std::uint64_t v) {
    put_u16(out, v);
    put_u16(out, v >> 16);
}
void put_u64(std::vector<std::uint8_t>& out, std::uint64_t v) {
    put_u32(out, v);
    put_u32(out, v >> 32);
}

}  // namespace

Result<std::vector<ZipEntry>> read_zip_directory(ByteView bytes, const std::string& label) {
    if (bytes.size < kEndRecordBytes) {
        return truncated(label, "too short for a zip archive");
    }
    // The end record sits in the last 22 + up to 65535 (comment) bytes; search backwards.
    std::size_t end_pos = bytes.size;
    const std::size_t lowest =
        bytes.size > kEndRecordBytes + 65535 ? bytes.size - kEndRecordBytes - 65535 : 0;
    for (std::size_t pos = bytes.size - kEndRecordBytes + 1; pos-- > lowest;) {
        if (read_u32_le(bytes.data + pos) == kEndSignature) {
            end_pos = pos;
            break;
        }
    }
    if (end_pos == bytes.size) {
        return truncated(label, "the zip end record is missing");
    }
    const std::uint8_t* end = bytes.data + end_pos;
    std::uint64_t entry_count = read_u16_le(end + 10);
    std::uint64_t directory_bytes = read_u32_le(end + 12);
    std::uint64_t directory_offset = read_u32_le(end + 16);
    if (entry_count == 0xFFFF || directory_bytes == 0xFFFFFFFF || directory_offset == 0xFFFFFFFF) {
        // Zip64: a locator right before the end record points at the zip64 end record.
        if (end_pos < 20 || read_u32_le(end - 20) != kZip64LocatorSignature) {
            return damaged(label, "zip64 locator missing");
        }
        const std::uint64_t record_offset = read_u64_le(end - 20 + 8);
        if (!bytes.contains(record_offset, 56) ||
            read_u32_le(bytes.data + record_offset) != kZip64EndSignature) {
            return damaged(label, "zip64 end record missing");
        }
        const std::uint8_t* record = bytes.data + record_offset;
        entry_count = read_u64_le(record + 32);
        directory_bytes = read_u64_le(record + 40);
        directory_offset = read_u64_le(record + 48);
    }
    if (!bytes.contains(directory_offset, directory_bytes)) {
        return truncated(label, "the central directory lies past the end of the file");
    }
    if (entry_count > kMaxEntries || entry_count > directory_bytes / 46) {
        return damaged(label, "implausible entry count " + std::to_string(entry_count));
    }

    std::vector<ZipEntry> entries;
    entries.reserve(static_cast<std::size_t>(entry_count));
    std::uint64_t pos = directory_offset;
    const std::uint64_t directory_end = directory_offset + directory_bytes;
    for (std::uint64_t i = 0; i < entry_count; ++i) {
        if (pos + 46 > directory_end || read_u32_le(bytes.data + pos) != kCentralHeaderSignature) {
            return damaged(label, "central directory entry " + std::to_string(i) + " is corrupt");
        }
        const std::uint8_t* h = bytes.data + pos;
        ZipEntry entry;
        entry.flags = read_u16_le(h + 8);
        entry.method = read_u16_le(h + 10);
        entry.crc32 = read_u32_le(h + 16);
        std::uint64_t compressed = read_u32_le(h + 20);
        std::uint64_t size = read_u32_le(h + 24);
        const std::uint16_t name_bytes = read_u16_le(h + 28);
        const std::uint16_t extra_bytes = read_u16_le(h + 30);
        const std::uint16_t comment_bytes = read_u16_le(h + 32);
        std::uint64_t header_offset = read_u32_le(h + 42);
        const std::uint64_t record_bytes = 46ull + name_bytes + extra_bytes + comment_bytes;
        if (pos + record_bytes > directory_end) {
            return damaged(label, "central directory entry " + std::to_string(i) + " overflows");
        }
        entry.name.assign(reinterpret_cast<const char*>(h + 46), name_bytes);
        // Zip64 extra field: the 64-bit values, in this order, of the fields that are 0xFFFFFFFF.
        const std::uint8_t* extra = h + 46 + name_bytes;
        for (std::size_t x = 0; x + 4 <= extra_bytes;) {
            const std::uint16_t id = read_u16_le(extra + x);
            const std::uint16_t length = read_u16_le(extra + x + 2);
            if (x + 4 + length > extra_bytes) {
                return damaged(label, "extra field of '" + entry.name + "' overflows");
            }
            if (id == kZip64ExtraId) {
                const std::uint8_t* field = extra + x + 4;
                std::size_t used = 0;
                auto take = [&](std::uint64_t& value) {
                    if (value != 0xFFFFFFFF) {
                        return true;
                    }
                    if (used + 8 > length) {
                        return false;
                    }
                    value = read_u64_le(field + used);
                    used += 8;
                    return true;
                };
                if (!take(size) || !take(compressed) || !take(header_offset)) {
                    return damaged(label, "zip64 field of '" + entry.name + "' is short");
                }
            }
            x += 4 + length;
        }
        if (entry.method == 0 && compressed != size) {
            return damaged(label, "stored entry '" + entry.name + "' has two sizes");
        }
        // The local header repeats name and extra field with possibly different lengths.
        if (!bytes.contains(header_offset, 30)) {
            return truncated(label, "entry '" + entry.name + "' starts past the end");
        }
        const std::uint8_t* local = bytes.data + header_offset;
        if (read_u32_le(local) != kLocalHeaderSignature) {
            return damaged(label, "local header of '" + entry.name + "' is missing");
        }
        entry.data_offset = header_offset + 30 + read_u16_le(local + 26) + read_u16_le(local + 28);
        entry.size_bytes = size;
        if (!bytes.contains(entry.data_offset, compressed)) {
            return truncated(label, "data of '" + entry.name + "' runs past the end of the file");
        }
        entries.push_back(std::move(entry));
        pos += record_bytes;
    }
    return entries;
}

void ZipWriter::add(const std::string& name, const void* data, std::uint64_t size_bytes) {
    const bool zip64 = m_force_zip64 || size_bytes >= 0xFFFFFFFF || m_out.position() >= 0xFFFFFFFF;
    const std::uint32_t crc = crc32_update(0, data, static_cast<std::size_t>(size_bytes));
    const std::uint64_t header_offset = m_out.position();
    std::vector<std::uint8_t> header;
    put_u32(header, kLocalHeaderSignature);
    put_u16(header, zip64 ? 45 : 20);  // version needed
    put_u16(header, 1u << 11);         // UTF-8 names
    put_u16(header, 0);                // stored
    put_u16(header, 0);                // time
    put_u16(header, 0x21);             // date 1980-01-01
    put_u32(header, crc);
    put_u32(header, zip64 ? 0xFFFFFFFF : size_bytes);
    put_u32(header, zip64 ? 0xFFFFFFFF : size_bytes);
    put_u16(header, name.size());
    const std::size_t fixed = 30 + name.size() + (zip64 ? 20 : 0);
    // Padding extra field (id "FB", as torch writes) so the data starts aligned.
    std::size_t pad = (m_alignment - (header_offset + fixed + 4) % m_alignment) % m_alignment;
    put_u16(header, (zip64 ? 20 : 0) + 4 + pad);
    header.insert(header.end(), name.begin(), name.end());
    if (zip64) {
        put_u16(header, kZip64ExtraId);
        put_u16(header, 16);
        put_u64(header, size_bytes);
        put_u64(header, size_bytes);
    }
    put_u16(header, 0x4246);
    put_u16(header, pad);
    header.resize(header.size() + pad, 'Z');
    m_out.write(header.data(), header.size());
    m_out.write(data, static_cast<std::size_t>(size_bytes));
    m_entries.push_back({name, crc, size_bytes, header_offset});
}

void ZipWriter::finish() {
    const std::uint64_t directory_offset = m_out.position();
    std::vector<std::uint8_t> directory;
    for (const Written& e : m_entries) {
        const bool zip64 =
            m_force_zip64 || e.size_bytes >= 0xFFFFFFFF || e.header_offset >= 0xFFFFFFFF;
        put_u32(directory, kCentralHeaderSignature);
        put_u16(directory, zip64 ? 45 : 20);  // version made by
        put_u16(directory, zip64 ? 45 : 20);  // version needed
        put_u16(directory, 1u << 11);
        put_u16(directory, 0);
        put_u16(directory, 0);
        put_u16(directory, 0x21);
        put_u32(directory, e.crc32);
        put_u32(directory, zip64 ? 0xFFFFFFFF : e.size_bytes);
        put_u32(directory, zip64 ? 0xFFFFFFFF : e.size_bytes);
        put_u16(directory, e.name.size());
        put_u16(directory, zip64 ? 28 : 0);
        put_u16(directory, 0);  // comment
        put_u16(directory, 0);  // disk
        put_u16(directory, 0);  // internal attributes
        put_u32(directory, 0);  // external attributes
        put_u32(directory, zip64 ? 0xFFFFFFFF : e.header_offset);
        directory.insert(directory.end(), e.name.begin(), e.name.end());
        if (zip64) {
            put_u16(directory, kZip64ExtraId);
            put_u16(directory, 24);
            put_u64(directory, e.size_bytes);
            put_u64(directory, e.size_bytes);
            put_u64(directory, e.header_offset);
        }
    }
    const std::uint64_t directory_bytes = directory.size();
    const bool zip64_end =
        m_force_zip64 || m_entries.size() >= 0xFFFF || directory_offset >= 0xFFFFFFFF;
    if (zip64_end) {
        const std::uint64_t record_offset = directory_offset + directory_bytes;
        put_u32(directory, kZip64EndSignature);
        put_u64(directory, 44);  // size of the rest of this record
        put_u16(directory, 45);
        put_u16(directory, 45);
        put_u32(directory, 0);
        put_u32(directory, 0);
        put_u64(directory, m_entries.size());
        put_u64(directory, m_entries.size());
        put_u64(directory, directory_bytes);
        put_u64(directory, directory_offset);
        put_u32(directory, kZip64LocatorSignature);
        put_u32(directory, 0);
        put_u64(directory, record_offset);
        put_u32(directory, 1);
    }
    put_u32(directory, kEndSignature);
    put_u16(directory, 0);
    put_u16(directory, 0);
    put_u16(directory, zip64_end ? 0xFFFF : m_entries.size());
    put_u16(directory, zip64_end ? 0xFFFF : m_entries.size());
    put_u32(directory, zip64_end ? 0xFFFFFFFF : directory_bytes);
    put_u32(directory, zip64_end ? 0xFFFFFFFF : directory_offset);
    put_u16(directory, 0);
    m_out.write(directory.data(), directory.size());
}

}  // namespace engine::model::detail
