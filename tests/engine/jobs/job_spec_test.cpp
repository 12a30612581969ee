#include "engine/jobs/job_spec.h"

#include <gtest/gtest.h>

namespace engine::jobs {
namespace {

JobSpec unusual_spec() {
    JobSpec s;
    s.input = std::filesystem::u8path("/media/in put/clip é.mov");
    s.output = "/out/clip_4x.mp4";
    s.upscaler = UpscalerKind::Lanczos;
    s.scale = 3;
    s.input_fps = Rational{30000, 1001};
    s.first_frame = 100;
    s.end_frame = 250;
    OutputSettings& o = s.output_settings;
    o.mode = io::OutputMode::Pictures;
    o.format = "exr";
    o.bit_depth = 32;
    o.codec = io::VideoCodec::ProRes4444;
    o.crf = 17;
    o.quality = io::QualityPreset::VeryHigh;
    o.hardware_encoder = false;
    o.exr_compression = io::ExrCompression::DWAA;
    o.copy_streams = false;
    o.overwrite = true;
    o.fps = Rational{24, 1};
    o.name_digits = 8;
    ModelSettings& m = s.model;
    m.model_dir = "/models/v1.0";
    m.version = ModelVersion::V10;
    m.mode = ModelMode::Full;
    m.device = "cuda:1";
    m.precision = ModelPrecision::FP16;
    m.sparse_ratio = 1.5;
    m.kv_ratio = 2.0;
    m.local_range = 9;
    m.seed = 123456789012345ULL;
    m.color_fix = ModelColorFix::Wavelet;
    m.lq_resample = ModelLqResample::PilBicubic;
    m.attention = ModelAttention::Reference;
    m.tiled_vae = true;
    m.tiled_dit = true;
    m.tile_size = 384;
    m.tile_overlap = 40;
    m.tile_shift = false;
    m.tile_batch_size = 3;
    m.adaptive_tile_batch = false;
    m.tile_order = ModelTileOrder::TileMajor;
    m.unload_dit = true;
    m.memory_budget = 12LL << 30;
    m.noise_file = "/tmp/noise.safetensors";
    s.hdr.mode = HdrMode::ToneMapping;
    s.hdr.method = imaging::ToneMapMethod::Aces;
    s.hdr.exposure = 0.5;
    s.hdr.global_l_max = 12.5;
    s.segments.max_segment_frames = 500;
    s.segments.segment_overlap = 4;
    s.segments.min_segment_frames = 30;
    s.segments.min_segments = 2;
    s.segments.scene_cuts = false;
    s.segments.scene_cut_threshold = 0.5;
    s.devices = {"cuda:0", "cuda:1"};
    s.threads = 7;
    s.resume = ResumePolicy::CleanStart;
    s.finish = FinishPolicy::SegmentsOnly;
    s.retention = CheckpointRetention::Keep;
    s.checkpoint_dir = "/shared/job";
    s.job_id = "farm-42";
    return s;
}

TEST(JobSpecJson, RoundTripKeepsEveryField) {
    const JobSpec s = unusual_spec();
    const std::string text = to_json(s);
    auto back = job_spec_from_json(text);
    ASSERT_TRUE(back.ok()) << back.error().to_string();
    EXPECT_EQ(to_json(*back), text);
    EXPECT_EQ(back->input, s.input);
    EXPECT_EQ(back->model.seed, s.model.seed);
    ASSERT_TRUE(back->input_fps.has_value());
    EXPECT_EQ(*back->input_fps, (Rational{30000, 1001}));
    EXPECT_EQ(back->output_settings.codec, io::VideoCodec::ProRes4444);
    EXPECT_EQ(back->hdr.global_l_max, 12.5);
    EXPECT_EQ(back->devices, s.devices);
    EXPECT_EQ(back->model.tile_size, 384);
    EXPECT_EQ(back->model.tile_overlap, 40);
    EXPECT_FALSE(back->model.tile_shift);
    EXPECT_EQ(back->model.tile_batch_size, 3);
    EXPECT_FALSE(back->model.adaptive_tile_batch);
    EXPECT_EQ(back->model.tile_order, ModelTileOrder::TileMajor);
    EXPECT_TRUE(back->model.unload_dit);
    EXPECT_EQ(back->model.memory_budget, 12LL << 30);
    EXPECT_FALSE(back->segments.scene_cuts);
    EXPECT_EQ(back->segments.scene_cut_threshold, 0.5);
    EXPECT_EQ(settings_fingerprint(*back), settings_fingerprint(s));
}

TEST(JobSpecJson, SpecsWrittenBeforeTilingAndSceneCutsStillRead) {
    // The JSON an older build wrote: none of the tiling / scene-cut keys.
    auto old = job_spec_from_json(R"({"format": "flashvsr-studio-job", "version": 1,
        "input": "a.mp4", "output": "b.mkv",
        "model": {"mode": "tiny", "tiled_vae": false},
        "segments": {"max_segment_frames": 0, "segment_overlap": 2}})");
    ASSERT_TRUE(old.ok()) << old.error().to_string();
    EXPECT_FALSE(old->model.tiled_dit);
    EXPECT_EQ(old->model.tile_size, 256);
    EXPECT_EQ(old->model.tile_order, ModelTileOrder::Auto);  // before the tile order existed
    EXPECT_TRUE(old->segments.scene_cuts);

