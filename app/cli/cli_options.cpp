#include "cli_options.h"

#include "engine/core/paths.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <sstream>

namespace cli {
namespace {

namespace fs = std::filesystem;
using engine::Error;
using engine::ErrorCode;
using engine::jobs::JobSpec;

Error bad(const std::string& option, const std::string& value, const std::string& accepted) {
    Error e(ErrorCode::InvalidArgument,
            "option " + option + ": '" + value + "' is not valid; expected " + accepted);
    e.with("option", option).with("value", value).with("accepted", accepted);
    return e;
}

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
    return s;
}

// "--max-segment-frames" and "--max_segment_frames" are one option (upstream spells both).
std::string normalized_name(std::string name) {
    if (name.rfind("--", 0) == 0) {
        std::replace(name.begin() + 2, name.end(), '-', '_');
    }
    return name;
}

std::optional<bool> parse_bool(const std::string& text) {
    std::string v = lower(text);
    if (v == "true" || v == "1" || v == "yes" || v == "on") {
        return true;
    }
    if (v == "false" || v == "0" || v == "no" || v == "off") {
        return false;
    }
    return std::nullopt;
}

std::optional<double> parse_double(const std::string& text) {
    char* end = nullptr;
    double v = std::strtod(text.c_str(), &end);
    if (text.empty() || end == nullptr || *end != '\0' || !std::isfinite(v)) {
        return std::nullopt;
    }
    return v;
}

std::optional<std::int64_t> parse_int(const std::string& text) {
    char* end = nullptr;
    errno = 0;
    long long v = std::strtoll(text.c_str(), &end, 10);
    if (text.empty() || end == nullptr || *end != '\0' || errno == ERANGE) {
        return std::nullopt;
    }
    return v;
}

// Where an option appears in --help.
enum class Section {
    InputOutput,
    Encoding,
    Model,
    Tiling,
    Segments,
    Hdr,
    Devices,
    Program,
    Compatibility,
};

const char* section_title(Section s) {
    switch (s) {
        case Section::InputOutput:
            return "Input and output";
        case Section::Encoding:
            return "Encoding (ours)";
        case Section::Model:
            return "Upscaler and FlashVSR model";
        case Section::Tiling:
            return "Tiles and memory";
        case Section::Segments:
            return "Segments, resume and render farms";
        case Section::Hdr:
            return "HDR";
        case Section::Devices:
            return "Devices";
        case Section::Program:
            return "Program";
        case Section::Compatibility:
            return "Accepted for compatibility with the upstream scripts";
    }
    return "";
}

using Apply = std::function<std::optional<Error>(Options&, const std::string&)>;

// One option: its names, whether it takes a value (empty placeholder: a flag, which also accepts
// --flag=True/False), where --help lists it, help text, and how it changes the options.
struct OptionSpec {
    std::string name;   // "--scale"
    std::string alias;  // "-s", "--fps" or empty
    std::string value;  // placeholder shown in help; empty for flags
    Section section;
    std::string help;
    Apply apply;
};

template <typename T>
Apply choice(const std::string& option,
             std::vector<std::pair<std::string, T>> values,
             std::function<void(Options&, T)> set) {
    return [=](Options& o, const std::string& v) -> std::optional<Error> {
        std::string accepted;
        for (const auto& [name, value] : values) {
            if (lower(v) == name) {
                set(o, value);
                return std::nullopt;
            }
            accepted += (accepted.empty() ? "" : "|") + name;
        }
        return bad(option, v, accepted);
    };
}

Apply boolean(const std::string& option, std::function<void(Options&, bool)> set) {
    return [=](Options& o, const std::string& v) -> std::optional<Error> {
        auto b = parse_bool(v);
        if (!b) {
            return bad(option, v, "True|False");
        }
        set(o, *b);
        return std::nullopt;
    };
}

Apply number(const std::string& option,
             double lo,
             double hi,
             std::function<void(Options&, double)> set) {
    return [=](Options& o, const std::string& v) -> std::optional<Error> {
        auto d = parse_double(v);
        if (!d || *d < lo || *d > hi) {
            std::ostringstream range;
            range << "a number from " << lo << " to " << hi;
            return bad(option, v, range.str());
        }
        set(o, *d);
        return std::nullopt;
    };
}

// `auto_word`: a word that means 0 ("auto"), or empty when none.
Apply integer(const std::string& option,
              std::int64_t lo,
              std::int64_t hi,
              std::function<void(Options&, std::int64_t)> set,
              const std::string& auto_word = {}) {
    return [=](Options& o, const std::string& v) -> std::optional<Error> {
        if (!auto_word.empty() && lower(v) == auto_word) {
            set(o, 0);
            return std::nullopt;
        }
        auto i = parse_int(v);
        if (!i || *i < lo || *i > hi) {
            std::string accepted =
                "a whole number from " + std::to_string(lo) + " to " + std::to_string(hi);
            if (!auto_word.empty()) {
                accepted += " or " + auto_word;
            }
            return bad(option, v, accepted);
        }
        set(o, *i);
        return std::nullopt;
    };
}

Apply path_option(std::function<void(Options&, fs::path)> set) {
    return [=](Options& o, const std::string& v) -> std::optional<Error> {
        set(o, fs::u8path(v));
        return std::nullopt;
    };
}

Apply rate(const std::string& option, std::function<void(Options&, engine::Rational)> set) {
    return [=](Options& o, const std::string& v) -> std::optional<Error> {
        auto r = parse_rate(v);
        if (!r) {
            return bad(option, v, "a rate such as 24, 23.976 or 30000/1001");
        }
        set(o, *r);
        return std::nullopt;
    };
}

// An upstream option with no effect in our design: the value is checked, the reason recorded.
Apply compatibility(const std::string& option,
                    const std::string& reason,
                    std::function<std::optional<Error>(const std::string&)> check = {}) {
    return [=](Options& o, const std::string& v) -> std::optional<Error> {
        if (check) {
            if (auto e = check(v)) {
                return e;
            }
        }
        o.compatibility_notes.push_back(option + " accepted for compatibility: " + reason);
        return std::nullopt;
    };
}

std::function<std::optional<Error>(const std::string&)> check_bool(const std::string& option) {
    return [=](const std::string& v) -> std::optional<Error> {
        if (!parse_bool(v)) {
            return bad(option, v, "True|False");
        }
        return std::nullopt;
    };
}

namespace jobs = engine::jobs;
using engine::io::ExrCompression;
using engine::io::OutputMode;
using engine::io::QualityPreset;

const char* kHlgRefusal =
    "--hdr_preprocess hlg is not supported: it feeds HLG-encoded signal values to a model trained "
    "on SDR video, so highlights come out with the wrong contrast and are clipped to the HLG "
    "range, and it depends on FFmpeg's zscale filter, which this build does not use. Use "
    "--hdr_preprocess tone_mapping (the default): the model sees a tone-mapped SDR picture and the "
    "exact inverse restores the source's HDR";

const std::vector<OptionSpec>& specs() {
    static const std::vector<OptionSpec> table = {
        // ---- Input and output -------------------------------------------------------------
        {"--input", "-i", "PATH", Section::InputOutput,
         "video file, image folder, or printf pattern (frames/%06d.png)",
         path_option([](Options& o, fs::path p) { o.spec.input = std::move(p); })},
        {"--output", "-o", "PATH", Section::InputOutput,
         "output file (video) or folder (pictures); default <input>_<scale>x.mkv beside the input "
         "(upstream: .mp4; MKV holds every stream of any source)",
         path_option([](Options& o, fs::path p) { o.spec.output = std::move(p); })},
        {"--scale", "-s", "N", Section::InputOutput,
         "upscale factor 2, 3 or 4 (default 4; the model is trained for 4)",
         integer("--scale", 2, 4, [](Options& o, std::int64_t v) { o.spec.scale = int(v); })},
        {"--output_mode", "", "MODE", Section::InputOutput, "video (default) | pictures",
         choice<OutputMode>("--output_mode",
                            {{"video", OutputMode::Video}, {"pictures", OutputMode::Pictures}},
                            [](Options& o, OutputMode m) { o.spec.output_settings.mode = m; })},
        {"--output_format", "", "FMT", Section::InputOutput,
         "video: mkv | mp4 | mov; pictures: png | dpx | exr (default: from --output, else mkv/png)",
         choice<std::string>(
             "--output_format",
             {{"mkv", "mkv"},
              {"mp4", "mp4"},
              {"mov", "mov"},
              {"png", "png"},
              {"dpx", "dpx"},
              {"exr", "exr"}},
             [](Options& o, std::string f) { o.spec.output_settings.format = std::move(f); })},
        {"--output_bit_depth", "", "N", Section::InputOutput,
         "8 | 10 | 16 | 32 (video 8/10, FFV1 also 16; PNG 8/16; DPX 10/16; EXR 16 half / 32 "
         "float; default: from the source)",
         choice<int>("--output_bit_depth", {{"8", 8}, {"10", 10}, {"16", 16}, {"32", 32}},
                     [](Options& o, int b) { o.spec.output_settings.bit_depth = b; })},
        {"--input_fps", "--fps", "RATE", Section::InputOutput,
         "frame rate of an image-sequence input (default 30)",
         rate("--input_fps", [](Options& o, engine::Rational r) { o.spec.input_fps = r; })},
        {"--output_fps", "", "RATE", Section::InputOutput,
         "output frame rate; frames are re-timed, none dropped (default: the input's)",
         rate("--output_fps",
              [](Options& o, engine::Rational r) { o.spec.output_settings.fps = r; })},
        {"--max_frames", "", "N", Section::InputOutput,
         "process at most N frames from --first_frame on (tests, previews)",
         integer("--max_frames", 1, INT64_MAX,
                 [](Options& o, std::int64_t v) { o.max_frames = v; })},
        {"--first_frame", "", "N", Section::InputOutput,
         "first source frame to process (ours; render farms: one range per machine)",
         integer("--first_frame", 0, INT64_MAX,
                 [](Options& o, std::int64_t v) { o.spec.first_frame = v; })},
        {"--end_frame", "", "N", Section::InputOutput,
         "source frame to stop before; -1 = to the end (default)",
         integer("--end_frame", -1, INT64_MAX,
                 [](Options& o, std::int64_t v) { o.spec.end_frame = v; })},
        {"--overwrite", "", "BOOL", Section::InputOutput,
         "replace an existing output (default False)",
         boolean("--overwrite", [](Options& o, bool b) { o.spec.output_settings.overwrite = b; })},
        {"--copy_streams", "", "BOOL", Section::InputOutput,
         "copy audio, subtitles, chapters and attachments bit-exact (default True)",
         boolean("--copy_streams",
                 [](Options& o, bool b) { o.spec.output_settings.copy_streams = b; })},
        {"--name_digits", "", "N", Section::InputOutput,
         "pictures: zero padding of frame numbers (default 6)",
         integer("--name_digits", 1, 12,
                 [](Options& o, std::int64_t v) { o.spec.output_settings.name_digits = int(v); })},
        // ---- Encoding ---------------------------------------------------------------------
        {"--codec", "", "NAME", Section::Encoding,
         "h264 (default) | h265 | av1 | prores_hq | prores_4444 | ffv1",
         [](Options& o, const std::string& v) -> std::optional<Error> {
             auto c = engine::io::parse_video_codec(lower(v));
             if (!c) {
                 return bad("--codec", v, "h264|h265|av1|prores_hq|prores_4444|ffv1");
             }
             o.spec.output_settings.codec = *c;
             return std::nullopt;
         }},
        {"--crf", "", "N", Section::Encoding, "constant rate factor (overrides --quality)",
         integer("--crf", 0, 63,
                 [](Options& o, std::int64_t v) { o.spec.output_settings.crf = int(v); })},
        {"--quality", "", "PRESET", Section::Encoding,
         "lossless (FFV1 unless --codec) | very_high | high (default) | medium | small",
         choice<QualityPreset>(
             "--quality",
             {{"lossless", QualityPreset::Lossless},
              {"very_high", QualityPreset::VeryHigh},
              {"high", QualityPreset::High},
              {"medium", QualityPreset::Medium},
              {"small", QualityPreset::Small}},
             [](Options& o, QualityPreset q) { o.spec.output_settings.quality = q; })},
        {"--hw_encoder", "", "BOOL", Section::Encoding, "use NVENC when present (default True)",
         boolean("--hw_encoder",
                 [](Options& o, bool b) { o.spec.output_settings.hardware_encoder = b; })},
        {"--exr_compression", "", "NAME", Section::Encoding, "piz | zip (default) | dwaa | none",
         choice<ExrCompression>(
             "--exr_compression",
             {{"piz", ExrCompression::PIZ},
              {"zip", ExrCompression::ZIP},
              {"dwaa", ExrCompression::DWAA},
              {"none", ExrCompression::None}},
             [](Options& o, ExrCompression c) { o.spec.output_settings.exr_compression = c; })},
        // ---- Model ------------------------------------------------------------------------
        {"--upscaler", "", "NAME", Section::Model,
         "flashvsr (default) | bicubic | lanczos (classic scalers need no model)",
         choice<jobs::UpscalerKind>("--upscaler",
                                    {{"flashvsr", jobs::UpscalerKind::FlashVSR},
                                     {"bicubic", jobs::UpscalerKind::Bicubic},
                                     {"lanczos", jobs::UpscalerKind::Lanczos}},
                                    [](Options& o, jobs::UpscalerKind u) { o.spec.upscaler = u; })},
        {"--model_dir", "", "PATH", Section::Model,
         "folder with the FlashVSR files (default $FLASHVSR_MODEL_DIR or "
         "~/.local/share/flashvsr-studio/models/v<ver>)",
         path_option([](Options& o, fs::path p) { o.spec.model.model_dir = std::move(p); })},
        {"--model_ver", "", "VER", Section::Model, "1.0 | 1.1 (default 1.1)",
         choice<jobs::ModelVersion>(
             "--model_ver", {{"1.0", jobs::ModelVersion::V10}, {"1.1", jobs::ModelVersion::V11}},
             [](Options& o, jobs::ModelVersion v) { o.spec.model.version = v; })},
        {"--mode", "", "MODE", Section::Model, "tiny (default) | tiny-long | full",
         choice<jobs::ModelMode>("--mode",
                                 {{"tiny", jobs::ModelMode::Tiny},
                                  {"tiny-long", jobs::ModelMode::TinyLong},
                                  {"tiny_long", jobs::ModelMode::TinyLong},
                                  {"full", jobs::ModelMode::Full}},
                                 [](Options& o, jobs::ModelMode m) { o.spec.model.mode = m; })},
        {"--precision", "", "P", Section::Model,
         "auto (default: bf16 on GPU, fp32 on CPU) | bf16 | fp16 | fp32",
         choice<jobs::ModelPrecision>(
             "--precision",
             {{"auto", jobs::ModelPrecision::Auto},
              {"bf16", jobs::ModelPrecision::BF16},
              {"fp16", jobs::ModelPrecision::FP16},
              {"fp32", jobs::ModelPrecision::FP32}},
             [](Options& o, jobs::ModelPrecision p) { o.spec.model.precision = p; })},
        {"--sparse_ratio", "", "X", Section::Model,
         "attention sparsity: 1.5 faster, 2.0 more stable (default 2.0)",
         number("--sparse_ratio", 0.01, 100.0,
                [](Options& o, double v) { o.spec.model.sparse_ratio = v; })},
        {"--kv_ratio", "", "X", Section::Model, "temporal KV cache length (default 3.0)",
         number("--kv_ratio", 1.0, 16.0, [](Options& o, double v) { o.spec.model.kv_ratio = v; })},
        {"--local_range", "", "N", Section::Model,
         "spatial attention window side, 9 or 11 (default 11)",
         integer("--local_range", 1, 63,
                 [](Options& o, std::int64_t v) { o.spec.model.local_range = int(v); })},
        {"--seed", "", "N", Section::Model, "noise seed (default 0)",
         integer("--seed", 0, INT64_MAX,
                 [](Options& o, std::int64_t v) { o.spec.model.seed = std::uint64_t(v); })},
        {"--color_fix", "", "X", Section::Model,
         "True (AdaIN, as upstream; default) | False | adain | wavelet",
         choice<jobs::ModelColorFix>(
             "--color_fix",
             {{"true", jobs::ModelColorFix::AdaIN},
              {"false", jobs::ModelColorFix::None},
              {"adain", jobs::ModelColorFix::AdaIN},
              {"wavelet", jobs::ModelColorFix::Wavelet},
              {"none", jobs::ModelColorFix::None}},
             [](Options& o, jobs::ModelColorFix c) { o.spec.model.color_fix = c; })},
        {"--attention_mode", "", "NAME", Section::Model,
         "sparse_sage_attention (default) | block_sparse_attention: both run our exact "
         "block-sparse kernel on CUDA; reference = plain attention everywhere",
         choice<jobs::ModelAttention>(
             "--attention_mode",
             {{"sparse_sage_attention", jobs::ModelAttention::Auto},
              {"block_sparse_attention", jobs::ModelAttention::Auto},
              {"reference", jobs::ModelAttention::Reference}},
             [](Options& o, jobs::ModelAttention a) { o.spec.model.attention = a; })},
        {"--lq_resample", "", "NAME", Section::Model,
         "bicubic pre-upscale of the input: torch_bicubic (default, as upstream) | pil_bicubic "
         "(the official repository's PIL path)",
         choice<jobs::ModelLqResample>(
             "--lq_resample",
             {{"torch_bicubic", jobs::ModelLqResample::TorchBicubic},
              {"pil_bicubic", jobs::ModelLqResample::PilBicubic}},
             [](Options& o, jobs::ModelLqResample r) { o.spec.model.lq_resample = r; })},
        {"--tiled_vae", "", "BOOL", Section::Model,
         "full mode: decode the VAE in upstream's overlapping tiles, for upstream's tiled output "
         "(default False; upstream True). The untiled decode already runs frame by frame here: "
         "tiles take ~2.5x as long and more GPU memory; --tiled_dit saves memory",
         boolean("--tiled_vae", [](Options& o, bool b) { o.spec.model.tiled_vae = b; })},
        {"--noise_file", "", "PATH", Section::Model,
         "initial latent noise from a safetensors file (tests)",
         path_option([](Options& o, fs::path p) { o.spec.model.noise_file = std::move(p); })},
        // ---- Tiles and memory -------------------------------------------------------------
        {"--tiled_dit", "", "BOOL", Section::Tiling,
         "run the whole pipeline per spatial tile, blended without seams (default False)",
         boolean("--tiled_dit", [](Options& o, bool b) { o.spec.model.tiled_dit = b; })},
        {"--tile_size", "", "N|auto", Section::Tiling,
         "tile side in input pixels (default 256); auto: the fastest tiles that fit the memory "
         "budget, without the shifted grid (the planner's choice is shown by --plan)",
         integer(
             "--tile_size", 32, 4096,
             [](Options& o, std::int64_t v) { o.spec.model.tile_size = int(v); }, "auto")},
        {"--tile_overlap", "", "N", Section::Tiling,
         "input pixels shared by neighbouring tiles (default 24)",
         integer("--tile_overlap", 0, 1024,
                 [](Options& o, std::int64_t v) { o.spec.model.tile_overlap = int(v); })},
        {"--tile_shift", "", "BOOL", Section::Tiling,
         "add a second tile grid offset by half a stride and average both (default True)",
         boolean("--tile_shift", [](Options& o, bool b) { o.spec.model.tile_shift = b; })},
        {"--tile_batch_size", "", "N|auto", Section::Tiling,
         "tiles whose state stays on the GPU at once; 0 or auto: from free GPU memory (default); "
         "with --tile_order auto, fewer than the frame's tiles means tile by tile",
         integer(
             "--tile_batch_size", 0, 256,
             [](Options& o, std::int64_t v) { o.spec.model.tile_batch_size = int(v); }, "auto")},
        {"--tile_order", "", "auto|frame|tile", Section::Tiling,
         "order of a tiled run: frame (chunk by chunk, every tile per chunk; frames stream out), "
         "tile (each tile through the whole segment with one tile state on the GPU: least GPU "
         "memory, frames come out when the segment is done, needs scratch disk in the job's work "
         "folder) or auto (default: the planner picks; same pixels either way)",
         choice<jobs::ModelTileOrder>(
             "--tile_order",
             {{"auto", jobs::ModelTileOrder::Auto},
              {"frame", jobs::ModelTileOrder::FrameMajor},
              {"tile", jobs::ModelTileOrder::TileMajor}},
             [](Options& o, jobs::ModelTileOrder order) { o.spec.model.tile_order = order; })},
        {"--adaptive_tile_batch", "", "BOOL", Section::Tiling,
         "halve the tile batch after running out of GPU memory (default True)",
         boolean("--adaptive_tile_batch",
                 [](Options& o, bool b) { o.spec.model.adaptive_tile_batch = b; })},
        {"--unload_dit", "", "BOOL", Section::Tiling,
         "move the DiT to host memory while decoding (saves VRAM in full mode; default False)",
         boolean("--unload_dit", [](Options& o, bool b) { o.spec.model.unload_dit = b; })},
        {"--memory_budget", "", "GiB", Section::Tiling,
         "GPU memory the planner may use for auto tiles (default: the device's free memory)",
         number("--memory_budget", 0.1, 1.0e6,
                [](Options& o, double gib) {
                    o.spec.model.memory_budget =
                        static_cast<std::int64_t>(std::llround(gib * 1024.0 * 1024.0 * 1024.0));
                })},
        {"--plan", "", "", Section::Tiling,
         "print the predicted GPU/host memory, disk and time and what auto chose, then exit",
         boolean("--plan",
                 [](Options& o, bool b) {
                     if (b) {
                         o.command = Command::Plan;
                     }
                 })},
        {"--calibrate", "", "", Section::Tiling,
         "with --plan: measure one chunk of the real model on the device first",
         boolean("--calibrate", [](Options& o, bool b) { o.calibrate = b; })},
        // ---- Segments, resume and farms ---------------------------------------------------
        {"--segmented", "", "", Section::Segments,
         "every job runs as durable, resumable segments (at most 4093 frames each, or "
         "--max_segment_frames); accepted so upstream command lines work",
         boolean("--segmented", [](Options&, bool) {})},
        {"--max_segment_frames", "--max-segment-frames", "N|auto", Section::Segments,
         "frames fed to one model run, overlap included (auto: 4093, FlashVSR's position limit)",
         integer(
             "--max_segment_frames", 1, INT64_MAX,
             [](Options& o, std::int64_t v) { o.spec.segments.max_segment_frames = v; }, "auto")},
        {"--segment_overlap", "", "N", Section::Segments,
         "extra frames fed at each inner segment boundary and dropped at the join (default 2)",
         integer("--segment_overlap", 0, 1000,
                 [](Options& o, std::int64_t v) { o.spec.segments.segment_overlap = int(v); })},
        {"--scene_cuts", "", "BOOL", Section::Segments,
         "restart the model's temporal state at detected scene cuts (default True)",
         boolean("--scene_cuts", [](Options& o, bool b) { o.spec.segments.scene_cuts = b; })},
        {"--scene_cut_threshold", "", "X", Section::Segments,
         "detector score in [0, 1] above which a frame starts a new shot (default 0.35)",
         number("--scene_cut_threshold", 0.0, 1.0,
                [](Options& o, double v) { o.spec.segments.scene_cut_threshold = v; })},
        {"--resume", "", "", Section::Segments,
         "continue a stopped or crashed run of the same job from its checkpoint (default)",
         boolean("--resume",
                 [](Options& o, bool b) {
                     o.spec.resume =
                         b ? jobs::ResumePolicy::Resume : jobs::ResumePolicy::CleanStart;
                 })},
        {"--no-resume", "", "", Section::Segments,
         "ignore an existing checkpoint of this job and start over",
         boolean("--no-resume",
                 [](Options& o, bool b) {
                     o.spec.resume =
                         b ? jobs::ResumePolicy::CleanStart : jobs::ResumePolicy::Resume;
                 })},
        {"--clean-checkpoint", "", "", Section::Segments,
         "delete this job's checkpoint and start over",
         boolean("--clean-checkpoint",
                 [](Options& o, bool b) {
                     o.spec.resume =
                         b ? jobs::ResumePolicy::CleanStart : jobs::ResumePolicy::Resume;
                 })},
        {"--force", "", "", Section::Segments,
         "start over and replace an existing output (= --clean-checkpoint --overwrite True)",
         boolean("--force",
                 [](Options& o, bool b) {
                     if (b) {
                         o.spec.resume = jobs::ResumePolicy::CleanStart;
                         o.spec.output_settings.overwrite = true;
                     }
                 })},
        {"--checkpoint_dir", "", "PATH", Section::Segments,
         "where finished segments and the manifest live (default "
         "$XDG_CACHE_HOME/flashvsr-studio/jobs/<job id>; farms: one shared folder)",
         path_option([](Options& o, fs::path p) { o.spec.checkpoint_dir = std::move(p); })},
        {"--keep_checkpoint", "", "", Section::Segments,
         "keep the checkpoint folder after a successful run (default: removed)",
         boolean("--keep_checkpoint",
                 [](Options& o, bool b) {
                     o.spec.retention = b ? jobs::CheckpointRetention::Keep
                                          : jobs::CheckpointRetention::RemoveWhenDone;
                 })},
        {"--segments_only", "", "", Section::Segments,
         "render farms: write this frame range's segments into --checkpoint_dir and stop; join "
         "them later with 'flashvsr assemble'",
         boolean("--segments_only",
                 [](Options& o, bool b) {
                     o.spec.finish =
                         b ? jobs::FinishPolicy::SegmentsOnly : jobs::FinishPolicy::Assemble;
                 })},
        {"--report", "", "PATH", Section::Segments,
         "where the JSON run report goes (default <output>.report.json)",
         path_option([](Options& o, fs::path p) { o.report = std::move(p); })},
        // ---- HDR --------------------------------------------------------------------------
        {"--dynamic_range", "", "RANGE", Section::Hdr,
         "auto (default: tone-map PQ/HLG/linear sources) | sdr (process signal values as they "
         "are) | hdr (always tone-map)",
         choice<jobs::HdrMode>("--dynamic_range",
                               {{"auto", jobs::HdrMode::Auto},
                                {"sdr", jobs::HdrMode::Sdr},
                                {"hdr", jobs::HdrMode::ToneMapping}},
                               [](Options& o, jobs::HdrMode m) { o.spec.hdr.mode = m; })},
        {"--hdr_mode", "", "MODE", Section::Hdr,
         "ours, same as --dynamic_range: auto | sdr | tone_mapping",
         choice<jobs::HdrMode>("--hdr_mode",
                               {{"auto", jobs::HdrMode::Auto},
                                {"sdr", jobs::HdrMode::Sdr},
                                {"tone_mapping", jobs::HdrMode::ToneMapping}},
                               [](Options& o, jobs::HdrMode m) { o.spec.hdr.mode = m; })},
        {"--hdr_preprocess", "", "NAME", Section::Hdr,
         "tone_mapping (default: forward tone map before the model, exact inverse after); hlg "
         "is refused with exit code 2 (see the message for why)",
         [](Options&, const std::string& v) -> std::optional<Error> {
             if (lower(v) == "tone_mapping") {
                 return std::nullopt;
             }
             if (lower(v) == "hlg") {
                 Error e(ErrorCode::InvalidArgument, kHlgRefusal);
                 e.with("option", "--hdr_preprocess").with("value", v);
                 return e;
             }
             return bad("--hdr_preprocess", v, "tone_mapping");
         }},
        {"--tone_mapping_method", "", "NAME", Section::Hdr,
         "logarithmic (default) | reinhard | aces",
         choice<engine::imaging::ToneMapMethod>(
             "--tone_mapping_method",
             {{"reinhard", engine::imaging::ToneMapMethod::Reinhard},
              {"logarithmic", engine::imaging::ToneMapMethod::Logarithmic},
              {"aces", engine::imaging::ToneMapMethod::Aces}},
             [](Options& o, engine::imaging::ToneMapMethod m) { o.spec.hdr.method = m; })},
        {"--tone_mapping_exposure", "", "X", Section::Hdr,
         "exposure before tone mapping (default 1.0)",
         number("--tone_mapping_exposure", 0.01, 100.0,
                [](Options& o, double v) { o.spec.hdr.exposure = v; })},
        {"--global_l_max", "", "X", Section::Hdr,
         "peak linear luminance for tone mapping (default: measured once per job on sampled "
         "frames and kept for resume)",
         number("--global_l_max", 1e-3, 1e6,
                [](Options& o, double v) { o.spec.hdr.global_l_max = v; })},
        {"--hdr_transfer", "", "NAME", Section::Hdr,
         "hdr10 | hlg: the output keeps the source's transfer (PQ = HDR10, HLG = HLG); a value "
         "that would need a conversion is refused",
         choice<HdrTransfer>("--hdr_transfer",
                             {{"hdr10", HdrTransfer::Hdr10}, {"hlg", HdrTransfer::Hlg}},
                             [](Options& o, HdrTransfer t) { o.hdr_transfer = t; })},
        // ---- Devices ----------------------------------------------------------------------
        {"--device", "", "DEV", Section::Devices, "auto (default) | cpu | cuda | cuda:N",
         [](Options& o, const std::string& v) -> std::optional<Error> {
             std::string d = lower(v);
             bool ok = d == "auto" || d == "cpu" || d == "cuda" ||
                       (d.rfind("cuda:", 0) == 0 && parse_int(d.substr(5)).value_or(-1) >= 0);
             if (!ok) {
                 return bad("--device", v, "auto|cpu|cuda|cuda:N");
             }
             o.spec.model.device = d;
             return std::nullopt;
         }},
        {"--devices", "", "LIST", Section::Devices,
         "workers, one per device: all (every CUDA GPU) | 0,1 | 0-2 (CUDA indices); cpu may be "
         "listed too. Segments spread over the workers",
         [](Options& o, const std::string& v) -> std::optional<Error> {
             auto list = parse_device_list(v);
             if (!list) {
                 return bad("--devices", v, "all, a list such as 0,1 or a range such as 0-2");
             }
             o.spec.devices = *list;
             return std::nullopt;
         }},
        {"--multi_gpu", "", "", Section::Devices,
         "use every GPU (or --devices) and split even short jobs into one segment per GPU",
         boolean("--multi_gpu", [](Options& o, bool b) { o.multi_gpu = b; })},
        {"--threads", "", "N", Section::Devices,
         "CPU threads for LibTorch and the scalers (default: all cores)",
         integer("--threads", 1, 1024,
                 [](Options& o, std::int64_t v) { o.spec.threads = int(v); })},
        // ---- Program ----------------------------------------------------------------------
        {"--job", "", "FILE", Section::Program,
         "run a job file (JSON, as the GUI and --print-job write it); other options override "
         "its fields",
         path_option([](Options& o, fs::path p) { o.job_file = std::move(p); })},
        {"--print-job", "", "", Section::Program,
         "print the job these options describe as JSON and exit",
         boolean("--print-job", [](Options& o, bool b) { o.print_job = b; })},
        {"--quiet", "-q", "", Section::Program, "no progress line or notes",
         boolean("--quiet", [](Options& o, bool b) { o.quiet = b; })},
        // ---- Compatibility ----------------------------------------------------------------
        {"--master_addr", "", "ADDR", Section::Compatibility,
         "one process drives every GPU with one worker thread each, so there is no "
         "torch.distributed rendezvous",
         compatibility("--master_addr",
                       "one process drives every GPU with one worker thread each, so there is no "
                       "torch.distributed rendezvous")},
        {"--master_port", "", "PORT", Section::Compatibility, "as --master_addr",
         compatibility("--master_port",
                       "one process drives every GPU, so there is no rendezvous port",
                       [](const std::string& v) -> std::optional<Error> {
                           auto p = parse_int(v);
                           if (!p || *p < 0 || *p > 65535) {
                               return bad("--master_port", v, "a port number from 0 to 65535");
                           }
                           return std::nullopt;
                       })},
        {"--use_shared_memory", "", "BOOL", Section::Compatibility,
         "the workers are threads of one process and the weight files are memory-mapped, so "
         "there is nothing to share through /dev/shm",
         compatibility("--use_shared_memory",
                       "the workers are threads of one process and the weight files are "
                       "memory-mapped, so there is nothing to share through /dev/shm",
                       check_bool("--use_shared_memory"))},
        {"--cleanup_mmap", "", "BOOL", Section::Compatibility,
         "no /dev/shm copies are made, so there is nothing to clean up",
         compatibility("--cleanup_mmap",
                       "no /dev/shm copies are made, so there is nothing to clean up",
                       check_bool("--cleanup_mmap"))},
        {"--streaming", "", "", Section::Compatibility,
         "every run streams: decode, model and encode are joined by bounded queues and segments "
         "are written as they finish, so memory does not grow with the video's length",
         compatibility("--streaming",
                       "every run streams (bounded queues, segments written as they finish), so "
                       "memory does not grow with the video's length",
                       check_bool("--streaming"))},
        {"--force_offload", "", "BOOL", Section::Compatibility,
         "each segment's model is released when the segment ends and the process exits after "
         "the job, so no weights stay on the GPU",
         compatibility("--force_offload",
                       "each segment's model is released when the segment ends and the process "
                       "exits after the job, so no weights stay on the GPU",
                       check_bool("--force_offload"))},
        {"--adaptive_batch_size", "", "", Section::Compatibility,
         "the same as --tile_batch_size auto --adaptive_tile_batch True",
         [](Options& o, const std::string& v) -> std::optional<Error> {
             auto b = parse_bool(v);
             if (!b) {
                 return bad("--adaptive_batch_size", v, "True|False");
             }
             if (*b) {
                 o.spec.model.tile_batch_size = 0;
                 o.spec.model.adaptive_tile_batch = true;
             }
             o.compatibility_notes.push_back(
                 "--adaptive_batch_size accepted for compatibility: it is --tile_batch_size auto "
                 "--adaptive_tile_batch True here");
             return std::nullopt;
         }},
    };
    return table;
}

const OptionSpec* find_option(const std::string& arg) {
    const std::string wanted = normalized_name(arg);
    for (const auto& s : specs()) {
        if (wanted == normalized_name(s.name) ||
            (!s.alias.empty() && wanted == normalized_name(s.alias))) {
            return &s;
        }
    }
    return nullptr;
}

engine::Result<JobSpec> read_job_file(const fs::path& path) {
    std::error_code ec;
    if (!fs::exists(path, ec)) {
        Error e(ErrorCode::FileNotFound, "job file " + engine::path_string(path) + " not found");
        return e.with("path", engine::path_string(path)).with("option", "--job");
    }
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    if (!in.good() && !in.eof()) {
        Error e(ErrorCode::FileUnreadable, "cannot read job file " + engine::path_string(path));
        return e.with("path", engine::path_string(path));
    }
    auto spec = engine::jobs::job_spec_from_json(text.str());
    if (!spec.ok()) {
        Error e = spec.error();
        e.detail = "job file " + engine::path_string(path) + ": " + e.detail;
        return e.with("path", engine::path_string(path)).with("option", "--job");
    }
    return spec;
}

// A JobSpec field name (engine::jobs::validate) as the option that sets it.
std::string option_for_field(const std::string& field) {
    static const std::vector<std::pair<std::string, std::string>> names = {
        {"input", "--input"},
        {"output", "--output"},
        {"scale", "--scale"},
        {"first_frame", "--first_frame"},
        {"end_frame", "--end_frame"},
        {"segments.segment_overlap", "--segment_overlap"},
        {"segments.max_segment_frames", "--max_segment_frames"},
        {"segments.min_segment_frames", "--job"},
        {"segments.min_segments", "--job"},
        {"hdr", "--tone_mapping_exposure"},
        {"output_settings.name_digits", "--name_digits"},
    };
    for (const auto& [f, option] : names) {
        if (f == field) {
            return option;
        }
    }
    return "--job";
}

std::string extension_of(const JobSpec& spec) {
    if (!spec.output_settings.format.empty()) {
        return spec.output_settings.format;
    }
    if (!spec.output.empty() && spec.output.has_extension()) {
        return lower(spec.output.extension().u8string().substr(1));
    }
    return spec.output_settings.mode == OutputMode::Pictures ? "png" : "mkv";
}

}  // namespace

