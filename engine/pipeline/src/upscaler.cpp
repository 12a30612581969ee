// Upscaler: the frame-level adapter over FlashVsrStream (spec §3.7). It buffers the bicubic LQ
// frames a chunk needs (at most 25), runs a chunk as soon as its last LQ frame arrived, and at the
// end pads with the last frame exactly as the UF frame rule does. A ChunkBackend computes the
// chunk: one stream on the whole frame, or one stream per tile blended by TiledChunkRunner. A
// tiled run in the tile-major order is another Upscaler (tile_major.cpp); create() picks.

#include "engine/pipeline/upscaler.h"

#include "device_memory.h"
#include "engine/core/log.h"
#include "engine/model/checkpoint/state_dict.h"
#include "engine/pipeline/flashvsr_stream.h"
#include "engine/pipeline/frame_rule.h"
#include "engine/pipeline/input_prep.h"
#include "engine/pipeline/tiling.h"
#include "host_transfer.h"
#include "tile_major.h"
#include "upscaler_common.h"

#include <algorithm>
#include <cstring>
#include <deque>
#include <future>
#include <string>

namespace engine::pipeline {

namespace {

using detail::ChunkNoise;
using detail::exception_to_error;
using detail::kLatentChannels;

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

// Computes chunks of full frames.
class ChunkBackend {
  public:
    virtual ~ChunkBackend() = default;
    virtual std::int64_t next_chunk() const = 0;
    virtual torch::Device device() const = 0;  // the run device
    virtual torch::ScalarType dtype() const = 0;
    // Where the upscaler keeps the bicubic LQ frames (in the run dtype).
    virtual torch::Device lq_device() const = 0;
    // Latent rows / columns of one noise draw.
    virtual std::int64_t noise_rows() const = 0;
    virtual std::int64_t noise_cols() const = 0;
    // lq [1, 3, n, PH, PW], cond [1, 3, f, PH, PW], noise [1, 16, f_lat, noise_rows, noise_cols]
    // -> [1, 3, f, >= output height, >= output width] in the model range on the run device.
    // midway() is called once while the chunk's work is queued (FlashVsrStream's
    // between_stages) or, where there is no such point, after it.
    virtual torch::Tensor run_chunk(const torch::Tensor& lq,
                                    const torch::Tensor& cond,
                                    const torch::Tensor& noise,
                                    const std::function<void()>& midway) = 0;
    // For backends whose chunk is long enough to be worth cancelling inside.
    virtual void set_cancel_token(const CancelToken& /*token*/) {}
};

class WholeFrameBackend final : public ChunkBackend {
  public:
    explicit WholeFrameBackend(std::unique_ptr<FlashVsrStream> stream)
        : m_stream(std::move(stream)) {}
    std::int64_t next_chunk() const override { return m_stream->next_chunk(); }
    torch::Device device() const override { return m_stream->device(); }
    torch::ScalarType dtype() const override { return m_stream->dtype(); }
    torch::Device lq_device() const override { return m_stream->device(); }
    std::int64_t noise_rows() const override { return m_stream->height() / 8; }
    std::int64_t noise_cols() const override { return m_stream->width() / 8; }
    torch::Tensor run_chunk(const torch::Tensor& lq,
                            const torch::Tensor& cond,
                            const torch::Tensor& noise,
                            const std::function<void()>& midway) override {
        return m_stream->run_chunk(lq, cond, noise, {}, midway);
    }

  private:
    std::unique_ptr<FlashVsrStream> m_stream;
};

// One tile's FlashVsrStream as TiledChunkRunner drives it.
class TileStream final : public TilePipeline {
  public:
    explicit TileStream(std::unique_ptr<FlashVsrStream> stream) : m_stream(std::move(stream)) {}
    torch::Tensor run_first_stage(const torch::Tensor& lq, const torch::Tensor& noise) override {
        return m_stream->run_dit(lq, noise);
    }
    torch::Tensor run_second_stage(const torch::Tensor& latents,
                                   const torch::Tensor& cond) override {
        return m_stream->run_decoder(latents, cond);
    }
    std::function<void()> restore_point() override {
        return [stream = m_stream.get(), checkpoint = m_stream->checkpoint()] {
            stream->restore(checkpoint);
        };
    }
    void move_state_to(const torch::Device& device) override { m_stream->move_state_to(device); }
    std::int64_t state_bytes() const override { return m_stream->state_bytes(); }

