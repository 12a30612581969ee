// libFuzzer target: the EXR reader (header inspection, then OpenEXR decoding in memory).

#include "engine/io/exr.h"
#include "image_codec.h"

#include <cstddef>
#include <cstdint>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    namespace io = engine::io;
    const std::filesystem::path path = "fuzz.exr";
    auto info = io::inspect_exr(data, size, path);
    if (!info.ok()) {
        return 0;
    }
    // Headers may declare huge images legitimately; decoding one allocates it before finding
    // the data missing, which costs ASan seconds per input and finds nothing. Small images
    // exercise the same decoding paths.
    if (static_cast<std::int64_t>(info->width) * info->height > (std::int64_t(1) << 16)) {
        return 0;
    }
    io::ExrInfo decoded_info;
    auto frame = io::decode_exr(data, size, path, &decoded_info, 1);
    if (frame.ok() && (frame->width != info->width || frame->height != info->height)) {
        __builtin_trap();
    }
    const std::vector<std::uint8_t> bytes(data, data + size);
    auto through_sequence_reader =
        io::image::decode(io::image::ImageFormat::EXR, bytes, path, engine::SampleType::F32);
    (void)through_sequence_reader;
    return 0;
}
