#pragma once
// JobSpec: everything a job needs, "input + settings + output", shared by the CLI and the GUI and
// stored in every resume manifest and run report. Plain data; JSON round trip below.
//
// The settings fingerprint covers the fields that change output pixels (upscaler, scale, model
// numerics, HDR handling, segmentation, output encoding). It leaves out paths, devices, thread
// counts, resume and retention policies, so a job resumes on other GPUs or with another worker
// count, but not with other pixels.

#include "engine/core/frame.h"
#include "engine/core/result.h"
#include "engine/imaging/tone_mapping.h"
#include "engine/io/media.h"

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace engine::jobs {

enum class UpscalerKind { FlashVSR, Bicubic, Lanczos };

// Mirrors engine::pipeline enums (kept separate so this header stays torch- and pipeline-free;
// processor.cpp maps them one to one).
enum class ModelMode { Tiny, TinyLong, Full };
enum class ModelPrecision { Auto, FP32, FP16, BF16 };  // Auto: bf16 on CUDA, fp32 on CPU
enum class ModelColorFix { None, AdaIN, Wavelet };
enum class ModelVersion { V10, V11 };
enum class ModelLqResample { TorchBicubic, PilBicubic };
enum class ModelAttention { Auto, Reference, BlockSparseKernel };
// In which order a tiled run visits (tile, chunk) pairs (engine::pipeline::TileOrder): FrameMajor
// streams frames out chunk by chunk; TileMajor runs each tile through the whole segment with one
// tile state on the GPU and its output in a scratch file in the job's work folder (least GPU
// memory; frames appear when the segment is done); Auto lets the planner pick.
enum class ModelTileOrder { Auto, FrameMajor, TileMajor };

// Auto: tone-map PQ, HLG and linear-light sources around the upscaler; Sdr: never;
// ToneMapping: always (a source that is neither PQ nor HLG is read as linear light).
enum class HdrMode { Auto, Sdr, ToneMapping };

// What to do with an existing checkpoint of the same job.
enum class ResumePolicy { Resume, CleanStart };
// Render farms run ranges with SegmentsOnly into a shared checkpoint folder, then one Assemble.
enum class FinishPolicy { Assemble, SegmentsOnly };
enum class CheckpointRetention { RemoveWhenDone, Keep };

// The FlashVSR settings of engine::pipeline::UpscalerConfig (scale lives in JobSpec).
struct ModelSettings {
    std::filesystem::path model_dir;  // empty: $FLASHVSR_MODEL_DIR or the XDG default (+ v1.x)
    ModelVersion version = ModelVersion::V11;
    ModelMode mode = ModelMode::Tiny;
    std::string device = "auto";  // "auto", "cpu", "cuda", "cuda:N"; workers override it
    ModelPrecision precision = ModelPrecision::Auto;
    double sparse_ratio = 2.0;
    double kv_ratio = 3.0;
    int local_range = 11;
    std::uint64_t seed = 0;
    ModelColorFix color_fix = ModelColorFix::AdaIN;
    ModelLqResample lq_resample = ModelLqResample::TorchBicubic;
    ModelAttention attention = ModelAttention::Auto;
    bool tiled_vae = false;
    // Spatial tiling (--tiled_dit ...); field meanings as engine::pipeline::TileSettings.
    // enabled/size/overlap/shift change pixels (fingerprinted); batch settings do not.
    bool tiled_dit = false;
    int tile_size = 256;  // input pixels; 0 = auto (the planner picks what fits the budget)
    int tile_overlap = 24;
    bool tile_shift = true;
    int tile_batch_size = 0;  // 0 = auto
    bool adaptive_tile_batch = true;
    // --tile_order. Not fingerprinted: both orders give the same pixels, so a checkpoint made in
    // one order resumes in the other (the manifest's spec and tiles record what ran).
    ModelTileOrder tile_order = ModelTileOrder::Auto;
    bool unload_dit = false;
    // GPU memory the planner may plan for, in bytes; 0 = the device's free memory.
    std::int64_t memory_budget = 0;
    std::optional<std::filesystem::path> noise_file;  // tests: fixed initial latent noise
};

struct OutputSettings {
    io::OutputMode mode = io::OutputMode::Video;
    std::string format;  // video: mkv | mp4 | mov; pictures: png | dpx | exr; empty: from path
    int bit_depth = 0;   // 0: from the source (video 8/10, PNG 8/16, DPX 10, EXR 16)
    std::optional<io::VideoCodec> codec;  // empty: H.264, or FFV1 for QualityPreset::Lossless
    std::optional<int> crf;
    io::QualityPreset quality = io::QualityPreset::High;
    bool hardware_encoder = true;
    io::ExrCompression exr_compression = io::ExrCompression::ZIP;
    bool copy_streams = true;  // audio, subtitles, chapters, attachments from a video input
    bool overwrite = false;
    std::optional<Rational> fps;  // output rate override (frames re-timed 0, 1, 2, ...)
    int name_digits = 6;          // pictures: zero padding of frame numbers
};

struct HdrSettings {
    HdrMode mode = HdrMode::Auto;
    imaging::ToneMapMethod method = imaging::ToneMapMethod::Logarithmic;
    double exposure = 1.0;
    std::optional<double> global_l_max;  // empty: measured once per job, stored in the manifest
};

struct SegmentSettings {
    // Frames fed to one processor run, overlap included. 0 = auto: kMaxFramesPerRun (FlashVSR's
    // RoPE limit, design §2.1.3), for every upscaler so segment files do not depend on it.
    std::int64_t max_segment_frames = 0;
    int segment_overlap = 2;      // extra frames fed at each inner boundary, dropped at the join
    int min_segment_frames = 21;  // output frames per segment (unless the range is shorter)
    int min_segments = 1;         // split at least this many ways (--multi_gpu: device count)
    // Restart the temporal state at scene cuts (segment boundaries placed on detected cuts, no
    // overlap across a cut), so the model does not carry one shot into the next.
    bool scene_cuts = true;
    double scene_cut_threshold =
        0.35;  // detector score in [0, 1] above which a frame starts a shot
};

// Output frames one FlashVSR run supports: F <= 4097 LQ frames, i.e. <= 4093 output frames.
inline constexpr std::int64_t kMaxFramesPerRun = 4093;

struct JobSpec {
    std::filesystem::path input;   // video file, image folder or printf pattern
    std::filesystem::path output;  // video file or picture folder (required)
    UpscalerKind upscaler = UpscalerKind::FlashVSR;
    int scale = 4;
    std::optional<Rational> input_fps;  // image-sequence input rate
    // Source frames [first_frame, end_frame) (end_frame -1 = to the end). Output frame numbers
    // (pictures) and segment file names use source frame indices, so ranges never collide.
    std::int64_t first_frame = 0;
    std::int64_t end_frame = -1;
    OutputSettings output_settings;
    ModelSettings model;
    HdrSettings hdr;
    SegmentSettings segments;
    // Execution (no effect on pixels)
    std::vector<std::string> devices;  // worker devices for run_job(); empty: {model.device}
    int threads = 0;                   // CPU threads for scalers / LibTorch (0: all cores)
    ResumePolicy resume = ResumePolicy::Resume;
    FinishPolicy finish = FinishPolicy::Assemble;
    CheckpointRetention retention = CheckpointRetention::RemoveWhenDone;
    // Empty: user_cache_dir()/jobs/<job id>. Farms pass one shared folder to every range.
    std::filesystem::path checkpoint_dir;
    std::string job_id;  // empty: derived from the input and output paths (job_id_for)
};

// JSON text (pretty-printed, stable key order). Paths are UTF-8.
std::string to_json(const JobSpec& spec);
// InvalidArgument naming the field when a value has the wrong type or an unknown enum name;
// missing fields keep their defaults, unknown fields are ignored (forward compatibility).
Result<JobSpec> job_spec_from_json(std::string_view json_text);

// Stable 16-hex-digit hash of the pixel-changing fields (see the file comment).
std::string settings_fingerprint(const JobSpec& spec);
// The canonical JSON the fingerprint hashes, for reports and mismatch diagnostics.
std::string fingerprint_material(const JobSpec& spec);

// The job id: spec.job_id, or a 16-hex hash of the absolute input and output paths (settings are
// left out on purpose: the same paths with new settings find the old checkpoint and are refused
// with CheckpointMismatch instead of silently starting a second one).
std::string job_id_for(const JobSpec& spec);
// spec.checkpoint_dir, or user_cache_dir()/jobs/<job id>.
std::filesystem::path checkpoint_dir_for(const JobSpec& spec);

// Checks ranges and combinations (scale 2..4, overlap >= 0, segment sizes, output path given,
// frame range) and returns InvalidArgument with the field name.
Status validate(const JobSpec& spec);

// Names used in JSON and on the command line.
std::string_view upscaler_kind_name(UpscalerKind kind);
std::optional<UpscalerKind> parse_upscaler_kind(std::string_view name);
// "auto", "frame", "tile".
std::string_view tile_order_name(ModelTileOrder order);
std::optional<ModelTileOrder> parse_tile_order(std::string_view name);

}  // namespace engine::jobs
