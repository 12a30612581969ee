#pragma once
// Bit-exact copy of a source file's audio, subtitle and attachment streams and its chapters into
// an output being muxed: packets are copied untouched (no decode), only their timestamps are
// rescaled to the output stream's time base. Packets are fed in step with the encoded video so
// the muxer interleaves with bounded memory.

#include "ffmpeg_util.h"

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace engine::io::ffmpeg {

class StreamCopier {
  public:
    struct Mapping {
        int source_index = -1;
        int output_index = -1;
        AVMediaType type = AVMEDIA_TYPE_UNKNOWN;
        AVCodecID codec_id = AV_CODEC_ID_NONE;
        bool support_unknown = false;  // the muxer could not say whether it holds the codec
    };

    // Opens `source` and adds one output stream per copied stream, plus the chapters. Must run
    // before avformat_write_header. Video and data streams are not copied (a note says so).
    // Throws EngineException: StreamNotSupported (naming stream index, codec, container, with
    // "suggested_container" = "mkv") when `output`'s container cannot hold a stream; input
    // errors (FileNotFound, FileCorrupt...) for a bad source.
    void open(const std::filesystem::path& source,
              AVFormatContext* output,
              const std::filesystem::path& output_path,
              std::vector<std::string>* notes);

    // The error for a failed avformat_write_header when some stream's support was unknown.
    Error header_error(int averror) const;

    // Writes the source's packets whose decode time is at or before `until_seconds` (interleaved
    // through av_interleaved_write_frame). Throws EngineException on read or write failure.
    void write_until(double until_seconds);
    // Writes every remaining packet.
    void write_rest();

    const std::vector<Mapping>& mappings() const { return m_mappings; }
    bool active() const { return m_input != nullptr; }

  private:
    bool read_next();  // fills m_packet; false at end of the source
    void write_pending();

    InputPtr m_input;
    AVFormatContext* m_output = nullptr;
    std::filesystem::path m_source_path;
    std::filesystem::path m_output_path;
    std::vector<int> m_output_index_of;  // by source stream index, -1 when not copied
    std::vector<Mapping> m_mappings;
    PacketPtr m_packet;
    bool m_have_packet = false;
    bool m_source_done = false;
};

// Human-readable kind of a stream ("audio", "subtitle", "attachment", ...).
std::string media_type_name(AVMediaType type);

}  // namespace engine::io::ffmpeg
