#include "engine/io/dpx.h"

#include "engine/core/paths.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <ctime>

namespace engine::io {
namespace {

// Offsets of the SMPTE 268M v2.0 header fields we write or read.
constexpr std::size_t kFileHeaderSize = 768;
constexpr std::size_t kImageHeaderSize = 640;
constexpr std::size_t kOrientationHeaderSize = 256;
constexpr std::size_t kFilmHeaderSize = 256;
constexpr std::size_t kTvHeaderSize = 128;
constexpr std::size_t kGenericHeaderSize =
    kFileHeaderSize + kImageHeaderSize + kOrientationHeaderSize;                    // 1664
constexpr std::size_t kIndustryHeaderSize = kFilmHeaderSize + kTvHeaderSize;        // 384
constexpr std::size_t kImageDataOffset = kGenericHeaderSize + kIndustryHeaderSize;  // 2048

constexpr std::size_t kOffMagic = 0;
constexpr std::size_t kOffImageOffset = 4;
constexpr std::size_t kOffVersion = 8;
constexpr std::size_t kOffFileSize = 16;
constexpr std::size_t kOffDittoKey = 20;
constexpr std::size_t kOffGenericSize = 24;
constexpr std::size_t kOffIndustrySize = 28;
constexpr std::size_t kOffUserSize = 32;
constexpr std::size_t kOffFileName = 36;        // char[100]
constexpr std::size_t kOffTimestamp = 136;      // char[24]
constexpr std::size_t kOffCreator = 160;        // char[100]
constexpr std::size_t kOffProject = 260;        // char[200]
constexpr std::size_t kOffCopyright = 460;      // char[200]
constexpr std::size_t kOffEncryptionKey = 660;  // u32, 0xFFFFFFFF = not encrypted
constexpr std::size_t kOffFileReserved = 664;   // 104 bytes

constexpr std::size_t kOffOrientation = 768;  // u16
constexpr std::size_t kOffElementCount = 770;
constexpr std::size_t kOffPixelsPerLine = 772;
constexpr std::size_t kOffLinesPerElement = 776;
constexpr std::size_t kOffElement0 = 780;  // 8 elements of 72 bytes
constexpr std::size_t kElementSize = 72;
// Within an image element:
constexpr std::size_t kElDataSign = 0;
constexpr std::size_t kElRefLowCode = 4;
constexpr std::size_t kElRefLowQuantity = 8;
constexpr std::size_t kElRefHighCode = 12;
constexpr std::size_t kElRefHighQuantity = 16;
constexpr std::size_t kElDescriptor = 20;
constexpr std::size_t kElTransfer = 21;
constexpr std::size_t kElColorimetric = 22;
constexpr std::size_t kElBitDepth = 23;
constexpr std::size_t kElPacking = 24;
constexpr std::size_t kElEncoding = 26;
constexpr std::size_t kElDataOffset = 28;
constexpr std::size_t kElEolPadding = 32;
constexpr std::size_t kElEoiPadding = 36;
constexpr std::size_t kElDescription = 40;                                  // char[32]
constexpr std::size_t kOffImageReserved = kOffElement0 + 8 * kElementSize;  // 1356, 52 bytes

constexpr std::size_t kOffXOffset = 1408;
constexpr std::size_t kOffXOriginalSize = 1424;
constexpr std::size_t kOffYOriginalSize = 1428;
constexpr std::size_t kOffSourceName = 1432;           // char[100]
constexpr std::size_t kOffSourceTimestamp = 1532;      // char[24]
constexpr std::size_t kOffInputDevice = 1556;          // char[32]
constexpr std::size_t kOffInputSerial = 1588;          // char[32]
constexpr std::size_t kOffAspectRatio = 1628;          // u32[2]
constexpr std::size_t kOffOrientationReserved = 1636;  // 28 bytes

constexpr std::size_t kOffFilmText = 1664;       // 48 bytes of film id text fields
constexpr std::size_t kOffFilmFrameRate = 1724;  // float
constexpr std::size_t kOffFilmFrameId = 1732;    // char[32]
constexpr std::size_t kOffFilmSlate = 1764;      // char[100]
constexpr std::size_t kOffFilmReserved = 1864;   // 56 bytes
constexpr std::size_t kOffTvFrameRate = 1940;    // float
constexpr std::size_t kOffTvReserved = 1972;     // 76 bytes

void put_u32(std::uint8_t* p, std::uint32_t v) {
    p[0] = static_cast<std::uint8_t>(v >> 24);
    p[1] = static_cast<std::uint8_t>(v >> 16);
    p[2] = static_cast<std::uint8_t>(v >> 8);
    p[3] = static_cast<std::uint8_t>(v);
}
void put_u16(std::uint8_t* p, std::uint16_t v) {
    p[0] = static_cast<std::uint8_t>(v >> 8);
    p[1] = static_cast<std::uint8_t>(v);
}
void put_f32(std::uint8_t* p, float v) {
    std::uint32_t bits = 0;
    std::memcpy(&bits, &v, sizeof bits);
    put_u32(p, bits);
}
void put_text(std::uint8_t* p, std::size_t field_size, const std::string& text) {
    std::memset(p, 0, field_size);
    std::memcpy(p, text.data(), std::min(text.size(), field_size - 1));
}
void zero(std::uint8_t* p, std::size_t n) {
    std::memset(p, 0, n);
}

std::uint32_t get_u32(const std::uint8_t* p, bool big_endian) {
    if (big_endian) {
        return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) |
               (std::uint32_t{p[2]} << 8) | std::uint32_t{p[3]};
    }
    return (std::uint32_t{p[3]} << 24) | (std::uint32_t{p[2]} << 16) | (std::uint32_t{p[1]} << 8) |
           std::uint32_t{p[0]};
}
std::uint16_t get_u16(const std::uint8_t* p, bool big_endian) {
    return big_endian ? static_cast<std::uint16_t>((p[0] << 8) | p[1])
                      : static_cast<std::uint16_t>((p[1] << 8) | p[0]);
}

std::string timestamp_now() {
    const std::time_t now = std::time(nullptr);
    std::tm local{};
    localtime_r(&now, &local);
    char text[32];
    std::strftime(text, sizeof text, "%Y:%m:%d:%H:%M:%S%z", &local);
    return text;
}

// Sample value of pixel i, channel c, rescaled to `max_code` (2^bits - 1) with rounding.
std::uint32_t code_value(const Frame& frame, std::size_t sample, std::uint32_t max_code) {
    switch (frame.type) {
        case SampleType::U8:
            return static_cast<std::uint32_t>(
                (frame.samples<std::uint8_t>()[sample] * max_code * 2 + 255) / 510);
        case SampleType::U16:
            return static_cast<std::uint32_t>(
                (static_cast<std::uint64_t>(frame.samples<std::uint16_t>()[sample]) * max_code * 2 +
                 65535) /
                131070);
        case SampleType::F32: {
            const float v = frame.samples<float>()[sample];
            const float clamped = std::isnan(v) ? 0.0f : std::clamp(v, 0.0f, 1.0f);
            return static_cast<std::uint32_t>(std::lround(clamped * static_cast<float>(max_code)));
        }
    }
    return 0;
}

Error header_error(ErrorCode code, const std::string& detail, const std::filesystem::path& path) {
    Error e(code, "DPX: " + detail);
    e.with("path", path_string(path));
    return e;
}

}  // namespace

