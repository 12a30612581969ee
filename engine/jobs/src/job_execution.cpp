#include "job_execution.h"

#include "bounded_queue.h"
#include "engine/core/log.h"
#include "engine/core/paths.h"
#include "engine/gpu/device_info.h"
#include "engine/imaging/tone_mapping.h"
#include "engine/io/image_sequence.h"
#include "engine/jobs/processor.h"
#include "engine/jobs/scene_cuts.h"
#include "json_values.h"
#include "output_layout.h"
#include "run_report.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <deque>
#include <thread>

namespace engine::jobs {
namespace fs = std::filesystem;
using nlohmann::json;
using Clock = std::chrono::steady_clock;

namespace {

double ms_since(Clock::time_point start) {
    return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

Error cancelled_error() {
    return Error(ErrorCode::Cancelled, "the job was cancelled");
}

// Converts a processed frame to the type the segment stores (F32 -> integer rounds once).
Frame convert_frame(Frame frame, SampleType type, int bit_depth) {
    if (frame.type == type) {
        if (type != SampleType::F32) {
            frame.bit_depth = bit_depth;
        }
        return frame;
    }
    if (frame.type == SampleType::F32) {
        return from_float(frame, type, bit_depth);
    }
    return from_float(to_float(frame), type, bit_depth);
}

std::uint64_t file_size_or_zero(const fs::path& p) {
    std::error_code ec;
    auto s = fs::file_size(p, ec);
    return ec ? 0 : s;
}

// Checks one finished segment's files (size, then hash).
Status verify_segment_files(const SegmentRecord& record, const fs::path& folder) {
    for (const auto& f : record.files) {
        fs::path p = folder / fs::u8path(f.name);
        std::error_code ec;
        if (!fs::exists(p, ec)) {
            return Error(ErrorCode::FileNotFound, "segment file is missing")
                .with("path", path_string(p));
        }
        if (file_size_or_zero(p) != f.size_bytes) {
            return Error(ErrorCode::FileTruncated, "segment file has the wrong size")
                .with("path", path_string(p))
                .with("expected_bytes", std::to_string(f.size_bytes))
                .with("found_bytes", std::to_string(file_size_or_zero(p)));
        }
        auto hash = hash_file(p);
        if (!hash.ok()) {
            return hash.error();
        }
        if (*hash != f.hash) {
            return Error(ErrorCode::FileCorrupt, "segment file content changed")
                .with("path", path_string(p))
                .with("expected_hash", f.hash)
                .with("found_hash", *hash);
        }
    }
    return {};
}

// Decodes [first, end) of a source on its own thread into a bounded queue.
class DecodeStage {
  public:
    DecodeStage(std::unique_ptr<io::FrameSource> source, std::int64_t frames, std::size_t depth)
        : m_source(std::move(source)), m_frames(frames), m_queue(depth) {
        m_thread = std::thread([this] { run(); });
    }
    ~DecodeStage() { (void)stop(); }

    BoundedQueue<Frame>& queue() { return m_queue; }
    // Joins; the decode status (Ok when every wanted frame was delivered).
    Status stop() {
        m_queue.abort();
        if (m_thread.joinable()) {
            m_thread.join();
        }
        return m_status;
    }
    Status status_after_end() {
        if (m_thread.joinable()) {
            m_thread.join();
        }
        return m_status;
    }

  private:
    void run() {
        std::int64_t delivered = 0;
        while (delivered < m_frames) {
            auto next = m_source->next();
            if (!next.ok()) {
                m_status = next.error();
                break;
            }
            if (!next->has_value()) {
                m_status = Error(ErrorCode::FileTruncated,
                                 "the input ended after " + std::to_string(delivered) + " of " +
                                     std::to_string(m_frames) + " frames of this segment")
                               .with("path", path_string(m_source->info().path));
                break;
            }
            if (!m_queue.push(std::move(**next))) {
                break;  // aborted by the consumer
            }
            ++delivered;
        }
        m_queue.close();
    }

    std::unique_ptr<io::FrameSource> m_source;
    std::int64_t m_frames;
    BoundedQueue<Frame> m_queue;
    Status m_status;
    std::thread m_thread;
};

// Encodes frames from a bounded queue on its own thread.
class EncodeStage {
  public:
    EncodeStage(io::FrameSink& sink, std::size_t depth) : m_sink(sink), m_queue(depth) {
        m_thread = std::thread([this] { run(); });
    }
    ~EncodeStage() {
        m_queue.abort();
        if (m_thread.joinable()) {
            m_thread.join();
        }
    }
    // false once the encoder failed (its status says why).
    bool push(Frame frame) { return !m_failed.load() && m_queue.push(std::move(frame)); }
    bool failed() const { return m_failed.load(); }
    // Ends the stream and joins.
    Status finish() {
        m_queue.close();
        if (m_thread.joinable()) {
            m_thread.join();
        }
        return m_status;
    }

  private:
    void run() {
        while (auto frame = m_queue.pop()) {
            if (auto st = m_sink.write(*frame); !st.ok()) {
                m_status = st;
                m_failed = true;
                m_queue.abort();
                return;
            }
        }
    }

    io::FrameSink& m_sink;
    BoundedQueue<Frame> m_queue;
    Status m_status;
    std::atomic<bool> m_failed{false};
    std::thread m_thread;
};

constexpr std::size_t kQueueDepth = 4;

}  // namespace

JobExecution::JobExecution(JobSpec spec,
                           JobEvents events,
                           std::optional<CancelToken> external,
                           ProcessorFactory factory,
                           std::optional<DeviceResources> planning_device,
                           std::optional<std::uint64_t> work_folder_free_bytes)
    : m_spec(std::move(spec)),
      m_events(std::move(events)),
      m_external(std::move(external)),
      m_factory(factory ? std::move(factory) : ProcessorFactory(make_processor)),
      m_planning_device(std::move(planning_device)),
      m_work_folder_free_bytes(work_folder_free_bytes) {
    m_job_id = job_id_for(m_spec);
    m_checkpoint_dir = checkpoint_dir_for(m_spec);
    m_private_checkpoint_dir = m_spec.checkpoint_dir.empty();
    m_manifest_path = m_checkpoint_dir / manifest_file_name(m_spec.first_frame, m_spec.end_frame);
    m_started = Clock::now();
    m_last_progress = m_started - std::chrono::seconds(1);
}

bool JobExecution::is_cancelled() const {
    if (m_external && m_external->is_cancelled()) {
        m_cancel.cancel();
    }
    return m_cancel.is_cancelled();
}

Status JobExecution::check_cancelled() const {
    if (is_cancelled()) {
        return cancelled_error();
    }
    return {};
}

void JobExecution::emit_state(JobState state) {
    std::lock_guard<std::mutex> lock(m_event_mutex);
    if (m_events.on_state) {
        m_events.on_state(m_job_id, state);
    }
}

Error classify_device_error(Error error, const std::string& device) {
    if (error.code != ErrorCode::Internal) {
        return error;
    }
    // cudaGetErrorString texts (and the driver's) of failures after which the CUDA context of
    // the process is unusable.
    static const char* const kLost[] = {
        "an illegal memory access was encountered",
        "unspecified launch failure",
        "device-side assert triggered",
        "the launch timed out and was terminated",
        "GPU is lost",
        "uncorrectable ECC error encountered",
        "CUDA-capable device(s) is/are busy or unavailable",
        "cudaErrorDevicesUnavailable",
        "cudaErrorIllegalAddress",
        "cudaErrorLaunchFailure",
    };
    for (const char* text : kLost) {
        if (error.detail.find(text) != std::string::npos) {
            error.code = ErrorCode::DeviceLost;
            return error.with("device", device);
        }
    }
    return error;
}

std::vector<int> cuda_ordinals(const std::vector<std::string>& devices) {
    std::vector<int> out;
    for (const auto& d : devices) {
        int index = -1;
        if (d == "cuda") {
            index = 0;
        } else if (d.rfind("cuda:", 0) == 0) {
            index = std::atoi(d.c_str() + 5);
        }
        if (index >= 0 && std::find(out.begin(), out.end(), index) == out.end()) {
            out.push_back(index);
        }
    }
    return out;
}

std::vector<GpuMemory> update_gpu_peaks(std::vector<GpuMemory> readings,
                                        std::map<int, GpuMemory>& peaks) {
    for (GpuMemory& r : readings) {
        GpuMemory& peak = peaks[r.gpu_index];
        peak.gpu_index = r.gpu_index;
        peak.total_bytes = r.total_bytes;
        peak.used_bytes = std::max(peak.used_bytes, r.used_bytes);
        peak.peak_used_bytes = peak.used_bytes;
        r.peak_used_bytes = peak.used_bytes;
    }
    return readings;
}

void JobExecution::set_worker_devices(const std::vector<std::string>& devices) {
    std::lock_guard<std::mutex> lock(m_event_mutex);
    m_gpu_indices = cuda_ordinals(devices);
}

// Called with m_event_mutex held: NVML's view of the job's GPUs, and the peaks seen so far.
std::vector<GpuMemory> JobExecution::sample_gpu_memory() {
    if (m_gpu_indices.empty()) {
        return {};
    }
    const gpu::DeviceQuery q = gpu::query_devices();
    std::vector<GpuMemory> readings;
    for (int index : m_gpu_indices) {
        for (const auto& d : q.devices) {
            if (d.index == index) {
                readings.push_back({index, d.memory_used_bytes, d.memory_total_bytes, 0});
            }
        }
    }
    return update_gpu_peaks(std::move(readings), m_gpu_peaks);
}

void JobExecution::emit_progress(JobStage stage,
                                 int device_index,
                                 bool force,
                                 const std::string& stage_name) {
    std::lock_guard<std::mutex> lock(m_event_mutex);
    const auto now = Clock::now();
    const std::string name = stage_name.empty() ? std::string(job_stage_name(stage)) : stage_name;
    if (!force && stage == m_last_stage && name == m_last_stage_name &&
        now - m_last_progress < std::chrono::milliseconds(100)) {
        return;
    }
    m_last_progress = now;
    m_last_stage = stage;
    m_last_stage_name = name;
    std::vector<GpuMemory> gpu_memory = sample_gpu_memory();
    if (!m_events.on_progress) {
        return;
    }
    JobProgress p;
    p.job_id = m_job_id;
    p.stage = stage;
    p.stage_name = name;
    p.gpu_memory = std::move(gpu_memory);
    p.device_index = device_index;
    p.frames_total = m_manifest.plan.end - m_manifest.plan.first;
    p.segments_total = static_cast<int>(m_manifest.plan.segments.size());
    p.segments_done = m_segments_done.load();
    const double seconds =
        std::chrono::duration<double>(
            now - (stage == JobStage::Assembling ? m_started : m_upscale_started))
            .count();
    std::int64_t session_frames = 0;
    std::int64_t remaining = 0;
    if (stage == JobStage::Assembling || stage == JobStage::Done) {
        p.frames_done = stage == JobStage::Done ? p.frames_total : m_frames_assembled.load();
        session_frames = p.frames_done;
        remaining = p.frames_total - p.frames_done;
    } else {
        p.frames_done = m_frames_done.load();
        session_frames = m_frames_this_session.load();
        remaining = p.frames_total - p.frames_done;
    }
    if (stage == JobStage::Upscaling && seconds > 0.05 && session_frames > 0) {
        p.fps = double(session_frames) / seconds;
        p.eta_ms = static_cast<std::int64_t>(double(remaining) / p.fps * 1000.0);
    } else if (stage == JobStage::Done) {
        p.eta_ms = 0;
    }
    m_events.on_progress(p);
}

Result<std::vector<int>> JobExecution::prepare(int worker_index, const std::string& device) {
    const auto started = Clock::now();
    emit_progress(JobStage::Probing, worker_index, true);
    if (auto st = check_cancelled(); !st.ok()) {
        return st.error();
    }
    if (auto st = validate(m_spec); !st.ok()) {
        return st.error();
    }
    // The input: opening it probes the exact frame count (packet scan or file list).
    auto probed = probe_source(m_spec, m_cancel);
    if (!probed.ok()) {
        return probed.error();
    }
    m_source_info = probed->info;
    m_source_type = preferred_sample_type(m_source_info);
    const std::int64_t total = probed->frames;

    auto identity = identify_input_files(m_spec.input);
    if (!identity.ok()) {
        return identity.error();
    }
    InputIdentity input = std::move(identity).value();
    input.frame_count = total;
    input.width = m_source_info.width;
    input.height = m_source_info.height;

    ModelIdentity model;
    if (m_spec.upscaler == UpscalerKind::FlashVSR) {
        auto m = identify_model_folder(resolve_model_dir(m_spec));
        if (!m.ok()) {
            return m.error();
        }
        model = std::move(m).value();
    } else {
        model.kind = "builtin:" + std::string(upscaler_kind_name(m_spec.upscaler));
    }

    // Final output refused early, before hours of work, unless it may be replaced or it is this
    // job's own finished result: a run killed after the output's rename but before the
    // checkpoint was removed, or one that kept its checkpoint.
    const bool pictures = m_spec.output_settings.mode == io::OutputMode::Pictures;
    std::error_code ec;
    if (!pictures && m_spec.finish == FinishPolicy::Assemble && !m_spec.output_settings.overwrite &&
        fs::exists(m_spec.output, ec)) {
        Error exists = Error(ErrorCode::OutputExists, "the output file already exists")
                           .with("path", path_string(m_spec.output));
        if (m_spec.resume != ResumePolicy::Resume) {
            return exists;
        }
        auto finished = recognise_finished_output(input, model, total);
        if (!finished.ok()) {
            log_info("job " + m_job_id + ": the existing output is not this job's finished " +
                     "result: " + finished.error().to_string());
            return exists;
        }
        m_manifest = std::move(finished).value();
        m_already_done = true;
        m_frames_resumed = m_manifest.finished_frames();
        m_segments_resumed = static_cast<int>(m_manifest.finished.size());
        m_frames_done = m_frames_resumed;
        m_segments_done = m_segments_resumed;
        log_info("job " + m_job_id + ": already done: " + path_string(m_spec.output) +
                 " holds the finished result of this job (checkpoint " +
                 path_string(m_manifest_path) + "); nothing to redo, the output is kept as it is");
        m_prepare_ms = ms_since(started);
        m_upscale_started = Clock::now();
        return std::vector<int>{};
    }

    if (pictures) {
        auto final_options = final_sink_options(m_spec, m_source_info, IntermediateFormat());
        if (!final_options.ok()) {
            return final_options.error();
        }
        m_pictures_folder = picture_folder(*final_options);
    }
    if (m_spec.resume == ResumePolicy::CleanStart) {
        remove_checkpoint(m_checkpoint_dir, m_private_checkpoint_dir, m_manifest_path);
    }
    fs::create_directories(m_checkpoint_dir, ec);
    if (ec) {
        return Error(ErrorCode::OutputNotWritable,
                     "cannot create the checkpoint folder: " + ec.message())
            .with("path", path_string(m_checkpoint_dir));
    }

    const std::string fingerprint = settings_fingerprint(m_spec);
    auto existing = read_manifest(m_manifest_path);
    if (!existing.ok()) {
        Error e = existing.error();
        return e.with("hint", "--clean-checkpoint starts over");
    }
    const bool resuming = existing->has_value();
    const bool model_run = m_spec.upscaler == UpscalerKind::FlashVSR;

    // Segments. Scene cuts come from the checkpoint when resuming (detection is deterministic,
    // but the stored list is the record the finished segments were made with); else they are
    // detected once over the range plus the overlap context on both sides.
    PlanRequest request;
    request.total_frames = total;
    request.first = m_spec.first_frame;
    request.end = m_spec.end_frame;
    request.max_segment_frames = m_spec.segments.max_segment_frames;
    request.overlap = m_spec.segments.segment_overlap;
    request.min_segment_frames = m_spec.segments.min_segment_frames;
    request.min_segments = m_spec.segments.min_segments;
    if (resuming) {
        request.scene_cuts = (*existing)->plan.scene_cuts;
    } else if (model_run && m_spec.segments.scene_cuts) {
        const auto scene_started = Clock::now();
        const std::int64_t range_end =
            m_spec.end_frame < 0 ? total : std::min(m_spec.end_frame, total);
        const std::int64_t scan_first =
            std::max<std::int64_t>(0, m_spec.first_frame - m_spec.segments.segment_overlap);
        const std::int64_t scan_end = std::min(total, range_end + m_spec.segments.segment_overlap);
        emit_progress(JobStage::Measuring, worker_index, true, "detecting scene cuts");
        if (scan_first < scan_end) {
            auto cuts =
                detect_scene_cuts(m_spec, scan_first, scan_end, m_cancel, [&](std::int64_t) {
                    emit_progress(JobStage::Measuring, worker_index, false, "detecting scene cuts");
                });
            if (!cuts.ok()) {
                return cuts.error();
            }
            request.scene_cuts = std::move(cuts).value();
        }
        m_scene_ms = ms_since(scene_started);
        if (!request.scene_cuts.empty()) {
            log_info("job " + m_job_id + ": " + std::to_string(request.scene_cuts.size()) +
                     " scene cut(s) detected");
        }
    }

    // Tiles (FlashVSR): stored in the checkpoint when resuming; chosen by the planner for
    // tile_size 0 (calibrated on CUDA devices); else as the spec says. The planner also predicts
    // the run's resources for the report.
    TileChoice tiles;
    std::int64_t segment_cap = 0;  // the planner's tile-major cap on fed frames per segment
    if (model_run) {
        const auto plan_started = Clock::now();
        tiles = requested_tiles(m_spec);
        if (resuming && (*existing)->tiles) {
            tiles = *(*existing)->tiles;
            // The order changes no pixels: an explicit one of this run wins over the stored one.
            if (m_spec.model.tile_order != ModelTileOrder::Auto) {
                tiles.order = m_spec.model.tile_order;
            }
        }
        const bool choose = !resuming && tiles.tile_size == 0;
        InputProbe probe;
        probe.width = m_source_info.width;
        probe.height = m_source_info.height;
        probe.frames =
            (m_spec.end_frame < 0 ? total : std::min(m_spec.end_frame, total)) - m_spec.first_frame;
        probe.fps = m_source_info.frame_rate;
        probe.bit_depth = m_source_info.bit_depth;
        Result<DeviceResources> resources =
            m_planning_device
                ? Result<DeviceResources>(*m_planning_device)
                : query_device_resources(device.empty() ? m_spec.model.device : device);
        if (!resources.ok() && choose) {
            return resources.error();
        }
        if (resources.ok()) {
            PlannerOptions options;
            options.cancel = m_cancel;
            options.processor_factory = m_factory;
            options.work_folder_free_bytes = m_work_folder_free_bytes;
            JobSpec planned = m_spec;
            if (choose) {
                options.calibration =
                    resources->is_cuda ? CalibrationMode::Measure : CalibrationMode::Skip;
                emit_progress(JobStage::Probing, worker_index, true,
                              resources->is_cuda ? "calibrating" : "planning");
            } else {
                planned = apply_tiles(m_spec, tiles);
            }
            auto job_plan = plan_job(planned, probe, *resources, options);
            if (!job_plan.ok() && choose) {
                return job_plan.error();
            }
            if (job_plan.ok()) {
                if (choose) {
                    tiles = job_plan->tiles;
                    log_info("job " + m_job_id + ": " + job_plan->summary() + "; " +
                             job_plan->reason);
                } else if (tiles.tiled) {
                    // The planner resolved the order against the memory budget; left to itself
                    // the pipeline would decide from the device's free memory instead. Tile by
                    // tile holds one state: the batch says so (the manifest and report too).
                    if (tiles.order == ModelTileOrder::Auto) {
                        tiles.order = job_plan->tiles.order;
                    }
                    if (tiles.order == ModelTileOrder::TileMajor) {
                        tiles.batch_size = 1;
                    }
                }
                segment_cap = job_plan->max_segment_frames;
                std::lock_guard<std::mutex> lock(m_manifest_mutex);
                m_plan = std::move(job_plan).value();
            } else {
                log_warning("job " + m_job_id +
                            ": no resource prediction: " + job_plan.error().to_string());
            }
        } else {
            log_warning("job " + m_job_id +
                        ": no resource prediction: " + resources.error().to_string());
        }
        m_plan_ms = ms_since(plan_started);
    }

    // Segment lengths: a resume keeps the checkpoint's (the cap below depends on free disk, which
    // changes, and the finished segments were cut with the stored one); a fresh tile-major run is
    // capped by the planner so that its source frames (host memory) and scratch file (disk) stay
    // bounded however long the clip is.
    if (resuming) {
        request.max_segment_frames = (*existing)->plan.max_segment_frames;
    } else if (segment_cap > 0) {
        const std::int64_t asked =
            request.max_segment_frames > 0 ? request.max_segment_frames : kMaxFramesPerRun;
        if (segment_cap < asked) {
            request.max_segment_frames = segment_cap;
            log_info("job " + m_job_id + ": tile-major segments capped at " +
                     std::to_string(request.max_segment_frames) + " frames");
        }
    }
    auto plan = plan_segments(request);
    if (!plan.ok()) {
        return plan.error();
    }

    if (resuming) {
        Manifest& old = **existing;
        if (auto diffs = old.input.differences(input); !diffs.empty()) {
            Error e(ErrorCode::InputChanged, "the input changed since the checkpoint was made (" +
                                                 diffs.front() +
                                                 "); --clean-checkpoint starts over");
            e.with("path", path_string(m_spec.input))
                .with("checkpoint", path_string(m_manifest_path));
            for (const auto& d : diffs) {
                e.with("difference", d);
            }
            return e;
        }
        if (old.settings_fingerprint != fingerprint) {
            Error e(ErrorCode::CheckpointMismatch,
                    "the settings differ from the checkpoint's (fingerprint " +
                        old.settings_fingerprint + ", now " + fingerprint +
                        "); --clean-checkpoint starts over");
            e.with("checkpoint", path_string(m_manifest_path))
                .with("was", fingerprint_material(old.spec))
                .with("now", fingerprint_material(m_spec));
            return e;
        }
        if (auto diffs = old.model.differences(model); !diffs.empty()) {
            Error e(ErrorCode::CheckpointMismatch,
                    "the model files changed since the checkpoint was made (" + diffs.front() +
                        "); --clean-checkpoint starts over");
            e.with("checkpoint", path_string(m_manifest_path));
            for (const auto& d : diffs) {
                e.with("difference", d);
            }
            return e;
        }
        if (old.plan.segments != plan->segments) {
            return Error(ErrorCode::CheckpointMismatch,
                         "the checkpoint's segment plan differs from this run's; "
                         "--clean-checkpoint starts over")
                .with("checkpoint", path_string(m_manifest_path));
        }
        m_manifest = std::move(old);
        m_manifest.spec = m_spec;  // paths and execution settings of this run
        if (model_run) {
            // The stored tiles (absent: written before tiling existed, ran untiled), with this
            // run's tile order when it names one.
            m_manifest.tiles = tiles;
        }
        // Keep what is intact; a torn or missing segment (the crash hit while it was being
        // listed or later damage) is dropped and redone.
        const fs::path folder = pictures ? m_pictures_folder : m_checkpoint_dir;
        std::vector<SegmentRecord> kept;
        for (auto& record : m_manifest.finished) {
            if (auto st = verify_segment_files(record, folder); !st.ok()) {
                log_warning("job " + m_job_id + ": segment " + std::to_string(record.index) +
                            " is damaged and will be redone: " + st.error().to_string());
                continue;
            }
            kept.push_back(std::move(record));
        }
        const bool dropped = kept.size() != m_manifest.finished.size();
        m_manifest.finished = std::move(kept);
        if (dropped) {
            if (auto st = write_manifest(m_manifest_path, m_manifest); !st.ok()) {
                return st.error();
            }
        }
    } else {
        if (pictures && !m_spec.output_settings.overwrite) {
            // A fresh job must not replace frames someone else made.
            auto final_options = final_sink_options(m_spec, m_source_info, IntermediateFormat());
            if (!final_options.ok()) {
                return final_options.error();
            }
            for (std::int64_t i = plan->first; i < plan->end; ++i) {
                fs::path p = m_pictures_folder / fs::u8path(picture_file_name(*final_options, i));
                if (fs::exists(p, ec)) {
                    return Error(ErrorCode::OutputExists,
                                 "the output folder already holds frames of this range")
                        .with("path", path_string(p));
                }
            }
        }
        m_manifest = Manifest();
        m_manifest.job_id = m_job_id;
        m_manifest.spec = m_spec;
        m_manifest.settings_fingerprint = fingerprint;
        m_manifest.model = model;
        m_manifest.input = input;
        m_manifest.plan = std::move(plan).value();
        if (model_run) {
            m_manifest.tiles = tiles;
        }
        auto format = intermediate_format(m_spec, m_source_info);
        if (!format.ok()) {
            return format.error();
        }
        m_manifest.intermediate = *format;
        if (uses_tone_mapping(m_spec, m_source_info.color)) {
            if (m_spec.hdr.global_l_max) {
                m_manifest.hdr_l_max = *m_spec.hdr.global_l_max;
            } else {
                emit_progress(JobStage::Measuring, worker_index, true, "measuring HDR peak");
                auto l_max = measure_l_max(m_spec, m_source_type, total, m_cancel);
                if (!l_max.ok()) {
                    return l_max.error();
                }
                m_manifest.hdr_l_max = *l_max;
            }
        }
        if (auto st = write_manifest(m_manifest_path, m_manifest); !st.ok()) {
            return st.error();
        }
    }
    remove_unlisted_segment_files(m_manifest, m_checkpoint_dir, m_private_checkpoint_dir,
                                  pictures ? m_pictures_folder : fs::path());
    if (!pictures) {
        remove_partial_outputs(m_spec.output);
    }

    std::vector<int> pending;
    for (const auto& s : m_manifest.plan.segments) {
        if (!m_manifest.is_finished(s.index)) {
            pending.push_back(s.index);
        }
    }
    m_frames_resumed = m_manifest.finished_frames();
    m_segments_resumed = static_cast<int>(m_manifest.finished.size());
    m_frames_done = m_frames_resumed;
    m_segments_done = m_segments_resumed;
    m_prepare_ms = ms_since(started);
    m_upscale_started = Clock::now();
    emit_progress(JobStage::Upscaling, worker_index, true);
    return pending;
}

Result<Manifest> JobExecution::recognise_finished_output(const InputIdentity& input,
                                                         const ModelIdentity& model,
                                                         std::int64_t total_frames) {
    auto read = read_manifest(m_manifest_path);
    if (!read.ok()) {
        return read.error();
    }
    if (!read->has_value()) {
        return Error(ErrorCode::FileNotFound, "no checkpoint of this job")
            .with("path", path_string(m_manifest_path));
    }
    Manifest manifest = std::move(**read);
    const auto mismatch = [&](const std::string& what) {
        return Error(ErrorCode::CheckpointMismatch, "the checkpoint " + what)
            .with("checkpoint", path_string(m_manifest_path));
    };
    if (auto diffs = manifest.input.differences(input); !diffs.empty()) {
        return mismatch("was made from another input (" + diffs.front() + ")");
    }
    if (manifest.settings_fingerprint != settings_fingerprint(m_spec)) {
        return mismatch("was made with other settings");
    }
    if (auto diffs = manifest.model.differences(model); !diffs.empty()) {
        return mismatch("was made with other model files (" + diffs.front() + ")");
    }
    const std::int64_t end =
        m_spec.end_frame < 0 ? total_frames : std::min(m_spec.end_frame, total_frames);
    if (manifest.plan.first != m_spec.first_frame || manifest.plan.end != end) {
        return mismatch("covers another frame range");
    }
    for (const auto& segment : manifest.plan.segments) {
        if (!manifest.is_finished(segment.index)) {
            return mismatch("has unfinished segments (segment " + std::to_string(segment.index) +
                            ")");
        }
    }
    if (auto st = verify_final_output(m_spec, m_source_info, manifest.intermediate,
                                      end - manifest.plan.first);
        !st.ok()) {
        return st.error();
    }
    return manifest;
}

Status JobExecution::run_segment(int segment_index, int worker_index, const std::string& device) {
    if (auto st = check_cancelled(); !st.ok()) {
        return st;
    }
    const Segment segment = m_manifest.plan.segments.at(static_cast<std::size_t>(segment_index));
    const bool model_run = m_spec.upscaler == UpscalerKind::FlashVSR;
    TileChoice tiles;
    {
        std::lock_guard<std::mutex> lock(m_manifest_mutex);
        auto it = m_device_tiles.find(device);
        tiles = it != m_device_tiles.end() ? it->second : m_manifest.tiles.value_or(TileChoice{});
    }
    for (int retries = 0;; ++retries) {
        Status status = run_segment_once(segment, worker_index, device, tiles);
        if (!status.ok()) {
            status = classify_device_error(status.error(), device);
        }
        if (status.ok() || !model_run || status.error().code != ErrorCode::OutOfMemory ||
            is_cancelled()) {
            return status;
        }
        auto smaller = smaller_tiles(tiles, m_source_info.width, m_source_info.height);
        if (!smaller || retries >= kMaxOomRetries) {
            Error e = status.error();
            return e.with("tiles", tiles.describe())
                .with("oom_retries", std::to_string(retries))
                .with("segment", std::to_string(segment.index));
        }
        log_warning("job " + m_job_id + ": segment " + std::to_string(segment.index) + " on " +
                    device + " ran out of GPU memory with " + tiles.describe() +
                    "; retrying with " + smaller->describe() + " (" + status.error().detail + ")");
        {
            std::lock_guard<std::mutex> lock(m_manifest_mutex);
            m_oom_retries.push_back(
                {segment.index, device, tiles, *smaller, status.error().detail});
            m_device_tiles[device] = *smaller;
        }
        tiles = *smaller;
        emit_progress(JobStage::Upscaling, worker_index, true,
                      "retrying segment " + std::to_string(segment.index) + " with smaller tiles");
    }
}

Status JobExecution::run_segment_once(const Segment& segment,
                                      int worker_index,
                                      const std::string& device,
                                      const TileChoice& tiles) {
    const bool model_run = m_spec.upscaler == UpscalerKind::FlashVSR;
    const IntermediateFormat format = m_manifest.intermediate;
    const bool pictures = m_spec.output_settings.mode == io::OutputMode::Pictures;

    io::SourceOptions so;
    so.input = m_spec.input;
    if (m_spec.input_fps) {
        so.sequence_fps = *m_spec.input_fps;
    }
    so.first_frame = segment.input_first;
    so.max_frames = segment.input_frames();
    so.preferred_type = m_source_type;
    auto opened = io::open_source(so);
    if (!opened.ok()) {
        return opened.error();
    }

    ProcessorContext context;
    context.width = m_source_info.width;
    context.height = m_source_info.height;
    context.device = device;
    context.cancel = m_cancel;
    context.source_color = m_source_info.color;
    context.hdr_l_max = m_manifest.hdr_l_max;
    context.scratch_dir = m_checkpoint_dir;  // the job's work folder: its disk was planned for
    context.output_type = format.type;
    // A tile-major run hands no frame out until its last tile: its tile and chunk are the
    // progress meanwhile ("upscaling tile 3/10, chunk 5/12"). Other stages (a frame-major run's
    // chunks, the slices) show as frames done.
    context.on_stage = [this, worker_index](const std::string& stage) {
        if (stage.rfind("tile ", 0) == 0) {
            emit_progress(JobStage::Upscaling, worker_index, false, "upscaling " + stage);
        }
    };
    auto made = m_factory(model_run ? apply_tiles(m_spec, tiles) : m_spec, context);
    if (!made.ok()) {
        return made.error();
    }
    std::unique_ptr<FrameProcessor> processor = std::move(made).value();
    if (processor->output_width() != format.width || processor->output_height() != format.height) {
        return Error(ErrorCode::Internal, "processor output size differs from the plan")
            .with("width", std::to_string(processor->output_width()))
            .with("height", std::to_string(processor->output_height()));
    }
    {
        std::lock_guard<std::mutex> lock(m_manifest_mutex);
        m_processor_description = processor->description();
    }

    // Where this segment's frames go: a lossless chunk in the checkpoint folder, or the final
    // numbered pictures.
    io::SinkOptions sink_options;
    if (pictures) {
        auto final_options = final_sink_options(m_spec, m_source_info, format);
        if (!final_options.ok()) {
            return final_options.error();
        }
        sink_options = *final_options;
        // Other segments' frames share the folder: keep them (Resume), rewrite ours, and check
        // this segment's frames below instead of the folder's count.
        sink_options.expected_frames = -1;
    } else {
        sink_options = segment_sink_options(m_checkpoint_dir / segment_file_name(segment), format,
                                            segment.frames());
    }
    auto sink_opened = pictures
                           ? io::open_image_sequence_sink(sink_options, io::ExistingFrames::Resume)
                           : io::open_sink(sink_options);
    if (!sink_opened.ok()) {
        return sink_opened.error();
    }
    std::unique_ptr<io::FrameSink> sink = std::move(sink_opened).value();

    DecodeStage decode(std::move(opened).value(), segment.input_frames(), kQueueDepth);
    std::vector<std::int64_t> pts;
    pts.reserve(static_cast<std::size_t>(segment.frames()));
    std::vector<std::int64_t> input_pts;
    input_pts.reserve(static_cast<std::size_t>(segment.input_frames()));
    std::int64_t produced = 0;
    std::int64_t counted = 0;  // frames added to the job's counters by this attempt
    Status status;
    {
        EncodeStage encode(*sink, kQueueDepth);
        std::vector<Frame> ready;
        auto drain = [&]() -> Status {
            for (Frame& f : ready) {
                const std::int64_t index = segment.input_first + produced;
                ++produced;
                if (index < segment.first || index >= segment.end) {
                    continue;  // overlap context: fed, not kept
                }
                const std::int64_t frame_pts =
                    static_cast<std::size_t>(index - segment.input_first) < input_pts.size()
                        ? input_pts[static_cast<std::size_t>(index - segment.input_first)]
                        : f.pts;
                Frame out = convert_frame(std::move(f), format.type, format.bit_depth);
                out.index = index;
                out.pts = frame_pts;
                out.time_base = format.time_base;
                if (m_spec.output_settings.fps) {
                    out.pts = index - m_manifest.plan.first;
                }
                pts.push_back(out.pts);
                if (!encode.push(std::move(out))) {
                    return Error(ErrorCode::EncodeFailed, "the segment encoder stopped");
                }
                m_frames_done.fetch_add(1);
                m_frames_this_session.fetch_add(1);
                ++counted;
            }
            ready.clear();
            emit_progress(JobStage::Upscaling, worker_index, false);
            return {};
        };
        while (status.ok()) {
            if (is_cancelled()) {
                status = cancelled_error();
                break;
            }
            auto frame = decode.queue().pop();
            if (!frame) {
                break;
            }
            input_pts.push_back(frame->pts);
            status = processor->push(*frame, ready);
            if (status.ok()) {
                status = drain();
            }
        }
        if (status.ok()) {
            status = decode.status_after_end();
        }
        // finish() may hand the rest out in slices (a tile-major run reads its frames back from
        // the scratch file): each slice goes to the encoder before the next is asked for, until
        // a call appends nothing.
        while (status.ok()) {
            if (is_cancelled()) {
                status = cancelled_error();
                break;
            }
            status = processor->finish(ready);
            if (!status.ok() || ready.empty()) {
                break;
            }
            status = drain();
        }
        Status encoded = encode.finish();
        if (!encoded.ok() && (status.ok() || status.error().code == ErrorCode::EncodeFailed)) {
            status = encoded;  // the encoder's own error says more
        }
    }
    (void)decode.stop();
    if (status.ok() && produced != segment.input_frames()) {
        status =
            Error(ErrorCode::Internal, "the processor returned " + std::to_string(produced) +
                                           " frames for " + std::to_string(segment.input_frames()))
                .with("segment", std::to_string(segment.index));
    }
    if (status.ok()) {
        status = sink->finish();
    }
    if (!status.ok()) {
        sink->abort();
        m_frames_done.fetch_sub(counted);
        m_frames_this_session.fetch_sub(counted);
        return status;
    }

    // Durable now (the sink fsynced and renamed); describe it, then list it.
    SegmentRecord record;
    record.index = segment.index;
    record.first = segment.first;
    record.end = segment.end;
    std::vector<std::string> names;
    if (pictures) {
        for (std::int64_t i = segment.first; i < segment.end; ++i) {
            names.push_back(picture_file_name(sink_options, i));
        }
    } else {
        names.push_back(segment_file_name(segment));
        record.pts = std::move(pts);
    }
    if (model_run) {
        record.tiles = tiles;
    }
    const fs::path folder = pictures ? m_pictures_folder : m_checkpoint_dir;
    for (const auto& name : names) {
        fs::path p = folder / fs::u8path(name);
        auto hash = hash_file(p);
        if (!hash.ok()) {
            return hash.error();
        }
        record.files.push_back({name, file_size_or_zero(p), *hash});
    }
    {
        std::lock_guard<std::mutex> lock(m_manifest_mutex);
        m_manifest.add_finished(std::move(record));
        if (auto st = write_manifest(m_manifest_path, m_manifest); !st.ok()) {
            return st;
        }
    }
    m_segments_done.fetch_add(1);
    emit_progress(JobStage::Upscaling, worker_index, true);
    return {};
}

Status JobExecution::assemble(int worker_index) {
    const auto started = Clock::now();
    if (auto st = check_cancelled(); !st.ok()) {
        return st;
    }
    if (m_spec.finish == FinishPolicy::SegmentsOnly) {
        return {};
    }
    if (m_already_done) {
        m_assembled = true;  // by the run that was stopped before it could clean up
        return {};
    }
    emit_progress(JobStage::Assembling, worker_index, true);
    AssembleInputs inputs;
    inputs.spec = &m_spec;
    inputs.manifests = {&m_manifest};
    inputs.checkpoint_dir = m_checkpoint_dir;
    inputs.source_info = m_source_info;
    inputs.is_cancelled = [this] { return is_cancelled(); };
    inputs.on_frame = [&](std::int64_t written) {
        m_frames_assembled = written;
        emit_progress(JobStage::Assembling, worker_index, false);
    };
    Status st = assemble_segments(inputs);
    m_assemble_ms = ms_since(started);
    if (st.ok()) {
        m_assembled = true;
    }
    return st;
}

JobSummary JobExecution::finalize(const Status& status) {
    JobSummary summary;
    summary.job_id = m_job_id;
    if (status.ok()) {
        summary.state = JobState::Succeeded;
    } else if (status.error().code == ErrorCode::Cancelled) {
        summary.state = JobState::Cancelled;
        summary.error = status.error();
    } else {
        summary.state = JobState::Failed;
        summary.error = status.error();
    }
    summary.frames_total = m_manifest.plan.end - m_manifest.plan.first;
    summary.frames_processed = m_frames_this_session.load();
    summary.frames_resumed = m_frames_resumed;
    summary.segments_total = static_cast<int>(m_manifest.plan.segments.size());
    summary.segments_resumed = m_segments_resumed;
    if (m_assembled) {
        summary.output = m_spec.output;
    }
    summary.already_done = m_already_done && status.ok();
    std::vector<OomRetry> oom_retries;
    {
        std::lock_guard<std::mutex> lock(m_manifest_mutex);
        summary.plan = m_plan;
        summary.tiles = m_manifest.tiles.value_or(TileChoice{});
        summary.scene_cuts = m_manifest.plan.scene_cuts;
        oom_retries = m_oom_retries;
        summary.oom_retries = static_cast<int>(oom_retries.size());
    }

    json report;
    report["format"] = kRunReportFormat;
    report["command"] = "run";
    report["job_id"] = m_job_id;
    report["state"] = std::string(job_state_name(summary.state));
    report["already_done"] = summary.already_done;
    if (summary.error) {
        report["error"] = report_error(*summary.error);
    }
    report["spec"] = job_spec_to_value(m_spec);
    report["settings_fingerprint"] = settings_fingerprint(m_spec);
    report["versions"] = report_versions();
    {
        std::lock_guard<std::mutex> lock(m_manifest_mutex);
        report["processor"] = m_processor_description;
        // Hashing reads every weight file once more: only for a run that made the output.
        report["model"] =
            report_model(m_manifest.model, summary.state == JobState::Succeeded && !m_already_done
                                               ? HashFiles::Compute
                                               : HashFiles::Listed);
    }
    report["frames"] = {{"total", summary.frames_total},
                        {"processed", summary.frames_processed},
                        {"resumed", summary.frames_resumed}};
    report["segments"] = {{"total", summary.segments_total},
                          {"resumed", summary.segments_resumed},
                          {"done", m_segments_done.load()}};
    const double total_ms = ms_since(m_started);
    const double upscale_ms = std::max(0.0, total_ms - m_prepare_ms - m_assemble_ms);
    // Stages: prepare includes scene detection and planning (listed on their own too).
    report["timings_ms"] = {{"prepare", m_prepare_ms},   {"scene_detection", m_scene_ms},
                            {"planning", m_plan_ms},     {"upscale", upscale_ms},
                            {"assemble", m_assemble_ms}, {"total", total_ms}};
    report["fps"] = upscale_ms > 0 ? double(summary.frames_processed) / (upscale_ms / 1000.0) : 0.0;
    const std::int64_t peak_rss = peak_rss_bytes();
    json gpus = json::array();
    {
        std::lock_guard<std::mutex> lock(m_event_mutex);
        // One last sample, so a job too short for a throttled progress event has its GPUs too.
        (void)sample_gpu_memory();
        for (const auto& [index, peak] : m_gpu_peaks) {
            gpus.push_back({{"gpu_index", index},
                            {"peak_used_bytes", peak.used_bytes},
                            {"total_bytes", peak.total_bytes}});
        }
    }
    // GPU peaks are NVML's "used" (every process on the GPU) sampled at progress events.
    report["peak_memory"] = {{"process_rss_bytes", peak_rss}, {"gpus", gpus}};
    report["scene_cuts"] = summary.scene_cuts;
    if (m_spec.upscaler == UpscalerKind::FlashVSR) {
        report["tiles"] = tile_choice_to_value(summary.tiles);
    }
    json retries = json::array();
    for (const auto& r : oom_retries) {
        retries.push_back({{"segment", r.segment},
                           {"device", r.device},
                           {"from", tile_choice_to_value(r.from)},
                           {"to", tile_choice_to_value(r.to)},
                           {"detail", r.detail}});
    }
    report["oom_retries"] = retries;
    if (summary.plan) {
        const ResourcePrediction& p = summary.plan->prediction;
        std::uint64_t chunk_bytes = 0;
        {
            std::lock_guard<std::mutex> lock(m_manifest_mutex);
            if (m_spec.output_settings.mode == io::OutputMode::Video) {
                for (const auto& r : m_manifest.finished) {
                    for (const auto& f : r.files) {
                        chunk_bytes += f.size_bytes;
                    }
                }
            }
        }
        std::uint64_t gpu_peak = 0;
        for (const auto& g : gpus) {
            gpu_peak = std::max(gpu_peak, g.at("peak_used_bytes").get<std::uint64_t>());
        }
        report["plan"] = job_plan_to_value(*summary.plan);
        report["predicted_vs_actual"] = {
            {"peak_gpu_bytes", {{"predicted", p.peak_gpu_bytes}, {"actual", gpu_peak}}},
            {"peak_host_bytes", {{"predicted", p.peak_host_bytes}, {"actual", peak_rss}}},
            {"temp_disk_bytes", {{"predicted", p.temp_disk_bytes}, {"actual", chunk_bytes}}},
            {"upscale_seconds",
             {{"predicted", p.upscale_seconds}, {"actual", upscale_ms / 1000.0}}},
            {"assemble_seconds",
             {{"predicted", p.assemble_seconds}, {"actual", m_assemble_ms / 1000.0}}}};
    }
    report["input"] = {{"path", m_manifest.input.path},
                       {"frame_count", m_manifest.input.frame_count},
                       {"width", m_manifest.input.width},
                       {"height", m_manifest.input.height}};
    report["range"] = {{"first", m_manifest.plan.first}, {"end", m_manifest.plan.end}};

    // Next to the output when there is one; in the checkpoint folder otherwise.
    fs::path report_path =
        m_assembled ? fs::path(m_spec.output.u8string() + ".report.json")
                    : m_checkpoint_dir / ("report_" + std::to_string(m_spec.first_frame) + "_" +
                                          std::to_string(m_spec.end_frame) + ".json");
    std::error_code ec;
    if (m_already_done && fs::exists(report_path, ec)) {
        // The report of the run that made the output says more than this one's.
        summary.report_path = report_path;
    } else if (m_assembled || fs::is_directory(m_checkpoint_dir, ec)) {
        // A job that failed before it made a checkpoint folder leaves no report behind.
        if (auto st = write_file_atomically(report_path, report.dump(2)); st.ok()) {
            summary.report_path = report_path;
        } else {
            log_warning("could not write the run report: " + st.error().to_string());
        }
    }

    if (m_assembled && m_spec.retention == CheckpointRetention::RemoveWhenDone) {
        std::vector<const Manifest*> manifests = {&m_manifest};
        remove_assembled_checkpoint(m_checkpoint_dir, m_private_checkpoint_dir, manifests,
                                    m_spec.output_settings.mode == io::OutputMode::Pictures);
    }

    if (summary.error) {
        std::lock_guard<std::mutex> lock(m_event_mutex);
        if (m_events.on_error) {
            m_events.on_error(m_job_id, *summary.error);
        }
    }
    if (summary.state == JobState::Succeeded) {
        m_frames_assembled = summary.frames_total;
        emit_progress(JobStage::Done, -1, true, summary.already_done ? "already done" : "");
    }
    emit_state(summary.state);
    return summary;
}

Result<RangeCover> cover_range(const JobSpec& spec,
                               const std::vector<const Manifest*>& manifests,
                               const fs::path& checkpoint_dir) {
    if (manifests.empty()) {
        return Error(ErrorCode::Internal, "nothing to assemble");
    }
    // Segments of every manifest, in frame order; they must tile the spec's range exactly.
    std::vector<std::pair<const Manifest*, const SegmentRecord*>> records;
    for (const Manifest* m : manifests) {
        for (const auto& r : m->finished) {
            records.emplace_back(m, &r);
        }
    }
    std::sort(records.begin(), records.end(),
              [](const auto& a, const auto& b) { return a.second->first < b.second->first; });
    const std::int64_t total = manifests.front()->input.frame_count;
    RangeCover cover;
    cover.first = spec.first_frame;
    cover.end = spec.end_frame < 0 ? total : std::min(spec.end_frame, total);
    std::int64_t cursor = cover.first;
    for (const auto& item : records) {
        const SegmentRecord& r = *item.second;
        if (r.end <= cover.first || r.first >= cover.end) {
            continue;
        }
        if (r.first != cursor) {
            break;
        }
        cover.segments.push_back(item);
        cursor = r.end;
    }
    if (cursor != cover.end) {
        return Error(ErrorCode::CheckpointMismatch,
                     "the finished segments do not cover frames [" + std::to_string(cover.first) +
                         ", " + std::to_string(cover.end) + "): first missing frame " +
                         std::to_string(cursor))
            .with("checkpoint", path_string(checkpoint_dir))
            .with("missing_frame", std::to_string(cursor));
    }
    return cover;
}

Status assemble_segments(const AssembleInputs& in) {
    const JobSpec& spec = *in.spec;
    const bool pictures = spec.output_settings.mode == io::OutputMode::Pictures;
    auto covered = cover_range(spec, in.manifests, in.checkpoint_dir);
    if (!covered.ok()) {
        return covered.error();
    }
    const Manifest& reference = *in.manifests.front();
    const std::int64_t first = covered->first;
    const std::int64_t end = covered->end;
    const auto& used = covered->segments;
    if (pictures) {
        // The frames are the output already; check they are all there and intact.
        auto options = final_sink_options(spec, in.source_info, IntermediateFormat());
        if (!options.ok()) {
            return options.error();
        }
        const fs::path folder = picture_folder(*options);
        std::int64_t written = 0;
        for (const auto& [m, r] : used) {
            if (auto st = verify_segment_files(*r, folder); !st.ok()) {
                return st;
            }
            written += r->end - r->first;
            if (in.on_frame) {
                in.on_frame(written);
            }
        }
        return {};
    }

    auto options = final_sink_options(spec, in.source_info, reference.intermediate);
    if (!options.ok()) {
        return options.error();
    }
    options->expected_frames = end - first;
    // Streams of the source are copied only for output that starts with the source's first
    // frame; a later range would put them out of sync.
    if (first != 0) {
        options->passthrough_from.reset();
    }
    auto opened = io::open_sink(*options);
    if (!opened.ok()) {
        return opened.error();
    }
    std::unique_ptr<io::FrameSink> sink = std::move(opened).value();
    for (const auto& note : sink->notes()) {
        log_info("assembly: " + note);
    }
    const IntermediateFormat& format = reference.intermediate;
    auto fail = [&](Error e) -> Status {
        sink->abort();
        return e;
    };
    std::int64_t written = 0;
    for (const auto& [m, r] : used) {
        if (auto st = verify_segment_files(*r, in.checkpoint_dir); !st.ok()) {
            return fail(st.error());
        }
        io::SourceOptions so;
        so.input = in.checkpoint_dir / fs::u8path(r->files.front().name);
        so.preferred_type = format.type;
        auto source = io::open_source(so);
        if (!source.ok()) {
            return fail(source.error());
        }
        std::int64_t k = 0;
        while (true) {
            if (in.is_cancelled && in.is_cancelled()) {
                return fail(cancelled_error());
            }
            auto next = (*source)->next();
            if (!next.ok()) {
                return fail(next.error());
            }
            if (!next->has_value()) {
                break;
            }
            if (k >= r->end - r->first) {
                return fail(Error(ErrorCode::FileCorrupt, "a segment holds more frames than listed")
                                .with("path", path_string(so.input)));
            }
            Frame frame = std::move(**next);
            frame = convert_frame(std::move(frame), format.type, format.bit_depth);
            frame.index = r->first + k;
            frame.pts = r->pts.at(static_cast<std::size_t>(k));
            frame.time_base = format.time_base;
            if (auto st = sink->write(frame); !st.ok()) {
                return fail(st.error());
            }
            ++k;
            ++written;
            if (in.on_frame) {
                in.on_frame(written);
            }
        }
        if (k != r->end - r->first) {
            return fail(Error(ErrorCode::FileTruncated,
                              "a segment holds " + std::to_string(k) + " frames, " +
                                  std::to_string(r->end - r->first) + " listed")
                            .with("path", path_string(so.input)));
        }
    }
    if (auto st = sink->finish(); !st.ok()) {
        sink->abort();
        return st;
    }
    return {};
}

}  // namespace engine::jobs
