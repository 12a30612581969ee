#include "ffmpeg_util.h"

#include "engine/core/log.h"
#include "engine/core/paths.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <mutex>
#include <system_error>
#include <unistd.h>

namespace engine::io::ffmpeg {
namespace fs = std::filesystem;

namespace {

void log_callback(void* avcl, int level, const char* format, va_list args) {
    if (level > av_log_get_level()) {
        return;
    }
    char line[1024];
    int print_prefix = 1;
    av_log_format_line2(avcl, level, format, args, line, sizeof(line), &print_prefix);
    std::string_view text(line);
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) {
        text.remove_suffix(1);
    }
    if (text.empty()) {
        return;
    }
    // FFmpeg reports conditions we turn into Errors ourselves (a damaged packet, a missing
    // encoder) at its error level; they are warnings from the engine's point of view.
    LogLevel ours = LogLevel::Debug;
    if (level <= AV_LOG_ERROR) {
        ours = LogLevel::Warning;
    } else if (level <= AV_LOG_WARNING) {
        ours = LogLevel::Info;
    }
    // A hardware encoder failing to open is expected on machines without one; the sink
    // reports it through notes().
    if (avcl != nullptr && ours == LogLevel::Warning) {
        const AVClass* cls = *static_cast<const AVClass* const*>(avcl);
        const char* name = cls != nullptr && cls->item_name != nullptr ? cls->item_name(avcl) : "";
        if (name != nullptr && std::strstr(name, "nvenc") != nullptr) {
            ours = LogLevel::Info;
        }
    }
    log(ours, std::string("ffmpeg: ") + std::string(text));
}

}  // namespace

void install_log_bridge() {
    static std::once_flag once;
    std::call_once(once, [] { av_log_set_callback(log_callback); });
}

std::string file_url(const fs::path& path) {
    return "file:" + path_string(path);
}

std::string error_text(int averror) {
    char buffer[AV_ERROR_MAX_STRING_SIZE] = {};
    av_strerror(averror, buffer, sizeof(buffer));
    return buffer;
}

Error input_error(int averror, std::string_view what, const fs::path& path) {
    ErrorCode code = ErrorCode::FileCorrupt;
    if (averror == AVERROR(ENOENT)) {
        code = ErrorCode::FileNotFound;
    } else if (averror == AVERROR(EACCES) || averror == AVERROR(EPERM) || averror == AVERROR(EIO) ||
               averror == AVERROR(EISDIR)) {
        code = ErrorCode::FileUnreadable;
    } else if (averror == AVERROR_EOF) {
        code = ErrorCode::FileTruncated;
    } else if (averror == AVERROR_DEMUXER_NOT_FOUND || averror == AVERROR_DECODER_NOT_FOUND ||
               averror == AVERROR_PROTOCOL_NOT_FOUND || averror == AVERROR_PATCHWELCOME ||
               averror == AVERROR(ENOSYS)) {
        code = ErrorCode::UnsupportedFormat;
    } else if (averror == AVERROR(ENOMEM)) {
        code = ErrorCode::OutOfMemory;
    }
    Error e(code, std::string(what) + ": " + error_text(averror));
    e.with("path", path_string(path)).with("ffmpeg_error", error_text(averror));
    return e;
}

Error output_error(int averror, std::string_view what, const fs::path& path, ErrorCode fallback) {
    ErrorCode code = fallback;
    if (averror == AVERROR(ENOSPC) || averror == AVERROR(EDQUOT) || averror == AVERROR(EFBIG)) {
        code = ErrorCode::DiskFull;
    } else if (averror == AVERROR(EACCES) || averror == AVERROR(EPERM) ||
               averror == AVERROR(EROFS) || averror == AVERROR(ENOENT) ||
               averror == AVERROR(ENOTDIR) || averror == AVERROR(EISDIR)) {
        code = ErrorCode::OutputNotWritable;
    } else if (averror == AVERROR(ENOMEM)) {
        code = ErrorCode::OutOfMemory;
    }
    Error e(code, std::string(what) + ": " + error_text(averror));
    e.with("path", path_string(path)).with("ffmpeg_error", error_text(averror));
    return e;
}

void InputCloser::operator()(AVFormatContext* context) const {
    avformat_close_input(&context);
}

