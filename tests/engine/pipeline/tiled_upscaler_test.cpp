// The tiled Upscaler on the golden tiny model (random weights) with the golden LR frames cropped to
// 64x32 (-> 256x128, small enough for the CPU): a tile as large as the frame gives the untiled
// frames bit for bit; real tiles give the right count, size, order
// and finite values, and parking tile states (batch 1) changes nothing. The tile-major order gives
// the frame-major frames (seeded noise and a noise file), hands them out in slices, reports
// progress per tile and chunk, cleans its scratch files up and reports a full disk. Integer
// output types are the float frames rounded as from_float() rounds them, in both orders. Also the
// FlashVsrStream pieces tiling relies on: a checkpoint restores the state exactly, state moves
// keep values.

#include "engine/core/paths.h"
#include "engine/model/checkpoint/safetensors.h"
#include "engine/model/checkpoint/state_dict.h"
#include "engine/pipeline/flashvsr_stream.h"
#include "engine/pipeline/tile_plan.h"
#include "engine/pipeline/upscaler.h"

#include <gtest/gtest.h>

#include <csignal>
#include <cstring>
#include <filesystem>
#include <string>
#include <sys/resource.h>
#include <unistd.h>
#include <vector>

namespace {

using namespace engine::pipeline;
namespace fs = std::filesystem;
const fs::path kGolden = fs::path(FVSR_SHARED_DIR) / "golden";
constexpr int kWidth = 64;  // a crop of the golden 96x64 frames
constexpr int kHeight = 32;

UpscalerConfig base_config() {
    UpscalerConfig config;
    config.model_dir = kGolden / "models/v1.1";
    config.device = "cpu";
    return config;
}

// What run() saw besides the frames.
struct RunLog {
    int chunk_events = 0;
    std::vector<std::string> stages;        // on_chunk stage strings, in order
    std::vector<std::int64_t> emitted;      // on_chunk frames_emitted, in order
    std::vector<std::size_t> finish_sizes;  // frames appended by each finish() call
    std::size_t pushed_out = 0;             // frames appended by push() calls
};

bool is_tile_major(const UpscalerConfig& config) {
    return config.tiling.order == TileOrder::TileMajor;
}

// Runs `frames` golden LR frames through an upscaler made from `config` (finish() called until it
// appends nothing); returns the output frames stacked [T, H, W, 3] of config.output_type (float32,
// uint8, or int16 holding the uint16 bits), or their Frames in `made`.
torch::Tensor run(const UpscalerConfig& config,
                  int frames,
                  int* chunks = nullptr,
                  RunLog* log = nullptr,
                  std::vector<engine::Frame>* made = nullptr) {
    auto inputs = engine::model::load_state_dict(kGolden / "tiny_v11/inputs.safetensors");
    EXPECT_TRUE(inputs.ok());
    UpscalerEvents events;
    int count = 0;
    RunLog local;
    RunLog& seen = log != nullptr ? *log : local;
    events.on_chunk = [&](std::int64_t emitted, const std::string& stage) {
        ++count;
        seen.stages.push_back(stage);
        seen.emitted.push_back(emitted);
    };
    auto upscaler = Upscaler::create(config, kWidth, kHeight, events);
    EXPECT_TRUE(upscaler.ok()) << upscaler.error().to_string();
    if (!upscaler.ok()) {
        return {};
    }
    EXPECT_EQ((*upscaler)->output_width(), kWidth * config.scale);
    EXPECT_EQ((*upscaler)->output_height(), kHeight * config.scale);
    const auto& lr = inputs->at("lr_frames_u8");
    std::vector<engine::Frame> out;
    for (int i = 0; i < frames; ++i) {
        engine::Frame frame;
        frame.allocate(kWidth, kHeight, engine::SampleType::U8);
        const auto crop = lr[i].narrow(0, 0, kHeight).narrow(1, 0, kWidth).contiguous();
        std::memcpy(frame.data.data(), crop.data_ptr<std::uint8_t>(), frame.data.size());
        frame.index = i;
        frame.pts = 10 * i;
        auto ok = (*upscaler)->push(frame, out);
        EXPECT_TRUE(ok.ok()) << ok.error().to_string();
        if (i == 24 && !is_tile_major(config)) {
            EXPECT_EQ(out.size(), 21u);  // same frame timing as the untiled upscaler
        }
    }
    seen.pushed_out = out.size();
    for (;;) {
        const auto before = out.size();
        auto ok = (*upscaler)->finish(out);
        EXPECT_TRUE(ok.ok()) << ok.error().to_string();
        seen.finish_sizes.push_back(out.size() - before);
        if (!ok.ok() || out.size() == before || seen.finish_sizes.size() > 1000) {
            break;
        }
    }
    seen.chunk_events = count;
    EXPECT_EQ(out.size(), static_cast<std::size_t>(frames));
    const auto type = config.output_type;
    const auto dtype = type == engine::SampleType::F32  ? torch::kFloat
                       : type == engine::SampleType::U8 ? torch::kByte
                                                        : torch::kShort;
    std::vector<torch::Tensor> stacked;
    for (std::size_t i = 0; i < out.size(); ++i) {
        EXPECT_EQ(out[i].index, static_cast<std::int64_t>(i));
        EXPECT_EQ(out[i].pts, 10 * static_cast<std::int64_t>(i));
        EXPECT_EQ(out[i].width, kWidth * config.scale);
        EXPECT_EQ(out[i].height, kHeight * config.scale);
        EXPECT_EQ(out[i].type, type);
        EXPECT_EQ(out[i].bit_depth, type == engine::SampleType::F32  ? 32
                                    : type == engine::SampleType::U8 ? 8
                                                                     : 16);
        stacked.push_back(torch::from_blob(out[i].data.data(),
                                           {kHeight * config.scale, kWidth * config.scale, 3},
                                           dtype)
                              .clone());
    }
    if (chunks != nullptr) {
        *chunks = count;
    }
    if (made != nullptr) {
        *made = std::move(out);
    }
    return torch::stack(stacked);
}

TEST(TiledUpscaler, TileAsLargeAsTheFrameEqualsUntiledBitForBit) {
    auto config = base_config();
    config.seed = 5;
    const auto untiled = run(config, 29);
    config.tiling.enabled = true;
    config.tiling.size = 256;
    config.tiling.shift = true;
    config.unload_dit = true;  // a no-op on the CPU
    const auto tiled = run(config, 29);
    ASSERT_TRUE(untiled.defined() && tiled.defined());
    EXPECT_TRUE(torch::equal(untiled, tiled));
}

TEST(TiledUpscaler, RealTilesGiveEveryFrameAtFullSize) {
    auto config = base_config();
    config.seed = 7;
    config.tiling.enabled = true;
    config.tiling.size = 32;  // 3 columns, 1 row; the shifted grid adds 2 more tiles
    config.tiling.overlap = 8;
    config.tiling.shift = true;
    int chunks = 0;
    const auto tiled = run(config, 29, &chunks);
    ASSERT_TRUE(tiled.defined());
    EXPECT_EQ(chunks, 2);
    EXPECT_TRUE(torch::isfinite(tiled).all().item<bool>());
    EXPECT_GE(tiled.min().item<float>(), 0.0F);
    EXPECT_LE(tiled.max().item<float>(), 1.0F);
    // Not a constant or black frame anywhere, borders included.
    EXPECT_GT(tiled.select(2, 0).std().item<float>(), 0.0F);
    EXPECT_GT(tiled.select(2, kWidth * 4 - 1).std().item<float>(), 0.0F);

    // One tile resident at a time (states parked between tiles): the same frames.
    config.tiling.order = TileOrder::FrameMajor;
    config.tiling.batch_size = 1;
    const auto parked = run(config, 29);
    ASSERT_TRUE(parked.defined());
    EXPECT_TRUE(torch::equal(tiled, parked));
}

TEST(TiledUpscaler, BadTileSettingsAreInvalidArgument) {
    auto config = base_config();
    config.tiling.enabled = true;
    config.tiling.size = 64;
    config.tiling.overlap = 64;
    auto upscaler = Upscaler::create(config, kWidth, kHeight);
    ASSERT_FALSE(upscaler.ok());
    EXPECT_EQ(upscaler.error().code, engine::ErrorCode::InvalidArgument);
    config.tiling.overlap = 8;
    config.tiling.batch_size = -1;
    upscaler = Upscaler::create(config, kWidth, kHeight);
    ASSERT_FALSE(upscaler.ok());
    EXPECT_EQ(upscaler.error().code, engine::ErrorCode::InvalidArgument);
}

// A private scratch folder per test, removed afterwards.
class ScratchDir {
  public:
    ScratchDir() {
        auto pattern = (fs::temp_directory_path() / "fvsr-tile-major-test-XXXXXX").string();
        std::vector<char> name(pattern.begin(), pattern.end());
        name.push_back('\0');
        EXPECT_NE(::mkdtemp(name.data()), nullptr);
        m_path = name.data();
    }
    ~ScratchDir() {
        std::error_code error;
        engine::remove_tree(m_path, error);
    }
    const fs::path& path() const { return m_path; }
    bool empty() const { return fs::is_empty(m_path); }

