#include "engine/io/support/synth_media.h"

#include <cmath>
#include <cstring>
#include <limits>
#include <memory>
#include <stdexcept>

extern "C" {
#include <libavutil/display.h>
#include <libavutil/imgutils.h>
#include <libavutil/mastering_display_metadata.h>
#include <libavutil/opt.h>
#include <libavutil/pixdesc.h>
}

namespace fvsr_test {
namespace fs = std::filesystem;

namespace {

std::string av_text(int rc) {
    char buffer[AV_ERROR_MAX_STRING_SIZE] = {};
    av_strerror(rc, buffer, sizeof(buffer));
    return buffer;
}

void check(int rc, const std::string& what) {
    if (rc < 0) {
        throw std::runtime_error(what + ": " + av_text(rc));
    }
}

void add_side_data(AVStream* stream, AVPacketSideDataType type, const void* data, size_t size) {
#if LIBAVCODEC_VERSION_INT >= AV_VERSION_INT(60, 31, 102)
    AVPacketSideData* sd = av_packet_side_data_new(
        &stream->codecpar->coded_side_data, &stream->codecpar->nb_coded_side_data, type, size, 0);
    if (sd == nullptr) {
        throw std::runtime_error("side data allocation failed");
    }
    std::memcpy(sd->data, data, size);
#else
    uint8_t* target = av_stream_new_side_data(stream, type, size);
    if (target == nullptr) {
        throw std::runtime_error("side data allocation failed");
    }
    std::memcpy(target, data, size);
#endif
}

void set_extradata(AVCodecParameters* par, const std::string& bytes) {
    par->extradata = static_cast<uint8_t*>(av_mallocz(bytes.size() + AV_INPUT_BUFFER_PADDING_SIZE));
    std::memcpy(par->extradata, bytes.data(), bytes.size());
    par->extradata_size = static_cast<int>(bytes.size());
}

const char* kAssHeader =
    "[Script Info]\r\n"
    "ScriptType: v4.00+\r\n"
    "PlayResX: 384\r\n"
    "PlayResY: 288\r\n"
    "\r\n"
    "[V4+ Styles]\r\n"
    "Format: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, "
    "BackColour, Bold, Italic, Underline, StrikeOut, ScaleX, ScaleY, Spacing, Angle, "
    "BorderStyle, Outline, Shadow, Alignment, MarginL, MarginR, MarginV, Encoding\r\n"
    "Style: Default,Arial,16,&Hffffff,&Hffffff,&H0,&H0,0,0,0,0,100,100,0,0,1,1,0,2,10,10,10,0\r\n"
    "\r\n"
    "[Events]\r\n"
    "Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text\r\n";

struct CodecContextDeleter {
    void operator()(AVCodecContext* c) const { avcodec_free_context(&c); }
};
using CodecPtr = std::unique_ptr<AVCodecContext, CodecContextDeleter>;

struct FrameDeleter {
    void operator()(AVFrame* f) const { av_frame_free(&f); }
};
using FramePtr = std::unique_ptr<AVFrame, FrameDeleter>;

struct PacketDeleter {
    void operator()(AVPacket* p) const { av_packet_free(&p); }
};
using PacketPtr = std::unique_ptr<AVPacket, PacketDeleter>;

struct OutputDeleter {
    void operator()(AVFormatContext* c) const {
        if (c->pb != nullptr) {
            avio_closep(&c->pb);
        }
        avformat_free_context(c);
    }
};

struct InputDeleter {
    void operator()(AVFormatContext* c) const { avformat_close_input(&c); }
};
using InputPtr = std::unique_ptr<AVFormatContext, InputDeleter>;

InputPtr open_for_reading(const fs::path& path) {
    AVFormatContext* raw = nullptr;
    check(avformat_open_input(&raw, ("file:" + path.u8string()).c_str(), nullptr, nullptr),
          "open " + path.u8string());
    InputPtr input(raw);
    check(avformat_find_stream_info(raw, nullptr), "stream info");
    return input;
}

void drain(AVCodecContext* codec, AVStream* stream, AVFormatContext* output, AVPacket* packet) {
    for (;;) {
        int rc = avcodec_receive_packet(codec, packet);
        if (rc == AVERROR(EAGAIN) || rc == AVERROR_EOF) {
            return;
        }
        check(rc, "receive packet");
        av_packet_rescale_ts(packet, codec->time_base, stream->time_base);
        packet->stream_index = stream->index;
        check(av_interleaved_write_frame(output, packet), "write packet");
    }
}

}  // namespace

void fill_pattern(AVFrame* frame, int index) {
    const auto format = static_cast<AVPixelFormat>(frame->format);
    const AVPixFmtDescriptor* desc = av_pix_fmt_desc_get(format);
    const int planes = av_pix_fmt_count_planes(format);
    for (int p = 0; p < planes; ++p) {
        int depth = 0;
        bool chroma = false;
        for (int c = 0; c < desc->nb_components; ++c) {
            if (desc->comp[c].plane == p) {
                depth = std::max(depth, desc->comp[c].depth);
                chroma = chroma || (!(desc->flags & AV_PIX_FMT_FLAG_RGB) && (c == 1 || c == 2));
            }
        }
        const int rows =
            chroma ? AV_CEIL_RSHIFT(frame->height, desc->log2_chroma_h) : frame->height;
        const int bytes = av_image_get_linesize(format, frame->width, p);
        const bool wide = depth > 8 && !(desc->flags & AV_PIX_FMT_FLAG_BITSTREAM);
        for (int y = 0; y < rows; ++y) {
            uint8_t* row = frame->data[p] + static_cast<std::ptrdiff_t>(y) * frame->linesize[p];
            if (wide) {
                auto* s = reinterpret_cast<uint16_t*>(row);
                const unsigned mask = (1u << depth) - 1u;
                for (int x = 0; x < bytes / 2; ++x) {
                    s[x] = static_cast<uint16_t>((x * 7 + y * 13 + index * 29 + p * 51) & mask);
                }
            } else {
                for (int x = 0; x < bytes; ++x) {
                    row[x] = static_cast<uint8_t>((x * 7 + y * 13 + index * 29 + p * 51) & 0xFF);
                }
            }
        }
    }
}

void fill_constant(AVFrame* frame, const std::vector<int>& plane_values) {
    const auto format = static_cast<AVPixelFormat>(frame->format);
    const AVPixFmtDescriptor* desc = av_pix_fmt_desc_get(format);
    const int planes = av_pix_fmt_count_planes(format);
    for (int p = 0; p < planes && p < static_cast<int>(plane_values.size()); ++p) {
        const bool chroma = !(desc->flags & AV_PIX_FMT_FLAG_RGB) && (p == 1 || p == 2);
        const int rows =
            chroma ? AV_CEIL_RSHIFT(frame->height, desc->log2_chroma_h) : frame->height;
        const int cols = chroma ? AV_CEIL_RSHIFT(frame->width, desc->log2_chroma_w) : frame->width;
        const bool wide = desc->comp[0].depth > 8;
        for (int y = 0; y < rows; ++y) {
            uint8_t* row = frame->data[p] + static_cast<std::ptrdiff_t>(y) * frame->linesize[p];
            for (int x = 0; x < cols; ++x) {
                if (wide) {
                    reinterpret_cast<uint16_t*>(row)[x] = static_cast<uint16_t>(plane_values[p]);
                } else {
                    row[x] = static_cast<uint8_t>(plane_values[p]);
                }
            }
        }
    }
}

std::array<std::int32_t, 9> rotation_matrix(int clockwise_degrees) {
    std::array<std::int32_t, 9> m{};
    // av_display_rotation_set turns clockwise (its getter reports counterclockwise).
    av_display_rotation_set(m.data(), clockwise_degrees);
    return m;
}

void write_media(const SynthFile& file) {
    AVFormatContext* raw = nullptr;
    const std::string name = file.path.u8string();
    check(
        avformat_alloc_output_context2(
            &raw, nullptr, file.container.empty() ? nullptr : file.container.c_str(), name.c_str()),
        "create muxer for " + name);
    std::unique_ptr<AVFormatContext, OutputDeleter> output(raw);
    const bool global_header = (raw->oformat->flags & AVFMT_GLOBALHEADER) != 0;

    CodecPtr video_codec;
    AVStream* video_stream = nullptr;
    if (file.video) {
        const SynthVideo& v = *file.video;
        const AVCodec* codec = avcodec_find_encoder_by_name(v.encoder.c_str());
        if (codec == nullptr) {
            throw std::runtime_error("no encoder " + v.encoder);
        }
        video_codec.reset(avcodec_alloc_context3(codec));
        AVCodecContext* c = video_codec.get();
        c->width = v.width;
        c->height = v.height;
        c->pix_fmt = v.pixel_format;
        c->time_base = v.time_base;
        c->framerate = v.frame_rate;
        c->color_primaries = v.primaries;
        c->color_trc = v.transfer;
        c->colorspace = v.matrix;
        c->color_range = v.range;
        c->thread_count = 1;
        if (global_header) {
            c->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
        }
        AVDictionary* options = nullptr;
        for (const auto& [k, value] : v.encoder_options) {
            av_dict_set(&options, k.c_str(), value.c_str(), 0);
        }
        int rc = avcodec_open2(c, codec, &options);
        av_dict_free(&options);
        check(rc, "open encoder " + v.encoder);
        video_stream = avformat_new_stream(raw, nullptr);
        check(avcodec_parameters_from_context(video_stream->codecpar, c), "video parameters");
        video_stream->time_base = v.time_base;
        video_stream->avg_frame_rate = v.frame_rate;
        if (v.hdr.mastering) {
            AVMasteringDisplayMetadata md{};
            const engine::MasteringDisplay& m = *v.hdr.mastering;
            for (int i = 0; i < 3; ++i) {
                md.display_primaries[i][0] = AVRational{m.primaries_x[i], 50000};
                md.display_primaries[i][1] = AVRational{m.primaries_y[i], 50000};
            }
            md.white_point[0] = AVRational{m.white_x, 50000};
            md.white_point[1] = AVRational{m.white_y, 50000};
            md.max_luminance = AVRational{static_cast<int>(m.max_luminance), 10000};
            md.min_luminance = AVRational{static_cast<int>(m.min_luminance), 10000};
            md.has_primaries = 1;
            md.has_luminance = 1;
            add_side_data(video_stream, AV_PKT_DATA_MASTERING_DISPLAY_METADATA, &md, sizeof(md));
        }
        if (v.hdr.content_light) {
            AVContentLightMetadata cl{};
            cl.MaxCLL = static_cast<unsigned>(v.hdr.content_light->max_cll);
            cl.MaxFALL = static_cast<unsigned>(v.hdr.content_light->max_fall);
            add_side_data(video_stream, AV_PKT_DATA_CONTENT_LIGHT_LEVEL, &cl, sizeof(cl));
        }
        if (v.display_matrix) {
            add_side_data(video_stream, AV_PKT_DATA_DISPLAYMATRIX, v.display_matrix->data(),
                          sizeof(std::int32_t) * 9);
        }
    }

    std::vector<CodecPtr> audio_codecs;
    std::vector<AVStream*> audio_streams;
    for (const SynthAudio& a : file.audio) {
        const AVCodec* codec = avcodec_find_encoder_by_name(a.encoder.c_str());
        if (codec == nullptr) {
            throw std::runtime_error("no encoder " + a.encoder);
        }
        CodecPtr c(avcodec_alloc_context3(codec));
        c->sample_rate = a.sample_rate;
        av_channel_layout_default(&c->ch_layout, a.channels);
        c->sample_fmt = codec->sample_fmts[0];
        c->time_base = AVRational{1, a.sample_rate};
        if (global_header) {
            c->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
        }
        check(avcodec_open2(c.get(), codec, nullptr), "open encoder " + a.encoder);
        AVStream* s = avformat_new_stream(raw, nullptr);
        check(avcodec_parameters_from_context(s->codecpar, c.get()), "audio parameters");
        s->time_base = c->time_base;
        if (!a.language.empty()) {
            av_dict_set(&s->metadata, "language", a.language.c_str(), 0);
        }
        audio_streams.push_back(s);
        audio_codecs.push_back(std::move(c));
    }

    std::vector<AVStream*> subtitle_streams;
    for (const SynthSubtitle& sub : file.subtitles) {
        AVStream* s = avformat_new_stream(raw, nullptr);
        s->codecpar->codec_type = AVMEDIA_TYPE_SUBTITLE;
        s->codecpar->codec_id = sub.codec == "ass"        ? AV_CODEC_ID_ASS
                                : sub.codec == "mov_text" ? AV_CODEC_ID_MOV_TEXT
                                                          : AV_CODEC_ID_SUBRIP;
        if (sub.codec == "ass") {
            set_extradata(s->codecpar, kAssHeader);
        }
        s->time_base = AVRational{1, 1000};
        if (!sub.language.empty()) {
            av_dict_set(&s->metadata, "language", sub.language.c_str(), 0);
        }
        subtitle_streams.push_back(s);
    }

    for (const SynthAttachment& att : file.attachments) {
        AVStream* s = avformat_new_stream(raw, nullptr);
        s->codecpar->codec_type = AVMEDIA_TYPE_ATTACHMENT;
        s->codecpar->codec_id = AV_CODEC_ID_TTF;
        set_extradata(s->codecpar, att.data);
        av_dict_set(&s->metadata, "filename", att.filename.c_str(), 0);
        av_dict_set(&s->metadata, "mimetype", att.mimetype.c_str(), 0);
    }

    if (!file.chapters.empty()) {
        raw->chapters =
            static_cast<AVChapter**>(av_calloc(file.chapters.size(), sizeof(AVChapter*)));
        for (std::size_t i = 0; i < file.chapters.size(); ++i) {
            auto* ch = static_cast<AVChapter*>(av_mallocz(sizeof(AVChapter)));
            ch->id = static_cast<std::int64_t>(i + 1);
            ch->time_base = AVRational{1, 1000};
            ch->start = file.chapters[i].start_ms;
            ch->end = file.chapters[i].end_ms;
            av_dict_set(&ch->metadata, "title", file.chapters[i].title.c_str(), 0);
            raw->chapters[i] = ch;
            raw->nb_chapters = static_cast<unsigned>(i + 1);
        }
    }

    check(avio_open(&raw->pb, ("file:" + name).c_str(), AVIO_FLAG_WRITE), "create " + name);
    AVDictionary* muxer_options = nullptr;
    for (const auto& [k, value] : file.muxer_options) {
        av_dict_set(&muxer_options, k.c_str(), value.c_str(), 0);
    }
    int rc = avformat_write_header(raw, &muxer_options);
    av_dict_free(&muxer_options);
    check(rc, "write header");

    PacketPtr packet(av_packet_alloc());
    if (file.video) {
        const SynthVideo& v = *file.video;
        AVCodecContext* c = video_codec.get();
        for (int i = 0; i < v.frames; ++i) {
            FramePtr frame(av_frame_alloc());
            frame->format = v.pixel_format;
            frame->width = v.width;
            frame->height = v.height;
            frame->color_primaries = v.primaries;
            frame->color_trc = v.transfer;
            frame->colorspace = v.matrix;
            frame->color_range = v.range;
            check(av_frame_get_buffer(frame.get(), 0), "frame buffer");
            if (v.fill) {
                v.fill(frame.get(), i);
            } else {
                fill_pattern(frame.get(), i);
            }
            frame->pts = v.pts.empty() ? i : v.pts[static_cast<std::size_t>(i)];
            check(avcodec_send_frame(c, frame.get()), "send frame");
            drain(c, video_stream, raw, packet.get());
        }
        check(avcodec_send_frame(c, nullptr), "flush video");
        drain(c, video_stream, raw, packet.get());
    }

    for (std::size_t a = 0; a < audio_codecs.size(); ++a) {
        AVCodecContext* c = audio_codecs[a].get();
        const int frame_size = c->frame_size > 0 ? c->frame_size : 1024;
        const std::int64_t total =
            static_cast<std::int64_t>(file.audio[a].seconds * file.audio[a].sample_rate);
        std::int64_t done = 0;
        while (done < total) {
            FramePtr frame(av_frame_alloc());
            frame->format = c->sample_fmt;
            frame->sample_rate = c->sample_rate;
            av_channel_layout_copy(&frame->ch_layout, &c->ch_layout);
            frame->nb_samples = static_cast<int>(std::min<std::int64_t>(frame_size, total - done));
            if (c->frame_size > 0 && !(c->codec->capabilities & AV_CODEC_CAP_VARIABLE_FRAME_SIZE)) {
                frame->nb_samples = frame_size;
            }
            check(av_frame_get_buffer(frame.get(), 0), "audio buffer");
            const int channels = c->ch_layout.nb_channels;
            const bool planar = av_sample_fmt_is_planar(c->sample_fmt);
            for (int s = 0; s < frame->nb_samples; ++s) {
                const double t = static_cast<double>(done + s) / c->sample_rate;
                const double value = 0.25 * std::sin(2.0 * M_PI * 440.0 * t);
                for (int ch = 0; ch < channels; ++ch) {
                    const int slot = planar ? s : s * channels + ch;
                    uint8_t* base = frame->data[planar ? ch : 0];
                    switch (c->sample_fmt) {
                        case AV_SAMPLE_FMT_S16:
                        case AV_SAMPLE_FMT_S16P:
                            reinterpret_cast<int16_t*>(base)[slot] =
                                static_cast<int16_t>(value * 32767.0);
                            break;
                        case AV_SAMPLE_FMT_S32:
                        case AV_SAMPLE_FMT_S32P:
                            reinterpret_cast<int32_t*>(base)[slot] =
                                static_cast<int32_t>(value * 2147483647.0);
                            break;
                        case AV_SAMPLE_FMT_FLT:
                        case AV_SAMPLE_FMT_FLTP:
                            reinterpret_cast<float*>(base)[slot] = static_cast<float>(value);
                            break;
                        default:
                            throw std::runtime_error("unhandled sample format");
                    }
                }
            }
            frame->pts = done;
            check(avcodec_send_frame(c, frame.get()), "send audio");
            drain(c, audio_streams[a], raw, packet.get());
            done += frame->nb_samples;
        }
        check(avcodec_send_frame(c, nullptr), "flush audio");
        drain(c, audio_streams[a], raw, packet.get());
    }

    for (std::size_t s = 0; s < file.subtitles.size(); ++s) {
        const SynthSubtitle& sub = file.subtitles[s];
        int order = 0;
        for (const SynthSubtitle::Cue& cue : sub.cues) {
            std::string text = cue.text;
            if (sub.codec == "ass") {
                text = std::to_string(order++) + ",0,Default,,0,0,0,," + cue.text;
            } else if (sub.codec == "mov_text") {
                // 3GPP timed text sample: 16-bit big-endian length, then the UTF-8 text.
                text = std::string(1, static_cast<char>(cue.text.size() >> 8)) +
                       static_cast<char>(cue.text.size() & 0xFF) + cue.text;
            }
            check(av_new_packet(packet.get(), static_cast<int>(text.size())), "subtitle packet");
            std::memcpy(packet->data, text.data(), text.size());
            packet->pts =
                av_rescale_q(cue.start_ms, AVRational{1, 1000}, subtitle_streams[s]->time_base);
            packet->dts = packet->pts;
            packet->duration =
                av_rescale_q(cue.duration_ms, AVRational{1, 1000}, subtitle_streams[s]->time_base);
            packet->stream_index = subtitle_streams[s]->index;
            packet->flags |= AV_PKT_FLAG_KEY;
            check(av_interleaved_write_frame(raw, packet.get()), "write subtitle");
        }
    }

    check(av_write_trailer(raw), "write trailer");
}

FileRecord inspect(const fs::path& path) {
    InputPtr input = open_for_reading(path);
    FileRecord record;
    record.format = input->iformat->name;
    for (unsigned i = 0; i < input->nb_streams; ++i) {
        const AVStream* s = input->streams[i];
        StreamRecord sr;
        sr.type = s->codecpar->codec_type;
        sr.codec = avcodec_get_name(s->codecpar->codec_id);
        if (s->codecpar->extradata_size > 0) {
            sr.extradata.assign(s->codecpar->extradata,
                                s->codecpar->extradata + s->codecpar->extradata_size);
        }
        const AVDictionaryEntry* e = nullptr;
        while ((e = av_dict_get(s->metadata, "", e, AV_DICT_IGNORE_SUFFIX))) {
            sr.metadata[e->key] = e->value;
        }
        sr.width = s->codecpar->width;
        sr.height = s->codecpar->height;
        sr.time_base = s->time_base;
        record.streams.push_back(std::move(sr));
    }
    for (unsigned i = 0; i < input->nb_chapters; ++i) {
        const AVChapter* ch = input->chapters[i];
        ChapterRecord cr;
        cr.start_seconds = static_cast<double>(ch->start) * av_q2d(ch->time_base);
        cr.end_seconds = static_cast<double>(ch->end) * av_q2d(ch->time_base);
        if (const AVDictionaryEntry* t = av_dict_get(ch->metadata, "title", nullptr, 0)) {
            cr.title = t->value;
        }
        record.chapters.push_back(cr);
    }
    return record;
}

std::vector<PacketRecord> read_packets(const fs::path& path, int stream_index) {
    InputPtr input = open_for_reading(path);
    std::vector<PacketRecord> packets;
    PacketPtr packet(av_packet_alloc());
    while (av_read_frame(input.get(), packet.get()) >= 0) {
        if (packet->stream_index == stream_index) {
            PacketRecord r;
            r.data.assign(packet->data, packet->data + packet->size);
            r.pts = packet->pts;
            r.dts = packet->dts;
            r.duration = packet->duration;
            r.time_base = input->streams[stream_index]->time_base;
            r.pos = packet->pos;
            packets.push_back(std::move(r));
        }
        av_packet_unref(packet.get());
    }
    return packets;
}

engine::Frame make_rgb_frame(int width, int height, engine::SampleType type, int index) {
    engine::Frame frame;
    frame.allocate(width, height, type);
    frame.bit_depth = type == engine::SampleType::U8 ? 8 : 16;
    frame.index = index;
    frame.pts = index;
    for (int y = 0; y < height; ++y) {
        for (int x = 0; x < width; ++x) {
            const double fx = static_cast<double>(x) / std::max(1, width - 1);
            const double fy = static_cast<double>(y) / std::max(1, height - 1);
            const double values[3] = {
                0.1 + 0.8 * fx,
                0.1 + 0.8 * fy,
                0.5 + 0.4 * std::sin(6.28318 * (fx + fy) * 0.5 + index * 0.3),
            };
            const std::size_t i = (static_cast<std::size_t>(y) * width + x) * 3;
            for (int c = 0; c < 3; ++c) {
                switch (type) {
                    case engine::SampleType::U8:
                        frame.samples<uint8_t>()[i + c] =
                            static_cast<uint8_t>(std::lround(values[c] * 255.0));
                        break;
                    case engine::SampleType::U16:
                        frame.samples<uint16_t>()[i + c] =
                            static_cast<uint16_t>(std::lround(values[c] * 65535.0));
                        break;
                    case engine::SampleType::F32:
                        frame.samples<float>()[i + c] = static_cast<float>(values[c]);
                        break;
                }
            }
        }
    }
    return frame;
}

double psnr(const engine::Frame& a, const engine::Frame& b) {
    if (a.width != b.width || a.height != b.height) {
        throw std::runtime_error("psnr: size mismatch");
    }
    double sum = 0.0;
    const std::size_t n = a.sample_count();
    for (std::size_t i = 0; i < n; ++i) {
        const int x = static_cast<int>(i / 3) % a.width;
        const int y = static_cast<int>(i / 3) / a.width;
        const int c = static_cast<int>(i % 3);
        const double d = a.value(x, y, c) - b.value(x, y, c);
        sum += d * d;
    }
    const double mse = sum / static_cast<double>(n);
    if (mse <= 0.0) {
        return std::numeric_limits<double>::infinity();
    }
    return 10.0 * std::log10(1.0 / mse);
}

}  // namespace fvsr_test
