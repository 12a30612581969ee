#pragma once
// The text `flashvsr plan` / `--plan` prints for a planner result: the summary line, then one
// line per fact (input, output, device, tiles, tile order, why, budget, GPU/host memory, disk
// with the tile-major scratch, time, basis). Pure formatting, so it is unit-tested without a run.

#include "engine/jobs/job_spec.h"
#include "engine/jobs/planner.h"

#include <string>

namespace cli {

// `workers`: the job's worker count (the plan is for one of them; shown when above 1).
std::string plan_text(const engine::jobs::JobSpec& spec,
                      const engine::jobs::JobPlan& plan,
                      int workers);

// "tile by tile (one tile state on the GPU, frames come out when a segment is done)", "frame by
// frame", or "untiled" for a run without tiles: how a plan's tiles run.
std::string tile_order_text(const engine::jobs::JobPlan& plan);

}  // namespace cli
