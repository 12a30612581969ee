#include "engine/model/wan/rope.h"

#include "engine/core/error.h"

#include <string>

namespace engine::model::wan {

namespace {

torch::Tensor axis_table(std::int64_t dim, std::int64_t positions, double theta) {
    const auto f64 = torch::TensorOptions().dtype(torch::kDouble);
    auto exponents = torch::arange(0, dim, 2, f64).slice(0, 0, dim / 2) / static_cast<double>(dim);
    auto freqs = 1.0 / torch::pow(theta, exponents);
    auto angles = torch::outer(torch::arange(positions, f64), freqs);
    return torch::polar(torch::ones_like(angles), angles);
}

}  // namespace

RopeTables make_rope_tables(std::int64_t head_dim, std::int64_t max_positions, double theta) {
    const auto spatial = head_dim / 3;
    const auto temporal = head_dim - 2 * spatial;
    return RopeTables{axis_table(temporal, max_positions, theta),
                      axis_table(spatial, max_positions, theta),
                      axis_table(spatial, max_positions, theta)};
}

torch::Tensor rope_freqs(const RopeTables& tables,
                         std::int64_t frame_offset,
                         std::int64_t frames,
                         std::int64_t height,
                         std::int64_t width) {
    const auto limit = tables.frames.size(0);
    if (frame_offset < 0 || frame_offset + frames > limit || height > tables.height.size(0) ||
        width > tables.width.size(0)) {
        throw_error(ErrorCode::InvalidArgument,
                    "RoPE position out of range: frames " + std::to_string(frame_offset) + ".." +
                        std::to_string(frame_offset + frames - 1) + ", grid " +
                        std::to_string(height) + "x" + std::to_string(width) + ", limit " +
                        std::to_string(limit),
                    {{"max_positions", std::to_string(limit)}});
    }
    auto f = tables.frames.slice(0, frame_offset, frame_offset + frames)
                 .view({frames, 1, 1, -1})
                 .expand({frames, height, width, -1});
    auto h = tables.height.slice(0, 0, height)
                 .view({1, height, 1, -1})
                 .expand({frames, height, width, -1});
    auto w =
        tables.width.slice(0, 0, width).view({1, 1, width, -1}).expand({frames, height, width, -1});
    return torch::cat({f, h, w}, -1).reshape({frames * height * width, 1, -1});
}

torch::Tensor apply_rope(const torch::Tensor& x,
                         const torch::Tensor& freqs,
                         std::int64_t num_heads) {
    const auto batch = x.size(0);
    const auto length = x.size(1);
    auto pairs = x.to(torch::kDouble).reshape({batch, length, num_heads, -1, 2});
    auto rotated = torch::view_as_real(torch::view_as_complex(pairs) * freqs);
    return rotated.flatten(2).to(x.scalar_type());
}

}  // namespace engine::model::wan
