#include "src/image_codec.h"

#include "engine/core/paths.h"
#include "engine/io/dpx.h"
#include "engine/io/exr.h"

#include <algorithm>
#include <array>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <memory>
#include <sys/stat.h>
#include <thread>
#include <type_traits>
#include <unistd.h>

namespace engine::io::image {
namespace fs = std::filesystem;

namespace {

Error with_path(ErrorCode code, const std::string& detail, const fs::path& path) {
    Error e(code, detail);
    e.with("path", path_string(path));
    return e;
}

// CRC-32 (IEEE 802.3, reflected, as PNG uses it), table built once.
std::uint32_t crc32(const std::uint8_t* data, std::size_t size) {
    static const auto table = [] {
        std::array<std::uint32_t, 256> t{};
        for (std::uint32_t n = 0; n < 256; ++n) {
            std::uint32_t c = n;
            for (int k = 0; k < 8; ++k) {
                c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            }
            t[n] = c;
        }
        return t;
    }();
    std::uint32_t c = 0xFFFFFFFFu;
    for (std::size_t i = 0; i < size; ++i) {
        c = table[(c ^ data[i]) & 0xFF] ^ (c >> 8);
    }
    return c ^ 0xFFFFFFFFu;
}

std::uint32_t read_be32(const std::uint8_t* p) {
    return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) |
           std::uint32_t{p[3]};
}

// PNG: 8-byte signature, then chunks of length(4) type(4) data CRC(4) up to IEND. The CRC covers
// type and data.
Status check_png(const std::vector<std::uint8_t>& b, const fs::path& path) {
    static const std::uint8_t signature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
    if (b.size() < 8) {
        return with_path(std::memcmp(b.data(), signature, b.size()) == 0 ? ErrorCode::FileTruncated
                                                                         : ErrorCode::FileCorrupt,
                         "PNG: file shorter than the signature", path);
    }
    if (std::memcmp(b.data(), signature, 8) != 0) {
        return with_path(ErrorCode::FileCorrupt, "PNG: bad signature", path);
    }
    std::size_t pos = 8;
    bool first = true;
    for (;;) {
        if (b.size() - pos < 12) {
            return with_path(ErrorCode::FileTruncated, "PNG: ends before IEND", path);
        }
        const std::uint32_t length = read_be32(&b[pos]);
        if (length > 0x7FFFFFFFu) {
            return with_path(ErrorCode::FileCorrupt, "PNG: chunk length out of range", path);
        }
        const char* type = reinterpret_cast<const char*>(&b[pos + 4]);
        if (first && std::memcmp(type, "IHDR", 4) != 0) {
            return with_path(ErrorCode::FileCorrupt, "PNG: first chunk is not IHDR", path);
        }
        first = false;
        if (b.size() - pos - 12 < length) {
            return with_path(ErrorCode::FileTruncated, "PNG: chunk cut short", path);
        }
        const std::uint32_t stored = read_be32(&b[pos + 8 + length]);
        const std::uint32_t crc = crc32(&b[pos + 4], length + 4);
        if (crc != stored) {
            Error e = with_path(ErrorCode::FileCorrupt, "PNG: chunk CRC mismatch", path);
            e.with("chunk", std::string(type, 4)).with("offset", std::to_string(pos));
            return e;
        }
        pos += 12 + length;
        if (std::memcmp(type, "IEND", 4) == 0) {
            return {};
        }
    }
}

Status check_jpeg(const std::vector<std::uint8_t>& b, const fs::path& path) {
    if (b.size() < 3 || b[0] != 0xFF || b[1] != 0xD8 || b[2] != 0xFF) {
        return with_path(ErrorCode::FileCorrupt, "JPEG: no start-of-image marker", path);
    }
    // The end-of-image marker closes the file; some writers append a little data after it.
    const std::size_t last = b.size() - 2;
    const std::size_t lowest = last > 2 + 64 * 1024 ? last - 64 * 1024 : 2;
    for (std::size_t i = last + 1; i-- > lowest;) {
        if (b[i] == 0xFF && b[i + 1] == 0xD9) {
            return {};
        }
    }
    return with_path(ErrorCode::FileTruncated, "JPEG: no end-of-image marker", path);
}

Status check_tiff(const std::vector<std::uint8_t>& b, const fs::path& path) {
    if (b.size() < 8) {
        return with_path(ErrorCode::FileTruncated, "TIFF: file shorter than the header", path);
    }
    const bool little = b[0] == 'I' && b[1] == 'I' && b[2] == 42 && b[3] == 0;
    const bool big = b[0] == 'M' && b[1] == 'M' && b[2] == 0 && b[3] == 42;
    if (!little && !big) {
        return with_path(ErrorCode::FileCorrupt, "TIFF: bad byte-order mark", path);
    }
    const std::uint32_t ifd = little ? (std::uint32_t{b[4]} | (std::uint32_t{b[5]} << 8) |
                                        (std::uint32_t{b[6]} << 16) | (std::uint32_t{b[7]} << 24))
                                     : read_be32(&b[4]);
    if (ifd < 8) {
        return with_path(ErrorCode::FileCorrupt, "TIFF: first IFD offset inside the header", path);
    }
    if (ifd >= b.size()) {
        return with_path(ErrorCode::FileTruncated, "TIFF: first IFD beyond the end", path);
    }
    return {};
}

// Header-only completeness checks for resumable output.
bool png_complete(const fs::path& path, int width, int height) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        return false;
    }
    in.seekg(0, std::ios::end);
    const std::uint64_t size = static_cast<std::uint64_t>(in.tellg());
    in.seekg(0);
    std::uint8_t head[8 + 8 + 13];
    if (!in.read(reinterpret_cast<char*>(head), sizeof head) || head[0] != 0x89 ||
        std::memcmp(head + 12, "IHDR", 4) != 0) {
        return false;
    }
    const int w = static_cast<int>(read_be32(head + 16));
    const int h = static_cast<int>(read_be32(head + 20));
    if ((width > 0 && w != width) || (height > 0 && h != height)) {
        return false;
    }
    std::uint64_t pos = 8;
    while (pos + 12 <= size) {
        std::uint8_t chunk[8];
        in.seekg(static_cast<std::streamoff>(pos));
        if (!in.read(reinterpret_cast<char*>(chunk), 8)) {
            return false;
        }
        const std::uint64_t length = read_be32(chunk);
        if (pos + 12 + length > size) {
            return false;
        }
        if (std::memcmp(chunk + 4, "IEND", 4) == 0) {
            return true;
        }
        pos += 12 + length;
    }
    return false;
}

