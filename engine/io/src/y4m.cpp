#include "engine/io/y4m.h"

#include "engine/core/paths.h"

#include <algorithm>
#include <array>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <fcntl.h>
#include <string>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

namespace engine::io {
namespace fs = std::filesystem;

namespace {

constexpr std::string_view kSignature = "YUV4MPEG2 ";
constexpr std::size_t kMaxHeaderLine = 4096;  // stream header, generous for X tags
constexpr std::size_t kMaxFrameLine = 1024;   // "FRAME" and its rarely used parameters
constexpr int kMaxDimension = 32768;

bool is_stdio(const fs::path& path) {
    return path == "-";
}

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

Error with_path(ErrorCode code, const std::string& detail, const fs::path& path) {
    Error e(code, detail);
    e.with("path", is_stdio(path) ? std::string("-") : path_string(path));
    return e;
}

// Plane layout of one Y4M colour space.
struct Layout {
    int chroma_x = 2;  // horizontal subsampling (1, 2, 4)
    int chroma_y = 2;  // vertical subsampling (1, 2)
    int bits = 8;
    bool mono = false;
    bool alpha = false;
    std::string pixel_format;  // FFmpeg's name
    std::string tag;           // the C parameter we write

    int chroma_width(int width) const { return (width + chroma_x - 1) / chroma_x; }
    int chroma_height(int height) const { return (height + chroma_y - 1) / chroma_y; }
    std::size_t sample_bytes() const { return bits > 8 ? 2 : 1; }
    std::size_t frame_bytes(int width, int height) const {
        const std::size_t luma = static_cast<std::size_t>(width) * height;
        const std::size_t chroma =
            mono ? 0 : static_cast<std::size_t>(chroma_width(width)) * chroma_height(height);
        return (luma * (alpha ? 2 : 1) + 2 * chroma) * sample_bytes();
    }
};

std::optional<Layout> layout_from_tag(const std::string& c) {
    Layout l;
    l.tag = c;
    std::string base = c;
    if (c == "420jpeg" || c == "420paldv" || c == "420mpeg2" || c == "420") {
        l.pixel_format = "yuv420p";
        return l;
    }
    if (c == "411") {
        l.chroma_x = 4;
        l.chroma_y = 1;
        l.pixel_format = "yuv411p";
        return l;
    }
    if (c == "mono") {
        l.mono = true;
        l.pixel_format = "gray";
        return l;
    }
    if (c == "444alpha") {
        l.chroma_x = l.chroma_y = 1;
        l.alpha = true;
        l.pixel_format = "yuva444p";
        return l;
    }
    if (c == "422" || c == "444") {
        l.chroma_x = c == "422" ? 2 : 1;
        l.chroma_y = 1;
        l.pixel_format = "yuv" + c + "p";
        return l;
    }
    // Deep: "<420|422|444>p<bits>" or "mono<bits>".
    int bits = 0;
    if (c.rfind("mono", 0) == 0) {
        l.mono = true;
        base = "mono";
        bits = std::atoi(c.c_str() + 4);
    } else if (c.size() > 4 && c[3] == 'p' &&
               (c.rfind("420", 0) == 0 || c.rfind("422", 0) == 0 || c.rfind("444", 0) == 0)) {
        base = c.substr(0, 3);
        bits = std::atoi(c.c_str() + 4);
        l.chroma_x = base == "444" ? 1 : 2;
        l.chroma_y = base == "420" ? 2 : 1;
    } else {
        return std::nullopt;
    }
    if (bits != 9 && bits != 10 && bits != 12 && bits != 14 && bits != 16) {
        return std::nullopt;
    }
    if (l.mono && bits != 9 && bits != 10 && bits != 12 && bits != 16) {
        return std::nullopt;
    }
    l.bits = bits;
    l.pixel_format =
        (l.mono ? std::string("gray") : "yuv" + base + "p") + std::to_string(bits) + "le";
    return l;
}

// FFmpeg's name for planar RGB of a 4:4:4 layout's depth ("gbrp", "gbrp16le").
std::string l_gbr_name(const Layout& l) {
    return l.bits == 8 ? std::string("gbrp") : "gbrp" + std::to_string(l.bits) + "le";
}

// Y'CbCr <-> R'G'B' coefficients (H.273 matrix numbers).
struct Matrix {
    double kr = 0.2126;
    double kb = 0.0722;
    int code = 1;
    const char* tag = "BT709";
    bool rgb = false;  // code 0: the planes hold G, B, R (full range), no matrix
};

Matrix matrix_for(int code) {
    switch (code) {
        case 0:
            return {0.0, 0.0, 0, "RGB", true};
        case 5:
        case 6:
            return {0.299, 0.114, code, "BT601"};
        case 9:
        case 10:
            return {0.2627, 0.0593, code, "BT2020"};
        default:
            return {0.2126, 0.0722, 1, "BT709"};
    }
}

// The untagged rule of the FFmpeg source: BT.709 from 1280x720 up, BT.601 below.
int default_matrix(int width, int height) {
    return (width >= 1280 || height >= 720) ? 1 : 6;
}

// Code value scaling of one bit depth and range.
struct Range {
    double y_offset = 16;
    double y_scale = 219;
    double c_offset = 128;
    double c_scale = 224;
    double max_code = 255;

