#include "ffmpeg_convert.h"

#include <algorithm>
#include <cmath>
#include <cstring>

extern "C" {
#include <libavutil/display.h>
}

namespace engine::io::ffmpeg {

namespace {

// Bicubic only matters when a stream changes size mid-way or chroma is upsampled; the chroma
// flags keep full horizontal chroma resolution, ACCURATE_RND avoids the fast paths' rounding
// bias (visible as a 1-code drift on 10-bit material).
constexpr int kSwsFlags = SWS_BICUBIC | SWS_ACCURATE_RND | SWS_FULL_CHR_H_INT | SWS_FULL_CHR_H_INP;

int snap(std::int32_t value) {
    double v = static_cast<double>(value) / 65536.0;
    if (std::fabs(v - 1.0) < 0.01) {
        return 1;
    }
    if (std::fabs(v + 1.0) < 0.01) {
        return -1;
    }
    if (std::fabs(v) < 0.01) {
        return 0;
    }
    return 2;  // not a right-angle matrix
}

bool is_yuv_like(AVPixelFormat format) {
    const AVPixFmtDescriptor* desc = av_pix_fmt_desc_get(format);
    return desc != nullptr && !(desc->flags & AV_PIX_FMT_FLAG_RGB) &&
           !(desc->flags & AV_PIX_FMT_FLAG_PAL);
}

template <typename T>
void reorient(const Frame& in, const Orientation& o, Frame* out) {
    const int out_w = out->width;
    const int out_h = out->height;
    const int cx = -(std::min(o.dx_dX * (out_w - 1), 0) + std::min(o.dx_dY * (out_h - 1), 0));
    const int cy = -(std::min(o.dy_dX * (out_w - 1), 0) + std::min(o.dy_dY * (out_h - 1), 0));
    const T* src = in.samples<T>();
    T* dst = out->samples<T>();
    const std::ptrdiff_t step_x = (static_cast<std::ptrdiff_t>(o.dy_dX) * in.width + o.dx_dX) * 3;
    for (int y_out = 0; y_out < out_h; ++y_out) {
        const int x0 = cx + o.dx_dY * y_out;
        const int y0 = cy + o.dy_dY * y_out;
        const T* s = src + (static_cast<std::ptrdiff_t>(y0) * in.width + x0) * 3;
        T* d = dst + static_cast<std::ptrdiff_t>(y_out) * out_w * 3;
        for (int x_out = 0; x_out < out_w; ++x_out) {
            d[0] = s[0];
            d[1] = s[1];
            d[2] = s[2];
            d += 3;
            s += step_x;
        }
    }
}

}  // namespace

Orientation orientation_from_display_matrix(const std::int32_t matrix[9]) {
    Orientation o;
    int a = snap(matrix[0]);
    int b = snap(matrix[1]);
    int c = snap(matrix[3]);
    int d = snap(matrix[4]);
    double ccw = av_display_rotation_get(matrix);
    if (std::isnan(ccw)) {
        return o;
    }
    int clockwise = static_cast<int>(std::lround(-ccw / 90.0)) * 90;
    clockwise = ((clockwise % 360) + 360) % 360;
    bool right_angle = a != 2 && b != 2 && c != 2 && d != 2 && std::abs(a * d - b * c) == 1;
    if (!right_angle) {
        // Snap an arbitrary rotation to the nearest quarter turn (no flip).
        switch (clockwise) {
            case 90:
                a = 0, b = 1, c = -1, d = 0;
                break;
            case 180:
                a = -1, b = 0, c = 0, d = -1;
                break;
            case 270:
                a = 0, b = -1, c = 1, d = 0;
                break;
            default:
                a = 1, b = 0, c = 0, d = 1;
                break;
        }
    }
    // The display matrix maps source to display: X = a*x + c*y, Y = b*x + d*y (plus a shift).
    // It is orthogonal, so the inverse is its transpose.
    o.dx_dX = a;
    o.dx_dY = b;
    o.dy_dX = c;
    o.dy_dY = d;
    o.flipped = a * d - b * c < 0;
    o.rotation_degrees = clockwise;
    return o;
}

Frame apply_orientation(const Frame& frame, const Orientation& orientation) {
    if (orientation.identity()) {
        return frame;
    }
    Frame out;
    out.bit_depth = frame.bit_depth;
    out.pts = frame.pts;
    out.time_base = frame.time_base;
    out.index = frame.index;
    if (orientation.swaps_axes()) {
        out.allocate(frame.height, frame.width, frame.type);
    } else {
        out.allocate(frame.width, frame.height, frame.type);
    }
    switch (frame.type) {
        case SampleType::U8:
            reorient<std::uint8_t>(frame, orientation, &out);
            break;
        case SampleType::U16:
            reorient<std::uint16_t>(frame, orientation, &out);
            break;
        case SampleType::F32:
            reorient<float>(frame, orientation, &out);
            break;
    }
    return out;
}

void RgbConverter::convert(const AVFrame& picture,
                           const YuvInterpretation& colour,
                           int width,
                           int height,
                           SampleType type,
                           Frame* out) {
    const auto in_format = static_cast<AVPixelFormat>(picture.format);
    // The sample type libswscale writes. Float output goes through rgb48, except from 8-bit RGB
    // where libswscale's rgb48 path is not an exact x257 scaling but rgb24 is exact.
    SampleType target_type = type;
    if (type == SampleType::F32) {
        target_type = pixel_format_is_rgb(in_format) && pixel_format_depth(in_format) <= 8
                          ? SampleType::U8
                          : SampleType::U16;
    }
    const AVPixelFormat out_format =
        target_type == SampleType::U8 ? AV_PIX_FMT_RGB24 : AV_PIX_FMT_RGB48;
    if (!m_sws || m_in_format != picture.format || m_in_width != picture.width ||
        m_in_height != picture.height || m_out_width != width || m_out_height != height ||
        m_out_format != out_format || m_colour.matrix != colour.matrix ||
        m_colour.full_range != colour.full_range) {
        m_sws.reset(sws_getContext(picture.width, picture.height, in_format, width, height,
                                   out_format, kSwsFlags, nullptr, nullptr, nullptr));
        if (!m_sws) {
            throw_error(ErrorCode::UnsupportedPixelFormat,
                        std::string("cannot convert pixel format ") +
                            av_get_pix_fmt_name(in_format) + " to RGB",
                        {{"pixel_format", av_get_pix_fmt_name(in_format)}});
        }
        if (is_yuv_like(in_format)) {
            const int* coefficients = sws_coefficients_for(colour.matrix);
            sws_setColorspaceDetails(m_sws.get(), coefficients, colour.full_range ? 1 : 0,
                                     coefficients, 1, 0, 1 << 16, 1 << 16);
        }
        m_in_format = picture.format;
        m_in_width = picture.width;
        m_in_height = picture.height;
        m_out_width = width;
        m_out_height = height;
        m_out_format = out_format;
        m_colour = colour;
    }
    Frame* target = type == SampleType::F32 ? &m_wide : out;
    if (target->width != width || target->height != height || target->type != target_type ||
        target->data.size() !=
            static_cast<std::size_t>(width) * height * 3 * bytes_per_sample(target_type)) {
        target->allocate(width, height, target_type);
    } else {
        target->width = width;
        target->height = height;
        target->type = target_type;
    }
    std::uint8_t* dst[4] = {target->data.data(), nullptr, nullptr, nullptr};
    int dst_stride[4] = {width * 3 * static_cast<int>(bytes_per_sample(target_type)), 0, 0, 0};
    sws_scale(m_sws.get(), picture.data, picture.linesize, 0, picture.height, dst, dst_stride);
    if (type == SampleType::F32) {
        out->allocate(width, height, SampleType::F32);
        float* f = out->samples<float>();
        const std::size_t n = out->sample_count();
        if (target_type == SampleType::U8) {
            const auto* src = m_wide.samples<std::uint8_t>();
            for (std::size_t i = 0; i < n; ++i) {
                f[i] = static_cast<float>(src[i]) / 255.0f;
            }
        } else {
            const auto* src = m_wide.samples<std::uint16_t>();
            for (std::size_t i = 0; i < n; ++i) {
                f[i] = static_cast<float>(src[i]) / 65535.0f;
            }
        }
    }
}

void YuvConverter::convert(const Frame& frame, int matrix, bool full_range, AVFrame* picture) {
    const Frame* source = &frame;
    if (frame.type == SampleType::F32) {
        m_scratch = from_float(frame, SampleType::U16, 16);
        source = &m_scratch;
    }
    const AVPixelFormat in_format =
        source->type == SampleType::U8 ? AV_PIX_FMT_RGB24 : AV_PIX_FMT_RGB48;
    const auto out_format = static_cast<AVPixelFormat>(picture->format);
    if (!m_sws || m_in_format != in_format || m_out_format != out_format ||
        m_width != frame.width || m_height != frame.height) {
        m_sws.reset(sws_getContext(frame.width, frame.height, in_format, picture->width,
                                   picture->height, out_format, kSwsFlags, nullptr, nullptr,
                                   nullptr));
        if (!m_sws) {
            throw_error(ErrorCode::EncodeFailed,
                        std::string("cannot convert RGB to the encoder's pixel format ") +
                            av_get_pix_fmt_name(out_format),
                        {{"pixel_format", av_get_pix_fmt_name(out_format)}});
        }
        if (is_yuv_like(out_format)) {
            const int* coefficients = sws_coefficients_for(matrix);
            sws_setColorspaceDetails(m_sws.get(), coefficients, 1, coefficients, full_range ? 1 : 0,
                                     0, 1 << 16, 1 << 16);
        }
        m_in_format = in_format;
        m_out_format = out_format;
        m_width = frame.width;
        m_height = frame.height;
    }
    const std::uint8_t* src[4] = {source->data.data(), nullptr, nullptr, nullptr};
    int src_stride[4] = {source->width * 3 * static_cast<int>(bytes_per_sample(source->type)), 0, 0,
                         0};
    sws_scale(m_sws.get(), src, src_stride, 0, source->height, picture->data, picture->linesize);
}

}  // namespace engine::io::ffmpeg
