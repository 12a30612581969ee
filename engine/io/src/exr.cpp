#include "engine/io/exr.h"

#include "engine/core/paths.h"

#include <Imath/half.h>
#include <OpenEXR/IexBaseExc.h>
#include <OpenEXR/ImfChannelList.h>
#include <OpenEXR/ImfChromaticities.h>
#include <OpenEXR/ImfFrameBuffer.h>
#include <OpenEXR/ImfHeader.h>
#include <OpenEXR/ImfIO.h>
#include <OpenEXR/ImfInputFile.h>
#include <OpenEXR/ImfOutputFile.h>
#include <OpenEXR/ImfPartType.h>
#include <OpenEXR/ImfRationalAttribute.h>
#include <OpenEXR/ImfStandardAttributes.h>
#include <OpenEXR/ImfThreading.h>
#include <OpenEXR/ImfVersion.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <limits>
#include <mutex>
#include <optional>
#include <string>
#include <system_error>
#include <unordered_map>
#include <vector>

namespace engine::io {
namespace {

// Reads from a byte range; remembers whether OpenEXR tried to read past the end so a failure
// can be reported as truncation rather than corruption.
class MemoryIStream : public Imf::IStream {
  public:
    MemoryIStream(const std::uint8_t* data, std::size_t size, const std::string& name)
        : Imf::IStream(name.c_str()), m_data(data), m_size(size) {}

    bool read(char c[], int n) override {
        if (n < 0 || m_position + static_cast<std::uint64_t>(n) > m_size) {
            m_hit_end = true;
            throw Iex::InputExc("Unexpected end of file.");
        }
        std::memcpy(c, m_data + m_position, static_cast<std::size_t>(n));
        m_position += static_cast<std::uint64_t>(n);
        return m_position < m_size;
    }
    std::uint64_t tellg() override { return m_position; }
    void seekg(std::uint64_t pos) override { m_position = pos; }
    bool hit_end() const { return m_hit_end; }

