#include "ui/bridge/checkpoint_progress.h"

#include "engine/jobs/manifest.h"

namespace ui {

CheckpointProgress readCheckpointProgress(const engine::jobs::JobSpec& spec) {
    CheckpointProgress progress;
    std::error_code ec;
    const std::filesystem::path folder = engine::jobs::checkpoint_dir_for(spec);
    if (!std::filesystem::is_directory(folder, ec)) {
        return progress;
    }
    for (const auto& path : engine::jobs::list_manifests(folder)) {
        auto manifest = engine::jobs::read_manifest(path);
        if (!manifest.ok()) {
            progress.problem = QString::fromStdString(manifest.error().to_string());
            continue;
        }
        if (!manifest->has_value()) {
            continue;
        }
        const engine::jobs::Manifest& m = **manifest;
        progress.found = true;
        progress.framesDone += m.finished_frames();
        progress.framesTotal += std::max<std::int64_t>(0, m.plan.end - m.plan.first);
    }
    return progress;
}

}  // namespace ui