int dpx_transfer_code(const ColorInfo& color) {
    switch (color.transfer) {
        case 8:
            return 2;  // linear
        case 1:
            return 6;  // ITU-R BT.709-4
        case 6:
            return 8;  // ITU-R BT.601 525
        case 14:
        case 15:
            return 14;  // ITU-R BT.2020 (ST 268-2)
        case 16:
            return 17;  // ITU-R BT.2100 PQ, non-constant luminance
        case 18:
            return 19;  // ITU-R BT.2100 HLG, non-constant luminance
        default:
            return 4;  // unspecified video
    }
}

int dpx_colorimetric_code(const ColorInfo& color) {
    switch (color.primaries) {
        case 1:
            return 6;  // ITU-R BT.709-4
        case 9:
            return 14;  // ITU-R BT.2020
        case 6:
            return 8;  // BT.601 525
        case 5:
            return 7;  // BT.601 625
        default:
            return 4;  // unspecified video
    }
}

ColorInfo color_from_dpx(int transfer_code, int colorimetric_code) {
    ColorInfo color;
    color.matrix = 0;  // RGB
    color.range = 2;   // full: reference codes span 0 .. 2^bits - 1 in our files
    switch (transfer_code) {
        case 2:
            color.transfer = 8;
            break;
        case 5:
        case 6:
            color.transfer = 1;
            break;
        case 7:
        case 8:
            color.transfer = 6;
            break;
        case 14:
        case 15:
            color.transfer = 14;
            break;
        case 17:
        case 18:  // PQ ICtCp
            color.transfer = 16;
            break;
        case 19:
        case 20:  // HLG ICtCp
            color.transfer = 18;
            break;
        default:
            color.transfer = 2;
            break;
    }
    switch (colorimetric_code) {
        case 5:
        case 6:
            color.primaries = 1;
            break;
        case 7:
            color.primaries = 5;
            break;
        case 8:
            color.primaries = 6;
            break;
        case 14:
        case 15:
            color.primaries = 9;
            break;
        default:
            color.primaries = 2;
            break;
    }
    return color;
}

