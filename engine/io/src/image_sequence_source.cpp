#include "engine/core/paths.h"
#include "engine/io/image_sequence.h"
#include "src/image_codec.h"
#include "src/image_sequence_files.h"

#include <algorithm>
#include <optional>

namespace engine::io {
namespace fs = std::filesystem;

namespace {

// Converts a U16 frame decoded from a <= 8-bit file down to U8 (exact: such values are v * 257).
Frame u16_to_u8(const Frame& in) {
    Frame out;
    out.allocate(in.width, in.height, SampleType::U8);
    out.bit_depth = std::min(in.bit_depth, 8);
    const auto* s = in.samples<std::uint16_t>();
    auto* d = out.samples<std::uint8_t>();
    for (std::size_t i = 0; i < in.sample_count(); ++i) {
        d[i] = static_cast<std::uint8_t>((static_cast<std::uint32_t>(s[i]) * 510 + 65535) / 131070);
    }
    return out;
}

class ImageSequenceSource final : public FrameSource {
  public:
    ImageSequenceSource(const SourceOptions& options, sequence::InputListing listing)
        : m_options(options), m_listing(std::move(listing)) {}

    Status open() {
        if (m_options.first_frame < 0) {
            return Error(ErrorCode::InvalidArgument, "first_frame must not be negative")
                .with("first_frame", std::to_string(m_options.first_frame));
        }
        if (!m_options.sequence_fps.valid()) {
            return Error(ErrorCode::InvalidArgument, "image sequence frame rate must be positive")
                .with("fps_num", std::to_string(m_options.sequence_fps.num))
                .with("fps_den", std::to_string(m_options.sequence_fps.den));
        }
        const auto count = static_cast<std::int64_t>(m_listing.files.size());
        m_next = m_options.first_frame;
        m_end = count;
        if (m_options.max_frames >= 0) {
            m_end = std::min(count, m_next + m_options.max_frames);
        }
        // The frame that describes the sequence: the first one delivered (or the very first
        // when nothing will be delivered).
        const std::int64_t probe = m_next < count ? m_next : 0;
        const image::ImageFormat format = m_listing.format;
        const SampleType decode_type =
            (format == image::ImageFormat::EXR || m_options.preferred_type == SampleType::F32)
                ? SampleType::F32
                : SampleType::U16;
        auto first = load(probe, decode_type);
        if (!first.ok()) {
            return first.error();
        }
        m_width = first->frame.width;
        m_height = first->frame.height;
        m_type = image::output_type(format, m_options.preferred_type, first->bit_depth);

        m_info.path = m_options.input;
        m_info.container = "image2";
        m_info.codec_name = std::string(image::codec_name(format));
        m_info.pixel_format = first->pixel_format;
        m_info.width = m_width;
        m_info.height = m_height;
        m_info.bit_depth = first->bit_depth;
        m_info.frame_rate = m_options.sequence_fps;
        m_info.time_base = Rational{m_options.sequence_fps.den, m_options.sequence_fps.num};
        m_info.frame_count = count;
        m_info.frame_count_exact = true;
        m_info.duration_seconds = static_cast<double>(count) / m_options.sequence_fps.to_double();
        m_info.color = first->color;
        if (probe == m_next) {
            m_cached = std::move(first.value());
            m_cached_index = probe;
        }
        return {};
    }

    const VideoInfo& info() const override { return m_info; }

    Result<std::optional<Frame>> next() override {
        if (m_next >= m_end) {
            return std::optional<Frame>();
        }
        const std::int64_t index = m_next;
        std::optional<image::DecodedImage> decoded;
        if (m_cached && m_cached_index == index) {
            decoded = std::move(m_cached);
            m_cached.reset();
        } else {
            auto loaded =
                load(index, m_type == SampleType::F32 ? SampleType::F32 : SampleType::U16);
            if (!loaded.ok()) {
                return loaded.error();
            }
            decoded = std::move(loaded.value());
        }
        Frame frame = std::move(decoded->frame);
        if (frame.width != m_width || frame.height != m_height) {
            Error e(ErrorCode::UnsupportedFormat,
                    "image size differs from the sequence's first frame");
            e.with("path", path_string(m_listing.files[static_cast<std::size_t>(index)]))
                .with("reason", "size_mismatch")
                .with("expected_width", std::to_string(m_width))
                .with("expected_height", std::to_string(m_height))
                .with("actual_width", std::to_string(frame.width))
                .with("actual_height", std::to_string(frame.height));
            return e;
        }
        if (frame.type == SampleType::U16 && m_type == SampleType::U8) {
            frame = u16_to_u8(frame);
        } else if (frame.type == SampleType::F32 && m_type != SampleType::F32) {
            frame = from_float(frame, m_type, m_type == SampleType::U8 ? 8 : 16);
        }
        frame.index = index;
        frame.pts = index;
        frame.time_base = m_info.time_base;
        ++m_next;
        return std::optional<Frame>(std::move(frame));
    }

  private:
    Result<image::DecodedImage> load(std::int64_t index, SampleType type) {
        const fs::path& path = m_listing.files[static_cast<std::size_t>(index)];
        auto bytes = image::read_file(path);
        if (!bytes.ok()) {
            return bytes.error();
        }
        auto decoded = image::decode(m_listing.format, bytes.value(), path, type);
        if (!decoded.ok()) {
            return decoded.error();
        }
        decoded->frame.bit_depth = decoded->bit_depth;
        return decoded;
    }

    SourceOptions m_options;
    sequence::InputListing m_listing;
    VideoInfo m_info;
    std::int64_t m_next = 0;
    std::int64_t m_end = 0;
    int m_width = 0;
    int m_height = 0;
    SampleType m_type = SampleType::U16;
    std::optional<image::DecodedImage> m_cached;
    std::int64_t m_cached_index = -1;
};

}  // namespace

Result<std::unique_ptr<FrameSource>> open_image_sequence_source(const SourceOptions& options) {
    auto listing = sequence::list_input(options.input);
    if (!listing.ok()) {
        return listing.error();
    }
    auto source = std::make_unique<ImageSequenceSource>(options, std::move(listing.value()));
    if (Status s = source->open(); !s.ok()) {
        return s.error();
    }
    return std::unique_ptr<FrameSource>(std::move(source));
}

}  // namespace engine::io
