#include "engine/jobs/processor.h"

#include "engine/imaging/resize.h"
#include "engine/jobs/support/media.h"
#include "upscaler_config.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>

namespace engine::jobs {
namespace {

JobSpec classic_spec(UpscalerKind kind) {
    JobSpec s;
    s.input = "in.mkv";
    s.output = "out.mkv";
    s.upscaler = kind;
    s.scale = 3;
    s.threads = 1;
    return s;
}

ProcessorContext context(int w, int h) {
    ProcessorContext c;
    c.width = w;
    c.height = h;
    c.source_color.transfer = 1;  // BT.709: SDR
    return c;
}

TEST(Processor, ClassicScalersStreamOneFrameOutPerFrameIn) {
    for (UpscalerKind kind : {UpscalerKind::Bicubic, UpscalerKind::Lanczos}) {
        auto made = make_processor(classic_spec(kind), context(20, 10));
        ASSERT_TRUE(made.ok()) << made.error().to_string();
        auto& p = **made;
        EXPECT_EQ(p.output_width(), 60);
        EXPECT_EQ(p.output_height(), 30);
        std::vector<Frame> out;
        for (int i = 0; i < 3; ++i) {
            ASSERT_TRUE(p.push(jobs_test::pattern_frame(20, 10, i, SampleType::U8), out).ok());
        }
        ASSERT_TRUE(p.finish(out).ok());
        ASSERT_EQ(out.size(), 3u);
        imaging::ResizeOptions options;
        options.filter = kind == UpscalerKind::Bicubic ? imaging::ResizeFilter::Bicubic
                                                       : imaging::ResizeFilter::Lanczos3;
        auto expected =
            imaging::resize(jobs_test::pattern_frame(20, 10, 2, SampleType::U8), 60, 30, options);
        EXPECT_EQ(out[2].data, expected->data);
        EXPECT_EQ(out[2].index, 2);
    }
    auto bicubic = make_processor(classic_spec(UpscalerKind::Bicubic), context(4, 4));
    ASSERT_TRUE(bicubic.ok());
    EXPECT_EQ((*bicubic)->description(), "bicubic");
}

TEST(Processor, RejectsBadSizesAndMissingModels) {
    EXPECT_EQ(make_processor(classic_spec(UpscalerKind::Bicubic), context(0, 4)).error().code,
              ErrorCode::InvalidArgument);
    JobSpec s = classic_spec(UpscalerKind::FlashVSR);
    s.model.model_dir = "/nonexistent/flashvsr-models";
    auto r = make_processor(s, context(16, 16));
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, ErrorCode::ModelFileMissing);
    EXPECT_EQ(r.error().get("path"), "/nonexistent/flashvsr-models");
}

// A FlashVSR run hands its frames out in the type the caller stores (rounded where they are
// made), unless tone mapping needs them in float to restore them. The golden tiny model on the
// CPU, 9 frames of 32x32.
TEST(Processor, FlashVsrFramesComeInTheStoredTypeUnlessToneMapped) {
    JobSpec s = classic_spec(UpscalerKind::FlashVSR);
    s.scale = 4;
    s.model.model_dir = std::filesystem::path(FVSR_SHARED_DIR) / "golden/models/v1.1";
    s.model.device = "cpu";
    const auto frames_of = [&](const ProcessorContext& c) {
        auto made = make_processor(s, c);
        EXPECT_TRUE(made.ok()) << made.error().to_string();
        std::vector<Frame> out;
        if (!made.ok()) {
            return out;
        }
        for (int i = 0; i < 9; ++i) {
            EXPECT_TRUE(
                (*made)->push(jobs_test::pattern_frame(32, 32, i, SampleType::U8), out).ok());
        }
        EXPECT_TRUE((*made)->finish(out).ok());
        EXPECT_EQ(out.size(), 9u);
        return out;
    };
    auto c = context(32, 32);
    const auto f32 = frames_of(c);
    c.output_type = SampleType::U16;
    const auto u16 = frames_of(c);
    ASSERT_EQ(f32.size(), u16.size());
    for (std::size_t i = 0; i < u16.size(); ++i) {
        EXPECT_EQ(f32[i].type, SampleType::F32);
        EXPECT_EQ(u16[i].type, SampleType::U16);
        EXPECT_EQ(u16[i].data, from_float(f32[i], SampleType::U16, 16).data) << "frame " << i;
    }
    c.source_color.transfer = 16;  // PQ: tone mapped, so float frames whatever is stored
    c.hdr_l_max = 10.0;
    for (const auto& frame : frames_of(c)) {
        EXPECT_EQ(frame.type, SampleType::F32);
    }
}

TEST(Processor, ToneMappingChoice) {
    JobSpec s = classic_spec(UpscalerKind::Bicubic);
    ColorInfo sdr;
    sdr.transfer = 1;
    ColorInfo pq;
    pq.transfer = 16;
    ColorInfo hlg;
    hlg.transfer = 18;
    ColorInfo linear;
    linear.transfer = 8;
    EXPECT_FALSE(uses_tone_mapping(s, sdr));
    EXPECT_TRUE(uses_tone_mapping(s, pq));
    EXPECT_TRUE(uses_tone_mapping(s, hlg));
    EXPECT_TRUE(uses_tone_mapping(s, linear));
    s.hdr.mode = HdrMode::Sdr;
    EXPECT_FALSE(uses_tone_mapping(s, pq));
    s.hdr.mode = HdrMode::ToneMapping;
    EXPECT_TRUE(uses_tone_mapping(s, sdr));
}

// Linear light beyond 1 goes through an SDR scaler and comes back: a flat frame stays flat at
// its value, because the inverse curve is exact.
TEST(Processor, ToneMappingWrapsTheScalerWithExactInverse) {
    JobSpec s = classic_spec(UpscalerKind::Bicubic);
    s.scale = 2;
    s.hdr.mode = HdrMode::ToneMapping;
    s.hdr.method = imaging::ToneMapMethod::Reinhard;
    ProcessorContext c = context(8, 6);
    c.source_color.transfer = 8;                                        // linear
    EXPECT_EQ(make_processor(s, c).error().code, ErrorCode::Internal);  // l_max is required
    c.hdr_l_max = 8.0;
    auto made = make_processor(s, c);
    ASSERT_TRUE(made.ok()) << made.error().to_string();
    EXPECT_NE((*made)->description().find("reinhard tone mapping"), std::string::npos);
    Frame flat;
    flat.allocate(8, 6, SampleType::F32);
    for (std::size_t i = 0; i < flat.sample_count(); ++i) {
        flat.samples<float>()[i] = 2.5f;
    }
    std::vector<Frame> out;
    ASSERT_TRUE((*made)->push(flat, out).ok());
    ASSERT_EQ(out.size(), 1u);
    ASSERT_EQ(out[0].type, SampleType::F32);
    ASSERT_EQ(out[0].width, 16);
    for (std::size_t i = 0; i < out[0].sample_count(); ++i) {
        ASSERT_NEAR(out[0].samples<float>()[i], 2.5f, 1e-4f) << i;
    }

    // PQ: the output is PQ signal again, and a flat signal stays where it was.
    c.source_color.transfer = 16;
    c.hdr_l_max = 100.0;
    made = make_processor(s, c);
    ASSERT_TRUE(made.ok());
    for (std::size_t i = 0; i < flat.sample_count(); ++i) {
        flat.samples<float>()[i] = 0.6f;  // about 300 cd/m^2
    }
    out.clear();
    ASSERT_TRUE((*made)->push(flat, out).ok());
    ASSERT_EQ(out.size(), 1u);
    EXPECT_NEAR(out[0].samples<float>()[0], 0.6f, 1e-4f);
}

// Stands in for a tile-major run: keeps every frame until the end, then hands them out one per
// finish() call (bicubic-upscaled), then appends nothing.
class OneFramePerFinish final : public FrameProcessor {
  public:
    explicit OneFramePerFinish(std::unique_ptr<FrameProcessor> inner) : m_inner(std::move(inner)) {}
    int output_width() const override { return m_inner->output_width(); }
    int output_height() const override { return m_inner->output_height(); }
    Status push(const Frame& frame, std::vector<Frame>& out) override {
        (void)out;
        return m_inner->push(frame, m_held);
    }
    Status finish(std::vector<Frame>& out) override {
        ++finish_calls;
        if (m_next < m_held.size()) {
            out.push_back(std::move(m_held[m_next++]));
        }
        return {};
    }
    std::string description() const override { return "one frame per finish"; }
    int finish_calls = 0;