    Range(int bits, bool full) {
        const double s = std::ldexp(1.0, bits - 8);
        max_code = std::ldexp(1.0, bits) - 1;
        c_offset = std::ldexp(1.0, bits - 1);
        if (full) {
            y_offset = 0;
            y_scale = max_code;
            c_scale = max_code;
        } else {
            y_offset = 16 * s;
            y_scale = 219 * s;
            c_scale = 224 * s;
        }
    }
};

// Bilinear upsampling positions (centred siting) of one axis: for output i, the two chroma
// samples and the weight of the second.
struct Taps {
    std::vector<int> first;
    std::vector<int> second;
    std::vector<float> weight;
};

Taps make_taps(int out_size, int factor, int in_size) {
    Taps t;
    t.first.resize(out_size);
    t.second.resize(out_size);
    t.weight.resize(out_size);
    for (int i = 0; i < out_size; ++i) {
        const double pos = factor == 1 ? i : (i + 0.5) / factor - 0.5;
        const double clamped = std::clamp(pos, 0.0, static_cast<double>(in_size - 1));
        const int a = static_cast<int>(std::floor(clamped));
        const int b = std::min(a + 1, in_size - 1);
        t.first[i] = a;
        t.second[i] = b;
        t.weight[i] = static_cast<float>(clamped - a);
    }
    return t;
}

std::uint16_t load(const std::uint8_t* plane, std::size_t i, bool wide) {
    if (!wide) {
        return plane[i];
    }
    return static_cast<std::uint16_t>(plane[2 * i] | (plane[2 * i + 1] << 8));
}

void store(std::uint8_t* plane, std::size_t i, bool wide, std::uint32_t v) {
    if (!wide) {
        plane[i] = static_cast<std::uint8_t>(v);
        return;
    }
    plane[2 * i] = static_cast<std::uint8_t>(v & 0xFF);
    plane[2 * i + 1] = static_cast<std::uint8_t>(v >> 8);
}

// A failed read of the input: FileUnreadable with the errno.
Error read_error(int err, const char* what, const fs::path& path) {
    return with_path(ErrorCode::FileUnreadable, std::string(what) + ": " + std::strerror(err), path)
        .with("errno", std::to_string(err));
}

// Writes all of `size` bytes to `fd`; errno mapped like the other sinks.
Status write_all(int fd, const std::uint8_t* data, std::size_t size, const fs::path& path) {
    while (size > 0) {
        const ssize_t n = ::write(fd, data, size);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            return error_from_errno(errno, "write", path);
        }
        data += n;
        size -= static_cast<std::size_t>(n);
    }
    return {};
}

// ---------------------------------------------------------------------------------------------
// Reading

// Buffered reader over a file descriptor (a file or stdin).
class Reader {
  public:
    Reader(int fd, bool owned) : m_fd(fd), m_owned(owned), m_buffer(1 << 20) {}
    ~Reader() {
        if (m_owned && m_fd >= 0) {
            ::close(m_fd);
        }
    }
    Reader(const Reader&) = delete;
    Reader& operator=(const Reader&) = delete;

    // Reads up to `size` bytes; fewer only at the end of the stream. -1 with errno on error.
    std::int64_t read(std::uint8_t* out, std::size_t size) {
        std::size_t done = 0;
        while (done < size) {
            if (m_pos == m_end) {
                if (size - done >= m_buffer.size()) {
                    const ssize_t n = read_raw(out + done, size - done);
                    if (n < 0) {
                        return -1;
                    }
                    if (n == 0) {
                        break;
                    }
                    done += static_cast<std::size_t>(n);
                    continue;
                }
                const ssize_t n = read_raw(m_buffer.data(), m_buffer.size());
                if (n < 0) {
                    return -1;
                }
                if (n == 0) {
                    break;
                }
                m_pos = 0;
                m_end = static_cast<std::size_t>(n);
            }
            const std::size_t take = std::min(size - done, m_end - m_pos);
            std::memcpy(out + done, m_buffer.data() + m_pos, take);
            m_pos += take;
            done += take;
        }
        return static_cast<std::int64_t>(done);
    }

    // Reads a line up to '\n' (not included). Returns false at the end of the stream before
    // any byte; `complete` tells whether the newline came within `limit` bytes.
    bool read_line(std::string& line, std::size_t limit, bool& complete, int& error) {
        line.clear();
        complete = false;
        error = 0;
        std::uint8_t c = 0;
        while (line.size() <= limit) {
            const std::int64_t n = read(&c, 1);
            if (n < 0) {
                error = errno;
                return !line.empty();
            }
            if (n == 0) {
                return !line.empty();
            }
            if (c == '\n') {
                complete = true;
                return true;
            }
            line.push_back(static_cast<char>(c));
        }
        return true;
    }

    // Positions a seekable descriptor; drops the buffer.
    bool seek(std::int64_t offset) {
        m_pos = m_end = 0;
        return ::lseek(m_fd, offset, SEEK_SET) == offset;
    }

  private:
    ssize_t read_raw(std::uint8_t* out, std::size_t size) {
        for (;;) {
            const ssize_t n = ::read(m_fd, out, size);
            if (n < 0 && errno == EINTR) {
                continue;
            }
            return n;
        }
    }

