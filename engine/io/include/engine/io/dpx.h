#pragma once
// Our own DPX writer (SMPTE 268M v2.0 header, big-endian), the header checks the image sequence
// reader runs before decoding, and our own decoder (decode_dpx) for builds without FFmpeg.
//
// Written files: one image element, descriptor 50 (RGB), orientation left-to-right/top-to-bottom,
// no RLE, image data at offset 2048 (generic + industry headers, no user data).
//  - 10 bit: packing method A ("filled to 32-bit words", packing field 1): one pixel per 32-bit
//    word, R in bits 31..22, G in 21..12, B in 11..2, bits 1..0 zero.
//  - 16 bit: packing 0, R, G, B as big-endian 16-bit words.
// Reference low/high code values 0 / 2^bits - 1 (full range). Transfer characteristic and
// colorimetric specification come from ColorInfo (table in dpx_transfer_code()); undefined
// numeric fields hold all-ones as the standard asks, unused text fields are zero-filled.
//
// Threads: stateless functions; call from any thread.

#include "engine/core/frame.h"
#include "engine/core/result.h"

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace engine::io {

struct DpxWriteOptions {
    int bit_depth = 10;   // 10 or 16
    ColorInfo color;      // transfer/primaries tags (H.273 numbering)
    Rational frame_rate;  // written to the film and TV headers when valid
    std::string creator = "FlashVSR Studio";
    std::string source_name;  // file name field (informational), truncated to 99 bytes
};

// Encodes an RGB frame of any sample type: integer frames are rescaled from their full scale
// (U8 255, U16 65535) to 2^bits - 1 with rounding, F32 frames are clamped to [0, 1] first.
// InvalidArgument for another bit depth or an empty/inconsistent frame.
Result<std::vector<std::uint8_t>> encode_dpx(const Frame& frame, const DpxWriteOptions& options);

// What the generic and image headers say about the first image element.
struct DpxHeader {
    bool big_endian = true;
    std::uint32_t image_offset = 0;  // from the file header
    std::uint32_t file_size = 0;     // as declared
    int width = 0;
    int height = 0;
    int elements = 0;    // image elements in the file
    int descriptor = 0;  // 50 RGB, 51 RGBA, 6 luma, ...
    int transfer = 0;    // SMPTE 268M transfer characteristic code
    int colorimetric = 0;
    int bit_depth = 0;
    int packing = 0;
    int encoding = 0;             // 0 = none, 1 = RLE
    std::size_t image_bytes = 0;  // bytes of image data the element needs (libavcodec's rule)
};

// Parses and sanity-checks a DPX header held in memory. Errors (context "path"):
// FileCorrupt (not DPX, absurd sizes), FileTruncated (shorter than the header or than the image
// data it announces), UnsupportedFormat (RLE, a descriptor/depth libavcodec does not decode).
Result<DpxHeader> parse_dpx_header(const std::uint8_t* data,
                                   std::size_t size,
                                   const std::filesystem::path& path);

// Our own DPX decoder, the reader of builds without FFmpeg (builds with FFmpeg decode through
// libavcodec and use this only where asked). Decodes what parse_dpx_header accepts except: RGB,
// RGBA and luma elements (descriptors 50, 51, 6) of 8 bits, 10 bits filled to 32-bit words
// (packing 1, method A, or 2, method B; three samples per word, each row starting on a new
// word), 12 bits in 16-bit words (packing 1 or 2) and 16 bits, either byte order. Other
// layouts (ABGR, bit-packed 10/12-bit rows, 32-bit float) are UnsupportedFormat.
// Samples are read in the bit order libavcodec 5.1 uses, so both readers give the same codes.
// `type`: U8 and U16 rescale from 2^bits - 1 to their full scale with rounding, F32 is
// code / (2^bits - 1); alpha is dropped and luma expanded to grey RGB; Frame.bit_depth is the
// file's depth (at most 8 for U8). The header (parse_dpx_header's) is stored when `header` is
// given. Errors: those of parse_dpx_header, UnsupportedFormat; context "path".
Result<Frame> decode_dpx(const std::uint8_t* data,
                         std::size_t size,
                         const std::filesystem::path& path,
                         SampleType type,
                         DpxHeader* header = nullptr);

// SMPTE 268M transfer characteristic / colorimetric codes for a colour description, and back:
// linear 2, BT.709 6, BT.601 525 8 (625: 7 on read), unspecified video 4; and from SMPTE
// ST 268-2:2018 (the numbering of FFmpeg's dpx.h; FFmpeg 5.1's decoder maps only codes up to 12
// and reports newer ones as unknown, which is why the reader takes colour from our own header
// parse): BT.2020 14 (NCL; 15 CL on read), BT.2100 PQ 17 (18 PQ ICtCp on read), BT.2100 HLG 19
// (20 HLG ICtCp on read).
int dpx_transfer_code(const ColorInfo& color);
int dpx_colorimetric_code(const ColorInfo& color);
ColorInfo color_from_dpx(int transfer_code, int colorimetric_code);

}  // namespace engine::io
