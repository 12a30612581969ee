#include "output_layout.h"

#include "engine/core/log.h"
#include "engine/core/paths.h"
#include "engine/imaging/tone_mapping.h"
#include "engine/io/image_sequence.h"
#include "engine/jobs/processor.h"

#include <algorithm>
#include <cctype>
#include <cstdio>

namespace engine::jobs {
namespace fs = std::filesystem;

namespace {

bool is_partial_name(const std::string& name) {
    return !name.empty() && name[0] == '.' && name.find(".partial-") != std::string::npos;
}

// ".<stem>.partial-<pid><ext>" (engine::partial_path_for) -> "<stem><ext>"
std::string partial_base_name(const std::string& name) {
    const std::size_t marker = name.find(".partial-");
    std::size_t after = marker + 9;
    while (after < name.size() && std::isdigit(static_cast<unsigned char>(name[after])) != 0) {
        ++after;
    }
    return name.substr(1, marker - 1) + name.substr(after);
}

void remove_quietly(const fs::path& p) {
    std::error_code ec;
    fs::remove(p, ec);
    if (ec) {
        log_warning("could not remove " + path_string(p) + ": " + ec.message());
    }
}

bool parse_segment_name(const std::string& name, std::int64_t& first, std::int64_t& end) {
    long long a = 0;
    long long b = 0;
    char tail[8] = {};
    if (std::sscanf(name.c_str(), "seg_%lld_%lld.%7s", &a, &b, tail) != 3) {
        return false;
    }
    first = a;
    end = b;
    return std::string(tail) == "mkv";
}

// FFmpeg's name of the codec a sink writes (what a probe reports as VideoInfo::codec_name).
std::string probed_codec_name(io::VideoCodec codec) {
    switch (codec) {
        case io::VideoCodec::H264:
            return "h264";
        case io::VideoCodec::H265:
            return "hevc";
        case io::VideoCodec::AV1:
            return "av1";
        case io::VideoCodec::ProRes422HQ:
        case io::VideoCodec::ProRes4444:
            return "prores";
        case io::VideoCodec::FFV1:
            return "ffv1";
    }
    return "unknown";
}

// "audio:flac" entries of the streams an assembly copies (audio, subtitles, attachments), sorted.
std::vector<std::string> copied_streams(const io::VideoInfo& info) {
    std::vector<std::string> out;
    for (const auto& s : info.other_streams) {
        const char* kind = s.kind == io::StreamKind::Audio        ? "audio"
                           : s.kind == io::StreamKind::Subtitle   ? "subtitle"
                           : s.kind == io::StreamKind::Attachment ? "attachment"
                                                                  : nullptr;
        if (kind != nullptr) {
            out.push_back(std::string(kind) + ":" + s.codec_name);
        }
    }
    std::sort(out.begin(), out.end());
    return out;
}

std::string join(const std::vector<std::string>& items) {
    std::string out;
    for (const auto& item : items) {
        out += (out.empty() ? "" : ", ") + item;
    }
    return out.empty() ? "none" : out;
}

}  // namespace

Status verify_final_output(const JobSpec& spec,
                           const io::VideoInfo& source_info,
                           const IntermediateFormat& format,
                           std::int64_t frames) {
    auto options = final_sink_options(spec, source_info, format);
    if (!options.ok()) {
        return options.error();
    }
    auto differs = [&](const std::string& what) -> Status {
        return Error(ErrorCode::OutputVerificationFailed, "the existing output " + what)
            .with("path", path_string(spec.output));
    };
    io::SourceOptions so;
    so.input = spec.output;
    so.preferred_type = SampleType::U8;
    so.max_frames = 1;
    // Opening counts the packets of the whole stream and decodes the first frame.
    auto opened = io::open_source(so);
    if (!opened.ok()) {
        return opened.error();
    }
    const io::VideoInfo& info = (*opened)->info();
    const std::string codec = probed_codec_name(options->codec);
    if (info.codec_name != codec) {
        return differs("is " + info.codec_name + ", expected " + codec);
    }
    if (info.width != format.width || info.height != format.height) {
        return differs("is " + std::to_string(info.width) + "x" + std::to_string(info.height) +
                       ", expected " + std::to_string(format.width) + "x" +
                       std::to_string(format.height));
    }
    if (!info.frame_count_exact || info.frame_count != frames) {
        return differs("holds " + std::to_string(info.frame_count) + " frames" +
                       (info.frame_count_exact ? "" : " (estimated)") + ", expected " +
                       std::to_string(frames));
    }
    if (options->passthrough_from && spec.first_frame == 0) {
        const std::vector<std::string> wanted = copied_streams(source_info);
        const std::vector<std::string> found = copied_streams(info);
        if (wanted != found) {
            return differs("carries the streams " + join(found) + ", expected " + join(wanted));
        }
    }
    return {};
}

Result<ProbedSource> probe_source(const JobSpec& spec, const CancelToken& cancel) {
    io::SourceOptions so;
    so.input = spec.input;
    if (spec.input_fps) {
        so.sequence_fps = *spec.input_fps;
    }
    auto opened = io::open_source(so);
    if (!opened.ok()) {
        return opened.error();
    }
    std::unique_ptr<io::FrameSource> source = std::move(opened).value();
    ProbedSource probed;
    probed.info = source->info();
    probed.frames = probed.info.frame_count;
    if (!probed.info.frame_count_exact || probed.frames < 0) {
        // Rare (streams without a packet count): count by decoding once.
        probed.frames = 0;
        while (true) {
            auto next = source->next();
            if (!next.ok()) {
                return next.error();
            }
            if (!next->has_value()) {
                break;
            }
            ++probed.frames;
            if (cancel.is_cancelled()) {
                return Error(ErrorCode::Cancelled, "the job was cancelled");
            }
        }
    }
    if (probed.frames <= 0) {
        return Error(ErrorCode::ZeroFrames, "the input has no frames")
            .with("path", path_string(spec.input));
    }
    return probed;
}

SampleType preferred_sample_type(const io::VideoInfo& info) {
    if (info.codec_name == "exr") {
        return SampleType::F32;
    }
    return info.bit_depth <= 8 ? SampleType::U8 : SampleType::U16;
}

std::string output_extension(const JobSpec& spec) {
    const OutputSettings& o = spec.output_settings;
    if (!o.format.empty()) {
        return o.format;
    }
    if (o.mode == io::OutputMode::Video && spec.output.has_extension()) {
        std::string ext = spec.output.extension().u8string().substr(1);
        std::transform(ext.begin(), ext.end(), ext.begin(), ::tolower);
        return ext;
    }
    return o.mode == io::OutputMode::Pictures ? "png" : "mkv";
}

Result<io::SinkOptions> final_sink_options(const JobSpec& spec,
                                           const io::VideoInfo& info,
                                           const IntermediateFormat& format) {
    const OutputSettings& o = spec.output_settings;
    io::SinkOptions s;
    s.output = spec.output;
    s.mode = o.mode;
    s.width = format.width;
    s.height = format.height;
    s.overwrite = o.overwrite;
    s.color = info.color;
    s.hdr = info.hdr;
    s.frame_rate = format.frame_rate;
    s.time_base = format.time_base;
    s.name_digits = o.name_digits;
    const std::string ext = output_extension(spec);
    if (o.mode == io::OutputMode::Video) {
        if (ext != "mkv" && ext != "mp4" && ext != "mov") {
            return Error(ErrorCode::InvalidArgument,
                         "video output format '" + ext + "' is not one of mkv, mp4, mov")
                .with("option", "--output_format")
                .with("value", ext);
        }
        s.container = ext;
        s.codec = o.codec ? *o.codec
                          : (o.quality == io::QualityPreset::Lossless ? io::VideoCodec::FFV1
                                                                      : io::VideoCodec::H264);
        s.bit_depth = o.bit_depth > 0 ? o.bit_depth : (info.bit_depth > 8 ? 10 : 8);
        s.crf = o.crf;
        s.quality = o.quality;
        s.hardware_encoder = o.hardware_encoder;
        if (o.copy_streams && !io::is_image_sequence_input(spec.input)) {
            s.passthrough_from = spec.input;
        }
        return s;
    }
    if (ext == "png") {
        s.picture_format = io::PictureFormat::PNG;
        s.picture_bit_depth = o.bit_depth > 0 ? o.bit_depth : (info.bit_depth > 8 ? 16 : 8);
    } else if (ext == "dpx") {
        s.picture_format = io::PictureFormat::DPX;
        s.picture_bit_depth = o.bit_depth > 0 ? o.bit_depth : 10;
    } else if (ext == "exr") {
        s.picture_format = io::PictureFormat::EXR;
        s.picture_bit_depth = o.bit_depth > 0 ? o.bit_depth : 16;
        s.exr_compression = o.exr_compression;
    } else {
        return Error(ErrorCode::InvalidArgument,
                     "picture output format '" + ext + "' is not one of png, dpx, exr")
            .with("option", "--output_format")
            .with("value", ext);
    }
    return s;
}

Result<IntermediateFormat> intermediate_format(const JobSpec& spec, const io::VideoInfo& info) {
    IntermediateFormat f;
    f.width = info.width * spec.scale;
    f.height = info.height * spec.scale;
    if (spec.output_settings.fps) {
        f.frame_rate = *spec.output_settings.fps;
        f.time_base = Rational{spec.output_settings.fps->den, spec.output_settings.fps->num};
    } else {
        f.frame_rate = info.frame_rate;
        f.time_base = info.time_base;
    }
    auto sink = final_sink_options(spec, info, f);
    if (!sink.ok()) {
        return sink.error();
    }
    if (sink->mode == io::OutputMode::Pictures) {
        switch (sink->picture_format) {
            case io::PictureFormat::EXR:
                f.type = SampleType::F32;
                f.bit_depth = 32;
                break;
            case io::PictureFormat::DPX:
                f.type = SampleType::U16;
                f.bit_depth = sink->picture_bit_depth;
                break;
            case io::PictureFormat::PNG:
                f.type = sink->picture_bit_depth > 8 ? SampleType::U16 : SampleType::U8;
                f.bit_depth = sink->picture_bit_depth;
                break;
        }
    } else {
        f.type = sink->bit_depth > 8 ? SampleType::U16 : SampleType::U8;
        f.bit_depth = sink->bit_depth;
    }
    return f;
}

io::SinkOptions segment_sink_options(const fs::path& path,
                                     const IntermediateFormat& format,
                                     std::int64_t frames) {
    io::SinkOptions s;
    s.output = path;
    s.mode = io::OutputMode::Video;
    s.codec = io::VideoCodec::FFV1;
    s.container = "mkv";
    // 16-bit RGB keeps any 10/12/16-bit value exactly; 8-bit sources stay 8-bit (BGR0).
    s.bit_depth = format.type == SampleType::U8 ? 8 : 16;
    s.quality = io::QualityPreset::Lossless;
    s.hardware_encoder = false;
    s.width = format.width;
    s.height = format.height;
    s.frame_rate = format.frame_rate.valid() ? format.frame_rate : Rational{30, 1};
    s.time_base = format.time_base.valid() ? format.time_base : Rational{1, 30};
    s.expected_frames = frames;
    s.overwrite = true;  // a chunk the manifest does not list is a leftover
    return s;
}

std::string segment_file_name(const Segment& segment) {
    char name[64];
    std::snprintf(name, sizeof name, "seg_%010lld_%010lld.mkv",
                  static_cast<long long>(segment.first), static_cast<long long>(segment.end));
    return name;
}

std::string picture_file_name(const io::SinkOptions& options, std::int64_t index) {
    auto path = io::image_sequence_frame_path(options, index);
    return path.ok() ? path->filename().u8string() : std::string();
}

fs::path picture_folder(const io::SinkOptions& options) {
    auto path = io::image_sequence_frame_path(options, 0);
    return path.ok() ? path->parent_path() : options.output;
}

void remove_checkpoint(const fs::path& dir, bool private_dir, const fs::path& manifest_path) {
    std::error_code ec;
    if (private_dir) {
        engine::remove_tree(dir, ec);
        return;
    }
    auto manifest = read_manifest(manifest_path);
    if (manifest.ok() && manifest->has_value()) {
        for (const auto& r : (*manifest)->finished) {
            if ((*manifest)->spec.output_settings.mode == io::OutputMode::Video) {
                for (const auto& f : r.files) {
                    remove_quietly(dir / fs::u8path(f.name));
                }
            }
        }
    }
    remove_quietly(manifest_path);
}

void remove_unlisted_segment_files(const Manifest& manifest,
                                   const fs::path& dir,
                                   bool private_dir,
                                   const fs::path& pictures_dir) {
    const std::string manifest_name =
        manifest_file_name(manifest.spec.first_frame, manifest.spec.end_frame);
    auto in_range = [&](const std::string& name) {
        std::int64_t first = 0;
        std::int64_t end = 0;
        return parse_segment_name(name, first, end) && first >= manifest.plan.first &&
               end <= manifest.plan.end;
    };
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(dir, ec)) {
        const std::string name = entry.path().filename().u8string();
        if (is_partial_name(name)) {
            // Another range's writer may own a partial file in a shared folder: only ours go.
            const std::string base = partial_base_name(name);
            if (private_dir || in_range(base) || base == manifest_name) {
                remove_quietly(entry.path());
            }
        } else if (in_range(name)) {
            const bool listed = std::any_of(
                manifest.finished.begin(), manifest.finished.end(), [&](const SegmentRecord& r) {
                    return !r.files.empty() && r.files.front().name == name;
                });
            if (!listed) {
                remove_quietly(entry.path());
            }
        }
    }
    if (!pictures_dir.empty()) {
        for (const auto& entry : fs::directory_iterator(pictures_dir, ec)) {
            if (is_partial_name(entry.path().filename().u8string())) {
                remove_quietly(entry.path());
            }
        }
    }
}

