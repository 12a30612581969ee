// Upscaler: the frame-level adapter over FlashVsrStream (spec §3.7). It buffers the bicubic LQ
// frames a chunk needs (at most 25, on the run device), runs a chunk as soon as its last LQ frame
// arrived, and at the end pads with the last frame exactly as the UF frame rule does.

#include "engine/pipeline/upscaler.h"

#include "engine/core/log.h"
#include "engine/model/checkpoint/state_dict.h"
#include "engine/pipeline/flashvsr_stream.h"
#include "engine/pipeline/frame_rule.h"
#include "engine/pipeline/input_prep.h"

#include <cstring>
#include <deque>
#include <string>

namespace engine::pipeline {

namespace {

constexpr std::int64_t kLatentChannels = 16;

Error exception_to_error(const std::exception& e) {
    if (const auto* engine_error = dynamic_cast<const EngineException*>(&e)) {
        return engine_error->error();
    }
    std::string message = e.what();
    if (const auto* c10_error = dynamic_cast<const c10::Error*>(&e)) {
        message = c10_error->what_without_backtrace();
    }
    if (message.find("out of memory") != std::string::npos) {
        return Error(ErrorCode::OutOfMemory, message);
    }
    return Error(ErrorCode::Internal, message);
}

Result<torch::Device> resolve_device(const std::string& name) {
    const bool have_cuda =
        at::globalContext().hasCUDA() && at::detail::getCUDAHooks().getNumGPUs() > 0;
    if (name == "auto") {
        return have_cuda ? torch::Device(torch::kCUDA, 0) : torch::Device(torch::kCPU);
    }
    try {
        torch::Device device(name);
        if (device.is_cuda()) {
            const auto count = have_cuda ? at::detail::getCUDAHooks().getNumGPUs() : 0;
            const auto index = device.has_index() ? device.index() : 0;
            if (index >= count) {
                return Error(ErrorCode::DeviceUnavailable,
                             "device " + name + " is not available (" + std::to_string(count) +
                                 " CUDA devices)")
                    .with("device", name);
            }
            return torch::Device(torch::kCUDA, index);
        }
        if (device.is_cpu()) {
            return device;
        }
    } catch (const c10::Error&) {
    }
    return Error(ErrorCode::InvalidArgument, "unknown device '" + name + "'").with("device", name);
}

Result<torch::ScalarType> resolve_precision(const std::optional<Precision>& precision,
                                            const torch::Device& device) {
    const auto p = precision.value_or(device.is_cuda() ? Precision::BF16 : Precision::FP32);
    switch (p) {
        case Precision::FP32:
            return torch::kFloat;
        case Precision::BF16:
            return torch::kBFloat16;
        case Precision::FP16:
            if (device.is_cpu()) {
                return Error(ErrorCode::PrecisionUnsupported,
                             "fp16 is not supported on the CPU (LibTorch lacks half-precision CPU "
                             "kernels for this model); use fp32 or bf16")
                    .with("precision", "fp16")
                    .with("device", "cpu");
            }
            return torch::kHalf;
    }
    return torch::kFloat;
}

struct PendingFrame {
    std::int64_t index = 0;
    std::int64_t pts = 0;
    Rational time_base{1, 1};
};

class StreamingUpscaler final : public Upscaler {
  public:
    StreamingUpscaler(const UpscalerConfig& config,
                      UpscalerEvents events,
                      const LqGeometry& geometry,
                      std::unique_ptr<FlashVsrStream> stream,
                      torch::Tensor noise_file)
        : m_config(config),
          m_events(std::move(events)),
          m_geometry(geometry),
          m_stream(std::move(stream)),
          m_noise_file(std::move(noise_file)) {
        if (!m_noise_file.defined()) {
            const auto device = m_stream->device();
            // A private clone: seeding it leaves the process-wide default generator alone.
            m_generator = at::globalContext().defaultGenerator(device).clone();
            m_generator.set_current_seed(config.seed);
        }
    }

    int output_width() const override { return static_cast<int>(m_geometry.output_width); }
    int output_height() const override { return static_cast<int>(m_geometry.output_height); }

