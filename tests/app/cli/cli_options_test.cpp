// Option parsing: every option --help lists, with the JobSpec field it sets (table-driven), bad
// values, the --job file, and the final spec (default output, frame range, checks).

#include "cli_options.h"

#include "engine/io/support/temp_dir.h"
#include "progress.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <functional>
#include <set>
#include <sstream>
#include <vector>

namespace cli {
namespace {

namespace fs = std::filesystem;
namespace jobs = engine::jobs;

engine::Result<Options> parse(std::vector<const char*> args) {
    args.insert(args.begin(), "flashvsr");
    return parse_options(static_cast<int>(args.size()), args.data());
}

struct Row {
    std::vector<const char*> args;  // after "--input in.mp4"
    std::function<void(const Options&)> check;
};

std::string normalized(std::string name) {
    std::replace(name.begin() + 2, name.end(), '-', '_');
    return name;
}

// One row per option (some more); checked against option_names() below, so a new option without
// a row fails the suite.
const std::vector<Row>& rows() {
    using engine::io::OutputMode;
    static const std::vector<Row> table = {
        {{"--input", "other.mkv"}, [](const Options& o) { EXPECT_EQ(o.spec.input, "other.mkv"); }},
        {{"-i", "x y.mp4"}, [](const Options& o) { EXPECT_EQ(o.spec.input, "x y.mp4"); }},
        {{"--output", "out.mov"}, [](const Options& o) { EXPECT_EQ(o.spec.output, "out.mov"); }},
        {{"-o", "o.mkv"}, [](const Options& o) { EXPECT_EQ(o.spec.output, "o.mkv"); }},
        {{"--scale", "2"}, [](const Options& o) { EXPECT_EQ(o.spec.scale, 2); }},
        {{"-s", "3"}, [](const Options& o) { EXPECT_EQ(o.spec.scale, 3); }},
        {{"--output_mode", "pictures"},
         [](const Options& o) { EXPECT_EQ(o.spec.output_settings.mode, OutputMode::Pictures); }},
        {{"--output_format", "DPX"},
         [](const Options& o) { EXPECT_EQ(o.spec.output_settings.format, "dpx"); }},
        {{"--output_bit_depth", "10"},
         [](const Options& o) { EXPECT_EQ(o.spec.output_settings.bit_depth, 10); }},
        {{"--input_fps", "23.976"},
         [](const Options& o) {
             EXPECT_EQ(o.spec.input_fps, (engine::Rational{24000, 1001}));
         }},
        {{"--fps", "25"},
         [](const Options& o) {
             EXPECT_EQ(o.spec.input_fps, (engine::Rational{25, 1}));
         }},
        {{"--output_fps", "30000/1001"},
         [](const Options& o) {
             EXPECT_EQ(o.spec.output_settings.fps, (engine::Rational{30000, 1001}));
         }},
        {{"--max_frames", "12"}, [](const Options& o) { EXPECT_EQ(o.max_frames, 12); }},
        {{"--max-frames=7"}, [](const Options& o) { EXPECT_EQ(o.max_frames, 7); }},
        {{"--first_frame", "100"}, [](const Options& o) { EXPECT_EQ(o.spec.first_frame, 100); }},
        {{"--end_frame", "200"}, [](const Options& o) { EXPECT_EQ(o.spec.end_frame, 200); }},
        {{"--overwrite", "True"},
         [](const Options& o) { EXPECT_TRUE(o.spec.output_settings.overwrite); }},
        {{"--copy_streams", "False"},
         [](const Options& o) { EXPECT_FALSE(o.spec.output_settings.copy_streams); }},
        {{"--name_digits", "8"},
         [](const Options& o) { EXPECT_EQ(o.spec.output_settings.name_digits, 8); }},
        {{"--codec", "prores_hq"},
         [](const Options& o) {
             EXPECT_EQ(o.spec.output_settings.codec, engine::io::VideoCodec::ProRes422HQ);
         }},
        {{"--crf", "20"}, [](const Options& o) { EXPECT_EQ(o.spec.output_settings.crf, 20); }},
        {{"--quality", "lossless"},
         [](const Options& o) {
             EXPECT_EQ(o.spec.output_settings.quality, engine::io::QualityPreset::Lossless);
         }},
        {{"--hw_encoder", "false"},
         [](const Options& o) { EXPECT_FALSE(o.spec.output_settings.hardware_encoder); }},
        {{"--exr_compression", "piz"},
         [](const Options& o) {
             EXPECT_EQ(o.spec.output_settings.exr_compression, engine::io::ExrCompression::PIZ);
         }},
        {{"--upscaler", "lanczos"},
         [](const Options& o) { EXPECT_EQ(o.spec.upscaler, jobs::UpscalerKind::Lanczos); }},
        {{"--model_dir", "/m/v1.1"},
         [](const Options& o) { EXPECT_EQ(o.spec.model.model_dir, "/m/v1.1"); }},
        {{"--model_ver", "1.0"},
         [](const Options& o) { EXPECT_EQ(o.spec.model.version, jobs::ModelVersion::V10); }},
        {{"--mode", "tiny-long"},
         [](const Options& o) { EXPECT_EQ(o.spec.model.mode, jobs::ModelMode::TinyLong); }},
        {{"--mode", "full"},
         [](const Options& o) { EXPECT_EQ(o.spec.model.mode, jobs::ModelMode::Full); }},
        {{"--precision", "fp16"},
         [](const Options& o) { EXPECT_EQ(o.spec.model.precision, jobs::ModelPrecision::FP16); }},
        {{"--sparse_ratio", "1.5"},
         [](const Options& o) { EXPECT_DOUBLE_EQ(o.spec.model.sparse_ratio, 1.5); }},
        {{"--kv_ratio", "2.0"},
         [](const Options& o) { EXPECT_DOUBLE_EQ(o.spec.model.kv_ratio, 2.0); }},
        {{"--local_range", "9"}, [](const Options& o) { EXPECT_EQ(o.spec.model.local_range, 9); }},
        {{"--seed", "7"}, [](const Options& o) { EXPECT_EQ(o.spec.model.seed, 7u); }},
        {{"--color_fix", "False"},
         [](const Options& o) { EXPECT_EQ(o.spec.model.color_fix, jobs::ModelColorFix::None); }},
        {{"--color_fix", "wavelet"},
         [](const Options& o) { EXPECT_EQ(o.spec.model.color_fix, jobs::ModelColorFix::Wavelet); }},
        {{"--attention_mode", "reference"},
         [](const Options& o) {
             EXPECT_EQ(o.spec.model.attention, jobs::ModelAttention::Reference);
         }},
        {{"--attention_mode", "block_sparse_attention"},
         [](const Options& o) { EXPECT_EQ(o.spec.model.attention, jobs::ModelAttention::Auto); }},
        {{"--lq_resample", "pil_bicubic"},
         [](const Options& o) {
             EXPECT_EQ(o.spec.model.lq_resample, jobs::ModelLqResample::PilBicubic);
         }},
        {{"--tiled_vae", "True"}, [](const Options& o) { EXPECT_TRUE(o.spec.model.tiled_vae); }},
        {{"--noise_file", "n.safetensors"},
         [](const Options& o) { EXPECT_EQ(o.spec.model.noise_file, fs::path("n.safetensors")); }},
        {{"--tiled_dit", "True"}, [](const Options& o) { EXPECT_TRUE(o.spec.model.tiled_dit); }},
        {{"--tile_size", "384"}, [](const Options& o) { EXPECT_EQ(o.spec.model.tile_size, 384); }},
        {{"--tile_size", "auto"}, [](const Options& o) { EXPECT_EQ(o.spec.model.tile_size, 0); }},
        {{"--tile_overlap", "32"},
         [](const Options& o) { EXPECT_EQ(o.spec.model.tile_overlap, 32); }},
        {{"--tile_shift", "False"},
         [](const Options& o) { EXPECT_FALSE(o.spec.model.tile_shift); }},
        {{"--tile_batch_size", "4"},
         [](const Options& o) { EXPECT_EQ(o.spec.model.tile_batch_size, 4); }},
        {{"--tile_batch_size", "auto"},
         [](const Options& o) { EXPECT_EQ(o.spec.model.tile_batch_size, 0); }},
        {{"--tile_order", "tile"},
         [](const Options& o) {
             EXPECT_EQ(o.spec.model.tile_order, jobs::ModelTileOrder::TileMajor);
         }},
        {{"--tile_order", "Frame"},
         [](const Options& o) {
             EXPECT_EQ(o.spec.model.tile_order, jobs::ModelTileOrder::FrameMajor);
         }},
        {{"--tile_order", "auto"},
         [](const Options& o) { EXPECT_EQ(o.spec.model.tile_order, jobs::ModelTileOrder::Auto); }},
        {{"--adaptive_tile_batch", "False"},
         [](const Options& o) { EXPECT_FALSE(o.spec.model.adaptive_tile_batch); }},
        {{"--unload_dit", "True"}, [](const Options& o) { EXPECT_TRUE(o.spec.model.unload_dit); }},
        {{"--memory_budget", "1.5"},
         [](const Options& o) { EXPECT_EQ(o.spec.model.memory_budget, 1536ll << 20); }},
        {{"--plan"}, [](const Options& o) { EXPECT_EQ(o.command, Command::Plan); }},
        {{"--calibrate"}, [](const Options& o) { EXPECT_TRUE(o.calibrate); }},
        {{"--segmented"}, [](const Options& o) { EXPECT_EQ(o.command, Command::Upscale); }},
        {{"--max_segment_frames", "100"},
         [](const Options& o) { EXPECT_EQ(o.spec.segments.max_segment_frames, 100); }},
        {{"--max-segment-frames", "auto"},
         [](const Options& o) { EXPECT_EQ(o.spec.segments.max_segment_frames, 0); }},
        {{"--segment_overlap", "4"},
         [](const Options& o) { EXPECT_EQ(o.spec.segments.segment_overlap, 4); }},
        {{"--scene_cuts", "False"},
         [](const Options& o) { EXPECT_FALSE(o.spec.segments.scene_cuts); }},
        {{"--scene_cut_threshold", "0.5"},
         [](const Options& o) { EXPECT_DOUBLE_EQ(o.spec.segments.scene_cut_threshold, 0.5); }},
        {{"--no-resume", "--resume"},
         [](const Options& o) { EXPECT_EQ(o.spec.resume, jobs::ResumePolicy::Resume); }},
        {{"--no-resume"},
         [](const Options& o) { EXPECT_EQ(o.spec.resume, jobs::ResumePolicy::CleanStart); }},
        {{"--no_resume"},
         [](const Options& o) { EXPECT_EQ(o.spec.resume, jobs::ResumePolicy::CleanStart); }},
        {{"--clean-checkpoint"},
         [](const Options& o) { EXPECT_EQ(o.spec.resume, jobs::ResumePolicy::CleanStart); }},
        {{"--force"},
         [](const Options& o) {
             EXPECT_EQ(o.spec.resume, jobs::ResumePolicy::CleanStart);
             EXPECT_TRUE(o.spec.output_settings.overwrite);
         }},
        {{"--checkpoint_dir", "/shared/job"},
         [](const Options& o) { EXPECT_EQ(o.spec.checkpoint_dir, "/shared/job"); }},
        {{"--keep_checkpoint"},
         [](const Options& o) { EXPECT_EQ(o.spec.retention, jobs::CheckpointRetention::Keep); }},
        {{"--segments_only"},
         [](const Options& o) { EXPECT_EQ(o.spec.finish, jobs::FinishPolicy::SegmentsOnly); }},
        {{"--report", "r.json"}, [](const Options& o) { EXPECT_EQ(o.report, fs::path("r.json")); }},
        {{"--dynamic_range", "hdr"},
         [](const Options& o) { EXPECT_EQ(o.spec.hdr.mode, jobs::HdrMode::ToneMapping); }},
        {{"--dynamic_range", "sdr"},
         [](const Options& o) { EXPECT_EQ(o.spec.hdr.mode, jobs::HdrMode::Sdr); }},
        {{"--hdr_mode", "tone_mapping"},
         [](const Options& o) { EXPECT_EQ(o.spec.hdr.mode, jobs::HdrMode::ToneMapping); }},
        {{"--hdr_preprocess", "tone_mapping"},
         [](const Options& o) { EXPECT_EQ(o.spec.hdr.mode, jobs::HdrMode::Auto); }},
        {{"--tone_mapping_method", "aces"},
         [](const Options& o) {
             EXPECT_EQ(o.spec.hdr.method, engine::imaging::ToneMapMethod::Aces);
         }},
        {{"--tone_mapping_exposure", "2"},
         [](const Options& o) { EXPECT_DOUBLE_EQ(o.spec.hdr.exposure, 2.0); }},
        {{"--global_l_max", "40"},
         [](const Options& o) { EXPECT_EQ(o.spec.hdr.global_l_max, 40.0); }},
        {{"--hdr_transfer", "hlg"},
         [](const Options& o) { EXPECT_EQ(o.hdr_transfer, HdrTransfer::Hlg); }},
        {{"--device", "cuda:1"},
         [](const Options& o) { EXPECT_EQ(o.spec.model.device, "cuda:1"); }},
        {{"--devices", "0-2"},
         [](const Options& o) {
             EXPECT_EQ(o.spec.devices, (std::vector<std::string>{"cuda:0", "cuda:1", "cuda:2"}));
         }},
        {{"--multi_gpu"}, [](const Options& o) { EXPECT_TRUE(o.multi_gpu); }},
        {{"--threads", "3"}, [](const Options& o) { EXPECT_EQ(o.spec.threads, 3); }},
        {{"--print-job"}, [](const Options& o) { EXPECT_TRUE(o.print_job); }},
        {{"--quiet"}, [](const Options& o) { EXPECT_TRUE(o.quiet); }},
        {{"-q"}, [](const Options& o) { EXPECT_TRUE(o.quiet); }},
        {{"--master_addr", "10.0.0.1"},
         [](const Options& o) {
             ASSERT_EQ(o.compatibility_notes.size(), 1u);
             EXPECT_NE(o.compatibility_notes[0].find("accepted for compatibility"),
                       std::string::npos);
         }},
        {{"--master_port", "29500"},
         [](const Options& o) { EXPECT_EQ(o.compatibility_notes.size(), 1u); }},
        {{"--use_shared_memory", "True"},
         [](const Options& o) { EXPECT_EQ(o.compatibility_notes.size(), 1u); }},
        {{"--cleanup_mmap", "False"},
         [](const Options& o) { EXPECT_EQ(o.compatibility_notes.size(), 1u); }},
        {{"--streaming"}, [](const Options& o) { EXPECT_EQ(o.compatibility_notes.size(), 1u); }},
        {{"--force_offload", "True"},
         [](const Options& o) { EXPECT_EQ(o.compatibility_notes.size(), 1u); }},
        {{"--tile_batch_size", "3", "--adaptive_tile_batch", "False", "--adaptive_batch_size"},
         [](const Options& o) {
             EXPECT_EQ(o.spec.model.tile_batch_size, 0);
             EXPECT_TRUE(o.spec.model.adaptive_tile_batch);
         }},
        {{"--multi_gpu=False"}, [](const Options& o) { EXPECT_FALSE(o.multi_gpu); }},
    };
    return table;
}

TEST(CliOptionsTest, EveryOptionSetsItsField) {
    for (const Row& row : rows()) {
        std::vector<const char*> args = {"--input", "in.mp4"};
        args.insert(args.end(), row.args.begin(), row.args.end());
        auto r = parse(args);
        ASSERT_TRUE(r.ok()) << row.args.front() << ": " << r.error().to_string();
        SCOPED_TRACE(row.args.front());
        row.check(*r);
    }
}

TEST(CliOptionsTest, EveryListedOptionHasARow) {
    std::set<std::string> covered;
    for (const Row& row : rows()) {
        for (const char* a : row.args) {
            std::string arg = a;
            if (arg.rfind("--", 0) == 0) {
                covered.insert(normalized(arg.substr(0, arg.find('='))));
            }
        }
    }
    for (const std::string& name : option_names()) {
        if (name == "--job") {
            continue;  // JobFileIsTheBaseAndOptionsOverrideIt
        }
        EXPECT_TRUE(covered.count(normalized(name)) == 1) << name << " has no test row";
    }
}

TEST(CliOptionsTest, BadValuesNameTheOptionAndTheAcceptedValues) {
    const std::vector<std::pair<std::vector<const char*>, std::string>> cases = {
        {{"--scale", "5"}, "--scale"},
        {{"--scale", "x"}, "--scale"},
        {{"--output_mode", "film"}, "--output_mode"},
        {{"--output_format", "avi"}, "--output_format"},
        {{"--output_bit_depth", "12"}, "--output_bit_depth"},
        {{"--input_fps", "0"}, "--input_fps"},
        {{"--codec", "mpeg2"}, "--codec"},
        {{"--crf", "99"}, "--crf"},
        {{"--precision", "int8"}, "--precision"},
        {{"--sparse_ratio", "-1"}, "--sparse_ratio"},
        {{"--tile_size", "16"}, "--tile_size"},
        {{"--tile_batch_size", "many"}, "--tile_batch_size"},
        {{"--tile_order", "diagonal"}, "--tile_order"},
        {{"--memory_budget", "0"}, "--memory_budget"},
        {{"--max_segment_frames", "0"}, "--max_segment_frames"},
        {{"--scene_cut_threshold", "1.5"}, "--scene_cut_threshold"},
        {{"--scene_cuts", "maybe"}, "--scene_cuts"},
        {{"--dynamic_range", "hdr10"}, "--dynamic_range"},
        {{"--hdr_preprocess", "hlg"}, "--hdr_preprocess"},
        {{"--hdr_preprocess", "linear"}, "--hdr_preprocess"},
        {{"--hdr_transfer", "pq"}, "--hdr_transfer"},
        {{"--device", "gpu"}, "--device"},
        {{"--devices", "1-0"}, "--devices"},
        {{"--devices", "a,b"}, "--devices"},
        {{"--master_port", "70000"}, "--master_port"},
        {{"--use_shared_memory", "sometimes"}, "--use_shared_memory"},
        {{"--multi_gpu=perhaps"}, "--multi_gpu"},
        {{"--bogus", "1"}, "--bogus"},
        {{"--seed"}, "--seed"},
    };
    for (const auto& [args, option] : cases) {
        std::vector<const char*> all = {"--input", "in.mp4"};
        all.insert(all.end(), args.begin(), args.end());
        auto r = parse(all);
        ASSERT_FALSE(r.ok()) << args.front();
        EXPECT_EQ(r.error().code, engine::ErrorCode::InvalidArgument) << args.front();
        EXPECT_EQ(r.error().get("option"), option) << r.error().to_string();
    }
    auto b = parse({"-i", "a", "--overwrite", "maybe"});
    ASSERT_FALSE(b.ok());
    EXPECT_EQ(b.error().get("accepted"), "True|False");
    auto order = parse({"-i", "a", "--tile_order", "rows"});
    ASSERT_FALSE(order.ok());
    EXPECT_EQ(order.error().get("accepted"), "auto|frame|tile");
    auto scale = parse({"-i", "a", "--scale", "5"});
    EXPECT_NE(scale.error().detail.find("2 to 4"), std::string::npos);
}

TEST(CliOptionsTest, HlgPreprocessIsRefusedWithTheReason) {
    auto r = parse({"-i", "a.mkv", "--hdr_preprocess", "hlg"});
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(static_cast<int>(r.error().code), 2);
    EXPECT_NE(r.error().detail.find("not supported"), std::string::npos);
    EXPECT_NE(r.error().detail.find("tone_mapping"), std::string::npos);
}

TEST(CliOptionsTest, DeviceLists) {
    using V = std::vector<std::string>;
    EXPECT_EQ(parse_device_list("all"), (V{"all"}));
    EXPECT_EQ(parse_device_list("0,1"), (V{"cuda:0", "cuda:1"}));
    EXPECT_EQ(parse_device_list("0-2"), (V{"cuda:0", "cuda:1", "cuda:2"}));
    EXPECT_EQ(parse_device_list("cuda:3,cpu,cpu"), (V{"cuda:3", "cpu", "cpu"}));
    EXPECT_FALSE(parse_device_list("").has_value());
    EXPECT_FALSE(parse_device_list("2-1").has_value());
    EXPECT_FALSE(parse_device_list("gpu0").has_value());
}

TEST(CliOptionsTest, PositionalInputAndOutputAndSubcommands) {
    auto r = parse({"a.mp4", "b.mkv"});
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->command, Command::Upscale);
    EXPECT_EQ(r->spec.input, "a.mp4");
    EXPECT_EQ(r->spec.output, "b.mkv");

