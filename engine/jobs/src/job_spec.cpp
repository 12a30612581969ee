#include "engine/jobs/job_spec.h"

#include "engine/core/paths.h"
#include "engine/jobs/identity.h"
#include "json_number.h"
#include "json_values.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <utility>

namespace engine::jobs {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// Smallest explicit tile side (input pixels), as upstream's UI slider (32..1024 step 32).
constexpr int kMinValidTileSize = 32;

template <typename E, std::size_t N>
using Names = std::array<std::pair<E, const char*>, N>;

constexpr Names<UpscalerKind, 3> kUpscalers{{{UpscalerKind::FlashVSR, "flashvsr"},
                                             {UpscalerKind::Bicubic, "bicubic"},
                                             {UpscalerKind::Lanczos, "lanczos"}}};
constexpr Names<ModelMode, 3> kModes{
    {{ModelMode::Tiny, "tiny"}, {ModelMode::TinyLong, "tiny-long"}, {ModelMode::Full, "full"}}};
constexpr Names<ModelPrecision, 4> kPrecisions{{{ModelPrecision::Auto, "auto"},
                                                {ModelPrecision::FP32, "fp32"},
                                                {ModelPrecision::FP16, "fp16"},
                                                {ModelPrecision::BF16, "bf16"}}};
constexpr Names<ModelColorFix, 3> kColorFixes{{{ModelColorFix::None, "none"},
                                               {ModelColorFix::AdaIN, "adain"},
                                               {ModelColorFix::Wavelet, "wavelet"}}};
constexpr Names<ModelVersion, 2> kVersions{
    {{ModelVersion::V10, "1.0"}, {ModelVersion::V11, "1.1"}}};
constexpr Names<ModelLqResample, 2> kResamples{{{ModelLqResample::TorchBicubic, "torch_bicubic"},
                                                {ModelLqResample::PilBicubic, "pil_bicubic"}}};
constexpr Names<ModelAttention, 3> kAttention{
    {{ModelAttention::Auto, "auto"},
     {ModelAttention::Reference, "reference"},
     {ModelAttention::BlockSparseKernel, "block_sparse"}}};
constexpr Names<ModelTileOrder, 3> kTileOrders{{{ModelTileOrder::Auto, "auto"},
                                                {ModelTileOrder::FrameMajor, "frame"},
                                                {ModelTileOrder::TileMajor, "tile"}}};
constexpr Names<HdrMode, 3> kHdrModes{
    {{HdrMode::Auto, "auto"}, {HdrMode::Sdr, "sdr"}, {HdrMode::ToneMapping, "tone_mapping"}}};
constexpr Names<imaging::ToneMapMethod, 3> kToneMaps{
    {{imaging::ToneMapMethod::Reinhard, "reinhard"},
     {imaging::ToneMapMethod::Logarithmic, "logarithmic"},
     {imaging::ToneMapMethod::Aces, "aces"}}};
constexpr Names<ResumePolicy, 2> kResume{
    {{ResumePolicy::Resume, "resume"}, {ResumePolicy::CleanStart, "clean_start"}}};
constexpr Names<FinishPolicy, 2> kFinish{
    {{FinishPolicy::Assemble, "assemble"}, {FinishPolicy::SegmentsOnly, "segments_only"}}};
constexpr Names<CheckpointRetention, 2> kRetention{
    {{CheckpointRetention::RemoveWhenDone, "remove_when_done"},
     {CheckpointRetention::Keep, "keep"}}};
constexpr Names<io::OutputMode, 2> kOutputModes{
    {{io::OutputMode::Video, "video"}, {io::OutputMode::Pictures, "pictures"}}};
constexpr Names<io::QualityPreset, 5> kQualities{{{io::QualityPreset::Lossless, "lossless"},
                                                  {io::QualityPreset::VeryHigh, "very_high"},
                                                  {io::QualityPreset::High, "high"},
                                                  {io::QualityPreset::Medium, "medium"},
                                                  {io::QualityPreset::Small, "small"}}};
constexpr Names<io::ExrCompression, 4> kExr{{{io::ExrCompression::PIZ, "piz"},
                                             {io::ExrCompression::ZIP, "zip"},
                                             {io::ExrCompression::DWAA, "dwaa"},
                                             {io::ExrCompression::None, "none"}}};
constexpr Names<io::VideoCodec, 6> kCodecs{{{io::VideoCodec::H264, "h264"},
                                            {io::VideoCodec::H265, "h265"},
                                            {io::VideoCodec::AV1, "av1"},
                                            {io::VideoCodec::ProRes422HQ, "prores_hq"},
                                            {io::VideoCodec::ProRes4444, "prores_4444"},
                                            {io::VideoCodec::FFV1, "ffv1"}}};

template <typename E, std::size_t N>
std::string name_of(const Names<E, N>& names, E value) {
    for (const auto& [v, n] : names) {
        if (v == value) {
            return n;
        }
    }
    return "unknown";
}

// Reads JSON into a spec; throws EngineException(InvalidArgument) naming the field.
class Reader {
  public:
    explicit Reader(const json& root) : m_root(root) {}

