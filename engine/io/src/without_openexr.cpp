// Builds without OpenEXR (FVSR_HAVE_OPENEXR off): the exr.h API exists and fails at run time with
// UnsupportedFormat (missing_library=OpenEXR), so image sequences report EXR input or output as
// a clear error instead of the program failing to link.

#include "engine/io/exr.h"
#include "src/without_library.h"

namespace engine::io {

Result<std::vector<std::uint8_t>> encode_exr(const Frame&, const ExrWriteOptions&) {
    return missing_library_error("OpenEXR", "Writing EXR images", {}).with("format", "exr");
}

Result<ExrInfo> inspect_exr(const std::uint8_t*, std::size_t, const std::filesystem::path& path) {
    return missing_library_error("OpenEXR", "Reading EXR images", path).with("format", "exr");
}

Result<ExrInfo> inspect_exr_file(const std::filesystem::path& path) {
    return missing_library_error("OpenEXR", "Reading EXR images", path).with("format", "exr");
}

Result<Frame> decode_exr(const std::uint8_t*,
                         std::size_t,
                         const std::filesystem::path& path,
                         ExrInfo*,
                         int) {
    return missing_library_error("OpenEXR", "Reading EXR images", path).with("format", "exr");
}

}  // namespace engine::io
