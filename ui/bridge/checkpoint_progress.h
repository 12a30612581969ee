#pragma once
// How far a job got before it stopped, read from the resume manifests in its checkpoint folder
// (engine::jobs::manifest.h): finished frames over the planned range. Used by the resume offer
// after a crash. Threads: any (file reads only; a manifest is small).

#include "engine/jobs/job_spec.h"

#include <QString>

namespace ui {

struct CheckpointProgress {
    bool found = false;  // at least one readable manifest
    qint64 framesDone = 0;
    qint64 framesTotal = 0;  // planned frames of every manifest's range
    QString problem;         // a manifest that could not be read (technical, for the log)
};

CheckpointProgress readCheckpointProgress(const engine::jobs::JobSpec& spec);

}  // namespace ui