bool dpx_complete(const fs::path& path, int width, int height) {
    std::error_code ec;
    const std::uint64_t size = fs::file_size(path, ec);
    if (ec) {
        return false;
    }
    // parse_dpx_header reads only the first 800 bytes of the header and compares the announced
    // data length with `size`, so the header bytes plus the real file size are enough.
    std::vector<std::uint8_t> header(static_cast<std::size_t>(std::min<std::uint64_t>(size, 2048)));
    std::ifstream in(path, std::ios::binary);
    if (header.size() < 800 || !in.read(reinterpret_cast<char*>(header.data()),
                                        static_cast<std::streamsize>(header.size()))) {
        return false;
    }
    auto parsed = parse_dpx_header(header.data(), static_cast<std::size_t>(size), path);
    return parsed.ok() && (width <= 0 || parsed->width == width) &&
           (height <= 0 || parsed->height == height);
}

}  // namespace

std::optional<ImageFormat> format_from_extension(const fs::path& path) {
    std::string ext = path.extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (ext == ".png") {
        return ImageFormat::PNG;
    }
    if (ext == ".jpg" || ext == ".jpeg") {
        return ImageFormat::JPEG;
    }
    if (ext == ".tif" || ext == ".tiff") {
        return ImageFormat::TIFF;
    }
    if (ext == ".dpx") {
        return ImageFormat::DPX;
    }
    if (ext == ".exr") {
        return ImageFormat::EXR;
    }
    return std::nullopt;
}

std::string_view codec_name(ImageFormat format) {
    switch (format) {
        case ImageFormat::PNG:
            return "png";
        case ImageFormat::JPEG:
            return "mjpeg";
        case ImageFormat::TIFF:
            return "tiff";
        case ImageFormat::DPX:
            return "dpx";
        case ImageFormat::EXR:
            return "exr";
    }
    return "";
}

