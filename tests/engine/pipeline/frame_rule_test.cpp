// The UF frame rule and the chunk schedule (spec §3.1, §3.3).

#include "engine/pipeline/frame_rule.h"

#include <gtest/gtest.h>

namespace {

using namespace engine::pipeline;

TEST(FrameRule, CountsForOneToSixtyFrames) {
    for (std::int64_t n = 1; n <= 60; ++n) {
        const auto plan = plan_frames(n);
        EXPECT_GE(plan.padded_frames, std::max<std::int64_t>(n, 21)) << n;
        EXPECT_EQ((plan.padded_frames - 5) % 8, 0) << n;
        EXPECT_LT(plan.padded_frames - std::max<std::int64_t>(n, 21), 8) << n;  // next 8n+5
        EXPECT_EQ(plan.model_frames, plan.padded_frames + 4) << n;
        EXPECT_EQ((plan.model_frames - 1) % 8, 0) << n;
        const auto m = (plan.model_frames - 1) / 8;
        EXPECT_GE(m, 3) << n;
        EXPECT_EQ(plan.chunks, m - 2) << n;
        EXPECT_EQ(plan.latent_frames, 2 * m) << n;
        // The chunks cover every output frame and read every model frame, never more.
        const auto last = chunk_span(plan.chunks - 1);
        EXPECT_EQ(last.output_end, plan.padded_frames) << n;
        EXPECT_EQ(last.lq_end, plan.model_frames) << n;
        EXPECT_EQ(last.latent_end, plan.latent_frames) << n;
        EXPECT_GE(last.output_end, n) << n;  // lossless
    }
    EXPECT_EQ(plan_frames(1).padded_frames, 21);
    EXPECT_EQ(plan_frames(21).padded_frames, 21);
    EXPECT_EQ(plan_frames(22).padded_frames, 29);
    EXPECT_EQ(plan_frames(25).model_frames, 33);  // spec §3.6 worked example
    EXPECT_EQ(plan_frames(37).model_frames, 41);  // the golden clip
}

TEST(FrameRule, ChunksTileOutputsAndLatentsContiguously) {
    for (std::int64_t k = 1; k < 20; ++k) {
        const auto prev = chunk_span(k - 1);
        const auto span = chunk_span(k);
        EXPECT_EQ(span.output_begin, prev.output_end);
        EXPECT_EQ(span.latent_begin, prev.latent_end);
        EXPECT_EQ(span.lq_begin, prev.lq_end);
        EXPECT_EQ(span.output_end - span.output_begin, 8);
        EXPECT_EQ(4 * (span.latent_end - span.latent_begin), span.output_end - span.output_begin);
    }
    const auto first = chunk_span(0);
    EXPECT_EQ(first.lq_end, 25);
    EXPECT_EQ(first.output_end, 21);
    EXPECT_EQ(first.latent_end, 6);
}

TEST(FrameRule, RopeLimit) {
    EXPECT_EQ(kMaxSourceFrames, 4093);
    const auto plan = plan_frames(kMaxSourceFrames);
    EXPECT_EQ(plan.chunks, kMaxChunks);
    // The last chunk's last latent sits at the last RoPE position (1023).
    EXPECT_EQ(chunk_span(plan.chunks - 1).latent_end - 1, 1023);
}

}  // namespace
