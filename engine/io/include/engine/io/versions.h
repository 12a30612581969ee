#pragma once
#include <string>

namespace engine::io {

// "libavformat 59.27.100, libavcodec 59.37.100, OpenEXR 3.1.5" for --version and reports.
std::string media_library_versions();

}  // namespace engine::io
