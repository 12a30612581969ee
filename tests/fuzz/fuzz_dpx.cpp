// libFuzzer target: the DPX reader of image sequences (our header parse, the structure check,
// then libavcodec's decoder with the colour and bit-depth handling around it).

#include "engine/io/dpx.h"
#include "image_codec.h"

#include <cstddef>
#include <cstdint>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    namespace io = engine::io;
    const std::filesystem::path path = "fuzz.dpx";
    auto header = io::parse_dpx_header(data, size, path);
    const std::vector<std::uint8_t> bytes(data, data + size);
    if (!io::image::check_structure(io::image::ImageFormat::DPX, bytes, path).ok()) {
        return 0;
    }
    // Both sample types the sequence source asks for: U16 for deep files, U8 otherwise.
    for (engine::SampleType type : {engine::SampleType::U16, engine::SampleType::U8}) {
        auto decoded = io::image::decode(io::image::ImageFormat::DPX, bytes, path, type);
        if (decoded.ok() && header.ok() &&
            (decoded->frame.width != header->width || decoded->frame.height != header->height)) {
            // The decoder and our header parse disagree about the picture size.
            __builtin_trap();
        }
    }
    return 0;
}
