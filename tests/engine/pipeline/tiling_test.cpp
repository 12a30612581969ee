// Tile geometry, blend weights and TiledChunkRunner with fake per-tile pipelines: weights sum to
// one everywhere (both grids, many sizes), every pixel and every tile pixel has a positive
// weight, tiles are placed where they were cut (a pointwise stand-in model tiled equals it
// untiled), and the out-of-memory retry restores state, halves the batch and parks tiles.

#include "engine/pipeline/tiling.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace {

using namespace engine::pipeline;

TileSettings tiles(int size, int overlap, bool shift) {
    TileSettings settings;
    settings.enabled = true;
    settings.size = size;
    settings.overlap = overlap;
    settings.shift = shift;
    return settings;
}

void check_plan(std::int64_t width,
                std::int64_t height,
                std::int64_t scale,
                const TileSettings& settings) {
    const std::string where = std::to_string(width) + "x" + std::to_string(height) + " x" +
                              std::to_string(scale) + " tile " + std::to_string(settings.size) +
                              " overlap " + std::to_string(settings.overlap) +
                              (settings.shift ? " shift" : "");
    auto plan = plan_tiles(width, height, scale, settings);
    ASSERT_TRUE(plan.ok()) << where << ": " << plan.error().to_string();
    // The overlap only grows (stride rounded down to the alignment), unless the stride is
    // already the alignment.
    EXPECT_GE(plan->overlap,
              std::min<std::int64_t>(settings.overlap, settings.size - plan->alignment))
        << where;
    for (const auto& tile : plan->tiles) {
        EXPECT_GE(tile.x0, 0) << where;
        EXPECT_GE(tile.y0, 0) << where;
        EXPECT_LE(tile.x1, width) << where;
        EXPECT_LE(tile.y1, height) << where;
        EXPECT_GT(tile.width(), 0) << where;
        EXPECT_GT(tile.height(), 0) << where;
        EXPECT_LE(tile.width(), settings.size) << where;
        EXPECT_LE(tile.height(), settings.size) << where;
        // Origins on latent cells: the noise of a tile is a crop of the full-frame draw.
        EXPECT_EQ(tile.x0 * scale % 8, 0) << where;
        EXPECT_EQ(tile.y0 * scale % 8, 0) << where;
        EXPECT_EQ(tile.padded_width % 128, 0) << where;
        EXPECT_EQ(tile.padded_height % 128, 0) << where;
        EXPECT_GE(tile.padded_width, tile.width() * scale) << where;
        EXPECT_GE(tile.padded_height, tile.height() * scale) << where;
    }
    const auto weights = tile_blend_weights(plan.value());
    ASSERT_EQ(weights.size(), plan->tiles.size());
    auto total = torch::zeros({height * scale, width * scale}, torch::kDouble);
    for (std::size_t i = 0; i < weights.size(); ++i) {
        const auto& tile = plan->tiles[i];
        ASSERT_EQ(weights[i].size(0), tile.height() * scale) << where;
        ASSERT_EQ(weights[i].size(1), tile.width() * scale) << where;
        EXPECT_GT(weights[i].min().item<float>(), 0.0F) << where << " tile " << i;
        total.narrow(0, tile.y0 * scale, weights[i].size(0))
            .narrow(1, tile.x0 * scale, weights[i].size(1))
            .add_(weights[i].to(torch::kDouble));
    }
    EXPECT_LT((total - 1).abs().max().item<double>(), 1e-6) << where;
}

TEST(TilePlan, WeightsSumToOneEverywhere) {
    const std::vector<std::pair<int, int>> frames{{37, 29}, {96, 64}, {131, 77}, {250, 61}};
    const std::vector<std::pair<int, int>> geometry{{32, 0},  {32, 8},   {40, 13},
                                                    {64, 24}, {100, 37}, {256, 24}};
    for (const auto& [width, height] : frames) {
        for (const auto& [size, overlap] : geometry) {
            for (const int scale : {1, 2, 3, 4}) {
                for (const bool shift : {false, true}) {
                    check_plan(width, height, scale, tiles(size, overlap, shift));
                }
            }
        }
    }
    // Overlap almost the tile (stride = the alignment) and a one-pixel frame.
    check_plan(90, 50, 4, tiles(32, 31, true));
    check_plan(1, 1, 4, tiles(32, 8, true));
}