    Status push(const Frame& lq_frame, std::vector<Frame>& out) override {
        if (m_finished) {
            return Error(ErrorCode::InvalidArgument, "push() after finish()");
        }
        if (lq_frame.width != m_geometry.input_width ||
            lq_frame.height != m_geometry.input_height ||
            lq_frame.data.size() != lq_frame.sample_count() * bytes_per_sample(lq_frame.type)) {
            return Error(ErrorCode::InvalidArgument,
                         "frame " + std::to_string(lq_frame.width) + "x" +
                             std::to_string(lq_frame.height) + " does not match the upscaler's " +
                             std::to_string(m_geometry.input_width) + "x" +
                             std::to_string(m_geometry.input_height));
        }
        if (m_received >= kMaxSourceFrames) {
            // RoPE has 1024 temporal positions (spec §2.1.3); longer videos must be segmented.
            return Error(ErrorCode::InvalidArgument,
                         "one run holds at most " + std::to_string(kMaxSourceFrames) +
                             " frames (RoPE position limit); split the video into segments")
                .with("max_frames", std::to_string(kMaxSourceFrames));
        }
        try {
            auto prepared =
                prepare_lq_frames(frame_to_tensor(lq_frame), m_geometry, m_config.lq_resample);
            m_lq.push_back(prepared[0].to(m_stream->device(), m_stream->dtype()));
            m_pending.push_back({lq_frame.index, lq_frame.pts, lq_frame.time_base});
            ++m_received;
            ++m_available;
            while (chunk_span(m_stream->next_chunk()).lq_end <= m_available) {
                if (auto ok = run_chunk(out, std::nullopt); !ok) {
                    return ok;
                }
            }
        } catch (const std::exception& e) {
            return exception_to_error(e);
        }
        return {};
    }

    Status finish(std::vector<Frame>& out) override {
        if (m_finished) {
            return {};
        }
        m_finished = true;
        if (m_received == 0) {
            return Error(ErrorCode::ZeroFrames, "the input had no frames");
        }
        try {
            const auto plan = plan_frames(m_received);
            while (m_available < plan.model_frames) {
                m_lq.push_back(m_lq.back());  // pad with the last real frame
                ++m_available;
            }
            while (m_stream->next_chunk() < plan.chunks) {
                if (auto ok = run_chunk(out, m_received); !ok) {
                    return ok;
                }
            }
        } catch (const std::exception& e) {
            return exception_to_error(e);
        }
        m_lq.clear();
        return {};
    }

    void set_cancel_token(CancelToken token) override { m_cancel = std::move(token); }

    std::string device_description() const override {
        const auto dtype = m_stream->dtype();
        const char* precision = dtype == torch::kBFloat16 ? "bf16"
                                : dtype == torch::kHalf   ? "fp16"
                                                          : "fp32";
        return m_stream->device().str() + " " + precision;
    }

  private:
    torch::Tensor lq_frames(std::int64_t begin, std::int64_t end) const {
        std::vector<torch::Tensor> frames;
        for (auto i = begin; i < end; ++i) {
            frames.push_back(m_lq.at(static_cast<std::size_t>(i - m_lq_first)));
        }
        return torch::stack(frames, 1).unsqueeze(0);  // [1, 3, n, H, W]
    }

    torch::Tensor noise_for(const ChunkSpan& span) {
        const std::vector<std::int64_t> shape{
            1, kLatentChannels, span.latent_end - span.latent_begin, m_geometry.padded_height / 8,
            m_geometry.padded_width / 8};
        if (m_noise_file.defined()) {
            if (m_noise_file.size(2) < span.latent_end) {
                throw_error(ErrorCode::InvalidArgument,
                            "the noise file holds " + std::to_string(m_noise_file.size(2)) +
                                " latent frames; the video needs at least " +
                                std::to_string(span.latent_end));
            }
            return m_noise_file.slice(2, span.latent_begin, span.latent_end);
        }
        // Drawn per chunk, in the run dtype on the run device, from one generator seeded once.
        return at::randn(
            shape, m_generator,
            torch::TensorOptions().dtype(m_stream->dtype()).device(m_stream->device()));
    }