std::optional<engine::Rational> parse_rate(const std::string& text) {
    auto slash = text.find('/');
    if (slash != std::string::npos) {
        auto num = parse_int(text.substr(0, slash));
        auto den = parse_int(text.substr(slash + 1));
        if (!num || !den || *num <= 0 || *den <= 0 || *num > INT32_MAX || *den > INT32_MAX) {
            return std::nullopt;
        }
        return engine::Rational{int(*num), int(*den)};
    }
    auto d = parse_double(text);
    if (!d || *d <= 0 || *d > 1000) {
        return std::nullopt;
    }
    // NTSC-style rates: 23.976 -> 24000/1001, 29.97 -> 30000/1001, 59.94 -> 60000/1001.
    for (int base : {24, 30, 48, 60, 120}) {
        if (std::fabs(*d - base * 1000.0 / 1001.0) < 0.005) {
            return engine::Rational{base * 1000, 1001};
        }
    }
    if (std::fabs(*d - std::round(*d)) < 1e-9) {
        return engine::Rational{int(std::lround(*d)), 1};
    }
    return engine::Rational{int(std::lround(*d * 1000)), 1000};
}

std::optional<std::vector<std::string>> parse_device_list(const std::string& text) {
    const std::string all = lower(text);
    if (all == "all") {
        return std::vector<std::string>{"all"};
    }
    std::vector<std::string> devices;
    std::stringstream in(all);
    std::string item;
    while (std::getline(in, item, ',')) {
        if (item == "cpu") {
            devices.push_back("cpu");
            continue;
        }
        if (item.rfind("cuda:", 0) == 0) {
            item = item.substr(5);
        }
        auto dash = item.find('-');
        auto first = parse_int(item.substr(0, dash));
        auto last = dash == std::string::npos ? first : parse_int(item.substr(dash + 1));
        if (!first || !last || *first < 0 || *last < *first || *last > 255) {
            return std::nullopt;
        }
        for (std::int64_t i = *first; i <= *last; ++i) {
            devices.push_back("cuda:" + std::to_string(i));
        }
    }
    if (devices.empty()) {
        return std::nullopt;
    }
    return devices;
}