    const json* find(const char* section, const char* key) const {
        const json* obj = &m_root;
        if (section != nullptr) {
            auto it = m_root.find(section);
            if (it == m_root.end() || it->is_null()) {
                return nullptr;
            }
            if (!it->is_object()) {
                fail(section, "an object");
            }
            obj = &*it;
        }
        auto it = obj->find(key);
        return it == obj->end() || it->is_null() ? nullptr : &*it;
    }

    template <typename T>
    void number(const char* section, const char* key, T& out) const {
        if (const json* v = find(section, key)) {
            if (!v->is_number()) {
                fail(field(section, key), "a number");
            }
            out = json_number<T>(*v);
        }
    }
    template <typename T>
    void optional_number(const char* section, const char* key, std::optional<T>& out) const {
        if (const json* v = find(section, key)) {
            if (!v->is_number()) {
                fail(field(section, key), "a number");
            }
            out = json_number<T>(*v);
        }
    }
    void boolean(const char* section, const char* key, bool& out) const {
        if (const json* v = find(section, key)) {
            if (!v->is_boolean()) {
                fail(field(section, key), "true or false");
            }
            out = v->get<bool>();
        }
    }
    void string(const char* section, const char* key, std::string& out) const {
        if (const json* v = find(section, key)) {
            if (!v->is_string()) {
                fail(field(section, key), "a string");
            }
            out = v->get<std::string>();
        }
    }
    void path(const char* section, const char* key, fs::path& out) const {
        std::string s = path_string(out);
        string(section, key, s);
        out = fs::u8path(s);
    }
    void optional_path(const char* section, const char* key, std::optional<fs::path>& out) const {
        if (find(section, key) != nullptr) {
            fs::path p;
            path(section, key, p);
            out = p;
        }
    }
    void rational(const char* section, const char* key, std::optional<Rational>& out) const {
        if (const json* v = find(section, key)) {
            if (!v->is_array() || v->size() != 2 || !(*v)[0].is_number_integer() ||
                !(*v)[1].is_number_integer()) {
                fail(field(section, key), "[numerator, denominator]");
            }
            out = Rational{json_number<int>((*v)[0]), json_number<int>((*v)[1])};
        }
    }
    template <typename E, std::size_t N>
    void choice(const char* section, const char* key, const Names<E, N>& names, E& out) const {
        if (const json* v = find(section, key)) {
            std::string accepted;
            if (v->is_string()) {
                for (const auto& [value, name] : names) {
                    if (v->get<std::string>() == name) {
                        out = value;
                        return;
                    }
                }
            }
            for (const auto& [value, name] : names) {
                accepted += (accepted.empty() ? "" : "|") + std::string(name);
            }
            fail(field(section, key), accepted);
        }
    }

    [[noreturn]] static void fail(const std::string& name, const std::string& expected) {
        throw EngineException(
            Error(ErrorCode::InvalidArgument, "job spec field '" + name + "' must be " + expected)
                .with("field", name)
                .with("accepted", expected));
    }

