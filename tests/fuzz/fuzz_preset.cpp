// libFuzzer target: the GUI's preset JSON loader (ui/settings/preset_store.h, Qt Core only). An
// accepted preset must survive a round trip through presetToJson.

#include "ui/settings/preset_store.h"

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const QByteArray json(reinterpret_cast<const char*>(data), static_cast<qsizetype>(size));
    QString error;
    const std::optional<ui::Preset> preset = ui::presetFromJson(json, &error);
    if (!preset) {
        if (error.isEmpty()) {
            std::fprintf(stderr, "preset refused without a reason\n");
            std::abort();
        }
        return 0;
    }
    QString again_error;
    const std::optional<ui::Preset> again =
        ui::presetFromJson(ui::presetToJson(*preset), &again_error);
    if (!again || again->values != preset->values || again->name != preset->name) {
        std::fprintf(stderr, "accepted preset changed in a round trip: %s\n",
                     again_error.toStdString().c_str());
        std::abort();
    }
    return 0;
}
