#include "engine/io/versions.h"

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
}
#include <OpenEXR/OpenEXRConfig.h>

namespace engine::io {
namespace {

std::string version_string(unsigned v) {
    return std::to_string(v >> 16) + "." + std::to_string((v >> 8) & 0xff) + "." +
           std::to_string(v & 0xff);
}

}  // namespace

std::string media_library_versions() {
    return "libavformat " + version_string(avformat_version()) + ", libavcodec " +
           version_string(avcodec_version()) + ", OpenEXR " + OPENEXR_VERSION_STRING;
}

}  // namespace engine::io
