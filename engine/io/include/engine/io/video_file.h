#pragma once
// Video files through FFmpeg: any container/codec FFmpeg reads; encoding to H.264, H.265, AV1,
// ProRes and FFV1 with bit-exact passthrough of the source's other streams.
//
// Source (open_video_source):
//  - Opening checks the container for truncation, counts the video frames exactly with one
//    demux-only pass (no decoding; one int64 of memory per frame for the timestamps) and decodes
//    the first frame. VideoInfo.frame_count is the number of frames of the whole stream,
//    independent of first_frame/max_frames; if decoding later finds fewer (packets that decode to
//    nothing), info().frame_count is corrected when the end is reached.
//  - Frames are RGB: U8 for sources of 8 bits or fewer, U16 (65535 full scale) for deeper ones
//    when preferred_type is U16; always U8 / always F32 when preferred_type says so.
//    Frame.bit_depth is the source's significant bits (8 at most for U8 output).
//  - YUV is converted with the stream's matrix and range (untagged: BT.709 from 1280x720 up,
//    BT.601 below; limited range except yuvj* and grey). The display matrix (rotation, flips) is
//    applied to the pixels; width/height in VideoInfo are the displayed ones.
//  - Frame.pts is the decoder's best-effort timestamp in VideoInfo.time_base (VFR preserved);
//    Frame.index is the frame's position in presentation order within the whole stream.
//  - first_frame seeks to the key frame before it and decodes forward (frame-accurate).
//  - Errors: FileNotFound, FileEmpty, FileTruncated, FileCorrupt, FileUnreadable,
//    UnsupportedFormat, UnsupportedPixelFormat, NoVideoStream, ZeroFrames; context "path".
//
// Sink (open_video_sink):
//  - Container from SinkOptions.container, else the extension, else Matroska ("out" -> mkv).
//  - Encoders: h264/hevc/av1_nvenc first when hardware_encoder and present and they open
//    (otherwise a note explains why and the software encoder is used); libx264, libx265,
//    libsvtav1 (then libaom-av1, librav1e), prores_ks, ffv1. 4:2:0 for H.264/H.265/AV1, 4:2:2
//    ProRes HQ, 4:4:4 ProRes 4444, RGB for FFV1 (bit-exact for U8 at 8 bits, U16 at 16 bits).
//  - Frames must have the sink's size; pts in SinkOptions.time_base, strictly increasing. Keep
//    the source's pts when passthrough_from is set so the copied streams stay in sync.
//  - Passthrough copies all audio, subtitle and attachment streams and the chapters of
//    passthrough_from as they are (whole duration, even when fewer frames were encoded).
//  - The file is written to engine::partial_path_for(output); finish() verifies and renames.
//    abort() and the destructor (without finish) delete the partial file. A write() error other
//    than InvalidArgument (a rejected frame) also deletes it and ends the sink.
//
// Threading: one thread at a time per object; different objects are independent.

#include "engine/io/media.h"

#include <memory>

namespace engine::io {

Result<std::unique_ptr<FrameSource>> open_video_source(const SourceOptions& options);
Result<std::unique_ptr<FrameSink>> open_video_sink(const SinkOptions& options);

}  // namespace engine::io
