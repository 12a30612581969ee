#include "ffmpeg_passthrough.h"

#include "engine/core/paths.h"

#include <cstring>
#include <utility>

namespace engine::io::ffmpeg {
namespace fs = std::filesystem;

std::string media_type_name(AVMediaType type) {
    switch (type) {
        case AVMEDIA_TYPE_VIDEO:
            return "video";
        case AVMEDIA_TYPE_AUDIO:
            return "audio";
        case AVMEDIA_TYPE_SUBTITLE:
            return "subtitle";
        case AVMEDIA_TYPE_ATTACHMENT:
            return "attachment";
        case AVMEDIA_TYPE_DATA:
            return "data";
        default:
            return "unknown";
    }
}

namespace {

bool is_matroska(const AVOutputFormat* format) {
    return std::strcmp(format->name, "matroska") == 0;
}

// The container to suggest for a stream the chosen one cannot hold: Matroska holds nearly
// everything; mp4/mov-only codecs (mov_text) point to those.
std::string suggest_container(AVMediaType type, AVCodecID codec) {
    if (type == AVMEDIA_TYPE_ATTACHMENT) {
        return "mkv";
    }
    const std::pair<const char*, const char*> choices[] = {
        {"matroska", "mkv"}, {"mp4", "mp4"}, {"mov", "mov"}};
    for (const auto& [muxer, extension] : choices) {
        const AVOutputFormat* format = av_guess_format(muxer, nullptr, nullptr);
        if (format != nullptr && avformat_query_codec(format, codec, FF_COMPLIANCE_NORMAL) == 1) {
            return extension;
        }
    }
    return "mkv";
}

Error not_supported(const AVOutputFormat* format,
                    int index,
                    AVMediaType type,
                    AVCodecID codec,
                    const fs::path& source,
                    const fs::path& output) {
    const std::string kind = media_type_name(type);
    Error e(ErrorCode::StreamNotSupported,
            "the " + std::string(format->name) + " container cannot hold " + kind + " stream #" +
                std::to_string(index) + " (" + avcodec_get_name(codec) + ") of the source");
    e.with("path", path_string(output))
        .with("source", path_string(source))
        .with("stream", std::to_string(index))
        .with("kind", kind)
        .with("codec", avcodec_get_name(codec))
        .with("container", format->name)
        .with("suggested_container", suggest_container(type, codec));
    return e;
}

}  // namespace

void StreamCopier::open(const fs::path& source,
                        AVFormatContext* output,
                        const fs::path& output_path,
                        std::vector<std::string>* notes) {
    m_source_path = source;
    m_output_path = output_path;
    m_output = output;
    OpenedInput opened = open_input(source);
    if (!opened.context) {
        opened.error.with("role", "passthrough_source");
        throw EngineException(opened.error);
    }
    AVFormatContext* input = opened.context.get();
    int rc = avformat_find_stream_info(input, nullptr);
    if (rc < 0) {
        throw EngineException(input_error(rc, "read stream information", source));
    }
    const int main_video = av_find_best_stream(input, AVMEDIA_TYPE_VIDEO, -1, -1, nullptr, 0);
    const AVOutputFormat* format = output->oformat;
    m_output_index_of.assign(input->nb_streams, -1);
    for (unsigned i = 0; i < input->nb_streams; ++i) {
        AVStream* in = input->streams[i];
        const AVMediaType type = in->codecpar->codec_type;
        const AVCodecID codec = in->codecpar->codec_id;
        const int index = static_cast<int>(i);
        if (type != AVMEDIA_TYPE_AUDIO && type != AVMEDIA_TYPE_SUBTITLE &&
            type != AVMEDIA_TYPE_ATTACHMENT) {
            in->discard = AVDISCARD_ALL;
            if (index != main_video) {
                notes->push_back(media_type_name(type) + " stream #" + std::to_string(index) +
                                 " (" + avcodec_get_name(codec) + ") of the source is not copied");
            }
            continue;
        }
        Mapping mapping;
        mapping.source_index = index;
        mapping.type = type;
        mapping.codec_id = codec;
        if (type == AVMEDIA_TYPE_ATTACHMENT) {
            // Only Matroska stores attachments; muxers' query_codec does not cover them.
            if (!is_matroska(format)) {
                throw EngineException(
                    not_supported(format, index, type, codec, source, output_path));
            }
        } else {
            int support = avformat_query_codec(format, codec, FF_COMPLIANCE_NORMAL);
            if (support == 0) {
                throw EngineException(
                    not_supported(format, index, type, codec, source, output_path));
            }
            mapping.support_unknown = support < 0;
        }
        AVStream* out = avformat_new_stream(output, nullptr);
        if (out == nullptr) {
            throw_error(ErrorCode::OutOfMemory, "avformat_new_stream failed");
        }
        rc = avcodec_parameters_copy(out->codecpar, in->codecpar);
        if (rc < 0) {
            throw_error(ErrorCode::OutOfMemory, "copying stream parameters failed");
        }
        // Codec tags are container specific; let the output muxer choose its own.
        out->codecpar->codec_tag = 0;
        out->time_base = in->time_base;
        out->disposition = in->disposition;
        av_dict_copy(&out->metadata, in->metadata, 0);
        mapping.output_index = out->index;
        m_output_index_of[i] = out->index;
        m_mappings.push_back(mapping);
    }
    if (input->nb_chapters > 0) {
        output->chapters =
            static_cast<AVChapter**>(av_calloc(input->nb_chapters, sizeof(AVChapter*)));
        if (output->chapters == nullptr) {
            throw_error(ErrorCode::OutOfMemory, "allocating chapters failed");
        }
        for (unsigned i = 0; i < input->nb_chapters; ++i) {
            const AVChapter* in = input->chapters[i];
            auto* out = static_cast<AVChapter*>(av_mallocz(sizeof(AVChapter)));
            if (out == nullptr) {
                throw_error(ErrorCode::OutOfMemory, "allocating a chapter failed");
            }
            out->id = in->id;
            out->time_base = in->time_base;
            out->start = in->start;
            out->end = in->end;
            av_dict_copy(&out->metadata, in->metadata, 0);
            output->chapters[i] = out;
            output->nb_chapters = i + 1;
        }
    }
    bool has_packets = false;
    for (const Mapping& m : m_mappings) {
        has_packets = has_packets || m.type != AVMEDIA_TYPE_ATTACHMENT;
    }
    if (has_packets) {
        m_input = std::move(opened.context);
        m_packet = make_packet();
    }
}

Error StreamCopier::header_error(int averror) const {
    for (const Mapping& m : m_mappings) {
        if (m.support_unknown) {
            Error e = not_supported(m_output->oformat, m.source_index, m.type, m.codec_id,
                                    m_source_path, m_output_path);
            e.detail += " (the muxer refused the header: " + error_text(averror) + ")";
            return e;
        }
    }
    return output_error(averror, "write container header", m_output_path);
}

bool StreamCopier::read_next() {
    for (;;) {
        int rc = av_read_frame(m_input.get(), m_packet.get());
        if (rc == AVERROR_EOF) {
            m_source_done = true;
            return false;
        }
        if (rc < 0) {
            Error e = input_error(rc, "read a passthrough packet", m_source_path);
            e.with("role", "passthrough_source");
            throw EngineException(e);
        }
        const int index = m_packet->stream_index;
        if (index < 0 || index >= static_cast<int>(m_output_index_of.size()) ||
            m_output_index_of[index] < 0) {
            av_packet_unref(m_packet.get());
            continue;
        }
        m_have_packet = true;
        return true;
    }
}

void StreamCopier::write_pending() {
    const int source_index = m_packet->stream_index;
    const int output_index = m_output_index_of[source_index];
    av_packet_rescale_ts(m_packet.get(), m_input->streams[source_index]->time_base,
                         m_output->streams[output_index]->time_base);
    m_packet->stream_index = output_index;
    m_packet->pos = -1;
    m_have_packet = false;
    int rc = av_interleaved_write_frame(m_output, m_packet.get());
    if (rc < 0) {
        Error e = output_error(rc, "write a passthrough packet", m_output_path);
        e.with("stream", std::to_string(source_index));
        throw EngineException(e);
    }
}

void StreamCopier::write_until(double until_seconds) {
    if (!m_input) {
        return;
    }
    while (!m_source_done) {
        if (!m_have_packet && !read_next()) {
            break;
        }
        const AVStream* stream = m_input->streams[m_packet->stream_index];
        std::int64_t ts = m_packet->dts != AV_NOPTS_VALUE ? m_packet->dts : m_packet->pts;
        if (ts != AV_NOPTS_VALUE &&
            static_cast<double>(ts) * av_q2d(stream->time_base) > until_seconds) {
            break;
        }
        write_pending();
    }
}

void StreamCopier::write_rest() {
    if (!m_input) {
        return;
    }
    while (!m_source_done) {
        if (!m_have_packet && !read_next()) {
            break;
        }
        write_pending();
    }
}

}  // namespace engine::io::ffmpeg