  private:
    static std::string field(const char* section, const char* key) {
        return section != nullptr ? std::string(section) + "." + key : std::string(key);
    }
    const json& m_root;
};

json rational_json(const std::optional<Rational>& r) {
    return r ? json::array({r->num, r->den}) : json(nullptr);
}

json model_json(const ModelSettings& m, bool for_fingerprint) {
    json j;
    if (!for_fingerprint) {
        j["model_dir"] = path_string(m.model_dir);
        j["device"] = m.device;
    }
    j["version"] = name_of(kVersions, m.version);
    j["mode"] = name_of(kModes, m.mode);
    j["precision"] = name_of(kPrecisions, m.precision);
    j["sparse_ratio"] = m.sparse_ratio;
    j["kv_ratio"] = m.kv_ratio;
    j["local_range"] = m.local_range;
    j["seed"] = m.seed;
    j["color_fix"] = name_of(kColorFixes, m.color_fix);
    j["lq_resample"] = name_of(kResamples, m.lq_resample);
    j["attention"] = name_of(kAttention, m.attention);
    j["tiled_vae"] = m.tiled_vae;
    if (!for_fingerprint) {
        j["tiled_dit"] = m.tiled_dit;
        j["tile_size"] = m.tile_size;
        j["tile_overlap"] = m.tile_overlap;
        j["tile_shift"] = m.tile_shift;
        j["tile_batch_size"] = m.tile_batch_size;
        j["adaptive_tile_batch"] = m.adaptive_tile_batch;
        j["tile_order"] = name_of(kTileOrders, m.tile_order);
        j["unload_dit"] = m.unload_dit;
        j["memory_budget"] = m.memory_budget;
    } else if (m.tiled_dit || m.tile_size == 0) {
        // Only when tiling can happen, so that untiled jobs keep the fingerprint they had before
        // tiling existed (their checkpoints stay resumable). The tile order and the batch are left
        // out: they change memory and speed, not pixels. Auto tiles are fingerprinted as
        // "auto"; the size the planner chose is recorded in the manifest.
        j["tiling"] = {{"tile_size", m.tile_size == 0 ? json("auto") : json(m.tile_size)},
                       {"tile_overlap", m.tile_overlap},
                       {"tile_shift", m.tile_shift},
                       {"tiled_dit", m.tiled_dit}};
    }
    j["noise_file"] = m.noise_file ? json(path_string(*m.noise_file)) : json(nullptr);
    return j;
}

json output_json(const OutputSettings& o, bool for_fingerprint) {
    json j;
    j["mode"] = name_of(kOutputModes, o.mode);
    j["format"] = o.format;
    j["bit_depth"] = o.bit_depth;
    j["codec"] = o.codec ? json(name_of(kCodecs, *o.codec)) : json(nullptr);
    j["crf"] = o.crf ? json(*o.crf) : json(nullptr);
    j["quality"] = name_of(kQualities, o.quality);
    j["exr_compression"] = name_of(kExr, o.exr_compression);
    j["fps"] = rational_json(o.fps);
    if (!for_fingerprint) {
        j["hardware_encoder"] = o.hardware_encoder;
        j["copy_streams"] = o.copy_streams;
        j["overwrite"] = o.overwrite;
        j["name_digits"] = o.name_digits;
    }
    return j;
}

json hdr_json(const HdrSettings& h) {
    json j;
    j["mode"] = name_of(kHdrModes, h.mode);
    j["method"] = name_of(kToneMaps, h.method);
    j["exposure"] = h.exposure;
    j["global_l_max"] = h.global_l_max ? json(*h.global_l_max) : json(nullptr);
    return j;
}

// `temporal_model`: the upscaler carries state from frame to frame (FlashVSR); only then do scene
// cuts exist for the runner (classic scalers are per-frame: nothing to restart).
json segments_json(const SegmentSettings& s, bool for_fingerprint, bool temporal_model) {
    json j;
    j["max_segment_frames"] = s.max_segment_frames;
    j["segment_overlap"] = s.segment_overlap;
    j["min_segment_frames"] = s.min_segment_frames;
    j["min_segments"] = s.min_segments;
    if (!for_fingerprint) {
        j["scene_cuts"] = s.scene_cuts;
        j["scene_cut_threshold"] = s.scene_cut_threshold;
    } else if (s.scene_cuts && temporal_model) {
        // Absent when off: jobs without scene cuts keep their pre-scene-cut fingerprint.
        j["scene_cut_threshold"] = s.scene_cut_threshold;
    }
    return j;
}

}  // namespace

