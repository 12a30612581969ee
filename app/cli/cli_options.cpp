#include "cli_options.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <functional>
#include <map>
#include <sstream>

namespace cli {
namespace {

using engine::Error;
using engine::ErrorCode;

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
    long long v = std::strtoll(text.c_str(), &end, 10);
    if (text.empty() || end == nullptr || *end != '\0') {
        return std::nullopt;
    }
    return v;
}

// One option: its names, whether it takes a value, help text, and how to apply it.
struct Spec {
    std::string name;   // "--scale"
    std::string alias;  // "-s" or empty
    std::string value;  // placeholder shown in help; empty for flags
    std::string help;
    std::function<std::optional<Error>(Options&, const std::string&)> apply;
};

template <typename T>
std::function<std::optional<Error>(Options&, const std::string&)> choice(
    const std::string& option,
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

std::function<std::optional<Error>(Options&, const std::string&)> boolean(
    const std::string& option,
    std::function<void(Options&, bool)> set) {
    return [=](Options& o, const std::string& v) -> std::optional<Error> {
        auto b = parse_bool(v);
        if (!b) {
            return bad(option, v, "True|False");
        }
        set(o, *b);
        return std::nullopt;
    };
}

std::function<std::optional<Error>(Options&, const std::string&)>
number(const std::string& option, double lo, double hi, std::function<void(Options&, double)> set) {
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

std::function<std::optional<Error>(Options&, const std::string&)> integer(
    const std::string& option,
    std::int64_t lo,
    std::int64_t hi,
    std::function<void(Options&, std::int64_t)> set) {
    return [=](Options& o, const std::string& v) -> std::optional<Error> {
        auto i = parse_int(v);
        if (!i || *i < lo || *i > hi) {
            return bad(option, v,
                       "a whole number from " + std::to_string(lo) + " to " + std::to_string(hi));
        }
        set(o, *i);
        return std::nullopt;
    };
}

using engine::io::ExrCompression;
using engine::io::OutputMode;
using engine::io::QualityPreset;
using engine::pipeline::ColorFix;
using engine::pipeline::Mode;
using engine::pipeline::ModelVersion;
using engine::pipeline::Precision;

const std::vector<Spec>& specs() {
    static const std::vector<Spec> table = {
        {"--input", "-i", "PATH", "video file, image folder, or printf pattern (frames/%06d.png)",
         [](Options& o, const std::string& v) -> std::optional<Error> {
             o.input = std::filesystem::u8path(v);
             return std::nullopt;
         }},
        {"--output", "-o", "PATH",
         "output file (video) or folder (pictures); default <input>_<scale>x.mkv beside the input",
         [](Options& o, const std::string& v) -> std::optional<Error> {
             o.output = std::filesystem::u8path(v);
             return std::nullopt;
         }},
        {"--scale", "-s", "N", "upscale factor: 2, 3 or 4 (the model is trained for 4)",
         integer("--scale", 2, 4, [](Options& o, std::int64_t v) { o.scale = int(v); })},
        {"--output_mode", "", "MODE", "video | pictures",
         choice<OutputMode>("--output_mode",
                            {{"video", OutputMode::Video}, {"pictures", OutputMode::Pictures}},
                            [](Options& o, OutputMode m) { o.output_mode = m; })},
        {"--output_format", "", "FMT", "video: mkv | mp4 | mov; pictures: png | dpx | exr",
         choice<std::string>("--output_format",
                             {{"mkv", "mkv"},
                              {"mp4", "mp4"},
                              {"mov", "mov"},
                              {"png", "png"},
                              {"dpx", "dpx"},
                              {"exr", "exr"}},
                             [](Options& o, std::string f) { o.output_format = f; })},
        {"--output_bit_depth", "", "N",
         "8 | 10 | 16 (video 8/10, FFV1 also 16; PNG 8/16; DPX 10/16; EXR 16 half / 32 float)",
         choice<int>("--output_bit_depth", {{"8", 8}, {"10", 10}, {"16", 16}, {"32", 32}},
                     [](Options& o, int b) { o.output_bit_depth = b; })},
        {"--input_fps", "--fps", "RATE", "frame rate of an image-sequence input (default 30)",
         [](Options& o, const std::string& v) -> std::optional<Error> {
             auto r = parse_rate(v);
             if (!r) {
                 return bad("--input_fps", v, "a rate such as 24, 23.976 or 30000/1001");
             }
             o.input_fps = r;
             return std::nullopt;
         }},
        {"--output_fps", "", "RATE", "output frame rate (default: the input's)",
         [](Options& o, const std::string& v) -> std::optional<Error> {
             auto r = parse_rate(v);
             if (!r) {
                 return bad("--output_fps", v, "a rate such as 24, 23.976 or 30000/1001");
             }
             o.output_fps = r;
             return std::nullopt;
         }},
        {"--max_frames", "", "N", "process at most N frames (for tests and previews)",
         integer("--max_frames", 1, INT64_MAX,
                 [](Options& o, std::int64_t v) { o.max_frames = v; })},
        {"--codec", "", "NAME", "h264 | h265 | av1 | prores_hq | prores_4444 | ffv1",
         [](Options& o, const std::string& v) -> std::optional<Error> {
             auto c = engine::io::parse_video_codec(lower(v));
             if (!c) {
                 return bad("--codec", v, "h264|h265|av1|prores_hq|prores_4444|ffv1");
             }
             o.codec = *c;
             o.codec_given = true;
             return std::nullopt;
         }},
        {"--crf", "", "N", "constant rate factor (overrides --quality)",
         integer("--crf", 0, 63, [](Options& o, std::int64_t v) { o.crf = int(v); })},
        {"--quality", "", "PRESET", "lossless | very_high | high | medium | small",
         choice<QualityPreset>("--quality",
                               {{"lossless", QualityPreset::Lossless},
                                {"very_high", QualityPreset::VeryHigh},
                                {"high", QualityPreset::High},
                                {"medium", QualityPreset::Medium},
                                {"small", QualityPreset::Small}},
                               [](Options& o, QualityPreset q) { o.quality = q; })},
        {"--hw_encoder", "", "BOOL", "use NVENC when present (default True)",
         boolean("--hw_encoder", [](Options& o, bool b) { o.hardware_encoder = b; })},
        {"--exr_compression", "", "NAME", "piz | zip | dwaa | none",
         choice<ExrCompression>("--exr_compression",
                                {{"piz", ExrCompression::PIZ},
                                 {"zip", ExrCompression::ZIP},
                                 {"dwaa", ExrCompression::DWAA},
                                 {"none", ExrCompression::None}},
                                [](Options& o, ExrCompression c) { o.exr_compression = c; })},
        {"--copy_streams", "", "BOOL",
         "copy audio, subtitles, chapters and attachments bit-exact (default True)",
         boolean("--copy_streams", [](Options& o, bool b) { o.copy_streams = b; })},
        {"--overwrite", "", "BOOL", "replace an existing output (default False)",
         boolean("--overwrite", [](Options& o, bool b) { o.overwrite = b; })},
        {"--upscaler", "", "NAME", "flashvsr (default) | bicubic | lanczos",
         choice<Upscaler>("--upscaler",
                          {{"flashvsr", Upscaler::FlashVSR},
                           {"bicubic", Upscaler::Bicubic},
                           {"lanczos", Upscaler::Lanczos}},
                          [](Options& o, Upscaler u) {
                              o.upscaler = u;
                              o.upscaler_given = true;
                          })},
        {"--hdr_mode", "", "MODE",
         "auto (tone-map PQ/HLG sources) | sdr (treat as SDR) | tone_mapping (always)",
         choice<HdrMode>("--hdr_mode",
                         {{"auto", HdrMode::Auto},
                          {"sdr", HdrMode::Sdr},
                          {"tone_mapping", HdrMode::ToneMapping}},
                         [](Options& o, HdrMode m) { o.hdr_mode = m; })},
        {"--tone_mapping_method", "", "NAME", "reinhard | logarithmic | aces",
         choice<ToneMapping>("--tone_mapping_method",
                             {{"reinhard", ToneMapping::Reinhard},
                              {"logarithmic", ToneMapping::Logarithmic},
                              {"aces", ToneMapping::Aces}},
                             [](Options& o, ToneMapping t) { o.tone_mapping = t; })},
        {"--tone_mapping_exposure", "", "X", "exposure before tone mapping (default 1.0)",
         number("--tone_mapping_exposure", 0.01, 100.0,
                [](Options& o, double v) { o.tone_mapping_exposure = v; })},
        {"--global_l_max", "", "X",
         "peak linear luminance for tone mapping (default: measured on sampled frames)",
         number("--global_l_max", 1e-3, 1e6, [](Options& o, double v) { o.global_l_max = v; })},
        // Model
        {"--model_dir", "", "PATH",
         "folder with the FlashVSR files (default $FLASHVSR_MODEL_DIR or "
         "~/.local/share/flashvsr-studio/models/v<ver>)",
         [](Options& o, const std::string& v) -> std::optional<Error> {
             o.model.model_dir = std::filesystem::u8path(v);
             o.model_dir_given = true;
             return std::nullopt;
         }},
        {"--model_ver", "", "VER", "1.0 | 1.1 (default 1.1)",
         choice<ModelVersion>("--model_ver",
                              {{"1.0", ModelVersion::V10}, {"1.1", ModelVersion::V11}},
                              [](Options& o, ModelVersion v) { o.model.version = v; })},
        {"--mode", "", "MODE", "tiny | tiny-long | full (default tiny)",
         choice<Mode>("--mode",
                      {{"tiny", Mode::Tiny},
                       {"tiny-long", Mode::TinyLong},
                       {"tiny_long", Mode::TinyLong},
                       {"full", Mode::Full}},
                      [](Options& o, Mode m) { o.model.mode = m; })},
        {"--device", "", "DEV", "auto | cpu | cuda | cuda:N (default auto)",
         [](Options& o, const std::string& v) -> std::optional<Error> {
             std::string d = lower(v);
             bool ok = d == "auto" || d == "cpu" || d == "cuda" ||
                       (d.rfind("cuda:", 0) == 0 && parse_int(d.substr(5)).has_value());
             if (!ok) {
                 return bad("--device", v, "auto|cpu|cuda|cuda:N");
             }
             o.model.device = d;
             return std::nullopt;
         }},
        {"--precision", "", "P", "bf16 | fp16 | fp32 (default bf16 on GPU, fp32 on CPU)",
         choice<Precision>(
             "--precision",
             {{"bf16", Precision::BF16}, {"fp16", Precision::FP16}, {"fp32", Precision::FP32}},
             [](Options& o, Precision p) { o.model.precision = p; })},
        {"--sparse_ratio", "", "X", "attention sparsity: 1.5 faster, 2.0 more stable (default 2.0)",
         number("--sparse_ratio", 0.01, 100.0,
                [](Options& o, double v) { o.model.sparse_ratio = v; })},
        {"--kv_ratio", "", "X", "temporal KV cache length (default 3.0)",
         number("--kv_ratio", 1.0, 16.0, [](Options& o, double v) { o.model.kv_ratio = v; })},
        {"--local_range", "", "N", "spatial attention window side, 9 or 11 (default 11)",
         integer("--local_range", 1, 63,
                 [](Options& o, std::int64_t v) { o.model.local_range = int(v); })},
        {"--seed", "", "N", "noise seed (default 0)",
         integer("--seed", 0, INT64_MAX,
                 [](Options& o, std::int64_t v) { o.model.seed = std::uint64_t(v); })},
        {"--color_fix", "", "X", "True (AdaIN, as upstream) | False | adain | wavelet",
         choice<ColorFix>("--color_fix",
                          {{"true", ColorFix::AdaIN},
                           {"false", ColorFix::None},
                           {"adain", ColorFix::AdaIN},
                           {"wavelet", ColorFix::Wavelet},
                           {"none", ColorFix::None}},
                          [](Options& o, ColorFix c) { o.model.color_fix = c; })},
        {"--attention_mode", "", "NAME",
         "sparse_sage_attention | block_sparse_attention (both: our exact block-sparse kernel) | "
         "reference",
         choice<engine::pipeline::AttentionBackend>(
             "--attention_mode",
             {{"sparse_sage_attention", engine::pipeline::AttentionBackend::Auto},
              {"block_sparse_attention", engine::pipeline::AttentionBackend::Auto},
              {"reference", engine::pipeline::AttentionBackend::Reference}},
             [](Options& o, engine::pipeline::AttentionBackend b) { o.model.attention = b; })},
        {"--tiled_vae", "", "BOOL", "full mode: decode the VAE in tiles (default False)",
         boolean("--tiled_vae", [](Options& o, bool b) { o.model.tiled_vae = b; })},
        {"--noise_file", "", "PATH", "initial latent noise from a safetensors file (tests)",
         [](Options& o, const std::string& v) -> std::optional<Error> {
             o.model.noise_file = std::filesystem::u8path(v);
             return std::nullopt;
         }},
        {"--threads", "", "N", "CPU threads for LibTorch and scalers (default: all cores)",
         integer("--threads", 1, 1024, [](Options& o, std::int64_t v) { o.threads = int(v); })},
        {"--quiet", "-q", "", "no progress bar", nullptr},
    };
    return table;
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

engine::Result<Options> parse_options(int argc, const char* const* argv) {
    Options options;
    int first = 1;
    if (argc > 1) {
        std::string command = argv[1];
        if (command == "devices") {
            options.command = Command::Devices;
            first = 2;
        } else if (command == "probe") {
            options.command = Command::Probe;
            first = 2;
        } else if (command == "upscale") {
            first = 2;
        }
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
        // Accept --max-frames as well as --max_frames.
        std::string normalized = arg;
        if (normalized.rfind("--", 0) == 0) {
            std::replace(normalized.begin() + 2, normalized.end(), '-', '_');
        }
        const Spec* spec = nullptr;
        for (const auto& s : specs()) {
            std::string sname = s.name;
            std::replace(sname.begin() + 2, sname.end(), '-', '_');
            std::string salias = s.alias;
            if (salias.rfind("--", 0) == 0) {
                std::replace(salias.begin() + 2, salias.end(), '-', '_');
            }
            if (normalized == sname || (!salias.empty() && normalized == salias)) {
                spec = &s;
                break;
            }
        }
        if (spec == nullptr) {
            Error e(ErrorCode::InvalidArgument, "unknown option " + arg + " (see flashvsr --help)");
            e.with("option", arg);
            return e;
        }
        if (spec->value.empty()) {
            if (spec->name == "--quiet") {
                options.quiet = true;
            }
            continue;
        }
        if (!has_inline_value) {
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
    if (options.command == Command::Probe || options.command == Command::Upscale) {
        if (options.input.empty() && !positional.empty()) {
            options.input = std::filesystem::u8path(positional.front());
            positional.erase(positional.begin());
        }
        if (options.command == Command::Upscale && options.output.empty() && !positional.empty()) {
            options.output = std::filesystem::u8path(positional.front());
            positional.erase(positional.begin());
        }
    }
    if (!positional.empty()) {
        Error e(ErrorCode::InvalidArgument, "unexpected argument '" + positional.front() + "'");
        e.with("value", positional.front());
        return e;
    }
    if ((options.command == Command::Upscale || options.command == Command::Probe) &&
        options.input.empty()) {
        Error e(ErrorCode::InvalidArgument, "no input given (use --input PATH)");
        e.with("option", "--input");
        return e;
    }
    return options;
}

std::string usage_text() {
    std::ostringstream out;
    out << "Usage: flashvsr [upscale] --input PATH [--output PATH] [options]\n"
           "       flashvsr devices            list CPU and CUDA devices with memory\n"
           "       flashvsr probe PATH         describe a video or image sequence\n"
           "       flashvsr --version\n\nOptions:\n";
    for (const auto& s : specs()) {
        std::string names = s.name;
        if (!s.alias.empty()) {
            names += ", " + s.alias;
        }
        if (!s.value.empty()) {
            names += " " + s.value;
        }
        out << "  " << names;
        int pad = 34 - static_cast<int>(names.size());
        out << std::string(static_cast<std::size_t>(std::max(pad, 1)), ' ') << s.help << "\n";
    }
    return out.str();
}

}  // namespace cli
