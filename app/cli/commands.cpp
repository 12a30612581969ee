#include "commands.h"

#include "engine/core/paths.h"
#include "engine/gpu/device_info.h"
#include "engine/io/media.h"
#include "engine/io/versions.h"
#include "engine/jobs/job_queue.h"
#include "engine/jobs/manifest.h"
#include "engine/jobs/planner.h"
#include "engine/pipeline/runtime.h"
#include "plan_text.h"
#include "progress.h"

#include <algorithm>
#include <condition_variable>
#include <cstdio>
#include <fstream>
#include <functional>
#include <mutex>
#include <optional>
#include <sstream>
#include <thread>

namespace cli {
namespace fs = std::filesystem;
using engine::Error;
using engine::ErrorCode;
using engine::Status;
using engine::jobs::JobSpec;
using engine::jobs::JobSummary;

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

void note(const Options& o, const std::string& text) {
    if (!o.quiet) {
        std::fprintf(stderr, "flashvsr: note: %s\n", text.c_str());
    }
}

// The CUDA devices "all" stands for, or the listed workers.
std::vector<std::string> expand_devices(const std::vector<std::string>& devices) {
    std::vector<std::string> out;
    for (const auto& d : devices) {
        if (d == "all") {
            for (const auto& g : engine::gpu::query_devices().devices) {
                out.push_back("cuda:" + std::to_string(g.index));
            }
        } else {
            out.push_back(d);
        }
    }
    return out;
}

// The manifest of this job and range in its checkpoint folder, if one exists and is readable.
std::optional<engine::jobs::Manifest> existing_manifest(const JobSpec& spec) {
    const fs::path path = engine::jobs::checkpoint_dir_for(spec) /
                          engine::jobs::manifest_file_name(spec.first_frame, spec.end_frame);
    auto read = engine::jobs::read_manifest(path);
    if (!read.ok() || !read->has_value()) {
        return std::nullopt;
    }
    return std::move(**read);
}

Status check_hdr_transfer(const JobSpec& spec, HdrTransfer wanted) {
    engine::io::SourceOptions so;
    so.input = spec.input;
    if (spec.input_fps) {
        so.sequence_fps = *spec.input_fps;
    }
    auto source = engine::io::open_source(so);
    if (!source.ok()) {
        return source.error();
    }
    const engine::ColorInfo& color = (*source)->info().color;
    const bool conversion = (wanted == HdrTransfer::Hlg && color.is_pq()) ||
                            (wanted == HdrTransfer::Hdr10 && color.is_hlg());
    if (conversion) {
        Error e(ErrorCode::InvalidArgument,
                std::string("option --hdr_transfer: the output keeps the source's transfer (") +
                    (color.is_pq() ? "PQ, i.e. HDR10" : "HLG") +
                    "); converting between PQ and HLG is not supported");
        return e.with("option", "--hdr_transfer");
    }
    return {};
}

// Runs `body` on a second thread while this thread draws the job's progress.
template <typename T>
T with_progress(ProgressView& view, std::function<T()> body) {
    std::mutex mutex;
    std::condition_variable cv;
    bool done = false;
    std::optional<T> result;
    std::thread runner([&] {
        T value = body();
        std::lock_guard<std::mutex> lock(mutex);
        result = std::move(value);
        done = true;
        cv.notify_all();
    });
    {
        std::unique_lock<std::mutex> lock(mutex);
        while (!done) {
            cv.wait_for(lock, std::chrono::milliseconds(100));
            lock.unlock();
            view.draw_if_due();
            lock.lock();
        }
    }
    runner.join();
    view.finish();
    return std::move(*result);
}

engine::jobs::JobEvents events_for(ProgressView& view) {
    engine::jobs::JobEvents events;
    events.on_progress = [&view](const engine::jobs::JobProgress& p) { view.post(p); };
    return events;
}

// Puts the run report where --report asks (the engine writes it beside the output, or into the
// checkpoint folder for a range run).
Status move_report(const JobSummary& summary, const std::optional<fs::path>& wanted) {
    if (!wanted || summary.report_path.empty() || summary.report_path == *wanted) {
        return {};
    }
    std::ifstream in(summary.report_path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    if (auto st = engine::write_file_atomically(*wanted, text.str()); !st.ok()) {
        return st;
    }
    std::error_code ec;
    fs::remove(summary.report_path, ec);
    return {};
}

// Without --quiet: "wrote N frames to X" when `wrote_output`, and where the run report is.
void print_written(const Options& o, const JobSummary& summary, bool wrote_output) {
    if (o.quiet) {
        return;
    }
    if (wrote_output) {
        std::fprintf(stderr, "flashvsr: wrote %lld frames to %s\n",
                     static_cast<long long>(summary.frames_total),
                     engine::path_string(summary.output).c_str());
    }
    const fs::path report = o.report ? *o.report : summary.report_path;
    if (!report.empty()) {
        std::fprintf(stderr, "flashvsr: report %s\n", engine::path_string(report).c_str());
    }
}

std::string range_text(const JobSpec& spec) {
    return "[" + std::to_string(spec.first_frame) + ", " +
           (spec.end_frame < 0 ? std::string("end") : std::to_string(spec.end_frame)) + ")";
}

}  // namespace

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
    so.input = o.spec.input;
    if (o.spec.input_fps) {
        so.sequence_fps = *o.spec.input_fps;
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

engine::Result<JobSpec> resolve_job(const Options& o) {
    auto finalized = finalize_job_spec(o);
    if (!finalized.ok()) {
        return finalized.error();
    }
    JobSpec spec = std::move(finalized).value();
    if (o.multi_gpu) {
        // CY's --multi_gpu: one segment per GPU even for short clips. The split changes segment
        // boundaries (part of the settings fingerprint), so a resume keeps the first run's split
        // whatever the GPU count is now.
        const int workers = std::max<int>(1, static_cast<int>(expand_devices(spec.devices).size()));
        spec.segments.min_segments = workers;
        if (spec.resume == engine::jobs::ResumePolicy::Resume) {
            if (auto m = existing_manifest(spec);
                m && m->spec.segments.min_segments != spec.segments.min_segments) {
                spec.segments.min_segments = m->spec.segments.min_segments;
            }
        }
    }
    if (o.hdr_transfer) {
        if (auto st = check_hdr_transfer(spec, *o.hdr_transfer); !st.ok()) {
            return st.error();
        }
    }
    return spec;
}

// The spec a run or an assembly works on, with its CPU thread count applied; nullopt when
// --print-job asked only to print it (printed here).
engine::Result<std::optional<JobSpec>> job_to_run(const Options& o) {
    auto resolved = resolve_job(o);
    if (!resolved.ok()) {
        return resolved.error();
    }
    if (o.print_job) {
        std::printf("%s\n", engine::jobs::to_json(*resolved).c_str());
        return std::optional<JobSpec>();
    }
    engine::pipeline::set_cpu_threads(resolved->threads);
    return std::optional<JobSpec>(std::move(resolved).value());
}

Status run_upscale(const Options& o, const engine::CancelToken& cancel) {
    auto prepared = job_to_run(o);
    if (!prepared.ok()) {
        return prepared.error();
    }
    if (!prepared->has_value()) {
        return {};  // --print-job printed it
    }
    const JobSpec spec = std::move(**prepared);
    for (const auto& n : o.compatibility_notes) {
        note(o, n);
    }
    const fs::path checkpoint = engine::jobs::checkpoint_dir_for(spec);
    if (!o.quiet) {
        std::fprintf(stderr, "flashvsr: %s frames %s -> %s (%s x%d); checkpoint %s\n",
                     engine::path_string(spec.input).c_str(), range_text(spec).c_str(),
                     engine::path_string(spec.output).c_str(),
                     std::string(engine::jobs::upscaler_kind_name(spec.upscaler)).c_str(),
                     spec.scale, engine::path_string(checkpoint).c_str());
    }
    ProgressView view(!o.quiet);
    auto result = with_progress<engine::Result<JobSummary>>(
        view, [&] { return engine::jobs::run_job(spec, events_for(view), cancel); });
    if (!result.ok()) {
        Error e = result.error();
        if (e.code == ErrorCode::Cancelled) {
            e.with("checkpoint", engine::path_string(checkpoint));
        }
        if (e.code == ErrorCode::CheckpointMismatch || e.code == ErrorCode::InputChanged ||
            e.code == ErrorCode::ManifestCorrupt) {
            e.with("checkpoint", engine::path_string(checkpoint));
        }
        return e;
    }
    const JobSummary& summary = *result;
    if (auto st = move_report(summary, o.report); !st.ok()) {
        return st;
    }
    if (!o.quiet) {
        if (summary.segments_resumed > 0 && !summary.already_done) {
            std::fprintf(stderr, "flashvsr: resumed: %d of %d segments (%lld frames) were done\n",
                         summary.segments_resumed, summary.segments_total,
                         static_cast<long long>(summary.frames_resumed));
        }
        if (summary.already_done) {
            std::fprintf(stderr,
                         "flashvsr: already done: %s holds the finished result of this job "
                         "(%lld frames, verified); nothing was redone and it was left as it is\n",
                         engine::path_string(summary.output).c_str(),
                         static_cast<long long>(summary.frames_total));
        } else if (spec.finish == engine::jobs::FinishPolicy::SegmentsOnly) {
            std::fprintf(stderr,
                         "flashvsr: frames %s done: %d segments in %s; join the ranges with "
                         "'flashvsr assemble' and the same options\n",
                         range_text(spec).c_str(), summary.segments_total,
                         engine::path_string(checkpoint).c_str());
        }
    }
    print_written(o, summary,
                  !summary.already_done && spec.finish != engine::jobs::FinishPolicy::SegmentsOnly);
    return {};
}

Status run_assemble(const Options& o, const engine::CancelToken& cancel) {
    auto prepared = job_to_run(o);
    if (!prepared.ok()) {
        return prepared.error();
    }
    if (!prepared->has_value()) {
        return {};  // --print-job printed it
    }
    const JobSpec spec = std::move(**prepared);
    const fs::path checkpoint = engine::jobs::checkpoint_dir_for(spec);
    if (!o.quiet) {
        std::fprintf(stderr, "flashvsr: assembling frames %s from %s -> %s\n",
                     range_text(spec).c_str(), engine::path_string(checkpoint).c_str(),
                     engine::path_string(spec.output).c_str());
    }
    ProgressView view(!o.quiet);
    auto result = with_progress<engine::Result<JobSummary>>(
        view, [&] { return engine::jobs::assemble_job(spec, events_for(view), cancel); });
    if (!result.ok()) {
        Error e = result.error();
        return e.with("checkpoint", engine::path_string(checkpoint));
    }
    if (auto st = move_report(*result, o.report); !st.ok()) {
        return st;
    }
    if (!o.quiet && result->already_done) {
        std::fprintf(stderr,
                     "flashvsr: already done: %s holds the assembly of these segments (%lld "
                     "frames, verified); it was left as it is\n",
                     engine::path_string(result->output).c_str(),
                     static_cast<long long>(result->frames_total));
    }
    print_written(o, *result, !result->already_done);
    return {};
}

Status run_plan(const Options& o, const engine::CancelToken& cancel) {
    auto resolved = resolve_job(o);
    if (!resolved.ok()) {
        return resolved.error();
    }
    const JobSpec spec = std::move(resolved).value();
    engine::pipeline::set_cpu_threads(spec.threads);
    auto input = engine::jobs::probe_input(spec);
    if (!input.ok()) {
        return input.error();
    }
    // The planner predicts for one worker; with several, every worker holds one replica.
    std::vector<std::string> devices = expand_devices(spec.devices);
    std::string device = devices.empty() ? (spec.upscaler == engine::jobs::UpscalerKind::FlashVSR
                                                ? spec.model.device
                                                : std::string("cpu"))
                                         : devices.front();
    auto resources = engine::jobs::query_device_resources(device);
    if (!resources.ok()) {
        return resources.error();
    }
    engine::jobs::PlannerOptions planner;
    planner.calibration =
        o.calibrate ? engine::jobs::CalibrationMode::Measure : engine::jobs::CalibrationMode::Skip;
    planner.cancel = cancel;
    auto plan = engine::jobs::plan_job(spec, *input, *resources, planner);
    if (!plan.ok()) {
        return plan.error();
    }
    std::fputs(plan_text(spec, *plan, static_cast<int>(devices.size())).c_str(), stdout);
    return {};
}

}  // namespace cli
