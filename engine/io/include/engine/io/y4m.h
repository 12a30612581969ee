#pragma once
// YUV4MPEG2 (.y4m) video, read and written by our own code: no FFmpeg, no torch, so every build
// has one video format that `ffmpeg -f yuv4mpegpipe` and most video tools speak, through files
// or pipes ("-" = stdin / stdout).
//
// Stream: a "YUV4MPEG2 W<w> H<h> F<num>:<den> I<p|t|b|?> A<n>:<d> C<colorspace> X<...>" line,
// then per frame "FRAME[ params]\n" and the raw planes Y, Cb, Cr (and A for 444alpha), samples
// of more than 8 bits as 16-bit little-endian words.
//
// Reading (open_y4m_source):
//  - Colour spaces: 420jpeg / 420paldv / 420mpeg2 / 420 (no C parameter: 420jpeg), 411, 422,
//    444, 444alpha (alpha ignored), mono, and the deep ones 420p/422p/444p with 9, 10, 12, 14,
//    16 bits, mono9 / mono10 / mono12 / mono16, as FFmpeg names them.
//  - Range: XCOLORRANGE=FULL|LIMITED (FFmpeg's tag), limited when absent. Matrix: our own tag
//    XFVSR_MATRIX=BT601|BT709|BT2020 when present, else as video_file.h decides for untagged
//    video: BT.709 from 1280x720 up, BT.601 below. Chroma is upsampled bilinearly (centred).
//    XFVSR_MATRIX=RGB (4:4:4 only, else UnsupportedPixelFormat): the planes hold G, B, R as
//    full-range codes, read without a matrix (pixel_format "gbrp", "gbrp16le", ...).
//  - Frames are RGB: U8 for 8-bit streams, U16 (65535 full scale) for deeper ones when
//    preferred_type is U16, U8 / F32 when asked. pts = index, time_base = 1 / frame rate;
//    F0:0 or no F parameter takes SourceOptions.sequence_fps. Interlaced streams are read as
//    frames (nothing is deinterlaced); mixed ("Im") is UnsupportedFormat.
//  - A file is scanned once at open (one small read per frame header, no pixel data), so
//    VideoInfo.frame_count is exact, a cut-off last frame is FileTruncated (context frames =
//    complete ones) and first_frame seeks directly. stdin ("-") is read once, in order:
//    frame_count -1, first_frame skips by reading; a stream cut mid-frame ends next() with
//    FileTruncated. stdin can back one source per process.
//  - VideoInfo: container "yuv4mpegpipe", codec_name "rawvideo", pixel_format FFmpeg's name
//    ("yuv420p", "yuv444p10le", "gray16le", ...), bit_depth, color (matrix and range used,
//    primaries/transfer unspecified), no other streams.
//  - Errors, context "path": FileNotFound, FileUnreadable, FileEmpty, FileCorrupt (no
//    "YUV4MPEG2 " signature, a bad or missing W/H, a line too long, a frame header that is not
//    "FRAME"; context reason), FileTruncated, UnsupportedPixelFormat (unknown C, context
//    colorspace), UnsupportedFormat (mixed interlacing), ZeroFrames (a file without frames).
//
// Writing (open_y4m_sink): chosen by open_sink for mode Video when the output ends in .y4m
// (any case), is "-" or SinkOptions.container is "y4m".
//  - Layout from the codec it would have been, as video_file.h: 4:2:0 for H.264/H.265/AV1,
//    4:2:2 for ProRes 422 HQ, 4:4:4 for ProRes 4444 and FFV1. bit_depth 8, 10, 12 or 16
//    (InvalidArgument otherwise). Limited range; matrix from SinkOptions.color.matrix when it
//    is BT.601 (5, 6), BT.709 (1) or BT.2020 (9, 10), else the size rule above; both written as
//    tags (XCOLORRANGE, XFVSR_MATRIX) so our reader inverts exactly what was applied. Chroma is
//    the box average of each subsampled block. FFV1 with SinkOptions.color.matrix 0 (RGB)
//    writes the RGB form above instead, lossless for U8 frames at 8 bits and U16 frames at 16
//    bits, like FFV1's RGB (other tools would take those planes for YUV: it is meant for our own
//    intermediate files). The quality, CRF and encoder settings have no meaning for
//    uncompressed video and are ignored; passthrough streams cannot be held (a note).
//  - A file is written to engine::partial_path_for(output) and renamed by finish() after
//    fsync; abort() and the destructor delete it. OutputExists unless overwrite. stdout ("-")
//    is written directly. finish() checks expected_frames (OutputVerificationFailed).
//  - Errors: InvalidArgument (size, depth, a frame of another size), OutputExists,
//    OutputNotWritable, DiskFull; context "path".
//
// Threads: one thread at a time per object; separate objects are independent.

#include "engine/io/media.h"

#include <filesystem>
#include <memory>

namespace engine::io {

// True for "-" and for names ending in .y4m (any case).
bool is_y4m_path(const std::filesystem::path& path);

Result<std::unique_ptr<FrameSource>> open_y4m_source(const SourceOptions& options);
Result<std::unique_ptr<FrameSink>> open_y4m_sink(const SinkOptions& options);

}  // namespace engine::io
