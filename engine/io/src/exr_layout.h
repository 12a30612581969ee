#pragma once
// Internal to engine_io: the layout of a single-part EXR file (header values, chunk offset table,
// which chunks are present), read without letting the file choose how much memory is allocated.
//
// Why: OpenEXR's C++ API (Imf) allocates an attribute's declared size before reading it, so a
// few damaged header bytes make it allocate gigabytes. Here the header is parsed by OpenEXR's
// Core C library with an allocator that refuses more than a budget derived from the header's
// size, and the chunk table is checked against the file. The decoder (exr.cpp) then hands Imf a
// header it wrote itself from these values (never the file's own header) followed by the file's
// chunks, so Imf's allocations are bounded by the image and chunk sizes checked here.
//
// Threads: stateless; different files may be read concurrently (the budget is per call).

#include "engine/core/result.h"

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace engine::io::exr_detail {

// Random access to the bytes of one file. read() copies `bytes` bytes at `offset` into `out`
// and returns false (copying nothing useful) if they are not all inside the file.
class ByteSource {
  public:
    virtual ~ByteSource() = default;
    virtual std::uint64_t size() const = 0;
    virtual bool read(std::uint64_t offset, void* out, std::size_t bytes) const = 0;
};

// A file held in memory; `data` must outlive the source.
class MemoryByteSource final : public ByteSource {
  public:
    MemoryByteSource(const std::uint8_t* data, std::size_t size) : m_data(data), m_size(size) {}
    std::uint64_t size() const override { return m_size; }
    bool read(std::uint64_t offset, void* out, std::size_t bytes) const override;

  private:
    const std::uint8_t* m_data;
    std::uint64_t m_size;
};

// A file on disk, read on demand (only the header and the chunk leaders are read). Not
// thread-safe: one reader at a time.
class FileByteSource final : public ByteSource {
  public:
    // Errors: FileNotFound, FileUnreadable (context "path").
    static Result<std::unique_ptr<FileByteSource>> open(const std::filesystem::path& path);
    std::uint64_t size() const override { return m_size; }
    bool read(std::uint64_t offset, void* out, std::size_t bytes) const override;

  private:
    FileByteSource() = default;
    mutable std::ifstream m_file;
    std::uint64_t m_size = 0;
};

enum class PixelType { UInt = 0, Half = 1, Float = 2 };  // OpenEXR's numbering

struct ExrChannel {
    std::string name;
    PixelType type = PixelType::Half;
    bool perceptually_linear = false;
    int x_sampling = 1;
    int y_sampling = 1;
};

struct ExrBox {
    int min_x = 0;
    int min_y = 0;
    int max_x = -1;
    int max_y = -1;
};

struct ExrChromaticities {
    float red_x, red_y, green_x, green_y, blue_x, blue_y, white_x, white_y;
};

enum class ChunkState {
    Present,  // every chunk's offset, leader and data lie inside the file
    Missing,  // a chunk is not written (offset 0) or ends past the end of the file
    Corrupt,  // an offset points into the header or a chunk leader contradicts the header
};

struct ExrLayout {
    bool tiled = false;
    ExrBox data_window;
    ExrBox display_window;
    float pixel_aspect_ratio = 1.0f;
    float screen_window_center_x = 0.0f;
    float screen_window_center_y = 0.0f;
    float screen_window_width = 1.0f;
    int compression = 0;  // OpenEXR's numbering (0 none ... 9 DWAB)
    int line_order = 0;   // 0 increasing y, 1 decreasing, 2 random
    // Tiled files only (OpenEXR's numbering for the modes).
    std::uint32_t tile_width = 0;
    std::uint32_t tile_height = 0;
    int tile_level_mode = 0;
    int tile_rounding_mode = 0;
    std::vector<ExrChannel> channels;  // sorted by name, as in the file
    std::optional<ExrChromaticities> chromaticities;

    std::uint64_t chunk_table_offset = 0;      // end of the header = start of the offset table
    std::vector<std::uint64_t> chunk_offsets;  // file offsets of the chunks' leaders
    // The largest decoded chunk (every channel), in bytes: what a decoder allocates per chunk.
    std::uint64_t chunk_unpacked_bytes = 0;
    ChunkState chunks = ChunkState::Present;
    std::string chunk_problem;  // what made `chunks` Missing or Corrupt, for error details

    std::uint64_t chunk_table_end() const { return chunk_table_offset + 8 * chunk_offsets.size(); }
};

// Reads the header and the chunk table. Errors (context "path"): FileTruncated (the header or
// the table ends past the end of the file), FileCorrupt (not EXR, a malformed header, or one
// whose parsing needs more memory than its size can justify), UnsupportedFormat (multi-part or
// deep data). Chunks that are missing or damaged are reported in `chunks`, not as errors.
Result<ExrLayout> read_exr_layout(const ByteSource& source, const std::filesystem::path& path);

}  // namespace engine::io::exr_detail
