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
