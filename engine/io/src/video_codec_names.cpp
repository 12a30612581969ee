// Command-line / preset names of the output video codecs (declared in media.h).

#include "engine/io/media.h"

#include <algorithm>
#include <cctype>

namespace engine::io {

std::optional<VideoCodec> parse_video_codec(const std::string& name) {
    std::string key = name;
    std::transform(key.begin(), key.end(), key.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    std::replace(key.begin(), key.end(), '-', '_');
    if (key == "h264" || key == "avc") {
        return VideoCodec::H264;
    }
    if (key == "h265" || key == "hevc") {
        return VideoCodec::H265;
    }
    if (key == "av1") {
        return VideoCodec::AV1;
    }
    if (key == "prores_hq" || key == "prores_422_hq" || key == "prores422hq") {
        return VideoCodec::ProRes422HQ;
    }
    if (key == "prores_4444" || key == "prores4444") {
        return VideoCodec::ProRes4444;
    }
    if (key == "ffv1") {
        return VideoCodec::FFV1;
    }
    return std::nullopt;
}

std::string video_codec_name(VideoCodec codec) {
    switch (codec) {
        case VideoCodec::H264:
            return "h264";
        case VideoCodec::H265:
            return "h265";
        case VideoCodec::AV1:
            return "av1";
        case VideoCodec::ProRes422HQ:
            return "prores_hq";
        case VideoCodec::ProRes4444:
            return "prores_4444";
        case VideoCodec::FFV1:
            return "ffv1";
    }
    return "unknown";
}

}  // namespace engine::io
