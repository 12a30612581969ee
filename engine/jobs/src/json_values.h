#pragma once
// JSON values of job specs, for the manifest and run reports (nlohmann stays out of the public
// headers).

#include "engine/jobs/job_spec.h"

#include <nlohmann/json.hpp>

namespace engine::jobs {

nlohmann::json job_spec_to_value(const JobSpec& spec);
Result<JobSpec> job_spec_from_value(const nlohmann::json& value);

}  // namespace engine::jobs
