#pragma once
// Test media synthesised with the FFmpeg libraries (no downloaded samples): a video stream in
// any encoder/pixel format with chosen timestamps, colour tags, HDR side data and display
// matrix, plus PCM/FLAC/AAC audio, SRT/ASS subtitles, chapters and attachments. And small
// readers to compare what a file holds (packets, streams, chapters). Failures throw
// std::runtime_error; these helpers are for tests and benchmarks only.

#include "engine/core/frame.h"

#include <array>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/pixdesc.h>
}

namespace fvsr_test {

struct SynthVideo {
    std::string encoder = "ffv1";  // any FFmpeg encoder name ("rawvideo", "libx264", ...)
    AVPixelFormat pixel_format = AV_PIX_FMT_YUV420P;
    int width = 64;
    int height = 48;
    int frames = 5;
    AVRational time_base{1, 25};
    AVRational frame_rate{25, 1};
    std::vector<std::int64_t> pts;  // per frame, in time_base; empty = 0, 1, 2, ...
    AVColorPrimaries primaries = AVCOL_PRI_UNSPECIFIED;
    AVColorTransferCharacteristic transfer = AVCOL_TRC_UNSPECIFIED;
    AVColorSpace matrix = AVCOL_SPC_UNSPECIFIED;
    AVColorRange range = AVCOL_RANGE_UNSPECIFIED;
    engine::HdrMetadata hdr;                                    // stored as stream side data
    std::optional<std::array<std::int32_t, 9>> display_matrix;  // stream side data
    std::map<std::string, std::string> encoder_options;
    // Fills the planes of a writable frame (format/size as above); default: fill_pattern.
    std::function<void(AVFrame* frame, int index)> fill;
};

struct SynthAudio {
    std::string encoder = "pcm_s16le";  // "pcm_s16le", "flac", "aac"
    int sample_rate = 48000;
    int channels = 2;
    double seconds = 0.2;
    std::string language;  // "language" tag when not empty
};

struct SynthSubtitle {
    std::string codec = "subrip";  // "subrip", "ass" or "mov_text" (mp4/mov only)
    struct Cue {
        std::int64_t start_ms;
        std::int64_t duration_ms;
        std::string text;
    };
    std::vector<Cue> cues;
    std::string language;
};

struct SynthAttachment {
    std::string filename;
    std::string mimetype;
    std::string data;
};

struct SynthChapter {
    std::int64_t start_ms;
    std::int64_t end_ms;
    std::string title;
};

struct SynthFile {
    std::filesystem::path path;
    std::string container;  // muxer name; empty = guessed from the extension
    std::optional<SynthVideo> video;
    std::vector<SynthAudio> audio;
    std::vector<SynthSubtitle> subtitles;
    std::vector<SynthAttachment> attachments;
    std::vector<SynthChapter> chapters;
    std::map<std::string, std::string> muxer_options;
};

// Writes the file. Streams are added video, audio..., subtitles..., attachments... in that order.
void write_media(const SynthFile& file);

// Deterministic per-plane pattern: sample = (x*7 + y*13 + index*29 + plane*51) mod 2^depth.
void fill_pattern(AVFrame* frame, int index);
// Fills every pixel with constant component values (per plane, in the plane's bit depth).
void fill_constant(AVFrame* frame, const std::vector<int>& plane_values);

// A display matrix that rotates the picture `clockwise_degrees` for display (as phones write).
std::array<std::int32_t, 9> rotation_matrix(int clockwise_degrees);

struct PacketRecord {
    std::vector<std::uint8_t> data;
    std::int64_t pts = AV_NOPTS_VALUE;
    std::int64_t dts = AV_NOPTS_VALUE;
    std::int64_t duration = 0;
    AVRational time_base{1, 1};
    std::int64_t pos = -1;  // byte offset in the file
    double pts_seconds() const { return static_cast<double>(pts) * av_q2d(time_base); }
    double duration_seconds() const { return static_cast<double>(duration) * av_q2d(time_base); }
};

struct StreamRecord {
    AVMediaType type = AVMEDIA_TYPE_UNKNOWN;
    std::string codec;
    std::vector<std::uint8_t> extradata;
    std::map<std::string, std::string> metadata;
    int width = 0;
    int height = 0;
    AVRational time_base{1, 1};
};

struct ChapterRecord {
    double start_seconds = 0;
    double end_seconds = 0;
    std::string title;
};

struct FileRecord {
    std::string format;
    std::vector<StreamRecord> streams;
    std::vector<ChapterRecord> chapters;
};

FileRecord inspect(const std::filesystem::path& path);
std::vector<PacketRecord> read_packets(const std::filesystem::path& path, int stream_index);

// An engine Frame with a smooth, deterministic RGB pattern (for sinks).
engine::Frame make_rgb_frame(int width, int height, engine::SampleType type, int index);

// Peak signal-to-noise ratio of b against a (same size/type), in dB on the type's full scale.
double psnr(const engine::Frame& a, const engine::Frame& b);

}  // namespace fvsr_test
