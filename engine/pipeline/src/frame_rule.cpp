#include "engine/pipeline/frame_rule.h"

#include <algorithm>

namespace engine::pipeline {

FramePlan plan_frames(std::int64_t source_frames) {
    FramePlan plan;
    plan.source_frames = source_frames;
    const auto n = std::max<std::int64_t>(source_frames, 21);
    plan.padded_frames = ((n - 5 + 7) / 8) * 8 + 5;
    plan.model_frames = plan.padded_frames + 4;
    const auto m = (plan.model_frames - 1) / 8;
    plan.chunks = m - 2;
    plan.latent_frames = 2 * m;
    return plan;
}

ChunkSpan chunk_span(std::int64_t chunk) {
    ChunkSpan span;
    if (chunk == 0) {
        span.lq_end = 25;
        span.latent_end = 6;
        span.output_end = 21;
        return span;
    }
    span.lq_begin = 8 * chunk + 17;
    span.lq_end = 8 * chunk + 25;
    span.latent_begin = 4 + 2 * chunk;
    span.latent_end = 6 + 2 * chunk;
    span.output_begin = 8 * chunk + 13;
    span.output_end = 8 * chunk + 21;
    return span;
}

}  // namespace engine::pipeline