Result<std::vector<std::uint8_t>> encode_dpx(const Frame& frame, const DpxWriteOptions& options) {
    if (options.bit_depth != 10 && options.bit_depth != 16) {
        return Error(ErrorCode::InvalidArgument, "DPX bit depth must be 10 or 16")
            .with("bit_depth", std::to_string(options.bit_depth));
    }
    if (frame.width < 1 || frame.height < 1 ||
        frame.data.size() != frame.sample_count() * bytes_per_sample(frame.type)) {
        return Error(ErrorCode::InvalidArgument, "DPX: empty or inconsistent frame");
    }
    const std::size_t pixels = static_cast<std::size_t>(frame.width) * frame.height;
    const std::size_t image_bytes = options.bit_depth == 10 ? pixels * 4 : pixels * 6;
    if (kImageDataOffset + image_bytes > 0xFFFFFFFFull) {
        return Error(ErrorCode::InvalidArgument, "DPX: image too large for a 32-bit file size")
            .with("width", std::to_string(frame.width))
            .with("height", std::to_string(frame.height));
    }
    std::vector<std::uint8_t> out(kImageDataOffset + image_bytes);
    std::uint8_t* h = out.data();
    // Undefined numeric fields are all ones (SMPTE 268M §3); text and reserved fields are zeroed
    // explicitly below.
    std::memset(h, 0xFF, kImageDataOffset);

    // File information header.
    std::memcpy(h + kOffMagic, "SDPX", 4);
    put_u32(h + kOffImageOffset, static_cast<std::uint32_t>(kImageDataOffset));
    put_text(h + kOffVersion, 8, "V2.0");
    put_u32(h + kOffFileSize, static_cast<std::uint32_t>(out.size()));
    put_u32(h + kOffDittoKey, 1);  // new image
    put_u32(h + kOffGenericSize, static_cast<std::uint32_t>(kGenericHeaderSize));
    put_u32(h + kOffIndustrySize, static_cast<std::uint32_t>(kIndustryHeaderSize));
    put_u32(h + kOffUserSize, 0);
    put_text(h + kOffFileName, 100, options.source_name);
    put_text(h + kOffTimestamp, 24, timestamp_now());
    put_text(h + kOffCreator, 100, options.creator);
    put_text(h + kOffProject, 200, "");
    put_text(h + kOffCopyright, 200, "");
    put_u32(h + kOffEncryptionKey, 0xFFFFFFFFu);
    zero(h + kOffFileReserved, 104);

    // Image information header: one RGB element.
    put_u16(h + kOffOrientation, 0);
    put_u16(h + kOffElementCount, 1);
    put_u32(h + kOffPixelsPerLine, static_cast<std::uint32_t>(frame.width));
    put_u32(h + kOffLinesPerElement, static_cast<std::uint32_t>(frame.height));
    std::uint8_t* el = h + kOffElement0;
    const std::uint32_t max_code = (1u << options.bit_depth) - 1;
    put_u32(el + kElDataSign, 0);
    put_u32(el + kElRefLowCode, 0);
    put_f32(el + kElRefLowQuantity, 0.0f);
    put_u32(el + kElRefHighCode, max_code);
    put_f32(el + kElRefHighQuantity, 1.0f);
    el[kElDescriptor] = 50;  // RGB
    el[kElTransfer] = static_cast<std::uint8_t>(dpx_transfer_code(options.color));
    el[kElColorimetric] = static_cast<std::uint8_t>(dpx_colorimetric_code(options.color));
    el[kElBitDepth] = static_cast<std::uint8_t>(options.bit_depth);
    put_u16(el + kElPacking, options.bit_depth == 10 ? 1 : 0);
    put_u16(el + kElEncoding, 0);
    put_u32(el + kElDataOffset, static_cast<std::uint32_t>(kImageDataOffset));
    put_u32(el + kElEolPadding, 0);
    put_u32(el + kElEoiPadding, 0);
    put_text(el + kElDescription, 32, "RGB");
    // Elements 2..8 stay undefined (all ones), except their text fields.
    for (int i = 1; i < 8; ++i) {
        zero(h + kOffElement0 + i * kElementSize + kElDescription, 32);
    }
    zero(h + kOffImageReserved, 52);

    // Image source information header.
    put_u32(h + kOffXOffset, 0);
    put_u32(h + kOffXOffset + 4, 0);
    put_u32(h + kOffXOriginalSize, static_cast<std::uint32_t>(frame.width));
    put_u32(h + kOffYOriginalSize, static_cast<std::uint32_t>(frame.height));
    put_text(h + kOffSourceName, 100, "");
    put_text(h + kOffSourceTimestamp, 24, "");
    put_text(h + kOffInputDevice, 32, "");
    put_text(h + kOffInputSerial, 32, "");
    put_u32(h + kOffAspectRatio, 1);
    put_u32(h + kOffAspectRatio + 4, 1);
    zero(h + kOffOrientationReserved, 28);

    // Motion-picture film and television headers: frame rate only.
    zero(h + kOffFilmText, 48);
    zero(h + kOffFilmFrameId, 32);
    zero(h + kOffFilmSlate, 100);
    zero(h + kOffFilmReserved, 56);
    zero(h + kOffTvReserved, 76);
    if (options.frame_rate.valid()) {
        const float fps = static_cast<float>(options.frame_rate.to_double());
        put_f32(h + kOffFilmFrameRate, fps);
        put_f32(h + kOffTvFrameRate, fps);
    }

    std::uint8_t* data = out.data() + kImageDataOffset;
    if (options.bit_depth == 10) {
        for (std::size_t i = 0; i < pixels; ++i) {
            const std::uint32_t r = code_value(frame, i * 3, max_code);
            const std::uint32_t g = code_value(frame, i * 3 + 1, max_code);
            const std::uint32_t b = code_value(frame, i * 3 + 2, max_code);
            put_u32(data + i * 4, (r << 22) | (g << 12) | (b << 2));
        }
    } else {
        for (std::size_t i = 0; i < pixels * 3; ++i) {
            put_u16(data + i * 2, static_cast<std::uint16_t>(code_value(frame, i, max_code)));
        }
    }
    return out;
}