engine::Result<Options> parse_options(int argc, const char* const* argv) {
    Options options;
    int first = 1;
    if (argc > 1) {
        const std::string command = argv[1];
        const std::vector<std::pair<std::string, Command>> commands = {
            {"upscale", Command::Upscale}, {"assemble", Command::Assemble}, {"plan", Command::Plan},
            {"devices", Command::Devices}, {"probe", Command::Probe},       {"help", Command::Help},
        };
        for (const auto& [name, value] : commands) {
            if (command == name) {
                options.command = value;
                first = 2;
            }
        }
    }
    if (options.command == Command::Help) {
        return options;
    }
    // The job file first, so every other option overrides its fields whatever the order.
    for (int i = first; i < argc; ++i) {
        const std::string arg = argv[i];
        std::string file;
        if (arg == "--job" && i + 1 < argc) {
            file = argv[i + 1];
        } else if (arg.rfind("--job=", 0) == 0) {
            file = arg.substr(6);
        } else {
            continue;
        }
        auto spec = read_job_file(fs::u8path(file));
        if (!spec.ok()) {
            return spec.error();
        }
        options.spec = std::move(spec).value();
    }

    std::vector<std::string> positional;
    for (int i = first; i < argc; ++i) {
        std::string arg = argv[i];
        if (arg == "--help" || arg == "-h") {
            options.command = Command::Help;
            return options;
        }
        if (arg == "--version" || arg == "-V") {
            options.command = Command::Version;
            return options;
        }
        if (arg.rfind("-", 0) != 0 || arg == "-") {
            positional.push_back(arg);
            continue;
        }
        std::string value;
        bool has_inline_value = false;
        if (auto eq = arg.find('='); eq != std::string::npos && arg.rfind("--", 0) == 0) {
            value = arg.substr(eq + 1);
            arg = arg.substr(0, eq);
            has_inline_value = true;
        }
        const OptionSpec* spec = find_option(arg);
        if (spec == nullptr) {
            Error e(ErrorCode::InvalidArgument, "unknown option " + arg + " (see flashvsr --help)");
            e.with("option", arg);
            return e;
        }
        if (spec->value.empty()) {
            if (!has_inline_value) {
                value = "True";
                // Upstream's scripts spell every switch with a value ("--tiled_dit True"):
                // a following True/False belongs to the switch, not to the paths.
                if (i + 1 < argc) {
                    const std::string next = lower(argv[i + 1]);
                    if (next == "true" || next == "false") {
                        value = argv[++i];
                    }
                }
            }
        } else if (!has_inline_value) {
            if (i + 1 >= argc) {
                Error e(ErrorCode::InvalidArgument,
                        "option " + spec->name + " needs a value (" + spec->value + ")");
                e.with("option", spec->name);
                return e;
            }
            value = argv[++i];
        }
        if (auto err = spec->apply(options, value)) {
            return *err;
        }
    }
    const bool takes_paths = options.command == Command::Upscale ||
                             options.command == Command::Assemble ||
                             options.command == Command::Plan || options.command == Command::Probe;
    if (takes_paths) {
        if (options.spec.input.empty() && !positional.empty()) {
            options.spec.input = fs::u8path(positional.front());
            positional.erase(positional.begin());
        }
        if (options.command != Command::Probe && options.spec.output.empty() &&
            !positional.empty()) {
            options.spec.output = fs::u8path(positional.front());
            positional.erase(positional.begin());
        }
    }
    if (!positional.empty()) {
        Error e(ErrorCode::InvalidArgument, "unexpected argument '" + positional.front() + "'");
        e.with("value", positional.front());
        return e;
    }
    if (takes_paths && options.spec.input.empty()) {
        Error e(ErrorCode::InvalidArgument, "no input given (use --input PATH)");
        e.with("option", "--input");
        return e;
    }
    return options;
}