TEST(TilePlan, UpstreamGeometryWithShiftedBackLastTile) {
    auto plan = plan_tiles(300, 100, 4, tiles(100, 20, false));
    ASSERT_TRUE(plan.ok());
    EXPECT_EQ(plan->alignment, 2);
    EXPECT_EQ(plan->stride, 80);
    EXPECT_EQ(plan->overlap, 20);
    ASSERT_EQ(plan->tiles.size(), 4u);  // one row: the frame is as tall as a tile
    const std::vector<std::int64_t> x0{0, 80, 160, 200};
    for (std::size_t i = 0; i < 4; ++i) {
        EXPECT_EQ(plan->tiles[i].x0, x0[i]);
        EXPECT_EQ(plan->tiles[i].x1, x0[i] + 100);
        EXPECT_EQ(plan->tiles[i].padded_width, 512);  // 400 output pixels -> 512
    }
    // Scale 3: origins must be multiples of 8 input pixels; the stride is rounded down.
    auto odd = plan_tiles(300, 100, 3, tiles(100, 20, false));
    ASSERT_TRUE(odd.ok());
    EXPECT_EQ(odd->alignment, 8);
    EXPECT_EQ(odd->stride, 80);
    auto odd_overlap = plan_tiles(300, 100, 3, tiles(100, 23, false));
    ASSERT_TRUE(odd_overlap.ok());
    EXPECT_EQ(odd_overlap->stride, 72);
    EXPECT_EQ(odd_overlap->overlap, 28);
}

TEST(TilePlan, ShiftDoublesThePasses) {
    auto single = plan_tiles(300, 200, 4, tiles(100, 20, false));
    auto shifted = plan_tiles(300, 200, 4, tiles(100, 20, true));
    ASSERT_TRUE(single.ok() && shifted.ok());
    EXPECT_EQ(single->passes, 1);
    EXPECT_EQ(shifted->passes, 2);
    std::size_t second = 0;
    for (const auto& tile : shifted->tiles) {
        if (tile.pass == 1) {
            ++second;
            EXPECT_TRUE(std::find(single->tiles.begin(), single->tiles.end(), tile) ==
                        single->tiles.end());
        }
    }
    EXPECT_EQ(shifted->tiles.size() - second, single->tiles.size());
    // 4 x 3 shifted tiles, one of which (bottom right) is the main grid's and is dropped.
    EXPECT_EQ(single->tiles.size(), 12u);
    EXPECT_EQ(second, 11u);
    // The shifted grid starts half a stride in: its second column begins at 40.
    bool found = false;
    for (const auto& tile : shifted->tiles) {
        found = found || (tile.pass == 1 && tile.x0 == 40 && tile.x1 == 140);
    }
    EXPECT_TRUE(found);
}

TEST(TilePlan, TileAsLargeAsTheFrameIsOneTileOfWeightOne) {
    auto plan = plan_tiles(96, 64, 4, tiles(256, 24, true));
    ASSERT_TRUE(plan.ok());
    EXPECT_EQ(plan->passes, 1);
    ASSERT_EQ(plan->tiles.size(), 1u);
    EXPECT_EQ(plan->tiles[0].padded_width, 384);
    EXPECT_EQ(plan->tiles[0].padded_height, 256);
    const auto weights = tile_blend_weights(plan.value());
    EXPECT_TRUE(weights[0].eq(1.0F).all().item<bool>());
}

TEST(TilePlan, NoRampOnImageBorders) {
    auto plan = plan_tiles(200, 200, 2, tiles(64, 16, false));
    ASSERT_TRUE(plan.ok());
    const auto weights = tile_blend_weights(plan.value());
    // The top-left tile: full weight along the image's top row and left column up to the
    // overlap with its neighbours.
    const auto& w = weights[0];
    const auto inner = (plan->tiles[0].width() - plan->overlap) * 2;
    EXPECT_TRUE(w[0].narrow(0, 0, inner - 1).eq(1.0F).all().item<bool>());
    EXPECT_TRUE(w.select(1, 0).narrow(0, 0, inner - 1).eq(1.0F).all().item<bool>());
    // Its inner edges ramp down but never reach 0.
    EXPECT_LT(w[0][w.size(1) - 1].item<float>(), 0.1F);
    EXPECT_GT(w[0][w.size(1) - 1].item<float>(), 0.0F);
}