Result<DpxHeader> parse_dpx_header(const std::uint8_t* data,
                                   std::size_t size,
                                   const std::filesystem::path& path) {
    if (size < 4) {
        return header_error(ErrorCode::FileTruncated, "file shorter than the magic number", path);
    }
    DpxHeader header;
    if (std::memcmp(data, "SDPX", 4) == 0) {
        header.big_endian = true;
    } else if (std::memcmp(data, "XPDS", 4) == 0) {
        header.big_endian = false;
    } else {
        return header_error(ErrorCode::FileCorrupt, "no SDPX/XPDS magic number", path);
    }
    // Everything up to the first image element's description must be present.
    if (size < kOffElement0 + kElDescription) {
        return header_error(ErrorCode::FileTruncated, "file shorter than the DPX header", path);
    }
    const bool be = header.big_endian;
    header.image_offset = get_u32(data + kOffImageOffset, be);
    header.file_size = get_u32(data + kOffFileSize, be);
    header.elements = get_u16(data + kOffElementCount, be);
    const std::uint32_t width = get_u32(data + kOffPixelsPerLine, be);
    const std::uint32_t height = get_u32(data + kOffLinesPerElement, be);
    const std::uint8_t* el = data + kOffElement0;
    header.descriptor = el[kElDescriptor];
    header.transfer = el[kElTransfer];
    header.colorimetric = el[kElColorimetric];
    header.bit_depth = el[kElBitDepth];
    header.packing = get_u16(el + kElPacking, be);
    header.encoding = get_u16(el + kElEncoding, be);

    if (width == 0 || height == 0 || width > 65536 || height > 65536) {
        Error e = header_error(ErrorCode::FileCorrupt, "implausible image size", path);
        e.with("width", std::to_string(width)).with("height", std::to_string(height));
        return e;
    }
    if (header.image_offset < kOffElement0 + kElDescription) {
        return header_error(ErrorCode::FileCorrupt, "image data offset inside the header", path);
    }
    header.width = static_cast<int>(width);
    header.height = static_cast<int>(height);
    if (header.encoding != 0) {
        Error e = header_error(ErrorCode::UnsupportedFormat, "run-length encoded DPX", path);
        e.with("encoding", std::to_string(header.encoding));
        return e;
    }
    int components = 0;
    switch (header.descriptor) {
        case 6:  // luma
            components = 1;
            break;
        case 50:  // RGB
            components = 3;
            break;
        case 51:  // RGBA
        case 52:  // ABGR
            components = 4;
            break;
        default: {
            Error e =
                header_error(ErrorCode::UnsupportedFormat, "unsupported image descriptor", path);
            e.with("descriptor", std::to_string(header.descriptor));
            return e;
        }
    }
    // Row stride as libavcodec's DPX decoder computes it.
    const std::size_t w = width;
    std::size_t stride = 0;
    switch (header.bit_depth) {
        case 8:
            stride = w * components;
            break;
        case 10:
            stride = header.packing == 0 ? (w * components * 10 + 31) / 32 * 4
                                         : (w * components + 2) / 3 * 4;
            break;
        case 12:
            stride = header.packing == 0 ? (w * components * 12 + 31) / 32 * 4 : w * components * 2;
            break;
        case 16:
            stride = w * components * 2;
            break;
        case 32:
            stride = w * components * 4;
            break;
        default: {
            Error e = header_error(ErrorCode::UnsupportedFormat, "unsupported bit depth", path);
            e.with("bit_depth", std::to_string(header.bit_depth));
            return e;
        }
    }
    header.image_bytes = stride * height;
    if (header.image_offset > size || size - header.image_offset < header.image_bytes) {
        Error e = header_error(ErrorCode::FileTruncated, "image data cut short", path);
        e.with("needed_bytes", std::to_string(header.image_offset + header.image_bytes))
            .with("file_bytes", std::to_string(size));
        return e;
    }
    return header;
}

