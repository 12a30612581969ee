#pragma once
// Whole-file checks that need no decoding: container truncation, and one demux-only pass over a
// video stream that counts its frames exactly and collects presentation timestamps (for VFR
// detection, duration and frame-accurate seeking). The pass reads the file once; memory is one
// int64 per frame.

#include "ffmpeg_util.h"

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace engine::io::ffmpeg {

// A description of the truncation when the file's own structure says it is shorter than written
// (an ISO-BMFF box or a Matroska segment running past the end of the file), else nullopt.
// Formats without such structure (raw streams, MPEG-TS) are never reported as truncated here.
std::optional<std::string> detect_truncation(const std::filesystem::path& path);

struct VideoPacketScan {
    std::int64_t packets = 0;       // frames of the stream (one coded frame per packet)
    std::vector<std::int64_t> pts;  // sorted presentation timestamps, stream time base
    bool pts_complete = false;      // every counted packet carried a pts
};

// Counts the packets of stream `stream_index` of `path` with a fresh demuxer. Packets flagged
// AV_PKT_FLAG_DISCARD (outside an edit list) are not frames and are not counted. Throws
// EngineException (FileTruncated / FileCorrupt / FileUnreadable) when demuxing fails.
VideoPacketScan scan_video_packets(const std::filesystem::path& path, int stream_index);

// True when the spacing of `sorted_pts` varies by more than rounding: a delta differs from the
// median delta by more than max(1.5 ticks, 2 % of the median).
bool timestamps_are_variable(const std::vector<std::int64_t>& sorted_pts);

// The median spacing of `sorted_pts`, or 0 when fewer than two.
std::int64_t median_delta(const std::vector<std::int64_t>& sorted_pts);

}  // namespace engine::io::ffmpeg
