#pragma once
// Parameter panel values (ui/settings/parameters.h) -> engine::jobs::JobSpec. Every catalog
// entry has a JobSpec field, except the two GUI-only naming entries (output_folder,
// output_pattern), which decide the output path passed in. The frame range comes from
// max_frames (first_frame 0) unless the caller sets first_frame / end_frame afterwards (the
// viewer's in/out points). JobSpec fields with no panel entry keep the engine defaults
// (min_segment_frames, min_segments, devices, resume and finish policies, checkpoint_dir).
//
// Threads: any (pure functions).

#include "engine/core/result.h"
#include "engine/jobs/job_spec.h"

#include <QString>
#include <QVariantMap>

namespace ui {

// The spec for one input. `values` are completed with the catalog defaults first. Returns
// InvalidArgument naming the parameter when a value cannot be mapped (an unknown choice, a
// rate that does not parse); engine-side range checks stay with engine::jobs::validate().
engine::Result<engine::jobs::JobSpec> buildJobSpec(const QVariantMap& values,
                                                   const QString& inputPath,
                                                   const QString& outputPath);

// The panel values a spec stands for (the inverse of buildJobSpec for every mapped field), so
// a job restored without its parameter map can still be loaded into the panel.
QVariantMap parametersFromJobSpec(const engine::jobs::JobSpec& spec);

}  // namespace ui