Result<Frame> decode_dpx(const std::uint8_t* data,
                         std::size_t size,
                         const std::filesystem::path& path,
                         SampleType type,
                         DpxHeader* header_out) {
    auto parsed = parse_dpx_header(data, size, path);
    if (!parsed.ok()) {
        return parsed.error();
    }
    const DpxHeader& h = parsed.value();
    if (header_out != nullptr) {
        *header_out = h;
    }
    auto unsupported = [&](const std::string& what) {
        Error e = header_error(ErrorCode::UnsupportedFormat, what, path);
        e.with("descriptor", std::to_string(h.descriptor))
            .with("bit_depth", std::to_string(h.bit_depth))
            .with("packing", std::to_string(h.packing));
        return e;
    };
    int elements = 0;
    switch (h.descriptor) {
        case 6:
            elements = 1;
            break;
        case 50:
            elements = 3;
            break;
        case 51:
            elements = 4;
            break;
        default:
            return unsupported("DPX image descriptor not decoded by our reader");
    }
    const bool tenbit_words = h.bit_depth == 10 && (h.packing == 1 || h.packing == 2);
    const bool twelve_in_16 = h.bit_depth == 12 && (h.packing == 1 || h.packing == 2);
    if (!(h.bit_depth == 8 || tenbit_words || twelve_in_16 || h.bit_depth == 16)) {
        return unsupported("DPX bit depth / packing not decoded by our reader");
    }
    const bool be = h.big_endian;
    const int w = h.width;
    const std::size_t row_bytes = h.image_bytes / static_cast<std::size_t>(h.height);
    const std::uint8_t* image = data + h.image_offset;
    const std::uint32_t max_code = (1u << h.bit_depth) - 1;

    Frame frame;
    frame.allocate(h.width, h.height, type);
    frame.bit_depth = type == SampleType::U8 ? std::min(h.bit_depth, 8) : h.bit_depth;
    // Code value -> output sample, by table (at most 65536 entries).
    std::vector<float> to_float;
    std::vector<std::uint16_t> to_int;
    if (type == SampleType::F32) {
        to_float.resize(max_code + 1);
        for (std::uint32_t v = 0; v <= max_code; ++v) {
            to_float[v] = static_cast<float>(v) / static_cast<float>(max_code);
        }
    } else {
        const std::uint32_t full = type == SampleType::U8 ? 255u : 65535u;
        to_int.resize(max_code + 1);
        for (std::uint32_t v = 0; v <= max_code; ++v) {
            to_int[v] = static_cast<std::uint16_t>(
                (static_cast<std::uint64_t>(v) * full * 2 + max_code) / (2ull * max_code));
        }
    }
    std::vector<std::uint16_t> codes(static_cast<std::size_t>(w) * elements);
    for (int y = 0; y < h.height; ++y) {
        const std::uint8_t* row = image + static_cast<std::size_t>(y) * row_bytes;
        const std::size_t count = codes.size();
        switch (h.bit_depth) {
            case 8:
                for (std::size_t i = 0; i < count; ++i) {
                    codes[i] = row[i];
                }
                break;
            case 10:
                // Three samples per 32-bit word. RGB(A) from the top bits down (libavcodec's
                // read10in32), luma from the bottom bits up (read10in32_gray); method A
                // leaves the two padding bits at the bottom, method B at the top.
                for (std::size_t i = 0; i < count; ++i) {
                    const std::uint32_t word = get_u32(row + (i / 3) * 4, be);
                    const int k = static_cast<int>(i % 3);
                    const int shift = elements > 1 ? (h.packing == 1 ? 22 : 20) - 10 * k
                                                   : (h.packing == 1 ? 2 : 0) + 10 * k;
                    codes[i] = static_cast<std::uint16_t>((word >> shift) & 0x3FF);
                }
                break;
            case 12:
                for (std::size_t i = 0; i < count; ++i) {
                    const std::uint16_t word = get_u16(row + i * 2, be);
                    codes[i] =
                        static_cast<std::uint16_t>((h.packing == 1 ? word >> 4 : word) & 0xFFF);
                }
                break;
            default:  // 16
                for (std::size_t i = 0; i < count; ++i) {
                    codes[i] = get_u16(row + i * 2, be);
                }
                break;
        }
        const std::size_t out_base = static_cast<std::size_t>(y) * w * 3;
        for (int x = 0; x < w; ++x) {
            for (int c = 0; c < 3; ++c) {
                const std::uint16_t code =
                    codes[static_cast<std::size_t>(x) * elements + (elements == 1 ? 0 : c)];
                const std::size_t o = out_base + static_cast<std::size_t>(x) * 3 + c;
                switch (type) {
                    case SampleType::U8:
                        frame.samples<std::uint8_t>()[o] = static_cast<std::uint8_t>(to_int[code]);
                        break;
                    case SampleType::U16:
                        frame.samples<std::uint16_t>()[o] = to_int[code];
                        break;
                    case SampleType::F32:
                        frame.samples<float>()[o] = to_float[code];
                        break;
                }
            }
        }
    }
    return frame;
}

}  // namespace engine::io