    auto extra = parse({"a.mp4", "b.mkv", "c"});
    ASSERT_FALSE(extra.ok());

    const std::vector<std::pair<const char*, Command>> commands = {
        {"upscale", Command::Upscale}, {"assemble", Command::Assemble}, {"plan", Command::Plan}};
    for (const auto& [word, command] : commands) {
        auto c = parse({word, "--input", "x.mkv"});
        ASSERT_TRUE(c.ok()) << word;
        EXPECT_EQ(c->command, command);
    }
    auto d = parse({"devices"});
    ASSERT_TRUE(d.ok());
    EXPECT_EQ(d->command, Command::Devices);
    auto p = parse({"probe", "x.mkv"});
    ASSERT_TRUE(p.ok());
    EXPECT_EQ(p->command, Command::Probe);
    EXPECT_EQ(p->spec.input, "x.mkv");
    EXPECT_EQ(parse({"--version"})->command, Command::Version);
    EXPECT_EQ(parse({"-i", "x", "--help"})->command, Command::Help);

    auto no_input = parse({"--scale", "4"});
    ASSERT_FALSE(no_input.ok());
    EXPECT_EQ(no_input.error().get("option"), "--input");
}

TEST(CliOptionsTest, SwitchesTakeAnOptionalTrueOrFalseLikeUpstream) {
    // "--calibrate True" is the upstream spelling of a switch: the word is its value, not the
    // output path.
    auto on = parse({"plan", "-i", "x.mkv", "--calibrate", "True"});
    ASSERT_TRUE(on.ok()) << on.error().to_string();
    EXPECT_TRUE(on->calibrate);
    EXPECT_TRUE(on->spec.output.empty());
    auto off = parse({"plan", "-i", "x.mkv", "--calibrate", "false", "out.mkv"});
    ASSERT_TRUE(off.ok()) << off.error().to_string();
    EXPECT_FALSE(off->calibrate);
    EXPECT_EQ(off->spec.output, "out.mkv");
    auto bare = parse({"plan", "-i", "x.mkv", "--calibrate", "out.mkv"});
    ASSERT_TRUE(bare.ok()) << bare.error().to_string();
    EXPECT_TRUE(bare->calibrate);
    EXPECT_EQ(bare->spec.output, "out.mkv");
}

TEST(CliOptionsTest, RatesIncludingNtsc) {
    EXPECT_EQ(parse_rate("24"), (engine::Rational{24, 1}));
    EXPECT_EQ(parse_rate("23.976"), (engine::Rational{24000, 1001}));
    EXPECT_EQ(parse_rate("29.97"), (engine::Rational{30000, 1001}));
    EXPECT_EQ(parse_rate("30000/1001"), (engine::Rational{30000, 1001}));
    EXPECT_EQ(parse_rate("12.5"), (engine::Rational{12500, 1000}));
    EXPECT_FALSE(parse_rate("0").has_value());
    EXPECT_FALSE(parse_rate("abc").has_value());
    EXPECT_FALSE(parse_rate("1/0").has_value());
}

TEST(CliOptionsTest, FinalSpecDefaultsRangeAndChecks) {
    auto r = parse({"-i", "/videos/clip.mov", "--scale", "2", "--first_frame", "10", "--max_frames",
                    "5", "--multi_gpu"});
    ASSERT_TRUE(r.ok());
    auto spec = finalize_job_spec(*r);
    ASSERT_TRUE(spec.ok()) << spec.error().to_string();
    EXPECT_EQ(spec->output, "/videos/clip_2x.mkv");
    EXPECT_EQ(spec->first_frame, 10);
    EXPECT_EQ(spec->end_frame, 15);
    EXPECT_EQ(spec->devices, (std::vector<std::string>{"all"}));

    auto pictures = parse({"-i", "/v/shots/%06d.png", "--output_mode", "pictures"});
    EXPECT_EQ(finalize_job_spec(*pictures)->output, "/v/shots/frames_4x");
    auto mp4 = parse({"-i", "/v/a.mkv", "--output_format", "mp4"});
    EXPECT_EQ(finalize_job_spec(*mp4)->output, "/v/a_4x.mp4");

    // --max_frames inside an explicit range keeps the smaller end.
    auto inside = parse({"-i", "a.mkv", "--end_frame", "3", "--max_frames", "9"});
    EXPECT_EQ(finalize_job_spec(*inside)->end_frame, 3);

    auto overlap =
        parse({"-i", "a.mkv", "--tiled_dit", "True", "--tile_size", "64", "--tile_overlap", "32"});
    ASSERT_TRUE(overlap.ok());
    auto bad_tiles = finalize_job_spec(*overlap);
    ASSERT_FALSE(bad_tiles.ok());
    EXPECT_EQ(bad_tiles.error().get("option"), "--tile_overlap");

    auto range = parse({"-i", "a.mkv", "--first_frame", "9", "--end_frame", "9"});
    auto bad_range = finalize_job_spec(*range);
    ASSERT_FALSE(bad_range.ok());
    EXPECT_EQ(bad_range.error().get("option"), "--end_frame");

    auto segments = parse({"-i", "a.mkv", "--max_segment_frames", "10"});
    auto bad_segments = finalize_job_spec(*segments);
    ASSERT_FALSE(bad_segments.ok());
    EXPECT_EQ(bad_segments.error().get("option"), "--max_segment_frames");

    auto format = parse({"-i", "a.mkv", "-o", "b.avi"});
    auto bad_format = finalize_job_spec(*format);
    ASSERT_FALSE(bad_format.ok());
    EXPECT_EQ(bad_format.error().get("option"), "--output_format");
}

class CliJobFileTest : public fvsr_test::TempDirTest {};

TEST_F(CliJobFileTest, JobFileIsTheBaseAndOptionsOverrideIt) {
    jobs::JobSpec gui;
    gui.input = "/in/a.mkv";
    gui.output = "/out/a.mkv";
    gui.scale = 3;
    gui.model.seed = 42;
    gui.model.tiled_dit = true;
    gui.segments.max_segment_frames = 100;
    const fs::path file = path("job.json");
    std::ofstream(file) << jobs::to_json(gui);

    // The override comes before --job on the command line: the file is still the base.
    auto r = parse({"--seed", "7", "--job", file.c_str()});
    ASSERT_TRUE(r.ok()) << r.error().to_string();
    EXPECT_EQ(r->spec.input, "/in/a.mkv");
    EXPECT_EQ(r->spec.scale, 3);
    EXPECT_TRUE(r->spec.model.tiled_dit);
    EXPECT_EQ(r->spec.segments.max_segment_frames, 100);
    EXPECT_EQ(r->spec.model.seed, 7u);

    // What --print-job prints reads back as the same job.
    auto spec = finalize_job_spec(*r);
    ASSERT_TRUE(spec.ok());
    auto again = jobs::job_spec_from_json(jobs::to_json(*spec));
    ASSERT_TRUE(again.ok());
    EXPECT_EQ(jobs::settings_fingerprint(*again), jobs::settings_fingerprint(*spec));
    EXPECT_EQ(jobs::to_json(*again), jobs::to_json(*spec));

    auto missing = parse({"--job", path("nope.json").c_str()});
    ASSERT_FALSE(missing.ok());
    EXPECT_EQ(missing.error().code, engine::ErrorCode::FileNotFound);

    std::ofstream(path("bad.json")) << R"({"scale": "four"})";
    auto bad = parse({"--job", path("bad.json").c_str()});
    ASSERT_FALSE(bad.ok());
    EXPECT_EQ(bad.error().code, engine::ErrorCode::InvalidArgument);
    EXPECT_EQ(bad.error().get("field"), "scale");
}

// --print-job prints the spec's JSON: the tile order is in it and reads back.
TEST(CliOptionsTest, PrintedJobCarriesTheTileOrder) {
    auto r = parse({"-i", "in.mp4", "--tiled_dit", "True", "--tile_order", "tile"});
    ASSERT_TRUE(r.ok()) << r.error().to_string();
    auto spec = finalize_job_spec(*r);
    ASSERT_TRUE(spec.ok()) << spec.error().to_string();
    const std::string printed = jobs::to_json(*spec);
    EXPECT_NE(printed.find("\"tile_order\": \"tile\""), std::string::npos) << printed;
    auto again = jobs::job_spec_from_json(printed);
    ASSERT_TRUE(again.ok());
    EXPECT_EQ(again->model.tile_order, jobs::ModelTileOrder::TileMajor);
    const std::string usage = usage_text();
    EXPECT_NE(usage.find("--tile_order"), std::string::npos);
    EXPECT_NE(usage.find("scratch disk"), std::string::npos);
}

TEST(CliOptionsTest, UsageGroupsOptionsAndExplainsCompatibilityOnes) {
    const std::string usage = usage_text();
    for (const std::string& name : option_names()) {
        EXPECT_NE(usage.find(name), std::string::npos) << name;
    }
    for (const char* name :
         {"--master_addr", "--master_port", "--use_shared_memory", "--cleanup_mmap", "--streaming",
          "--force_offload", "--adaptive_batch_size"}) {
        const auto at = usage.find(std::string("  ") + name);
        ASSERT_NE(at, std::string::npos) << name;
        const auto line_end = usage.find('\n', at);
        EXPECT_NE(usage.substr(at, line_end - at + 60).find("accepted for compatibility:"),
                  std::string::npos)
            << name;
    }
    std::istringstream lines(usage);
    std::string line;
    while (std::getline(lines, line)) {
        EXPECT_LE(line.size(), 100u) << line;
    }
}

// The progress line (progress.h has no test file of its own: tests/app/CMakeLists.txt lists this
// one and cli_run_test.cpp).
TEST(ProgressViewTest, LineShowsFramesRateEtaStageSegmentAndGpuMemory) {
    jobs::JobProgress p;
    p.stage = jobs::JobStage::Upscaling;
    p.stage_name = "upscaling";
    p.frames_done = 12;
    p.frames_total = 48;
    p.fps = 3.2;
    p.eta_ms = 15000;
    p.segments_done = 1;
    p.segments_total = 4;
    // GPU0 is at its peak (not repeated); GPU1 was higher earlier.
    p.gpu_memory = {{0, 2ull << 30, 80ull << 30, 2ull << 30},
                    {1, 512ull << 20, 80ull << 30, 3ull << 30}};
    const std::string line = ProgressView::format_line(p);
    for (const char* part :
         {"[######..................] 12/48 frames", "3.20 fps", "ETA 00:00:15", "upscaling",
          "segment 2/4", "GPU0 2.0/80.0 GiB  ", "GPU1 0.5/80.0 GiB (peak 3.0)"}) {
        EXPECT_NE(line.find(part), std::string::npos) << part << " in " << line;
    }
    EXPECT_EQ(line.find("GPU0 2.0/80.0 GiB (peak"), std::string::npos) << line;

    p.stage = jobs::JobStage::Assembling;
    p.stage_name = "assembling";
    p.fps = 0;
    p.eta_ms = -1;
    p.gpu_memory.clear();
    const std::string assembling = ProgressView::format_line(p);
    EXPECT_EQ(assembling.find("segment"), std::string::npos) << assembling;
    EXPECT_EQ(assembling.find("fps"), std::string::npos) << assembling;
    EXPECT_NE(assembling.find("assembling"), std::string::npos) << assembling;

    jobs::JobProgress start;  // probing: nothing known yet
    EXPECT_EQ(ProgressView::format_line(start), "probing");

    EXPECT_EQ(ProgressView::format_duration(3723), "01:02:03");
    EXPECT_EQ(ProgressView::format_duration(-1), "--:--:--");
}

}  // namespace
}  // namespace cli
