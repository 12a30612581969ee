#include "ffmpeg_encoder.h"

#include "engine/core/log.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

extern "C" {
#include <libavutil/opt.h>
}

namespace engine::io::ffmpeg {

namespace {

enum class Family { X264, X265, SvtAv1, AomAv1, Rav1e, Nvenc, ProRes, Ffv1 };

struct Candidate {
    const char* name;
    Family family;
    bool hardware;
};

std::vector<Candidate> candidates_for(VideoCodec codec, bool hardware) {
    std::vector<Candidate> list;
    switch (codec) {
        case VideoCodec::H264:
            if (hardware) {
                list.push_back({"h264_nvenc", Family::Nvenc, true});
            }
            list.push_back({"libx264", Family::X264, false});
            break;
        case VideoCodec::H265:
            if (hardware) {
                list.push_back({"hevc_nvenc", Family::Nvenc, true});
            }
            list.push_back({"libx265", Family::X265, false});
            break;
        case VideoCodec::AV1:
            if (hardware) {
                list.push_back({"av1_nvenc", Family::Nvenc, true});
            }
            list.push_back({"libsvtav1", Family::SvtAv1, false});
            list.push_back({"libaom-av1", Family::AomAv1, false});
            list.push_back({"librav1e", Family::Rav1e, false});
            break;
        case VideoCodec::ProRes422HQ:
        case VideoCodec::ProRes4444:
            list.push_back({"prores_ks", Family::ProRes, false});
            break;
        case VideoCodec::FFV1:
            list.push_back({"ffv1", Family::Ffv1, false});
            break;
    }
    return list;
}

// CRF per preset, on each encoder's own scale (Lossless handled separately).
int preset_crf(Family family, QualityPreset preset) {
    // VeryHigh, High, Medium, Small
    static const int x264[4] = {14, 18, 22, 27};
    static const int x265[4] = {16, 20, 24, 28};
    static const int av1[4] = {20, 26, 32, 38};
    static const int nvenc[4] = {16, 20, 24, 28};
    int i = 1;
    switch (preset) {
        case QualityPreset::Lossless:
        case QualityPreset::VeryHigh:
            i = 0;
            break;
        case QualityPreset::High:
            i = 1;
            break;
        case QualityPreset::Medium:
            i = 2;
            break;
        case QualityPreset::Small:
            i = 3;
            break;
    }
    switch (family) {
        case Family::X264:
            return x264[i];
        case Family::X265:
            return x265[i];
        case Family::SvtAv1:
        case Family::AomAv1:
        case Family::Rav1e:
            return av1[i];
        case Family::Nvenc:
            return nvenc[i];
        case Family::ProRes:
        case Family::Ffv1:
            return 0;
    }
    return 0;
}

int max_crf(Family family) {
    switch (family) {
        case Family::SvtAv1:
        case Family::AomAv1:
        case Family::Rav1e:
            return 63;
        default:
            return 51;
    }
}

AVPixelFormat pixel_format_for(Family family, VideoCodec codec, int bit_depth) {
    switch (family) {
        case Family::Nvenc:
            return bit_depth > 8 ? AV_PIX_FMT_P010LE : AV_PIX_FMT_YUV420P;
        case Family::ProRes:
            return codec == VideoCodec::ProRes4444 ? AV_PIX_FMT_YUV444P10LE
                                                   : AV_PIX_FMT_YUV422P10LE;
        case Family::Ffv1:
            switch (bit_depth) {
                case 8:
                    return AV_PIX_FMT_BGR0;
                case 10:
                    return AV_PIX_FMT_GBRP10LE;
                case 12:
                    return AV_PIX_FMT_GBRP12LE;
                default:
                    return AV_PIX_FMT_GBRP16LE;
            }
        default:
            return bit_depth > 8 ? AV_PIX_FMT_YUV420P10LE : AV_PIX_FMT_YUV420P;
    }
}

std::string hdr_params_x26x(const HdrMetadata& hdr,
                            const char* mastering_key,
                            const char* cll_key) {
    std::string params;
    if (hdr.mastering) {
        const MasteringDisplay& m = *hdr.mastering;
        char buffer[256];
        // G, B, R order as in the HEVC SEI / x265 documentation; our arrays are R, G, B.
        std::snprintf(buffer, sizeof(buffer), "%s=G(%d,%d)B(%d,%d)R(%d,%d)WP(%d,%d)L(%lld,%lld)",
                      mastering_key, m.primaries_x[1], m.primaries_y[1], m.primaries_x[2],
                      m.primaries_y[2], m.primaries_x[0], m.primaries_y[0], m.white_x, m.white_y,
                      static_cast<long long>(m.max_luminance),
                      static_cast<long long>(m.min_luminance));
        params += buffer;
    }
    if (hdr.content_light) {
        if (!params.empty()) {
            params += ":";
        }
        params += std::string(cll_key) + "=" + std::to_string(hdr.content_light->max_cll) + "," +
                  std::to_string(hdr.content_light->max_fall);
    }
    return params;
}

std::string hdr_params_svt(const HdrMetadata& hdr) {
    std::string params;
    if (hdr.mastering) {
        const MasteringDisplay& m = *hdr.mastering;
        char buffer[320];
        // SVT-AV1 takes real values: chromaticities 0..1 and luminance in cd/m^2.
        std::snprintf(buffer, sizeof(buffer),
                      "mastering-display=G(%.5f,%.5f)B(%.5f,%.5f)R(%.5f,%.5f)WP(%.5f,%.5f)"
                      "L(%.4f,%.4f)",
                      m.primaries_x[1] / 50000.0, m.primaries_y[1] / 50000.0,
                      m.primaries_x[2] / 50000.0, m.primaries_y[2] / 50000.0,
                      m.primaries_x[0] / 50000.0, m.primaries_y[0] / 50000.0, m.white_x / 50000.0,
                      m.white_y / 50000.0, static_cast<double>(m.max_luminance) / 10000.0,
                      static_cast<double>(m.min_luminance) / 10000.0);
        params += buffer;
    }
    if (hdr.content_light) {
        if (!params.empty()) {
            params += ":";
        }
        params += "content-light=" + std::to_string(hdr.content_light->max_cll) + "," +
                  std::to_string(hdr.content_light->max_fall);
    }
    if (!params.empty()) {
        params += ":enable-hdr=1";
    }
    return params;
}

void append_param(std::string* list, const std::string& param) {
    if (param.empty()) {
        return;
    }
    if (!list->empty()) {
        *list += ":";
    }
    *list += param;
}

struct Configured {
    AVDictionary* options = nullptr;
    ~Configured() { av_dict_free(&options); }
};

void validate(const SinkOptions& options) {
    const std::string codec = video_codec_name(options.codec);
    if (options.width <= 0 || options.height <= 0) {
        throw_error(
            ErrorCode::InvalidArgument, "output size must be positive",
            {{"width", std::to_string(options.width)}, {"height", std::to_string(options.height)}});
    }
    const bool subsampled = options.codec == VideoCodec::H264 ||
                            options.codec == VideoCodec::H265 || options.codec == VideoCodec::AV1 ||
                            options.codec == VideoCodec::ProRes422HQ;
    if (subsampled && (options.width % 2 != 0 ||
                       (options.codec != VideoCodec::ProRes422HQ && options.height % 2 != 0))) {
        throw_error(ErrorCode::InvalidArgument,
                    codec + " stores chroma at half resolution and needs an even width" +
                        (options.codec == VideoCodec::ProRes422HQ ? "" : " and height"),
                    {{"codec", codec},
                     {"width", std::to_string(options.width)},
                     {"height", std::to_string(options.height)}});
    }
    bool depth_ok = false;
    switch (options.codec) {
        case VideoCodec::H264:
        case VideoCodec::H265:
        case VideoCodec::AV1:
        case VideoCodec::ProRes422HQ:
        case VideoCodec::ProRes4444:
            depth_ok = options.bit_depth == 8 || options.bit_depth == 10;
            break;
        case VideoCodec::FFV1:
            depth_ok = options.bit_depth == 8 || options.bit_depth == 10 ||
                       options.bit_depth == 12 || options.bit_depth == 16;
            break;
    }
    if (!depth_ok) {
        throw_error(ErrorCode::InvalidArgument,
                    "unsupported bit depth " + std::to_string(options.bit_depth) + " for " + codec +
                        " (8 or 10; FFV1 also 12 and 16)",
                    {{"codec", codec}, {"bit_depth", std::to_string(options.bit_depth)}});
    }
    if (!options.frame_rate.valid() || !options.time_base.valid()) {
        throw_error(ErrorCode::InvalidArgument, "frame rate and time base must be positive",
                    {{"frame_rate", std::to_string(options.frame_rate.num) + "/" +
                                        std::to_string(options.frame_rate.den)},
                     {"time_base", std::to_string(options.time_base.num) + "/" +
                                       std::to_string(options.time_base.den)}});
    }
}

// Sets the encoder's private options (rate control, speed, HDR parameters).
void configure(Family family,
               const SinkOptions& options,
               AVCodecContext* context,
               AVDictionary** dict,
               std::vector<std::string>* notes) {
    const bool lossless = !options.crf && options.quality == QualityPreset::Lossless;
    int crf = options.crf ? *options.crf : preset_crf(family, options.quality);
    if (options.crf && family != Family::ProRes && family != Family::Ffv1 &&
        (*options.crf < 0 || *options.crf > max_crf(family))) {
        throw_error(
            ErrorCode::InvalidArgument,
            "CRF " + std::to_string(*options.crf) + " is outside 0.." +
                std::to_string(max_crf(family)),
            {{"crf", std::to_string(*options.crf)}, {"codec", video_codec_name(options.codec)}});
    }
    const double fps = options.frame_rate.to_double();
    context->gop_size = std::clamp(static_cast<int>(std::lround(fps * 10.0)), 1, 600);
    switch (family) {
        case Family::X264: {
            av_dict_set(dict, "preset", "medium", 0);
            if (lossless) {
                av_dict_set(dict, "qp", "0", 0);
            } else {
                av_dict_set(dict, "crf", std::to_string(crf).c_str(), 0);
            }
            std::string params = hdr_params_x26x(options.hdr, "mastering-display", "cll");
            if (!params.empty()) {
                av_dict_set(dict, "x264-params", params.c_str(), 0);
            }
            break;
        }
        case Family::X265: {
            av_dict_set(dict, "preset", "medium", 0);
            std::string params = "log-level=error";
            if (lossless) {
                append_param(&params, "lossless=1");
            } else {
                av_dict_set(dict, "crf", std::to_string(crf).c_str(), 0);
            }
            std::string hdr = hdr_params_x26x(options.hdr, "master-display", "max-cll");
            if (!hdr.empty()) {
                append_param(&params, hdr);
                append_param(&params, "hdr10=1:repeat-headers=1");
            }
            av_dict_set(dict, "x265-params", params.c_str(), 0);
            break;
        }
        case Family::SvtAv1: {
            if (lossless) {
                crf = 1;
                notes->push_back("SVT-AV1 has no lossless mode; Lossless uses CRF 1");
            }
            av_dict_set(dict, "preset", "8", 0);
            av_dict_set(dict, "crf", std::to_string(crf).c_str(), 0);
            std::string params = hdr_params_svt(options.hdr);
            if (!params.empty()) {
                av_dict_set(dict, "svtav1-params", params.c_str(), 0);
            }
            break;
        }
        case Family::AomAv1:
            av_dict_set(dict, "cpu-used", "6", 0);
            av_dict_set(dict, "row-mt", "1", 0);
            if (lossless) {
                av_dict_set(dict, "lossless", "1", 0);
            } else {
                av_dict_set(dict, "crf", std::to_string(crf).c_str(), 0);
            }
            context->bit_rate = 0;
            break;
        case Family::Rav1e:
            av_dict_set(dict, "speed", "6", 0);
            // rav1e's quantiser runs 0..255; CRF 0..63 maps linearly.
            av_dict_set(dict, "qp", std::to_string(lossless ? 0 : crf * 4).c_str(), 0);
            break;
        case Family::Nvenc:
            av_dict_set(dict, "preset", "p5", 0);
            if (lossless) {
                av_dict_set(dict, "tune", "lossless", 0);
            } else {
                av_dict_set(dict, "rc", "vbr", 0);
                av_dict_set(dict, "cq", std::to_string(crf).c_str(), 0);
                context->bit_rate = 0;
            }
            break;
        case Family::ProRes:
            av_dict_set(dict, "profile", options.codec == VideoCodec::ProRes4444 ? "4444" : "hq",
                        0);
            if (options.crf) {
                notes->push_back("ProRes quality is set by its profile; the CRF is not used");
            }
            if (options.bit_depth != 10) {
                notes->push_back("ProRes is always coded with 10 bits per component");
            }
            break;
        case Family::Ffv1:
            av_dict_set(dict, "level", "3", 0);
            av_dict_set(dict, "slicecrc", "1", 0);
            // Slices are FFV1's unit of threading (encode and decode) and of damage containment.
            context->slices =
                static_cast<std::int64_t>(options.width) * options.height >= 1280 * 720 ? 16 : 4;
            context->gop_size = 1;
            if (options.crf) {
                notes->push_back("FFV1 is always lossless; the quality setting is not used");
            }
            break;
    }
}

}  // namespace

ColorInfo resolve_output_colour(const ColorInfo& requested, bool rgb_coding) {
    ColorInfo c = requested;
    if (rgb_coding) {
        c.matrix = AVCOL_SPC_RGB;
        c.range = AVCOL_RANGE_JPEG;
        return c;
    }
    if (c.matrix == AVCOL_SPC_RGB || c.matrix == AVCOL_SPC_UNSPECIFIED ||
        c.matrix == AVCOL_SPC_RESERVED || c.matrix > AVCOL_SPC_BT2020_CL) {
        c.matrix = AVCOL_SPC_BT709;
    }
    c.range = c.range == AVCOL_RANGE_JPEG ? AVCOL_RANGE_JPEG : AVCOL_RANGE_MPEG;
    return c;
}

OpenedEncoder open_video_encoder(const SinkOptions& options,
                                 bool global_header,
                                 std::vector<std::string>* notes) {
    validate(options);
    const std::string codec_name = video_codec_name(options.codec);
    std::vector<Candidate> candidates = candidates_for(options.codec, options.hardware_encoder);
    std::string tried;
    std::string pending_hardware_note;
    for (const Candidate& candidate : candidates) {
        if (!tried.empty()) {
            tried += ", ";
        }
        tried += candidate.name;
        const AVCodec* codec = avcodec_find_encoder_by_name(candidate.name);
        if (codec == nullptr) {
            if (candidate.hardware) {
                pending_hardware_note =
                    std::string(candidate.name) + " is not available in this FFmpeg build";
            }
            continue;
        }
        const int bit_depth =
            candidate.family == Family::ProRes ? 10 : std::max(8, options.bit_depth);
        const AVPixelFormat format = pixel_format_for(candidate.family, options.codec, bit_depth);
        const bool rgb = pixel_format_is_rgb(format);
        const ColorInfo colour = resolve_output_colour(options.color, rgb);

        CodecContextPtr context(avcodec_alloc_context3(codec));
        if (!context) {
            throw_error(ErrorCode::OutOfMemory, "avcodec_alloc_context3 failed");
        }
        context->width = options.width;
        context->height = options.height;
        context->pix_fmt = format;
        context->time_base = to_av(options.time_base);
        context->framerate = to_av(options.frame_rate);
        context->sample_aspect_ratio = AVRational{1, 1};
        context->color_primaries = static_cast<AVColorPrimaries>(colour.primaries);
        context->color_trc = static_cast<AVColorTransferCharacteristic>(colour.transfer);
        context->colorspace = static_cast<AVColorSpace>(colour.matrix);
        context->color_range = static_cast<AVColorRange>(colour.range);
        context->bits_per_raw_sample = pixel_format_depth(format);
        context->thread_count = 0;
        if (global_header) {
            context->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
        }
        Configured configured;
        std::vector<std::string> local_notes;
        configure(candidate.family, options, context.get(), &configured.options, &local_notes);
        int rc = avcodec_open2(context.get(), codec, &configured.options);
        if (rc < 0) {
            if (candidate.hardware) {
                pending_hardware_note = std::string(candidate.name) +
                                        " is present but could not be opened (" + error_text(rc) +
                                        ")";
                continue;
            }
            Error e(
                ErrorCode::EncoderUnavailable,
                std::string("opening encoder ") + candidate.name + " failed: " + error_text(rc));
            e.with("codec", codec_name).with("encoder", candidate.name);
            e.with("ffmpeg_error", error_text(rc));
            throw EngineException(e);
        }
        const AVDictionaryEntry* unused = nullptr;
        while ((unused = av_dict_get(configured.options, "", unused, AV_DICT_IGNORE_SUFFIX))) {
            log_warning(std::string("encoder ") + candidate.name + " ignored option " +
                        unused->key);
        }
        if (candidate.hardware) {
            notes->push_back(std::string("using hardware encoder ") + candidate.name);
        } else if (!pending_hardware_note.empty()) {
            notes->push_back(pending_hardware_note + "; using " + candidate.name);
        }
        notes->insert(notes->end(), local_notes.begin(), local_notes.end());
        OpenedEncoder opened;
        opened.context = std::move(context);
        opened.encoder_name = candidate.name;
        opened.hardware = candidate.hardware;
        opened.rgb = rgb;
        opened.bit_depth = pixel_format_depth(format);
        return opened;
    }
    Error e(ErrorCode::EncoderUnavailable,
            "no encoder for " + codec_name + " is available (tried " + tried + ")");
    e.with("codec", codec_name).with("tried", tried);
    if (!pending_hardware_note.empty()) {
        e.with("hardware", pending_hardware_note);
    }
    throw EngineException(e);
}

}  // namespace engine::io::ffmpeg
