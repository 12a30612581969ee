#include "engine/core/paths.h"
#include "engine/imaging/hdr.h"
#include "engine/imaging/resize.h"
#include "engine/imaging/tone_mapping.h"
#include "engine/io/media.h"
#include "engine/pipeline/upscaler.h"
#include "processor.h"

#include <filesystem>

namespace cli {
namespace fs = std::filesystem;
using engine::Error;
using engine::ErrorCode;
using engine::Frame;
using engine::Status;

namespace {

class ClassicProcessor final : public FrameProcessor {
  public:
    ClassicProcessor(engine::imaging::ResizeFilter filter,
                     int width,
                     int height,
                     int scale,
                     int threads)
        : m_filter(filter), m_width(width * scale), m_height(height * scale), m_threads(threads) {}

    int output_width() const override { return m_width; }
    int output_height() const override { return m_height; }

    Status push(const Frame& frame, std::vector<Frame>& out) override {
        engine::imaging::ResizeOptions options;
        options.filter = m_filter;
        options.threads = m_threads;
        auto resized = engine::imaging::resize(frame, m_width, m_height, options);
        if (!resized.ok()) {
            return resized.error();
        }
        out.push_back(std::move(resized).value());
        return {};
    }
    Status finish(std::vector<Frame>&) override { return {}; }
    std::string description() const override {
        return m_filter == engine::imaging::ResizeFilter::Bicubic ? "bicubic" : "Lanczos3";
    }

  private:
    engine::imaging::ResizeFilter m_filter;
    int m_width;
    int m_height;
    int m_threads;
};

class ModelProcessor final : public FrameProcessor {
  public:
    explicit ModelProcessor(std::unique_ptr<engine::pipeline::Upscaler> upscaler)
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
    std::unique_ptr<engine::pipeline::Upscaler> m_upscaler;
};

// Wraps an SDR-trained processor around HDR material (--hdr_mode): signal -> linear light ->
// forward tone map -> [0,1] -> inner processor -> exact inverse tone map -> linear -> signal.
// Per-frame and stateless, so the inner processor's look-ahead is unaffected.
class HdrProcessor final : public FrameProcessor {
  public:
    HdrProcessor(std::unique_ptr<FrameProcessor> inner,
                 engine::imaging::ToneMapper mapper,
                 HdrSource source,
                 bool linear_output,
                 int threads)
        : m_inner(std::move(inner)),
          m_mapper(std::move(mapper)),
          m_source(source),
          m_linear_output(linear_output),
          m_threads(threads) {}

    int output_width() const override { return m_inner->output_width(); }
    int output_height() const override { return m_inner->output_height(); }
    Status push(const Frame& frame, std::vector<Frame>& out) override {
        std::vector<Frame> produced;
        if (auto st = m_inner->push(m_mapper.forward(to_linear(frame), m_threads), produced);
            !st.ok()) {
            return st;
        }
        return emit(produced, out);
    }
    Status finish(std::vector<Frame>& out) override {
        std::vector<Frame> produced;
        if (auto st = m_inner->finish(produced); !st.ok()) {
            return st;
        }
        return emit(produced, out);
    }
    std::string description() const override {
        return m_inner->description() + " inside " +
               std::string(engine::imaging::tone_map_method_name(m_mapper.params().method)) +
               " tone mapping (l_max " + std::to_string(m_mapper.params().l_max) + ")";
    }

  private:
    Frame to_linear(const Frame& frame) const {
        switch (m_source) {
            case HdrSource::PQ:
                return engine::imaging::hdr_signal_to_linear(
                    frame, engine::imaging::HdrTransfer::PQ, scale());
            case HdrSource::HLG:
                return engine::imaging::hdr_signal_to_linear(
                    frame, engine::imaging::HdrTransfer::HLG, scale());
            case HdrSource::Linear:
            case HdrSource::None:
                break;
        }
        return frame.type == engine::SampleType::F32 ? frame : engine::to_float(frame);
    }
    Status emit(std::vector<Frame>& produced, std::vector<Frame>& out) const {
        for (Frame& f : produced) {
            Frame linear = m_mapper.inverse(f, m_threads);
            if (m_linear_output || m_source == HdrSource::Linear) {
                out.push_back(std::move(linear));
            } else {
                out.push_back(engine::imaging::linear_to_hdr_signal(
                    linear,
                    m_source == HdrSource::PQ ? engine::imaging::HdrTransfer::PQ
                                              : engine::imaging::HdrTransfer::HLG,
                    scale()));
            }
        }
        return {};
    }
    engine::imaging::LinearScale scale() const {
        engine::imaging::LinearScale s;
        s.threads = m_threads;
        return s;
    }