void OutputCloser::operator()(AVFormatContext* context) const {
    if (context == nullptr) {
        return;
    }
    if (context->pb != nullptr && !(context->oformat->flags & AVFMT_NOFILE)) {
        avio_closep(&context->pb);
    }
    avformat_free_context(context);
}

void CodecContextFree::operator()(AVCodecContext* context) const {
    avcodec_free_context(&context);
}

void FrameFree::operator()(AVFrame* frame) const {
    av_frame_free(&frame);
}

void PacketFree::operator()(AVPacket* packet) const {
    av_packet_free(&packet);
}

void SwsFree::operator()(SwsContext* context) const {
    sws_freeContext(context);
}

FramePtr make_frame() {
    FramePtr frame(av_frame_alloc());
    if (!frame) {
        throw_error(ErrorCode::OutOfMemory, "av_frame_alloc failed");
    }
    return frame;
}

PacketPtr make_packet() {
    PacketPtr packet(av_packet_alloc());
    if (!packet) {
        throw_error(ErrorCode::OutOfMemory, "av_packet_alloc failed");
    }
    return packet;
}

OpenedInput open_input(const fs::path& path) {
    install_log_bridge();
    OpenedInput result;
    std::error_code ec;
    fs::file_status status = fs::status(path, ec);
    if (ec || !fs::exists(status)) {
        if (ec && ec != std::errc::no_such_file_or_directory) {
            result.error = Error(ErrorCode::FileUnreadable, "cannot inspect file: " + ec.message());
        } else {
            result.error = Error(ErrorCode::FileNotFound, "file does not exist");
        }
        result.error.with("path", path_string(path));
        return result;
    }
    if (fs::is_directory(status)) {
        result.error = Error(ErrorCode::UnsupportedFormat, "a folder is not a video file");
        result.error.with("path", path_string(path));
        return result;
    }
    // One byte read up front separates "empty" and "unreadable" (permissions, I/O errors) from
    // the format problems FFmpeg reports later.
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        int err = errno;
        result.error = Error(err == ENOENT ? ErrorCode::FileNotFound : ErrorCode::FileUnreadable,
                             std::string("cannot open file: ") + std::strerror(err));
        result.error.with("path", path_string(path)).with("errno", std::to_string(err));
        return result;
    }
    char byte = 0;
    ssize_t got = ::read(fd, &byte, 1);
    int read_errno = errno;
    ::close(fd);
    if (got < 0) {
        result.error = Error(ErrorCode::FileUnreadable,
                             std::string("cannot read file: ") + std::strerror(read_errno));
        result.error.with("path", path_string(path)).with("errno", std::to_string(read_errno));
        return result;
    }
    if (got == 0) {
        result.error = Error(ErrorCode::FileEmpty, "file is empty (0 bytes)");
        result.error.with("path", path_string(path));
        return result;
    }
    AVFormatContext* raw = nullptr;
    int rc = avformat_open_input(&raw, file_url(path).c_str(), nullptr, nullptr);
    if (rc < 0) {
        result.error = input_error(rc, "open input", path);
        return result;
    }
    result.context.reset(raw);
    return result;
}

int probe_score(const fs::path& path, std::string* format_name) {
    AVIOContext* io = nullptr;
    if (avio_open(&io, file_url(path).c_str(), AVIO_FLAG_READ) < 0) {
        return 0;
    }
    const AVInputFormat* format = nullptr;
    // No file name: the score must come from the content, not the extension.
    int score = av_probe_input_buffer2(io, &format, "", nullptr, 0, 0);
    avio_closep(&io);
    if (score < 0 || format == nullptr) {
        return 0;
    }
    if (format_name != nullptr) {
        *format_name = format->name;
    }
    return score;
}

const std::uint8_t* stream_side_data(const AVStream* stream,
                                     AVPacketSideDataType type,
                                     std::size_t* size) {
#if LIBAVCODEC_VERSION_INT >= AV_VERSION_INT(60, 31, 102)
    const AVPacketSideData* sd = av_packet_side_data_get(
        stream->codecpar->coded_side_data, stream->codecpar->nb_coded_side_data, type);
    if (sd == nullptr) {
        return nullptr;
    }
    if (size != nullptr) {
        *size = sd->size;
    }
    return sd->data;
#else
    std::size_t local = 0;
    const std::uint8_t* data = av_stream_get_side_data(stream, type, &local);
    if (size != nullptr) {
        *size = local;
    }
    return data;
#endif
}