    int m_fd = -1;
    bool m_owned = false;
    std::vector<std::uint8_t> m_buffer;
    std::size_t m_pos = 0;
    std::size_t m_end = 0;
};

struct StreamHeader {
    int width = 0;
    int height = 0;
    Rational rate;
    Layout layout;
    bool full_range = false;
    int matrix = -1;  // H.273 number from XFVSR_MATRIX (0 = RGB); -1 = untagged
};

Result<StreamHeader> parse_stream_header(const std::string& line, const fs::path& path) {
    auto corrupt = [&](const std::string& reason) {
        return with_path(ErrorCode::FileCorrupt, "Y4M stream header: " + reason, path)
            .with("reason", reason);
    };
    StreamHeader h;
    std::optional<Layout> layout = layout_from_tag("420jpeg");
    std::size_t pos = kSignature.size();
    while (pos < line.size()) {
        const std::size_t space = line.find(' ', pos);
        const std::string token =
            line.substr(pos, space == std::string::npos ? std::string::npos : space - pos);
        pos = space == std::string::npos ? line.size() : space + 1;
        if (token.empty()) {
            continue;
        }
        const std::string value = token.substr(1);
        switch (token[0]) {
            case 'W':
            case 'H': {
                char* end = nullptr;
                const long v = std::strtol(value.c_str(), &end, 10);
                if (value.empty() || *end != '\0' || v <= 0 || v > kMaxDimension) {
                    return Result<StreamHeader>(corrupt("bad_size").with("token", token));
                }
                (token[0] == 'W' ? h.width : h.height) = static_cast<int>(v);
                break;
            }
            case 'F': {
                int num = 0;
                int den = 0;
                if (std::sscanf(value.c_str(), "%d:%d", &num, &den) != 2 || num < 0 || den < 0) {
                    return Result<StreamHeader>(corrupt("bad_frame_rate").with("token", token));
                }
                h.rate = Rational{num, den};
                break;
            }
            case 'I':
                if (value == "m") {
                    return Result<StreamHeader>(
                        with_path(ErrorCode::UnsupportedFormat,
                                  "Y4M with mixed progressive/interlaced frames", path)
                            .with("interlacing", value));
                }
                break;
            case 'C':
                layout = layout_from_tag(value);
                if (!layout) {
                    return Result<StreamHeader>(with_path(ErrorCode::UnsupportedPixelFormat,
                                                          "unsupported Y4M colour space", path)
                                                    .with("colorspace", value));
                }
                break;
            case 'X':
                if (value == "COLORRANGE=FULL") {
                    h.full_range = true;
                } else if (value == "COLORRANGE=LIMITED") {
                    h.full_range = false;
                } else if (value == "FVSR_MATRIX=BT601") {
                    h.matrix = 6;
                } else if (value == "FVSR_MATRIX=BT709") {
                    h.matrix = 1;
                } else if (value == "FVSR_MATRIX=BT2020") {
                    h.matrix = 9;
                } else if (value == "FVSR_MATRIX=RGB") {
                    h.matrix = 0;
                }
                break;
            default:  // A (pixel aspect) and unknown parameters carry nothing we use
                break;
        }
    }
    if (h.width == 0 || h.height == 0) {
        return corrupt("missing_size");
    }
    if (h.matrix == 0 &&
        (layout->mono || layout->alpha || layout->chroma_x != 1 || layout->chroma_y != 1)) {
        return with_path(ErrorCode::UnsupportedPixelFormat, "RGB Y4M must be 4:4:4", path)
            .with("colorspace", layout->tag);
    }
    h.layout = *layout;
    return h;
}

class Y4mSource final : public FrameSource {
  public:
    Y4mSource(SourceOptions options, std::unique_ptr<Reader> reader)
        : m_options(std::move(options)), m_reader(std::move(reader)) {}

    Status open(std::int64_t file_size) {
        const fs::path& path = m_options.input;
        std::string line;
        bool complete = false;
        int error = 0;
        if (!m_reader->read_line(line, kMaxHeaderLine, complete, error)) {
            if (error != 0) {
                return read_error(error, "read", path);
            }
            return with_path(ErrorCode::FileEmpty, "Y4M input is empty", path);
        }
        if (line.compare(0, kSignature.size(), kSignature) != 0) {
            const bool prefix = line.size() < kSignature.size() && !complete &&
                                kSignature.compare(0, line.size(), line) == 0;
            return with_path(prefix ? ErrorCode::FileTruncated : ErrorCode::FileCorrupt,
                             "not a YUV4MPEG2 stream (no \"YUV4MPEG2 \" signature)", path)
                .with("reason", "signature");
        }
        if (!complete) {
            return line.size() > kMaxHeaderLine
                       ? with_path(ErrorCode::FileCorrupt, "Y4M stream header line too long", path)
                             .with("reason", "header_too_long")
                       : with_path(ErrorCode::FileTruncated, "Y4M stream header cut short", path);
        }
        auto header = parse_stream_header(line, path);
        if (!header.ok()) {
            return header.error();
        }
        m_header = header.value();
        m_frame_bytes = m_header.layout.frame_bytes(m_header.width, m_header.height);
        m_data_start = static_cast<std::int64_t>(line.size()) + 1;
        m_matrix =
            matrix_for(m_header.matrix >= 0 ? m_header.matrix
                                            : default_matrix(m_header.width, m_header.height));

        VideoInfo& info = m_info;
        info.path = path;
        info.container = "yuv4mpegpipe";
        info.codec_name = "rawvideo";
        info.pixel_format = m_header.layout.pixel_format;
        info.width = m_header.width;
        info.height = m_header.height;
        info.bit_depth = m_header.layout.bits;
        info.frame_rate = m_header.rate.valid() ? m_header.rate : m_options.sequence_fps;
        if (!info.frame_rate.valid()) {
            info.frame_rate = Rational{30, 1};
        }
        info.time_base = Rational{info.frame_rate.den, info.frame_rate.num};
        info.color.matrix = m_matrix.code;
        info.color.range = m_header.full_range || m_matrix.rgb ? 2 : 1;
        if (m_matrix.rgb) {
            info.pixel_format = l_gbr_name(m_header.layout);
        }
        m_type = m_options.preferred_type;
        if (m_type == SampleType::U16 && m_header.layout.bits <= 8) {
            m_type = SampleType::U8;
        }
        if (file_size >= 0) {
            if (auto st = scan(file_size); !st.ok()) {
                return st;
            }
            info.frame_count = static_cast<std::int64_t>(m_offsets.size());
            info.frame_count_exact = true;
            info.duration_seconds =
                static_cast<double>(info.frame_count) / std::max(1e-9, info.frame_rate.to_double());
            if (m_offsets.empty()) {
                return with_path(ErrorCode::ZeroFrames, "Y4M file holds no frame", path);
            }
        }
        m_next_index = std::max<std::int64_t>(0, m_options.first_frame);
        if (file_size < 0) {
            // A pipe: skip by reading.
            for (std::int64_t k = 0; k < m_next_index; ++k) {
                auto skipped = read_frame_data(k);
                if (!skipped.ok()) {
                    return skipped.error();
                }
                if (!skipped.value()) {
                    break;
                }
            }
        }
        m_y_taps = make_taps(m_header.width, m_header.layout.chroma_x,
                             m_header.layout.chroma_width(m_header.width));
        m_c_rows = make_taps(m_header.height, m_header.layout.chroma_y,
                             m_header.layout.chroma_height(m_header.height));
        return {};
    }

