#include "engine/io/image_sequence.h"

#include "engine/core/paths.h"
#include "src/image_codec.h"
#include "src/image_sequence_files.h"

#include <algorithm>
#include <system_error>

namespace engine::io {
namespace fs = std::filesystem;

bool is_image_sequence_input(const fs::path& input) {
    if (sequence::parse_pattern(input.filename().u8string()).has_value()) {
        return true;
    }
    std::error_code ec;
    if (fs::is_directory(input, ec)) {
        return true;
    }
    return image::format_from_extension(input).has_value();
}

Result<std::vector<fs::path>> list_image_sequence(const fs::path& input) {
    auto listing = sequence::list_input(input);
    if (!listing.ok()) {
        return listing.error();
    }
    return std::move(listing.value().files);
}

std::string picture_format_extension(PictureFormat format) {
    switch (format) {
        case PictureFormat::PNG:
            return "png";
        case PictureFormat::DPX:
            return "dpx";
        case PictureFormat::EXR:
            return "exr";
    }
    return "png";
}

Result<fs::path> image_sequence_frame_path(const SinkOptions& options, std::int64_t index) {
    if (index < 0) {
        return Error(ErrorCode::InvalidArgument, "frame index must not be negative")
            .with("index", std::to_string(index));
    }
    auto naming = sequence::output_naming(options);
    if (!naming.ok()) {
        return naming.error();
    }
    return naming->path_for(index);
}

static Result<std::vector<std::int64_t>> completed_frames_unguarded(const SinkOptions& options) {
    auto naming = sequence::output_naming(options);
    if (!naming.ok()) {
        return naming.error();
    }
    std::vector<std::int64_t> complete;
    std::error_code ec;
    if (!fs::is_directory(naming->folder, ec)) {
        return complete;
    }
    fs::directory_iterator it(naming->folder, ec);
    if (ec) {
        return Error(ErrorCode::FileUnreadable, "cannot list the output folder: " + ec.message())
            .with("path", path_string(naming->folder));
    }
    for (const auto& entry : it) {
        const auto index = naming->index_of(entry.path().filename().u8string());
        std::error_code type_ec;
        if (!index || !entry.is_regular_file(type_ec)) {
            continue;
        }
        if (image::file_looks_complete(naming->format, entry.path(), options.width,
                                       options.height)) {
            complete.push_back(*index);
        }
    }
    std::sort(complete.begin(), complete.end());
    return complete;
}

Result<std::vector<std::int64_t>> completed_image_sequence_frames(const SinkOptions& options) {
    try {
        return completed_frames_unguarded(options);
    } catch (const fs::filesystem_error& e) {
        return Error(ErrorCode::FileUnreadable,
                     std::string("cannot list the output folder: ") + e.what())
            .with("path", path_string(options.output));
    }
}

}  // namespace engine::io