    std::unique_ptr<FrameProcessor> m_inner;
    engine::imaging::ToneMapper m_mapper;
    HdrSource m_source;
    bool m_linear_output;
    int m_threads;
};

engine::imaging::ToneMapMethod method_of(ToneMapping t) {
    switch (t) {
        case ToneMapping::Reinhard:
            return engine::imaging::ToneMapMethod::Reinhard;
        case ToneMapping::Logarithmic:
            return engine::imaging::ToneMapMethod::Logarithmic;
        case ToneMapping::Aces:
            return engine::imaging::ToneMapMethod::Aces;
    }
    return engine::imaging::ToneMapMethod::Logarithmic;
}

// Upstream's pre-scan: the peak linear value over every 10th frame (at most 500 samples).
engine::Result<double> measure_l_max(const Options& o, HdrSource source, double exposure) {
    engine::io::SourceOptions so;
    so.input = o.input;
    so.max_frames = o.max_frames;
    if (o.input_fps) {
        so.sequence_fps = *o.input_fps;
    }
    auto opened = engine::io::open_source(so);
    if (!opened.ok()) {
        return opened.error();
    }
    auto& reader = *opened;
    auto indices = engine::imaging::l_max_sample_indices(reader->info().frame_count);
    engine::imaging::LmaxEstimator estimator;
    engine::imaging::LinearScale scale;
    scale.threads = o.threads;
    std::size_t next_sample = 0;
    for (std::int64_t i = 0;; ++i) {
        bool unknown_count = indices.empty();
        if (!unknown_count && next_sample >= indices.size()) {
            break;
        }
        auto frame = reader->next();
        if (!frame.ok()) {
            return frame.error();
        }
        if (!frame->has_value()) {
            break;
        }
        if (unknown_count ? (i % 10 == 0) : (i == indices[next_sample])) {
            ++next_sample;
            const Frame& f = **frame;
            estimator.add(source == HdrSource::Linear
                              ? f
                              : engine::imaging::hdr_signal_to_linear(
                                    f,
                                    source == HdrSource::PQ ? engine::imaging::HdrTransfer::PQ
                                                            : engine::imaging::HdrTransfer::HLG,
                                    scale));
        }
    }
    return estimator.l_max(exposure);
}

// --model_dir as given; otherwise $FLASHVSR_MODEL_DIR or the XDG default, each of which may hold
// the files directly or in a v1.0 / v1.1 sub-folder.
fs::path resolve_model_dir(const Options& o) {
    if (o.model_dir_given) {
        return o.model.model_dir;
    }
    fs::path root = engine::default_model_dir();
    fs::path versioned =
        root / (o.model.version == engine::pipeline::ModelVersion::V10 ? "v1.0" : "v1.1");
    std::error_code ec;
    return fs::is_directory(versioned, ec) ? versioned : root;
}

}  // namespace

HdrSource hdr_source_of(const Options& o, const engine::io::VideoInfo& info) {
    if (o.hdr_mode == HdrMode::Sdr) {
        return HdrSource::None;
    }
    if (info.color.is_pq()) {
        return HdrSource::PQ;
    }
    if (info.color.is_hlg()) {
        return HdrSource::HLG;
    }
    if (info.codec_name == "exr" && o.hdr_mode == HdrMode::ToneMapping) {
        return HdrSource::Linear;
    }
    return HdrSource::None;
}

engine::Result<std::unique_ptr<FrameProcessor>> wrap_for_hdr(const Options& o,
                                                             const engine::io::VideoInfo& info,
                                                             std::unique_ptr<FrameProcessor> inner,
                                                             bool linear_output) {
    HdrSource source = hdr_source_of(o, info);
    if (source == HdrSource::None) {
        if (o.hdr_mode == HdrMode::ToneMapping) {
            Error e(ErrorCode::InvalidArgument,
                    "--hdr_mode tone_mapping needs an HDR source (PQ or HLG video, or EXR); this "
                    "source has transfer " +
                        std::to_string(info.color.transfer));
            e.with("option", "--hdr_mode").with("path", info.path.u8string());
            return e;
        }
        return inner;
    }
    engine::imaging::ToneMapParams params;
    params.method = method_of(o.tone_mapping);
    params.exposure = o.tone_mapping_exposure;
    if (o.global_l_max) {
        params.l_max = *o.global_l_max;
    } else {
        auto measured = measure_l_max(o, source, o.tone_mapping_exposure);
        if (!measured.ok()) {
            return measured.error();
        }
        params.l_max = *measured;
    }
    auto mapper = engine::imaging::ToneMapper::create(params);
    if (!mapper.ok()) {
        return mapper.error();
    }
    return std::unique_ptr<FrameProcessor>(std::make_unique<HdrProcessor>(
        std::move(inner), std::move(mapper).value(), source, linear_output, o.threads));
}

engine::Result<std::unique_ptr<FrameProcessor>> make_processor(const Options& o,
                                                               int width,
                                                               int height,
                                                               const engine::CancelToken& cancel) {
    switch (o.upscaler) {
        case Upscaler::Bicubic:
            return std::unique_ptr<FrameProcessor>(std::make_unique<ClassicProcessor>(
                engine::imaging::ResizeFilter::Bicubic, width, height, o.scale, o.threads));
        case Upscaler::Lanczos:
            return std::unique_ptr<FrameProcessor>(std::make_unique<ClassicProcessor>(
                engine::imaging::ResizeFilter::Lanczos3, width, height, o.scale, o.threads));
        case Upscaler::FlashVSR:
            break;
    }
    engine::pipeline::UpscalerConfig config = o.model;
    config.model_dir = resolve_model_dir(o);
    config.scale = o.scale;
    std::error_code ec;
    if (!fs::is_directory(config.model_dir, ec)) {
        Error e(ErrorCode::ModelFileMissing,
                "model folder " + config.model_dir.u8string() + " does not exist");
        e.with("path", config.model_dir.u8string());
        return e;
    }
    auto upscaler = engine::pipeline::Upscaler::create(config, width, height);
    if (!upscaler.ok()) {
        return upscaler.error();
    }
    (*upscaler)->set_cancel_token(cancel);
    return std::unique_ptr<FrameProcessor>(
        std::make_unique<ModelProcessor>(std::move(upscaler).value()));
}

}  // namespace cli