    const VideoInfo& info() const override { return m_info; }

    Result<std::optional<Frame>> next() override {
        if (m_options.max_frames >= 0 && m_delivered >= m_options.max_frames) {
            return std::optional<Frame>();
        }
        const std::int64_t index = m_next_index;
        if (!m_offsets.empty() || m_info.frame_count_exact) {
            if (index >= static_cast<std::int64_t>(m_offsets.size())) {
                return std::optional<Frame>();
            }
            if (!m_reader->seek(m_offsets[static_cast<std::size_t>(index)])) {
                return read_error(errno, "seek", m_options.input);
            }
            m_raw.resize(m_frame_bytes);
            const std::int64_t n = m_reader->read(m_raw.data(), m_frame_bytes);
            if (n < 0) {
                return read_error(errno, "read", m_options.input);
            }
            if (static_cast<std::size_t>(n) != m_frame_bytes) {
                return with_path(ErrorCode::FileTruncated, "Y4M file shrank while reading",
                                 m_options.input)
                    .with("frame", std::to_string(index));
            }
        } else {
            auto got = read_frame_data(index);
            if (!got.ok()) {
                return got.error();
            }
            if (!got.value()) {
                return std::optional<Frame>();
            }
        }
        Frame frame = convert(index);
        ++m_next_index;
        ++m_delivered;
        return std::optional<Frame>(std::move(frame));
    }

  private:
    // Walks the frame headers of a file (one short read each), recording where each frame's
    // samples start.
    Status scan(std::int64_t file_size) {
        std::int64_t pos = m_data_start;
        std::string line;
        while (pos < file_size) {
            if (!m_reader->seek(pos)) {
                return read_error(errno, "seek", m_options.input);
            }
            bool complete = false;
            int error = 0;
            m_reader->read_line(line, kMaxFrameLine, complete, error);
            if (error != 0) {
                return read_error(error, "read", m_options.input);
            }
            if (auto st = check_frame_line(line, complete, m_offsets.size()); !st.ok()) {
                return st;
            }
            const std::int64_t data = pos + static_cast<std::int64_t>(line.size()) + 1;
            if (data + static_cast<std::int64_t>(m_frame_bytes) > file_size) {
                return with_path(ErrorCode::FileTruncated, "Y4M file ends inside a frame",
                                 m_options.input)
                    .with("frames", std::to_string(m_offsets.size()))
                    .with("missing_bytes",
                          std::to_string(data + static_cast<std::int64_t>(m_frame_bytes) -
                                         file_size));
            }
            m_offsets.push_back(data);
            pos = data + static_cast<std::int64_t>(m_frame_bytes);
        }
        return {};
    }

    Status check_frame_line(const std::string& line, bool complete, std::size_t index) {
        if (line.compare(0, 5, "FRAME") != 0 || (line.size() > 5 && line[5] != ' ')) {
            if (!complete && std::string_view("FRAME").substr(0, line.size()) == line) {
                return with_path(ErrorCode::FileTruncated, "Y4M stream ends inside a frame header",
                                 m_options.input)
                    .with("frames", std::to_string(index));
            }
            return with_path(ErrorCode::FileCorrupt, "Y4M frame header is not FRAME",
                             m_options.input)
                .with("reason", "frame_header")
                .with("frame", std::to_string(index));
        }
        if (!complete) {
            return with_path(line.size() > kMaxFrameLine ? ErrorCode::FileCorrupt
                                                         : ErrorCode::FileTruncated,
                             "Y4M frame header line not terminated", m_options.input)
                .with("frame", std::to_string(index));
        }
        return {};
    }

