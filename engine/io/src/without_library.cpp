#include "src/without_library.h"

#include "engine/core/paths.h"

#include <string>

namespace engine::io {

Error missing_library_error(std::string_view library,
                            std::string_view what,
                            const std::filesystem::path& path) {
    const bool ffmpeg = library == "FFmpeg";
    Error e(ErrorCode::UnsupportedFormat,
            std::string(what) + " needs " + std::string(library) + ", which this build of " +
                "FlashVSR Studio does not have (Y4M video and DPX sequences work without it)");
    if (!path.empty()) {
        e.with("path", path_string(path));
    }
    e.with("missing_library", std::string(library))
        .with("rebuild", ffmpeg ? "install libavformat-dev libavcodec-dev libswscale-dev "
                                  "libswresample-dev pkg-config and configure with -DFVSR_FFMPEG=ON"
                                : "install libopenexr-dev and configure with -DFVSR_OPENEXR=ON");
    return e;
}

}  // namespace engine::io