std::string_view upscaler_kind_name(UpscalerKind kind) {
    for (const auto& [v, n] : kUpscalers) {
        if (v == kind) {
            return n;
        }
    }
    return "unknown";
}

std::optional<UpscalerKind> parse_upscaler_kind(std::string_view name) {
    for (const auto& [v, n] : kUpscalers) {
        if (name == n) {
            return v;
        }
    }
    return std::nullopt;
}

std::string_view tile_order_name(ModelTileOrder order) {
    for (const auto& [v, n] : kTileOrders) {
        if (v == order) {
            return n;
        }
    }
    return "unknown";
}

std::optional<ModelTileOrder> parse_tile_order(std::string_view name) {
    for (const auto& [v, n] : kTileOrders) {
        if (name == n) {
            return v;
        }
    }
    return std::nullopt;
}

json job_spec_to_value(const JobSpec& spec) {
    json j;
    j["format"] = "flashvsr-studio-job";
    j["version"] = 1;
    j["input"] = path_string(spec.input);
    j["output"] = path_string(spec.output);
    j["upscaler"] = name_of(kUpscalers, spec.upscaler);
    j["scale"] = spec.scale;
    j["input_fps"] = rational_json(spec.input_fps);
    j["first_frame"] = spec.first_frame;
    j["end_frame"] = spec.end_frame;
    j["output_settings"] = output_json(spec.output_settings, false);
    j["model"] = model_json(spec.model, false);
    j["hdr"] = hdr_json(spec.hdr);
    j["segments"] = segments_json(spec.segments, false, true);
    j["devices"] = spec.devices;
    j["threads"] = spec.threads;
    j["resume"] = name_of(kResume, spec.resume);
    j["finish"] = name_of(kFinish, spec.finish);
    j["retention"] = name_of(kRetention, spec.retention);
    j["checkpoint_dir"] = path_string(spec.checkpoint_dir);
    j["job_id"] = spec.job_id;
    return j;
}

std::string to_json(const JobSpec& spec) {
    return job_spec_to_value(spec).dump(2);
}

Result<JobSpec> job_spec_from_json(std::string_view json_text) {
    json root = json::parse(json_text.begin(), json_text.end(), nullptr, false);
    if (root.is_discarded()) {
        return Error(ErrorCode::InvalidArgument, "job spec is not valid JSON");
    }
    return job_spec_from_value(root);
}