fs::path default_output_path(const JobSpec& spec) {
    const fs::path& input = spec.input;
    fs::path dir = input.parent_path();
    std::string stem = input.stem().u8string();
    std::error_code ec;
    const bool folder = fs::is_directory(input, ec);
    if (folder) {
        stem = input.filename().u8string();
        if (stem.empty()) {  // "frames/"
            stem = input.parent_path().filename().u8string();
            dir = input.parent_path().parent_path();
        }
    } else if (stem.find('%') != std::string::npos) {
        stem = "frames";
    }
    std::string name = stem + "_" + std::to_string(spec.scale) + "x";
    if (spec.output_settings.mode == OutputMode::Pictures) {
        return dir / fs::u8path(name);
    }
    return dir / fs::u8path(name + "." + extension_of(spec));
}

engine::Result<JobSpec> finalize_job_spec(const Options& options) {
    JobSpec spec = options.spec;
    if (spec.output.empty()) {
        spec.output = default_output_path(spec);
    }
    if (options.max_frames > 0) {
        const std::int64_t end = spec.first_frame + options.max_frames;
        spec.end_frame = spec.end_frame < 0 ? end : std::min(spec.end_frame, end);
    }
    if (options.multi_gpu && spec.devices.empty()) {
        spec.devices = {"all"};
    }
    const std::string ext = extension_of(spec);
    const bool pictures = spec.output_settings.mode == OutputMode::Pictures;
    const bool known = pictures ? (ext == "png" || ext == "dpx" || ext == "exr")
                                : (ext == "mkv" || ext == "mp4" || ext == "mov");
    if (!known) {
        Error e(ErrorCode::InvalidArgument, std::string(pictures ? "picture" : "video") +
                                                " output format '" + ext + "' is not one of " +
                                                (pictures ? "png, dpx, exr" : "mkv, mp4, mov"));
        return e.with("option", "--output_format").with("value", ext);
    }
    const auto& m = spec.model;
    if (m.tiled_dit && m.tile_size > 0 && m.tile_overlap * 2 >= m.tile_size) {
        Error e(ErrorCode::InvalidArgument,
                "option --tile_overlap: " + std::to_string(m.tile_overlap) +
                    " must be less than half of --tile_size " + std::to_string(m.tile_size));
        return e.with("option", "--tile_overlap").with("value", std::to_string(m.tile_overlap));
    }
    if (auto st = engine::jobs::validate(spec); !st.ok()) {
        Error e = st.error();
        e.with("option", option_for_field(e.get("field")));
        return e;
    }
    return spec;
}