TEST(TilePlan, NoiseCropIsAViewAtTheTilesLatentCells) {
    // Scale 3 (alignment 8) and both grids: tiles overlap and reach past the frame's padding.
    auto plan = plan_tiles(100, 60, 3, tiles(48, 16, true));
    ASSERT_TRUE(plan.ok());
    ASSERT_EQ(plan->passes, 2);
    const auto [rows, cols] = tile_noise_extent(plan.value());
    // Latent cell (r, c) holds the value 1000 r + c, so a crop shows where it came from.
    const auto cell = (torch::arange(rows).unsqueeze(1) * 1000 + torch::arange(cols).unsqueeze(0))
                          .to(torch::kFloat)
                          .view({1, 1, 1, rows, cols})
                          .expand({1, 16, 2, rows, cols})
                          .contiguous();
    for (std::size_t i = 0; i < plan->tiles.size(); ++i) {
        const auto& tile = plan->tiles[i];
        const auto crop = tile_noise_crop(cell, plan.value(), i);
        ASSERT_EQ(crop.sizes(), (std::vector<std::int64_t>{1, 16, 2, tile.padded_height / 8,
                                                           tile.padded_width / 8}))
            << "tile " << i;
        EXPECT_TRUE(crop.is_alias_of(cell)) << "tile " << i;
        const auto [row, col] = tile_noise_origin(plan.value(), i);
        EXPECT_EQ(row * 8, tile.y0 * 3);
        EXPECT_EQ(col * 8, tile.x0 * 3);
        EXPECT_EQ(crop[0][5][1][0][0].item<float>(), static_cast<float>(row * 1000 + col));
        EXPECT_EQ(crop[0][0][0][-1][-1].item<float>(),
                  static_cast<float>((row + crop.size(3) - 1) * 1000 + col + crop.size(4) - 1));
    }
}

TEST(TilePlan, RejectsBadSettings) {
    EXPECT_FALSE(plan_tiles(96, 64, 4, tiles(16, 0, false)).ok());
    EXPECT_FALSE(plan_tiles(96, 64, 4, tiles(64, 64, false)).ok());
    EXPECT_FALSE(plan_tiles(96, 64, 4, tiles(64, -1, false)).ok());
    EXPECT_FALSE(plan_tiles(0, 64, 4, tiles(64, 8, false)).ok());
    auto error = plan_tiles(96, 64, 4, tiles(64, 70, false));
    ASSERT_FALSE(error.ok());
    EXPECT_EQ(error.error().code, engine::ErrorCode::InvalidArgument);
}

// A pointwise stand-in for a tile pipeline: output = tanh(cond) + the noise of its latent cell
// (channels 0..2 of latent frame 0). Equivariant as long as every tile sees its own region of
// the frame and the noise of the same image position. Counts its chunks as its "state".
struct FakeLog {
    std::vector<std::string> events;
};

class FakeTile final : public TilePipeline {
  public:
    FakeTile(std::size_t index, FakeLog& log) : m_index(index), m_log(log) {}

    torch::Tensor run_first_stage(const torch::Tensor& lq, const torch::Tensor& noise) override {
        EXPECT_EQ(lq.size(3), noise.size(3) * 8);
        EXPECT_EQ(lq.size(4), noise.size(4) * 8);
        ++m_stages;
        fail_if_due("first");
        return noise;
    }

    torch::Tensor run_second_stage(const torch::Tensor& noise, const torch::Tensor& cond) override {
        ++m_stages;  // advanced before failing: the retry must restore it
        fail_if_due("second");
        auto cells = noise.narrow(1, 0, 3).narrow(2, 0, 1);
        cells = cells.repeat_interleave(8, 3).repeat_interleave(8, 4);
        return torch::tanh(cond) + cells;
    }

    std::function<void()> restore_point() override {
        return [this, stages = m_stages] { m_stages = stages; };
    }
    void move_state_to(const torch::Device& device) override {
        m_log.events.push_back("move " + std::to_string(m_index) + " " + device.str());
    }
    std::int64_t state_bytes() const override { return 1; }

    std::int64_t stages() const { return m_stages; }
    // Throws c10::OutOfMemoryError on the next `count` calls of `stage`.
    void fail(const std::string& stage, int count) {
        m_fail_stage = stage;
        m_failures = count;
    }

  private:
    void fail_if_due(const std::string& stage) {
        if (stage == m_fail_stage && m_failures > 0) {
            --m_failures;
            TORCH_CHECK_WITH(OutOfMemoryError, false,
                             "CUDA out of memory. Tried to allocate 2.00 GiB (injected)");
        }
    }