  private:
    std::unique_ptr<FlashVsrStream> m_stream;
};

// The tiled pipeline: LQ frames wait in host memory (only each tile's crop goes to the device),
// the canvas is float32 on the run device.
class TiledBackend final : public ChunkBackend {
  public:
    TiledBackend(std::unique_ptr<TiledChunkRunner> runner,
                 torch::Device device,
                 torch::ScalarType dtype)
        : m_runner(std::move(runner)), m_device(device), m_dtype(dtype) {}
    std::int64_t next_chunk() const override { return m_next_chunk; }
    torch::Device device() const override { return m_device; }
    torch::ScalarType dtype() const override { return m_dtype; }
    torch::Device lq_device() const override { return torch::kCPU; }
    std::int64_t noise_rows() const override { return m_runner->noise_rows(); }
    std::int64_t noise_cols() const override { return m_runner->noise_cols(); }
    torch::Tensor run_chunk(const torch::Tensor& lq,
                            const torch::Tensor& cond,
                            const torch::Tensor& noise,
                            const std::function<void()>& midway) override {
        auto out = m_runner->run_chunk(lq, cond, noise);
        ++m_next_chunk;
        midway();
        return out;
    }
    void set_cancel_token(const CancelToken& token) override { m_runner->set_cancel_token(token); }

  private:
    std::unique_ptr<TiledChunkRunner> m_runner;
    torch::Device m_device;
    torch::ScalarType m_dtype;
    std::int64_t m_next_chunk = 0;
};

class StreamingUpscaler final : public Upscaler {
  public:
    StreamingUpscaler(const UpscalerConfig& config,
                      UpscalerEvents events,
                      const LqGeometry& geometry,
                      std::unique_ptr<ChunkBackend> stream,
                      const torch::Tensor& noise_file)
        : m_config(config),
          m_events(std::move(events)),
          m_geometry(geometry),
          m_stream(std::move(stream)),
          m_noise(noise_file,
                  config.seed,
                  m_stream->device(),
                  m_stream->dtype(),
                  ChunkNoise::Replay::None) {}

    int output_width() const override { return static_cast<int>(m_geometry.output_width); }
    int output_height() const override { return static_cast<int>(m_geometry.output_height); }

    Status push(const Frame& lq_frame, std::vector<Frame>& out) override {
        if (m_finished) {
            return Error(ErrorCode::InvalidArgument, "push() after finish()");
        }
        if (auto ok = detail::check_input_frame(lq_frame, m_geometry, m_received); !ok) {
            return ok;
        }
        try {
            auto input = frame_to_tensor(lq_frame);
            const auto lq_device = m_stream->lq_device();
            if (lq_device.is_cuda() && m_config.lq_resample == LqResample::TorchBicubic) {
                // The bicubic pre-upscale runs where the frames are kept: the source frame goes
                // up instead of the 16x larger upscaled one, and the host does no resampling.
                input = detail::to_device_async(input, lq_device);
            }
            auto prepared = prepare_lq_frames(input, m_geometry, m_config.lq_resample);
            m_lq.push_back(detail::to_device_async(prepared[0], lq_device).to(m_stream->dtype()));
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
            emit_transferred(out);
        } catch (const std::exception& e) {
            return exception_to_error(e);
        }
        m_lq.clear();
        return {};
    }

    void set_cancel_token(CancelToken token) override {
        m_stream->set_cancel_token(token);
        m_cancel = std::move(token);
    }

    std::string device_description() const override {
        return detail::describe_device(m_stream->device(), m_stream->dtype());
    }

  private:
    torch::Tensor lq_frames(std::int64_t begin, std::int64_t end) const {
        std::vector<torch::Tensor> frames;
        for (auto i = begin; i < end; ++i) {
            frames.push_back(m_lq.at(static_cast<std::size_t>(i - m_lq_first)));
        }
        return torch::stack(frames, 1).unsqueeze(0);  // [1, 3, n, H, W]
    }

