// libFuzzer target: the resume manifest parser on arbitrary text. A manifest it accepts must
// survive a round trip: writing it and parsing the result again gives the same JSON.

#include "engine/jobs/manifest.h"

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    auto manifest = engine::jobs::manifest_from_json(text, "fuzz.json");
    if (!manifest.ok()) {
        return 0;
    }
    const std::string written = engine::jobs::to_json(*manifest);
    auto again = engine::jobs::manifest_from_json(written, "fuzz-roundtrip.json");
    if (!again.ok()) {
        std::fprintf(stderr, "accepted manifest does not parse after writing: %s\n",
                     again.error().to_string().c_str());
        std::abort();
    }
    if (engine::jobs::to_json(*again) != written) {
        std::fprintf(stderr, "manifest round trip changed the JSON\n");
        std::abort();
    }
    return 0;
}
