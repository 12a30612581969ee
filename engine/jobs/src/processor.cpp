#include "engine/jobs/processor.h"

#include "engine/core/paths.h"
#include "engine/imaging/hdr.h"
#include "engine/imaging/resize.h"
#include "engine/imaging/tone_mapping.h"
#include "engine/pipeline/upscaler.h"
#include "upscaler_config.h"

namespace engine::jobs {
namespace fs = std::filesystem;

namespace {

class ClassicProcessor final : public FrameProcessor {
  public:
    ClassicProcessor(imaging::ResizeFilter filter, int width, int height, int scale, int threads)
        : m_filter(filter), m_width(width * scale), m_height(height * scale), m_threads(threads) {}

    int output_width() const override { return m_width; }
    int output_height() const override { return m_height; }
    Status push(const Frame& frame, std::vector<Frame>& out) override {
        imaging::ResizeOptions options;
        options.filter = m_filter;
        options.threads = m_threads;
        auto resized = imaging::resize(frame, m_width, m_height, options);
        if (!resized.ok()) {
            return resized.error();
        }
        out.push_back(std::move(resized).value());
        return {};
    }
    Status finish(std::vector<Frame>&) override { return {}; }
    std::string description() const override {
        return m_filter == imaging::ResizeFilter::Bicubic ? "bicubic" : "Lanczos3";
    }

  private:
    imaging::ResizeFilter m_filter;
    int m_width;
    int m_height;
    int m_threads;
};

class ModelProcessor final : public FrameProcessor {
  public:
    explicit ModelProcessor(std::unique_ptr<pipeline::Upscaler> upscaler)
        : m_upscaler(std::move(upscaler)) {}

    int output_width() const override { return m_upscaler->output_width(); }
    int output_height() const override { return m_upscaler->output_height(); }
    Status push(const Frame& frame, std::vector<Frame>& out) override {
        return m_upscaler->push(frame, out);
    }
    Status finish(std::vector<Frame>& out) override { return m_upscaler->finish(out); }
    std::string description() const override {
        return "FlashVSR on " + m_upscaler->device_description();
    }

  private:
    std::unique_ptr<pipeline::Upscaler> m_upscaler;
};

// Signal -> linear -> tone map -> inner -> inverse tone map -> linear -> signal. The model only
// ever sees [0, 1] SDR-like frames; the output keeps the source's transfer.
class ToneMappedProcessor final : public FrameProcessor {
  public:
    ToneMappedProcessor(std::unique_ptr<FrameProcessor> inner,
                        imaging::ToneMapper mapper,
                        ColorInfo color,
                        int threads)
        : m_inner(std::move(inner)), m_mapper(mapper), m_color(color), m_threads(threads) {}

    int output_width() const override { return m_inner->output_width(); }
    int output_height() const override { return m_inner->output_height(); }
    Status push(const Frame& frame, std::vector<Frame>& out) override {
        Frame mapped = m_mapper.forward(hdr_linear_frame(frame, m_color, m_threads), m_threads);
        std::vector<Frame> inner_out;
        if (auto st = m_inner->push(mapped, inner_out); !st.ok()) {
            return st;
        }
        restore(inner_out, out);
        return {};
    }
    // Forwards one slice per call: the inner processor's next non-empty slice (its empty calls in
    // between are skipped), so an empty result here means the inner one is done too and the
    // caller's loop ends exactly when it should. One slice at a time keeps a tile-major run's
    // bounded host memory bounded through the tone mapping as well.
    Status finish(std::vector<Frame>& out) override {
        if (m_finished) {
            return {};
        }
        std::vector<Frame> inner_out;
        if (auto st = m_inner->finish(inner_out); !st.ok()) {
            return st;
        }
        if (inner_out.empty()) {
            m_finished = true;
            return {};
        }
        restore(inner_out, out);
        return {};
    }
    std::string description() const override {
        return m_inner->description() + " with " +
               std::string(imaging::tone_map_method_name(m_mapper.params().method)) +
               " tone mapping";
    }

