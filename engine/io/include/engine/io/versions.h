#pragma once
#include <string>

namespace engine::io {

// "libavformat 59.27.100, libavcodec 59.37.100, OpenEXR 3.1.5" for --version and reports;
// "no FFmpeg" / "no OpenEXR" in their place for builds without them.
std::string media_library_versions();

// Which optional parts this build of engine_io has. Without FFmpeg: no video files (except Y4M),
// no PNG/JPEG/TIFF; without OpenEXR: no EXR. Those fail with UnsupportedFormat and the context
// key missing_library. Y4M and DPX work in every build.
bool have_ffmpeg();
bool have_openexr();

}  // namespace engine::io
