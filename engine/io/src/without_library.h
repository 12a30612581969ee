#pragma once
// The error of a feature whose library this build left out (src/without_ffmpeg.cpp,
// src/without_openexr.cpp): UnsupportedFormat, detail "<what> needs <library>, which this build
// ... does not have", context path (when not empty), missing_library and rebuild (what to
// install and which CMake option to set).

#include "engine/core/error.h"

#include <filesystem>
#include <string_view>

namespace engine::io {

Error missing_library_error(std::string_view library,
                            std::string_view what,
                            const std::filesystem::path& path);

}  // namespace engine::io
