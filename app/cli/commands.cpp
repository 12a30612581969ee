#include "commands.h"

#include "engine/gpu/device_info.h"
#include "engine/io/media.h"
#include "engine/io/versions.h"
#include "engine/pipeline/runtime.h"
#include "processor.h"
#include "progress.h"

#include <algorithm>
#include <cstdio>
#include <thread>

namespace cli {
namespace fs = std::filesystem;
using engine::Error;
using engine::ErrorCode;
using engine::Frame;
using engine::SampleType;
using engine::Status;

namespace {

const char* kind_name(engine::io::StreamKind kind) {
    switch (kind) {
        case engine::io::StreamKind::Video:
            return "video";
        case engine::io::StreamKind::Audio:
            return "audio";
        case engine::io::StreamKind::Subtitle:
            return "subtitle";
        case engine::io::StreamKind::Data:
            return "data";
        case engine::io::StreamKind::Attachment:
            return "attachment";
        case engine::io::StreamKind::Unknown:
            return "unknown";
    }
    return "unknown";
}

std::string extension_of(const Options& o) {
    if (!o.output_format.empty()) {
        return o.output_format;
    }
    if (!o.output.empty() && o.output.has_extension()) {
        std::string ext = o.output.extension().u8string().substr(1);
        std::transform(ext.begin(), ext.end(), ext.begin(), ::tolower);
        return ext;
    }
    return o.output_mode == engine::io::OutputMode::Pictures ? "png" : "mkv";
}

// The sample type a sink should receive for the chosen format and depth.
SampleType sink_sample_type(const engine::io::SinkOptions& s) {
    if (s.mode == engine::io::OutputMode::Pictures) {
        switch (s.picture_format) {
            case engine::io::PictureFormat::EXR:
                return SampleType::F32;
            case engine::io::PictureFormat::DPX:
                return SampleType::U16;
            case engine::io::PictureFormat::PNG:
                return s.picture_bit_depth > 8 ? SampleType::U16 : SampleType::U8;
        }
    }
    return s.bit_depth > 8 ? SampleType::U16 : SampleType::U8;
}

engine::Result<engine::io::SinkOptions> sink_options(const Options& o,
                                                     const engine::io::VideoInfo& info,
                                                     int width,
                                                     int height) {
    engine::io::SinkOptions s;
    s.output = o.output.empty() ? default_output_path(o) : o.output;
    s.mode = o.output_mode;
    s.width = width;
    s.height = height;
    s.overwrite = o.overwrite;
    s.color = info.color;
    s.hdr = info.hdr;
    s.frame_rate = o.output_fps ? *o.output_fps : info.frame_rate;
    s.time_base =
        o.output_fps ? engine::Rational{o.output_fps->den, o.output_fps->num} : info.time_base;
    if (info.frame_count_exact) {
        s.expected_frames =
            o.max_frames >= 0 ? std::min(o.max_frames, info.frame_count) : info.frame_count;
    }
    const std::string ext = extension_of(o);
    if (s.mode == engine::io::OutputMode::Video) {
        if (ext != "mkv" && ext != "mp4" && ext != "mov") {
            Error e(ErrorCode::InvalidArgument,
                    "video output format '" + ext + "' is not one of mkv, mp4, mov");
            e.with("option", "--output_format").with("value", ext);
            return e;
        }
        s.container = ext;
        s.codec = o.codec;
        if (!o.codec_given && o.quality == engine::io::QualityPreset::Lossless) {
            s.codec = engine::io::VideoCodec::FFV1;
        }
        s.bit_depth = o.output_bit_depth > 0 ? o.output_bit_depth : (info.bit_depth > 8 ? 10 : 8);
        s.crf = o.crf;
        s.quality = o.quality;
        s.hardware_encoder = o.hardware_encoder;
        const bool video_input = info.container != "image2" && info.codec_name != "png" &&
                                 info.codec_name != "dpx" && info.codec_name != "exr";
        if (o.copy_streams && video_input) {
            s.passthrough_from = info.path;
        }
    } else {
        if (ext == "png") {
            s.picture_format = engine::io::PictureFormat::PNG;
            s.picture_bit_depth =
                o.output_bit_depth > 0 ? o.output_bit_depth : (info.bit_depth > 8 ? 16 : 8);
        } else if (ext == "dpx") {
            s.picture_format = engine::io::PictureFormat::DPX;
            s.picture_bit_depth = o.output_bit_depth > 0 ? o.output_bit_depth : 10;
        } else if (ext == "exr") {
            s.picture_format = engine::io::PictureFormat::EXR;
            s.picture_bit_depth = o.output_bit_depth > 0 ? o.output_bit_depth : 16;
            s.exr_compression = o.exr_compression;
        } else {
            Error e(ErrorCode::InvalidArgument,
                    "picture output format '" + ext + "' is not one of png, dpx, exr");
            e.with("option", "--output_format").with("value", ext);
            return e;
        }
    }
    return s;
}

}  // namespace

fs::path default_output_path(const Options& o) {
    fs::path dir = o.input.parent_path();
    std::string stem = o.input.stem().u8string();
    if (stem.find('%') != std::string::npos || fs::is_directory(o.input)) {
        stem = fs::is_directory(o.input) ? o.input.filename().u8string() : "frames";
        if (stem.empty()) {
            stem = o.input.parent_path().filename().u8string();
        }
    }
    std::string name = stem + "_" + std::to_string(o.scale) + "x";
    if (o.output_mode == engine::io::OutputMode::Pictures) {
        return dir / fs::u8path(name);
    }
    return dir / fs::u8path(name + "." + extension_of(o));
}

std::string version_text() {
    return "flashvsr 0.1.0 (FlashVSR Studio)\n" + engine::pipeline::torch_description() + "\n" +
           engine::io::media_library_versions() + "\n";
}

Status run_devices() {
    unsigned cores = std::thread::hardware_concurrency();
    std::printf("cpu      %u threads\n", cores);
    engine::gpu::DeviceQuery q = engine::gpu::query_devices();
    if (!q.driver_available) {
        std::printf("cuda     none (%s)\n", q.problem.c_str());
        return {};
    }
    if (q.devices.empty()) {
        std::printf("cuda     driver %s, no GPU found\n", q.driver_version.c_str());
    }
    for (const auto& d : q.devices) {
        std::printf("cuda:%d   %s  %s free of %s\n", d.index, d.name.c_str(),
                    engine::gpu::format_bytes(d.memory_free_bytes).c_str(),
                    engine::gpu::format_bytes(d.memory_total_bytes).c_str());
    }
    return {};
}

Status run_probe(const Options& o) {
    engine::io::SourceOptions so;
    so.input = o.input;
    if (o.input_fps) {
        so.sequence_fps = *o.input_fps;
    }
    auto source = engine::io::open_source(so);
    if (!source.ok()) {
        return source.error();
    }
    const auto& i = (*source)->info();
    std::printf("path        %s\n", i.path.u8string().c_str());
    std::printf("container   %s\n", i.container.c_str());
    std::printf("codec       %s (%s, %d-bit)\n", i.codec_name.c_str(), i.pixel_format.c_str(),
                i.bit_depth);
    std::printf("size        %dx%d%s\n", i.width, i.height,
                i.rotation_degrees
                    ? (" (rotated " + std::to_string(i.rotation_degrees) + ")").c_str()
                    : "");
    std::printf("frame rate  %d/%d%s\n", i.frame_rate.num, i.frame_rate.den,
                i.variable_frame_rate ? " (variable)" : "");
    std::printf("frames      %lld%s\n", static_cast<long long>(i.frame_count),
                i.frame_count_exact ? "" : " (estimate)");
    std::printf("duration    %.3f s\n", i.duration_seconds);
    std::printf("colour      primaries %d, transfer %d, matrix %d, range %d%s\n", i.color.primaries,
                i.color.transfer, i.color.matrix, i.color.range,
                i.color.is_pq()    ? " (HDR PQ)"
                : i.color.is_hlg() ? " (HDR HLG)"
                                   : "");
    if (i.hdr.mastering) {
        std::printf("mastering   max %.1f cd/m2, min %.4f cd/m2\n",
                    static_cast<double>(i.hdr.mastering->max_luminance) / 10000.0,
                    static_cast<double>(i.hdr.mastering->min_luminance) / 10000.0);
    }
    if (i.hdr.content_light) {
        std::printf("content     MaxCLL %d, MaxFALL %d\n", i.hdr.content_light->max_cll,
                    i.hdr.content_light->max_fall);
    }
    for (const auto& s : i.other_streams) {
        std::printf("stream %-4d %s %s%s%s\n", s.index, kind_name(s.kind), s.codec_name.c_str(),
                    s.language.empty() ? "" : " ", s.language.c_str());
    }
    if (i.chapter_count > 0) {
        std::printf("chapters    %d\n", i.chapter_count);
    }
    return {};
}

Status run_upscale(const Options& o, const engine::CancelToken& cancel) {
    engine::pipeline::set_cpu_threads(o.threads);
    engine::io::SourceOptions so;
    so.input = o.input;
    so.max_frames = o.max_frames;
    if (o.input_fps) {
        so.sequence_fps = *o.input_fps;
    }
    auto opened = engine::io::open_source(so);
    if (!opened.ok()) {
        return opened.error();
    }
    std::unique_ptr<engine::io::FrameSource> source = std::move(opened).value();
    const auto& info = source->info();

    auto made = make_processor(o, info.width, info.height, cancel);
    if (!made.ok()) {
        return made.error();
    }
    std::unique_ptr<FrameProcessor> processor = std::move(made).value();

    auto sopts = sink_options(o, info, processor->output_width(), processor->output_height());
    if (!sopts.ok()) {
        return sopts.error();
    }
    const HdrSource hdr = hdr_source_of(o, info);
    const bool linear_output = sopts->mode == engine::io::OutputMode::Pictures &&
                               sopts->picture_format == engine::io::PictureFormat::EXR;
    if (hdr != HdrSource::None || o.hdr_mode == HdrMode::ToneMapping) {
        auto wrapped = wrap_for_hdr(o, info, std::move(processor), linear_output);
        if (!wrapped.ok()) {
            return wrapped.error();
        }
        processor = std::move(wrapped).value();
        if (linear_output) {
            sopts->color.transfer = 8;  // linear light in the EXR frames
        }
    }
    const SampleType out_type = sink_sample_type(*sopts);
    const int out_depth =
        out_type == SampleType::F32 ? 32
        : out_type == SampleType::U16
            ? (sopts->mode == engine::io::OutputMode::Video ? sopts->bit_depth
                                                            : sopts->picture_bit_depth)
            : 8;
    auto sink_opened = engine::io::open_sink(*sopts);
    if (!sink_opened.ok()) {
        return sink_opened.error();
    }
    std::unique_ptr<engine::io::FrameSink> sink = std::move(sink_opened).value();
    for (const auto& note : sink->notes()) {
        std::fprintf(stderr, "flashvsr: note: %s\n", note.c_str());
    }
    if (!o.quiet) {
        std::fprintf(stderr, "flashvsr: %s %dx%d -> %dx%d with %s -> %s\n",
                     info.path.u8string().c_str(), info.width, info.height,
                     processor->output_width(), processor->output_height(),
                     processor->description().c_str(), sopts->output.u8string().c_str());
    }

    std::int64_t total = info.frame_count;
    if (o.max_frames >= 0 && (total < 0 || total > o.max_frames)) {
        total = o.max_frames;
    }
    ProgressBar progress(total, !o.quiet);
    std::int64_t frames_in = 0;
    std::int64_t frames_out = 0;
    std::vector<Frame> ready;

    auto fail = [&](const Error& e) -> Status {
        sink->abort();
        return e;
    };
    auto drain = [&]() -> Status {
        for (Frame& f : ready) {
            if (o.output_fps) {
                f.pts = f.index;
                f.time_base = sopts->time_base;
            }
            Frame converted = f.type == out_type ? std::move(f)
                              : f.type == SampleType::F32
                                  ? engine::from_float(f, out_type, out_depth)
                                  : engine::from_float(engine::to_float(f), out_type, out_depth);
            if (auto st = sink->write(converted); !st.ok()) {
                return st;
            }
            ++frames_out;
        }
        ready.clear();
        progress.update(frames_out);
        return {};
    };

    while (true) {
        if (cancel.is_cancelled()) {
            return fail(Error(ErrorCode::Cancelled, "interrupted"));
        }
        auto next = source->next();
        if (!next.ok()) {
            return fail(next.error());
        }
        if (!next->has_value()) {
            break;
        }
        ++frames_in;
        if (auto st = processor->push(**next, ready); !st.ok()) {
            return fail(st.error());
        }
        if (auto st = drain(); !st.ok()) {
            return fail(st.error());
        }
    }
    if (frames_in == 0) {
        Error e(ErrorCode::ZeroFrames, "the input produced no frames");
        e.with("path", info.path.u8string());
        return fail(e);
    }
    if (auto st = processor->finish(ready); !st.ok()) {
        return fail(st.error());
    }
    if (auto st = drain(); !st.ok()) {
        return fail(st.error());
    }
    if (frames_out != frames_in) {
        Error e(ErrorCode::OutputVerificationFailed,
                std::to_string(frames_out) + " frames produced for " + std::to_string(frames_in) +
                    " input frames");
        e.with("path", sopts->output.u8string());
        return fail(e);
    }
    if (auto st = sink->finish(); !st.ok()) {
        sink->abort();
        return st;
    }
    progress.finish(frames_out);
    if (!o.quiet) {
        std::fprintf(stderr, "flashvsr: wrote %lld frames to %s\n",
                     static_cast<long long>(frames_out), sopts->output.u8string().c_str());
    }
    return {};
}

}  // namespace cli