    // Sequential read of a pipe: false at a clean end of the stream.
    Result<bool> read_frame_data(std::int64_t index) {
        std::string line;
        bool complete = false;
        int error = 0;
        if (!m_reader->read_line(line, kMaxFrameLine, complete, error)) {
            if (error != 0) {
                return read_error(error, "read", m_options.input);
            }
            return false;
        }
        if (auto st = check_frame_line(line, complete, static_cast<std::size_t>(index)); !st.ok()) {
            return st.error();
        }
        m_raw.resize(m_frame_bytes);
        const std::int64_t n = m_reader->read(m_raw.data(), m_frame_bytes);
        if (n < 0) {
            return read_error(errno, "read", m_options.input);
        }
        if (static_cast<std::size_t>(n) != m_frame_bytes) {
            return with_path(ErrorCode::FileTruncated, "Y4M stream ends inside a frame",
                             m_options.input)
                .with("frames", std::to_string(index));
        }
        return true;
    }

    Frame convert(std::int64_t index) const {
        if (m_matrix.rgb) {
            return convert_rgb(index);
        }
        const Layout& l = m_header.layout;
        const int w = m_header.width;
        const int h = m_header.height;
        const bool wide = l.bits > 8;
        const std::size_t sb = l.sample_bytes();
        const int cw = l.chroma_width(w);
        const std::uint8_t* y_plane = m_raw.data();
        const std::uint8_t* cb_plane = y_plane + static_cast<std::size_t>(w) * h * sb;
        const std::uint8_t* cr_plane =
            cb_plane + static_cast<std::size_t>(cw) * l.chroma_height(h) * sb;
        const Range range(l.bits, m_header.full_range);
        const double kr = m_matrix.kr;
        const double kb = m_matrix.kb;
        const double kg = 1.0 - kr - kb;
        const float cr_to_r = static_cast<float>(2.0 * (1.0 - kr));
        const float cb_to_b = static_cast<float>(2.0 * (1.0 - kb));
        const float cb_to_g = static_cast<float>(-2.0 * (1.0 - kb) * kb / kg);
        const float cr_to_g = static_cast<float>(-2.0 * (1.0 - kr) * kr / kg);
        const float y_off = static_cast<float>(range.y_offset);
        const float y_mul = static_cast<float>(1.0 / range.y_scale);
        const float c_off = static_cast<float>(range.c_offset);
        const float c_mul = static_cast<float>(1.0 / range.c_scale);

        Frame frame;
        frame.allocate(w, h, m_type);
        frame.bit_depth = m_type == SampleType::U8 ? std::min(l.bits, 8) : l.bits;
        frame.index = index;
        frame.pts = index;
        frame.time_base = m_info.time_base;
        const float full = m_type == SampleType::U8 ? 255.0f : 65535.0f;
        std::vector<float> cb_row(static_cast<std::size_t>(cw));
        std::vector<float> cr_row(static_cast<std::size_t>(cw));
        for (int y = 0; y < h; ++y) {
            if (!l.mono) {
                // Vertical interpolation of this output row's chroma, then horizontal per pixel.
                const std::size_t r0 = static_cast<std::size_t>(m_c_rows.first[y]) * cw;
                const std::size_t r1 = static_cast<std::size_t>(m_c_rows.second[y]) * cw;
                const float wy = m_c_rows.weight[y];
                for (int x = 0; x < cw; ++x) {
                    const float b0 = load(cb_plane, r0 + x, wide);
                    const float b1 = load(cb_plane, r1 + x, wide);
                    const float c0 = load(cr_plane, r0 + x, wide);
                    const float c1 = load(cr_plane, r1 + x, wide);
                    cb_row[x] = ((b0 + (b1 - b0) * wy) - c_off) * c_mul;
                    cr_row[x] = ((c0 + (c1 - c0) * wy) - c_off) * c_mul;
                }
            }
            const std::size_t row = static_cast<std::size_t>(y) * w;
            for (int x = 0; x < w; ++x) {
                const float luma = (load(y_plane, row + x, wide) - y_off) * y_mul;
                float rgb[3] = {luma, luma, luma};
                if (!l.mono) {
                    const int a = m_y_taps.first[x];
                    const int b = m_y_taps.second[x];
                    const float wx = m_y_taps.weight[x];
                    const float cb = cb_row[a] + (cb_row[b] - cb_row[a]) * wx;
                    const float cr = cr_row[a] + (cr_row[b] - cr_row[a]) * wx;
                    rgb[0] = luma + cr_to_r * cr;
                    rgb[1] = luma + cb_to_g * cb + cr_to_g * cr;
                    rgb[2] = luma + cb_to_b * cb;
                }
                const std::size_t o = (row + x) * 3;
                for (int c = 0; c < 3; ++c) {
                    const float v = std::clamp(rgb[c], 0.0f, 1.0f);
                    switch (m_type) {
                        case SampleType::U8:
                            frame.samples<std::uint8_t>()[o + c] =
                                static_cast<std::uint8_t>(std::lround(v * full));
                            break;
                        case SampleType::U16:
                            frame.samples<std::uint16_t>()[o + c] =
                                static_cast<std::uint16_t>(std::lround(v * full));
                            break;
                        case SampleType::F32:
                            frame.samples<float>()[o + c] = v;
                            break;
                    }
                }
            }
        }
        return frame;
    }

