#pragma once
// Image sequences: input from a folder (sorted by the number in each name) or a printf pattern,
// output as zero-padded numbered files, each written to a temporary name then renamed, so a
// sequence is resumable by construction (frames already present can be skipped).
// Formats: read PNG 8/16, JPEG, TIFF, DPX 10/12/16, OpenEXR half/float; write PNG 8/16,
// DPX 10/16 (our own writer), OpenEXR half/float (PIZ, ZIP, DWAA).
//
// Input (open_image_sequence_source):
//  - SourceOptions.input is a folder, a printf pattern ("shots/a_%06d.exr", "%d" or "%0Nd",
//    "%%" for a literal percent sign) or one still image file (a sequence of one frame).
//  - Folder: regular files (or links to them) whose extension is .png .jpg .jpeg .tif .tiff .dpx
//    .exr (any case); hidden files (leading '.', e.g. our own partial files) are skipped. Sorted
//    by the last run of digits in the file stem compared as a number ("frame2" before
//    "frame10"; names without digits first), then by the whole name. All files must share one
//    format (.jpg/.jpeg and .tif/.tiff count as one); mixed formats are UnsupportedFormat with
//    context reason=mixed_formats.
//  - Pattern: every file of the pattern's folder whose name the pattern produces for some
//    number ("%06d" also matches 7+ digit numbers without leading zeros, as printf prints them),
//    sorted by that number. Gaps are allowed.
//  - VideoInfo: container "image2", codec_name "png" / "mjpeg" / "tiff" / "dpx" / "exr",
//    pixel_format of the first file (FFmpeg's name; "rgbf16"/"rgbf32" for EXR), bit_depth of the
//    first file, frame_rate = sequence_fps, time_base = 1/fps, frame_count = files in the whole
//    sequence (independent of first_frame/max_frames, like video sources), frame_count_exact.
//  - Frames: pts = index = position in the whole sequence (first_frame counts). Sample type as
//    video sources: U8 for sources of <= 8 bits and U16 for deeper ones when preferred_type is
//    U16; U8 or F32 when preferred_type says so; EXR always F32 with linear values unchanged.
//    Alpha is dropped, grey expanded to RGB. first_frame beyond the end yields no frames.
//  - Errors, context "path" (the file or folder): FileNotFound (missing folder/file/pattern
//    folder), ZeroFrames (no image in the folder or no file for the pattern), FileEmpty,
//    FileTruncated, FileCorrupt, FileUnreadable, UnsupportedFormat, UnsupportedPixelFormat; a
//    frame whose size differs from the first is UnsupportedFormat with reason=size_mismatch and
//    expected_/actual_width/height. A bad file in the middle is reported when next() reaches it.
//
// Output (open_image_sequence_sink), SinkOptions with mode Pictures:
//  - Naming: SinkOptions.output is a folder (created if missing, parents included) and frame k
//    is written as "<folder>/frame_<k zero-padded to name_digits>.<ext>" (frame_000000.png),
//    with k = Frame.index and ext png/dpx/exr from picture_format. Output may instead be a
//    printf pattern ("out/shot_%04d.dpx"), whose folder is created and whose digits replace
//    name_digits; its extension must match picture_format. Indices beyond the padding simply
//    print more digits. A plain file name with an image extension ("still.png") writes that one
//    file (single-image output, at most one frame).
//  - Every frame is encoded in memory, written to a hidden sibling ".<name>.partial-<pid><ext>",
//    fsynced and renamed over the final name (engine::write_file_atomically), so a final name
//    always holds a complete file. Stale partial files of dead processes are removed on open.
//  - Formats: PNG 8/16 (picture_bit_depth), DPX 10/16 (encode_dpx), EXR 16 = half, 32 = float
//    with exr_compression. Integer outputs from F32 frames are clamped to [0, 1].
//  - Existing frames (final names of this naming scheme): ExistingFrames::Refuse (the default
//    for overwrite=false) fails with OutputExists (context path, existing_frames); Replace (the
//    default for overwrite=true) overwrites them and, at finish(), deletes the ones this run did
//    not write; Resume keeps complete ones (see completed_image_sequence_frames) and counts them
//    towards expected_frames.
//  - finish(): with expected_frames >= 0, the frames written plus those kept by Resume must
//    number exactly expected_frames, else OutputVerificationFailed (context expected_frames,
//    frames, first_missing when the indices 0..expected-1 have a hole).
//  - abort(): stops accepting frames; complete frames stay (they are what a resume reuses).
//  - Errors: OutputNotWritable (cannot create the folder or a file in it), DiskFull (ENOSPC,
//    EDQUOT, EFBIG), OutputExists, InvalidArgument (bit depth / name_digits / size / index),
//    OutputVerificationFailed; context "path".
//
// Threads: a source or sink is used by one thread at a time; the free functions are thread-safe.

#include "engine/io/media.h"

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace engine::io {

// True when `input` is a folder, a printf pattern ("%06d"), or a single still image file.
bool is_image_sequence_input(const std::filesystem::path& input);

Result<std::unique_ptr<FrameSource>> open_image_sequence_source(const SourceOptions& options);
Result<std::unique_ptr<FrameSink>> open_image_sequence_sink(const SinkOptions& options);

// What a sink does with frames already present under its final names.
enum class ExistingFrames { Refuse, Replace, Resume };
Result<std::unique_ptr<FrameSink>> open_image_sequence_sink(const SinkOptions& options,
                                                            ExistingFrames existing);

// The files of an input sequence in playback order (folder, pattern or single file), with the
// errors of open_image_sequence_source that concern listing.
Result<std::vector<std::filesystem::path>> list_image_sequence(const std::filesystem::path& input);

// Extension (without dot) written for a picture format: "png", "dpx", "exr".
std::string picture_format_extension(PictureFormat format);

// Final path of output frame `index` under the sink's naming (no file system access).
// InvalidArgument for a negative index or an unusable output/pattern.
Result<std::filesystem::path> image_sequence_frame_path(const SinkOptions& options,
                                                        std::int64_t index);

// Indices (ascending) of frames already complete in the sink's output: files under the final
// naming whose headers show all their data present and whose size is options.width x height
// when those are > 0. A missing folder gives an empty list. Reads headers only, so it is cheap
// on large folders. InvalidArgument for unusable options.
Result<std::vector<std::int64_t>> completed_image_sequence_frames(const SinkOptions& options);

}  // namespace engine::io