  private:
    const std::uint8_t* m_data;
    std::uint64_t m_size;
    std::uint64_t m_position = 0;
    bool m_hit_end = false;
};

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

bool near(const Imath::V2f& a, float x, float y) {
    return std::abs(a.x - x) < 1e-3f && std::abs(a.y - y) < 1e-3f;
}

int primaries_from_chromaticities(const Imf::Chromaticities& c) {
    if (near(c.red, 0.64f, 0.33f) && near(c.green, 0.30f, 0.60f) && near(c.blue, 0.15f, 0.06f)) {
        return 1;
    }
    if (near(c.red, 0.708f, 0.292f) && near(c.green, 0.170f, 0.797f) &&
        near(c.blue, 0.131f, 0.046f)) {
        return 9;
    }
    return 2;
}

// Header-level facts; throws on malformed headers (the callers translate).
ExrInfo describe(const Imf::InputFile& file) {
    const Imf::Header& header = file.header();
    const Imath::Box2i dw = header.dataWindow();
    ExrInfo info;
    info.width = dw.max.x - dw.min.x + 1;
    info.height = dw.max.y - dw.min.y + 1;
    const Imf::ChannelList& channels = header.channels();
    const Imf::Channel* r = channels.findChannel("R");
    const Imf::Channel* g = channels.findChannel("G");
    const Imf::Channel* b = channels.findChannel("B");
    const Imf::Channel* y = channels.findChannel("Y");
    info.has_alpha = channels.findChannel("A") != nullptr;
    bool all_half = true;
    if (r != nullptr && g != nullptr && b != nullptr) {
        all_half = r->type == Imf::HALF && g->type == Imf::HALF && b->type == Imf::HALF;
    } else if (y != nullptr) {
        info.luminance_only = true;
        all_half = y->type == Imf::HALF;
    } else {
        info.width = 0;  // marks "no usable channels" for the caller
    }
    info.bit_depth = all_half ? 16 : 32;
    info.complete = file.isComplete();
    info.color.transfer = 8;  // scene-linear by convention
    info.color.matrix = 0;
    info.color.range = 2;
    if (Imf::hasChromaticities(header)) {
        info.color.primaries = primaries_from_chromaticities(Imf::chromaticities(header));
    }
    return info;
}

Result<ExrInfo> checked_info(const Imf::InputFile& file, const std::filesystem::path& path) {
    const Imf::Header& header = file.header();
    if (header.hasType() && Imf::isDeepData(header.type())) {
        return exr_error(ErrorCode::UnsupportedFormat, "deep data", path);
    }
    ExrInfo info = describe(file);
    if (info.width <= 0) {
        Error e = exr_error(ErrorCode::UnsupportedPixelFormat, "no R/G/B or Y channel", path);
        std::string names;
        for (auto it = header.channels().begin(); it != header.channels().end(); ++it) {
            names += (names.empty() ? "" : ",") + std::string(it.name());
        }
        e.with("channels", names);
        return e;
    }
    if (info.height <= 0 || info.width > 65536 || info.height > 65536) {
        return exr_error(ErrorCode::FileCorrupt, "implausible data window", path);
    }
    return info;
}

Status check_magic(const std::uint8_t* data, std::size_t size, const std::filesystem::path& path) {
    if (size < 8) {
        return exr_error(size < 4 || Imf::isImfMagic(reinterpret_cast<const char*>(data))
                             ? ErrorCode::FileTruncated
                             : ErrorCode::FileCorrupt,
                         "file shorter than the EXR header", path);
    }
    if (!Imf::isImfMagic(reinterpret_cast<const char*>(data))) {
        return exr_error(ErrorCode::FileCorrupt, "no OpenEXR magic number", path);
    }
    const int version = static_cast<int>(data[4]) | (static_cast<int>(data[5]) << 8) |
                        (static_cast<int>(data[6]) << 16) | (static_cast<int>(data[7]) << 24);
    if (Imf::isMultiPart(version)) {
        return exr_error(ErrorCode::UnsupportedFormat, "multi-part EXR", path);
    }
    return {};
}

// Walks the header's attribute list (name, type name, int32 size, value) the way OpenEXR reads
// it, before OpenEXR sees it: OpenEXR allocates an unknown attribute's declared size (and a
// preview's width x height x 4 bytes) before reading it, so a damaged size field (seen in
// fuzzing: 1.9 GB declared in a 1.8 KB file) would allocate gigabytes before failing. Typed
// attributes are consumed as OpenEXR consumes them (fixed-size types by their size, channel lists
// up to their terminator), because OpenEXR continues from there, not from the declared size.
// `data` may be a prefix of a file of `total_size` bytes; the walk stops where it cannot follow.
Status check_attribute_sizes(const std::uint8_t* data,
                             std::size_t size,
                             std::uint64_t total_size,
                             const std::filesystem::path& path) {
    constexpr std::uint64_t kLargestPlausibleAttribute = 64ull << 20;
    static const std::unordered_map<std::string, std::size_t> kFixedSizes = {
        {"box2i", 16},      {"box2f", 16},   {"chromaticities", 32},
        {"compression", 1}, {"double", 8},   {"envmap", 1},
        {"float", 4},       {"int", 4},      {"keycode", 28},
        {"lineOrder", 1},   {"m33f", 36},    {"m33d", 72},
        {"m44f", 64},       {"m44d", 128},   {"rational", 8},
        {"tiledesc", 9},    {"timecode", 8}, {"v2i", 8},
        {"v2f", 8},         {"v2d", 16},     {"v3i", 12},
        {"v3f", 12},        {"v3d", 24},     {"deepImageState", 1}};
    const int version = static_cast<int>(data[4]) | (static_cast<int>(data[5]) << 8) |
                        (static_cast<int>(data[6]) << 16) | (static_cast<int>(data[7]) << 24);
    const std::size_t max_name = (version & Imf::LONG_NAMES_FLAG) != 0 ? 255 : 31;
    std::size_t offset = 8;
    // Attribute names: 31 bytes, or 255 with the long-names flag; type and channel names: 255.
    // Like OpenEXR's Xdr::read, at most max_length + 1 bytes are read: a name without its null
    // there is cut and the next field starts right after it.
    const auto read_string = [&](std::size_t& at,
                                 std::size_t max_length) -> std::optional<std::string> {
        const std::size_t begin = at;
        for (std::size_t n = 0; n <= max_length; ++n) {
            if (at >= size) {
                return std::nullopt;
            }
            if (data[at++] == 0) {
                return std::string(reinterpret_cast<const char*>(data + begin), at - 1 - begin);
            }
        }
        return std::string(reinterpret_cast<const char*>(data + begin), at - begin);
    };
    const auto read_u32 = [&](std::size_t at) {
        return static_cast<std::uint32_t>(data[at]) |
               (static_cast<std::uint32_t>(data[at + 1]) << 8) |
               (static_cast<std::uint32_t>(data[at + 2]) << 16) |
               (static_cast<std::uint32_t>(data[at + 3]) << 24);
    };
    const auto too_large = [&](const std::string& name, const std::string& type,
                               std::uint64_t bytes, std::size_t at) {
        const std::uint64_t left = total_size > at ? total_size - at : 0;
        if (bytes <= left) {
            return Status{};
        }
        return Status(exr_error(
            bytes <= kLargestPlausibleAttribute ? ErrorCode::FileTruncated : ErrorCode::FileCorrupt,
            "header attribute '" + name + "' (" + type + ") needs " + std::to_string(bytes) +
                " bytes, " + std::to_string(left) + " left in the file",
            path));
    };
    for (;;) {
        const auto name = read_string(offset, max_name);
        if (!name || name->empty()) {
            return {};  // end of the header, or OpenEXR's own checks take over
        }
        const auto type = read_string(offset, 255);
        if (!type || offset + 4 > size) {
            return {};
        }
        const auto declared = static_cast<std::int32_t>(read_u32(offset));
        offset += 4;
        if (declared < 0) {
            return exr_error(ErrorCode::FileCorrupt,
                             "header attribute '" + *name + "' has a negative size", path);
        }
        if (const auto fixed = kFixedSizes.find(*type); fixed != kFixedSizes.end()) {
            offset += fixed->second;
        } else if (*type == "chlist") {
            for (;;) {
                const auto channel = read_string(offset, 255);
                if (!channel) {
                    return {};
                }
                if (channel->empty()) {
                    break;
                }
                offset += 16;  // pixel type, pLinear + 3 reserved, x and y sampling
            }
        } else if (*type == "preview") {
            if (offset + 8 > size) {
                return {};
            }
            const std::uint64_t pixels =
                std::uint64_t(read_u32(offset)) * std::uint64_t(read_u32(offset + 4));
            if (Status fits = too_large(*name, *type, 8 + pixels * 4, offset); !fits.ok()) {
                return fits;
            }
            offset += 8 + static_cast<std::size_t>(pixels * 4);
        } else {
            // string, stringvector, floatvector, idmanifest and unknown (opaque) attributes: the
            // declared size is what OpenEXR allocates and reads.
            if (Status fits = too_large(*name, *type, std::uint64_t(declared), offset);
                !fits.ok()) {
                return fits;
            }
            offset += static_cast<std::size_t>(declared);
        }
        if (offset > size) {
            return {};
        }
    }
}

// OpenEXR's isComplete() only says whether the chunk offset table was filled in; a file cut
// short after writing keeps a full table. For single-part scanline files (what encode_exr
// writes) this reads the header and the table and checks that the last chunk ends inside the
// file. nullopt for layouts it does not cover (tiled, multi-part, deep).
std::optional<bool> scanline_chunks_present(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        return false;
    }
    in.seekg(0, std::ios::end);
    const std::uint64_t file_size = static_cast<std::uint64_t>(in.tellg());
    in.seekg(0);
    auto read_u32 = [&in](std::uint32_t& v) {
        unsigned char b[4];
        if (!in.read(reinterpret_cast<char*>(b), 4)) {
            return false;
        }
        v = std::uint32_t{b[0]} | (std::uint32_t{b[1]} << 8) | (std::uint32_t{b[2]} << 16) |
            (std::uint32_t{b[3]} << 24);
        return true;
    };
    auto read_string = [&in](std::string& text) {
        text.clear();
        char c = 0;
        while (in.get(c)) {
            if (c == '\0') {
                return true;
            }
            if (text.size() >= 255) {
                return false;
            }
            text += c;
        }
        return false;
    };
    std::uint32_t magic = 0;
    std::uint32_t version = 0;
    if (!read_u32(magic) || !read_u32(version) || magic != 20000630u) {
        return false;
    }
    if (version & (0x200u | 0x800u | 0x1000u)) {  // tiled, deep, multi-part
        return std::nullopt;
    }
    int compression = -1;
    std::int64_t y_min = 0;
    std::int64_t y_max = -1;
    for (;;) {
        std::string name;
        std::string type;
        if (!read_string(name)) {
            return false;
        }
        if (name.empty()) {
            break;  // end of header
        }
        std::uint32_t size = 0;
        if (!read_string(type) || !read_u32(size)) {
            return false;
        }
        if (name == "compression" && size == 1) {
            char c = 0;
            if (!in.get(c)) {
                return false;
            }
            compression = static_cast<unsigned char>(c);
        } else if (name == "dataWindow" && size == 16) {
            std::uint32_t box[4];
            for (std::uint32_t& v : box) {
                if (!read_u32(v)) {
                    return false;
                }
            }
            y_min = static_cast<std::int32_t>(box[1]);
            y_max = static_cast<std::int32_t>(box[3]);
        } else {
            in.seekg(size, std::ios::cur);
        }
    }
    int lines_per_chunk = 0;
    switch (compression) {
        case 0:  // none
        case 1:  // RLE
        case 2:  // ZIPS
            lines_per_chunk = 1;
            break;
        case 3:  // ZIP
        case 5:  // PXR24
            lines_per_chunk = 16;
            break;
        case 4:  // PIZ
        case 6:  // B44
        case 7:  // B44A
        case 8:  // DWAA
            lines_per_chunk = 32;
            break;
        case 9:  // DWAB
            lines_per_chunk = 256;
            break;
        default:
            return std::nullopt;
    }
    if (y_max < y_min) {
        return false;
    }
    const std::int64_t chunks = (y_max - y_min + lines_per_chunk) / lines_per_chunk;
    std::uint64_t last = 0;
    for (std::int64_t i = 0; i < chunks; ++i) {
        std::uint32_t low = 0;
        std::uint32_t high = 0;
        if (!read_u32(low) || !read_u32(high)) {
            return false;
        }
        const std::uint64_t offset = (std::uint64_t{high} << 32) | low;
        if (offset == 0 || offset >= file_size) {
            return false;
        }
        last = std::max(last, offset);
    }
    in.seekg(static_cast<std::streamoff>(last) + 4);  // skip the chunk's y coordinate
    std::uint32_t data_size = 0;
    if (!read_u32(data_size)) {
        return false;
    }
    return last + 8 + data_size <= file_size;
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
    if (Status magic = check_magic(data, size, path); !magic.ok()) {
        return magic.error();
    }
    if (Status sizes = check_attribute_sizes(data, size, size, path); !sizes.ok()) {
        return sizes.error();
    }
    MemoryIStream stream(data, size, path_string(path));
    try {
        Imf::InputFile file(stream, 0);
        return checked_info(file, path);
    } catch (const std::exception& e) {
        return exr_error(stream.hit_end() ? ErrorCode::FileTruncated : ErrorCode::FileCorrupt,
                         std::string("bad header: ") + e.what(), path);
    }
}

Result<ExrInfo> inspect_exr_file(const std::filesystem::path& path) {
    {
        std::error_code ec;
        const auto total = std::filesystem::file_size(path, ec);
        std::ifstream in(path, std::ios::binary);
        if (!ec && in) {
            std::vector<std::uint8_t> prefix(
                static_cast<std::size_t>(std::min<std::uintmax_t>(total, 1u << 20)));
            in.read(reinterpret_cast<char*>(prefix.data()),
                    static_cast<std::streamsize>(prefix.size()));
            const auto got = static_cast<std::size_t>(in.gcount());
            if (got >= 8) {
                if (Status sizes = check_attribute_sizes(prefix.data(), got, total, path);
                    !sizes.ok()) {
                    return sizes.error();
                }
            }
        }
    }
    try {
        Imf::InputFile file(path.c_str(), 0);
        Result<ExrInfo> info = checked_info(file, path);
        if (info.ok() && info->complete) {
            info->complete = scanline_chunks_present(path).value_or(true);
        }
        return info;
    } catch (const std::exception& e) {
        return exr_error(ErrorCode::FileCorrupt, std::string("bad header: ") + e.what(), path);
    }
}

Result<Frame> decode_exr(const std::uint8_t* data,
                         std::size_t size,
                         const std::filesystem::path& path,
                         ExrInfo* info_out,
                         int threads) {
    if (Status magic = check_magic(data, size, path); !magic.ok()) {
        return magic.error();
    }
    if (Status sizes = check_attribute_sizes(data, size, size, path); !sizes.ok()) {
        return sizes.error();
    }
    MemoryIStream stream(data, size, path_string(path));
    try {
        Imf::InputFile file(stream, ensure_pool(threads));
        Result<ExrInfo> info = checked_info(file, path);
        if (!info.ok()) {
            return info.error();
        }
        if (!info->complete) {
            return exr_error(ErrorCode::FileTruncated, "missing pixel chunks", path);
        }
        const Imath::Box2i dw = file.header().dataWindow();
        Frame frame;
        frame.allocate(info->width, info->height, SampleType::F32);
        frame.bit_depth = info->bit_depth;
        // Slices are addressed by absolute pixel coordinates: shift the base pointer so that
        // (dw.min.x, dw.min.y) lands on the first sample.
        const std::ptrdiff_t x_stride = 3 * sizeof(float);
        const std::ptrdiff_t y_stride = x_stride * info->width;
        char* origin = reinterpret_cast<char*>(frame.samples<float>()) -
                       static_cast<std::ptrdiff_t>(dw.min.x) * x_stride -
                       static_cast<std::ptrdiff_t>(dw.min.y) * y_stride;
        Imf::FrameBuffer buffer;
        if (info->luminance_only) {
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
        if (info->luminance_only) {
            float* s = frame.samples<float>();
            for (std::size_t i = 0; i < frame.sample_count(); i += 3) {
                s[i + 1] = s[i];
                s[i + 2] = s[i];
            }
        }
        if (info_out != nullptr) {
            *info_out = info.value();
        }
        return frame;
    } catch (const std::exception& e) {
        return exr_error(stream.hit_end() ? ErrorCode::FileTruncated : ErrorCode::FileCorrupt,
                         std::string("decode failed: ") + e.what(), path);
    }
}

}  // namespace engine::io