Result<JobSpec> job_spec_from_value(const json& root) {
    if (!root.is_object()) {
        return Error(ErrorCode::InvalidArgument, "job spec is not a JSON object");
    }
    JobSpec s;
    try {
        Reader r(root);
        r.path(nullptr, "input", s.input);
        r.path(nullptr, "output", s.output);
        r.choice(nullptr, "upscaler", kUpscalers, s.upscaler);
        r.number(nullptr, "scale", s.scale);
        r.rational(nullptr, "input_fps", s.input_fps);
        r.number(nullptr, "first_frame", s.first_frame);
        r.number(nullptr, "end_frame", s.end_frame);

        const char* o = "output_settings";
        OutputSettings& os = s.output_settings;
        r.choice(o, "mode", kOutputModes, os.mode);
        r.string(o, "format", os.format);
        r.number(o, "bit_depth", os.bit_depth);
        if (r.find(o, "codec") != nullptr) {
            io::VideoCodec codec = io::VideoCodec::H264;
            r.choice(o, "codec", kCodecs, codec);
            os.codec = codec;
        }
        r.optional_number(o, "crf", os.crf);
        r.choice(o, "quality", kQualities, os.quality);
        r.boolean(o, "hardware_encoder", os.hardware_encoder);
        r.choice(o, "exr_compression", kExr, os.exr_compression);
        r.boolean(o, "copy_streams", os.copy_streams);
        r.boolean(o, "overwrite", os.overwrite);
        r.rational(o, "fps", os.fps);
        r.number(o, "name_digits", os.name_digits);

        const char* m = "model";
        r.path(m, "model_dir", s.model.model_dir);
        r.choice(m, "version", kVersions, s.model.version);
        r.choice(m, "mode", kModes, s.model.mode);
        r.string(m, "device", s.model.device);
        r.choice(m, "precision", kPrecisions, s.model.precision);
        r.number(m, "sparse_ratio", s.model.sparse_ratio);
        r.number(m, "kv_ratio", s.model.kv_ratio);
        r.number(m, "local_range", s.model.local_range);
        r.number(m, "seed", s.model.seed);
        r.choice(m, "color_fix", kColorFixes, s.model.color_fix);
        r.choice(m, "lq_resample", kResamples, s.model.lq_resample);
        r.choice(m, "attention", kAttention, s.model.attention);
        r.boolean(m, "tiled_vae", s.model.tiled_vae);
        r.boolean(m, "tiled_dit", s.model.tiled_dit);
        r.number(m, "tile_size", s.model.tile_size);
        r.number(m, "tile_overlap", s.model.tile_overlap);
        r.boolean(m, "tile_shift", s.model.tile_shift);
        r.number(m, "tile_batch_size", s.model.tile_batch_size);
        r.boolean(m, "adaptive_tile_batch", s.model.adaptive_tile_batch);
        r.choice(m, "tile_order", kTileOrders, s.model.tile_order);  // absent (older specs): auto
        r.boolean(m, "unload_dit", s.model.unload_dit);
        r.number(m, "memory_budget", s.model.memory_budget);
        r.optional_path(m, "noise_file", s.model.noise_file);

        const char* h = "hdr";
        r.choice(h, "mode", kHdrModes, s.hdr.mode);
        r.choice(h, "method", kToneMaps, s.hdr.method);
        r.number(h, "exposure", s.hdr.exposure);
        r.optional_number(h, "global_l_max", s.hdr.global_l_max);

        const char* g = "segments";
        r.number(g, "max_segment_frames", s.segments.max_segment_frames);
        r.number(g, "segment_overlap", s.segments.segment_overlap);
        r.number(g, "min_segment_frames", s.segments.min_segment_frames);
        r.number(g, "min_segments", s.segments.min_segments);
        r.boolean(g, "scene_cuts", s.segments.scene_cuts);
        r.number(g, "scene_cut_threshold", s.segments.scene_cut_threshold);

        if (const json* d = r.find(nullptr, "devices")) {
            if (!d->is_array() ||
                !std::all_of(d->begin(), d->end(), [](const json& e) { return e.is_string(); })) {
                Reader::fail("devices", "a list of device names");
            }
            s.devices = d->get<std::vector<std::string>>();
        }
        r.number(nullptr, "threads", s.threads);
        r.choice(nullptr, "resume", kResume, s.resume);
        r.choice(nullptr, "finish", kFinish, s.finish);
        r.choice(nullptr, "retention", kRetention, s.retention);
        r.path(nullptr, "checkpoint_dir", s.checkpoint_dir);
        r.string(nullptr, "job_id", s.job_id);
    } catch (const EngineException& e) {
        return e.error();
    } catch (const json::exception& e) {
        return Error(ErrorCode::InvalidArgument, std::string("job spec: ") + e.what());
    }
    return s;
}

std::string fingerprint_material(const JobSpec& spec) {
    json j;
    j["fingerprint_version"] = 1;
    j["upscaler"] = name_of(kUpscalers, spec.upscaler);
    j["scale"] = spec.scale;
    j["input_fps"] = rational_json(spec.input_fps);
    j["output"] = output_json(spec.output_settings, true);
    if (spec.upscaler == UpscalerKind::FlashVSR) {
        j["model"] = model_json(spec.model, true);
    }
    j["hdr"] = hdr_json(spec.hdr);
    j["segments"] = segments_json(spec.segments, true, spec.upscaler == UpscalerKind::FlashVSR);
    return j.dump();
}

