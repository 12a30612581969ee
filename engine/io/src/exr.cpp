#include "engine/io/exr.h"

#include "engine/core/paths.h"
#include "exr_layout.h"

#include <Imath/half.h>
#include <OpenEXR/IexBaseExc.h>
#include <OpenEXR/ImfChannelList.h>
#include <OpenEXR/ImfChromaticities.h>
#include <OpenEXR/ImfFrameBuffer.h>
#include <OpenEXR/ImfHeader.h>
#include <OpenEXR/ImfIO.h>
#include <OpenEXR/ImfInputFile.h>
#include <OpenEXR/ImfOutputFile.h>
#include <OpenEXR/ImfRationalAttribute.h>
#include <OpenEXR/ImfStandardAttributes.h>
#include <OpenEXR/ImfThreading.h>
#include <OpenEXR/ImfTileDescription.h>
#include <OpenEXR/ImfVersion.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <mutex>
#include <string>
#include <vector>

namespace engine::io {
namespace {

class MemoryOStream : public Imf::OStream {
  public:
    MemoryOStream() : Imf::OStream("memory") {}
    void write(const char c[], int n) override {
        if (m_position + static_cast<std::size_t>(n) > m_bytes.size()) {
            m_bytes.resize(m_position + static_cast<std::size_t>(n));
        }
        std::memcpy(m_bytes.data() + m_position, c, static_cast<std::size_t>(n));
        m_position += static_cast<std::size_t>(n);
    }
    std::uint64_t tellp() override { return m_position; }
    void seekp(std::uint64_t pos) override { m_position = static_cast<std::size_t>(pos); }
    std::vector<std::uint8_t> take() { return std::move(m_bytes); }

  private:
    std::vector<std::uint8_t> m_bytes;
    std::size_t m_position = 0;
};

// OpenEXR compresses and decompresses chunks on its global thread pool; numThreads passed to a
// file only matters when the pool has threads. Grown once, never shrunk (process-wide state).
int ensure_pool(int threads) {
    if (threads <= 0) {
        return 0;
    }
    static std::mutex mutex;
    std::lock_guard<std::mutex> lock(mutex);
    if (Imf::globalThreadCount() < threads) {
        Imf::setGlobalThreadCount(threads);
    }
    return threads;
}

Error exr_error(ErrorCode code, const std::string& detail, const std::filesystem::path& path) {
    Error e(code, "EXR: " + detail);
    e.with("path", path_string(path));
    return e;
}

bool near(float a_x, float a_y, float x, float y) {
    return std::abs(a_x - x) < 1e-3f && std::abs(a_y - y) < 1e-3f;
}

int primaries_from_chromaticities(const exr_detail::ExrChromaticities& c) {
    if (near(c.red_x, c.red_y, 0.64f, 0.33f) && near(c.green_x, c.green_y, 0.30f, 0.60f) &&
        near(c.blue_x, c.blue_y, 0.15f, 0.06f)) {
        return 1;
    }
    if (near(c.red_x, c.red_y, 0.708f, 0.292f) && near(c.green_x, c.green_y, 0.170f, 0.797f) &&
        near(c.blue_x, c.blue_y, 0.131f, 0.046f)) {
        return 9;
    }
    return 2;
}

// Reads a file whose header was rewritten: `prefix` (magic, version, a header written by
// encode-side Imf code, the chunk offset table) followed by the file's bytes from the end of its
// own offset table onwards. Positions are those of the rewritten file.
class SplicedIStream : public Imf::IStream {
  public:
    SplicedIStream(const std::vector<std::uint8_t>& prefix,
                   const std::uint8_t* rest,
                   std::uint64_t rest_size,
                   const std::string& name)
        : Imf::IStream(name.c_str()), m_prefix(prefix), m_rest(rest), m_rest_size(rest_size) {}