    Status run_chunk(std::vector<Frame>& out, std::optional<std::int64_t> frame_limit) {
        if (m_cancel.is_cancelled()) {
            return Error(ErrorCode::Cancelled, "cancelled");
        }
        const auto chunk = m_stream->next_chunk();
        const auto span = chunk_span(chunk);
        auto output =
            m_stream->run_chunk(lq_frames(span.lq_begin, span.lq_end),
                                lq_frames(span.output_begin, span.output_end), noise_for(span));
        // [-1, 1] -> [0, 1], crop the 128-padding, HWC float32 on the host.
        auto frames = ((output[0].to(torch::kFloat) + 1) * 0.5)
                          .clamp(0, 1)
                          .slice(2, 0, m_geometry.output_height)
                          .slice(3, 0, m_geometry.output_width)
                          .permute({1, 2, 3, 0})
                          .to(torch::kCPU)
                          .contiguous();
        for (std::int64_t i = 0; i < frames.size(0); ++i) {
            const auto index = span.output_begin + i;
            if (frame_limit && index >= *frame_limit) {
                break;
            }
            const auto& info = m_pending.front();
            Frame frame;
            frame.allocate(static_cast<int>(m_geometry.output_width),
                           static_cast<int>(m_geometry.output_height), SampleType::F32);
            frame.bit_depth = 32;
            frame.index = info.index;
            frame.pts = info.pts;
            frame.time_base = info.time_base;
            std::memcpy(frame.data.data(), frames[i].data_ptr<float>(), frame.data.size());
            out.push_back(std::move(frame));
            m_pending.pop_front();
            ++m_emitted;
        }
        // The next chunk reads nothing before its first output frame.
        const auto keep_from = chunk_span(chunk + 1).output_begin;
        while (m_lq_first < keep_from && !m_lq.empty()) {
            m_lq.pop_front();
            ++m_lq_first;
        }
        if (m_events.on_chunk) {
            m_events.on_chunk(m_emitted, "chunk " + std::to_string(chunk));
        }
        return {};
    }

    UpscalerConfig m_config;
    UpscalerEvents m_events;
    LqGeometry m_geometry;
    std::unique_ptr<FlashVsrStream> m_stream;
    torch::Tensor m_noise_file;
    at::Generator m_generator;
    CancelToken m_cancel;
    std::deque<torch::Tensor> m_lq;  // [3, H, W] each; front = frame m_lq_first
    std::int64_t m_lq_first = 0;
    std::deque<PendingFrame> m_pending;  // metadata of frames not yet emitted
    std::int64_t m_received = 0;         // real frames pushed
    std::int64_t m_available = 0;        // real + padding frames
    std::int64_t m_emitted = 0;
    bool m_finished = false;
};

}  // namespace

Result<std::unique_ptr<Upscaler>> Upscaler::create(const UpscalerConfig& config,
                                                   int input_width,
                                                   int input_height,
                                                   UpscalerEvents events) {
    if (input_width <= 0 || input_height <= 0) {
        return Error(ErrorCode::InvalidArgument, "input size must be positive");
    }
    if (config.scale < 1 || config.scale > 8) {
        return Error(ErrorCode::InvalidArgument,
                     "scale " + std::to_string(config.scale) + " is outside 1..8");
    }
    auto device = resolve_device(config.device);
    if (!device) {
        return device.error();
    }
    auto dtype = resolve_precision(config.precision, device.value());
    if (!dtype) {
        return dtype.error();
    }
    const auto geometry = lq_geometry(input_width, input_height, config.scale);
    try {
        torch::Tensor noise;
        if (config.noise_file) {
            auto dict = model::load_state_dict(*config.noise_file);
            if (!dict) {
                return dict.error();
            }
            const auto* found = dict->find("noise");
            if (found == nullptr || found->dim() != 5 || found->size(1) != kLatentChannels ||
                found->size(3) != geometry.padded_height / 8 ||
                found->size(4) != geometry.padded_width / 8) {
                return Error(ErrorCode::InvalidArgument,
                             "noise file must hold 'noise' [1, 16, T, " +
                                 std::to_string(geometry.padded_height / 8) + ", " +
                                 std::to_string(geometry.padded_width / 8) + "]")
                    .with("path", config.noise_file->string());
            }
            noise = *found;
        }
        auto models = load_models(ModelFiles::in_folder(config.model_dir, config.mode),
                                  device.value(), dtype.value());
        if (!models) {
            return models.error();
        }
        StreamSettings settings;
        settings.mode = config.mode;
        settings.version = config.version;
        settings.sparse_ratio = config.sparse_ratio;
        settings.kv_ratio = config.kv_ratio;
        settings.local_range = config.local_range;
        settings.color_fix = config.color_fix;
        settings.tiled_vae = config.tiled_vae;
        settings.reference_attention = config.attention == AttentionBackend::Reference;
        auto stream = FlashVsrStream::create(std::move(models).value(), settings,
                                             geometry.padded_height, geometry.padded_width);
        if (!stream) {
            return stream.error();
        }
        std::unique_ptr<Upscaler> upscaler = std::make_unique<StreamingUpscaler>(
            config, std::move(events), geometry, std::move(stream).value(), noise);
        log_info("FlashVSR upscaler ready: " + upscaler->device_description());
        return upscaler;
    } catch (const std::exception& e) {
        return exception_to_error(e);
    }
}

}  // namespace engine::pipeline