    // Planes G, B, R of full-range codes: integer rescaling, exact for U8 at 8 bits and U16 at
    // 16 bits.
    Frame convert_rgb(std::int64_t index) const {
        const Layout& l = m_header.layout;
        const bool wide = l.bits > 8;
        const std::size_t n = static_cast<std::size_t>(m_header.width) * m_header.height;
        const std::uint8_t* planes[3] = {m_raw.data() + 2 * n * l.sample_bytes(), m_raw.data(),
                                         m_raw.data() + n * l.sample_bytes()};  // R, G, B
        const std::uint64_t max_code = (1ull << l.bits) - 1;
        const std::uint64_t full = m_type == SampleType::U8 ? 255 : 65535;
        Frame frame;
        frame.allocate(m_header.width, m_header.height, m_type);
        frame.bit_depth = m_type == SampleType::U8 ? std::min(l.bits, 8) : l.bits;
        frame.index = index;
        frame.pts = index;
        frame.time_base = m_info.time_base;
        for (std::size_t i = 0; i < n; ++i) {
            for (int c = 0; c < 3; ++c) {
                const std::uint64_t code = load(planes[c], i, wide);
                const std::size_t o = i * 3 + c;
                switch (m_type) {
                    case SampleType::U8:
                        frame.samples<std::uint8_t>()[o] = static_cast<std::uint8_t>(
                            (code * full * 2 + max_code) / (2 * max_code));
                        break;
                    case SampleType::U16:
                        frame.samples<std::uint16_t>()[o] = static_cast<std::uint16_t>(
                            (code * full * 2 + max_code) / (2 * max_code));
                        break;
                    case SampleType::F32:
                        frame.samples<float>()[o] =
                            static_cast<float>(code) / static_cast<float>(max_code);
                        break;
                }
            }
        }
        return frame;
    }

    SourceOptions m_options;
    std::unique_ptr<Reader> m_reader;
    StreamHeader m_header;
    Matrix m_matrix;
    VideoInfo m_info;
    SampleType m_type = SampleType::U8;
    std::size_t m_frame_bytes = 0;
    std::int64_t m_data_start = 0;
    std::vector<std::int64_t> m_offsets;  // start of each frame's samples (files)
    std::vector<std::uint8_t> m_raw;
    Taps m_y_taps;  // horizontal chroma taps
    Taps m_c_rows;  // vertical chroma taps
    std::int64_t m_next_index = 0;
    std::int64_t m_delivered = 0;
};

// ---------------------------------------------------------------------------------------------
// Writing

Layout layout_for(VideoCodec codec, int bits) {
    std::string base = "420";
    if (codec == VideoCodec::ProRes422HQ) {
        base = "422";
    } else if (codec == VideoCodec::ProRes4444 || codec == VideoCodec::FFV1) {
        base = "444";
    }
    const std::string tag = bits == 8 ? (base == "420" ? std::string("420jpeg") : base)
                                      : base + "p" + std::to_string(bits);
    return *layout_from_tag(tag);
}

class Y4mSink final : public FrameSink {
  public:
    explicit Y4mSink(SinkOptions options) : m_options(std::move(options)) {}
    ~Y4mSink() override { abort(); }

