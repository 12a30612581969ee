// TileChoice <-> JSON (declared in json_values.h). Kept apart from planner.cpp, which reaches the
// pipeline and LibTorch, so that the manifest reader and its fuzz target (tests/fuzz) compile
// without them: this file needs only the planner's header and nlohmann_json.

#include "json_number.h"
#include "json_values.h"

namespace engine::jobs {

nlohmann::json tile_choice_to_value(const TileChoice& tiles) {
    return {{"tiled", tiles.tiled},
            {"tile_size", tiles.tile_size},
            {"tile_overlap", tiles.tile_overlap},
            {"shift", tiles.shift},
            {"batch_size", tiles.batch_size},
            {"order", std::string(tile_order_name(tiles.order))}};
}

TileChoice tile_choice_from_value(const nlohmann::json& value) {
    TileChoice t;
    t.tiled = value.at("tiled").get<bool>();
    t.tile_size = json_number<int>(value.at("tile_size"));
    t.tile_overlap = json_number<int>(value.at("tile_overlap"));
    t.shift = value.at("shift").get<bool>();
    t.batch_size = json_number<int>(value.at("batch_size"));
    // Absent in manifests written before the tile order existed; those and unknown names read
    // as Auto: the order changes no pixels, so any manifest stays resumable.
    t.order =
        parse_tile_order(value.value("order", std::string("auto"))).value_or(ModelTileOrder::Auto);
    return t;
}

}  // namespace engine::jobs
