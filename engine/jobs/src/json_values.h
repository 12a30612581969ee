#pragma once
// JSON values of job specs, for the manifest and run reports (nlohmann stays out of the public
// headers).

#include "engine/jobs/job_spec.h"
#include "engine/jobs/planner.h"

#include <nlohmann/json.hpp>

namespace engine::jobs {

nlohmann::json job_spec_to_value(const JobSpec& spec);
Result<JobSpec> job_spec_from_value(const nlohmann::json& value);

nlohmann::json tile_choice_to_value(const TileChoice& tiles);
// Throws nlohmann::json exceptions for missing or mistyped keys (the manifest reader reports them).
TileChoice tile_choice_from_value(const nlohmann::json& value);
nlohmann::json job_plan_to_value(const JobPlan& plan);

}  // namespace engine::jobs
