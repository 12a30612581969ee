#include "upscaler_common.h"

namespace engine::pipeline::detail {

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

Status check_input_frame(const Frame& frame, const LqGeometry& geometry, std::int64_t received) {
    if (frame.width != geometry.input_width || frame.height != geometry.input_height ||
        frame.data.size() != frame.sample_count() * bytes_per_sample(frame.type)) {
        return Error(ErrorCode::InvalidArgument,
                     "frame " + std::to_string(frame.width) + "x" + std::to_string(frame.height) +
                         " does not match the upscaler's " + std::to_string(geometry.input_width) +
                         "x" + std::to_string(geometry.input_height));
    }
    if (received >= kMaxSourceFrames) {
        // RoPE has 1024 temporal positions (spec §2.1.3); longer videos must be segmented.
        return Error(ErrorCode::InvalidArgument,
                     "one run holds at most " + std::to_string(kMaxSourceFrames) +
                         " frames (RoPE position limit); split the video into segments")
            .with("max_frames", std::to_string(kMaxSourceFrames));
    }
    return {};
}

std::string describe_device(const torch::Device& device, torch::ScalarType dtype) {
    const char* precision = dtype == torch::kBFloat16 ? "bf16"
                            : dtype == torch::kHalf   ? "fp16"
                                                      : "fp32";
    return device.str() + " " + precision;
}

torch::Tensor output_frames(const torch::Tensor& video,
                            std::int64_t height,
                            std::int64_t width,
                            SampleType type) {
    TORCH_CHECK(video.dim() == 5 && video.size(0) == 1 && video.size(1) == 3 &&
                    video.size(3) >= height && video.size(4) >= width,
                "output_frames: video must be [1, 3, T, >= ", height, ", >= ", width, "], got ",
                video.sizes());
    // A float32 copy of the crop (a copy even when the run is float32: the steps below are in
    // place and the caller's tensor stays as it was).
    auto values = video[0]
                      .slice(2, 0, height)
                      .slice(3, 0, width)
                      .to(torch::kFloat, /*non_blocking=*/false, /*copy=*/true);
    values.add_(1).mul_(0.5).clamp_(0, 1);
    const auto hwc = [](const torch::Tensor& t) { return t.permute({1, 2, 3, 0}); };
    if (type == SampleType::F32) {
        return hwc(values).contiguous();
    }
    // from_float: lround(v * max) in float32. Half away from zero, exactly: floor(x) plus one
    // where the fraction x - floor(x) (exact in float32 for 0 <= x < 2^23) is at least 0.5;
    // x + 0.5 rounded down would be off for x just below 0.5.
    values.mul_(type == SampleType::U8 ? 255.0 : 65535.0);
    auto rounded = values.floor();
    values.sub_(rounded);
    rounded.add_(values.ge(0.5));
    if (type == SampleType::U16) {
        // 32768..65535 -> -32768..-1: the int16 with the same bits (an in-range conversion;
        // narrowing out-of-range values is not defined to wrap).
        values.copy_(rounded.ge(32768));
        rounded.sub_(values.mul_(65536.0));
    }
    values = torch::Tensor();
    const auto dtype = type == SampleType::U8 ? torch::kByte : torch::kShort;
    return torch::empty(hwc(rounded).sizes(), rounded.options().dtype(dtype)).copy_(hwc(rounded));
}

torch::Tensor to_device_async(const torch::Tensor& t, const torch::Device& device) {
    if (!device.is_cuda() || !t.device().is_cpu()) {
        return t.to(device);
    }
    auto pinned = torch::empty(t.sizes(), t.options().pinned_memory(true));
    pinned.copy_(t);
    return pinned.to(device, /*non_blocking=*/true);
}

int bit_depth_of(SampleType type) {
    return type == SampleType::U8 ? 8 : (type == SampleType::U16 ? 16 : 32);
}

std::vector<Frame> allocate_output_frames(std::int64_t count,
                                          int width,
                                          int height,
                                          SampleType type) {
    std::vector<Frame> frames(static_cast<std::size_t>(count));
    const int bit_depth = bit_depth_of(type);
    at::parallel_for(0, count, 1, [&](std::int64_t begin, std::int64_t end) {
        for (auto i = begin; i < end; ++i) {
            auto& frame = frames[static_cast<std::size_t>(i)];
            frame.allocate(width, height, type);
            frame.bit_depth = bit_depth;
        }
    });
    return frames;
}

ChunkNoise::ChunkNoise(torch::Tensor noise_file,
                       std::uint64_t seed,
                       torch::Device device,
                       torch::ScalarType dtype,
                       Replay replay)
    : m_file(std::move(noise_file)), m_device(device), m_dtype(dtype), m_replay(replay) {
    if (!m_file.defined()) {
        // A private clone: seeding it leaves the process-wide default generator alone.
        m_generator = at::globalContext().defaultGenerator(device).clone();
        m_generator.set_current_seed(seed);
    }
}

torch::Tensor ChunkNoise::draw(std::int64_t chunk, std::int64_t rows, std::int64_t cols) {
    const auto span = chunk_span(chunk);
    if (m_file.defined()) {
        if (m_file.size(2) < span.latent_end) {
            throw_error(ErrorCode::InvalidArgument,
                        "the noise file holds " + std::to_string(m_file.size(2)) +
                            " latent frames; the video needs at least " +
                            std::to_string(span.latent_end));
        }
        auto noise = m_file.slice(2, span.latent_begin, span.latent_end);
        if (noise.size(3) < rows || noise.size(4) < cols) {
            // Tiles reaching past the frame's 128-padding: the file covers only the padded
            // frame, so its last latent row / column is repeated (cells outside the image).
            const auto clamped = [](std::int64_t count, std::int64_t size) {
                return torch::arange(count, torch::kLong).clamp_max(size - 1);
            };
            noise = noise.index_select(3, clamped(rows, noise.size(3)))
                        .index_select(4, clamped(cols, noise.size(4)));
        }
        return noise;
    }
    const std::vector<std::int64_t> shape{1, kLatentChannels, span.latent_end - span.latent_begin,
                                          rows, cols};
    const auto options = torch::TensorOptions().dtype(m_dtype).device(m_device);
    if (chunk < m_drawn) {
        TORCH_CHECK(m_replay == Replay::Keep, "ChunkNoise: chunk ", chunk,
                    " was drawn already and its state was not kept");
        auto generator = m_saved.at(static_cast<std::size_t>(chunk)).clone();
        return at::randn(shape, generator, options);
    }
    TORCH_CHECK(chunk == m_drawn, "ChunkNoise: chunk ", chunk, " asked before chunk ", m_drawn);
    if (m_replay == Replay::Keep) {
        m_saved.push_back(m_generator.clone());
    }
    ++m_drawn;
    return at::randn(shape, m_generator, options);
}

}  // namespace engine::pipeline::detail