    auto bad = job_spec_from_json(R"({"model": {"tile_size": "big"}})");
    ASSERT_FALSE(bad.ok());
    EXPECT_EQ(bad.error().get("field"), "model.tile_size");
    bad = job_spec_from_json(R"({"segments": {"scene_cuts": 1}})");
    ASSERT_FALSE(bad.ok());
    EXPECT_EQ(bad.error().get("field"), "segments.scene_cuts");
}

TEST(JobSpecFingerprint, TilingAndSceneCutFieldsThatChangePixels) {
    JobSpec base;
    base.input = "in.mp4";
    base.output = "out.mkv";
    base.model.tiled_dit = true;
    const std::string f = settings_fingerprint(base);
    auto differs = [&](auto change) {
        JobSpec s = base;
        change(s);
        return settings_fingerprint(s) != f;
    };
    EXPECT_TRUE(differs([](JobSpec& s) { s.model.tiled_dit = false; }));
    EXPECT_TRUE(differs([](JobSpec& s) { s.model.tile_size = 512; }));
    EXPECT_TRUE(differs([](JobSpec& s) { s.model.tile_size = 0; }));  // auto
    EXPECT_TRUE(differs([](JobSpec& s) { s.model.tile_overlap = 32; }));
    EXPECT_TRUE(differs([](JobSpec& s) { s.model.tile_shift = false; }));
    EXPECT_TRUE(differs([](JobSpec& s) { s.segments.scene_cuts = false; }));
    EXPECT_TRUE(differs([](JobSpec& s) { s.segments.scene_cut_threshold = 0.5; }));
    // Memory and speed only.
    EXPECT_FALSE(differs([](JobSpec& s) { s.model.tile_batch_size = 4; }));
    // Both orders give the same pixels: switching resumes the same checkpoint.
    EXPECT_FALSE(differs([](JobSpec& s) { s.model.tile_order = ModelTileOrder::TileMajor; }));
    EXPECT_FALSE(differs([](JobSpec& s) { s.model.tile_order = ModelTileOrder::FrameMajor; }));
    EXPECT_FALSE(differs([](JobSpec& s) { s.model.adaptive_tile_batch = false; }));
    EXPECT_FALSE(differs([](JobSpec& s) { s.model.unload_dit = true; }));
    EXPECT_FALSE(differs([](JobSpec& s) { s.model.memory_budget = 1LL << 30; }));

    // Tile geometry does not matter while tiling is off (and auto is not asked for), and an
    // untiled job without scene cuts hashes exactly the material of builds before these fields
    // existed, so its old checkpoints stay resumable.
    JobSpec untiled;
    untiled.input = "in.mp4";
    untiled.output = "out.mkv";
    untiled.segments.scene_cuts = false;
    JobSpec other_geometry = untiled;
    other_geometry.model.tile_size = 512;
    other_geometry.model.tile_overlap = 8;
    EXPECT_EQ(settings_fingerprint(untiled), settings_fingerprint(other_geometry));
    const std::string material = fingerprint_material(untiled);
    EXPECT_EQ(material.find("tiling"), std::string::npos);
    EXPECT_EQ(material.find("scene_cut"), std::string::npos);
    EXPECT_EQ(material.find("tile_"), std::string::npos);

    // Classic scalers have no temporal state: scene cuts do not apply to them.
    JobSpec classic = untiled;
    classic.upscaler = UpscalerKind::Bicubic;
    JobSpec classic_cuts = classic;
    classic_cuts.segments.scene_cuts = true;
    EXPECT_EQ(settings_fingerprint(classic), settings_fingerprint(classic_cuts));
}

TEST(JobSpecJson, DefaultsRoundTripAndMissingFieldsKeepDefaults) {
    JobSpec s;
    s.input = "a.mp4";
    s.output = "b.mkv";
    auto back = job_spec_from_json(to_json(s));
    ASSERT_TRUE(back.ok());
    EXPECT_EQ(to_json(*back), to_json(s));
    EXPECT_FALSE(back->output_settings.codec.has_value());
    EXPECT_FALSE(back->hdr.global_l_max.has_value());

    auto sparse = job_spec_from_json(R"({"input": "x.mp4", "output": "y.mkv", "scale": 2})");
    ASSERT_TRUE(sparse.ok());
    EXPECT_EQ(sparse->scale, 2);
    EXPECT_EQ(sparse->segments.segment_overlap, 2);
    EXPECT_EQ(sparse->upscaler, UpscalerKind::FlashVSR);
}

TEST(JobSpecJson, BadValuesNameTheField) {
    auto bad_enum = job_spec_from_json(R"({"model": {"mode": "huge"}})");
    ASSERT_FALSE(bad_enum.ok());
    EXPECT_EQ(bad_enum.error().code, ErrorCode::InvalidArgument);
    EXPECT_EQ(bad_enum.error().get("field"), "model.mode");

    auto bad_type = job_spec_from_json(R"({"scale": "four"})");
    ASSERT_FALSE(bad_type.ok());
    EXPECT_EQ(bad_type.error().get("field"), "scale");

    EXPECT_FALSE(job_spec_from_json("{not json").ok());
    EXPECT_FALSE(job_spec_from_json("[1, 2]").ok());
}

TEST(JobSpecFingerprint, CoversPixelFieldsOnly) {
    JobSpec base;
    base.input = "in.mp4";
    base.output = "out.mkv";
    const std::string f = settings_fingerprint(base);
    EXPECT_EQ(f.size(), 16u);
    EXPECT_EQ(f, settings_fingerprint(base));

    // No effect on pixels: paths, devices, threads, policies.
    JobSpec same = base;
    same.input = "elsewhere.mp4";
    same.output = "other.mkv";
    same.model.device = "cuda:3";
    same.model.model_dir = "/other/models";
    same.devices = {"cuda:0", "cuda:1"};
    same.threads = 3;
    same.resume = ResumePolicy::CleanStart;
    same.retention = CheckpointRetention::Keep;
    same.output_settings.overwrite = true;
    same.output_settings.hardware_encoder = false;
    same.first_frame = 10;
    EXPECT_EQ(settings_fingerprint(same), f);

    auto differs = [&](auto change) {
        JobSpec s = base;
        change(s);
        return settings_fingerprint(s) != f;
    };
    EXPECT_TRUE(differs([](JobSpec& s) { s.scale = 2; }));
    EXPECT_TRUE(differs([](JobSpec& s) { s.upscaler = UpscalerKind::Bicubic; }));
    EXPECT_TRUE(differs([](JobSpec& s) { s.model.seed = 1; }));
    EXPECT_TRUE(differs([](JobSpec& s) { s.model.precision = ModelPrecision::FP16; }));
    EXPECT_TRUE(differs([](JobSpec& s) { s.model.mode = ModelMode::Full; }));
    EXPECT_TRUE(differs([](JobSpec& s) { s.output_settings.crf = 20; }));
    EXPECT_TRUE(differs([](JobSpec& s) { s.output_settings.bit_depth = 10; }));
    EXPECT_TRUE(differs([](JobSpec& s) { s.hdr.exposure = 2.0; }));
    EXPECT_TRUE(differs([](JobSpec& s) { s.segments.segment_overlap = 3; }));
    EXPECT_TRUE(differs([](JobSpec& s) { s.segments.max_segment_frames = 100; }));

    // Model settings do not matter to a classic scaler.
    JobSpec classic = base;
    classic.upscaler = UpscalerKind::Bicubic;
    JobSpec classic2 = classic;
    classic2.model.seed = 99;
    EXPECT_EQ(settings_fingerprint(classic), settings_fingerprint(classic2));
}

TEST(JobSpecIdentity, JobIdFollowsPathsAndCheckpointDirIsXdg) {
    JobSpec a;
    a.input = "/x/in.mp4";
    a.output = "/x/out.mkv";
    JobSpec b = a;
    b.model.seed = 5;  // settings never change the id: a changed job finds its old checkpoint
    EXPECT_EQ(job_id_for(a), job_id_for(b));
    b.output = "/x/out2.mkv";
    EXPECT_NE(job_id_for(a), job_id_for(b));
    b.job_id = "named";
    EXPECT_EQ(job_id_for(b), "named");

    setenv("XDG_CACHE_HOME", "/var/tmp/xdg-cache-test", 1);
    EXPECT_EQ(
        checkpoint_dir_for(a),
        std::filesystem::path("/var/tmp/xdg-cache-test/flashvsr-studio/jobs") / job_id_for(a));
    a.checkpoint_dir = "/shared/ck";
    EXPECT_EQ(checkpoint_dir_for(a), std::filesystem::path("/shared/ck"));
    unsetenv("XDG_CACHE_HOME");
}

TEST(JobSpecValidate, RejectsInconsistentSettings) {
    JobSpec s;
    s.input = "in.mp4";
    s.output = "out.mkv";
    EXPECT_TRUE(validate(s).ok());
    auto field_of = [](const JobSpec& spec) {
        Status st = validate(spec);
        return st.ok() ? std::string() : st.error().get("field");
    };
    JobSpec t = s;
    t.scale = 5;
    EXPECT_EQ(field_of(t), "scale");
    t = s;
    t.end_frame = 0;
    EXPECT_EQ(field_of(t), "end_frame");
    t = s;
    t.segments.max_segment_frames = 5000;  // beyond FlashVSR's RoPE limit
    EXPECT_EQ(field_of(t), "segments.max_segment_frames");
    t.upscaler = UpscalerKind::Bicubic;  // classic scalers have no such limit
    EXPECT_EQ(field_of(t), "");
    t = s;
    t.segments.max_segment_frames = 24;  // < 21 + 2 x 2
    EXPECT_EQ(field_of(t), "segments.max_segment_frames");
    t = s;
    t.output.clear();
    EXPECT_EQ(field_of(t), "output");
    t = s;
    t.model.tile_size = 16;
    EXPECT_EQ(field_of(t), "model.tile_size");
    t.model.tile_size = 0;  // auto
    EXPECT_EQ(field_of(t), "");
    t.model.tile_size = 64;
    t.model.tile_overlap = 64;
    EXPECT_EQ(field_of(t), "model.tile_overlap");
    t = s;
    t.model.tile_batch_size = -1;
    EXPECT_EQ(field_of(t), "model.tile_batch_size");
    t = s;
    t.model.memory_budget = -5;
    EXPECT_EQ(field_of(t), "model.memory_budget");
    t = s;
    t.segments.scene_cut_threshold = 0.0;
    EXPECT_EQ(field_of(t), "segments.scene_cut_threshold");
    t.segments.scene_cut_threshold = 1.5;
    EXPECT_EQ(field_of(t), "segments.scene_cut_threshold");
}

TEST(JobSpecJson, TileOrderNames) {
    for (ModelTileOrder order :
         {ModelTileOrder::Auto, ModelTileOrder::FrameMajor, ModelTileOrder::TileMajor}) {
        EXPECT_EQ(parse_tile_order(tile_order_name(order)), order);
    }
    EXPECT_EQ(tile_order_name(ModelTileOrder::TileMajor), "tile");
    EXPECT_EQ(tile_order_name(ModelTileOrder::FrameMajor), "frame");
    EXPECT_FALSE(parse_tile_order("tiles").has_value());
    auto read = job_spec_from_json(R"({"model": {"tile_order": "frame"}})");
    ASSERT_TRUE(read.ok());
    EXPECT_EQ(read->model.tile_order, ModelTileOrder::FrameMajor);
    auto bad = job_spec_from_json(R"({"model": {"tile_order": "diagonal"}})");
    ASSERT_FALSE(bad.ok());
    EXPECT_EQ(bad.error().get("field"), "model.tile_order");
    EXPECT_EQ(bad.error().get("accepted"), "auto|frame|tile");
}

}  // namespace
}  // namespace engine::jobs
