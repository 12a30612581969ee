#include "engine/io/versions.h"

#if FVSR_HAVE_FFMPEG
extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
}
#endif
#if FVSR_HAVE_OPENEXR
#include <OpenEXR/OpenEXRConfig.h>
#endif

namespace engine::io {
namespace {

[[maybe_unused]] std::string version_string(unsigned v) {
    return std::to_string(v >> 16) + "." + std::to_string((v >> 8) & 0xff) + "." +
           std::to_string(v & 0xff);
}

}  // namespace

std::string media_library_versions() {
#if FVSR_HAVE_FFMPEG
    std::string text = "libavformat " + version_string(avformat_version()) + ", libavcodec " +
                       version_string(avcodec_version());
#else
    std::string text = "no FFmpeg";
#endif
#if FVSR_HAVE_OPENEXR
    text += std::string(", OpenEXR ") + OPENEXR_VERSION_STRING;
#else
    text += ", no OpenEXR";
#endif
    return text;
}

bool have_ffmpeg() {
    return FVSR_HAVE_FFMPEG != 0;
}

bool have_openexr() {
    return FVSR_HAVE_OPENEXR != 0;
}

}  // namespace engine::io