void remove_partial_outputs(const fs::path& output) {
    const fs::path dir = output.parent_path().empty() ? fs::path(".") : output.parent_path();
    const std::string wanted = output.filename().u8string();
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(dir, ec)) {
        const std::string name = entry.path().filename().u8string();
        if (is_partial_name(name) && partial_base_name(name) == wanted) {
            remove_quietly(entry.path());
        }
    }
}

void remove_assembled_checkpoint(const fs::path& dir,
                                 bool private_dir,
                                 const std::vector<const Manifest*>& manifests,
                                 bool pictures) {
    std::error_code ec;
    if (private_dir) {
        std::vector<fs::path> entries;
        for (const auto& entry : fs::directory_iterator(dir, ec)) {
            entries.push_back(entry.path());
        }
        auto is_manifest = [](const fs::path& p) {
            return p.filename().u8string().rfind("manifest_", 0) == 0;
        };
        std::stable_partition(entries.begin(), entries.end(),
                              [&](const fs::path& p) { return !is_manifest(p); });
        for (const auto& p : entries) {
            std::error_code remove_error;
            engine::remove_tree(p, remove_error);
        }
        engine::remove_tree(dir, ec);
        return;
    }
    for (const Manifest* m : manifests) {
        if (!pictures) {
            for (const auto& r : m->finished) {
                for (const auto& f : r.files) {
                    remove_quietly(dir / fs::u8path(f.name));
                }
            }
        }
        remove_quietly(dir / ("report_" + std::to_string(m->spec.first_frame) + "_" +
                              std::to_string(m->spec.end_frame) + ".json"));
    }
    for (const Manifest* m : manifests) {
        remove_quietly(dir / manifest_file_name(m->spec.first_frame, m->spec.end_frame));
    }
    if (fs::is_empty(dir, ec)) {
        fs::remove(dir, ec);
    }
}

