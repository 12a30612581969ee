#include "engine/jobs/manifest.h"

#include "engine/core/paths.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fstream>
#include <sstream>
#include <unistd.h>

namespace engine::jobs {
namespace {
namespace fs = std::filesystem;

Manifest sample_manifest() {
    Manifest m;
    m.job_id = "0123456789abcdef";
    m.spec.input = "/in/clip.mp4";
    m.spec.output = "/out/clip_4x.mkv";
    m.spec.upscaler = UpscalerKind::Bicubic;
    m.settings_fingerprint = settings_fingerprint(m.spec);
    m.model.kind = "flashvsr";
    m.model.folder = "/models/v1.1";
    m.model.files = {{"TCDecoder.ckpt", 123, 456, ""},
                     {"x.safetensors", 7, 0, std::string(64, 'c')}};
    m.input = {"/in/clip.mp4", 1000, 42, "00000000deadbeef", 100, 64, 48};
    PlanRequest r;
    r.total_frames = 100;
    r.max_segment_frames = 30;
    m.plan = plan_segments(r).value();
    m.intermediate = {256, 192, SampleType::U16, 10, {1, 90000}, {30000, 1001}};
    m.hdr_l_max = 3.25;
    SegmentRecord rec;
    rec.index = 1;
    rec.first = m.plan.segments[1].first;
    rec.end = m.plan.segments[1].end;
    rec.files = {{"seg_0000000025_0000000050.mkv", 4096, "0011223344556677"}};
    for (std::int64_t i = rec.first; i < rec.end; ++i) {
        rec.pts.push_back(i * 3003);
    }
    m.add_finished(rec);
    return m;
}

class ManifestFiles : public ::testing::Test {
  protected:
    void SetUp() override {
        m_dir = fs::temp_directory_path() /
                ("fvsr-manifest-" + std::to_string(::getpid()) + "-" +
                 ::testing::UnitTest::GetInstance()->current_test_info()->name());
        engine::remove_tree(m_dir);
        fs::create_directories(m_dir);
    }
    void TearDown() override { engine::remove_tree(m_dir); }
    fs::path m_dir;
};

TEST(Manifest, JsonRoundTrip) {
    Manifest m = sample_manifest();
    const std::string text = to_json(m);
    auto back = manifest_from_json(text);
    ASSERT_TRUE(back.ok()) << back.error().to_string();
    EXPECT_EQ(to_json(*back), text);
    EXPECT_EQ(back->plan.segments, m.plan.segments);
    ASSERT_EQ(back->finished.size(), 1u);
    EXPECT_EQ(back->finished[0].pts, m.finished[0].pts);
    EXPECT_EQ(back->intermediate.type, SampleType::U16);
    EXPECT_EQ(back->intermediate.frame_rate, (Rational{30000, 1001}));
    EXPECT_EQ(back->hdr_l_max, 3.25);
    EXPECT_EQ(back->model.files[1].sha256, std::string(64, 'c'));
    EXPECT_TRUE(back->is_finished(1));
    EXPECT_FALSE(back->is_finished(0));
    EXPECT_EQ(back->finished_frames(), 25);
}

TEST(Manifest, TilesAndSceneCutsRoundTrip) {
    Manifest m = sample_manifest();
    PlanRequest r;
    r.total_frames = 100;
    r.max_segment_frames = 30;
    r.scene_cuts = {40};
    m.plan = plan_segments(r).value();
    m.finished.clear();
    TileChoice tiles;
    tiles.tiled = true;
    tiles.tile_size = 384;
    tiles.tile_overlap = 24;
    tiles.shift = true;
    tiles.batch_size = 2;
    m.tiles = tiles;
    SegmentRecord rec;
    rec.index = 1;
    rec.first = m.plan.segments[1].first;
    rec.end = m.plan.segments[1].end;
    rec.files = {{"seg.mkv", 1, "0011223344556677"}};
    rec.pts.assign(std::size_t(rec.end - rec.first), 0);
    TileChoice retried = tiles;
    retried.tile_size = 192;
    retried.batch_size = 1;
    rec.tiles = retried;  // an out-of-memory retry
    m.add_finished(rec);
    const std::string text = to_json(m);
    auto back = manifest_from_json(text);
    ASSERT_TRUE(back.ok()) << back.error().to_string();
    EXPECT_EQ(to_json(*back), text);
    EXPECT_EQ(back->plan.scene_cuts, (std::vector<std::int64_t>{40}));
    ASSERT_TRUE(back->tiles.has_value());
    EXPECT_EQ(back->tiles->describe(), tiles.describe());
    ASSERT_TRUE(back->finished[0].tiles.has_value());
    EXPECT_EQ(back->finished[0].tiles->tile_size, 192);
}

// The tile order is recorded with the tiles; manifests from before it (or with a name a newer
// build wrote) read as automatic, since the order changes no pixels.
TEST(Manifest, TileOrderIsRecordedAndOptional) {
    Manifest m = sample_manifest();
    TileChoice tiles;
    tiles.tiled = true;
    tiles.tile_size = 256;
    tiles.tile_overlap = 24;
    tiles.order = ModelTileOrder::TileMajor;
    m.tiles = tiles;
    auto j = nlohmann::json::parse(to_json(m));
    EXPECT_EQ(j.at("tiles").at("order"), "tile");
    auto back = manifest_from_json(j.dump());
    ASSERT_TRUE(back.ok()) << back.error().to_string();
    EXPECT_EQ(back->tiles->order, ModelTileOrder::TileMajor);

    j["tiles"].erase("order");
    auto old = manifest_from_json(j.dump());
    ASSERT_TRUE(old.ok()) << old.error().to_string();
    EXPECT_EQ(old->tiles->order, ModelTileOrder::Auto);
    EXPECT_TRUE(old->tiles->same_pixels(tiles));
    j["tiles"]["order"] = "spiral";
    auto newer = manifest_from_json(j.dump());
    ASSERT_TRUE(newer.ok());
    EXPECT_EQ(newer->tiles->order, ModelTileOrder::Auto);
}

TEST(Manifest, ManifestsWrittenBeforeTilingAndSceneCutsStillRead) {
    // The keys older builds did not write: the plan's scene cuts, the tiles, per-segment tiles.
    auto j = nlohmann::json::parse(to_json(sample_manifest()));
    j["plan"].erase("scene_cuts");
    j.erase("tiles");
    for (auto& r : j["finished"]) {
        r.erase("tiles");
    }
    j["spec"]["model"].erase("tile_size");
    j["spec"]["segments"].erase("scene_cuts");
    auto back = manifest_from_json(j.dump());
    ASSERT_TRUE(back.ok()) << back.error().to_string();
    EXPECT_TRUE(back->plan.scene_cuts.empty());
    EXPECT_FALSE(back->tiles.has_value());
    EXPECT_FALSE(back->finished[0].tiles.has_value());

    j["tiles"] = {{"tiled", "yes"}};  // present but damaged: refused
    auto damaged = manifest_from_json(j.dump());
    ASSERT_FALSE(damaged.ok());
    EXPECT_EQ(damaged.error().code, ErrorCode::ManifestCorrupt);
}

TEST(Manifest, FinishedSegmentsStaySortedAndUnique) {
    Manifest m = sample_manifest();
    SegmentRecord r0;
    r0.index = 0;
    r0.first = m.plan.segments[0].first;
    r0.end = m.plan.segments[0].end;
    m.add_finished(r0);
    SegmentRecord r3;
    r3.index = 3;
    r3.first = m.plan.segments[3].first;
    r3.end = m.plan.segments[3].end;
    m.add_finished(r3);
    m.add_finished(r0);  // replaced, not duplicated
    ASSERT_EQ(m.finished.size(), 3u);
    EXPECT_EQ(m.finished[0].index, 0);
    EXPECT_EQ(m.finished[1].index, 1);
    EXPECT_EQ(m.finished[2].index, 3);
}

TEST(Manifest, CorruptTextIsManifestCorrupt) {
    const std::string good = to_json(sample_manifest());
    auto code_of = [](const std::string& text) {
        auto r = manifest_from_json(text, "/ck/manifest_0_-1.json");
        return r.ok() ? ErrorCode::Ok : r.error().code;
    };
    EXPECT_EQ(code_of(good), ErrorCode::Ok);
    EXPECT_EQ(code_of(""), ErrorCode::ManifestCorrupt);
    EXPECT_EQ(code_of(good.substr(0, good.size() / 2)), ErrorCode::ManifestCorrupt);  // torn
    EXPECT_EQ(code_of("{\"format\": \"something else\"}"), ErrorCode::ManifestCorrupt);
    nlohmann::json j = nlohmann::json::parse(good);
    j["version"] = 7;
    EXPECT_EQ(code_of(j.dump()), ErrorCode::ManifestCorrupt);
    // A finished segment that is not in the plan, or a field of the wrong type.
    j = nlohmann::json::parse(good);
    j["finished"][0]["index"] = 9;
    EXPECT_EQ(code_of(j.dump()), ErrorCode::ManifestCorrupt);
    j = nlohmann::json::parse(good);
    j["finished"][0]["first"] = 0;
    EXPECT_EQ(code_of(j.dump()), ErrorCode::ManifestCorrupt);
    j = nlohmann::json::parse(good);
    j["input"]["size"] = "big";
    EXPECT_EQ(code_of(j.dump()), ErrorCode::ManifestCorrupt);
    // Numbers that do not fit their integer fields are refused, not cast (the fuzzer's find:
    // 1e300 into an int64 is undefined behaviour in nlohmann's get<>()); whole floats that fit
    // are read as integers.
    for (const nlohmann::json& bad : {nlohmann::json(1e300), nlohmann::json(-1.0),
                                      nlohmann::json(2.5), nlohmann::json(18446744073709551615u)}) {
        j = nlohmann::json::parse(good);
        j["input"]["size"] = bad;
        j["input"]["mtime_ns"] = bad;
        EXPECT_EQ(code_of(j.dump()), ErrorCode::ManifestCorrupt) << bad.dump();
    }
    j = nlohmann::json::parse(good);
    j["finished"][0]["pts"][0] = 1e300;
    EXPECT_EQ(code_of(j.dump()), ErrorCode::ManifestCorrupt);
    j = nlohmann::json::parse(good);
    j["input"]["width"] = double(j["input"]["width"].get<int>());
    EXPECT_EQ(code_of(j.dump()), ErrorCode::Ok);
    auto r = manifest_from_json("nonsense", "/ck/m.json");
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().get("path"), "/ck/m.json");
}

TEST_F(ManifestFiles, WriteIsAtomicAndReadBack) {
    const fs::path path = m_dir / manifest_file_name(0, -1);
    EXPECT_EQ(path.filename(), "manifest_0_-1.json");
    auto missing = read_manifest(path);
    ASSERT_TRUE(missing.ok());
    EXPECT_FALSE(missing->has_value());

    Manifest m = sample_manifest();
    ASSERT_TRUE(write_manifest(path, m).ok());
    EXPECT_FALSE(m.updated_at.empty());
    auto back = read_manifest(path);
    ASSERT_TRUE(back.ok());
    ASSERT_TRUE(back->has_value());
    EXPECT_EQ(to_json(**back), to_json(m));

    // Rewrites leave no temporary files behind and replace the whole content.
    SegmentRecord r0;
    r0.index = 0;
    r0.first = 0;
    r0.end = m.plan.segments[0].end;
    m.add_finished(r0);
    ASSERT_TRUE(write_manifest(path, m).ok());
    int entries = 0;
    for (const auto& e : fs::directory_iterator(m_dir)) {
        (void)e;
        ++entries;
    }
    EXPECT_EQ(entries, 1);
    auto again = read_manifest(path);
    ASSERT_TRUE(again.ok());
    EXPECT_EQ((*again)->finished.size(), 2u);
}

TEST_F(ManifestFiles, DamagedFileIsManifestCorrupt) {
    const fs::path path = m_dir / manifest_file_name(0, -1);
    Manifest m = sample_manifest();
    ASSERT_TRUE(write_manifest(path, m).ok());
    fs::resize_file(path, fs::file_size(path) / 3);
    auto r = read_manifest(path);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, ErrorCode::ManifestCorrupt);
    EXPECT_EQ(r.error().get("path"), path.u8string());
}

TEST_F(ManifestFiles, ListsManifestsOfEveryRange) {
    Manifest m = sample_manifest();
    ASSERT_TRUE(write_manifest(m_dir / manifest_file_name(0, 50), m).ok());
    ASSERT_TRUE(write_manifest(m_dir / manifest_file_name(50, 100), m).ok());
    std::ofstream(m_dir / "seg_0000000000_0000000025.mkv") << "x";
    auto list = list_manifests(m_dir);
    ASSERT_EQ(list.size(), 2u);
    EXPECT_EQ(list[0].filename(), "manifest_0_50.json");
    EXPECT_EQ(list[1].filename(), "manifest_50_100.json");
}

}  // namespace
}  // namespace engine::jobs