    Status open() {
        const SinkOptions& o = m_options;
        const fs::path& out = o.output;
        if (o.width < 1 || o.height < 1 || o.width > kMaxDimension || o.height > kMaxDimension) {
            return with_path(ErrorCode::InvalidArgument, "Y4M output size out of range", out)
                .with("width", std::to_string(o.width))
                .with("height", std::to_string(o.height));
        }
        if (o.bit_depth != 8 && o.bit_depth != 10 && o.bit_depth != 12 && o.bit_depth != 16) {
            return with_path(ErrorCode::InvalidArgument, "Y4M bit depth must be 8, 10, 12 or 16",
                             out)
                .with("bit_depth", std::to_string(o.bit_depth));
        }
        m_layout = layout_for(o.codec, o.bit_depth);
        const int m = o.color.matrix;
        const bool known = m == 1 || m == 5 || m == 6 || m == 9 || m == 10;
        const bool rgb = m == 0 && o.codec == VideoCodec::FFV1;  // lossless, like FFV1's RGB
        m_matrix = matrix_for(rgb ? 0 : known ? m : default_matrix(o.width, o.height));
        const Rational rate = o.frame_rate.valid() ? o.frame_rate : Rational{30, 1};
        if (o.passthrough_from) {
            m_notes.push_back(
                "Y4M holds one video stream: the source's audio, subtitles and chapters are not "
                "copied");
        }

        if (is_stdio(out)) {
            m_fd = STDOUT_FILENO;
        } else {
            std::error_code ec;
            if (fs::exists(out, ec) && !o.overwrite) {
                return with_path(ErrorCode::OutputExists, "output file exists", out);
            }
            m_partial = partial_path_for(out);
            m_fd = ::open(m_partial.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
            if (m_fd < 0) {
                Error e = error_from_errno(errno, "create", m_partial);
                if (e.code == ErrorCode::FileNotFound) {
                    e.code = ErrorCode::OutputNotWritable;  // the folder is missing
                }
                return e;
            }
            m_owned = true;
        }
        std::string header = "YUV4MPEG2 W" + std::to_string(o.width) + " H" +
                             std::to_string(o.height) + " F" + std::to_string(rate.num) + ":" +
                             std::to_string(rate.den) + " Ip A1:1 C" + m_layout.tag;
        if (m_layout.tag == "420jpeg") {
            header += " XYSCSS=420JPEG";
        }
        header += std::string(m_matrix.rgb ? " XCOLORRANGE=FULL" : " XCOLORRANGE=LIMITED") +
                  " XFVSR_MATRIX=" + m_matrix.tag + "\n";
        if (auto st =
                write_bytes(reinterpret_cast<const std::uint8_t*>(header.data()), header.size());
            !st.ok()) {
            return st;
        }
        m_open = true;
        return {};
    }

    Status write(const Frame& frame) override {
        if (!m_open) {
            return with_path(ErrorCode::InvalidArgument, "Y4M sink is closed", m_options.output);
        }
        if (frame.width != m_options.width || frame.height != m_options.height ||
            frame.data.size() != frame.sample_count() * bytes_per_sample(frame.type)) {
            return with_path(ErrorCode::InvalidArgument, "frame size differs from the Y4M output",
                             m_options.output)
                .with("expected_width", std::to_string(m_options.width))
                .with("expected_height", std::to_string(m_options.height))
                .with("actual_width", std::to_string(frame.width))
                .with("actual_height", std::to_string(frame.height));
        }
        encode(frame);
        if (auto st = write_bytes(m_buffer.data(), m_buffer.size()); !st.ok()) {
            fail();
            return st;
        }
        ++m_frames;
        return {};
    }

    Status finish() override {
        if (!m_open) {
            return with_path(ErrorCode::InvalidArgument, "Y4M sink is closed", m_options.output);
        }
        if (m_options.expected_frames >= 0 && m_frames != m_options.expected_frames) {
            Error e = with_path(ErrorCode::OutputVerificationFailed,
                                "Y4M output holds a different number of frames than expected",
                                m_options.output);
            e.with("expected_frames", std::to_string(m_options.expected_frames))
                .with("frames", std::to_string(m_frames));
            fail();
            return e;
        }
        m_open = false;
        if (!m_owned) {
            return {};
        }
        if (::fsync(m_fd) != 0) {
            Error e = error_from_errno(errno, "fsync", m_partial);
            fail();
            return e;
        }
        ::close(m_fd);
        m_fd = -1;
        m_owned = false;
        if (auto st = commit_rename(m_partial, m_options.output); !st.ok()) {
            std::error_code ec;
            fs::remove(m_partial, ec);
            return st;
        }
        m_partial.clear();
        return {};
    }

    void abort() override {
        m_open = false;
        fail();
    }

    const std::vector<std::string>& notes() const override { return m_notes; }

  private:
    void fail() {
        if (m_owned && m_fd >= 0) {
            ::close(m_fd);
        }
        m_fd = -1;
        m_owned = false;
        m_open = false;
        if (!m_partial.empty()) {
            std::error_code ec;
            fs::remove(m_partial, ec);
            m_partial.clear();
        }
    }

    Status write_bytes(const std::uint8_t* data, std::size_t size) {
        return write_all(m_fd, data, size,
                         is_stdio(m_options.output) ? m_options.output : m_partial);
    }

    // "FRAME\n" and the planes of one frame into m_buffer.
    void encode(const Frame& frame) {
        if (m_matrix.rgb) {
            encode_rgb(frame);
            return;
        }
        const Layout& l = m_layout;
        const int w = frame.width;
        const int h = frame.height;
        const bool wide = l.bits > 8;
        const std::size_t sb = l.sample_bytes();
        const int cw = l.chroma_width(w);
        const int ch = l.chroma_height(h);
        static constexpr char kFrame[] = "FRAME\n";
        m_buffer.resize(6 + l.frame_bytes(w, h));
        std::memcpy(m_buffer.data(), kFrame, 6);
        std::uint8_t* y_plane = m_buffer.data() + 6;
        std::uint8_t* cb_plane = y_plane + static_cast<std::size_t>(w) * h * sb;
        std::uint8_t* cr_plane = cb_plane + static_cast<std::size_t>(cw) * ch * sb;
        const Range range(l.bits, false);
        const double kr = m_matrix.kr;
        const double kb = m_matrix.kb;
        const double kg = 1.0 - kr - kb;
        const float max_code = static_cast<float>(range.max_code);
        // Per-pixel Cb/Cr (nominal -0.5..0.5), averaged over each chroma block below.
        m_cb.assign(static_cast<std::size_t>(cw) * ch, 0.0f);
        m_cr.assign(static_cast<std::size_t>(cw) * ch, 0.0f);
        m_count.assign(static_cast<std::size_t>(cw) * ch, 0);
        const float in_scale = frame.type == SampleType::U8    ? 1.0f / 255.0f
                               : frame.type == SampleType::U16 ? 1.0f / 65535.0f
                                                               : 1.0f;
        for (int y = 0; y < h; ++y) {
            for (int x = 0; x < w; ++x) {
                const std::size_t i = static_cast<std::size_t>(y) * w + x;
                float rgb[3];
                for (int c = 0; c < 3; ++c) {
                    float v = 0.0f;
                    switch (frame.type) {
                        case SampleType::U8:
                            v = frame.samples<std::uint8_t>()[i * 3 + c] * in_scale;
                            break;
                        case SampleType::U16:
                            v = frame.samples<std::uint16_t>()[i * 3 + c] * in_scale;
                            break;
                        case SampleType::F32: {
                            const float s = frame.samples<float>()[i * 3 + c];
                            v = std::isnan(s) ? 0.0f : std::clamp(s, 0.0f, 1.0f);
                            break;
                        }
                    }
                    rgb[c] = v;
                }
                const float luma = static_cast<float>(kr * rgb[0] + kg * rgb[1] + kb * rgb[2]);
                const float code_y = static_cast<float>(range.y_offset + luma * range.y_scale);
                store(y_plane, i, wide,
                      static_cast<std::uint32_t>(std::lround(std::clamp(code_y, 0.0f, max_code))));
                const std::size_t ci = static_cast<std::size_t>(y / l.chroma_y) * cw +
                                       static_cast<std::size_t>(x / l.chroma_x);
                m_cb[ci] += static_cast<float>((rgb[2] - luma) / (2.0 * (1.0 - kb)));
                m_cr[ci] += static_cast<float>((rgb[0] - luma) / (2.0 * (1.0 - kr)));
                ++m_count[ci];
            }
        }
        for (std::size_t ci = 0; ci < m_cb.size(); ++ci) {
            const float n = static_cast<float>(std::max(1, m_count[ci]));
            const float cb = static_cast<float>(range.c_offset + m_cb[ci] / n * range.c_scale);
            const float cr = static_cast<float>(range.c_offset + m_cr[ci] / n * range.c_scale);
            store(cb_plane, ci, wide,
                  static_cast<std::uint32_t>(std::lround(std::clamp(cb, 0.0f, max_code))));
            store(cr_plane, ci, wide,
                  static_cast<std::uint32_t>(std::lround(std::clamp(cr, 0.0f, max_code))));
        }
    }

    // Planes G, B, R of full-range codes, rescaled with rounding (exact for U8 at 8 bits, U16
    // at 16 bits).
    void encode_rgb(const Frame& frame) {
        const Layout& l = m_layout;
        const bool wide = l.bits > 8;
        const std::size_t n = static_cast<std::size_t>(frame.width) * frame.height;
        m_buffer.resize(6 + l.frame_bytes(frame.width, frame.height));
        std::memcpy(m_buffer.data(), "FRAME\n", 6);
        std::uint8_t* base = m_buffer.data() + 6;
        std::uint8_t* planes[3] = {base + 2 * n * l.sample_bytes(), base,
                                   base + n * l.sample_bytes()};  // R, G, B
        const std::uint64_t max_code = (1ull << l.bits) - 1;
        for (std::size_t i = 0; i < n; ++i) {
            for (int c = 0; c < 3; ++c) {
                std::uint64_t code = 0;
                switch (frame.type) {
                    case SampleType::U8:
                        code =
                            (frame.samples<std::uint8_t>()[i * 3 + c] * max_code * 2 + 255) / 510;
                        break;
                    case SampleType::U16:
                        code = (frame.samples<std::uint16_t>()[i * 3 + c] * max_code * 2 + 65535) /
                               131070;
                        break;
                    case SampleType::F32: {
                        const float s = frame.samples<float>()[i * 3 + c];
                        const float v = std::isnan(s) ? 0.0f : std::clamp(s, 0.0f, 1.0f);
                        code = static_cast<std::uint64_t>(
                            std::lround(v * static_cast<float>(max_code)));
                        break;
                    }
                }
                store(planes[c], i, wide, static_cast<std::uint32_t>(code));
            }
        }
    }

    SinkOptions m_options;
    Layout m_layout;
    Matrix m_matrix;
    std::vector<std::string> m_notes;
    fs::path m_partial;
    int m_fd = -1;
    bool m_owned = false;
    bool m_open = false;
    std::int64_t m_frames = 0;
    std::vector<std::uint8_t> m_buffer;
    std::vector<float> m_cb;
    std::vector<float> m_cr;
    std::vector<int> m_count;
};

}  // namespace

bool is_y4m_path(const fs::path& path) {
    return is_stdio(path) || lower(path.extension().string()) == ".y4m";
}

Result<std::unique_ptr<FrameSource>> open_y4m_source(const SourceOptions& options) {
    const fs::path& path = options.input;
    int fd = STDIN_FILENO;
    bool owned = false;
    std::int64_t file_size = -1;
    if (!is_stdio(path)) {
        fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
            const int err = errno;
            const ErrorCode code = (err == ENOENT || err == ENOTDIR) ? ErrorCode::FileNotFound
                                                                     : ErrorCode::FileUnreadable;
            return with_path(code, std::string("open: ") + std::strerror(err), path)
                .with("errno", std::to_string(err));
        }
        owned = true;
        struct stat st {};
        if (::fstat(fd, &st) != 0 || S_ISDIR(st.st_mode)) {
            ::close(fd);
            return with_path(ErrorCode::FileUnreadable, "not a readable file", path);
        }
        if (S_ISREG(st.st_mode)) {
            file_size = static_cast<std::int64_t>(st.st_size);
        }
    }
    auto source = std::make_unique<Y4mSource>(options, std::make_unique<Reader>(fd, owned));
    if (auto st = source->open(file_size); !st.ok()) {
        return st.error();
    }
    return std::unique_ptr<FrameSource>(std::move(source));
}

Result<std::unique_ptr<FrameSink>> open_y4m_sink(const SinkOptions& options) {
    auto sink = std::make_unique<Y4mSink>(options);
    if (auto st = sink->open(); !st.ok()) {
        return st.error();
    }
    return std::unique_ptr<FrameSink>(std::move(sink));
}

}  // namespace engine::io
