// Builds without FFmpeg (FVSR_HAVE_FFMPEG off, e.g. the GPU machine): the FFmpeg-backed entry
// points exist and fail at run time with UnsupportedFormat saying what is missing, so engine_io
// has the same API in every build. DPX stills are decoded by our own reader instead.

#include "engine/core/paths.h"
#include "engine/io/dpx.h"
#include "engine/io/video_file.h"
#include "src/image_codec.h"
#include "src/without_library.h"

namespace engine::io {

Result<std::unique_ptr<FrameSource>> open_video_source(const SourceOptions& options) {
    return missing_library_error("FFmpeg", "Reading this video file", options.input);
}

Result<std::unique_ptr<FrameSink>> open_video_sink(const SinkOptions& options) {
    return missing_library_error("FFmpeg", "Writing " + video_codec_name(options.codec) + " video",
                                 options.output);
}

namespace image {

namespace {

std::string dpx_pixel_format(const DpxHeader& h) {
    const std::string endian = h.big_endian ? "be" : "le";
    const std::string depth = std::to_string(h.bit_depth);
    if (h.descriptor == 6) {
        return h.bit_depth == 8 ? "gray" : "gray" + depth + endian;
    }
    const bool alpha = h.descriptor == 51;
    if (h.bit_depth == 8) {
        return alpha ? "rgba" : "rgb24";
    }
    if (h.bit_depth == 16) {
        return (alpha ? "rgba64" : "rgb48") + endian;
    }
    // libavcodec hands 10- and 12-bit RGB(A) over as native-endian planar GBR(A).
    return (alpha ? "gbrap" : "gbrp") + depth + "le";
}

}  // namespace

Result<DecodedImage> decode_raster(ImageFormat format,
                                   const std::vector<std::uint8_t>& bytes,
                                   const std::filesystem::path& path,
                                   SampleType type) {
    if (format != ImageFormat::DPX) {
        Error e = missing_library_error(
            "FFmpeg", "Reading " + std::string(codec_name(format)) + " images", path);
        e.with("format", std::string(codec_name(format)));
        return e;
    }
    DpxHeader header;
    auto frame = decode_dpx(bytes.data(), bytes.size(), path, type, &header);
    if (!frame.ok()) {
        return frame.error();
    }
    DecodedImage image;
    image.frame = std::move(frame.value());
    image.bit_depth = header.bit_depth;
    image.pixel_format = dpx_pixel_format(header);
    image.color = color_from_dpx(header.transfer, header.colorimetric);
    return image;
}

Result<std::vector<std::uint8_t>> encode_png(const Frame&, int, const ColorInfo&) {
    return missing_library_error("FFmpeg", "Writing PNG images", {}).with("format", "png");
}

}  // namespace image
}  // namespace engine::io
