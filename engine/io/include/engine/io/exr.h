#pragma once
// OpenEXR still images (OpenEXR 3), in memory so that file I/O and its error codes stay in one
// place (the image sequence code writes bytes atomically and reads whole files).
//
// Untrusted files: the header is parsed by OpenEXR's Core C library under a memory budget derived
// from the header's size, and the chunk table is checked against the file, before anything is
// decoded; OpenEXR's C++ API then decodes the chunks behind a header written from the checked
// values, never the file's own (whose declared sizes it would allocate). A damaged file costs
// at most about its own size plus the decoded image in memory (src/exr_layout.h).
//
// Reading: scanline or tiled, single-part files with R, G, B channels (A and any other channel
// ignored) or a luminance-only Y channel (expanded to grey RGB). HALF, FLOAT and UINT channels are
// converted to float exactly (half -> float is exact). The result is an F32 frame of the data
// window's size holding linear values unchanged (may exceed 1 or be negative); bit_depth 16 for
// half data, 32 otherwise.
// Writing: R, G, B as HALF (bit_depth 16) or FLOAT (32), compression PIZ/ZIP/DWAA/none, a
// chromaticities attribute for BT.709 or BT.2020 primaries and framesPerSecond when known.
// Float -> half rounds to nearest even (Imath); values beyond the half range become infinity.
//
// Threads: stateless; callers may decode different files concurrently.

#include "engine/core/frame.h"
#include "engine/core/result.h"
#include "engine/io/media.h"

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <vector>

namespace engine::io {

struct ExrWriteOptions {
    int bit_depth = 16;  // 16 = half, 32 = float
    ExrCompression compression = ExrCompression::ZIP;
    ColorInfo color;      // primaries 1 / 9 -> chromaticities attribute
    Rational frame_rate;  // framesPerSecond when valid
    // OpenEXR worker threads for compression; 0 = none (caller's thread). > 0 grows OpenEXR's
    // process-wide thread pool to at least this size (it is never shrunk).
    int threads = 0;
};

// Encodes an RGB frame (any type; integer frames are normalised to 0..1) into EXR file bytes.
// InvalidArgument for a bad bit depth or an empty frame; EncodeFailed if OpenEXR throws.
Result<std::vector<std::uint8_t>> encode_exr(const Frame& frame, const ExrWriteOptions& options);

struct ExrInfo {
    int width = 0;
    int height = 0;
    int bit_depth = 16;           // 16 if every used channel is HALF, else 32
    bool luminance_only = false;  // Y channel expanded to RGB
    bool has_alpha = false;       // present and ignored
    bool complete = false;        // every chunk listed, inside the file, leader consistent
    ColorInfo color;              // transfer 8 (linear); primaries from chromaticities if known
};

// Reads only the header and the chunk offset table of an EXR file held in memory.
// Errors (context "path"): FileTruncated (ends inside the header or the chunk table),
// FileCorrupt (not EXR, a malformed header, a header needing more memory than its size
// justifies, an implausible data window), UnsupportedFormat (multi-part or deep data),
// UnsupportedPixelFormat (no R/G/B or Y channel, or a subsampled one).
Result<ExrInfo> inspect_exr(const std::uint8_t* data,
                            std::size_t size,
                            const std::filesystem::path& path);
// The same for a file on disk without reading the pixel data (used to detect complete frames):
// reads the header, the chunk table and each chunk's leader. Also FileNotFound/FileUnreadable.
Result<ExrInfo> inspect_exr_file(const std::filesystem::path& path);

// Decodes an EXR file held in memory into an F32 frame. Errors as inspect_exr, plus
// FileTruncated for missing chunks, FileCorrupt for a damaged chunk table or chunks that fail to
// decompress, UnsupportedFormat for chunks far larger than the image (hundreds of channels).
// `threads` as ExrWriteOptions::threads, for decompression.
Result<Frame> decode_exr(const std::uint8_t* data,
                         std::size_t size,
                         const std::filesystem::path& path,
                         ExrInfo* info = nullptr,
                         int threads = 0);

}  // namespace engine::io
