#include "ffmpeg_probe.h"

#include "engine/core/paths.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <system_error>

namespace engine::io::ffmpeg {
namespace fs = std::filesystem;

namespace {

std::uint64_t read_be(const unsigned char* bytes, int count) {
    std::uint64_t value = 0;
    for (int i = 0; i < count; ++i) {
        value = (value << 8) | bytes[i];
    }
    return value;
}

bool is_box_type(const unsigned char* type) {
    for (int i = 0; i < 4; ++i) {
        if (!std::isprint(type[i])) {
            return false;
        }
    }
    return true;
}

bool is_top_level_box(const std::string& type) {
    static const std::array<const char*, 14> known = {"ftyp", "moov", "mdat", "free", "skip",
                                                      "wide", "pnot", "uuid", "styp", "sidx",
                                                      "moof", "mfra", "meta", "pdin"};
    return std::find_if(known.begin(), known.end(), [&](const char* k) { return type == k; }) !=
           known.end();
}

// ISO base media file format (mp4, mov, m4v, 3gp): every top-level box states its size.
std::optional<std::string> iso_bmff_truncation(std::ifstream& in, std::uint64_t file_size) {
    std::uint64_t offset = 0;
    bool first = true;
    while (offset + 8 <= file_size) {
        unsigned char header[16];
        in.seekg(static_cast<std::streamoff>(offset));
        if (!in.read(reinterpret_cast<char*>(header), 8)) {
            return std::nullopt;
        }
        std::string type(reinterpret_cast<const char*>(header + 4), 4);
        if (!is_box_type(header + 4) || (first && !is_top_level_box(type))) {
            return std::nullopt;  // not (or no longer) box structured: no verdict
        }
        first = false;
        std::uint64_t size = read_be(header, 4);
        std::uint64_t header_size = 8;
        if (size == 1) {
            if (offset + 16 > file_size) {
                return "the header of box '" + type + "' at byte " + std::to_string(offset) +
                       " is cut off";
            }
            if (!in.read(reinterpret_cast<char*>(header + 8), 8)) {
                return std::nullopt;
            }
            size = read_be(header + 8, 8);
            header_size = 16;
        } else if (size == 0) {
            return std::nullopt;  // the last box runs to the end of the file by definition
        }
        if (size < header_size) {
            return std::nullopt;
        }
        if (offset + size > file_size) {
            return "box '" + type + "' at byte " + std::to_string(offset) + " declares " +
                   std::to_string(size) + " bytes but the file ends after " +
                   std::to_string(file_size - offset);
        }
        offset += size;
    }
    return std::nullopt;
}

// EBML variable-length integer; returns the byte length (0 when invalid) and the value.
int read_vint(std::ifstream& in, std::uint64_t* value, bool* unknown) {
    int first = in.get();
    if (first == EOF || first == 0) {
        return 0;
    }
    int length = 1;
    while (length <= 8 && !(first & (0x80 >> (length - 1)))) {
        ++length;
    }
    std::uint64_t v = static_cast<unsigned>(first) & (0xFFu >> length);
    bool all_ones = v == (0xFFu >> length);
    for (int i = 1; i < length; ++i) {
        int b = in.get();
        if (b == EOF) {
            return 0;
        }
        v = (v << 8) | static_cast<unsigned>(b);
        all_ones = all_ones && b == 0xFF;
    }
    *value = v;
    *unknown = all_ones;
    return length;
}

// Matroska/WebM: the Segment element states its size unless the writer never finished.
std::optional<std::string> matroska_truncation(std::ifstream& in, std::uint64_t file_size) {
    in.seekg(4);
    std::uint64_t header_size = 0;
    bool unknown = false;
    int n = read_vint(in, &header_size, &unknown);
    if (n == 0 || unknown) {
        return std::nullopt;
    }
    std::uint64_t offset = 4 + static_cast<std::uint64_t>(n) + header_size;
    if (offset + 4 > file_size) {
        return "the file ends inside the Matroska header";
    }
    in.seekg(static_cast<std::streamoff>(offset));
    unsigned char id[4];
    if (!in.read(reinterpret_cast<char*>(id), 4) || read_be(id, 4) != 0x18538067) {
        return std::nullopt;
    }
    std::uint64_t segment_size = 0;
    n = read_vint(in, &segment_size, &unknown);
    if (n == 0) {
        return "the file ends inside the Matroska segment header";
    }
    if (unknown) {
        return std::nullopt;
    }
    std::uint64_t data_start = offset + 4 + static_cast<std::uint64_t>(n);
    if (data_start + segment_size > file_size) {
        return "the Matroska segment declares " + std::to_string(segment_size) +
               " bytes but the file ends after " + std::to_string(file_size - data_start);
    }
    return std::nullopt;
}

}  // namespace

std::optional<std::string> detect_truncation(const fs::path& path) {
    std::error_code ec;
    std::uint64_t file_size = fs::file_size(path, ec);
    if (ec || file_size < 8) {
        return std::nullopt;
    }
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        return std::nullopt;
    }
    unsigned char head[8];
    if (!in.read(reinterpret_cast<char*>(head), 8)) {
        return std::nullopt;
    }
    if (read_be(head, 4) == 0x1A45DFA3) {
        return matroska_truncation(in, file_size);
    }
    return iso_bmff_truncation(in, file_size);
}

