#pragma once
// JobSpec -> engine::pipeline::UpscalerConfig, one field at a time (processor.cpp). Internal:
// the jobs tests include it to check the mapping without running a model.

#include "engine/jobs/job_spec.h"
#include "engine/pipeline/upscaler.h"

#include <filesystem>
#include <string>

namespace engine::jobs {

// `device`: the worker's device; empty: spec.model.device. The model folder is resolved
// (resolve_model_dir). Tiling is enabled only for a resolved size (tile_size > 0): the runner
// resolves tile_size 0 (auto) through the planner before it makes processors.
// `scratch_dir`: UpscalerConfig::scratch_dir (a tile-major run's tile outputs); empty: the system
// temporary folder.
pipeline::UpscalerConfig upscaler_config(const JobSpec& spec,
                                         const std::string& device,
                                         const std::filesystem::path& scratch_dir = {});

}  // namespace engine::jobs
