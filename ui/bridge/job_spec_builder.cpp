#include "ui/bridge/job_spec_builder.h"

#include "ui/settings/parameters.h"

#include <QDir>

#include <algorithm>
#include <cmath>
#include <initializer_list>
#include <utility>

namespace ui {
namespace {

using namespace engine::jobs;
namespace io = engine::io;

// One table per choice parameter: panel value <-> engine enum.
template <typename Enum>
using ChoiceTable = std::initializer_list<std::pair<const char*, Enum>>;

const ChoiceTable<UpscalerKind> kUpscalers = {{"flashvsr", UpscalerKind::FlashVSR},
                                              {"bicubic", UpscalerKind::Bicubic},
                                              {"lanczos", UpscalerKind::Lanczos}};
const ChoiceTable<ModelVersion> kVersions = {{"1.0", ModelVersion::V10},
                                             {"1.1", ModelVersion::V11}};
const ChoiceTable<ModelMode> kModes = {{"tiny", ModelMode::Tiny},
                                       {"tiny-long", ModelMode::TinyLong},
                                       {"full", ModelMode::Full}};
const ChoiceTable<ModelColorFix> kColorFixes = {{"adain", ModelColorFix::AdaIN},
                                                {"wavelet", ModelColorFix::Wavelet},
                                                {"none", ModelColorFix::None}};
// Both CLI spellings of the block-sparse kernel mean "use it where it runs" (Auto).
const ChoiceTable<ModelAttention> kAttention = {{"block_sparse_attention", ModelAttention::Auto},
                                                {"reference", ModelAttention::Reference}};
const ChoiceTable<ModelPrecision> kPrecisions = {{"", ModelPrecision::Auto},
                                                 {"bf16", ModelPrecision::BF16},
                                                 {"fp16", ModelPrecision::FP16},
                                                 {"fp32", ModelPrecision::FP32}};
const ChoiceTable<ModelTileOrder> kTileOrders = {{"auto", ModelTileOrder::Auto},
                                                 {"frame", ModelTileOrder::FrameMajor},
                                                 {"tile", ModelTileOrder::TileMajor}};
const ChoiceTable<ModelLqResample> kLqResamples = {{"torch_bicubic", ModelLqResample::TorchBicubic},
                                                   {"pil_bicubic", ModelLqResample::PilBicubic}};
const ChoiceTable<io::OutputMode> kOutputModes = {{"video", io::OutputMode::Video},
                                                  {"pictures", io::OutputMode::Pictures}};
const ChoiceTable<io::VideoCodec> kCodecs = {{"h264", io::VideoCodec::H264},
                                             {"h265", io::VideoCodec::H265},
                                             {"av1", io::VideoCodec::AV1},
                                             {"prores_hq", io::VideoCodec::ProRes422HQ},
                                             {"prores_4444", io::VideoCodec::ProRes4444},
                                             {"ffv1", io::VideoCodec::FFV1}};
const ChoiceTable<io::QualityPreset> kQualities = {{"lossless", io::QualityPreset::Lossless},
                                                   {"very_high", io::QualityPreset::VeryHigh},
                                                   {"high", io::QualityPreset::High},
                                                   {"medium", io::QualityPreset::Medium},
                                                   {"small", io::QualityPreset::Small}};
const ChoiceTable<io::ExrCompression> kExrCompressions = {{"piz", io::ExrCompression::PIZ},
                                                          {"zip", io::ExrCompression::ZIP},
                                                          {"dwaa", io::ExrCompression::DWAA},
                                                          {"none", io::ExrCompression::None}};
const ChoiceTable<HdrMode> kHdrModes = {{"auto", HdrMode::Auto},
                                        {"sdr", HdrMode::Sdr},
                                        {"tone_mapping", HdrMode::ToneMapping}};
const ChoiceTable<engine::imaging::ToneMapMethod> kToneMapMethods = {
    {"reinhard", engine::imaging::ToneMapMethod::Reinhard},
    {"logarithmic", engine::imaging::ToneMapMethod::Logarithmic},
    {"aces", engine::imaging::ToneMapMethod::Aces}};

constexpr double kBytesPerGiB = 1024.0 * 1024.0 * 1024.0;

engine::Error badValue(const char* key, const QString& value) {
    return engine::Error(
               engine::ErrorCode::InvalidArgument,
               std::string("parameter ") + key + ": cannot use \"" + value.toStdString() + "\"")
        .with("option", key)
        .with("value", value.toStdString());
}

// Looks `key`'s value up in `table`; false (and *error set) when it is not there.
template <typename Enum>
bool mapChoice(const QVariantMap& values,
               const char* key,
               const ChoiceTable<Enum>& table,
               Enum* out,
               std::optional<engine::Error>* error) {
    const QString value = values.value(QString::fromLatin1(key)).toString();
    for (const auto& [name, e] : table) {
        if (value == QLatin1String(name)) {
            *out = e;
            return true;
        }
    }
    if (!error->has_value()) {
        *error = badValue(key, value);
    }
    return false;
}

template <typename Enum>
QString choiceName(const ChoiceTable<Enum>& table, Enum value) {
    for (const auto& [name, e] : table) {
        if (e == value) {
            return QString::fromLatin1(name);
        }
    }
    return {};
}

std::optional<engine::Rational> rateOf(const QVariantMap& values,
                                       const char* key,
                                       std::optional<engine::Error>* error) {
    const QString text = values.value(QString::fromLatin1(key)).toString().trimmed();
    if (text.isEmpty()) {
        return std::nullopt;
    }
    int num = 0;
    int den = 1;
    if (!parseRate(text, &num, &den)) {
        if (!error->has_value()) {
            *error = badValue(key, text);
        }
        return std::nullopt;
    }
    return engine::Rational{num, den};
}

QString rateText(const engine::Rational& rate) {
    return rate.den == 1 ? QString::number(rate.num)
                         : QStringLiteral("%1/%2").arg(rate.num).arg(rate.den);
}

std::filesystem::path toPath(const QString& path) {
    return std::filesystem::path(path.toStdString());
}

}  // namespace

engine::Result<JobSpec> buildJobSpec(const QVariantMap& raw,
                                     const QString& inputPath,
                                     const QString& outputPath) {
    const QVariantMap v = withDefaults(raw);
    auto has = [&](const char* key) { return v.contains(QString::fromLatin1(key)); };
    auto str = [&](const char* key) { return v.value(QString::fromLatin1(key)).toString(); };
    auto num = [&](const char* key) { return v.value(QString::fromLatin1(key)); };
    std::optional<engine::Error> error;

    JobSpec s;
    s.input = toPath(QDir::cleanPath(inputPath));
    s.output = toPath(QDir::cleanPath(outputPath));
    mapChoice(v, "upscaler", kUpscalers, &s.upscaler, &error);
    s.scale = num("scale").toInt();
    s.first_frame = num("first_frame").toLongLong();
    s.end_frame = has("end_frame") ? num("end_frame").toLongLong() : -1;
    if (has("max_frames")) {
        // As the CLI: at most max_frames from first_frame on, within end_frame.
        const std::int64_t end = s.first_frame + num("max_frames").toLongLong();
        s.end_frame = s.end_frame < 0 ? end : std::min(s.end_frame, end);
    }
    s.input_fps = rateOf(v, "input_fps", &error);
    s.threads = has("threads") ? num("threads").toInt() : 0;

    ModelSettings& m = s.model;
    if (!str("model_dir").isEmpty()) {
        m.model_dir = toPath(str("model_dir"));
    }
    mapChoice(v, "model_ver", kVersions, &m.version, &error);
    mapChoice(v, "mode", kModes, &m.mode, &error);
    mapChoice(v, "color_fix", kColorFixes, &m.color_fix, &error);
    m.seed = static_cast<std::uint64_t>(num("seed").toLongLong());
    m.sparse_ratio = num("sparse_ratio").toDouble();
    m.kv_ratio = num("kv_ratio").toDouble();
    m.local_range = num("local_range").toInt();
    mapChoice(v, "attention_mode", kAttention, &m.attention, &error);
    m.device = str("device").toStdString();
    mapChoice(v, "precision", kPrecisions, &m.precision, &error);
    m.tiled_vae = num("tiled_vae").toBool();
    mapChoice(v, "lq_resample", kLqResamples, &m.lq_resample, &error);
    m.tiled_dit = num("tiled_dit").toBool();
    m.tile_size = num("tile_size").toInt();
    m.tile_overlap = num("tile_overlap").toInt();
    m.tile_shift = num("tile_shift").toBool();
    m.tile_batch_size = num("tile_batch_size").toInt();
    m.adaptive_tile_batch = num("adaptive_tile_batch").toBool();
    mapChoice(v, "tile_order", kTileOrders, &m.tile_order, &error);
    m.unload_dit = num("unload_dit").toBool();
    // GiB in the panel, bytes in the spec (as the CLI's --memory_budget).
    m.memory_budget = has("memory_budget") ? static_cast<std::int64_t>(std::llround(
                                                 num("memory_budget").toDouble() * kBytesPerGiB))
                                           : 0;

    SegmentSettings& g = s.segments;
    g.max_segment_frames = has("max_segment_frames") ? num("max_segment_frames").toLongLong() : 0;
    g.segment_overlap = num("segment_overlap").toInt();
    g.scene_cuts = num("scene_cuts").toBool();
    g.scene_cut_threshold = num("scene_cut_threshold").toDouble();
    s.retention = num("keep_checkpoint").toBool() ? CheckpointRetention::Keep
                                                  : CheckpointRetention::RemoveWhenDone;

    OutputSettings& o = s.output_settings;
    mapChoice(v, "output_mode", kOutputModes, &o.mode, &error);
    o.format = str("output_format").toStdString();
    io::VideoCodec codec = io::VideoCodec::H264;
    if (mapChoice(v, "codec", kCodecs, &codec, &error)) {
        o.codec = codec;
    }
    mapChoice(v, "quality", kQualities, &o.quality, &error);
    if (has("crf")) {
        o.crf = num("crf").toInt();
    }
    o.bit_depth = str("output_bit_depth").isEmpty() ? 0 : str("output_bit_depth").toInt();
    o.hardware_encoder = num("hw_encoder").toBool();
    mapChoice(v, "exr_compression", kExrCompressions, &o.exr_compression, &error);
    o.copy_streams = num("copy_streams").toBool();
    o.overwrite = num("overwrite").toBool();
    o.fps = rateOf(v, "output_fps", &error);

    HdrSettings& h = s.hdr;
    mapChoice(v, "hdr_mode", kHdrModes, &h.mode, &error);
    mapChoice(v, "tone_mapping_method", kToneMapMethods, &h.method, &error);
    h.exposure = num("tone_mapping_exposure").toDouble();
    if (has("global_l_max")) {
        h.global_l_max = num("global_l_max").toDouble();
    }
    if (error) {
        return *error;
    }
    return s;
}

QVariantMap parametersFromJobSpec(const JobSpec& s) {
    QVariantMap v;
    v.insert(QStringLiteral("upscaler"), choiceName(kUpscalers, s.upscaler));
    v.insert(QStringLiteral("scale"), s.scale);
    // The range comes back as first_frame / end_frame (a max_frames limit is folded into it).
    v.insert(QStringLiteral("first_frame"), static_cast<int>(s.first_frame));
    if (s.end_frame >= 0) {
        v.insert(QStringLiteral("end_frame"), static_cast<int>(s.end_frame));
    }
    if (s.input_fps) {
        v.insert(QStringLiteral("input_fps"), rateText(*s.input_fps));
    }
    if (s.threads > 0) {
        v.insert(QStringLiteral("threads"), s.threads);
    }
    const ModelSettings& m = s.model;
    if (!m.model_dir.empty()) {
        v.insert(QStringLiteral("model_dir"), QString::fromStdString(m.model_dir.u8string()));
    }
    v.insert(QStringLiteral("model_ver"), choiceName(kVersions, m.version));
    v.insert(QStringLiteral("mode"), choiceName(kModes, m.mode));
    v.insert(QStringLiteral("color_fix"), choiceName(kColorFixes, m.color_fix));
    v.insert(QStringLiteral("seed"), static_cast<int>(m.seed));
    v.insert(QStringLiteral("sparse_ratio"), m.sparse_ratio);
    v.insert(QStringLiteral("kv_ratio"), m.kv_ratio);
    v.insert(QStringLiteral("local_range"), m.local_range);
    v.insert(QStringLiteral("attention_mode"), m.attention == ModelAttention::Reference
                                                   ? QStringLiteral("reference")
                                                   : QStringLiteral("block_sparse_attention"));
    v.insert(QStringLiteral("device"), QString::fromStdString(m.device));
    if (m.precision != ModelPrecision::Auto) {
        v.insert(QStringLiteral("precision"), choiceName(kPrecisions, m.precision));
    }
    v.insert(QStringLiteral("tiled_vae"), m.tiled_vae);
    v.insert(QStringLiteral("lq_resample"), choiceName(kLqResamples, m.lq_resample));
    v.insert(QStringLiteral("tiled_dit"), m.tiled_dit);
    v.insert(QStringLiteral("tile_size"), m.tile_size);
    v.insert(QStringLiteral("tile_overlap"), m.tile_overlap);
    v.insert(QStringLiteral("tile_shift"), m.tile_shift);
    v.insert(QStringLiteral("tile_batch_size"), m.tile_batch_size);
    v.insert(QStringLiteral("adaptive_tile_batch"), m.adaptive_tile_batch);
    v.insert(QStringLiteral("tile_order"), choiceName(kTileOrders, m.tile_order));
    v.insert(QStringLiteral("unload_dit"), m.unload_dit);
    if (m.memory_budget > 0) {
        v.insert(QStringLiteral("memory_budget"),
                 static_cast<double>(m.memory_budget) / kBytesPerGiB);
    }
    const SegmentSettings& g = s.segments;
    if (g.max_segment_frames > 0) {
        v.insert(QStringLiteral("max_segment_frames"), static_cast<int>(g.max_segment_frames));
    }
    v.insert(QStringLiteral("segment_overlap"), g.segment_overlap);
    v.insert(QStringLiteral("scene_cuts"), g.scene_cuts);
    v.insert(QStringLiteral("scene_cut_threshold"), g.scene_cut_threshold);
    v.insert(QStringLiteral("keep_checkpoint"), s.retention == CheckpointRetention::Keep);
    const OutputSettings& o = s.output_settings;
    v.insert(QStringLiteral("output_mode"), choiceName(kOutputModes, o.mode));
    if (!o.format.empty()) {
        v.insert(QStringLiteral("output_format"), QString::fromStdString(o.format));
    }
    v.insert(QStringLiteral("codec"), choiceName(kCodecs, o.codec.value_or(io::VideoCodec::H264)));
    v.insert(QStringLiteral("quality"), choiceName(kQualities, o.quality));
    if (o.crf) {
        v.insert(QStringLiteral("crf"), *o.crf);
    }
    if (o.bit_depth > 0) {
        v.insert(QStringLiteral("output_bit_depth"), QString::number(o.bit_depth));
    }
    v.insert(QStringLiteral("hw_encoder"), o.hardware_encoder);
    v.insert(QStringLiteral("exr_compression"), choiceName(kExrCompressions, o.exr_compression));
    v.insert(QStringLiteral("copy_streams"), o.copy_streams);
    v.insert(QStringLiteral("overwrite"), o.overwrite);
    if (o.fps) {
        v.insert(QStringLiteral("output_fps"), rateText(*o.fps));
    }
    v.insert(QStringLiteral("hdr_mode"), choiceName(kHdrModes, s.hdr.mode));
    v.insert(QStringLiteral("tone_mapping_method"), choiceName(kToneMapMethods, s.hdr.method));
    v.insert(QStringLiteral("tone_mapping_exposure"), s.hdr.exposure);
    if (s.hdr.global_l_max) {
        v.insert(QStringLiteral("global_l_max"), *s.hdr.global_l_max);
    }
    return withDefaults(v);
}

}  // namespace ui
