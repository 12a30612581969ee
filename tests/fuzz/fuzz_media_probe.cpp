// libFuzzer target: opening a video file (FFmpeg demuxing, the exact frame count pass, decoding
// the first frames and their conversion to RGB). The bytes go to a temporary file because the
// source opens paths, as the CLI and the GUI do.

#include "engine/io/video_file.h"

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <string>
#include <unistd.h>

namespace {

const std::filesystem::path& scratch_file() {
    static const std::filesystem::path path =
        std::filesystem::temp_directory_path() / ("fvsr-fuzz-probe-" + std::to_string(::getpid()));
    return path;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::filesystem::path& path = scratch_file();
    std::FILE* file = std::fopen(path.c_str(), "wb");
    if (file == nullptr) {
        return 0;
    }
    const bool written = std::fwrite(data, 1, size, file) == size;
    std::fclose(file);
    if (written) {
        engine::io::SourceOptions options;
        options.input = path;
        options.max_frames = 3;
        auto source = engine::io::open_video_source(options);
        if (source.ok()) {
            for (int i = 0; i < 3; ++i) {
                auto frame = (*source)->next();
                if (!frame.ok() || !frame->has_value()) {
                    break;
                }
            }
        }
    }
    std::filesystem::remove(path);
    return 0;
}
