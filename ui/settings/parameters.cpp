#include "ui/settings/parameters.h"

#include "engine/jobs/job_spec.h"

#include <QCoreApplication>
#include <QDate>
#include <QDir>
#include <QFileInfo>
#include <QRegularExpression>

#include <cmath>

namespace ui {
namespace {

QString translated(const char* text) {
    return QCoreApplication::translate("Parameters", text);
}

ParameterDef base(const char* key,
                  ParameterGroup group,
                  ParameterType type,
                  const char* label,
                  const char* tooltip) {
    ParameterDef d;
    d.key = QString::fromLatin1(key);
    d.group = group;
    d.type = type;
    d.label = label;
    d.tooltip = tooltip;
    return d;
}

ParameterDef integer(const char* key,
                     ParameterGroup group,
                     const char* label,
                     const char* tooltip,
                     int value,
                     int minimum,
                     int maximum,
                     const char* unit = nullptr) {
    ParameterDef d = base(key, group, ParameterType::Integer, label, tooltip);
    d.defaultValue = value;
    d.minimum = minimum;
    d.maximum = maximum;
    d.unit = unit;
    return d;
}

ParameterDef optionalInteger(const char* key,
                             ParameterGroup group,
                             const char* label,
                             const char* tooltip,
                             int minimum,
                             int maximum,
                             const char* autoLabel,
                             const char* unit = nullptr) {
    ParameterDef d = integer(key, group, label, tooltip, 0, minimum, maximum, unit);
    d.defaultValue = QVariant();
    d.optional = true;
    d.autoLabel = autoLabel;
    return d;
}

ParameterDef real(const char* key,
                  ParameterGroup group,
                  const char* label,
                  const char* tooltip,
                  double value,
                  double minimum,
                  double maximum,
                  double step,
                  int decimals) {
    ParameterDef d = base(key, group, ParameterType::Real, label, tooltip);
    d.defaultValue = value;
    d.minimum = minimum;
    d.maximum = maximum;
    d.step = step;
    d.decimals = decimals;
    return d;
}

ParameterDef choice(const char* key,
                    ParameterGroup group,
                    const char* label,
                    const char* tooltip,
                    const char* value,
                    QList<ParameterChoice> choices) {
    ParameterDef d = base(key, group, ParameterType::Choice, label, tooltip);
    d.choices = std::move(choices);
    // An empty default means "automatic": optional, absent from value maps.
    d.optional = QString::fromLatin1(value).isEmpty();
    if (!d.optional) {
        d.defaultValue = QString::fromLatin1(value);
    }
    return d;
}

ParameterDef boolean(const char* key,
                     ParameterGroup group,
                     const char* label,
                     const char* tooltip,
                     bool value) {
    ParameterDef d = base(key, group, ParameterType::Boolean, label, tooltip);
    d.defaultValue = value;
    return d;
}

ParameterDef optionalText(const char* key,
                          ParameterGroup group,
                          ParameterType type,
                          const char* label,
                          const char* tooltip,
                          const char* autoLabel) {
    ParameterDef d = base(key, group, type, label, tooltip);
    d.optional = true;
    d.autoLabel = autoLabel;
    return d;
}

QList<ParameterDef> buildCatalog() {
    using G = ParameterGroup;
    QList<ParameterDef> c;
    // Model
    c << choice("upscaler", G::Model, QT_TRANSLATE_NOOP("Parameters", "Upscaler"),
                QT_TRANSLATE_NOOP("Parameters",
                                  "FlashVSR (diffusion video super-resolution) or a classic "
                                  "scaler for a quick, deterministic upscale."),
                "flashvsr",
                {{"flashvsr", QT_TRANSLATE_NOOP("Parameters", "FlashVSR")},
                 {"bicubic", QT_TRANSLATE_NOOP("Parameters", "Bicubic (classic)")},
                 {"lanczos", QT_TRANSLATE_NOOP("Parameters", "Lanczos-3 (classic)")}});
    c << integer("scale", G::Model, QT_TRANSLATE_NOOP("Parameters", "Scale"),
                 QT_TRANSLATE_NOOP("Parameters",
                                   "Upscale factor. FlashVSR is trained for 4x; 2x and 3x "
                                   "run the 4x model on a smaller pre-upscale."),
                 4, 2, 4, QT_TRANSLATE_NOOP("Parameters", "x"));
    c << optionalText("model_dir", G::Model, ParameterType::Path,
                      QT_TRANSLATE_NOOP("Parameters", "Model folder"),
                      QT_TRANSLATE_NOOP("Parameters",
                                        "Folder with the FlashVSR model files. Empty: "
                                        "$FLASHVSR_MODEL_DIR or the default models folder."),
                      QT_TRANSLATE_NOOP("Parameters", "Default models folder"));
    c << choice("model_ver", G::Model, QT_TRANSLATE_NOOP("Parameters", "Model version"),
                QT_TRANSLATE_NOOP("Parameters", "Which FlashVSR release the model files are."),
                "1.1",
                {{"1.0", QT_TRANSLATE_NOOP("Parameters", "FlashVSR 1.0")},
                 {"1.1", QT_TRANSLATE_NOOP("Parameters", "FlashVSR 1.1")}});
    c << choice("mode", G::Model, QT_TRANSLATE_NOOP("Parameters", "Mode"),
                QT_TRANSLATE_NOOP("Parameters",
                                  "Tiny: fast tiny decoder. Tiny-long: the same, streaming with "
                                  "constant memory for long videos. Full: the Wan VAE decoder, "
                                  "best detail, most memory."),
                "tiny",
                {{"tiny", QT_TRANSLATE_NOOP("Parameters", "Tiny")},
                 {"tiny-long", QT_TRANSLATE_NOOP("Parameters", "Tiny (long video)")},
                 {"full", QT_TRANSLATE_NOOP("Parameters", "Full")}});
    c << choice("color_fix", G::Model, QT_TRANSLATE_NOOP("Parameters", "Colour correction"),
                QT_TRANSLATE_NOOP("Parameters",
                                  "Matches the output colours to the input. AdaIN is what "
                                  "upstream FlashVSR uses."),
                "adain",
                {{"adain", QT_TRANSLATE_NOOP("Parameters", "AdaIN")},
                 {"wavelet", QT_TRANSLATE_NOOP("Parameters", "Wavelet")},
                 {"none", QT_TRANSLATE_NOOP("Parameters", "None")}});
    c << choice("lq_resample", G::Model, QT_TRANSLATE_NOOP("Parameters", "Pre-upscale"),
                QT_TRANSLATE_NOOP("Parameters",
                                  "Bicubic pre-upscale of the input: as upstream's inference "
                                  "script (torch), or as the official repository's PIL path."),
                "torch_bicubic",
                {{"torch_bicubic", QT_TRANSLATE_NOOP("Parameters", "Bicubic (torch)")},
                 {"pil_bicubic", QT_TRANSLATE_NOOP("Parameters", "Bicubic (PIL)")}});
    c << integer("seed", G::Model, QT_TRANSLATE_NOOP("Parameters", "Seed"),
                 QT_TRANSLATE_NOOP("Parameters",
                                   "Noise seed. The same seed and settings give the same "
                                   "output."),
                 0, 0, 2147483647);
    // Quality
    c << real(
        "sparse_ratio", G::Quality, QT_TRANSLATE_NOOP("Parameters", "Sparse ratio"),
        QT_TRANSLATE_NOOP("Parameters", "Attention sparsity: 1.5 is faster, 2.0 is more stable."),
        2.0, 0.01, 100.0, 0.1, 2);
    c << real("kv_ratio", G::Quality, QT_TRANSLATE_NOOP("Parameters", "KV cache ratio"),
              QT_TRANSLATE_NOOP("Parameters",
                                "Length of the temporal key/value cache. Longer keeps more "
                                "temporal context and uses more memory."),
              3.0, 1.0, 16.0, 0.5, 1);
    c << integer(
        "local_range", G::Quality, QT_TRANSLATE_NOOP("Parameters", "Local range"),
        QT_TRANSLATE_NOOP("Parameters", "Side of the spatial attention window in blocks: 9 or 11."),
        11, 1, 63, QT_TRANSLATE_NOOP("Parameters", "blocks"));
    c << choice("attention_mode", G::Quality, QT_TRANSLATE_NOOP("Parameters", "Attention"),
                QT_TRANSLATE_NOOP("Parameters",
                                  "Block-sparse attention kernel (fast, exact), or the plain "
                                  "reference implementation for checking."),
                "block_sparse_attention",
                {{"block_sparse_attention", QT_TRANSLATE_NOOP("Parameters", "Block-sparse")},
                 {"reference", QT_TRANSLATE_NOOP("Parameters", "Reference")}});
    // Performance & memory
    c << base("device", G::Performance, ParameterType::Text,
              QT_TRANSLATE_NOOP("Parameters", "Device"),
              QT_TRANSLATE_NOOP("Parameters",
                                "auto, cpu, cuda or cuda:N (N = the GPU number in the "
                                "Devices panel)."));
    c.last().defaultValue = QStringLiteral("auto");
    c << choice("precision", G::Performance, QT_TRANSLATE_NOOP("Parameters", "Precision"),
                QT_TRANSLATE_NOOP("Parameters",
                                  "Number format of the model. Automatic: bf16 on a GPU, fp32 "
                                  "on the CPU."),
                "",
                {{"", QT_TRANSLATE_NOOP("Parameters", "Automatic")},
                 {"bf16", QT_TRANSLATE_NOOP("Parameters", "bf16")},
                 {"fp16", QT_TRANSLATE_NOOP("Parameters", "fp16")},
                 {"fp32", QT_TRANSLATE_NOOP("Parameters", "fp32")}});
    c << boolean(
        "tiled_vae", G::Performance, QT_TRANSLATE_NOOP("Parameters", "Tiled VAE"),
        QT_TRANSLATE_NOOP("Parameters",
                          "Full mode: decode the VAE in upstream's overlapping tiles, for the "
                          "output of upstream's tiled runs. The untiled decode here already works "
                          "frame by frame: tiles take about 2.5x as long and more GPU memory. To "
                          "save memory, use Tiled processing."),
        false);
    c << optionalInteger(
        "threads", G::Performance, QT_TRANSLATE_NOOP("Parameters", "CPU threads"),
        QT_TRANSLATE_NOOP("Parameters", "CPU threads for LibTorch and the classic scalers."), 1,
        1024, QT_TRANSLATE_NOOP("Parameters", "All cores"));
    c << optionalInteger(
        "max_frames", G::Performance, QT_TRANSLATE_NOOP("Parameters", "Frame limit"),
        QT_TRANSLATE_NOOP("Parameters", "Process at most this many frames (for trials)."), 1,
        2147483647, QT_TRANSLATE_NOOP("Parameters", "All frames"),
        QT_TRANSLATE_NOOP("Parameters", "frames"));
    c << integer("first_frame", G::Performance, QT_TRANSLATE_NOOP("Parameters", "First frame"),
                 QT_TRANSLATE_NOOP("Parameters",
                                   "First source frame to process (0 = the start). The viewer's "
                                   "in point sets it for the job it adds."),
                 0, 0, 2147483647);
    c << optionalInteger("end_frame", G::Performance, QT_TRANSLATE_NOOP("Parameters", "End frame"),
                         QT_TRANSLATE_NOOP("Parameters",
                                           "Source frame to stop before. The viewer's out point "
                                           "sets it (out point + 1) for the job it adds."),
                         1, 2147483647, QT_TRANSLATE_NOOP("Parameters", "To the end"));
    ParameterDef unload = boolean(
        "unload_dit", G::Performance, QT_TRANSLATE_NOOP("Parameters", "Unload DiT while decoding"),
        QT_TRANSLATE_NOOP("Parameters",
                          "Move the diffusion model to host memory while the decoder runs. "
                          "Saves GPU memory in Full mode at some speed."),
        false);
    c << unload;
    ParameterDef budget =
        real("memory_budget", G::Performance, QT_TRANSLATE_NOOP("Parameters", "GPU memory budget"),
             QT_TRANSLATE_NOOP("Parameters",
                               "GPU memory the planner may use for automatic tile size and batch. "
                               "Automatic: the device's free memory."),
             0.0, 0.1, 1000000.0, 1.0, 1);
    budget.defaultValue = QVariant();
    budget.optional = true;
    budget.unit = QT_TRANSLATE_NOOP("Parameters", "GiB");
    budget.autoLabel = QT_TRANSLATE_NOOP("Parameters", "Free memory");
    c << budget;
    // Tiling
    c << boolean("tiled_dit", G::Tiling, QT_TRANSLATE_NOOP("Parameters", "Tiled processing"),
                 QT_TRANSLATE_NOOP("Parameters",
                                   "Run the whole model per spatial tile and blend the tiles "
                                   "without seams. Needed for large frames on small GPUs."),
                 false);
    ParameterDef tileSize =
        integer("tile_size", G::Tiling, QT_TRANSLATE_NOOP("Parameters", "Tile size"),
                QT_TRANSLATE_NOOP("Parameters",
                                  "Tile side in input pixels (32 to 4096). Automatic: the fastest "
                                  "tiles that fit the GPU memory budget."),
                256, 32, 4096, QT_TRANSLATE_NOOP("Parameters", "px"));
    tileSize.zeroLabel = QT_TRANSLATE_NOOP("Parameters", "Automatic");
    c << tileSize;
    c << integer("tile_overlap", G::Tiling, QT_TRANSLATE_NOOP("Parameters", "Tile overlap"),
                 QT_TRANSLATE_NOOP("Parameters",
                                   "Input pixels shared by neighbouring tiles and blended; must "
                                   "be smaller than the tile size."),
                 24, 0, 1024, QT_TRANSLATE_NOOP("Parameters", "px"));
    c << boolean("tile_shift", G::Tiling, QT_TRANSLATE_NOOP("Parameters", "Shifted second grid"),
                 QT_TRANSLATE_NOOP("Parameters",
                                   "Add a second tile grid offset by half a stride and average "
                                   "both: fewer visible tile edges, about twice the work."),
                 true);
    ParameterDef tileBatch = integer(
        "tile_batch_size", G::Tiling, QT_TRANSLATE_NOOP("Parameters", "Tiles per batch"),
        QT_TRANSLATE_NOOP("Parameters",
                          "Tiles processed by one model call. Automatic: as many as the free GPU "
                          "memory allows."),
        0, 0, 256, QT_TRANSLATE_NOOP("Parameters", "tiles"));
    tileBatch.zeroLabel = QT_TRANSLATE_NOOP("Parameters", "Automatic");
    c << tileBatch;
    c << choice("tile_order", G::Tiling, QT_TRANSLATE_NOOP("Parameters", "Tile order"),
                QT_TRANSLATE_NOOP("Parameters",
                                  "How a tiled job works through a segment. Frame by frame: every "
                                  "tile of each chunk in turn, frames appear as they are done. "
                                  "Tile by tile: each tile runs through the whole segment with "
                                  "one tile state on the GPU; it uses the least GPU memory, but "
                                  "frames appear only when the segment is done and it needs "
                                  "scratch disk in the job's work folder. Automatic: the planner "
                                  "picks. Both give the same pictures."),
                "auto",
                {{"auto", QT_TRANSLATE_NOOP("Parameters", "Automatic")},
                 {"frame", QT_TRANSLATE_NOOP("Parameters", "Frame by frame")},
                 {"tile", QT_TRANSLATE_NOOP("Parameters", "Tile by tile")}});
    c << boolean("adaptive_tile_batch", G::Tiling,
                 QT_TRANSLATE_NOOP("Parameters", "Adaptive tile batch"),
                 QT_TRANSLATE_NOOP("Parameters",
                                   "Halve the tile batch and retry after running out of GPU "
                                   "memory instead of failing the job."),
                 true);
    // Segments and resume
    c << optionalInteger("max_segment_frames", G::Segments,
                         QT_TRANSLATE_NOOP("Parameters", "Segment length"),
                         QT_TRANSLATE_NOOP("Parameters",
                                           "Frames fed to one model run, overlap included. Each "
                                           "finished segment is kept, so a stopped job resumes "
                                           "there. Automatic: 4093 (FlashVSR's limit)."),
                         1, 2147483647, QT_TRANSLATE_NOOP("Parameters", "Automatic"),
                         QT_TRANSLATE_NOOP("Parameters", "frames"));
    c << integer("segment_overlap", G::Segments, QT_TRANSLATE_NOOP("Parameters", "Segment overlap"),
                 QT_TRANSLATE_NOOP("Parameters",
                                   "Extra frames fed at each inner segment boundary and dropped "
                                   "at the join, so the model is warmed up there."),
                 2, 0, 1000, QT_TRANSLATE_NOOP("Parameters", "frames"));
    c << boolean("scene_cuts", G::Segments, QT_TRANSLATE_NOOP("Parameters", "Split at scene cuts"),
                 QT_TRANSLATE_NOOP("Parameters",
                                   "Restart the model's temporal state at detected scene cuts, so "
                                   "one shot does not bleed into the next."),
                 true);
    c << real("scene_cut_threshold", G::Segments,
              QT_TRANSLATE_NOOP("Parameters", "Scene cut threshold"),
              QT_TRANSLATE_NOOP("Parameters",
                                "Detector score (0 to 1) above which a frame starts a new shot. "
                                "Lower finds more cuts."),
              0.35, 0.01, 1.0, 0.05, 2);
    ParameterDef keep = boolean(
        "keep_checkpoint", G::Segments, QT_TRANSLATE_NOOP("Parameters", "Keep checkpoint"),
        QT_TRANSLATE_NOOP("Parameters",
                          "Keep the finished segments and the manifest after a successful job "
                          "(normally removed)."),
        false);
    keep.flag = true;
    c << keep;
    // Output
    ParameterDef folder =
        optionalText("output_folder", G::Output, ParameterType::Path,
                     QT_TRANSLATE_NOOP("Parameters", "Output folder"),
                     QT_TRANSLATE_NOOP("Parameters", "Where outputs go. Empty: beside each input."),
                     QT_TRANSLATE_NOOP("Parameters", "Beside the input"));
    folder.scope = ParameterScope::StudioOnly;
    c << folder;
    ParameterDef pattern =
        base("output_pattern", G::Output, ParameterType::Text,
             QT_TRANSLATE_NOOP("Parameters", "Output name"),
             QT_TRANSLATE_NOOP("Parameters",
                               "Name of the output without extension. Fields: {name} {scale} "
                               "{upscaler} {mode} {codec} {format} {date}. The input is never "
                               "overwritten."));
    pattern.scope = ParameterScope::StudioOnly;
    pattern.defaultValue = QString::fromLatin1(kDefaultOutputPattern);
    c << pattern;
    c << choice("output_mode", G::Output, QT_TRANSLATE_NOOP("Parameters", "Output type"),
                QT_TRANSLATE_NOOP("Parameters", "A video file, or a folder of pictures."), "video",
                {{"video", QT_TRANSLATE_NOOP("Parameters", "Video")},
                 {"pictures", QT_TRANSLATE_NOOP("Parameters", "Pictures")}});
    c << choice(
        "output_format", G::Output, QT_TRANSLATE_NOOP("Parameters", "Format"),
        QT_TRANSLATE_NOOP("Parameters", "Video: MKV, MP4 or MOV. Pictures: PNG, DPX or EXR."), "",
        {{"", QT_TRANSLATE_NOOP("Parameters", "Automatic")},
         {"mkv", QT_TRANSLATE_NOOP("Parameters", "MKV")},
         {"mp4", QT_TRANSLATE_NOOP("Parameters", "MP4")},
         {"mov", QT_TRANSLATE_NOOP("Parameters", "MOV")},
         {"png", QT_TRANSLATE_NOOP("Parameters", "PNG")},
         {"dpx", QT_TRANSLATE_NOOP("Parameters", "DPX")},
         {"exr", QT_TRANSLATE_NOOP("Parameters", "OpenEXR")}});
    c << choice("codec", G::Output, QT_TRANSLATE_NOOP("Parameters", "Codec"),
                QT_TRANSLATE_NOOP("Parameters", "Video codec of the output."), "h264",
                {{"h264", QT_TRANSLATE_NOOP("Parameters", "H.264")},
                 {"h265", QT_TRANSLATE_NOOP("Parameters", "H.265 / HEVC")},
                 {"av1", QT_TRANSLATE_NOOP("Parameters", "AV1")},
                 {"prores_hq", QT_TRANSLATE_NOOP("Parameters", "ProRes 422 HQ")},
                 {"prores_4444", QT_TRANSLATE_NOOP("Parameters", "ProRes 4444")},
                 {"ffv1", QT_TRANSLATE_NOOP("Parameters", "FFV1 (lossless)")}});
    c << choice(
        "quality", G::Output, QT_TRANSLATE_NOOP("Parameters", "Quality"),
        QT_TRANSLATE_NOOP("Parameters", "Encoder quality preset (chooses the CRF for the codec)."),
        "high",
        {{"lossless", QT_TRANSLATE_NOOP("Parameters", "Lossless")},
         {"very_high", QT_TRANSLATE_NOOP("Parameters", "Very high")},
         {"high", QT_TRANSLATE_NOOP("Parameters", "High")},
         {"medium", QT_TRANSLATE_NOOP("Parameters", "Medium")},
         {"small", QT_TRANSLATE_NOOP("Parameters", "Small file")}});
    c << optionalInteger("crf", G::Output, QT_TRANSLATE_NOOP("Parameters", "CRF"),
                         QT_TRANSLATE_NOOP("Parameters",
                                           "Constant rate factor; overrides the quality preset. "
                                           "Lower is better: 0 to 51 (H.264/H.265), 0 to 63 "
                                           "(AV1)."),
                         0, 63, QT_TRANSLATE_NOOP("Parameters", "From quality"));
    c << choice("output_bit_depth", G::Output, QT_TRANSLATE_NOOP("Parameters", "Bit depth"),
                QT_TRANSLATE_NOOP("Parameters",
                                  "Bits per component. Video 8 or 10 (FFV1 also 16), PNG 8 or "
                                  "16, DPX 10 or 16, EXR 16 (half) or 32 (float)."),
                "",
                {{"", QT_TRANSLATE_NOOP("Parameters", "As the source")},
                 {"8", QT_TRANSLATE_NOOP("Parameters", "8 bit")},
                 {"10", QT_TRANSLATE_NOOP("Parameters", "10 bit")},
                 {"16", QT_TRANSLATE_NOOP("Parameters", "16 bit")},
                 {"32", QT_TRANSLATE_NOOP("Parameters", "32 bit float")}});
    c << boolean("hw_encoder", G::Output, QT_TRANSLATE_NOOP("Parameters", "Hardware encoder"),
                 QT_TRANSLATE_NOOP("Parameters",
                                   "Use NVENC when the GPU has it; otherwise the software "
                                   "encoder is used."),
                 true);
    c << choice("exr_compression", G::Output, QT_TRANSLATE_NOOP("Parameters", "EXR compression"),
                QT_TRANSLATE_NOOP("Parameters", "Compression of OpenEXR pictures."), "zip",
                {{"piz", QT_TRANSLATE_NOOP("Parameters", "PIZ")},
                 {"zip", QT_TRANSLATE_NOOP("Parameters", "ZIP")},
                 {"dwaa", QT_TRANSLATE_NOOP("Parameters", "DWAA (lossy)")},
                 {"none", QT_TRANSLATE_NOOP("Parameters", "None")}});
    c << boolean("copy_streams", G::Output, QT_TRANSLATE_NOOP("Parameters", "Copy other streams"),
                 QT_TRANSLATE_NOOP("Parameters",
                                   "Copy audio, subtitles, chapters and attachments bit-exact "
                                   "from the input."),
                 true);
    c << boolean("overwrite", G::Output, QT_TRANSLATE_NOOP("Parameters", "Replace existing output"),
                 QT_TRANSLATE_NOOP("Parameters",
                                   "Replace an output file that already exists. The input is "
                                   "never replaced."),
                 false);
    c << optionalText("input_fps", G::Output, ParameterType::Rate,
                      QT_TRANSLATE_NOOP("Parameters", "Sequence frame rate"),
                      QT_TRANSLATE_NOOP("Parameters",
                                        "Frame rate of an image-sequence input, e.g. 24, 23.976 "
                                        "or 30000/1001. Empty: 30."),
                      QT_TRANSLATE_NOOP("Parameters", "30"));
    c << optionalText("output_fps", G::Output, ParameterType::Rate,
                      QT_TRANSLATE_NOOP("Parameters", "Output frame rate"),
                      QT_TRANSLATE_NOOP("Parameters",
                                        "Re-time the output to this rate. Empty: the input's "
                                        "rate."),
                      QT_TRANSLATE_NOOP("Parameters", "As the input"));
    // HDR
    c << choice("hdr_mode", G::Hdr, QT_TRANSLATE_NOOP("Parameters", "HDR handling"),
                QT_TRANSLATE_NOOP("Parameters",
                                  "Automatic: tone-map PQ and HLG sources around the model and "
                                  "restore HDR after it. SDR: treat every source as SDR. Tone "
                                  "mapping: always."),
                "auto",
                {{"auto", QT_TRANSLATE_NOOP("Parameters", "Automatic")},
                 {"sdr", QT_TRANSLATE_NOOP("Parameters", "Treat as SDR")},
                 {"tone_mapping", QT_TRANSLATE_NOOP("Parameters", "Always tone-map")}});
    c << choice("tone_mapping_method", G::Hdr, QT_TRANSLATE_NOOP("Parameters", "Tone mapping"),
                QT_TRANSLATE_NOOP("Parameters",
                                  "Curve used to bring HDR into the model's range; inverted "
                                  "exactly afterwards."),
                "logarithmic",
                {{"reinhard", QT_TRANSLATE_NOOP("Parameters", "Reinhard")},
                 {"logarithmic", QT_TRANSLATE_NOOP("Parameters", "Logarithmic")},
                 {"aces", QT_TRANSLATE_NOOP("Parameters", "ACES")}});
    c << real("tone_mapping_exposure", G::Hdr, QT_TRANSLATE_NOOP("Parameters", "Exposure"),
              QT_TRANSLATE_NOOP("Parameters", "Linear gain applied before tone mapping."), 1.0,
              0.01, 100.0, 0.1, 2);
    ParameterDef lmax = real(
        "global_l_max", G::Hdr, QT_TRANSLATE_NOOP("Parameters", "Peak luminance"),
        QT_TRANSLATE_NOOP("Parameters",
                          "Peak linear luminance for tone mapping. Automatic: measured once on "
                          "sampled frames of the job."),
        0.0, 0.001, 1000000.0, 1.0, 3);
    lmax.defaultValue = QVariant();
    lmax.optional = true;
    lmax.autoLabel = QT_TRANSLATE_NOOP("Parameters", "Measured");
    c << lmax;
    return c;
}

QString videoContainerOf(const QString& format) {
    return (format == QLatin1String("mp4") || format == QLatin1String("mov"))
               ? format
               : QStringLiteral("mkv");
}

}  // namespace

const QList<ParameterDef>& parameterCatalog() {
    static const QList<ParameterDef> catalog = buildCatalog();
    return catalog;
}

const ParameterDef* findParameter(const QString& key) {
    for (const ParameterDef& d : parameterCatalog()) {
        if (d.key == key) {
            return &d;
        }
    }
    return nullptr;
}

QString groupTitle(ParameterGroup group) {
    switch (group) {
        case ParameterGroup::Model:
            return translated(QT_TRANSLATE_NOOP("Parameters", "Model"));
        case ParameterGroup::Quality:
            return translated(QT_TRANSLATE_NOOP("Parameters", "Quality"));
        case ParameterGroup::Performance:
            return translated(QT_TRANSLATE_NOOP("Parameters", "Performance & memory"));
        case ParameterGroup::Tiling:
            return translated(QT_TRANSLATE_NOOP("Parameters", "Tiling"));
        case ParameterGroup::Segments:
            return translated(QT_TRANSLATE_NOOP("Parameters", "Segments & resume"));
        case ParameterGroup::Output:
            return translated(QT_TRANSLATE_NOOP("Parameters", "Output"));
        case ParameterGroup::Hdr:
            return translated(QT_TRANSLATE_NOOP("Parameters", "HDR"));
    }
    return {};
}

QString parameterLabel(const ParameterDef& def) {
    return translated(def.label);
}

QString parameterTooltip(const ParameterDef& def) {
    return translated(def.tooltip);
}

QString parameterUnit(const ParameterDef& def) {
    return def.unit != nullptr ? translated(def.unit) : QString();
}

QString choiceLabel(const ParameterChoice& choice) {
    return translated(choice.label);
}

QVariantMap defaultParameters() {
    QVariantMap values;
    for (const ParameterDef& d : parameterCatalog()) {
        if (d.defaultValue.isValid()) {
            values.insert(d.key, d.defaultValue);
        }
    }
    return values;
}

QVariantMap withDefaults(const QVariantMap& values) {
    QVariantMap result = defaultParameters();
    for (auto it = values.cbegin(); it != values.cend(); ++it) {
        const ParameterDef* d = findParameter(it.key());
        if (d == nullptr) {
            continue;
        }
        QVariant v = it.value();
        if (!v.isValid() || v.isNull()) {
            result.remove(d->key);
            continue;
        }
        switch (d->type) {
            case ParameterType::Integer:
                v = v.toInt();
                break;
            case ParameterType::Real:
                v = v.toDouble();
                break;
            case ParameterType::Boolean:
                v = v.toBool();
                break;
            default:
                v = v.toString();
                if (d->optional && v.toString().isEmpty()) {
                    result.remove(d->key);
                    continue;
                }
                break;
        }
        result.insert(d->key, v);
    }
    return result;
}

bool parseRate(const QString& text, int* numerator, int* denominator) {
    const QString t = text.trimmed();
    int num = 0;
    int den = 1;
    const int slash = t.indexOf(QLatin1Char('/'));
    bool ok = false;
    if (slash >= 0) {
        bool ok_den = false;
        num = t.left(slash).toInt(&ok);
        den = t.mid(slash + 1).toInt(&ok_den);
        ok = ok && ok_den && num > 0 && den > 0;
    } else {
        const double d = t.toDouble(&ok);
        ok = ok && std::isfinite(d) && d > 0.0 && d <= 1000.0;
        if (ok) {
            // NTSC-style rates as the command line reads them: 23.976 -> 24000/1001.
            bool ntsc = false;
            for (int b : {24, 30, 48, 60, 120}) {
                if (std::fabs(d - b * 1000.0 / 1001.0) < 0.005) {
                    num = b * 1000;
                    den = 1001;
                    ntsc = true;
                }
            }
            if (!ntsc && std::fabs(d - std::round(d)) < 1e-9) {
                num = static_cast<int>(std::lround(d));
                den = 1;
            } else if (!ntsc) {
                num = static_cast<int>(std::lround(d * 1000.0));
                den = 1000;
            }
        }
    }
    if (ok && numerator != nullptr) {
        *numerator = num;
    }
    if (ok && denominator != nullptr) {
        *denominator = den;
    }
    return ok;
}

bool isPictureOutput(const QVariantMap& values) {
    return values.value(QStringLiteral("output_mode")).toString() == QLatin1String("pictures");
}

QString effectiveOutputFormat(const QVariantMap& values) {
    const QString f = values.value(QStringLiteral("output_format")).toString();
    if (!f.isEmpty()) {
        return f;
    }
    return isPictureOutput(values) ? QStringLiteral("png") : QStringLiteral("mkv");
}

QString checkValue(const ParameterDef& d, const QVariant& v) {
    const QString label = parameterLabel(d);
    if (d.type == ParameterType::Integer || d.type == ParameterType::Real) {
        bool ok = false;
        const double x = v.toDouble(&ok);
        if (ok && x == 0.0 && d.zeroLabel != nullptr) {
            return {};
        }
        if (!ok || x < d.minimum || x > d.maximum ||
            (d.type == ParameterType::Integer && x != std::floor(x))) {
            return translated(QT_TRANSLATE_NOOP("Parameters", "%1 must be from %2 to %3."))
                .arg(label, QString::number(d.minimum), QString::number(d.maximum, 'g', 10));
        }
    } else if (d.type == ParameterType::Choice) {
        const QString s = v.toString();
        for (const ParameterChoice& ch : d.choices) {
            if (ch.value == s) {
                return {};
            }
        }
        return translated(QT_TRANSLATE_NOOP("Parameters", "%1: \"%2\" is not one of the choices."))
            .arg(label, s);
    } else if (d.type == ParameterType::Rate && !v.toString().trimmed().isEmpty() &&
               !parseRate(v.toString(), nullptr, nullptr)) {
        return translated(QT_TRANSLATE_NOOP("Parameters",
                                            "%1: \"%2\" is not a frame rate (try 24, 23.976 or "
                                            "30000/1001)."))
            .arg(label, v.toString());
    }
    return {};
}

QList<ParameterIssue> validateParameters(const QVariantMap& raw) {
    QList<ParameterIssue> issues;
    auto error = [&](const char* key, const QString& message) {
        issues.append({QString::fromLatin1(key), IssueSeverity::Error, message});
    };
    auto warning = [&](const char* key, const QString& message) {
        issues.append({QString::fromLatin1(key), IssueSeverity::Warning, message});
    };
    // Each raw value on its own (before defaults hide a bad entry).
    for (auto it = raw.cbegin(); it != raw.cend(); ++it) {
        const ParameterDef* d = findParameter(it.key());
        if (d == nullptr || !it.value().isValid() || it.value().isNull()) {
            continue;
        }
        const QString problem = checkValue(*d, it.value());
        if (!problem.isEmpty()) {
            issues.append({d->key, IssueSeverity::Error, problem});
        }
    }
    const QVariantMap values = withDefaults(raw);
    auto str = [&](const char* key) { return values.value(QString::fromLatin1(key)).toString(); };

    const QString device = str("device");
    static const QRegularExpression deviceRe(QStringLiteral("^(auto|cpu|cuda|cuda:[0-9]+)$"));
    if (!deviceRe.match(device).hasMatch()) {
        error("device", translated(QT_TRANSLATE_NOOP("Parameters",
                                                     "Device must be auto, cpu, cuda or cuda:N.")));
    }
    const QString precision = str("precision");
    if (device == QLatin1String("cpu") &&
        (precision == QLatin1String("bf16") || precision == QLatin1String("fp16"))) {
        error("precision",
              translated(QT_TRANSLATE_NOOP("Parameters",
                                           "The CPU runs FlashVSR in fp32 only; choose fp32 or "
                                           "Automatic.")));
    }
    const bool pictures = isPictureOutput(values);
    const QString format = str("output_format");
    if (!format.isEmpty()) {
        const bool pictureFormat = format == QLatin1String("png") ||
                                   format == QLatin1String("dpx") || format == QLatin1String("exr");
        if (pictureFormat != pictures) {
            error("output_format",
                  pictures ? translated(QT_TRANSLATE_NOOP(
                                 "Parameters", "Pictures are written as PNG, DPX or EXR."))
                           : translated(QT_TRANSLATE_NOOP(
                                 "Parameters", "Videos are written as MKV, MP4 or MOV.")));
        }
    }
    const QString effective = effectiveOutputFormat(values);
    const QString codec = str("codec");
    const QString depth = str("output_bit_depth");
    if (!pictures) {
        const QString container = videoContainerOf(effective);
        const bool prores = codec.startsWith(QLatin1String("prores"));
        if (container == QLatin1String("mp4") && (prores || codec == QLatin1String("ffv1"))) {
            error("codec", translated(QT_TRANSLATE_NOOP(
                               "Parameters", "MP4 cannot hold ProRes or FFV1; use MKV or MOV.")));
        }
        if (container == QLatin1String("mov") && codec == QLatin1String("ffv1")) {
            warning("codec", translated(QT_TRANSLATE_NOOP(
                                 "Parameters", "FFV1 in MOV plays in few players; MKV is safer.")));
        }
        if (depth == QLatin1String("32") ||
            (depth == QLatin1String("16") && codec != QLatin1String("ffv1"))) {
            error("output_bit_depth",
                  translated(QT_TRANSLATE_NOOP("Parameters",
                                               "Video is 8 or 10 bit (16 bit only with FFV1).")));
        }
        if (values.contains(QStringLiteral("crf"))) {
            const int crf = values.value(QStringLiteral("crf")).toInt();
            if ((codec == QLatin1String("h264") || codec == QLatin1String("h265")) && crf > 51) {
                error("crf", translated(QT_TRANSLATE_NOOP("Parameters",
                                                          "CRF for H.264 and H.265 is 0 to 51.")));
            }
            if (prores || codec == QLatin1String("ffv1")) {
                warning("crf", translated(QT_TRANSLATE_NOOP("Parameters",
                                                            "ProRes and FFV1 ignore the CRF.")));
            }
        }
    } else {
        const bool depthOk = depth.isEmpty() ||
                             (effective == QLatin1String("png") &&
                              (depth == QLatin1String("8") || depth == QLatin1String("16"))) ||
                             (effective == QLatin1String("dpx") &&
                              (depth == QLatin1String("10") || depth == QLatin1String("16"))) ||
                             (effective == QLatin1String("exr") &&
                              (depth == QLatin1String("16") || depth == QLatin1String("32")));
        if (!depthOk) {
            error("output_bit_depth",
                  translated(QT_TRANSLATE_NOOP("Parameters",
                                               "PNG is 8 or 16 bit, DPX 10 or 16, EXR 16 or 32.")));
        }
    }
    if (values.value(QStringLiteral("tiled_vae")).toBool() &&
        str("mode") != QLatin1String("full")) {
        warning("tiled_vae", translated(QT_TRANSLATE_NOOP("Parameters",
                                                          "Tiled VAE only applies to Full mode.")));
    }
    if (values.contains(QStringLiteral("end_frame")) &&
        values.value(QStringLiteral("end_frame")).toLongLong() <=
            values.value(QStringLiteral("first_frame")).toLongLong()) {
        error("end_frame", translated(QT_TRANSLATE_NOOP(
                               "Parameters", "The end frame must come after the first frame.")));
    }
    const int tileSize = values.value(QStringLiteral("tile_size")).toInt();
    const int tileOverlap = values.value(QStringLiteral("tile_overlap")).toInt();
    if (tileSize > 0 && tileOverlap >= tileSize) {
        error("tile_overlap",
              translated(QT_TRANSLATE_NOOP(
                  "Parameters", "The tile overlap must be smaller than the tile size.")));
    } else if (tileSize > 0 && tileOverlap * 2 > tileSize) {
        warning("tile_overlap",
                translated(QT_TRANSLATE_NOOP("Parameters",
                                             "An overlap above half the tile size makes many more "
                                             "tiles for little gain.")));
    }
    if (values.contains(QStringLiteral("max_segment_frames"))) {
        // JobSpec's fixed minimum of 21 output frames per segment plus the overlap on both sides
        // (engine::jobs::validate refuses shorter segments).
        const qint64 segment = values.value(QStringLiteral("max_segment_frames")).toLongLong();
        const qint64 shortest =
            21 + 2 * qint64(values.value(QStringLiteral("segment_overlap")).toInt());
        if (segment < shortest) {
            error("max_segment_frames",
                  translated(QT_TRANSLATE_NOOP("Parameters",
                                               "A segment needs at least %1 frames (21 plus twice "
                                               "the segment overlap)."))
                      .arg(shortest));
        } else if (segment > engine::jobs::kMaxFramesPerRun &&
                   str("upscaler") == QLatin1String("flashvsr")) {
            error("max_segment_frames",
                  translated(
                      QT_TRANSLATE_NOOP("Parameters", "FlashVSR runs at most %1 frames at a time."))
                      .arg(engine::jobs::kMaxFramesPerRun));
        }
    }
    const int localRange = values.value(QStringLiteral("local_range")).toInt();
    if (localRange != 9 && localRange != 11) {
        warning("local_range",
                translated(QT_TRANSLATE_NOOP("Parameters",
                                             "FlashVSR was tuned with a local range of 9 or 11.")));
    }
    if (values.value(QStringLiteral("scale")).toInt() != 4 && str("upscaler") == "flashvsr") {
        warning("scale",
                translated(QT_TRANSLATE_NOOP("Parameters",
                                             "FlashVSR is trained for 4x; other factors are "
                                             "softer.")));
    }
    static const QRegularExpression separators(QStringLiteral("[/\\\\]"));
    const QString pattern = str("output_pattern");
    if (pattern.trimmed().isEmpty()) {
        error("output_pattern",
              translated(QT_TRANSLATE_NOOP("Parameters", "The output name is empty.")));
    } else if (pattern.contains(separators)) {
        warning("output_pattern", translated(QT_TRANSLATE_NOOP(
                                      "Parameters",
                                      "Slashes in the output name are replaced by '_'; use the "
                                      "output folder for folders.")));
    }
    return issues;
}

bool hasErrors(const QList<ParameterIssue>& issues) {
    for (const ParameterIssue& i : issues) {
        if (i.severity == IssueSeverity::Error) {
            return true;
        }
    }
    return false;
}

QString resolveOutputPath(const QString& pattern,
                          const QString& inputPath,
                          const QVariantMap& raw) {
    const QVariantMap values = withDefaults(raw);
    const QFileInfo input(inputPath);
    // A folder input (image sequence) is named after the folder; a printf pattern after its
    // folder too, since "%06d" is no name.
    QString name = input.completeBaseName();
    QString inputDir = input.absolutePath();
    if (input.isDir()) {
        name = input.fileName();
    } else if (input.fileName().contains(QLatin1Char('%'))) {
        name = QFileInfo(input.absolutePath()).fileName();
    }
    if (name.isEmpty()) {
        name = QStringLiteral("output");
    }
    const bool pictures = isPictureOutput(values);
    const QString format = effectiveOutputFormat(values);
    QString out = pattern.trimmed().isEmpty() ? QString::fromLatin1(kDefaultOutputPattern)
                                              : pattern.trimmed();
    out.replace(QLatin1String("{name}"), name);
    out.replace(QLatin1String("{scale}"), values.value(QStringLiteral("scale")).toString());
    out.replace(QLatin1String("{upscaler}"), values.value(QStringLiteral("upscaler")).toString());
    out.replace(QLatin1String("{mode}"), values.value(QStringLiteral("mode")).toString());
    out.replace(QLatin1String("{codec}"),
                pictures ? format : values.value(QStringLiteral("codec")).toString());
    out.replace(QLatin1String("{format}"), format);
    out.replace(QLatin1String("{date}"), QDate::currentDate().toString(Qt::ISODate));
    static const QRegularExpression bad(QStringLiteral("[/\\\\:*?\"<>|\\x00-\\x1f]"));
    out.replace(bad, QStringLiteral("_"));

    const QString folder = values.value(QStringLiteral("output_folder")).toString();
    const QDir dir(folder.isEmpty() ? inputDir : folder);
    const QString extension = pictures ? QString() : QLatin1Char('.') + videoContainerOf(format);
    QString path = dir.absoluteFilePath(out + extension);
    const QString inputAbsolute = input.absoluteFilePath();
    const auto clashes = [&](const QString& candidate) {
        return QFileInfo(candidate).absoluteFilePath() == inputAbsolute ||
               (QFileInfo(candidate).exists() &&
                QFileInfo(candidate).canonicalFilePath() == input.canonicalFilePath());
    };
    while (clashes(path)) {
        out += QStringLiteral("_upscaled");
        path = dir.absoluteFilePath(out + extension);
    }
    return QDir::cleanPath(path);
}

QStringList commandLineArguments(const QVariantMap& raw,
                                 const QString& inputPath,
                                 const QString& outputPath) {
    const QVariantMap values = withDefaults(raw);
    const QVariantMap defaults = defaultParameters();
    QStringList args;
    for (const ParameterDef& d : parameterCatalog()) {
        if (d.scope != ParameterScope::CommandLine || !values.contains(d.key)) {
            continue;
        }
        const QVariant v = values.value(d.key);
        if (defaults.contains(d.key) && defaults.value(d.key) == v) {
            continue;
        }
        if (d.flag) {
            // A flag takes no value; its default (false) is never written.
            if (v.toBool()) {
                args << QStringLiteral("--") + d.key;
            }
            continue;
        }
        QString text;
        switch (d.type) {
            case ParameterType::Integer:
                text = (d.zeroLabel != nullptr && v.toInt() == 0) ? QStringLiteral("auto")
                                                                  : v.toString();
                break;
            case ParameterType::Boolean:
                text = v.toBool() ? QStringLiteral("True") : QStringLiteral("False");
                break;
            case ParameterType::Real:
                text = QString::number(v.toDouble(), 'g', 10);
                break;
            default:
                text = v.toString();
                break;
        }
        if (text.isEmpty()) {
            continue;
        }
        args << QStringLiteral("--") + d.key << text;
    }
    args << QStringLiteral("--input") << inputPath;
    if (!outputPath.isEmpty()) {
        args << QStringLiteral("--output") << outputPath;
    }
    return args;
}

QString shellJoin(const QStringList& arguments) {
    static const QRegularExpression safe(QStringLiteral("^[A-Za-z0-9_@%+=:,./-]+$"));
    QStringList quoted;
    for (const QString& a : arguments) {
        if (!a.isEmpty() && safe.match(a).hasMatch()) {
            quoted << a;
        } else {
            QString q = a;
            q.replace(QLatin1String("'"), QLatin1String("'\\''"));
            quoted << QLatin1Char('\'') + q + QLatin1Char('\'');
        }
    }
    return quoted.join(QLatin1Char(' '));
}

}  // namespace ui
