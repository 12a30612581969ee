#pragma once
// File naming for image sequences (internal to engine_io): printf patterns, the sink's output
// naming, and the listing/sorting of input folders and patterns.

#include "engine/core/result.h"
#include "engine/io/media.h"
#include "src/image_codec.h"

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace engine::io::sequence {

// A file-name pattern with one integer conversion: prefix, "%d" or "%0<width>d", suffix.
struct NamePattern {
    std::string prefix;
    std::string suffix;
    int width = 0;  // minimum digits, zero-padded (0 for plain %d)

    std::string format(std::int64_t index) const;
    // The number this pattern printed to make `name`, or nullopt (strict printf: "%04d" matches
    // "0042" and "12345", not "042" or "00042").
    std::optional<std::int64_t> match(const std::string& name) const;
};

// Parses the file-name part of a path as a pattern; nullopt when it has no valid conversion
// (exactly one %d / %0Nd, other percent signs doubled).
std::optional<NamePattern> parse_pattern(const std::string& file_name);

// Where a sink writes, derived from SinkOptions.
struct OutputNaming {
    std::filesystem::path folder;
    NamePattern pattern;  // used unless single_file
    std::optional<std::filesystem::path> single_file;
    image::ImageFormat format = image::ImageFormat::PNG;

    std::filesystem::path path_for(std::int64_t index) const;
    // Index of an existing final name in `folder`, or nullopt for anything else.
    std::optional<std::int64_t> index_of(const std::string& file_name) const;
};

Result<OutputNaming> output_naming(const SinkOptions& options);
image::ImageFormat image_format(PictureFormat format);

// Files of an input sequence in playback order, and their common format.
struct InputListing {
    std::vector<std::filesystem::path> files;
    image::ImageFormat format = image::ImageFormat::PNG;
};
Result<InputListing> list_input(const std::filesystem::path& input);

// Orders file names by their last run of digits (as a number of any length), names without
// digits first, then by the whole name. Exposed for the tests of the sort rule.
bool sequence_name_less(const std::string& a, const std::string& b);

}  // namespace engine::io::sequence