    // Runs the next chunk and emits the previous one's frames: on CUDA a chunk's frames reach
    // the host on a side stream while the GPU computes the next chunk (HostTransfer), so they
    // are emitted one chunk later, midway through it (finish() emits the last). On the CPU
    // they are emitted at once.
    Status run_chunk(std::vector<Frame>& out, std::optional<std::int64_t> frame_limit) {
        if (m_cancel.is_cancelled()) {
            return Error(ErrorCode::Cancelled, "cancelled");
        }
        const auto chunk = m_stream->next_chunk();
        const auto span = chunk_span(chunk);
        torch::Tensor frames;
        try {
            // The previous chunk's frames are built on a helper thread from the DiT's launches
            // on: built after the whole chunk was queued they left the GPU idle (the launch
            // queue is full long before then, so the host returned near the chunk's end), and
            // built here on this thread they still held up the decoder's launches.
            auto output = m_stream->run_chunk(
                lq_frames(span.lq_begin, span.lq_end),
                lq_frames(span.output_begin, span.output_end),
                m_noise.draw(chunk, m_stream->noise_rows(), m_stream->noise_cols()),
                [&] { begin_emission(); });
            // [-1, 1] -> [0, 1], the 128-padding cropped, HWC of the output type, still on the
            // run device (on a GPU an 8-bit output crosses to the host at a quarter of the
            // bytes).
            frames = detail::output_frames(output, m_geometry.output_height,
                                           m_geometry.output_width, m_config.output_type);
        } catch (...) {
            collect_emission(out);  // the previous chunk's frames are finished work
            throw;
        }
        // Before the next copy reuses the pinned buffer the helper reads.
        collect_emission(out);
        m_transfer.start(frames);
        m_transfer_chunk = chunk;
        m_transfer_limit = frame_limit;
        if (!frames.is_cuda()) {
            emit_transferred(out);
        }
        // The next chunk reads nothing before its first output frame.
        const auto keep_from = chunk_span(chunk + 1).output_begin;
        while (m_lq_first < keep_from && !m_lq.empty()) {
            m_lq.pop_front();
            ++m_lq_first;
        }
        return {};
    }

    // Emits the frames of the chunk whose host copy is in flight, if any, built on this thread
    // (nothing runs beside it here: a helper thread would only be waited for).
    void emit_transferred(std::vector<Frame>& out) {
        begin_emission(std::launch::deferred);
        collect_emission(out);
    }

    // Starts building the Frames of the chunk whose host copy is in flight (waiting for the
    // copy), by default on a helper thread: allocating and filling them is the host's largest
    // cost per chunk (190 MB per 1024x1920 chunk in float32). collect_emission() hands them out
    // (deferred: builds them then, on the collecting thread).
    void begin_emission(std::launch policy = std::launch::async) {
        if (!m_transfer.pending()) {
            return;
        }
        const auto frames = m_transfer.wait();
        const auto span = chunk_span(m_transfer_chunk);
        auto count = frames.size(0);
        if (m_transfer_limit) {
            count = std::clamp<std::int64_t>(*m_transfer_limit - span.output_begin, 0, count);
        }
        const auto width = static_cast<int>(m_geometry.output_width);
        const auto height = static_cast<int>(m_geometry.output_height);
        const auto type = m_config.output_type;
        // One frame after another on one thread: with the frames allocated and filled on the
        // intra-op threads a 768x1408 float32 job measured 45.9 fps, on the driving thread 60.3.
        m_emission = std::async(policy, [frames, count, width, height, type] {
            const auto frame_bytes = static_cast<std::size_t>(frames[0].numel()) *
                                     static_cast<std::size_t>(frames.element_size());
            const auto* source = static_cast<const std::uint8_t*>(frames.data_ptr());
            std::vector<Frame> built(static_cast<std::size_t>(count));
            for (std::int64_t i = 0; i < count; ++i) {
                auto& frame = built[static_cast<std::size_t>(i)];
                frame.allocate(width, height, type);
                frame.bit_depth = detail::bit_depth_of(type);
                TORCH_CHECK(frame.data.size() == frame_bytes,
                            "emit: the host frames do not match the output frame size");
                std::memcpy(frame.data.data(), source + static_cast<std::size_t>(i) * frame_bytes,
                            frame_bytes);
            }
            return built;
        });
        m_emission_chunk = m_transfer_chunk;
    }

    // Waits for the frames begin_emission() started and appends them to `out` with their
    // metadata.
    void collect_emission(std::vector<Frame>& out) {
        if (!m_emission.valid()) {
            return;
        }
        auto built = m_emission.get();
        for (auto& frame : built) {
            const auto& info = m_pending.front();
            frame.index = info.index;
            frame.pts = info.pts;
            frame.time_base = info.time_base;
            out.push_back(std::move(frame));
            m_pending.pop_front();
            ++m_emitted;
        }
        if (m_events.on_chunk) {
            m_events.on_chunk(m_emitted, "chunk " + std::to_string(m_emission_chunk));
        }
    }

