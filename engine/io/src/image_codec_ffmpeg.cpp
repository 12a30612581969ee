#include "engine/core/paths.h"
#include "src/image_codec.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <memory>
#include <type_traits>

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavutil/error.h>
#include <libavutil/imgutils.h>
#include <libavutil/opt.h>
#include <libavutil/pixdesc.h>
#include <libswscale/swscale.h>
}

// Still images through libavcodec (built with FFmpeg only; src/without_ffmpeg.cpp otherwise).
namespace engine::io::image {
namespace fs = std::filesystem;

namespace {

struct CodecContextDeleter {
    void operator()(AVCodecContext* c) const { avcodec_free_context(&c); }
};
struct FrameDeleter {
    void operator()(AVFrame* f) const { av_frame_free(&f); }
};
struct PacketDeleter {
    void operator()(AVPacket* p) const { av_packet_free(&p); }
};
struct SwsDeleter {
    void operator()(SwsContext* s) const { sws_freeContext(s); }
};
using CodecContextPtr = std::unique_ptr<AVCodecContext, CodecContextDeleter>;
using AvFramePtr = std::unique_ptr<AVFrame, FrameDeleter>;
using PacketPtr = std::unique_ptr<AVPacket, PacketDeleter>;
using SwsPtr = std::unique_ptr<SwsContext, SwsDeleter>;

Error with_path(ErrorCode code, const std::string& detail, const fs::path& path) {
    Error e(code, detail);
    e.with("path", path_string(path));
    return e;
}

std::string av_error_text(int err) {
    char text[AV_ERROR_MAX_STRING_SIZE] = {};
    av_strerror(err, text, sizeof text);
    return text;
}

Error decoder_error(int err, const std::string& what, const fs::path& path) {
    ErrorCode code = ErrorCode::FileCorrupt;
    if (err == AVERROR_PATCHWELCOME || err == AVERROR(ENOSYS)) {
        code = ErrorCode::UnsupportedFormat;
    } else if (err == AVERROR(ENOMEM)) {
        code = ErrorCode::OutOfMemory;
    }
    Error e = with_path(code, what + ": " + av_error_text(err), path);
    e.with("av_error", std::to_string(err));
    return e;
}

// Per-component lookup from the source's code values (depth bits) to the output type.
struct ComponentMap {
    int depth = 8;
    std::vector<std::uint16_t> to_int;  // U8 / U16 output
    std::vector<float> to_float;        // F32 output
};

ComponentMap make_map(int depth, SampleType type) {
    ComponentMap map;
    map.depth = depth;
    const std::uint64_t max_in = (std::uint64_t{1} << depth) - 1;
    const std::size_t n = static_cast<std::size_t>(max_in) + 1;
    if (type == SampleType::F32) {
        map.to_float.resize(n);
        for (std::size_t v = 0; v < n; ++v) {
            map.to_float[v] =
                static_cast<float>(static_cast<double>(v) / static_cast<double>(max_in));
        }
        return map;
    }
    const std::uint64_t max_out = type == SampleType::U8 ? 255 : 65535;
    map.to_int.resize(n);
    for (std::size_t v = 0; v < n; ++v) {
        map.to_int[v] = static_cast<std::uint16_t>((v * max_out * 2 + max_in) / (2 * max_in));
    }
    return map;
}

// Copies an RGB or grey frame whose components av_read_image_line2 can read (no palette,
// bitstream, float, or subsampling) into `out`.
void copy_components(const AVFrame& src, const AVPixFmtDescriptor& desc, Frame& out) {
    const bool grey = !(desc.flags & AV_PIX_FMT_FLAG_RGB);
    const int channels = grey ? 1 : 3;
    ComponentMap maps[3];
    for (int c = 0; c < channels; ++c) {
        maps[c] = make_map(desc.comp[c].depth, out.type);
    }
    const int w = src.width;
    std::vector<std::uint16_t> line(static_cast<std::size_t>(w));
    const std::uint8_t* planes[4] = {src.data[0], src.data[1], src.data[2], src.data[3]};
    for (int y = 0; y < src.height; ++y) {
        for (int c = 0; c < channels; ++c) {
            av_read_image_line2(line.data(), planes, src.linesize, &desc, 0, y, c, w, 0, 2);
            const ComponentMap& map = maps[c];
            const std::size_t row = static_cast<std::size_t>(y) * w * 3;
            for (int x = 0; x < w; ++x) {
                const std::size_t v = std::min<std::size_t>(line[static_cast<std::size_t>(x)],
                                                            (std::size_t{1} << map.depth) - 1);
                for (int k = grey ? 0 : c; k < (grey ? 3 : c + 1); ++k) {
                    const std::size_t i = row + static_cast<std::size_t>(x) * 3 + k;
                    switch (out.type) {
                        case SampleType::U8:
                            out.samples<std::uint8_t>()[i] =
                                static_cast<std::uint8_t>(map.to_int[v]);
                            break;
                        case SampleType::U16:
                            out.samples<std::uint16_t>()[i] = map.to_int[v];
                            break;
                        case SampleType::F32:
                            out.samples<float>()[i] = map.to_float[v];
                            break;
                    }
                }
            }
        }
    }
}

// Fast paths for the layouts our decoders produce most (PNG/TIFF packed RGB, DPX planar GBR):
// the same mapping as copy_components without av_read_image_line2's per-sample bit fiddling.
template <typename Out>
void store(Frame& out, std::size_t i, const ComponentMap& map, std::size_t v) {
    if constexpr (std::is_same_v<Out, float>) {
        out.samples<float>()[i] = map.to_float[v];
    } else {
        out.samples<Out>()[i] = static_cast<Out>(map.to_int[v]);
    }
}

template <typename Out>
void copy_packed(const AVFrame& src,
                 int components,
                 int bytes,
                 bool big_endian,
                 const ComponentMap& map,
                 Frame& out) {
    for (int y = 0; y < src.height; ++y) {
        const std::uint8_t* row = src.data[0] + static_cast<std::ptrdiff_t>(y) * src.linesize[0];
        const std::size_t base = static_cast<std::size_t>(y) * src.width * 3;
        for (int x = 0; x < src.width; ++x) {
            const std::uint8_t* p = row + static_cast<std::size_t>(x) * components * bytes;
            for (int c = 0; c < 3; ++c) {
                std::size_t v = p[c * bytes];
                if (bytes == 2) {
                    v = big_endian ? (v << 8) | p[c * 2 + 1] : v | (std::size_t{p[c * 2 + 1]} << 8);
                }
                store<Out>(out, base + static_cast<std::size_t>(x) * 3 + c, map, v);
            }
        }
    }
}

template <typename Out>
void copy_planar_gbr(const AVFrame& src, const ComponentMap& map, Frame& out) {
    const int plane_of[3] = {2, 0, 1};  // R, G, B live in planes 2, 0, 1
    const std::size_t max_code =
        map.to_int.empty() ? map.to_float.size() - 1 : map.to_int.size() - 1;
    for (int y = 0; y < src.height; ++y) {
        const std::size_t base = static_cast<std::size_t>(y) * src.width * 3;
        for (int c = 0; c < 3; ++c) {
            const int p = plane_of[c];
            const auto* row = reinterpret_cast<const std::uint16_t*>(
                src.data[p] + static_cast<std::ptrdiff_t>(y) * src.linesize[p]);
            for (int x = 0; x < src.width; ++x) {
                const std::size_t v = std::min<std::size_t>(row[x], max_code);
                store<Out>(out, base + static_cast<std::size_t>(x) * 3 + c, map, v);
            }
        }
    }
}

template <typename Out>
bool copy_fast_typed(const AVFrame& src,
                     AVPixelFormat fmt,
                     const AVPixFmtDescriptor& desc,
                     Frame& out) {
    const bool little_host = AV_PIX_FMT_RGB48 == AV_PIX_FMT_RGB48LE;
    switch (fmt) {
        case AV_PIX_FMT_RGB24:
            copy_packed<Out>(src, 3, 1, false, make_map(8, out.type), out);
            return true;
        case AV_PIX_FMT_RGBA:
            copy_packed<Out>(src, 4, 1, false, make_map(8, out.type), out);
            return true;
        case AV_PIX_FMT_RGB48BE:
        case AV_PIX_FMT_RGB48LE:
            copy_packed<Out>(src, 3, 2, fmt == AV_PIX_FMT_RGB48BE, make_map(16, out.type), out);
            return true;
        case AV_PIX_FMT_RGBA64BE:
        case AV_PIX_FMT_RGBA64LE:
            copy_packed<Out>(src, 4, 2, fmt == AV_PIX_FMT_RGBA64BE, make_map(16, out.type), out);
            return true;
        case AV_PIX_FMT_GBRP10LE:
        case AV_PIX_FMT_GBRP12LE:
        case AV_PIX_FMT_GBRP16LE:
            if (!little_host) {
                return false;
            }
            copy_planar_gbr<Out>(src, make_map(desc.comp[0].depth, out.type), out);
            return true;
        default:
            return false;
    }
}

bool copy_fast(const AVFrame& src, AVPixelFormat fmt, const AVPixFmtDescriptor& desc, Frame& out) {
    switch (out.type) {
        case SampleType::U8:
            return copy_fast_typed<std::uint8_t>(src, fmt, desc, out);
        case SampleType::U16:
            return copy_fast_typed<std::uint16_t>(src, fmt, desc, out);
        case SampleType::F32:
            return copy_fast_typed<float>(src, fmt, desc, out);
    }
    return false;
}

bool readable_directly(const AVPixFmtDescriptor& desc) {
    const std::uint64_t excluded = AV_PIX_FMT_FLAG_PAL | AV_PIX_FMT_FLAG_BITSTREAM |
                                   AV_PIX_FMT_FLAG_HWACCEL | AV_PIX_FMT_FLAG_BAYER |
                                   AV_PIX_FMT_FLAG_FLOAT;
    if (desc.flags & excluded) {
        return false;
    }
    if (desc.flags & AV_PIX_FMT_FLAG_RGB) {
        return desc.nb_components >= 3 && desc.comp[0].depth <= 16 && desc.comp[1].depth <= 16 &&
               desc.comp[2].depth <= 16;
    }
    // Grey (Y or Y + alpha), no chroma.
    return desc.nb_components <= 2 && desc.comp[0].depth <= 16;
}

int max_depth(const AVPixFmtDescriptor& desc) {
    int depth = 0;
    for (int c = 0; c < std::min<int>(desc.nb_components, 3); ++c) {
        depth = std::max(depth, desc.comp[c].depth);
    }
    return depth;
}

ColorInfo color_of(const AVFrame& f, bool rgb) {
    ColorInfo color;
    color.primaries = f.color_primaries;
    color.transfer = f.color_trc;
    color.matrix = rgb ? 0 : f.colorspace;
    color.range = rgb ? 2 : f.color_range;
    return color;
}

Result<DecodedImage> convert(const AVFrame& src, SampleType type, const fs::path& path) {
    const auto fmt = static_cast<AVPixelFormat>(src.format);
    const AVPixFmtDescriptor* desc = av_pix_fmt_desc_get(fmt);
    if (desc == nullptr) {
        return with_path(ErrorCode::UnsupportedPixelFormat, "decoder returned no pixel format",
                         path);
    }
    DecodedImage image;
    image.pixel_format = av_get_pix_fmt_name(fmt);
    image.bit_depth = max_depth(*desc);
    image.frame.allocate(src.width, src.height, type);
    image.frame.bit_depth = type == SampleType::U8 ? std::min(image.bit_depth, 8) : image.bit_depth;
    if (readable_directly(*desc)) {
        image.color = color_of(src, true);
        if (!copy_fast(src, fmt, *desc, image.frame)) {
            copy_components(src, *desc, image.frame);
        }
        return image;
    }
    if (desc->flags & (AV_PIX_FMT_FLAG_HWACCEL | AV_PIX_FMT_FLAG_FLOAT)) {
        Error e =
            with_path(ErrorCode::UnsupportedPixelFormat, "unsupported decoded pixel format", path);
        e.with("pixel_format", image.pixel_format);
        return e;
    }
    // YUV (JPEG), palette and bit-packed formats: swscale to packed RGB first.
    const bool deep = image.bit_depth > 8;
    const AVPixelFormat rgb = deep ? AV_PIX_FMT_RGB48 : AV_PIX_FMT_RGB24;
    SwsPtr sws(sws_getContext(src.width, src.height, fmt, src.width, src.height, rgb,
                              SWS_BICUBIC | SWS_ACCURATE_RND | SWS_FULL_CHR_H_INT, nullptr, nullptr,
                              nullptr));
    if (!sws) {
        Error e = with_path(ErrorCode::UnsupportedPixelFormat, "no conversion to RGB", path);
        e.with("pixel_format", image.pixel_format);
        return e;
    }
    const bool yuv = !(desc->flags & AV_PIX_FMT_FLAG_RGB) && desc->nb_components >= 3;
    if (yuv) {
        int space = src.colorspace;
        if (space == AVCOL_SPC_UNSPECIFIED || space == AVCOL_SPC_RGB) {
            space = SWS_CS_ITU601;  // JPEG/JFIF
        }
        const bool full = src.color_range == AVCOL_RANGE_JPEG || fmt == AV_PIX_FMT_YUVJ420P ||
                          fmt == AV_PIX_FMT_YUVJ422P || fmt == AV_PIX_FMT_YUVJ444P ||
                          fmt == AV_PIX_FMT_YUVJ440P || fmt == AV_PIX_FMT_YUVJ411P;
        const int* coefficients = sws_getCoefficients(space);
        sws_setColorspaceDetails(sws.get(), coefficients, full ? 1 : 0, coefficients, 1, 0, 1 << 16,
                                 1 << 16);
    }
    AvFramePtr packed(av_frame_alloc());
    packed->format = rgb;
    packed->width = src.width;
    packed->height = src.height;
    if (av_frame_get_buffer(packed.get(), 0) < 0) {
        return with_path(ErrorCode::OutOfMemory, "cannot allocate a conversion buffer", path);
    }
    sws_scale(sws.get(), src.data, src.linesize, 0, src.height, packed->data, packed->linesize);
    const int bits = image.bit_depth;
    image.color = color_of(src, !yuv);
    if (yuv) {
        image.color.matrix = 0;  // converted to RGB
        image.color.range = 2;
    }
    if (!copy_fast(*packed, rgb, *av_pix_fmt_desc_get(rgb), image.frame)) {
        copy_components(*packed, *av_pix_fmt_desc_get(rgb), image.frame);
    }
    image.bit_depth = bits;
    return image;
}

AVCodecID codec_id(ImageFormat format) {
    switch (format) {
        case ImageFormat::PNG:
            return AV_CODEC_ID_PNG;
        case ImageFormat::JPEG:
            return AV_CODEC_ID_MJPEG;
        case ImageFormat::TIFF:
            return AV_CODEC_ID_TIFF;
        case ImageFormat::DPX:
            return AV_CODEC_ID_DPX;
        case ImageFormat::EXR:
            return AV_CODEC_ID_EXR;
    }
    return AV_CODEC_ID_NONE;
}

Result<DecodedImage> decode_with_libavcodec_impl(ImageFormat format,
                                                 const std::vector<std::uint8_t>& bytes,
                                                 const fs::path& path,
                                                 SampleType type) {
    const AVCodec* codec = avcodec_find_decoder(codec_id(format));
    if (codec == nullptr) {
        Error e =
            with_path(ErrorCode::UnsupportedFormat, "FFmpeg has no decoder for this format", path);
        e.with("codec", std::string(codec_name(format)));
        return e;
    }
    CodecContextPtr ctx(avcodec_alloc_context3(codec));
    PacketPtr packet(av_packet_alloc());
    AvFramePtr frame(av_frame_alloc());
    if (!ctx || !packet || !frame) {
        return with_path(ErrorCode::OutOfMemory, "cannot allocate a decoder", path);
    }
    ctx->thread_count = 1;  // one still image: threads would only add start-up cost
    if (int err = avcodec_open2(ctx.get(), codec, nullptr); err < 0) {
        return decoder_error(err, "cannot open the decoder", path);
    }
    if (bytes.size() > static_cast<std::size_t>(INT32_MAX - AV_INPUT_BUFFER_PADDING_SIZE)) {
        return with_path(ErrorCode::UnsupportedFormat, "image file larger than 2 GiB", path);
    }
    if (av_new_packet(packet.get(), static_cast<int>(bytes.size())) < 0) {
        return with_path(ErrorCode::OutOfMemory, "cannot allocate a packet", path);
    }
    std::memcpy(packet->data, bytes.data(), bytes.size());
    packet->flags |= AV_PKT_FLAG_KEY;
    if (int err = avcodec_send_packet(ctx.get(), packet.get()); err < 0) {
        return decoder_error(err, "decoder rejected the image", path);
    }
    avcodec_send_packet(ctx.get(), nullptr);
    if (int err = avcodec_receive_frame(ctx.get(), frame.get()); err < 0) {
        return decoder_error(
            err == AVERROR(EAGAIN) || err == AVERROR_EOF ? AVERROR_INVALIDDATA : err,
            "decoder produced no picture", path);
    }
    if (frame->width < 1 || frame->height < 1) {
        return with_path(ErrorCode::FileCorrupt, "decoded picture is empty", path);
    }
    return convert(*frame, type, path);
}

}  // namespace

Result<DecodedImage> decode_raster(ImageFormat format,
                                   const std::vector<std::uint8_t>& bytes,
                                   const fs::path& path,
                                   SampleType type) {
    return decode_with_libavcodec_impl(format, bytes, path, type);
}

Result<std::vector<std::uint8_t>> encode_png(const Frame& frame,
                                             int bit_depth,
                                             const ColorInfo& color) {
    if (bit_depth != 8 && bit_depth != 16) {
        return Error(ErrorCode::InvalidArgument, "PNG bit depth must be 8 or 16")
            .with("bit_depth", std::to_string(bit_depth));
    }
    if (frame.width < 1 || frame.height < 1 ||
        frame.data.size() != frame.sample_count() * bytes_per_sample(frame.type)) {
        return Error(ErrorCode::InvalidArgument, "PNG: empty or inconsistent frame");
    }
    const AVCodec* codec = avcodec_find_encoder(AV_CODEC_ID_PNG);
    if (codec == nullptr) {
        return Error(ErrorCode::EncoderUnavailable, "FFmpeg has no PNG encoder");
    }
    CodecContextPtr ctx(avcodec_alloc_context3(codec));
    AvFramePtr picture(av_frame_alloc());
    PacketPtr packet(av_packet_alloc());
    if (!ctx || !picture || !packet) {
        return Error(ErrorCode::OutOfMemory, "cannot allocate the PNG encoder");
    }
    const AVPixelFormat fmt = bit_depth == 8 ? AV_PIX_FMT_RGB24 : AV_PIX_FMT_RGB48BE;
    ctx->width = frame.width;
    ctx->height = frame.height;
    ctx->pix_fmt = fmt;
    ctx->time_base = AVRational{1, 25};
    ctx->thread_count = 1;
    ctx->color_primaries = static_cast<AVColorPrimaries>(color.primaries);
    ctx->color_trc = static_cast<AVColorTransferCharacteristic>(color.transfer);
    av_opt_set(ctx->priv_data, "pred", "paeth", 0);
    if (int err = avcodec_open2(ctx.get(), codec, nullptr); err < 0) {
        return Error(ErrorCode::EncodeFailed, "cannot open the PNG encoder: " + av_error_text(err));
    }
    picture->format = fmt;
    picture->width = frame.width;
    picture->height = frame.height;
    picture->color_primaries = ctx->color_primaries;
    picture->color_trc = ctx->color_trc;
    if (av_frame_get_buffer(picture.get(), 0) < 0) {
        return Error(ErrorCode::OutOfMemory, "cannot allocate the PNG picture");
    }
    const std::size_t row_samples = static_cast<std::size_t>(frame.width) * 3;
    for (int y = 0; y < frame.height; ++y) {
        std::uint8_t* dst =
            picture->data[0] + static_cast<std::ptrdiff_t>(y) * picture->linesize[0];
        const std::size_t base = static_cast<std::size_t>(y) * row_samples;
        for (std::size_t i = 0; i < row_samples; ++i) {
            std::uint32_t v = 0;
            switch (frame.type) {
                case SampleType::U8: {
                    const std::uint32_t s = frame.samples<std::uint8_t>()[base + i];
                    v = bit_depth == 8 ? s : s * 257;
                    break;
                }
                case SampleType::U16: {
                    const std::uint32_t s = frame.samples<std::uint16_t>()[base + i];
                    v = bit_depth == 16 ? s : (s * 255 * 2 + 65535) / 131070;
                    break;
                }
                case SampleType::F32: {
                    const float s = frame.samples<float>()[base + i];
                    const float clamped = std::isnan(s) ? 0.0f : std::clamp(s, 0.0f, 1.0f);
                    v = static_cast<std::uint32_t>(
                        std::lround(clamped * (bit_depth == 8 ? 255.0f : 65535.0f)));
                    break;
                }
            }
            if (bit_depth == 8) {
                dst[i] = static_cast<std::uint8_t>(v);
            } else {
                dst[2 * i] = static_cast<std::uint8_t>(v >> 8);
                dst[2 * i + 1] = static_cast<std::uint8_t>(v);
            }
        }
    }
    if (int err = avcodec_send_frame(ctx.get(), picture.get()); err < 0) {
        return Error(ErrorCode::EncodeFailed,
                     "PNG encoder rejected the frame: " + av_error_text(err));
    }
    avcodec_send_frame(ctx.get(), nullptr);
    if (int err = avcodec_receive_packet(ctx.get(), packet.get()); err < 0) {
        return Error(ErrorCode::EncodeFailed,
                     "PNG encoder produced nothing: " + av_error_text(err));
    }
    return std::vector<std::uint8_t>(packet->data, packet->data + packet->size);
}

}  // namespace engine::io::image