    std::size_t m_index;
    FakeLog& m_log;
    std::int64_t m_stages = 0;
    std::string m_fail_stage;
    int m_failures = 0;
};

struct FakeRun {
    TilePlan plan;
    FakeLog log;
    std::vector<FakeTile*> tiles;
    std::unique_ptr<TiledChunkRunner> runner;
};

std::unique_ptr<FakeRun> make_fake_run(std::int64_t width,
                                       std::int64_t height,
                                       const TileSettings& settings,
                                       std::int64_t batch,
                                       bool adaptive) {
    auto run = std::make_unique<FakeRun>();
    auto plan = plan_tiles(width, height, 4, settings);
    EXPECT_TRUE(plan.ok());
    run->plan = plan.value();
    std::vector<std::unique_ptr<TilePipeline>> pipelines;
    for (std::size_t i = 0; i < run->plan.tiles.size(); ++i) {
        auto tile = std::make_unique<FakeTile>(i, run->log);
        run->tiles.push_back(tile.get());
        pipelines.push_back(std::move(tile));
    }
    TiledRunnerOptions options;
    options.batch_size = batch;
    options.adaptive_batch = adaptive;
    run->runner =
        std::make_unique<TiledChunkRunner>(run->plan, std::move(pipelines), std::move(options));
    return run;
}

struct FakeInputs {
    torch::Tensor lq, cond, noise, expected;
};

// Full frames for the runner and the stand-in's output on the whole frame (= the untiled run).
FakeInputs fake_inputs(const TiledChunkRunner& runner, std::int64_t width, std::int64_t height) {
    torch::manual_seed(3);
    const auto padded_h = (height * 4 + 127) / 128 * 128;
    const auto padded_w = (width * 4 + 127) / 128 * 128;
    FakeInputs in;
    in.lq = torch::rand({1, 3, 5, padded_h, padded_w}) * 2 - 1;
    in.cond = in.lq.narrow(2, 0, 4);
    in.noise = torch::randn({1, 16, 2, runner.noise_rows(), runner.noise_cols()});
    auto cells = in.noise.narrow(1, 0, 3).narrow(2, 0, 1);
    cells = cells.repeat_interleave(8, 3).repeat_interleave(8, 4);
    in.expected = torch::tanh(in.cond).narrow(3, 0, height * 4).narrow(4, 0, width * 4) +
                  cells.narrow(3, 0, height * 4).narrow(4, 0, width * 4);
    return in;
}

TEST(TiledChunkRunner, PointwiseModelTiledEqualsUntiled) {
    for (const bool shift : {false, true}) {
        for (const auto& [width, height] : std::vector<std::pair<int, int>>{{96, 64}, {75, 51}}) {
            auto run = make_fake_run(width, height, tiles(32, 10, shift), 100, true);
            auto in = fake_inputs(*run->runner, width, height);
            auto out = run->runner->run_chunk(in.lq, in.cond, in.noise);
            ASSERT_EQ(out.sizes(), in.expected.sizes());
            EXPECT_EQ(out.scalar_type(), torch::kFloat);
            EXPECT_LT((out - in.expected).abs().max().item<float>(), 1e-5F)
                << width << "x" << height << (shift ? " shift" : "");
            EXPECT_LT((run->runner->weight_sum() - 1).abs().max().item<float>(), 1e-5F);
            for (const auto* tile : run->tiles) {
                EXPECT_EQ(tile->stages(), 2);
            }
            EXPECT_TRUE(run->log.events.empty());  // every tile resident: nothing parked
        }
    }
}

TEST(TiledChunkRunner, SmallBatchParksTilesAndGivesTheSameResult) {
    auto all = make_fake_run(96, 64, tiles(32, 8, true), 100, true);
    auto batched = make_fake_run(96, 64, tiles(32, 8, true), 3, true);
    auto in = fake_inputs(*all->runner, 96, 64);
    for (int chunk = 0; chunk < 2; ++chunk) {
        auto a = all->runner->run_chunk(in.lq, in.cond, in.noise);
        auto b = batched->runner->run_chunk(in.lq, in.cond, in.noise);
        EXPECT_TRUE(torch::equal(a, b));
    }
    const auto count = static_cast<std::int64_t>(batched->tiles.size());
    EXPECT_EQ(batched->runner->batch_size(), 3);
    // Every tile parked once per chunk; from the second chunk on it comes back first.
    EXPECT_EQ(batched->runner->stats().states_parked, 2 * count);
    std::int64_t to_device = 0;
    for (const auto& event : batched->log.events) {
        to_device += event.find(" cpu") != std::string::npos ? 1 : 0;
    }
    EXPECT_EQ(to_device, 3 * count);  // CPU run: park and unpark both name the CPU
}