    UpscalerConfig m_config;
    UpscalerEvents m_events;
    LqGeometry m_geometry;
    std::unique_ptr<ChunkBackend> m_stream;
    ChunkNoise m_noise;
    CancelToken m_cancel;
    std::deque<torch::Tensor> m_lq;  // [3, H, W] each; front = frame m_lq_first
    std::int64_t m_lq_first = 0;
    std::deque<detail::PendingFrame> m_pending;  // metadata of frames not yet emitted
    std::int64_t m_received = 0;                 // real frames pushed
    std::int64_t m_available = 0;                // real + padding frames
    std::int64_t m_emitted = 0;
    bool m_finished = false;
    detail::HostTransfer m_transfer;  // the last chunk's frames on their way to the host
    std::int64_t m_transfer_chunk = 0;
    std::optional<std::int64_t> m_transfer_limit;
    std::future<std::vector<Frame>> m_emission;  // begin_emission()'s frames being built
    std::int64_t m_emission_chunk = 0;
};

// Rough bytes of one tile's streaming state: the DiT self-attention KV caches dominate
// (layers x K,V x (cached + 1 incoming) temporal windows x 2 latent frames x tokens x dim).
std::int64_t estimate_tile_state_bytes(const model::wan::WanConfig& dit,
                                       const TileRect& tile,
                                       double kv_ratio,
                                       torch::ScalarType dtype) {
    const auto windows = std::max<std::int64_t>(static_cast<std::int64_t>(kv_ratio), 2) + 1;
    const auto tokens = (tile.padded_height / 16) * (tile.padded_width / 16);
    return dit.num_layers * 2 * windows * 2 * tokens * dit.dim *
           static_cast<std::int64_t>(c10::elementSize(dtype));
}

// Tiles resident at once: the setting, all of them on the CPU, or what free GPU memory holds
// beside two tiles' worth of working memory (a heuristic; the adaptive batch corrects it).
std::int64_t resolve_tile_batch(const TileSettings& tiling,
                                const TilePlan& plan,
                                const FlashVsrModels& models,
                                double kv_ratio) {
    const auto count = static_cast<std::int64_t>(plan.tiles.size());
    if (tiling.batch_size > 0) {
        return std::min<std::int64_t>(tiling.batch_size, count);
    }
    if (!models.device.is_cuda()) {
        return count;
    }
    const auto free_bytes = detail::free_device_bytes(models.device);
    if (!free_bytes) {
        log_info("tile batch: free GPU memory unknown; keeping all " + std::to_string(count) +
                 " tiles resident");
        return count;
    }
    std::int64_t per_tile = 1;
    for (const auto& tile : plan.tiles) {
        per_tile = std::max(per_tile, estimate_tile_state_bytes(models.dit->config(), tile,
                                                                kv_ratio, models.dtype));
    }
    const auto batch = std::clamp<std::int64_t>((*free_bytes - 2 * per_tile) / per_tile, 1, count);
    log_info("tile batch " + std::to_string(batch) + " of " + std::to_string(count) +
             " tiles (about " + std::to_string(per_tile >> 20) + " MiB state per tile, " +
             std::to_string(*free_bytes >> 20) + " MiB free)");
    return batch;
}

// The frame-major tiled backend: one stream per tile, `batch` of them resident at once.
Result<std::unique_ptr<ChunkBackend>> make_tiled_backend(const UpscalerConfig& config,
                                                         FlashVsrModels models,
                                                         StreamSettings settings,
                                                         TilePlan plan,
                                                         std::int64_t batch) {
    const auto device = models.device;
    const auto dtype = models.dtype;
    const auto count = static_cast<std::int64_t>(plan.tiles.size());
    if (device.is_cuda() && batch < count) {
        // Tiled VAE caches live inside WanVaeStreamDecoder, which parks them itself.
        settings.vae_cache_device = torch::Device(torch::kCPU);
    }
    // The first tile's stream computes the prompt K/V; the others share it (and the weights).
    const auto& first_tile = plan.tiles.front();
    auto first = FlashVsrStream::create(std::move(models), settings, first_tile.padded_height,
                                        first_tile.padded_width);
    if (!first) {
        return first.error();
    }
    std::vector<std::unique_ptr<FlashVsrStream>> streams;
    for (std::size_t i = 1; i < plan.tiles.size(); ++i) {
        const auto& tile = plan.tiles[i];
        auto stream = (*first)->create_sibling(tile.padded_height, tile.padded_width);
        if (!stream) {
            return stream.error();
        }
        streams.push_back(std::move(stream).value());
    }
    streams.insert(streams.begin(), std::move(first).value());
    std::vector<std::unique_ptr<TilePipeline>> tiles;
    for (auto& stream : streams) {
        tiles.push_back(std::make_unique<TileStream>(std::move(stream)));
    }
    TiledRunnerOptions options;
    options.device = device;
    options.park_device = torch::kCPU;
    options.batch_size = batch;
    options.adaptive_batch = config.tiling.adaptive_batch;
    options.release_cached_memory = [device] { detail::release_cached_memory(device); };
    auto runner =
        std::make_unique<TiledChunkRunner>(std::move(plan), std::move(tiles), std::move(options));
    return std::unique_ptr<ChunkBackend>(
        std::make_unique<TiledBackend>(std::move(runner), device, dtype));
}

// A tiled run: the plan, the order (Auto: tile-major when the resolved batch leaves tiles out)
// and the Upscaler of that order.
Result<std::unique_ptr<Upscaler>> make_tiled_upscaler(const UpscalerConfig& config,
                                                      UpscalerEvents events,
                                                      const LqGeometry& geometry,
                                                      FlashVsrModels models,
                                                      const StreamSettings& settings,
                                                      const torch::Tensor& noise) {
    auto plan =
        plan_tiles(geometry.input_width, geometry.input_height, config.scale, config.tiling);
    if (!plan) {
        return plan.error();
    }
    if (config.tiling.batch_size < 0) {
        return Error(ErrorCode::InvalidArgument, "tile batch size must be >= 0 (0 = auto)")
            .with("tile_batch_size", std::to_string(config.tiling.batch_size));
    }
    const auto count = static_cast<std::int64_t>(plan->tiles.size());
    auto order = config.tiling.order;
    std::int64_t batch = count;
    if (order != TileOrder::TileMajor) {
        batch = resolve_tile_batch(config.tiling, plan.value(), models, config.kv_ratio);
        if (order == TileOrder::Auto) {
            order = batch < count ? TileOrder::TileMajor : TileOrder::FrameMajor;
        }
    }
    const auto tile_major = order == TileOrder::TileMajor;
    log_info("tiled pipeline: " + std::to_string(count) + " tiles in " +
             std::to_string(plan->passes) + " pass(es), tile " +
             std::to_string(config.tiling.size) + " px, stride " + std::to_string(plan->stride) +
             ", overlap " + std::to_string(plan->overlap) + " (input pixels), order " +
             (tile_major ? "tile-major (scratch " +
                               std::to_string(detail::tile_major_scratch_bytes_per_frame(*plan)) +
                               " bytes per frame)"
                         : "frame-major"));
    const auto device = models.device;
    const auto dtype = models.dtype;
    if (!tile_major) {
        auto backend =
            make_tiled_backend(config, std::move(models), settings, std::move(plan).value(), batch);
        if (!backend) {
            return backend.error();
        }
        return std::unique_ptr<Upscaler>(std::make_unique<StreamingUpscaler>(
            config, std::move(events), geometry, std::move(backend).value(), noise));
    }
    // One tile state at a time: its (tiled) VAE caches stay on the run device.
    const auto& first_tile = plan->tiles.front();
    auto base = FlashVsrStream::create(std::move(models), settings, first_tile.padded_height,
                                       first_tile.padded_width);
    if (!base) {
        return base.error();
    }
    return detail::make_tile_major_upscaler(detail::TileMajorSetup{
        config, std::move(events), geometry, std::move(plan).value(), std::move(base).value(),
        ChunkNoise(noise, config.seed, device, dtype, ChunkNoise::Replay::Keep)});
}

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
        settings.unload_dit = config.unload_dit;
        if (config.unload_dit && !device->is_cuda()) {
            log_info("unload_dit has no effect on " + device->str() +
                     ": the DiT already lives in host memory");
        } else if (config.unload_dit && config.mode != Mode::Full) {
            log_info("unload_dit applies to full mode (Wan VAE) only; ignored in tiny modes");
        }
        std::unique_ptr<Upscaler> upscaler;
        if (config.tiling.enabled) {
            auto tiled = make_tiled_upscaler(config, std::move(events), geometry,
                                             std::move(models).value(), settings, noise);
            if (!tiled) {
                return tiled.error();
            }
            upscaler = std::move(tiled).value();
        } else {
            auto stream = FlashVsrStream::create(std::move(models).value(), settings,
                                                 geometry.padded_height, geometry.padded_width);
            if (!stream) {
                return stream.error();
            }
            upscaler = std::make_unique<StreamingUpscaler>(
                config, std::move(events), geometry,
                std::make_unique<WholeFrameBackend>(std::move(stream).value()), noise);
        }
        if (device->is_cuda()) {
            // Loading (dtype casts, layout conversions, prompt K/V) leaves freed blocks in the
            // caching allocator: give them back, so the device holds the weights only and what
            // the process shows (NVML, the planner's calibration) is what the run needs.
            detail::release_cached_memory(device.value());
        }
        log_info("FlashVSR upscaler ready: " + upscaler->device_description());
        return upscaler;
    } catch (const std::exception& e) {
        return exception_to_error(e);
    }
}

}  // namespace engine::pipeline
