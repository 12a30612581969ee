// FrameSink for video files: encodes RGB frames with the chosen codec, copies the passthrough
// source's other streams bit-exact, and commits atomically. The file is written under
// engine::partial_path_for(final); finish() re-probes it (frame count, size, stream set) before
// renaming it into place, so the final name only ever holds a complete, verified file.

#include "engine/core/log.h"
#include "engine/core/paths.h"
#include "engine/io/video_file.h"
#include "ffmpeg_convert.h"
#include "ffmpeg_encoder.h"
#include "ffmpeg_passthrough.h"
#include "ffmpeg_probe.h"
#include "ffmpeg_util.h"

#include <cctype>
#include <cerrno>
#include <fcntl.h>
#include <new>
#include <system_error>
#include <unistd.h>

namespace engine::io {
namespace {

namespace fs = std::filesystem;
using namespace ffmpeg;

AVCodecID codec_id_of(VideoCodec codec) {
    switch (codec) {
        case VideoCodec::H264:
            return AV_CODEC_ID_H264;
        case VideoCodec::H265:
            return AV_CODEC_ID_HEVC;
        case VideoCodec::AV1:
            return AV_CODEC_ID_AV1;
        case VideoCodec::ProRes422HQ:
        case VideoCodec::ProRes4444:
            return AV_CODEC_ID_PRORES;
        case VideoCodec::FFV1:
            return AV_CODEC_ID_FFV1;
    }
    return AV_CODEC_ID_NONE;
}

std::string lowercase(std::string text) {
    for (char& c : text) {
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    return text;
}

// The muxer for the output: SinkOptions.container, else the file extension, else Matroska.
const AVOutputFormat* resolve_container(const SinkOptions& options) {
    const AVOutputFormat* format = nullptr;
    std::string requested = lowercase(options.container);
    if (!requested.empty()) {
        if (requested == "mkv") {
            requested = "matroska";
        }
        format = av_guess_format(requested.c_str(), nullptr, nullptr);
        if (format == nullptr) {
            throw_error(ErrorCode::InvalidArgument,
                        "unknown container \"" + options.container + "\"",
                        {{"container", options.container},
                         {"path", path_string(options.output)},
                         {"suggested_container", "mkv"}});
        }
    } else if (options.output.extension().empty()) {
        format = av_guess_format("matroska", nullptr, nullptr);
    } else {
        const std::string name = path_string(options.output.filename());
        format = av_guess_format(nullptr, name.c_str(), nullptr);
        if (format == nullptr) {
            throw_error(ErrorCode::InvalidArgument,
                        "no video container is known for the extension " +
                            path_string(options.output.extension()),
                        {{"path", path_string(options.output)}, {"suggested_container", "mkv"}});
        }
    }
    if ((format->flags & AVFMT_NOFILE) || std::string(format->name) == "image2" ||
        format->video_codec == AV_CODEC_ID_NONE) {
        throw_error(ErrorCode::InvalidArgument,
                    std::string("the ") + format->name + " format is not a video file container",
                    {{"path", path_string(options.output)},
                     {"container", format->name},
                     {"suggested_container", "mkv"}});
    }
    return format;
}

// Whether a copied stream read back as `found` is the `copied` one. Some containers name a
// codec family, not the codec: mp4's MPEG-1 audio object type reads back as MP3 for MP1/MP2
// data, and attachments come back typed by their MIME type.
bool same_codec(AVMediaType type, AVCodecID found, AVCodecID copied) {
    if (found == copied || type == AVMEDIA_TYPE_ATTACHMENT) {
        return true;
    }
    auto mpeg_audio = [](AVCodecID id) {
        return id == AV_CODEC_ID_MP1 || id == AV_CODEC_ID_MP2 || id == AV_CODEC_ID_MP3;
    };
    return mpeg_audio(found) && mpeg_audio(copied);
}

bool is_iso_family(const AVOutputFormat* format) {
    const std::string name = format->name;
    return name == "mp4" || name == "mov";
}

class VideoFileSink final : public FrameSink {
  public:
    explicit VideoFileSink(SinkOptions options) : m_options(std::move(options)) {}
    ~VideoFileSink() override {
        if (m_state != State::Finished) {
            discard_output();
        }
    }

    void open();
    Status write(const Frame& frame) override;
    Status finish() override;
    void abort() override;
    const std::vector<std::string>& notes() const override { return m_notes; }

  private:
    enum class State { Opening, Open, Finished, Failed };

    void write_frame(const Frame& frame);
    void send(const AVFrame* picture);
    void check_io(const char* what);
    void finish_output();
    void verify();
    void discard_output();
    Error with_paths(Error e) const;

    SinkOptions m_options;
    fs::path m_final;
    fs::path m_partial;
    State m_state = State::Opening;
    bool m_partial_created = false;
    OutputPtr m_output;
    CodecContextPtr m_encoder;
    AVStream* m_video = nullptr;
    StreamCopier m_copier;
    YuvConverter m_converter;
    FramePtr m_picture;
    PacketPtr m_packet;
    ColorInfo m_colour;
    std::string m_encoder_name;
    std::vector<std::string> m_notes;
    std::int64_t m_frames_sent = 0;
    std::int64_t m_packets_written = 0;
    std::int64_t m_last_pts = 0;
};

Error VideoFileSink::with_paths(Error e) const {
    if (e.get("path").empty()) {
        e.with("path", path_string(m_final));
    }
    if (m_partial_created && e.get("partial_path").empty()) {
        e.with("partial_path", path_string(m_partial));
    }
    return e;
}

void VideoFileSink::open() {
    install_log_bridge();
    m_final = m_options.output;
    if (m_final.empty()) {
        throw_error(ErrorCode::InvalidArgument, "no output path given");
    }
    std::error_code ec;
    const fs::file_status status = fs::status(m_final, ec);
    if (fs::exists(status)) {
        if (fs::is_directory(status)) {
            throw_error(ErrorCode::OutputNotWritable, "the output path is a folder",
                        {{"path", path_string(m_final)}});
        }
        if (!m_options.overwrite) {
            throw_error(ErrorCode::OutputExists, "the output file already exists",
                        {{"path", path_string(m_final)}});
        }
    }
    fs::path folder = m_final.parent_path();
    if (folder.empty()) {
        folder = ".";
    }
    const fs::file_status folder_status = fs::status(folder, ec);
    if (!fs::exists(folder_status) || !fs::is_directory(folder_status)) {
        throw_error(ErrorCode::OutputNotWritable,
                    fs::exists(folder_status) ? "the output's parent is not a folder"
                                              : "the output folder does not exist",
                    {{"path", path_string(m_final)}, {"folder", path_string(folder)}});
    }
    m_partial = partial_path_for(m_final);

    const AVOutputFormat* format = resolve_container(m_options);
    const AVCodecID codec_id = codec_id_of(m_options.codec);
    if (avformat_query_codec(format, codec_id, FF_COMPLIANCE_NORMAL) == 0) {
        throw_error(ErrorCode::InvalidArgument,
                    std::string("the ") + format->name + " container cannot hold " +
                        video_codec_name(m_options.codec) + " video",
                    {{"path", path_string(m_final)},
                     {"container", format->name},
                     {"codec", video_codec_name(m_options.codec)},
                     {"suggested_container", "mkv"}});
    }
    AVFormatContext* raw = nullptr;
    int rc = avformat_alloc_output_context2(&raw, format, nullptr, file_url(m_partial).c_str());
    if (rc < 0 || raw == nullptr) {
        throw EngineException(output_error(rc, "create muxer", m_final));
    }
    m_output.reset(raw);

    OpenedEncoder encoder =
        open_video_encoder(m_options, (format->flags & AVFMT_GLOBALHEADER) != 0, &m_notes);
    m_encoder = std::move(encoder.context);
    m_encoder_name = encoder.encoder_name;
    m_colour.primaries = m_encoder->color_primaries;
    m_colour.transfer = m_encoder->color_trc;
    m_colour.matrix = m_encoder->colorspace;
    m_colour.range = m_encoder->color_range;

    m_video = avformat_new_stream(m_output.get(), nullptr);
    if (m_video == nullptr) {
        throw_error(ErrorCode::OutOfMemory, "avformat_new_stream failed");
    }
    rc = avcodec_parameters_from_context(m_video->codecpar, m_encoder.get());
    if (rc < 0) {
        throw EngineException(output_error(rc, "copy encoder parameters", m_final));
    }
    m_video->time_base = m_encoder->time_base;
    m_video->avg_frame_rate = m_encoder->framerate;
    if (codec_id == AV_CODEC_ID_HEVC && is_iso_family(format)) {
        // 'hvc1' (parameter sets in the sample description) is what Apple players require.
        m_video->codecpar->codec_tag = MKTAG('h', 'v', 'c', '1');
    }
    if (m_options.hdr.mastering) {
        AVMasteringDisplayMetadata md{};
        mastering_to_av(*m_options.hdr.mastering, &md);
        if (!add_stream_side_data(m_video, AV_PKT_DATA_MASTERING_DISPLAY_METADATA, &md,
                                  sizeof(md))) {
            throw_error(ErrorCode::OutOfMemory, "adding mastering display metadata failed");
        }
    }
    if (m_options.hdr.content_light) {
        AVContentLightMetadata cl{};
        cl.MaxCLL = static_cast<unsigned>(m_options.hdr.content_light->max_cll);
        cl.MaxFALL = static_cast<unsigned>(m_options.hdr.content_light->max_fall);
        if (!add_stream_side_data(m_video, AV_PKT_DATA_CONTENT_LIGHT_LEVEL, &cl, sizeof(cl))) {
            throw_error(ErrorCode::OutOfMemory, "adding content light metadata failed");
        }
    }

    if (m_options.passthrough_from) {
        m_copier.open(*m_options.passthrough_from, m_output.get(), m_final, &m_notes);
    }

    rc = avio_open(&m_output->pb, file_url(m_partial).c_str(), AVIO_FLAG_WRITE);
    if (rc < 0) {
        throw EngineException(output_error(rc, "create output file", m_final));
    }
    m_partial_created = true;
    AVDictionary* muxer_options = nullptr;
    if (is_iso_family(format)) {
        av_dict_set(&muxer_options, "movflags",
                    std::string(format->name) == "mp4" ? "+faststart+write_colr" : "+write_colr",
                    0);
    }
    rc = avformat_write_header(m_output.get(), &muxer_options);
    av_dict_free(&muxer_options);
    if (rc < 0) {
        throw EngineException(m_copier.mappings().empty()
                                  ? output_error(rc, "write container header", m_final)
                                  : m_copier.header_error(rc));
    }
    check_io("write container header");

    m_picture = make_frame();
    m_picture->format = m_encoder->pix_fmt;
    m_picture->width = m_encoder->width;
    m_picture->height = m_encoder->height;
    m_picture->color_primaries = m_encoder->color_primaries;
    m_picture->color_trc = m_encoder->color_trc;
    m_picture->colorspace = m_encoder->colorspace;
    m_picture->color_range = m_encoder->color_range;
    rc = av_frame_get_buffer(m_picture.get(), 0);
    if (rc < 0) {
        throw_error(ErrorCode::OutOfMemory, "allocating the encoder picture failed");
    }
    m_packet = make_packet();
    log_info("video sink " + path_string(m_final) + ": " + m_encoder_name + ", " +
             av_get_pix_fmt_name(m_encoder->pix_fmt) + ", " + format->name);
    m_state = State::Open;
}

void VideoFileSink::check_io(const char* what) {
    if (m_output && m_output->pb != nullptr && m_output->pb->error < 0) {
        throw EngineException(output_error(m_output->pb->error, what, m_final));
    }
}

void VideoFileSink::send(const AVFrame* picture) {
    int rc = avcodec_send_frame(m_encoder.get(), picture);
    if (rc < 0) {
        Error e(ErrorCode::EncodeFailed, "encoder " + m_encoder_name + " rejected frame " +
                                             std::to_string(m_frames_sent) + ": " + error_text(rc));
        e.with("encoder", m_encoder_name).with("frame", std::to_string(m_frames_sent));
        throw EngineException(e);
    }
    for (;;) {
        rc = avcodec_receive_packet(m_encoder.get(), m_packet.get());
        if (rc == AVERROR(EAGAIN) || rc == AVERROR_EOF) {
            return;
        }
        if (rc < 0) {
            Error e(ErrorCode::EncodeFailed,
                    "encoder " + m_encoder_name + " failed: " + error_text(rc));
            e.with("encoder", m_encoder_name);
            throw EngineException(e);
        }
        av_packet_rescale_ts(m_packet.get(), m_encoder->time_base, m_video->time_base);
        m_packet->stream_index = m_video->index;
        const std::int64_t ts = m_packet->dts != AV_NOPTS_VALUE ? m_packet->dts : m_packet->pts;
        if (ts != AV_NOPTS_VALUE) {
            m_copier.write_until(static_cast<double>(ts) * av_q2d(m_video->time_base));
        }
        rc = av_interleaved_write_frame(m_output.get(), m_packet.get());
        if (rc < 0) {
            throw EngineException(output_error(rc, "write video packet", m_final));
        }
        check_io("write video packet");
        ++m_packets_written;
    }
}

void VideoFileSink::write_frame(const Frame& frame) {
    if (frame.width != m_options.width || frame.height != m_options.height) {
        throw_error(ErrorCode::InvalidArgument,
                    "frame is " + std::to_string(frame.width) + "x" + std::to_string(frame.height) +
                        ", the sink expects " + std::to_string(m_options.width) + "x" +
                        std::to_string(m_options.height),
                    {{"frame", std::to_string(m_frames_sent)}});
    }
    if (frame.data.size() != frame.sample_count() * bytes_per_sample(frame.type)) {
        throw_error(ErrorCode::InvalidArgument, "frame data size does not match its dimensions",
                    {{"frame", std::to_string(m_frames_sent)}});
    }
    if (m_frames_sent > 0 && frame.pts <= m_last_pts) {
        throw_error(ErrorCode::InvalidArgument,
                    "frame timestamps must increase: " + std::to_string(frame.pts) + " after " +
                        std::to_string(m_last_pts),
                    {{"frame", std::to_string(m_frames_sent)}});
    }
    int rc = av_frame_make_writable(m_picture.get());
    if (rc < 0) {
        throw_error(ErrorCode::OutOfMemory, "av_frame_make_writable failed");
    }
    m_converter.convert(frame, m_colour.matrix, m_colour.range == AVCOL_RANGE_JPEG,
                        m_picture.get());
    m_picture->pts = frame.pts;
    send(m_picture.get());
    m_last_pts = frame.pts;
    ++m_frames_sent;
}

Status VideoFileSink::write(const Frame& frame) {
    if (m_state != State::Open) {
        return with_paths(Error(ErrorCode::InvalidArgument,
                                m_state == State::Finished ? "the sink is already finished"
                                                           : "the sink has failed or was aborted"));
    }
    try {
        write_frame(frame);
        return {};
    } catch (const EngineException& e) {
        Error error = with_paths(e.error());
        if (error.code != ErrorCode::InvalidArgument) {
            // Anything but a rejected frame leaves the output unusable: drop it now.
            discard_output();
            m_state = State::Failed;
        }
        return error;
    } catch (const std::bad_alloc&) {
        discard_output();
        m_state = State::Failed;
        return with_paths(Error(ErrorCode::OutOfMemory, "out of memory while encoding"));
    }
}

void VideoFileSink::finish_output() {
    if (m_frames_sent == 0) {
        throw_error(ErrorCode::ZeroFrames, "no frames were written to the output");
    }
    send(nullptr);
    m_copier.write_rest();
    int rc = av_write_trailer(m_output.get());
    if (rc < 0) {
        throw EngineException(output_error(rc, "finish the container", m_final));
    }
    check_io("finish the container");
    rc = avio_closep(&m_output->pb);
    if (rc < 0) {
        throw EngineException(output_error(rc, "close the output file", m_final));
    }
    m_output.reset();
    m_encoder.reset();
    // The rename is only atomic for the data if the data reached the disk first.
    int fd = ::open(m_partial.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        throw EngineException(error_from_errno(errno, "reopen the written file", m_partial));
    }
    if (::fsync(fd) != 0) {
        int err = errno;
        ::close(fd);
        throw EngineException(error_from_errno(err, "flush the written file to disk", m_final));
    }
    ::close(fd);
}

void VideoFileSink::verify() {
    auto failed = [&](const std::string& detail) {
        Error e(ErrorCode::OutputVerificationFailed, "re-reading the output: " + detail);
        e.with("path", path_string(m_final));
        return EngineException(e);
    };
    OpenedInput opened = open_input(m_partial);
    if (!opened.context) {
        throw failed("cannot open it (" + opened.error.detail + ")");
    }
    AVFormatContext* input = opened.context.get();
    const std::vector<StreamCopier::Mapping>& mappings = m_copier.mappings();
    const unsigned expected_streams = 1 + static_cast<unsigned>(mappings.size());
    if (input->nb_streams < expected_streams ||
        (input->nb_streams > expected_streams && input->nb_chapters == 0)) {
        throw failed("it has " + std::to_string(input->nb_streams) + " streams, expected " +
                     std::to_string(expected_streams));
    }
    const AVCodecParameters* video = input->streams[0]->codecpar;
    if (video->codec_type != AVMEDIA_TYPE_VIDEO ||
        video->codec_id != codec_id_of(m_options.codec)) {
        throw failed(std::string("stream 0 is ") + avcodec_get_name(video->codec_id) +
                     ", expected " + avcodec_get_name(codec_id_of(m_options.codec)));
    }
    if (video->width != m_options.width || video->height != m_options.height) {
        throw failed("the video is " + std::to_string(video->width) + "x" +
                     std::to_string(video->height) + ", expected " +
                     std::to_string(m_options.width) + "x" + std::to_string(m_options.height));
    }
    for (const StreamCopier::Mapping& m : mappings) {
        const AVCodecParameters* par = input->streams[m.output_index]->codecpar;
        if (par->codec_type != m.type || !same_codec(m.type, par->codec_id, m.codec_id)) {
            throw failed("stream " + std::to_string(m.output_index) + " is " +
                         avcodec_get_name(par->codec_id) + ", expected a copy of source stream " +
                         std::to_string(m.source_index) + " (" + avcodec_get_name(m.codec_id) +
                         ")");
        }
    }
    opened.context.reset();
    const std::int64_t found = scan_video_packets(m_partial, 0).packets;
    if (found != m_frames_sent ||
        (m_options.expected_frames >= 0 && found != m_options.expected_frames)) {
        EngineException e =
            failed("it holds " + std::to_string(found) + " frames; " +
                   std::to_string(m_frames_sent) + " were written" +
                   (m_options.expected_frames >= 0
                        ? ", " + std::to_string(m_options.expected_frames) + " expected"
                        : std::string()));
        Error error = e.error();
        error.with("found_frames", std::to_string(found))
            .with("written_frames", std::to_string(m_frames_sent))
            .with("muxed_packets", std::to_string(m_packets_written))
            .with("expected_frames", std::to_string(m_options.expected_frames));
        throw EngineException(error);
    }
}

Status VideoFileSink::finish() {
    if (m_state != State::Open) {
        return with_paths(Error(ErrorCode::InvalidArgument,
                                m_state == State::Finished ? "the sink is already finished"
                                                           : "the sink has failed or was aborted"));
    }
    try {
        finish_output();
        verify();
        if (!m_options.overwrite && fs::exists(m_final)) {
            throw_error(ErrorCode::OutputExists, "the output file appeared while encoding",
                        {{"path", path_string(m_final)}});
        }
        Status renamed = commit_rename(m_partial, m_final);
        if (!renamed) {
            throw EngineException(renamed.error());
        }
        m_partial_created = false;
        m_state = State::Finished;
        return {};
    } catch (const EngineException& e) {
        Error error = with_paths(e.error());
        discard_output();
        m_state = State::Failed;
        return error;
    } catch (const std::bad_alloc&) {
        discard_output();
        m_state = State::Failed;
        return with_paths(Error(ErrorCode::OutOfMemory, "out of memory while finishing"));
    }
}

void VideoFileSink::discard_output() {
    // No trailer: the partial file is deleted, whatever state it is in.
    m_output.reset();
    m_encoder.reset();
    if (m_partial_created) {
        std::error_code ec;
        fs::remove(m_partial, ec);
        if (ec) {
            log_warning("could not remove " + path_string(m_partial) + ": " + ec.message());
        }
        m_partial_created = false;
    }
}

void VideoFileSink::abort() {
    if (m_state == State::Finished) {
        return;
    }
    discard_output();
    m_state = State::Failed;
}

}  // namespace

Result<std::unique_ptr<FrameSink>> open_video_sink(const SinkOptions& options) {
    auto sink = std::make_unique<VideoFileSink>(options);
    try {
        sink->open();
        return std::unique_ptr<FrameSink>(std::move(sink));
    } catch (const EngineException& e) {
        Error error = e.error();
        if (error.get("path").empty()) {
            error.with("path", path_string(options.output));
        }
        return error;
    } catch (const std::bad_alloc&) {
        Error e(ErrorCode::OutOfMemory, "out of memory while opening the output");
        e.with("path", path_string(options.output));
        return e;
    }
}

}  // namespace engine::io