namespace {

// Word-wraps `text` into lines of at most `width` columns, continuation lines indented by
// `indent` (the first line starts at `indent` already).
std::string wrap(const std::string& text, std::size_t indent, std::size_t width) {
    std::istringstream words(text);
    std::string word;
    std::string out;
    std::size_t column = indent;
    bool line_start = true;
    while (words >> word) {
        if (!line_start && column + 1 + word.size() > width) {
            out += "\n" + std::string(indent, ' ');
            column = indent;
            line_start = true;
        }
        if (!line_start) {
            out += ' ';
            ++column;
        }
        out += word;
        column += word.size();
        line_start = false;
    }
    return out;
}

}  // namespace

std::string usage_text() {
    std::ostringstream out;
    out << "Usage: flashvsr [upscale] --input PATH [--output PATH] [options]\n"
           "       flashvsr plan --input PATH [options]       predict memory, disk and time\n"
           "       flashvsr assemble --input PATH --output PATH --checkpoint_dir DIR [options]\n"
           "                                                  join range runs "
           "(--segments_only)\n"
           "       flashvsr devices                           CPU and CUDA devices with memory\n"
           "       flashvsr probe PATH                        describe a video or image sequence\n"
           "       flashvsr --version\n"
           "\n"
           "Option names and meanings follow the original FlashVSR scripts (infer_video.py);\n"
           "booleans take True/False, flags may be written --flag=False. Ctrl-C stops after the\n"
           "current frame and keeps finished segments (run the same command again to resume);\n"
           "a second Ctrl-C quits at once. Exit status: 0, or the error's number (4 = stopped).\n";
    Section current = Section::Program;
    bool first = true;
    for (const auto& s : specs()) {
        if (first || s.section != current) {
            out << "\n" << section_title(s.section) << ":\n";
            current = s.section;
            first = false;
        }
        std::string names = s.name;
        if (!s.alias.empty()) {
            names += ", " + s.alias;
        }
        if (!s.value.empty()) {
            names += " " + s.value;
        }
        out << "  " << names;
        const std::size_t column = 40;
        if (names.size() + 3 > column) {
            out << "\n" << std::string(column, ' ');
        } else {
            out << std::string(column - 2 - names.size(), ' ');
        }
        out << wrap((s.section == Section::Compatibility ? "accepted for compatibility: " : "") +
                        s.help,
                    column, 100)
            << "\n";
    }
    return out.str();
}

std::vector<std::string> option_names() {
    std::vector<std::string> names;
    for (const auto& s : specs()) {
        names.push_back(s.name);
    }
    return names;
}

}  // namespace cli