Result<double> measure_l_max(const JobSpec& spec,
                             SampleType type,
                             std::int64_t total_frames,
                             const CancelToken& cancel) {
    std::vector<std::int64_t> wanted = imaging::l_max_sample_indices(total_frames);
    io::SourceOptions so;
    so.input = spec.input;
    if (spec.input_fps) {
        so.sequence_fps = *spec.input_fps;
    }
    so.preferred_type = type;
    so.max_frames = wanted.empty() ? 0 : wanted.back() + 1;
    auto source = io::open_source(so);
    if (!source.ok()) {
        return source.error();
    }
    const ColorInfo color = (*source)->info().color;
    imaging::LmaxEstimator estimator;
    std::size_t next_wanted = 0;
    for (std::int64_t i = 0; next_wanted < wanted.size(); ++i) {
        if (cancel.is_cancelled()) {
            return Error(ErrorCode::Cancelled, "the job was cancelled");
        }
        auto frame = (*source)->next();
        if (!frame.ok()) {
            return frame.error();
        }
        if (!frame->has_value()) {
            break;
        }
        if (i == wanted[next_wanted]) {
            estimator.add(hdr_linear_frame(**frame, color, spec.threads));
            ++next_wanted;
        }
    }
    return estimator.l_max(spec.hdr.exposure);
}

}  // namespace engine::jobs