TEST(TiledChunkRunner, OutOfMemoryRetriesWithHalfTheBatch) {
    for (const std::string stage : {"first", "second"}) {
        auto reference = make_fake_run(96, 64, tiles(32, 8, false), 100, true);
        auto run = make_fake_run(96, 64, tiles(32, 8, false), 100, true);
        const auto count = static_cast<std::int64_t>(run->tiles.size());
        ASSERT_GE(count, 4);
        run->tiles[2]->fail(stage, 1);
        auto in = fake_inputs(*run->runner, 96, 64);
        auto expected = reference->runner->run_chunk(in.lq, in.cond, in.noise);
        auto out = run->runner->run_chunk(in.lq, in.cond, in.noise);
        EXPECT_TRUE(torch::equal(out, expected)) << stage;
        EXPECT_EQ(run->runner->stats().out_of_memory_retries, 1);
        EXPECT_EQ(run->runner->stats().states_restored, 1);
        EXPECT_EQ(run->runner->batch_size(), count / 2);
        EXPECT_GE(run->runner->stats().states_parked, count - 1);
        for (const auto* tile : run->tiles) {
            EXPECT_EQ(tile->stages(), 2) << stage;  // the failed attempt left no trace
        }
        // The next chunk runs in batches of the new size and still gives the same result.
        auto again = run->runner->run_chunk(in.lq, in.cond, in.noise);
        EXPECT_TRUE(torch::equal(again, reference->runner->run_chunk(in.lq, in.cond, in.noise)));
    }
}

TEST(TiledChunkRunner, OutOfMemoryGivesUpAtBatchOneOrWhenNotAdaptive) {
    {
        auto run = make_fake_run(96, 64, tiles(32, 8, false), 100, false);
        run->tiles[1]->fail("first", 1);
        auto in = fake_inputs(*run->runner, 96, 64);
        EXPECT_THROW(run->runner->run_chunk(in.lq, in.cond, in.noise), c10::OutOfMemoryError);
        EXPECT_EQ(run->runner->stats().out_of_memory_retries, 0);
    }
    {
        auto run = make_fake_run(96, 64, tiles(32, 8, false), 100, true);
        run->tiles[1]->fail("second", 1000);
        auto in = fake_inputs(*run->runner, 96, 64);
        EXPECT_THROW(run->runner->run_chunk(in.lq, in.cond, in.noise), c10::OutOfMemoryError);
        EXPECT_EQ(run->runner->batch_size(), 1);
        // Halved until 1 (and everything else parked), then one more try.
        EXPECT_GE(run->runner->stats().out_of_memory_retries, 2);
    }
    {
        // Other errors are not retried.
        auto run = make_fake_run(96, 64, tiles(32, 8, false), 100, true);
        auto in = fake_inputs(*run->runner, 96, 64);
        EXPECT_THROW(run->runner->run_chunk(in.lq, in.cond, in.noise.narrow(3, 0, 2)), c10::Error);
        EXPECT_EQ(run->runner->stats().out_of_memory_retries, 0);
    }
}

TEST(TiledChunkRunner, CancelStopsBetweenTiles) {
    auto run = make_fake_run(96, 64, tiles(32, 8, false), 100, true);
    auto in = fake_inputs(*run->runner, 96, 64);
    engine::CancelToken token;
    run->runner->set_cancel_token(token);
    token.cancel();
    try {
        run->runner->run_chunk(in.lq, in.cond, in.noise);
        ADD_FAILURE() << "run_chunk did not stop";
    } catch (const engine::EngineException& e) {
        EXPECT_EQ(e.error().code, engine::ErrorCode::Cancelled);
    }
    EXPECT_EQ(run->tiles[0]->stages(), 0);
}

TEST(TiledChunkRunner, RecognisesOutOfMemoryMessages) {
    EXPECT_TRUE(is_out_of_memory(std::runtime_error("CUDA out of memory. Tried to allocate")));
    EXPECT_TRUE(is_out_of_memory(
        std::runtime_error("DefaultCPUAllocator: can't allocate memory: you tried to allocate")));
    EXPECT_FALSE(is_out_of_memory(std::runtime_error("shape mismatch")));
}

}  // namespace
