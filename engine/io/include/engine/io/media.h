#pragma once
// Media I/O front door: every input (video file, image folder, printf pattern) is a FrameSource,
// every output (video file, image sequence) a FrameSink. No torch, no Qt.
//
// Threading: a source or sink is used by one thread at a time. Memory is bounded: sources decode
// on demand (one frame per next() call plus the decoder's own small queue), sinks encode as frames
// arrive.

#include "engine/core/frame.h"
#include "engine/core/result.h"

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace engine::io {

enum class StreamKind { Video, Audio, Subtitle, Data, Attachment, Unknown };

// Non-video streams of a source, for reporting and passthrough decisions.
struct StreamInfo {
    int index = -1;
    StreamKind kind = StreamKind::Unknown;
    std::string codec_name;
    std::string language;  // from the stream's "language" tag, may be empty
};

struct VideoInfo {
    std::filesystem::path path;
    std::string container;   // FFmpeg demuxer name, "image2" style for sequences
    std::string codec_name;  // e.g. "h264", "png", "dpx", "exr"
    std::string pixel_format;
    int width = 0;  // after rotation is applied
    int height = 0;
    int bit_depth = 8;              // significant bits per component of the source
    Rational frame_rate;            // average frame rate (or --fps for sequences)
    Rational time_base{1, 1};       // of the pts values in frames
    std::int64_t frame_count = -1;  // exact when known (sequences, counted), else estimate or -1
    bool frame_count_exact = false;
    bool variable_frame_rate = false;
    int rotation_degrees = 0;  // display-matrix rotation that has been applied (0/90/180/270)
    double duration_seconds = 0.0;
    ColorInfo color;
    HdrMetadata hdr;
    std::vector<StreamInfo> other_streams;  // audio, subtitles, data, attachments
    int chapter_count = 0;
};

struct SourceOptions {
    std::filesystem::path input;   // file, folder, or printf pattern ("frames/%06d.png")
    Rational sequence_fps{30, 1};  // frame rate given to image sequences
    std::int64_t max_frames = -1;  // stop after this many frames (-1 = all)
    std::int64_t first_frame = 0;  // skip frames before this index
    SampleType preferred_type = SampleType::U16;  // U8 for 8-bit sources is fine; F32 for EXR
};

class FrameSource {
  public:
    virtual ~FrameSource() = default;
    virtual const VideoInfo& info() const = 0;
    // The next frame, or std::nullopt at the end. Frames are RGB; `index` counts from 0.
    virtual Result<std::optional<Frame>> next() = 0;
};

// Y4M files and "-" (stdin) -> y4m.h; folders, patterns and stills -> image_sequence.h;
// anything else -> video_file.h (FFmpeg; UnsupportedFormat with missing_library=FFmpeg in
// builds without it).
Result<std::unique_ptr<FrameSource>> open_source(const SourceOptions& options);

// ---------------------------------------------------------------------------------------------

enum class OutputMode { Video, Pictures };

enum class VideoCodec { H264, H265, AV1, ProRes422HQ, ProRes4444, FFV1 };
enum class PictureFormat { PNG, DPX, EXR };
enum class ExrCompression { PIZ, ZIP, DWAA, None };
enum class QualityPreset { Lossless, VeryHigh, High, Medium, Small };  // maps to CRF per codec

struct SinkOptions {
    std::filesystem::path output;  // file (video) or folder (pictures)
    OutputMode mode = OutputMode::Video;
    // Video
    VideoCodec codec = VideoCodec::H264;
    int bit_depth = 8;       // 8, 10 (16 for FFV1)
    std::optional<int> crf;  // overrides the preset
    QualityPreset quality = QualityPreset::High;
    bool hardware_encoder = true;  // use NVENC when present; absence is reported, not fatal
    std::string
        container;  // "mkv" (default when empty and not implied by path), "mp4", "mov", "y4m"
    // Pictures
    PictureFormat picture_format = PictureFormat::PNG;
    int picture_bit_depth = 8;  // PNG 8/16, DPX 10/16, EXR 16 (half) / 32 (float)
    ExrCompression exr_compression = ExrCompression::ZIP;
    int name_digits = 6;  // zero padding of frame numbers
    // Common
    int width = 0;
    int height = 0;
    Rational frame_rate{30, 1};
    Rational time_base{1, 30};
    ColorInfo color;  // tags written to the output
    HdrMetadata hdr;
    std::int64_t expected_frames = -1;  // verified by finish() when >= 0
    // Streams to copy bit-exact from this source (audio, subtitles, chapters, attachments).
    std::optional<std::filesystem::path> passthrough_from;
    bool overwrite = false;  // otherwise an existing output is OutputExists
};

class FrameSink {
  public:
    virtual ~FrameSink() = default;
    // Frames must have the sink's width and height; pts in options.time_base units.
    virtual Status write(const Frame& frame) = 0;
    // Flushes, verifies (frame count, size, streams) and atomically renames into place.
    virtual Status finish() = 0;
    // Removes partial output; the final name is never left half-written.
    virtual void abort() = 0;
    // Warnings gathered while opening (e.g. "NVENC not available, using libx264").
    virtual const std::vector<std::string>& notes() const = 0;
};

// Pictures -> image_sequence.h; video to a .y4m name, "-" (stdout) or container "y4m" -> y4m.h;
// other video -> video_file.h (FFmpeg, as above).
Result<std::unique_ptr<FrameSink>> open_sink(const SinkOptions& options);

// Names used on the command line and in presets ("h264", "prores_hq", "png", "dwaa", ...).
std::optional<VideoCodec> parse_video_codec(const std::string& name);
std::string video_codec_name(VideoCodec codec);

}  // namespace engine::io
