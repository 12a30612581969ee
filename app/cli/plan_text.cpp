#include "plan_text.h"

#include "engine/core/paths.h"
#include "engine/gpu/device_info.h"
#include "progress.h"

#include <cstdio>

namespace cli {
namespace {

std::string bytes(std::uint64_t b) {
    return engine::gpu::format_bytes(b);
}

std::string line(const char* label, const std::string& text) {
    char head[16];
    std::snprintf(head, sizeof head, "%-13s", label);
    return head + text + "\n";
}

}  // namespace

std::string tile_order_text(const engine::jobs::JobPlan& plan) {
    if (!plan.tiles.tiled) {
        return "untiled";
    }
    if (plan.tiles.tile_major(plan.tiles_per_frame)) {
        return "tile by tile (one tile state on the GPU, frames come out when a segment is done)";
    }
    return "frame by frame";
}

std::string plan_text(const engine::jobs::JobSpec& spec,
                      const engine::jobs::JobPlan& p,
                      int workers) {
    const engine::jobs::ResourcePrediction& r = p.prediction;
    std::string text = p.summary() + "\n";
    text += line(
        "input",
        std::to_string(p.input.width) + "x" + std::to_string(p.input.height) + ", " +
            std::to_string(p.input.frames) + " frames [" + std::to_string(spec.first_frame) + ", " +
            (spec.end_frame < 0 ? std::string("end") : std::to_string(spec.end_frame)) + ")");
    text += line("output", std::to_string(p.input.width * spec.scale) + "x" +
                               std::to_string(p.input.height * spec.scale) + " -> " +
                               engine::path_string(spec.output));
    text += line("device", p.device.device + " (" + p.device.name + ")" +
                               (workers > 1 ? ", one of " + std::to_string(workers) + " workers"
                                            : std::string()));
    text += line("tiles", p.tiles.describe() + (p.auto_tiles ? " (chosen by auto)" : "") + ", " +
                              std::to_string(p.tiles_per_frame) + " per frame");
    if (spec.upscaler == engine::jobs::UpscalerKind::FlashVSR) {
        std::string order = tile_order_text(p);
        if (p.tiles.tiled && spec.model.tile_order == engine::jobs::ModelTileOrder::Auto) {
            order += " (chosen by auto)";
        }
        text += line("tile order", order);
    }
    if (!p.reason.empty()) {
        text += line("why", p.reason);
    }
    text += line("budget", bytes(p.budget_bytes) +
                               (p.fits ? "" : " (does not fit even with the smallest tiles)"));
    text += line("peak GPU", bytes(r.peak_gpu_bytes) + " (weights " + bytes(r.weights_bytes) +
                                 ", state " + bytes(r.state_bytes) + ", activations " +
                                 bytes(r.activation_bytes) + ", canvases " + bytes(r.canvas_bytes) +
                                 ")");
    std::string host = bytes(r.peak_host_bytes);
    if (r.segment_frames_bytes > 0) {
        host += " (source frames of a segment " + bytes(r.segment_frames_bytes) + ")";
    }
    text += line("peak host", host);
    std::string disk = bytes(r.temp_disk_bytes);
    if (r.scratch_disk_bytes > 0) {
        disk += " (scratch " + bytes(r.scratch_disk_bytes) + " of " +
                bytes(p.work_folder_free_bytes) + " free in the work folder)";
    }
    text += line("temp disk", disk);
    if (p.max_segment_frames > 0) {
        const std::int64_t asked = spec.segments.max_segment_frames > 0
                                       ? spec.segments.max_segment_frames
                                       : engine::jobs::kMaxFramesPerRun;
        text +=
            line("segments", "at most " + std::to_string(std::min(asked, p.max_segment_frames)) +
                                 " frames each (tile by tile: host memory and scratch disk)");
    }
    text += line("time", ProgressView::format_duration(r.total_seconds()) + " (upscale " +
                             ProgressView::format_duration(r.upscale_seconds) + ", assemble " +
                             ProgressView::format_duration(r.assemble_seconds) + ")");
    text += line("basis", p.basis == engine::jobs::PredictionBasis::Calibrated
                              ? "calibrated on the device"
                              : "analytic model (--calibrate measures first)");
    return text;
}

}  // namespace cli