  private:
    void restore(std::vector<Frame>& frames, std::vector<Frame>& out) const {
        for (Frame& f : frames) {
            Frame linear = m_mapper.inverse(f, m_threads);
            if (m_color.is_pq()) {
                out.push_back(
                    imaging::linear_to_hdr_signal(linear, imaging::HdrTransfer::PQ, scale()));
            } else if (m_color.is_hlg()) {
                out.push_back(
                    imaging::linear_to_hdr_signal(linear, imaging::HdrTransfer::HLG, scale()));
            } else {
                out.push_back(std::move(linear));
            }
        }
    }
    imaging::LinearScale scale() const {
        imaging::LinearScale s;
        s.threads = m_threads;
        return s;
    }

    std::unique_ptr<FrameProcessor> m_inner;
    imaging::ToneMapper m_mapper;
    ColorInfo m_color;
    int m_threads;
    bool m_finished = false;  // the inner finish() appended nothing: every frame came out
};

}  // namespace

pipeline::UpscalerConfig upscaler_config(const JobSpec& spec,
                                         const std::string& device,
                                         const fs::path& scratch_dir) {
    const ModelSettings& m = spec.model;
    pipeline::UpscalerConfig c;
    c.model_dir = resolve_model_dir(spec);
    c.version =
        m.version == ModelVersion::V10 ? pipeline::ModelVersion::V10 : pipeline::ModelVersion::V11;
    switch (m.mode) {
        case ModelMode::Tiny:
            c.mode = pipeline::Mode::Tiny;
            break;
        case ModelMode::TinyLong:
            c.mode = pipeline::Mode::TinyLong;
            break;
        case ModelMode::Full:
            c.mode = pipeline::Mode::Full;
            break;
    }
    c.device = device.empty() ? m.device : device;
    switch (m.precision) {
        case ModelPrecision::Auto:
            break;
        case ModelPrecision::FP32:
            c.precision = pipeline::Precision::FP32;
            break;
        case ModelPrecision::FP16:
            c.precision = pipeline::Precision::FP16;
            break;
        case ModelPrecision::BF16:
            c.precision = pipeline::Precision::BF16;
            break;
    }
    c.scale = spec.scale;
    c.sparse_ratio = m.sparse_ratio;
    c.kv_ratio = m.kv_ratio;
    c.local_range = m.local_range;
    c.seed = m.seed;
    switch (m.color_fix) {
        case ModelColorFix::None:
            c.color_fix = pipeline::ColorFix::None;
            break;
        case ModelColorFix::AdaIN:
            c.color_fix = pipeline::ColorFix::AdaIN;
            break;
        case ModelColorFix::Wavelet:
            c.color_fix = pipeline::ColorFix::Wavelet;
            break;
    }
    c.lq_resample = m.lq_resample == ModelLqResample::PilBicubic
                        ? pipeline::LqResample::PilBicubic
                        : pipeline::LqResample::TorchBicubic;
    switch (m.attention) {
        case ModelAttention::Auto:
            c.attention = pipeline::AttentionBackend::Auto;
            break;
        case ModelAttention::Reference:
            c.attention = pipeline::AttentionBackend::Reference;
            break;
        case ModelAttention::BlockSparseKernel:
            c.attention = pipeline::AttentionBackend::BlockSparseKernel;
            break;
    }
    c.tiled_vae = m.tiled_vae;
    // tile_size 0 (auto) is resolved by the planner before a job's segments run; a processor
    // made from an unresolved spec (a caller outside the runner) runs untiled.
    c.tiling.enabled = m.tiled_dit && m.tile_size > 0;
    c.tiling.size = m.tile_size > 0 ? m.tile_size : c.tiling.size;
    c.tiling.overlap = m.tile_overlap;
    c.tiling.shift = m.tile_shift;
    c.tiling.batch_size = m.tile_batch_size;
    c.tiling.adaptive_batch = m.adaptive_tile_batch;
    switch (m.tile_order) {
        case ModelTileOrder::Auto:
            c.tiling.order = pipeline::TileOrder::Auto;
            break;
        case ModelTileOrder::FrameMajor:
            c.tiling.order = pipeline::TileOrder::FrameMajor;
            break;
        case ModelTileOrder::TileMajor:
            c.tiling.order = pipeline::TileOrder::TileMajor;
            break;
    }
    c.scratch_dir = scratch_dir;
    c.unload_dit = m.unload_dit;
    c.noise_file = m.noise_file;
    return c;
}

fs::path resolve_model_dir(const JobSpec& spec) {
    if (!spec.model.model_dir.empty()) {
        return spec.model.model_dir;
    }
    fs::path root = default_model_dir();
    fs::path versioned = root / (spec.model.version == ModelVersion::V10 ? "v1.0" : "v1.1");
    std::error_code ec;
    return fs::is_directory(versioned, ec) ? versioned : root;
}

bool uses_tone_mapping(const JobSpec& spec, const ColorInfo& color) {
    switch (spec.hdr.mode) {
        case HdrMode::Sdr:
            return false;
        case HdrMode::ToneMapping:
            return true;
        case HdrMode::Auto:
            return color.is_pq() || color.is_hlg() || color.transfer == 8;
    }
    return false;
}

Frame hdr_linear_frame(const Frame& frame, const ColorInfo& color, int threads) {
    imaging::LinearScale scale;
    scale.threads = threads;
    if (color.is_pq()) {
        return imaging::hdr_signal_to_linear(frame, imaging::HdrTransfer::PQ, scale);
    }
    if (color.is_hlg()) {
        return imaging::hdr_signal_to_linear(frame, imaging::HdrTransfer::HLG, scale);
    }
    return frame.type == SampleType::F32 ? frame : to_float(frame);
}

Result<std::unique_ptr<FrameProcessor>> make_processor(const JobSpec& spec,
                                                       const ProcessorContext& context) {
    if (context.width < 1 || context.height < 1) {
        return Error(ErrorCode::InvalidArgument, "processor input size must be positive")
            .with("width", std::to_string(context.width))
            .with("height", std::to_string(context.height));
    }
    std::unique_ptr<FrameProcessor> processor;
    switch (spec.upscaler) {
        case UpscalerKind::Bicubic:
        case UpscalerKind::Lanczos:
            processor = std::make_unique<ClassicProcessor>(
                spec.upscaler == UpscalerKind::Bicubic ? imaging::ResizeFilter::Bicubic
                                                       : imaging::ResizeFilter::Lanczos3,
                context.width, context.height, spec.scale, spec.threads);
            break;
        case UpscalerKind::FlashVSR: {
            pipeline::UpscalerConfig config =
                upscaler_config(spec, context.device, context.scratch_dir);
            // Tone mapping restores float frames; otherwise the frames come in the stored type.
            if (!uses_tone_mapping(spec, context.source_color)) {
                config.output_type = context.output_type;
            }
            std::error_code ec;
            if (!fs::is_directory(config.model_dir, ec)) {
                return Error(ErrorCode::ModelFileMissing,
                             "model folder " + path_string(config.model_dir) + " does not exist")
                    .with("path", path_string(config.model_dir));
            }
            pipeline::UpscalerEvents events;
            if (context.on_stage) {
                events.on_chunk = [on_stage = context.on_stage](
                                      std::int64_t, const std::string& stage) { on_stage(stage); };
            }
            auto upscaler =
                pipeline::Upscaler::create(config, context.width, context.height, events);
            if (!upscaler.ok()) {
                return upscaler.error();
            }
            (*upscaler)->set_cancel_token(context.cancel);
            processor = std::make_unique<ModelProcessor>(std::move(upscaler).value());
            break;
        }
    }
    return with_tone_mapping(std::move(processor), spec, context);
}

Result<std::unique_ptr<FrameProcessor>> with_tone_mapping(std::unique_ptr<FrameProcessor> inner,
                                                          const JobSpec& spec,
                                                          const ProcessorContext& context) {
    if (!uses_tone_mapping(spec, context.source_color)) {
        return inner;
    }
    if (!context.hdr_l_max) {
        return Error(ErrorCode::Internal, "tone mapping needs a measured or given l_max");
    }
    imaging::ToneMapParams params;
    params.method = spec.hdr.method;
    params.exposure = spec.hdr.exposure;
    params.l_max = *context.hdr_l_max;
    auto mapper = imaging::ToneMapper::create(params);
    if (!mapper.ok()) {
        return mapper.error();
    }
    return std::unique_ptr<FrameProcessor>(std::make_unique<ToneMappedProcessor>(
        std::move(inner), *mapper, context.source_color, spec.threads));
}

}  // namespace engine::jobs
