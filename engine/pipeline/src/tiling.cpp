#include "engine/pipeline/tiling.h"

#include "engine/core/log.h"

#include <algorithm>
#include <numeric>
#include <string>
#include <tuple>
#include <utility>

namespace engine::pipeline {

namespace {

using detail::Span;

// Linear ramp of one tile along one axis, in output pixels: 1 inside, (i + 0.5) / ramp towards
// an inner side (never 0), no ramp on a side that lies on the image border.
torch::Tensor axis_ramp(const Span& span,
                        std::int64_t length,
                        std::int64_t scale,
                        std::int64_t ramp) {
    const auto n = (span.second - span.first) * scale;
    auto values = torch::ones({n}, torch::kDouble);
    if (ramp <= 0) {
        return values;
    }
    auto position = torch::arange(n, torch::kDouble) + 0.5;
    if (span.first > 0) {
        values = torch::minimum(values, position / static_cast<double>(ramp));
    }
    if (span.second < length) {
        values = torch::minimum(values, (static_cast<double>(n) - position) / ramp);
    }
    return values;
}

// Rows of `t` along `dim` starting at `begin`, `count` of them, indices past the end clamped
// to the last one (replicate).
torch::Tensor crop_clamped(const torch::Tensor& t,
                           std::int64_t dim,
                           std::int64_t begin,
                           std::int64_t count) {
    const auto size = t.size(dim);
    if (begin + count <= size) {
        return t.narrow(dim, begin, count);
    }
    auto index = (torch::arange(count, torch::kLong) + begin).clamp_max(size - 1);
    return t.index_select(dim, index.to(t.device()));
}

}  // namespace

std::vector<torch::Tensor> tile_blend_weights(const TilePlan& plan) {
    const auto scale = plan.scale;
    const auto ramp = plan.overlap * scale;
    auto total = torch::zeros({plan.output_height(), plan.output_width()}, torch::kDouble);
    std::vector<torch::Tensor> weights;
    for (const auto& tile : plan.tiles) {
        auto rows = axis_ramp({tile.y0, tile.y1}, plan.input_height, scale, ramp);
        auto cols = axis_ramp({tile.x0, tile.x1}, plan.input_width, scale, ramp);
        auto weight = rows.unsqueeze(1) * cols.unsqueeze(0);
        total.narrow(0, tile.y0 * scale, weight.size(0))
            .narrow(1, tile.x0 * scale, weight.size(1))
            .add_(weight);
        weights.push_back(weight);
    }
    for (std::size_t i = 0; i < weights.size(); ++i) {
        const auto& tile = plan.tiles[i];
        const auto& w = weights[i];
        weights[i] =
            (w / total.narrow(0, tile.y0 * scale, w.size(0)).narrow(1, tile.x0 * scale, w.size(1)))
                .to(torch::kFloat);
    }
    return weights;
}

std::pair<std::int64_t, std::int64_t> tile_noise_extent(const TilePlan& plan) {
    std::int64_t rows = 0;
    std::int64_t cols = 0;
    for (const auto& tile : plan.tiles) {
        rows = std::max(rows, (tile.y0 * plan.scale + tile.padded_height) / kLatentCell);
        cols = std::max(cols, (tile.x0 * plan.scale + tile.padded_width) / kLatentCell);
    }
    return {rows, cols};
}

std::pair<std::int64_t, std::int64_t> tile_noise_origin(const TilePlan& plan, std::size_t tile) {
    const auto& rect = plan.tiles.at(tile);
    return {rect.y0 * plan.scale / kLatentCell, rect.x0 * plan.scale / kLatentCell};
}

torch::Tensor tile_noise_crop(const torch::Tensor& noise, const TilePlan& plan, std::size_t tile) {
    const auto& rect = plan.tiles.at(tile);
    const auto [row, col] = tile_noise_origin(plan, tile);
    return noise.narrow(3, row, rect.padded_height / kLatentCell)
        .narrow(4, col, rect.padded_width / kLatentCell);
}

bool is_out_of_memory(const std::exception& error) {
    if (dynamic_cast<const c10::OutOfMemoryError*>(&error) != nullptr) {
        return true;
    }
    const std::string message = error.what();
    return message.find("out of memory") != std::string::npos ||
           message.find("can't allocate memory") != std::string::npos;
}

TiledChunkRunner::TiledChunkRunner(TilePlan plan,
                                   std::vector<std::unique_ptr<TilePipeline>> tiles,
                                   TiledRunnerOptions options)
    : m_plan(std::move(plan)), m_tiles(std::move(tiles)), m_options(std::move(options)) {
    if (m_tiles.size() != m_plan.tiles.size() || m_tiles.empty()) {
        throw_error(ErrorCode::InvalidArgument,
                    "TiledChunkRunner: " + std::to_string(m_tiles.size()) + " pipelines for " +
                        std::to_string(m_plan.tiles.size()) + " tiles");
    }
    for (auto& weight : tile_blend_weights(m_plan)) {
        m_weights.push_back(
            weight.view({1, 1, 1, weight.size(0), weight.size(1)}).to(m_options.device));
    }
    const auto count = static_cast<std::int64_t>(m_tiles.size());
    m_batch_size = std::clamp<std::int64_t>(m_options.batch_size, 1, count);
    m_resident.assign(m_tiles.size(), true);  // fresh states are empty: nothing to move
    std::tie(m_noise_rows, m_noise_cols) = tile_noise_extent(m_plan);
}

torch::Tensor TiledChunkRunner::weight_sum() const {
    auto total = torch::zeros({m_plan.output_height(), m_plan.output_width()}, torch::kFloat);
    for (std::size_t i = 0; i < m_weights.size(); ++i) {
        const auto& tile = m_plan.tiles[i];
        const auto w = m_weights[i].to(torch::kCPU).squeeze();
        total.narrow(0, tile.y0 * m_plan.scale, w.size(0))
            .narrow(1, tile.x0 * m_plan.scale, w.size(1))
            .add_(w);
    }
    return total;
}

void TiledChunkRunner::ensure_resident(std::size_t tile) {
    if (!m_resident[tile]) {
        m_tiles[tile]->move_state_to(m_options.device);
        m_resident[tile] = true;
    }
}

void TiledChunkRunner::park(std::size_t tile) {
    if (m_resident[tile]) {
        m_tiles[tile]->move_state_to(m_options.park_device);
        m_resident[tile] = false;
        ++m_stats.states_parked;
    }
}

template <typename Stage>
torch::Tensor TiledChunkRunner::run_stage(std::size_t tile, const Stage& stage) {
    if (m_cancel.is_cancelled()) {
        throw_error(ErrorCode::Cancelled, "cancelled");
    }
    if (!m_options.adaptive_batch) {
        // No retry, so no restore point: it would keep the tile's previous state alive (one more
        // tile state of memory) while the stage runs.
        ensure_resident(tile);
        return stage();
    }
    for (;;) {
        ensure_resident(tile);
        auto restore = m_tiles[tile]->restore_point();
        try {
            return stage();
        } catch (const std::exception& error) {
            if (!is_out_of_memory(error)) {
                throw;
            }
            restore();
            ++m_stats.states_restored;
            bool others_resident = false;
            for (std::size_t i = 0; i < m_tiles.size(); ++i) {
                others_resident = others_resident || (i != tile && m_resident[i]);
            }
            if (m_batch_size == 1 && !others_resident) {
                throw;  // nothing left to free
            }
            for (std::size_t i = 0; i < m_tiles.size(); ++i) {
                if (i != tile) {
                    park(i);
                }
            }
            m_batch_size = std::max<std::int64_t>(1, m_batch_size / 2);
            if (m_options.release_cached_memory) {
                m_options.release_cached_memory();
            }
            ++m_stats.out_of_memory_retries;
            log_warning("out of memory in tile " + std::to_string(tile) +
                        "; retrying with a tile batch of " + std::to_string(m_batch_size));
        }
    }
}

torch::Tensor TiledChunkRunner::run_chunk(const torch::Tensor& lq,
                                          const torch::Tensor& cond,
                                          const torch::Tensor& noise) {
    TORCH_CHECK(lq.dim() == 5 && cond.dim() == 5 && noise.dim() == 5,
                "TiledChunkRunner: lq, cond and noise must be 5-D");
    TORCH_CHECK(noise.size(3) >= m_noise_rows && noise.size(4) >= m_noise_cols,
                "TiledChunkRunner: noise must cover ", m_noise_rows, "x", m_noise_cols,
                " latent cells, got ", noise.sizes());
    const auto scale = m_plan.scale;
    const auto frames = cond.size(2);
    auto canvas =
        torch::zeros({1, 3, frames, m_plan.output_height(), m_plan.output_width()},
                     torch::TensorOptions().dtype(torch::kFloat).device(m_options.device));
    const auto count = m_tiles.size();
    const auto crop = [&](const torch::Tensor& video, const TileRect& tile) {
        return crop_clamped(crop_clamped(video, 3, tile.y0 * scale, tile.padded_height), 4,
                            tile.x0 * scale, tile.padded_width);
    };
    std::vector<torch::Tensor> intermediate(count);
    std::size_t begin = 0;
    while (begin < count) {
        const auto end = std::min(count, begin + static_cast<std::size_t>(m_batch_size));
        for (auto i = begin; i < end; ++i) {
            const auto& tile = m_plan.tiles[i];
            const auto tile_lq = crop(lq, tile);
            const auto tile_noise = tile_noise_crop(noise, m_plan, i);
            intermediate[i] =
                run_stage(i, [&] { return m_tiles[i]->run_first_stage(tile_lq, tile_noise); });
        }
        for (auto i = begin; i < end; ++i) {
            const auto& tile = m_plan.tiles[i];
            const auto tile_cond = crop(cond, tile);
            const auto rows = tile.height() * scale;
            const auto cols = tile.width() * scale;
            // The weighted contribution is computed inside the retried stage, so an allocation
            // failure never leaves a partial sum in the canvas (add_ allocates nothing).
            auto contribution = run_stage(i, [&] {
                auto out = m_tiles[i]->run_second_stage(intermediate[i], tile_cond);
                TORCH_CHECK(
                    out.dim() == 5 && out.size(2) == frames && out.size(3) == tile.padded_height &&
                        out.size(4) == tile.padded_width,
                    "TiledChunkRunner: tile ", i, " returned ", out.sizes(), ", expected [1, 3, ",
                    frames, ", ", tile.padded_height, ", ", tile.padded_width, "]");
                return out.narrow(3, 0, rows)
                    .narrow(4, 0, cols)
                    .to(m_options.device, torch::kFloat)
                    .mul(m_weights[i]);
            });
            intermediate[i] = torch::Tensor();
            canvas.narrow(3, tile.y0 * scale, rows)
                .narrow(4, tile.x0 * scale, cols)
                .add_(contribution);
        }
        if (m_batch_size < static_cast<std::int64_t>(count)) {
            for (auto i = begin; i < end; ++i) {
                park(i);
            }
        }
        begin = end;
    }
    return canvas;
}

}  // namespace engine::pipeline