    bool read(char c[], int n) override {
        const std::uint64_t total = m_prefix.size() + m_rest_size;
        if (n < 0 || m_position > total || static_cast<std::uint64_t>(n) > total - m_position) {
            throw Iex::InputExc("Unexpected end of file.");
        }
        std::uint64_t done = 0;
        while (done < static_cast<std::uint64_t>(n)) {
            const std::uint64_t at = m_position + done;
            const std::uint64_t want = static_cast<std::uint64_t>(n) - done;
            std::uint64_t got = 0;
            if (at < m_prefix.size()) {
                got = std::min<std::uint64_t>(want, m_prefix.size() - at);
                std::memcpy(c + done, m_prefix.data() + at, static_cast<std::size_t>(got));
            } else {
                got = want;
                std::memcpy(c + done, m_rest + (at - m_prefix.size()),
                            static_cast<std::size_t>(got));
            }
            done += got;
        }
        m_position += done;
        return m_position < total;
    }
    std::uint64_t tellg() override { return m_position; }
    void seekg(std::uint64_t pos) override { m_position = pos; }

  private:
    const std::vector<std::uint8_t>& m_prefix;
    const std::uint8_t* m_rest;
    std::uint64_t m_rest_size;
    std::uint64_t m_position = 0;
};

const exr_detail::ExrChannel* find_channel(const exr_detail::ExrLayout& layout, const char* name) {
    for (const auto& channel : layout.channels) {
        if (channel.name == name) {
            return &channel;
        }
    }
    return nullptr;
}

// Header-level facts and the checks that make a file one we can decode into a frame.
Result<ExrInfo> describe(const exr_detail::ExrLayout& layout, const std::filesystem::path& path) {
    using exr_detail::PixelType;
    const std::int64_t width =
        std::int64_t{layout.data_window.max_x} - layout.data_window.min_x + 1;
    const std::int64_t height =
        std::int64_t{layout.data_window.max_y} - layout.data_window.min_y + 1;
    ExrInfo info;
    const auto* r = find_channel(layout, "R");
    const auto* g = find_channel(layout, "G");
    const auto* b = find_channel(layout, "B");
    const auto* y = find_channel(layout, "Y");
    info.has_alpha = find_channel(layout, "A") != nullptr;
    std::vector<const exr_detail::ExrChannel*> used;
    if (r != nullptr && g != nullptr && b != nullptr) {
        used = {r, g, b};
    } else if (y != nullptr) {
        info.luminance_only = true;
        used = {y};
    } else {
        Error e = exr_error(ErrorCode::UnsupportedPixelFormat, "no R/G/B or Y channel", path);
        std::string names;
        for (const auto& channel : layout.channels) {
            names += (names.empty() ? "" : ",") + channel.name;
        }
        e.with("channels", names);
        return e;
    }
    bool all_half = true;
    for (const auto* channel : used) {
        all_half = all_half && channel->type == PixelType::Half;
        if (channel->x_sampling != 1 || channel->y_sampling != 1) {
            return exr_error(ErrorCode::UnsupportedPixelFormat,
                             "subsampled channel " + channel->name, path)
                .with("x_sampling", std::to_string(channel->x_sampling))
                .with("y_sampling", std::to_string(channel->y_sampling));
        }
    }
    if (width < 1 || height < 1 || width > 65536 || height > 65536) {
        return exr_error(ErrorCode::FileCorrupt, "implausible data window", path)
            .with("width", std::to_string(width))
            .with("height", std::to_string(height));
    }
    info.width = static_cast<int>(width);
    info.height = static_cast<int>(height);
    info.bit_depth = all_half ? 16 : 32;
    info.complete = layout.chunks == exr_detail::ChunkState::Present;
    info.color.transfer = 8;  // scene-linear by convention
    info.color.matrix = 0;
    info.color.range = 2;
    if (layout.chromaticities) {
        info.color.primaries = primaries_from_chromaticities(*layout.chromaticities);
    }
    return info;
}

// Magic, version, a header holding only the values OpenEXR needs to decode the pixels (written
// by Imf from the checked layout, so Imf never parses the file's own header), and the chunk
// offset table moved by the difference in header size. Throws what Imf throws.
std::vector<std::uint8_t> rewritten_prefix(const exr_detail::ExrLayout& layout) {
    const exr_detail::ExrBox& data = layout.data_window;
    const exr_detail::ExrBox& display = layout.display_window;
    Imf::Header header(
        Imath::Box2i(Imath::V2i(display.min_x, display.min_y),
                     Imath::V2i(display.max_x, display.max_y)),
        Imath::Box2i(Imath::V2i(data.min_x, data.min_y), Imath::V2i(data.max_x, data.max_y)),
        layout.pixel_aspect_ratio,
        Imath::V2f(layout.screen_window_center_x, layout.screen_window_center_y),
        layout.screen_window_width, static_cast<Imf::LineOrder>(layout.line_order),
        static_cast<Imf::Compression>(layout.compression));
    bool long_names = false;
    for (const auto& channel : layout.channels) {
        header.channels().insert(
            channel.name,
            Imf::Channel(static_cast<Imf::PixelType>(channel.type), channel.x_sampling,
                         channel.y_sampling, channel.perceptually_linear));
        long_names = long_names || channel.name.size() > 31;
    }
    if (layout.tiled) {
        header.setTileDescription(
            Imf::TileDescription(layout.tile_width, layout.tile_height,
                                 static_cast<Imf::LevelMode>(layout.tile_level_mode),
                                 static_cast<Imf::LevelRoundingMode>(layout.tile_rounding_mode)));
    }
    const int version = Imf::EXR_VERSION | (layout.tiled ? Imf::TILED_FLAG : 0) |
                        (long_names ? Imf::LONG_NAMES_FLAG : 0);
    MemoryOStream stream;
    const auto put_u32 = [&stream](std::uint32_t v) {
        const char bytes[4] = {static_cast<char>(v & 0xff), static_cast<char>((v >> 8) & 0xff),
                               static_cast<char>((v >> 16) & 0xff),
                               static_cast<char>((v >> 24) & 0xff)};
        stream.write(bytes, 4);
    };
    put_u32(static_cast<std::uint32_t>(Imf::MAGIC));
    put_u32(static_cast<std::uint32_t>(version));
    header.writeTo(stream, layout.tiled);
    const std::uint64_t table_end = stream.tellp() + 8 * layout.chunk_offsets.size();
    for (const std::uint64_t old_offset : layout.chunk_offsets) {
        // check_chunks guaranteed old_offset >= the old table's end.
        const std::uint64_t offset = old_offset - layout.chunk_table_end() + table_end;
        put_u32(static_cast<std::uint32_t>(offset & 0xffffffffu));
        put_u32(static_cast<std::uint32_t>(offset >> 32));
    }
    return stream.take();
}

Result<exr_detail::ExrLayout> layout_and_info(const exr_detail::ByteSource& source,
                                              const std::filesystem::path& path,
                                              ExrInfo& info) {
    auto layout = exr_detail::read_exr_layout(source, path);
    if (!layout.ok()) {
        return layout.error();
    }
    auto described = describe(layout.value(), path);
    if (!described.ok()) {
        return described.error();
    }
    info = described.value();
    return layout;
}
}  // namespace

Result<std::vector<std::uint8_t>> encode_exr(const Frame& frame, const ExrWriteOptions& options) {
    if (options.bit_depth != 16 && options.bit_depth != 32) {
        return Error(ErrorCode::InvalidArgument, "EXR bit depth must be 16 (half) or 32 (float)")
            .with("bit_depth", std::to_string(options.bit_depth));
    }
    if (frame.width < 1 || frame.height < 1 ||
        frame.data.size() != frame.sample_count() * bytes_per_sample(frame.type)) {
        return Error(ErrorCode::InvalidArgument, "EXR: empty or inconsistent frame");
    }
    Frame as_float;
    const Frame* source = &frame;
    if (frame.type != SampleType::F32) {
        as_float = to_float(frame);
        source = &as_float;
    }
    try {
        Imf::Header header(frame.width, frame.height);
        switch (options.compression) {
            case ExrCompression::PIZ:
                header.compression() = Imf::PIZ_COMPRESSION;
                break;
            case ExrCompression::ZIP:
                header.compression() = Imf::ZIP_COMPRESSION;
                break;
            case ExrCompression::DWAA:
                header.compression() = Imf::DWAA_COMPRESSION;
                break;
            case ExrCompression::None:
                header.compression() = Imf::NO_COMPRESSION;
                break;
        }
        const Imf::PixelType type = options.bit_depth == 16 ? Imf::HALF : Imf::FLOAT;
        for (const char* name : {"R", "G", "B"}) {
            header.channels().insert(name, Imf::Channel(type));
        }
        if (options.color.primaries == 1) {
            Imf::addChromaticities(header, Imf::Chromaticities());  // BT.709 / sRGB, D65
        } else if (options.color.primaries == 9) {
            Imf::addChromaticities(
                header,
                Imf::Chromaticities(Imath::V2f(0.708f, 0.292f), Imath::V2f(0.170f, 0.797f),
                                    Imath::V2f(0.131f, 0.046f), Imath::V2f(0.3127f, 0.3290f)));
        }
        if (options.frame_rate.valid()) {
            Imf::addFramesPerSecond(
                header, Imf::Rational(options.frame_rate.num,
                                      static_cast<unsigned int>(options.frame_rate.den)));
        }
        MemoryOStream stream;
        {
            Imf::OutputFile file(stream, header, ensure_pool(options.threads));
            Imf::FrameBuffer buffer;
            // OpenEXR converts pixel types when reading but not when writing: HALF channels need
            // a half buffer.
            std::vector<Imath::half> halves;
            char* base = reinterpret_cast<char*>(const_cast<float*>(source->samples<float>()));
            std::size_t sample_size = sizeof(float);
            if (type == Imf::HALF) {
                const float* f = source->samples<float>();
                halves.resize(source->sample_count());
                for (std::size_t i = 0; i < halves.size(); ++i) {
                    halves[i] = Imath::half(f[i]);
                }
                base = reinterpret_cast<char*>(halves.data());
                sample_size = sizeof(Imath::half);
            }
            const std::size_t x_stride = 3 * sample_size;
            const std::size_t y_stride = x_stride * static_cast<std::size_t>(frame.width);
            const char* names[3] = {"R", "G", "B"};
            for (int c = 0; c < 3; ++c) {
                buffer.insert(names[c],
                              Imf::Slice(type, base + c * sample_size, x_stride, y_stride));
            }
            file.setFrameBuffer(buffer);
            file.writePixels(frame.height);
        }
        return stream.take();
    } catch (const std::exception& e) {
        return Error(ErrorCode::EncodeFailed, std::string("EXR encode failed: ") + e.what());
    }
}

Result<ExrInfo> inspect_exr(const std::uint8_t* data,
                            std::size_t size,
                            const std::filesystem::path& path) {
    const exr_detail::MemoryByteSource source(data, size);
    ExrInfo info;
    if (auto layout = layout_and_info(source, path, info); !layout.ok()) {
        return layout.error();
    }
    return info;
}

Result<ExrInfo> inspect_exr_file(const std::filesystem::path& path) {
    auto source = exr_detail::FileByteSource::open(path);
    if (!source.ok()) {
        return source.error();
    }
    ExrInfo info;
    if (auto layout = layout_and_info(*source.value(), path, info); !layout.ok()) {
        return layout.error();
    }
    return info;
}

Result<Frame> decode_exr(const std::uint8_t* data,
                         std::size_t size,
                         const std::filesystem::path& path,
                         ExrInfo* info_out,
                         int threads) {
    const exr_detail::MemoryByteSource source(data, size);
    ExrInfo info;
    auto layout = layout_and_info(source, path, info);
    if (!layout.ok()) {
        return layout.error();
    }
    if (layout->chunks == exr_detail::ChunkState::Missing) {
        return exr_error(ErrorCode::FileTruncated, "missing pixel chunks: " + layout->chunk_problem,
                         path);
    }
    if (layout->chunks == exr_detail::ChunkState::Corrupt) {
        return exr_error(ErrorCode::FileCorrupt, "damaged chunk table: " + layout->chunk_problem,
                         path);
    }
    // OpenEXR decodes a chunk at a time into buffers of the chunk's unpacked size (all channels)
    // and, for tiled files, caches a row of tiles across the image: bounded here by the frame
    // this call returns, so the memory a file can ask for is what its image needs.
    const std::uint64_t frame_bytes =
        std::uint64_t(info.width) * std::uint64_t(info.height) * 3 * sizeof(float);
    const std::uint64_t limit = (64ull << 20) + 16 * frame_bytes;
    const std::uint64_t tile_row_bytes =
        layout->tiled ? std::uint64_t(layout->tile_height) * std::uint64_t(info.width) * 16 : 0;
    if (layout->chunk_unpacked_bytes > limit || tile_row_bytes > limit) {
        return exr_error(ErrorCode::UnsupportedFormat,
                         "chunks too large for the image (too many channels or tiles larger "
                         "than the image)",
                         path)
            .with("chunk_bytes", std::to_string(layout->chunk_unpacked_bytes))
            .with("limit_bytes", std::to_string(limit));
    }
    try {
        const std::vector<std::uint8_t> prefix = rewritten_prefix(layout.value());
        const std::uint64_t rest_offset = layout->chunk_table_end();
        SplicedIStream stream(prefix, data + rest_offset, size - rest_offset, path_string(path));
        Imf::InputFile file(stream, ensure_pool(threads));
        const Imath::Box2i dw = file.header().dataWindow();
        Frame frame;
        frame.allocate(info.width, info.height, SampleType::F32);
        frame.bit_depth = info.bit_depth;
        // Slices are addressed by absolute pixel coordinates: shift the base pointer so that
        // (dw.min.x, dw.min.y) lands on the first sample.
        const std::ptrdiff_t x_stride = 3 * sizeof(float);
        const std::ptrdiff_t y_stride = x_stride * info.width;
        char* origin = reinterpret_cast<char*>(frame.samples<float>()) -
                       static_cast<std::ptrdiff_t>(dw.min.x) * x_stride -
                       static_cast<std::ptrdiff_t>(dw.min.y) * y_stride;
        Imf::FrameBuffer buffer;
        if (info.luminance_only) {
            // Y into R, then copied to G and B below.
            buffer.insert("Y", Imf::Slice(Imf::FLOAT, origin, x_stride, y_stride));
        } else {
            const char* names[3] = {"R", "G", "B"};
            for (int c = 0; c < 3; ++c) {
                buffer.insert(names[c], Imf::Slice(Imf::FLOAT, origin + c * sizeof(float), x_stride,
                                                   y_stride));
            }
        }
        file.setFrameBuffer(buffer);
        file.readPixels(dw.min.y, dw.max.y);
        if (info.luminance_only) {
            float* s = frame.samples<float>();
            for (std::size_t i = 0; i < frame.sample_count(); i += 3) {
                s[i + 1] = s[i];
                s[i + 2] = s[i];
            }
        }
        if (info_out != nullptr) {
            *info_out = info;
        }
        return frame;
    } catch (const std::exception& e) {
        // Every chunk lies inside the file (checked above): a failure is damaged data.
        return exr_error(ErrorCode::FileCorrupt, std::string("decode failed: ") + e.what(), path);
    }
}

}  // namespace engine::io
