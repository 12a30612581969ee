// FrameSource for video files through libavformat/libavcodec/libswscale.
//
// Opening does the expensive checks once: container truncation, a demux-only pass that counts
// frames exactly (and collects timestamps for VFR detection and frame-accurate seeking), and the
// decode of the first frame (which proves the stream decodes and carries the frame-level colour
// and HDR tags). next() then decodes one frame at a time.

#include "engine/core/log.h"
#include "engine/core/paths.h"
#include "engine/io/video_file.h"
#include "ffmpeg_convert.h"
#include "ffmpeg_probe.h"
#include "ffmpeg_util.h"

#include <algorithm>
#include <new>

extern "C" {
#include <libavutil/display.h>
}

namespace engine::io {
namespace {

namespace fs = std::filesystem;
using namespace ffmpeg;

StreamKind kind_of(const AVStream* stream) {
    switch (stream->codecpar->codec_type) {
        case AVMEDIA_TYPE_VIDEO:
            return StreamKind::Video;
        case AVMEDIA_TYPE_AUDIO:
            return StreamKind::Audio;
        case AVMEDIA_TYPE_SUBTITLE:
            return StreamKind::Subtitle;
        case AVMEDIA_TYPE_DATA:
            return StreamKind::Data;
        case AVMEDIA_TYPE_ATTACHMENT:
            return StreamKind::Attachment;
        default:
            return StreamKind::Unknown;
    }
}

bool specified(int value, int unspecified) {
    return value != unspecified && value != 3;  // 3 is "reserved" in every H.273 table
}

class VideoFileSource final : public FrameSource {
  public:
    explicit VideoFileSource(SourceOptions options) : m_options(std::move(options)) {}

    void open();
    const VideoInfo& info() const override { return m_info; }
    Result<std::optional<Frame>> next() override;

  private:
    bool receive_frame();
    std::optional<Frame> next_frame();
    void skip_to_first_frame();
    bool seek_to_pts(std::int64_t target_pts);
    std::int64_t frame_pts(const AVFrame& frame) const;
    std::int64_t index_of(std::int64_t pts);
    Frame convert_current();
    YuvInterpretation interpretation(const AVFrame& frame) const;
    Error path_error(ErrorCode code, std::string detail) const;
    void fill_info(const AVFrame& first);

    SourceOptions m_options;
    VideoInfo m_info;
    InputPtr m_input;
    AVStream* m_stream = nullptr;
    int m_stream_index = -1;
    CodecContextPtr m_decoder;
    PacketPtr m_packet;
    FramePtr m_frame;
    RgbConverter m_converter;
    Orientation m_orientation;
    SampleType m_output_type = SampleType::U8;
    int m_output_depth = 8;
    int m_coded_width = 0;
    int m_coded_height = 0;