bool add_stream_side_data(AVStream* stream,
                          AVPacketSideDataType type,
                          const void* data,
                          std::size_t size) {
#if LIBAVCODEC_VERSION_INT >= AV_VERSION_INT(60, 31, 102)
    AVPacketSideData* sd = av_packet_side_data_new(
        &stream->codecpar->coded_side_data, &stream->codecpar->nb_coded_side_data, type, size, 0);
    if (sd == nullptr) {
        return false;
    }
    std::memcpy(sd->data, data, size);
    return true;
#else
    std::uint8_t* target = av_stream_new_side_data(stream, type, size);
    if (target == nullptr) {
        return false;
    }
    std::memcpy(target, data, size);
    return true;
#endif
}

namespace {

int to_units(AVRational value, int scale) {
    if (value.den == 0) {
        return 0;
    }
    return static_cast<int>(std::lround(av_q2d(value) * scale));
}

std::int64_t to_units64(AVRational value, std::int64_t scale) {
    if (value.den == 0) {
        return 0;
    }
    return static_cast<std::int64_t>(std::llround(av_q2d(value) * static_cast<double>(scale)));
}

}  // namespace

MasteringDisplay mastering_from_av(const AVMasteringDisplayMetadata& av) {
    MasteringDisplay md;
    if (av.has_primaries) {
        for (int i = 0; i < 3; ++i) {
            md.primaries_x[i] = to_units(av.display_primaries[i][0], 50000);
            md.primaries_y[i] = to_units(av.display_primaries[i][1], 50000);
        }
        md.white_x = to_units(av.white_point[0], 50000);
        md.white_y = to_units(av.white_point[1], 50000);
    }
    if (av.has_luminance) {
        md.max_luminance = to_units64(av.max_luminance, 10000);
        md.min_luminance = to_units64(av.min_luminance, 10000);
    }
    return md;
}

void mastering_to_av(const MasteringDisplay& ours, AVMasteringDisplayMetadata* av) {
    for (int i = 0; i < 3; ++i) {
        av->display_primaries[i][0] = AVRational{ours.primaries_x[i], 50000};
        av->display_primaries[i][1] = AVRational{ours.primaries_y[i], 50000};
    }
    av->white_point[0] = AVRational{ours.white_x, 50000};
    av->white_point[1] = AVRational{ours.white_y, 50000};
    av->max_luminance = AVRational{static_cast<int>(ours.max_luminance), 10000};
    av->min_luminance = AVRational{static_cast<int>(ours.min_luminance), 10000};
    av->has_primaries = 1;
    av->has_luminance = 1;
}

ContentLight content_light_from_av(const AVContentLightMetadata& av) {
    ContentLight cl;
    cl.max_cll = static_cast<int>(av.MaxCLL);
    cl.max_fall = static_cast<int>(av.MaxFALL);
    return cl;
}

const int* sws_coefficients_for(int matrix) {
    switch (matrix) {
        case AVCOL_SPC_BT709:
            return sws_getCoefficients(SWS_CS_ITU709);
        case AVCOL_SPC_FCC:
            return sws_getCoefficients(SWS_CS_FCC);
        case AVCOL_SPC_BT470BG:
        case AVCOL_SPC_SMPTE170M:
            return sws_getCoefficients(SWS_CS_ITU601);
        case AVCOL_SPC_SMPTE240M:
            return sws_getCoefficients(SWS_CS_SMPTE240M);
        case AVCOL_SPC_BT2020_NCL:
        case AVCOL_SPC_BT2020_CL:
            return sws_getCoefficients(SWS_CS_BT2020);
        default:
            return sws_getCoefficients(SWS_CS_DEFAULT);
    }
}

int pixel_format_depth(AVPixelFormat format) {
    const AVPixFmtDescriptor* desc = av_pix_fmt_desc_get(format);
    if (desc == nullptr) {
        return 8;
    }
    int depth = 0;
    for (int i = 0; i < desc->nb_components; ++i) {
        depth = std::max(depth, desc->comp[i].depth);
    }
    return depth > 0 ? depth : 8;
}

bool pixel_format_is_rgb(AVPixelFormat format) {
    const AVPixFmtDescriptor* desc = av_pix_fmt_desc_get(format);
    return desc != nullptr && (desc->flags & AV_PIX_FMT_FLAG_RGB) != 0;
}

}  // namespace engine::io::ffmpeg