  private:
    fs::path m_path;
};

// Several tiles with the shifted grid (3 + 2 tiles in one row of the 64x32 frame).
UpscalerConfig several_tiles(std::uint64_t seed) {
    auto config = base_config();
    config.seed = seed;
    config.tiling.enabled = true;
    config.tiling.size = 32;
    config.tiling.overlap = 8;
    config.tiling.shift = true;
    return config;
}

std::vector<TileRect> tiles_of(const UpscalerConfig& config) {
    auto plan = plan_tiles(kWidth, kHeight, config.scale, config.tiling);
    EXPECT_TRUE(plan.ok());
    return plan.ok() ? plan->tiles : std::vector<TileRect>{};
}

// 35 frames: not a multiple of the chunk size, 3 chunks (the last one padded past frame 35).
constexpr int kFrames = 35;

// A job that stores integers asks for them: the frames come rounded where they are made (on the
// run device for the frame-major order, after the host sums for the tile-major one), and must be
// exactly what from_float() makes of the float32 frames.
TEST(Upscaler, IntegerOutputTypesAreTheFloatFramesRounded) {
    auto config = base_config();
    config.seed = 9;
    std::vector<engine::Frame> reference;
    ASSERT_TRUE(run(config, 9, nullptr, nullptr, &reference).defined());
    ASSERT_EQ(reference.size(), 9u);
    const auto expect_rounded = [&](const UpscalerConfig& c) {
        std::vector<engine::Frame> frames;
        ASSERT_TRUE(run(c, 9, nullptr, nullptr, &frames).defined());
        ASSERT_EQ(frames.size(), reference.size());
        for (std::size_t i = 0; i < frames.size(); ++i) {
            const auto expected = engine::from_float(reference[i], c.output_type, 0);
            EXPECT_TRUE(frames[i].data == expected.data) << "frame " << i;
        }
    };
    config.output_type = engine::SampleType::U8;
    expect_rounded(config);
    config.output_type = engine::SampleType::U16;
    expect_rounded(config);
    // The tile-major order rounds its host sums the same way.
    ScratchDir scratch;
    config.scratch_dir = scratch.path();
    config.tiling.enabled = true;
    config.tiling.size = 32;
    config.tiling.overlap = 8;
    config.tiling.order = TileOrder::TileMajor;
    config.output_type = engine::SampleType::U8;
    std::vector<engine::Frame> tiled_f32;
    auto f32_config = config;
    f32_config.output_type = engine::SampleType::F32;
    ASSERT_TRUE(run(f32_config, 9, nullptr, nullptr, &tiled_f32).defined());
    std::vector<engine::Frame> tiled_u8;
    ASSERT_TRUE(run(config, 9, nullptr, nullptr, &tiled_u8).defined());
    ASSERT_EQ(tiled_u8.size(), tiled_f32.size());
    for (std::size_t i = 0; i < tiled_u8.size(); ++i) {
        EXPECT_TRUE(tiled_u8[i].data ==
                    engine::from_float(tiled_f32[i], engine::SampleType::U8, 8).data)
            << "tile-major frame " << i;
    }
}

TEST(TileMajor, SameFramesAsFrameMajorWithSeededNoise) {
    ScratchDir scratch;
    auto config = several_tiles(3);
    config.scratch_dir = scratch.path();
    config.tiling.order = TileOrder::FrameMajor;
    RunLog frame_log;
    const auto frame_major = run(config, kFrames, nullptr, &frame_log);
    config.tiling.order = TileOrder::TileMajor;
    RunLog tile_log;
    const auto tile_major = run(config, kFrames, nullptr, &tile_log);
    ASSERT_TRUE(frame_major.defined() && tile_major.defined());
    EXPECT_EQ((frame_major - tile_major).abs().max().item<float>(), 0.0F);
    EXPECT_TRUE(scratch.empty());  // scratch files removed once the last frame came out

    // Slices: push() appends nothing; the first finish() call hands out the last tile's first
    // chunk (21 frames), each later call one more chunk (8, then the 6 real frames of the last
    // one), then nothing.
    EXPECT_EQ(tile_log.pushed_out, 0u);
    const std::vector<std::size_t> slices{21, 8, 6, 0};
    EXPECT_EQ(tile_log.finish_sizes, slices);
    EXPECT_EQ(frame_log.finish_sizes.back(), 0u);
    // Progress per (tile, chunk) with nothing emitted; the last tile's chunk k+1 is queued before
    // chunk k's frames go out, so its events interleave with the slices'.
    const auto tiles = tiles_of(config).size();
    ASSERT_GE(tiles, 4u);
    const auto runs = tiles * 3;
    const auto count = std::to_string(tiles);
    const std::vector<std::string> tail{"tile " + count + "/" + count + ", chunk 1/3",
                                        "tile " + count + "/" + count + ", chunk 2/3",
                                        "frames 1-21/35",
                                        "tile " + count + "/" + count + ", chunk 3/3",
                                        "frames 22-29/35",
                                        "frames 30-35/35"};
    const std::vector<std::int64_t> tail_emitted{0, 0, 21, 21, 29, 35};
    ASSERT_EQ(tile_log.stages.size(), runs + 3);
    EXPECT_EQ(tile_log.stages.front(), "tile 1/" + count + ", chunk 1/3");
    EXPECT_EQ(tile_log.stages[runs - 4],
              "tile " + std::to_string(tiles - 1) + "/" + count + ", chunk 3/3");
    EXPECT_EQ(tile_log.emitted[runs - 4], 0);
    EXPECT_EQ(std::vector<std::string>(tile_log.stages.end() - 6, tile_log.stages.end()), tail);
    EXPECT_EQ(std::vector<std::int64_t>(tile_log.emitted.end() - 6, tile_log.emitted.end()),
              tail_emitted);
}

TEST(TileMajor, SameFramesAsFrameMajorWithNoiseFile) {
    ScratchDir scratch;
    // A noise file over the padded frame (256x128 -> 32x16 latent cells; tiles reaching past it
    // read its last row / column) for the run's 2m latent frames.
    const auto plan = plan_frames(kFrames);
    engine::model::StateDict dict;
    torch::manual_seed(21);
    dict.insert("noise", torch::randn({1, 16, plan.latent_frames, 16, 32}));
    const auto noise_path = scratch.path() / "noise.safetensors";
    ASSERT_TRUE(engine::model::save_safetensors(noise_path, dict).ok());
    auto config = several_tiles(0);
    config.noise_file = noise_path;
    config.scratch_dir = scratch.path() / "work";  // created on demand
    config.tiling.order = TileOrder::FrameMajor;
    const auto frame_major = run(config, kFrames);
    config.tiling.order = TileOrder::TileMajor;
    const auto tile_major = run(config, kFrames);
    ASSERT_TRUE(frame_major.defined() && tile_major.defined());
    EXPECT_EQ((frame_major - tile_major).abs().max().item<float>(), 0.0F);
    EXPECT_TRUE(fs::is_empty(scratch.path() / "work"));
}

// Scale 3 (not a power of two: the tile-major order resamples each tile's input from a crop
// anchored at the frame's origin for torch's bicubic, and only the tile's own samples for
// Pillow's) over two chunks: the same frames as the frame-major order for both resamplers.
TEST(TileMajor, SameFramesAsFrameMajorAtScale3WithBothResamplers) {
    for (const auto resample : {LqResample::TorchBicubic, LqResample::PilBicubic}) {
        ScratchDir scratch;
        auto config = several_tiles(7);
        config.scale = 3;
        config.lq_resample = resample;
        config.scratch_dir = scratch.path();
        ASSERT_GE(tiles_of(config).size(), 4u);
        config.tiling.order = TileOrder::FrameMajor;
        const auto frame_major = run(config, 29);
        config.tiling.order = TileOrder::TileMajor;
        const auto tile_major = run(config, 29);
        ASSERT_TRUE(frame_major.defined() && tile_major.defined());
        EXPECT_EQ((frame_major - tile_major).abs().max().item<float>(), 0.0F)
            << "resample " << static_cast<int>(resample);
    }
}

TEST(TileMajor, AutoPicksTileMajorWhenNotEveryTileIsResident) {
    auto config = several_tiles(4);
    config.tiling.batch_size = 2;  // 2 of 5 tiles resident: the tile-major order
    RunLog log;
    const auto frames = run(config, 21, nullptr, &log);
    ASSERT_TRUE(frames.defined());
    EXPECT_EQ(log.pushed_out, 0u);
    ASSERT_FALSE(log.stages.empty());
    EXPECT_EQ(log.stages.front(),
              "tile 1/" + std::to_string(tiles_of(config).size()) + ", chunk 1/1");
    config.tiling.batch_size = 0;  // all resident (CPU): frame-major, frames during push()
    RunLog frame_log;
    run(config, 21, nullptr, &frame_log);
    EXPECT_EQ(frame_log.stages.front().rfind("chunk", 0), 0u) << frame_log.stages.front();
}

// Pushes `frames` golden frames into a tile-major upscaler.
std::unique_ptr<Upscaler> pushed_tile_major(const UpscalerConfig& config, int frames) {
    auto upscaler = Upscaler::create(config, kWidth, kHeight);
    EXPECT_TRUE(upscaler.ok()) << upscaler.error().to_string();
    if (!upscaler.ok()) {
        return nullptr;
    }
    std::vector<engine::Frame> out;
    for (int i = 0; i < frames; ++i) {
        engine::Frame frame;
        frame.allocate(kWidth, kHeight, engine::SampleType::U8);
        std::memset(frame.data.data(), 40 + 5 * i, frame.data.size());
        frame.index = i;
        EXPECT_TRUE((*upscaler)->push(frame, out).ok());
    }
    EXPECT_TRUE(out.empty());
    return std::move(upscaler).value();
}

TEST(TileMajor, CancelFailsWithCancelledAndRemovesTheScratchFiles) {
    ScratchDir scratch;
    auto config = several_tiles(1);
    config.scratch_dir = scratch.path();
    config.tiling.order = TileOrder::TileMajor;
    auto upscaler = pushed_tile_major(config, 21);
    ASSERT_NE(upscaler, nullptr);
    engine::CancelToken token;
    upscaler->set_cancel_token(token);
    token.cancel();
    std::vector<engine::Frame> out;
    const auto status = upscaler->finish(out);
    ASSERT_FALSE(status.ok());
    EXPECT_EQ(status.error().code, engine::ErrorCode::Cancelled);
    EXPECT_TRUE(out.empty());
    EXPECT_TRUE(scratch.empty());
    // A failed run stays failed.
    EXPECT_EQ(upscaler->finish(out).error().code, engine::ErrorCode::Cancelled);
}

TEST(TileMajor, DestroyedMidwayRemovesTheScratchFiles) {
    ScratchDir scratch;
    auto config = several_tiles(1);
    config.scratch_dir = scratch.path();
    config.tiling.order = TileOrder::TileMajor;
    auto upscaler = pushed_tile_major(config, 29);  // 2 chunks
    ASSERT_NE(upscaler, nullptr);
    std::vector<engine::Frame> out;
    ASSERT_TRUE(upscaler->finish(out).ok());
    EXPECT_EQ(out.size(), 21u);     // the first chunk
    EXPECT_FALSE(scratch.empty());  // 8 frames still to come
    std::vector<engine::Frame> more;
    EXPECT_FALSE(upscaler->push(out.front(), more).ok());  // push() after finish()
    upscaler.reset();
    EXPECT_TRUE(scratch.empty());
}

TEST(TileMajor, FullDiskIsDiskFullWithPathAndBytesNeeded) {
    ScratchDir scratch;
    auto config = several_tiles(1);
    config.scratch_dir = scratch.path();
    config.tiling.order = TileOrder::TileMajor;
    auto upscaler = pushed_tile_major(config, 21);
    ASSERT_NE(upscaler, nullptr);
    // A file size limit makes write() fail with EFBIG after 256 KiB, as a full disk fails it
    // with ENOSPC (both are DiskFull); one tile-chunk writes 21 frames of 192 KiB.
    rlimit saved{};
    ASSERT_EQ(::getrlimit(RLIMIT_FSIZE, &saved), 0);
    const auto previous_handler = std::signal(SIGXFSZ, SIG_IGN);
    rlimit limited = saved;
    limited.rlim_cur = 256 * 1024;
    ASSERT_EQ(::setrlimit(RLIMIT_FSIZE, &limited), 0);
    std::vector<engine::Frame> out;
    const auto status = upscaler->finish(out);
    ::setrlimit(RLIMIT_FSIZE, &saved);
    std::signal(SIGXFSZ, previous_handler);
    ASSERT_FALSE(status.ok());
    EXPECT_EQ(status.error().code, engine::ErrorCode::DiskFull) << status.error().to_string();
    EXPECT_NE(status.error().get("path").find(scratch.path().string()), std::string::npos);
    // Every tile's region (4x its input size) in RGB float32 per frame, 21 frames, but the
    // last tile's, which goes straight to the frames.
    std::int64_t bytes = 0;
    const auto tiles = tiles_of(config);
    for (std::size_t i = 0; i + 1 < tiles.size(); ++i) {
        bytes += tiles[i].width() * 4 * tiles[i].height() * 4 * 3 * 4 * 21;
    }
    EXPECT_EQ(status.error().get("needed_bytes"), std::to_string(bytes));
    EXPECT_TRUE(scratch.empty());
}

TEST(FlashVsrStreamState, CheckpointRestoresExactlyAndStagesEqualRunChunk) {
    const auto files = ModelFiles::in_folder(kGolden / "models/v1.1", Mode::Tiny);
    auto models = load_models(files, torch::kCPU, torch::kFloat);
    ASSERT_TRUE(models.ok()) << models.error().to_string();
    StreamSettings settings;
    auto stream = FlashVsrStream::create(models.value(), settings, 128, 128);
    ASSERT_TRUE(stream.ok()) << stream.error().to_string();
    auto sibling = (*stream)->create_sibling(128, 128);
    ASSERT_TRUE(sibling.ok()) << sibling.error().to_string();
    EXPECT_EQ((*stream)->state_bytes(), 0);

    torch::manual_seed(11);
    const auto inputs_for = [](std::int64_t chunk) {
        const auto span = chunk_span(chunk);
        auto lq = torch::rand({1, 3, span.lq_end - span.lq_begin, 128, 128}) * 2 - 1;
        auto cond = lq.narrow(2, 0, span.output_end - span.output_begin).clone();
        auto noise = torch::randn({1, 16, span.latent_end - span.latent_begin, 16, 16});
        return std::make_tuple(lq, cond, noise);
    };
    auto [lq0, cond0, noise0] = inputs_for(0);
    auto [lq1, cond1, noise1] = inputs_for(1);
    auto [lq2, cond2, noise2] = inputs_for(2);

    // run_chunk on one stream, run_dit + run_decoder on its sibling: identical.
    auto a0 = (*stream)->run_chunk(lq0, cond0, noise0);
    auto b0 = (*sibling)->run_decoder((*sibling)->run_dit(lq0, noise0), cond0);
    EXPECT_TRUE(torch::equal(a0, b0));
    EXPECT_GT((*stream)->state_bytes(), 0);

    const auto saved = (*stream)->checkpoint();
    auto first = (*stream)->run_chunk(lq1, cond1, noise1);
    auto first_next = (*stream)->run_chunk(lq2, cond2, noise2);
    (*stream)->restore(saved);
    EXPECT_EQ((*stream)->next_chunk(), 1);
    (*stream)->move_state_to(torch::kCPU);
    auto second = (*stream)->run_chunk(lq1, cond1, noise1);
    auto second_next = (*stream)->run_chunk(lq2, cond2, noise2);
    EXPECT_TRUE(torch::equal(first, second));
    EXPECT_TRUE(torch::equal(first_next, second_next));

    // A stage out of order is refused.
    EXPECT_THROW((*stream)->run_decoder(noise2, cond2), c10::Error);
}

}  // namespace