    std::vector<std::int64_t> m_pts;  // sorted presentation timestamps of all frames
    bool m_have_frame = false;        // m_frame holds a decoded frame not yet delivered
    bool m_demux_done = false;        // the decoder has been sent its flush packet
    bool m_started = false;
    bool m_finished = false;
    std::optional<Error> m_failure;
    std::int64_t m_sequential_index = -1;  // index of the last decoded frame
    std::int64_t m_delivered = 0;
    std::int64_t m_last_pts = 0;  // of the last delivered frame
    std::int64_t m_packets_sent = 0;
};

Error VideoFileSource::path_error(ErrorCode code, std::string detail) const {
    Error e(code, std::move(detail));
    e.with("path", path_string(m_options.input));
    return e;
}

void VideoFileSource::open() {
    const fs::path& path = m_options.input;
    if (std::optional<std::string> cut = detect_truncation(path)) {
        throw EngineException(path_error(ErrorCode::FileTruncated, "file is truncated: " + *cut));
    }
    OpenedInput opened = open_input(path);
    if (!opened.context) {
        Error e = opened.error;
        if (e.code == ErrorCode::FileCorrupt) {
            std::string format;
            int score = probe_score(path, &format);
            if (score < AVPROBE_SCORE_RETRY) {
                e.code = ErrorCode::UnsupportedFormat;
                e.detail = "not a video format FFmpeg recognises (" + e.detail + ")";
            } else {
                e.with("container", format);
            }
        }
        throw EngineException(e);
    }
    m_input = std::move(opened.context);
    AVFormatContext* input = m_input.get();
    int rc = avformat_find_stream_info(input, nullptr);
    if (rc < 0) {
        throw EngineException(input_error(rc, "read stream information", path));
    }

    m_stream_index = av_find_best_stream(input, AVMEDIA_TYPE_VIDEO, -1, -1, nullptr, 0);
    if (m_stream_index >= 0 &&
        (input->streams[m_stream_index]->disposition & AV_DISPOSITION_ATTACHED_PIC)) {
        m_stream_index = -1;
        for (unsigned i = 0; i < input->nb_streams; ++i) {
            const AVStream* s = input->streams[i];
            if (s->codecpar->codec_type == AVMEDIA_TYPE_VIDEO &&
                !(s->disposition & AV_DISPOSITION_ATTACHED_PIC)) {
                m_stream_index = static_cast<int>(i);
                break;
            }
        }
    }
    if (m_stream_index < 0) {
        throw EngineException(path_error(
            ErrorCode::NoVideoStream,
            "the file has no video stream (" + std::to_string(input->nb_streams) + " streams)"));
    }
    m_stream = input->streams[m_stream_index];
    for (unsigned i = 0; i < input->nb_streams; ++i) {
        if (static_cast<int>(i) != m_stream_index) {
            input->streams[i]->discard = AVDISCARD_ALL;
        }
    }

    const AVCodecParameters* par = m_stream->codecpar;
    const AVCodec* codec = avcodec_find_decoder(par->codec_id);
    if (codec == nullptr) {
        Error e =
            path_error(ErrorCode::UnsupportedFormat, std::string("no decoder for video codec ") +
                                                         avcodec_get_name(par->codec_id));
        e.with("codec", avcodec_get_name(par->codec_id));
        throw EngineException(e);
    }
    m_decoder.reset(avcodec_alloc_context3(codec));
    if (!m_decoder) {
        throw_error(ErrorCode::OutOfMemory, "avcodec_alloc_context3 failed");
    }
    rc = avcodec_parameters_to_context(m_decoder.get(), par);
    if (rc < 0) {
        throw EngineException(input_error(rc, "configure decoder", path));
    }
    m_decoder->pkt_timebase = m_stream->time_base;
    m_decoder->thread_count = 0;
    m_decoder->thread_type = FF_THREAD_FRAME | FF_THREAD_SLICE;
    rc = avcodec_open2(m_decoder.get(), codec, nullptr);
    if (rc < 0) {
        Error e = input_error(rc, std::string("open decoder ") + codec->name, path);
        e.with("codec", codec->name);
        throw EngineException(e);
    }

    VideoPacketScan scan = scan_video_packets(path, m_stream_index);
    if (scan.packets == 0) {
        throw EngineException(path_error(ErrorCode::ZeroFrames, "the video stream has no frames"));
    }
    m_info.frame_count = scan.packets;
    m_info.frame_count_exact = true;
    m_pts = std::move(scan.pts);

    m_packet = make_packet();
    m_frame = make_frame();
    if (!receive_frame()) {
        throw EngineException(path_error(
            ErrorCode::FileCorrupt,
            "no frame could be decoded from " + std::to_string(scan.packets) + " packets"));
    }
    m_have_frame = true;
    const auto format = static_cast<AVPixelFormat>(m_frame->format);
    const char* format_name = av_get_pix_fmt_name(format);
    if (format_name == nullptr || !sws_isSupportedInput(format)) {
        Error e = path_error(ErrorCode::UnsupportedPixelFormat,
                             std::string("cannot convert pixel format ") +
                                 (format_name ? format_name : "none") + " to RGB");
        e.with("pixel_format", format_name ? format_name : "none");
        throw EngineException(e);
    }
    fill_info(*m_frame);
}

void VideoFileSource::fill_info(const AVFrame& first) {
    const AVFormatContext* input = m_input.get();
    const AVCodecParameters* par = m_stream->codecpar;
    const auto format = static_cast<AVPixelFormat>(first.format);

    m_info.path = m_options.input;
    m_info.container = input->iformat->name;
    m_info.codec_name = avcodec_get_name(par->codec_id);
    m_info.pixel_format = av_get_pix_fmt_name(format);
    m_info.bit_depth = pixel_format_depth(format);
    m_info.time_base = from_av(m_stream->time_base);

    m_coded_width = first.width;
    m_coded_height = first.height;
    constexpr std::size_t kMatrixBytes = 9 * sizeof(std::int32_t);
    std::size_t matrix_size = 0;
    const std::uint8_t* matrix =
        stream_side_data(m_stream, AV_PKT_DATA_DISPLAYMATRIX, &matrix_size);
    if (matrix == nullptr || matrix_size < kMatrixBytes) {
        matrix = nullptr;
        const AVFrameSideData* sd = av_frame_get_side_data(&first, AV_FRAME_DATA_DISPLAYMATRIX);
        if (sd != nullptr && sd->size >= kMatrixBytes) {
            matrix = sd->data;
        }
    }
    if (matrix != nullptr) {
        m_orientation =
            orientation_from_display_matrix(reinterpret_cast<const std::int32_t*>(matrix));
    }
    m_info.rotation_degrees = m_orientation.rotation_degrees;
    m_info.width = m_orientation.swaps_axes() ? m_coded_height : m_coded_width;
    m_info.height = m_orientation.swaps_axes() ? m_coded_width : m_coded_height;

    switch (m_options.preferred_type) {
        case SampleType::F32:
            m_output_type = SampleType::F32;
            m_output_depth = m_info.bit_depth;
            break;
        case SampleType::U8:
            m_output_type = SampleType::U8;
            m_output_depth = std::min(m_info.bit_depth, 8);
            break;
        case SampleType::U16:
            m_output_type = m_info.bit_depth <= 8 ? SampleType::U8 : SampleType::U16;
            m_output_depth = m_info.bit_depth;
            break;
    }

    AVRational rate = m_stream->avg_frame_rate;
    if (rate.num <= 0 || rate.den <= 0) {
        rate = m_stream->r_frame_rate;
    }
    if ((rate.num <= 0 || rate.den <= 0) && m_pts.size() >= 2) {
        av_reduce(&rate.num, &rate.den,
                  static_cast<std::int64_t>(m_pts.size() - 1) * m_stream->time_base.den,
                  (m_pts.back() - m_pts.front()) * m_stream->time_base.num, 1 << 30);
    }
    m_info.frame_rate = rate.num > 0 && rate.den > 0 ? from_av(rate) : Rational{0, 1};
    m_info.variable_frame_rate = timestamps_are_variable(m_pts);
    if (m_pts.size() >= 2) {
        m_info.duration_seconds =
            static_cast<double>(m_pts.back() - m_pts.front() + median_delta(m_pts)) *
            av_q2d(m_stream->time_base);
    } else if (m_stream->duration != AV_NOPTS_VALUE && m_stream->duration > 0) {
        m_info.duration_seconds =
            static_cast<double>(m_stream->duration) * av_q2d(m_stream->time_base);
    } else if (input->duration != AV_NOPTS_VALUE && input->duration > 0) {
        m_info.duration_seconds = static_cast<double>(input->duration) / AV_TIME_BASE;
    } else if (m_info.frame_rate.valid()) {
        m_info.duration_seconds =
            static_cast<double>(m_info.frame_count) / m_info.frame_rate.to_double();
    }

    // Colour tags: the stream's (container or bitstream header), else the first frame's.
    m_info.color.primaries = specified(par->color_primaries, AVCOL_PRI_UNSPECIFIED)
                                 ? par->color_primaries
                                 : first.color_primaries;
    m_info.color.transfer =
        specified(par->color_trc, AVCOL_TRC_UNSPECIFIED) ? par->color_trc : first.color_trc;
    m_info.color.matrix =
        specified(par->color_space, AVCOL_SPC_UNSPECIFIED) ? par->color_space : first.colorspace;
    m_info.color.range =
        par->color_range != AVCOL_RANGE_UNSPECIFIED ? par->color_range : first.color_range;

    std::size_t size = 0;
    if (const std::uint8_t* md =
            stream_side_data(m_stream, AV_PKT_DATA_MASTERING_DISPLAY_METADATA, &size);
        md != nullptr && size >= sizeof(AVMasteringDisplayMetadata)) {
        m_info.hdr.mastering =
            mastering_from_av(*reinterpret_cast<const AVMasteringDisplayMetadata*>(md));
    } else if (const AVFrameSideData* sd =
                   av_frame_get_side_data(&first, AV_FRAME_DATA_MASTERING_DISPLAY_METADATA)) {
        m_info.hdr.mastering =
            mastering_from_av(*reinterpret_cast<const AVMasteringDisplayMetadata*>(sd->data));
    }
    if (const std::uint8_t* cl = stream_side_data(m_stream, AV_PKT_DATA_CONTENT_LIGHT_LEVEL, &size);
        cl != nullptr && size >= sizeof(AVContentLightMetadata)) {
        m_info.hdr.content_light =
            content_light_from_av(*reinterpret_cast<const AVContentLightMetadata*>(cl));
    } else if (const AVFrameSideData* sd =
                   av_frame_get_side_data(&first, AV_FRAME_DATA_CONTENT_LIGHT_LEVEL)) {
        m_info.hdr.content_light =
            content_light_from_av(*reinterpret_cast<const AVContentLightMetadata*>(sd->data));
    }

    for (unsigned i = 0; i < input->nb_streams; ++i) {
        if (static_cast<int>(i) == m_stream_index) {
            continue;
        }
        const AVStream* s = input->streams[i];
        StreamInfo si;
        si.index = static_cast<int>(i);
        si.kind = kind_of(s);
        si.codec_name = avcodec_get_name(s->codecpar->codec_id);
        if (const AVDictionaryEntry* lang = av_dict_get(s->metadata, "language", nullptr, 0)) {
            si.language = lang->value;
        }
        m_info.other_streams.push_back(std::move(si));
    }
    m_info.chapter_count = static_cast<int>(input->nb_chapters);
}

bool VideoFileSource::receive_frame() {
    for (;;) {
        int rc = avcodec_receive_frame(m_decoder.get(), m_frame.get());
        if (rc == 0) {
            ++m_sequential_index;
            return true;
        }
        if (rc == AVERROR_EOF) {
            return false;
        }
        if (rc != AVERROR(EAGAIN)) {
            Error e = input_error(rc, "decode frame " + std::to_string(m_sequential_index + 1),
                                  m_options.input);
            if (e.code == ErrorCode::FileTruncated) {
                e.code = ErrorCode::FileCorrupt;
            }
            e.with("frame", std::to_string(m_sequential_index + 1));
            throw EngineException(e);
        }
        if (m_demux_done) {
            throw_error(ErrorCode::Internal, "decoder wants input after its flush packet",
                        {{"path", path_string(m_options.input)}});
        }
        rc = av_read_frame(m_input.get(), m_packet.get());
        if (rc == AVERROR_EOF) {
            m_demux_done = true;
            avcodec_send_packet(m_decoder.get(), nullptr);
            continue;
        }
        if (rc < 0) {
            Error e = input_error(rc, "read packet", m_options.input);
            if (std::optional<std::string> cut = detect_truncation(m_options.input)) {
                e.code = ErrorCode::FileTruncated;
                e.detail += " (" + *cut + ")";
            }
            throw EngineException(e);
        }
        if (m_packet->stream_index != m_stream_index) {
            av_packet_unref(m_packet.get());
            continue;
        }
        rc = avcodec_send_packet(m_decoder.get(), m_packet.get());
        av_packet_unref(m_packet.get());
        ++m_packets_sent;
        if (rc < 0 && rc != AVERROR(EAGAIN)) {
            Error e = input_error(rc, "decode packet " + std::to_string(m_packets_sent - 1),
                                  m_options.input);
            if (e.code == ErrorCode::FileTruncated) {
                e.code = ErrorCode::FileCorrupt;
            }
            e.with("frame", std::to_string(m_sequential_index + 1));
            throw EngineException(e);
        }
    }
}

std::int64_t VideoFileSource::frame_pts(const AVFrame& frame) const {
    if (!m_pts.empty()) {
        // Every packet carried a pts: the decoder's timestamps are the source's (VFR kept).
        if (frame.best_effort_timestamp != AV_NOPTS_VALUE) {
            return frame.best_effort_timestamp;
        }
        if (frame.pts != AV_NOPTS_VALUE) {
            return frame.pts;
        }
    }
    // Some or all packets lack a pts (AVI with B-frames, raw elementary streams). FFmpeg's
    // guesses there can start late and repeat at the end, so the timestamps are made from the
    // frame's position and the frame rate instead.
    const AVRational rate = to_av(m_info.frame_rate);
    const std::int64_t start = m_stream->start_time != AV_NOPTS_VALUE ? m_stream->start_time : 0;
    if (rate.num <= 0 || rate.den <= 0) {
        return start + m_sequential_index;
    }
    return start + av_rescale_q(m_sequential_index, av_inv_q(rate), m_stream->time_base);
}

std::int64_t VideoFileSource::index_of(std::int64_t pts) {
    if (!m_pts.empty()) {
        auto it = std::lower_bound(m_pts.begin(), m_pts.end(), pts);
        if (it != m_pts.end() && *it == pts) {
            return it - m_pts.begin();
        }
    }
    return m_sequential_index;
}

bool VideoFileSource::seek_to_pts(std::int64_t target_pts) {
    if (av_seek_frame(m_input.get(), m_stream_index, target_pts, AVSEEK_FLAG_BACKWARD) < 0) {
        return false;
    }
    avcodec_flush_buffers(m_decoder.get());
    m_have_frame = false;
    m_demux_done = false;
    return true;
}

void VideoFileSource::skip_to_first_frame() {
    const std::int64_t first = m_options.first_frame;
    if (first >= m_info.frame_count) {
        m_finished = true;
        return;
    }
    if (!m_pts.empty()) {
        const std::int64_t target = m_pts[static_cast<std::size_t>(first)];
        // Seek to the key frame before the target, then decode forward. If the demuxer lands
        // after the target (imprecise index), start over from the first frame.
        for (std::int64_t start : {target, m_pts.front()}) {
            if (!seek_to_pts(start)) {
                continue;
            }
            bool overshot = false;
            for (;;) {
                if (!receive_frame()) {
                    m_finished = true;
                    return;
                }
                const std::int64_t pts = frame_pts(*m_frame);
                if (pts < target) {
                    continue;
                }
                overshot = pts > target;
                break;
            }
            if (!overshot) {
                m_have_frame = true;
                m_sequential_index = first;
                return;
            }
        }
        log_warning("seeking in " + path_string(m_options.input) +
                    " failed; decoding from the start");
        if (!seek_to_pts(m_pts.front())) {
            throw EngineException(path_error(ErrorCode::FileCorrupt, "cannot seek to the start"));
        }
        m_sequential_index = -1;
    }
    // Without timestamps: decode and drop frames from the current (first) one.
    for (;;) {
        if (!m_have_frame && !receive_frame()) {
            m_finished = true;
            return;
        }
        if (m_sequential_index >= first) {
            m_have_frame = true;
            return;
        }
        m_have_frame = false;
    }
}

YuvInterpretation VideoFileSource::interpretation(const AVFrame& frame) const {
    YuvInterpretation y;
    const auto format = static_cast<AVPixelFormat>(frame.format);
    int matrix = frame.colorspace;
    if (!specified(matrix, AVCOL_SPC_UNSPECIFIED) || matrix == AVCOL_SPC_RGB) {
        matrix = m_stream->codecpar->color_space;
    }
    if (!specified(matrix, AVCOL_SPC_UNSPECIFIED) || matrix == AVCOL_SPC_RGB) {
        // Untagged: the usual convention (and FFmpeg's players'): HD and larger is BT.709.
        matrix =
            (frame.width >= 1280 || frame.height >= 720) ? AVCOL_SPC_BT709 : AVCOL_SPC_SMPTE170M;
    }
    y.matrix = matrix;
    int range = frame.color_range;
    if (range == AVCOL_RANGE_UNSPECIFIED) {
        range = m_stream->codecpar->color_range;
    }
    if (range == AVCOL_RANGE_UNSPECIFIED) {
        const AVPixFmtDescriptor* desc = av_pix_fmt_desc_get(format);
        const bool jpeg = format == AV_PIX_FMT_YUVJ420P || format == AV_PIX_FMT_YUVJ422P ||
                          format == AV_PIX_FMT_YUVJ444P || format == AV_PIX_FMT_YUVJ440P ||
                          format == AV_PIX_FMT_YUVJ411P;
        const bool gray =
            desc != nullptr && desc->nb_components <= 2 && !(desc->flags & AV_PIX_FMT_FLAG_PAL);
        range = (jpeg || gray) ? AVCOL_RANGE_JPEG : AVCOL_RANGE_MPEG;
    }
    y.full_range = range == AVCOL_RANGE_JPEG;
    return y;
}

Frame VideoFileSource::convert_current() {
    Frame frame;
    m_converter.convert(*m_frame, interpretation(*m_frame), m_coded_width, m_coded_height,
                        m_output_type, &frame);
    frame.bit_depth = m_output_depth;
    frame.pts = frame_pts(*m_frame);
    frame.time_base = m_info.time_base;
    frame.index = index_of(frame.pts);
    if (m_delivered > 0 && frame.pts <= m_last_pts) {
        // Damaged or duplicated timestamps: keep them strictly increasing, as sinks require.
        const std::int64_t step = std::max<std::int64_t>(1, median_delta(m_pts));
        log_warning(path_string(m_options.input) + ": frame " + std::to_string(frame.index) +
                    " repeats timestamp " + std::to_string(frame.pts) + "; moved forward");
        frame.pts = m_last_pts + step;
    }
    m_last_pts = frame.pts;
    if (m_frame->width != m_coded_width || m_frame->height != m_coded_height) {
        log_warning("frame " + std::to_string(frame.index) + " of " + path_string(m_options.input) +
                    " is " + std::to_string(m_frame->width) + "x" +
                    std::to_string(m_frame->height) + "; scaled to the stream's first size");
    }
    return apply_orientation(frame, m_orientation);
}

std::optional<Frame> VideoFileSource::next_frame() {
    if (m_finished) {
        return std::nullopt;
    }
    if (m_options.max_frames >= 0 && m_delivered >= m_options.max_frames) {
        return std::nullopt;
    }
    if (!m_started) {
        m_started = true;
        if (m_options.first_frame > 0) {
            skip_to_first_frame();
            if (m_finished) {
                return std::nullopt;
            }
        }
    }
    if (!m_have_frame && !receive_frame()) {
        m_finished = true;
        const std::int64_t decoded = m_sequential_index + 1;
        if (decoded != m_info.frame_count) {
            // A stream can hold packets that decode to nothing (leading B-frames of an open
            // GOP after a cut, damaged packets the decoder conceals); the decode is the truth.
            log_warning(path_string(m_options.input) + ": " + std::to_string(decoded) +
                        " frames decoded, " + std::to_string(m_info.frame_count) + " counted");
            m_info.frame_count = decoded;
        }
        return std::nullopt;
    }
    m_have_frame = false;
    Frame frame = convert_current();
    ++m_delivered;
    return frame;
}

Result<std::optional<Frame>> VideoFileSource::next() {
    if (m_failure) {
        return *m_failure;
    }
    try {
        return next_frame();
    } catch (const EngineException& e) {
        m_failure = e.error();
    } catch (const std::bad_alloc&) {
        m_failure = path_error(ErrorCode::OutOfMemory, "out of memory while decoding");
    }
    return *m_failure;
}

}  // namespace

Result<std::unique_ptr<FrameSource>> open_video_source(const SourceOptions& options) {
    install_log_bridge();
    if (options.first_frame < 0) {
        Error e(ErrorCode::InvalidArgument, "first_frame must not be negative");
        e.with("first_frame", std::to_string(options.first_frame));
        return e;
    }
    try {
        auto source = std::make_unique<VideoFileSource>(options);
        source->open();
        return std::unique_ptr<FrameSource>(std::move(source));
    } catch (const EngineException& e) {
        Error error = e.error();
        if (error.get("path").empty()) {
            error.with("path", path_string(options.input));
        }
        return error;
    } catch (const std::bad_alloc&) {
        Error e(ErrorCode::OutOfMemory, "out of memory while opening the video");
        e.with("path", path_string(options.input));
        return e;
    }
}

}  // namespace engine::io
