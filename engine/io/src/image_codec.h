#pragma once
// Still-image plumbing shared by the image sequence source and sink (internal to engine_io):
// whole-file reads with errno mapping, cheap structural checks that tell a truncated file from a
// corrupt one, decoding through libavcodec (PNG, JPEG, TIFF, DPX) or OpenEXR, and PNG encoding.
// Builds without FFmpeg decode DPX with our own reader (decode_dpx) and report PNG, JPEG and TIFF
// as UnsupportedFormat (src/without_ffmpeg.cpp); without OpenEXR, EXR likewise.

#include "engine/core/frame.h"
#include "engine/core/result.h"

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace engine::io::image {

enum class ImageFormat { PNG, JPEG, TIFF, DPX, EXR };

// By extension, case-insensitive: .png .jpg .jpeg .tif .tiff .dpx .exr.
std::optional<ImageFormat> format_from_extension(const std::filesystem::path& path);
// FFmpeg-style codec name: "png", "mjpeg", "tiff", "dpx", "exr".
std::string_view codec_name(ImageFormat format);

// Reads a whole file. FileNotFound, FileUnreadable (permission, I/O error, a directory),
// FileEmpty; context "path".
Result<std::vector<std::uint8_t>> read_file(const std::filesystem::path& path);

// Structure of a file held in memory: FileCorrupt when it is not this format or a checksum or
// length field is wrong, FileTruncated when it ends early. Context "path".
Status check_structure(ImageFormat format,
                       const std::vector<std::uint8_t>& bytes,
                       const std::filesystem::path& path);

struct DecodedImage {
    Frame frame;               // RGB, in the requested sample type
    int bit_depth = 8;         // significant bits of the file's samples (32 for float EXR)
    std::string pixel_format;  // FFmpeg pixel format name, or "rgbf16"/"rgbf32" for EXR
    ColorInfo color;
};

// Sample type a sequence delivers for `preferred` and a first frame of `bit_depth` bits:
// EXR -> F32 always; otherwise F32 / U8 when asked, and for U16: U8 up to 8 bits, else U16.
SampleType output_type(ImageFormat format, SampleType preferred, int bit_depth);

// Decodes (after check_structure) into `type`. Integer sources are rescaled from their own
// full scale (2^bits - 1) with rounding; F32 output is value / (2^bits - 1). Alpha is dropped,
// grey is expanded. Errors: as check_structure, plus UnsupportedPixelFormat / UnsupportedFormat,
// FileCorrupt when the decoder rejects the data.
Result<DecodedImage> decode(ImageFormat format,
                            const std::vector<std::uint8_t>& bytes,
                            const std::filesystem::path& path,
                            SampleType type);

// The non-EXR part of decode() after the structure check: libavcodec when the build has FFmpeg
// (image_codec_ffmpeg.cpp); otherwise our DPX decoder, and UnsupportedFormat with context
// path, format and missing_library=FFmpeg for PNG, JPEG and TIFF (without_ffmpeg.cpp).
Result<DecodedImage> decode_raster(ImageFormat format,
                                   const std::vector<std::uint8_t>& bytes,
                                   const std::filesystem::path& path,
                                   SampleType type);

// PNG through libavcodec: 8-bit (RGB24) or 16-bit (RGB48BE) from any frame type (rescaled with
// rounding, F32 clamped to [0, 1]); colour tags from `color`. EncodeFailed / InvalidArgument;
// UnsupportedFormat (missing_library=FFmpeg) in builds without FFmpeg.
Result<std::vector<std::uint8_t>> encode_png(const Frame& frame,
                                             int bit_depth,
                                             const ColorInfo& color);

// Cheap on-disk completeness test for resumable output: the file parses far enough to show all
// of its data is present (PNG: chunk chain to IEND; DPX: header and data length; EXR: offset
// table complete) and its size is width x height (when both > 0). Reads headers only.
bool file_looks_complete(ImageFormat format,
                         const std::filesystem::path& path,
                         int width,
                         int height);

}  // namespace engine::io::image
