#pragma once
// Choosing, configuring and opening the video encoder for a SinkOptions: NVENC first when asked
// for and present (failure to open is a note, never fatal), then the software encoder of the
// codec (libx264, libx265, libsvtav1 > libaom-av1 > librav1e, prores_ks, ffv1). Quality presets
// map to each encoder's CRF scale; colour tags and HDR10 metadata go into the encoder's VUI/SEI
// where it has them (x264, x265, SVT-AV1) and into the container by the caller.

#include "engine/io/media.h"
#include "ffmpeg_util.h"

#include <string>
#include <vector>

namespace engine::io::ffmpeg {

struct OpenedEncoder {
    CodecContextPtr context;
    std::string encoder_name;  // "libx264", "hevc_nvenc", ...
    bool hardware = false;
    bool rgb = false;   // codes RGB (FFV1); colour matrix tag is RGB
    int bit_depth = 8;  // coded bits per component
};

// The colour the encoder will code and tag: a YUV matrix (BT.709 when the caller's is
// unspecified or RGB) and a range (limited unless full was asked for; full for RGB coding).
ColorInfo resolve_output_colour(const ColorInfo& requested, bool rgb_coding);

// Opens the encoder. `global_header` when the muxer stores codec headers out of band
// (AVFMT_GLOBALHEADER). Notes about fallbacks are appended to `notes`. Throws EngineException:
// InvalidArgument for impossible options (bit depth, odd size for 4:2:0, CRF out of range),
// EncoderUnavailable when no encoder of the codec exists or opens.
OpenedEncoder open_video_encoder(const SinkOptions& options,
                                 bool global_header,
                                 std::vector<std::string>* notes);

}  // namespace engine::io::ffmpeg
