#pragma once
// Private FFmpeg helpers for the video source and sink: RAII owners for libav* objects, error
// translation from AVERROR values to engine ErrorCodes, colour and side-data conversions that
// differ between FFmpeg 5.1 (Debian 12) and 6.1+/7.x (where stream side data moved to
// AVCodecParameters).
//
// Nothing here is thread-safe beyond what FFmpeg itself guarantees; each source or sink owns its
// own objects.

#include "engine/core/error.h"
#include "engine/core/frame.h"

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/frame.h>
#include <libavutil/mastering_display_metadata.h>
#include <libavutil/pixdesc.h>
#include <libswscale/swscale.h>
}

namespace engine::io::ffmpeg {

// Routes FFmpeg's own log lines to the engine log (debug level, warnings as warnings) once per
// process, so libav* never prints to the terminal behind the application's back.
void install_log_bridge();

// "file:<utf-8 path>": keeps FFmpeg from reading "a:b.mkv" as protocol "a".
std::string file_url(const std::filesystem::path& path);

// Human-readable text for an AVERROR value.
std::string error_text(int averror);

// Input side: maps an AVERROR from opening/reading `path` to a code (FileNotFound, FileUnreadable,
// FileCorrupt, UnsupportedFormat, FileTruncated...). `what` names the failed step.
Error input_error(int averror, std::string_view what, const std::filesystem::path& path);
// Output side: ENOSPC/EDQUOT/EFBIG -> DiskFull, EACCES/EPERM/EROFS/ENOENT/ENOTDIR ->
// OutputNotWritable, anything else -> `fallback`.
Error output_error(int averror,
                   std::string_view what,
                   const std::filesystem::path& path,
                   ErrorCode fallback = ErrorCode::EncodeFailed);

struct InputCloser {
    void operator()(AVFormatContext* context) const;
};
struct OutputCloser {
    // Closes the AVIOContext if the muxer opened one, then frees the context.
    void operator()(AVFormatContext* context) const;
};
struct CodecContextFree {
    void operator()(AVCodecContext* context) const;
};
struct FrameFree {
    void operator()(AVFrame* frame) const;
};
struct PacketFree {
    void operator()(AVPacket* packet) const;
};
struct SwsFree {
    void operator()(SwsContext* context) const;
};

using InputPtr = std::unique_ptr<AVFormatContext, InputCloser>;
using OutputPtr = std::unique_ptr<AVFormatContext, OutputCloser>;
using CodecContextPtr = std::unique_ptr<AVCodecContext, CodecContextFree>;
using FramePtr = std::unique_ptr<AVFrame, FrameFree>;
using PacketPtr = std::unique_ptr<AVPacket, PacketFree>;
using SwsPtr = std::unique_ptr<SwsContext, SwsFree>;

FramePtr make_frame();
PacketPtr make_packet();

// Opens `path` for demuxing (no stream-info probing yet). On failure returns a classified Error.
struct OpenedInput {
    InputPtr context;
    Error error;  // code Ok on success
};
OpenedInput open_input(const std::filesystem::path& path);

// How confidently FFmpeg recognises the file's format from its content (AVPROBE_SCORE_*; 0 when
// no demuxer matches). Below AVPROBE_SCORE_RETRY the match rests on the name alone.
int probe_score(const std::filesystem::path& path, std::string* format_name);

// Side data attached to a stream (container level): 5.1 keeps it on AVStream, 6.1+ on codecpar.
const std::uint8_t* stream_side_data(const AVStream* stream,
                                     AVPacketSideDataType type,
                                     std::size_t* size);
// Adds a copy of `data` to the stream's side data; false when FFmpeg is out of memory.
bool add_stream_side_data(AVStream* stream,
                          AVPacketSideDataType type,
                          const void* data,
                          std::size_t size);

// HDR10 static metadata conversions (our units: 1/50000 chromaticity, 1/10000 cd/m^2).
MasteringDisplay mastering_from_av(const AVMasteringDisplayMetadata& av);
void mastering_to_av(const MasteringDisplay& ours, AVMasteringDisplayMetadata* av);
ContentLight content_light_from_av(const AVContentLightMetadata& av);

// The libswscale coefficient table for an H.273 matrix (BT.601/709/2020/FCC/240M).
const int* sws_coefficients_for(int matrix);

// Significant bits per component of a pixel format (the widest component).
int pixel_format_depth(AVPixelFormat format);
bool pixel_format_is_rgb(AVPixelFormat format);

// Rational conversion helpers.
inline AVRational to_av(Rational r) {
    return AVRational{r.num, r.den};
}
inline Rational from_av(AVRational r) {
    return Rational{r.num, r.den};
}

}  // namespace engine::io::ffmpeg