  private:
    std::unique_ptr<FrameProcessor> m_inner;
    std::vector<Frame> m_held;
    std::size_t m_next = 0;
};

// The HDR wrapper passes a sliced finish() through slice by slice (tone-mapped back), ends with
// an empty call exactly when the inner one does, and keeps appending nothing afterwards.
TEST(Processor, ToneMappingForwardsFinishSlices) {
    JobSpec s = classic_spec(UpscalerKind::Bicubic);
    s.scale = 2;
    s.hdr.mode = HdrMode::ToneMapping;
    s.hdr.method = imaging::ToneMapMethod::Reinhard;
    ProcessorContext c = context(8, 6);
    c.source_color.transfer = 8;  // linear
    c.hdr_l_max = 8.0;
    JobSpec classic = s;
    classic.hdr.mode = HdrMode::Sdr;
    auto inner = make_processor(classic, c);
    ASSERT_TRUE(inner.ok());
    auto sliced = std::make_unique<OneFramePerFinish>(std::move(inner).value());
    OneFramePerFinish* probe = sliced.get();
    auto made = with_tone_mapping(std::move(sliced), s, c);
    ASSERT_TRUE(made.ok()) << made.error().to_string();
    EXPECT_NE((*made)->description().find("tone mapping"), std::string::npos);

    std::vector<Frame> out;
    for (int i = 0; i < 3; ++i) {
        Frame flat;
        flat.allocate(8, 6, SampleType::F32);
        for (std::size_t k = 0; k < flat.sample_count(); ++k) {
            flat.samples<float>()[k] = 1.5f + float(i);
        }
        flat.index = i;
        ASSERT_TRUE((*made)->push(flat, out).ok());
    }
    EXPECT_TRUE(out.empty());
    for (int i = 0; i < 3; ++i) {
        std::vector<Frame> slice;
        ASSERT_TRUE((*made)->finish(slice).ok());
        ASSERT_EQ(slice.size(), 1u) << i;
        EXPECT_EQ(slice[0].index, i);
        EXPECT_NEAR(slice[0].samples<float>()[0], 1.5f + float(i), 1e-4f);
    }
    std::vector<Frame> rest;
    ASSERT_TRUE((*made)->finish(rest).ok());
    EXPECT_TRUE(rest.empty());
    EXPECT_EQ(probe->finish_calls, 4);
    ASSERT_TRUE((*made)->finish(rest).ok());  // done: nothing more, the inner one not asked
    EXPECT_TRUE(rest.empty());
    EXPECT_EQ(probe->finish_calls, 4);

    // SDR: no wrapper at all.
    JobSpec sdr = s;
    sdr.hdr.mode = HdrMode::Sdr;
    auto plain = with_tone_mapping(make_processor(classic, c).value(), sdr, c);
    ASSERT_TRUE(plain.ok());
    EXPECT_EQ((*plain)->description(), "bicubic");
}

TEST(Processor, TileOrderAndScratchFolderReachTheUpscaler) {
    JobSpec s = classic_spec(UpscalerKind::FlashVSR);
    s.model.tiled_dit = true;
    s.model.tile_size = 256;
    EXPECT_EQ(upscaler_config(s, "").tiling.order, pipeline::TileOrder::Auto);
    EXPECT_TRUE(upscaler_config(s, "").scratch_dir.empty());
    s.model.tile_order = ModelTileOrder::TileMajor;
    EXPECT_EQ(upscaler_config(s, "").tiling.order, pipeline::TileOrder::TileMajor);
    s.model.tile_order = ModelTileOrder::FrameMajor;
    pipeline::UpscalerConfig c = upscaler_config(s, "", "/work/jobs/abc");
    EXPECT_EQ(c.tiling.order, pipeline::TileOrder::FrameMajor);
    EXPECT_EQ(c.scratch_dir, std::filesystem::path("/work/jobs/abc"));
}

TEST(Processor, TilingAndUnloadSettingsReachTheUpscaler) {
    JobSpec s = classic_spec(UpscalerKind::FlashVSR);
    s.model.tiled_dit = true;
    s.model.tile_size = 320;
    s.model.tile_overlap = 40;
    s.model.tile_shift = false;
    s.model.tile_batch_size = 3;
    s.model.adaptive_tile_batch = false;
    s.model.unload_dit = true;
    s.model.device = "cuda:1";
    pipeline::UpscalerConfig c = upscaler_config(s, "");
    EXPECT_TRUE(c.tiling.enabled);
    EXPECT_EQ(c.tiling.size, 320);
    EXPECT_EQ(c.tiling.overlap, 40);
    EXPECT_FALSE(c.tiling.shift);
    EXPECT_EQ(c.tiling.batch_size, 3);
    EXPECT_FALSE(c.tiling.adaptive_batch);
    EXPECT_TRUE(c.unload_dit);
    EXPECT_EQ(c.device, "cuda:1");
    EXPECT_EQ(c.scale, 3);
    EXPECT_EQ(upscaler_config(s, "cuda:0").device, "cuda:0");  // the worker's device wins

    s.model.tiled_dit = false;
    EXPECT_FALSE(upscaler_config(s, "").tiling.enabled);
    s.model.tiled_dit = true;
    s.model.tile_size = 0;  // unresolved auto: untiled, never "size 0"
    c = upscaler_config(s, "");
    EXPECT_FALSE(c.tiling.enabled);
    EXPECT_GT(c.tiling.size, 0);
}

}  // namespace
}  // namespace engine::jobs