Result<std::vector<std::uint8_t>> read_file(const fs::path& path) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    auto errno_error = [&](int err, const char* what) {
        const ErrorCode code =
            (err == ENOENT || err == ENOTDIR) ? ErrorCode::FileNotFound : ErrorCode::FileUnreadable;
        Error e = with_path(code, std::string(what) + ": " + std::strerror(err), path);
        e.with("errno", std::to_string(err));
        return e;
    };
    if (fd < 0) {
        return errno_error(errno, "open");
    }
    struct stat st {};
    if (::fstat(fd, &st) != 0) {
        const int err = errno;
        ::close(fd);
        return errno_error(err, "stat");
    }
    if (S_ISDIR(st.st_mode)) {
        ::close(fd);
        return errno_error(EISDIR, "read");
    }
    std::vector<std::uint8_t> bytes(static_cast<std::size_t>(st.st_size));
    std::size_t done = 0;
    while (done < bytes.size()) {
        const ssize_t n = ::read(fd, bytes.data() + done, bytes.size() - done);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            const int err = errno;
            ::close(fd);
            return errno_error(err, "read");
        }
        if (n == 0) {
            break;  // shrank while reading
        }
        done += static_cast<std::size_t>(n);
    }
    ::close(fd);
    bytes.resize(done);
    if (bytes.empty()) {
        return with_path(ErrorCode::FileEmpty, "image file is empty", path);
    }
    return bytes;
}

Status check_structure(ImageFormat format,
                       const std::vector<std::uint8_t>& bytes,
                       const fs::path& path) {
    switch (format) {
        case ImageFormat::PNG:
            return check_png(bytes, path);
        case ImageFormat::JPEG:
            return check_jpeg(bytes, path);
        case ImageFormat::TIFF:
            return check_tiff(bytes, path);
        case ImageFormat::DPX: {
            auto header = parse_dpx_header(bytes.data(), bytes.size(), path);
            if (!header.ok()) {
                return header.error();
            }
            return {};
        }
        case ImageFormat::EXR: {
            auto info = inspect_exr(bytes.data(), bytes.size(), path);
            if (!info.ok()) {
                return info.error();
            }
            if (!info->complete) {
                return with_path(ErrorCode::FileTruncated, "EXR: missing pixel chunks", path);
            }
            return {};
        }
    }
    return {};
}

SampleType output_type(ImageFormat format, SampleType preferred, int bit_depth) {
    if (format == ImageFormat::EXR || preferred == SampleType::F32) {
        return SampleType::F32;
    }
    if (preferred == SampleType::U8 || bit_depth <= 8) {
        return SampleType::U8;
    }
    return SampleType::U16;
}

Result<DecodedImage> decode(ImageFormat format,
                            const std::vector<std::uint8_t>& bytes,
                            const fs::path& path,
                            SampleType type) {
    if (Status s = check_structure(format, bytes, path); !s.ok()) {
        return s.error();
    }
    if (format == ImageFormat::EXR) {
        ExrInfo info;
        auto frame = decode_exr(bytes.data(), bytes.size(), path, &info,
                                static_cast<int>(std::thread::hardware_concurrency()));
        if (!frame.ok()) {
            return frame.error();
        }
        DecodedImage image;
        image.bit_depth = info.bit_depth;
        image.pixel_format = info.bit_depth == 16 ? "rgbf16" : "rgbf32";
        image.color = info.color;
        if (type == SampleType::F32) {
            image.frame = std::move(frame.value());
        } else {
            image.frame = from_float(frame.value(), type, type == SampleType::U8 ? 8 : 16);
        }
        return image;
    }
    auto image = decode_raster(format, bytes, path, type);
    if (image.ok() && format == ImageFormat::DPX) {
        // libavcodec 5.1 does not know the ST 268-2 codes; our parse does.
        auto header = parse_dpx_header(bytes.data(), bytes.size(), path);
        if (header.ok()) {
            image->color = color_from_dpx(header->transfer, header->colorimetric);
        }
    }
    return image;
}

bool file_looks_complete(ImageFormat format, const fs::path& path, int width, int height) {
    switch (format) {
        case ImageFormat::PNG:
            return png_complete(path, width, height);
        case ImageFormat::DPX:
            return dpx_complete(path, width, height);
        case ImageFormat::EXR: {
            auto info = inspect_exr_file(path);
            return info.ok() && info->complete && (width <= 0 || info->width == width) &&
                   (height <= 0 || info->height == height);
        }
        case ImageFormat::JPEG:
        case ImageFormat::TIFF: {
            auto bytes = read_file(path);
            return bytes.ok() && check_structure(format, bytes.value(), path).ok();
        }
    }
    return false;
}

}  // namespace engine::io::image