VideoPacketScan scan_video_packets(const fs::path& path, int stream_index) {
    OpenedInput opened = open_input(path);
    if (!opened.context) {
        throw EngineException(opened.error);
    }
    AVFormatContext* input = opened.context.get();
    if (input->ctx_flags & AVFMTCTX_NOHEADER) {
        // Streams of header-less formats (raw elementary streams, MPEG-TS) appear while probing.
        int rc = avformat_find_stream_info(input, nullptr);
        if (rc < 0) {
            throw EngineException(input_error(rc, "read stream information", path));
        }
    }
    if (stream_index < 0 || stream_index >= static_cast<int>(input->nb_streams)) {
        throw_error(ErrorCode::FileCorrupt, "video stream disappeared while counting frames",
                    {{"path", path_string(path)}, {"stream", std::to_string(stream_index)}});
    }
    for (unsigned i = 0; i < input->nb_streams; ++i) {
        input->streams[i]->discard =
            static_cast<int>(i) == stream_index ? AVDISCARD_DEFAULT : AVDISCARD_ALL;
    }
    VideoPacketScan scan;
    scan.pts_complete = true;
    PacketPtr packet = make_packet();
    for (;;) {
        int rc = av_read_frame(input, packet.get());
        if (rc == AVERROR_EOF) {
            break;
        }
        if (rc < 0) {
            Error e = input_error(rc, "demux video packet " + std::to_string(scan.packets), path);
            if (std::optional<std::string> cut = detect_truncation(path)) {
                e.code = ErrorCode::FileTruncated;
                e.detail += " (" + *cut + ")";
            }
            e.with("frame", std::to_string(scan.packets));
            throw EngineException(e);
        }
        if (packet->stream_index == stream_index && !(packet->flags & AV_PKT_FLAG_DISCARD)) {
            ++scan.packets;
            if (packet->pts != AV_NOPTS_VALUE) {
                scan.pts.push_back(packet->pts);
            } else {
                scan.pts_complete = false;
            }
        }
        av_packet_unref(packet.get());
    }
    if (!scan.pts_complete) {
        scan.pts.clear();
    }
    std::sort(scan.pts.begin(), scan.pts.end());
    return scan;
}

std::int64_t median_delta(const std::vector<std::int64_t>& sorted_pts) {
    if (sorted_pts.size() < 2) {
        return 0;
    }
    std::vector<std::int64_t> deltas;
    deltas.reserve(sorted_pts.size() - 1);
    for (std::size_t i = 1; i < sorted_pts.size(); ++i) {
        deltas.push_back(sorted_pts[i] - sorted_pts[i - 1]);
    }
    std::nth_element(deltas.begin(), deltas.begin() + deltas.size() / 2, deltas.end());
    return deltas[deltas.size() / 2];
}

bool timestamps_are_variable(const std::vector<std::int64_t>& sorted_pts) {
    std::int64_t median = median_delta(sorted_pts);
    if (median <= 0) {
        return false;
    }
    double tolerance = std::max(1.5, 0.02 * static_cast<double>(median));
    for (std::size_t i = 1; i < sorted_pts.size(); ++i) {
        double delta = static_cast<double>(sorted_pts[i] - sorted_pts[i - 1]);
        if (std::fabs(delta - static_cast<double>(median)) > tolerance) {
            return true;
        }
    }
    return false;
}

}  // namespace engine::io::ffmpeg