std::string settings_fingerprint(const JobSpec& spec) {
    return hash_hex(fingerprint_material(spec));
}

std::string job_id_for(const JobSpec& spec) {
    if (!spec.job_id.empty()) {
        return spec.job_id;
    }
    std::error_code ec;
    auto absolute = [&](const fs::path& p) {
        fs::path a = fs::absolute(p, ec);
        return path_string(ec ? p : a.lexically_normal());
    };
    return hash_hex(absolute(spec.input) + "\n" + absolute(spec.output));
}

fs::path checkpoint_dir_for(const JobSpec& spec) {
    if (!spec.checkpoint_dir.empty()) {
        return spec.checkpoint_dir;
    }
    return user_cache_dir() / "jobs" / job_id_for(spec);
}

Status validate(const JobSpec& spec) {
    auto bad = [](const std::string& field, const std::string& why) -> Status {
        return Error(ErrorCode::InvalidArgument, "job spec: " + field + " " + why)
            .with("field", field);
    };
    if (spec.input.empty()) {
        return bad("input", "is empty");
    }
    if (spec.output.empty()) {
        return bad("output", "is empty");
    }
    if (spec.scale < 2 || spec.scale > 4) {
        return bad("scale", "must be 2, 3 or 4");
    }
    if (spec.first_frame < 0) {
        return bad("first_frame", "must be >= 0");
    }
    if (spec.end_frame >= 0 && spec.end_frame <= spec.first_frame) {
        return bad("end_frame", "must be -1 (to the end) or greater than first_frame");
    }
    const SegmentSettings& g = spec.segments;
    if (g.segment_overlap < 0) {
        return bad("segments.segment_overlap", "must be >= 0");
    }
    if (g.min_segment_frames < 1) {
        return bad("segments.min_segment_frames", "must be >= 1");
    }
    if (g.min_segments < 1) {
        return bad("segments.min_segments", "must be >= 1");
    }
    if (g.max_segment_frames < 0 ||
        (g.max_segment_frames > 0 &&
         g.max_segment_frames < std::int64_t(g.min_segment_frames) + 2 * g.segment_overlap)) {
        return bad("segments.max_segment_frames",
                   "must be 0 (auto) or at least min_segment_frames + 2 x segment_overlap (" +
                       std::to_string(g.min_segment_frames + 2 * g.segment_overlap) + ")");
    }
    if (spec.upscaler == UpscalerKind::FlashVSR && g.max_segment_frames > kMaxFramesPerRun) {
        return bad("segments.max_segment_frames", "must be at most " +
                                                      std::to_string(kMaxFramesPerRun) +
                                                      " for FlashVSR (RoPE position limit)");
    }
    const ModelSettings& m = spec.model;
    if (m.tile_size != 0 && m.tile_size < kMinValidTileSize) {
        return bad("model.tile_size",
                   "must be 0 (auto) or at least " + std::to_string(kMinValidTileSize));
    }
    if (m.tile_overlap < 0 || (m.tile_size > 0 && m.tile_overlap >= m.tile_size)) {
        return bad("model.tile_overlap", "must be >= 0 and smaller than tile_size");
    }
    if (m.tile_batch_size < 0) {
        return bad("model.tile_batch_size", "must be 0 (auto) or a tile count");
    }
    if (m.memory_budget < 0) {
        return bad("model.memory_budget", "must be 0 (free memory) or a byte count");
    }
    if (!(g.scene_cut_threshold > 0.0 && g.scene_cut_threshold <= 1.0)) {
        return bad("segments.scene_cut_threshold", "must be in (0, 1]");
    }
    if (spec.hdr.exposure <= 0 || (spec.hdr.global_l_max && *spec.hdr.global_l_max <= 0)) {
        return bad("hdr", "exposure and global_l_max must be > 0");
    }
    if (spec.output_settings.name_digits < 1 || spec.output_settings.name_digits > 12) {
        return bad("output_settings.name_digits", "must be 1..12");
    }
    return {};
}

}  // namespace engine::jobs
