// flashvsr-bench-tiling: the tiled upscaler against the untiled one on a synthetic clip. Prints
// time, peak memory and a seam metric for each run. Not a test: it prints numbers.
//   flashvsr-bench-tiling --model_dir DIR [--device cpu|cuda[:N]] [--width W] [--height H]
//                         [--frames N] [--tile_size S] [--tile_overlap O] [--tile_batch_size B]
//                         [--mode tiny|full]
// DIR: a FlashVSR model folder (the golden tiny model, shared/golden/models/v1.1, runs on a CPU
// in seconds). Defaults: 192x128 input, 29 frames, tile 64, overlap 16.
//
// Seam metric: mean |horizontal difference| of neighbouring output pixels across the columns
// where a tile of the plan starts or ends (inner edges only), divided by the same mean over all
// columns; likewise for rows. 1.0 means the tile edges look like the rest of the image. It is
// printed for the untiled run too (same columns), as the baseline of the clip itself.

#include "bench/bench_memory.h"
#include "engine/pipeline/tiling.h"
#include "engine/pipeline/upscaler.h"

#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <set>
#include <string>

namespace {

using namespace engine::pipeline;
using Clock = std::chrono::steady_clock;

// A smooth synthetic clip with texture and motion, [T, H, W, 3] uint8.
torch::Tensor synthetic_clip(int width, int height, int frames) {
    auto y = torch::arange(height, torch::kFloat).view({1, height, 1});
    auto x = torch::arange(width, torch::kFloat).view({1, 1, width});
    auto t = torch::arange(frames, torch::kFloat).view({frames, 1, 1});
    auto r = 0.5 + 0.4 * torch::sin((x + 2 * t) / 9.0) * torch::cos(y / 13.0);
    auto g = 0.5 + 0.4 * torch::sin((x - y) / 17.0 + t / 5.0);
    auto b = 0.5 + 0.3 * torch::cos(torch::sqrt(x * x + y * y) / 7.0 - t / 3.0);
    return (torch::stack({r, g, b}, 3).clamp(0, 1) * 255).round().to(torch::kUInt8);
}

struct RunResult {
    torch::Tensor frames;  // [T, H, W, 3] float32
    double seconds = 0.0;
    double peak_rss_mib = 0.0;
    double gpu_peak_mib = 0.0;
};

RunResult run(const UpscalerConfig& config, const torch::Tensor& clip) {
    RunResult result;
    const int frames = static_cast<int>(clip.size(0));
    const int height = static_cast<int>(clip.size(1));
    const int width = static_cast<int>(clip.size(2));
    const torch::Device device(config.device);
    bench::reset_gpu_peak(device);
    UpscalerEvents events;
    result.peak_rss_mib = bench::current_rss_mib();
    events.on_chunk = [&](std::int64_t, const std::string&) {
        result.peak_rss_mib = std::max(result.peak_rss_mib, bench::current_rss_mib());
    };
    const auto start = Clock::now();
    auto upscaler = Upscaler::create(config, width, height, events);
    if (!upscaler) {
        std::fprintf(stderr, "%s\n", upscaler.error().to_string().c_str());
        std::exit(1);
    }
    std::vector<engine::Frame> out;
    for (int i = 0; i < frames; ++i) {
        engine::Frame frame;
        frame.allocate(width, height, engine::SampleType::U8);
        std::memcpy(frame.data.data(), clip[i].contiguous().data_ptr<std::uint8_t>(),
                    frame.data.size());
        frame.index = i;
        if (auto ok = (*upscaler)->push(frame, out); !ok) {
            std::fprintf(stderr, "%s\n", ok.error().to_string().c_str());
            std::exit(1);
        }
    }
    // Until a call appends nothing (a tile-major run hands its frames out in slices).
    for (;;) {
        const auto before = out.size();
        if (auto ok = (*upscaler)->finish(out); !ok) {
            std::fprintf(stderr, "%s\n", ok.error().to_string().c_str());
            std::exit(1);
        }
        if (out.size() == before) {
            break;
        }
    }
    result.seconds = std::chrono::duration<double>(Clock::now() - start).count();
    result.gpu_peak_mib = bench::gpu_memory(device).peak_allocated_gib * 1024.0;
    std::vector<torch::Tensor> stacked;
    for (auto& frame : out) {
        stacked.push_back(
            torch::from_blob(frame.data.data(), {frame.height, frame.width, 3}, torch::kFloat)
                .clone());
    }
    result.frames = torch::stack(stacked);
    return result;
}

// Mean |difference| across the given boundaries (between pixel b-1 and b) along `dim` of
// [T, H, W, 3], divided by the mean over all neighbouring pairs along that dim.
double seam_ratio(const torch::Tensor& frames, std::int64_t dim, const std::set<std::int64_t>& at) {
    const auto diff =
        (frames.narrow(dim, 1, frames.size(dim) - 1) - frames.narrow(dim, 0, frames.size(dim) - 1))
            .abs();
    if (at.empty()) {
        return 1.0;
    }
    std::vector<std::int64_t> index;
    for (const auto b : at) {
        index.push_back(b - 1);
    }
    const auto across = diff.index_select(dim, torch::tensor(index, torch::kLong));
    return across.mean().item<double>() / diff.mean().item<double>();
}

}  // namespace

int main(int argc, char** argv) {
    auto args = bench::arguments(argc, argv);
    if (!args.count("--model_dir")) {
        std::fprintf(stderr,
                     "usage: flashvsr-bench-tiling --model_dir DIR [--device D] [--width W] "
                     "[--height H] [--frames N] [--tile_size S] [--tile_overlap O] "
                     "[--tile_batch_size B] [--mode tiny|full]\n");
        return 2;
    }
    const auto get = [&](const char* key, int fallback) {
        return args.count(key) ? std::stoi(args[key]) : fallback;
    };
    const int width = get("--width", 192);
    const int height = get("--height", 128);
    const int frames = get("--frames", 29);

    UpscalerConfig config;
    config.model_dir = args["--model_dir"];
    config.device = args.count("--device") ? args["--device"] : "cpu";
    config.mode = args.count("--mode") && args["--mode"] == "full" ? Mode::Full : Mode::Tiny;
    config.seed = 1;
    const auto clip = synthetic_clip(width, height, frames);

    std::printf("FlashVSR tiling bench: %dx%d x4, %d frames, %s, %s mode\n", width, height, frames,
                config.device.c_str(), config.mode == Mode::Full ? "full" : "tiny");
    const auto untiled = run(config, clip);
    std::printf("untiled: %.2f s, peak RSS %.0f MiB, GPU peak %.0f MiB\n", untiled.seconds,
                untiled.peak_rss_mib, untiled.gpu_peak_mib);

    for (const bool shift : {false, true}) {
        auto tiled_config = config;
        tiled_config.tiling.enabled = true;
        tiled_config.tiling.size = get("--tile_size", 64);
        tiled_config.tiling.overlap = get("--tile_overlap", 16);
        tiled_config.tiling.batch_size = get("--tile_batch_size", 0);
        tiled_config.tiling.shift = shift;
        auto plan = plan_tiles(width, height, 4, tiled_config.tiling);
        if (!plan) {
            std::fprintf(stderr, "%s\n", plan.error().to_string().c_str());
            return 1;
        }
        std::set<std::int64_t> columns;
        std::set<std::int64_t> rows;
        for (const auto& tile : plan->tiles) {
            for (const auto x : {tile.x0, tile.x1}) {
                if (x > 0 && x < width) {
                    columns.insert(x * 4);
                }
            }
            for (const auto y : {tile.y0, tile.y1}) {
                if (y > 0 && y < height) {
                    rows.insert(y * 4);
                }
            }
        }
        const auto tiled = run(tiled_config, clip);
        const auto difference = (tiled.frames - untiled.frames).abs();
        std::printf(
            "tiled %s (%zu tiles, %d pass%s, tile %d, overlap %lld): %.2f s, peak RSS %.0f MiB, "
            "GPU peak %.0f MiB\n",
            shift ? "with shift" : "no shift", plan->tiles.size(), plan->passes,
            plan->passes > 1 ? "es" : "", tiled_config.tiling.size,
            static_cast<long long>(plan->overlap), tiled.seconds, tiled.peak_rss_mib,
            tiled.gpu_peak_mib);
        std::printf(
            "  seam ratio at tile columns: tiled %.3f, untiled %.3f; at tile rows: tiled %.3f, "
            "untiled %.3f\n",
            seam_ratio(tiled.frames, 2, columns), seam_ratio(untiled.frames, 2, columns),
            seam_ratio(tiled.frames, 1, rows), seam_ratio(untiled.frames, 1, rows));
        std::printf("  |tiled - untiled|: mean %.4f, max %.4f\n", difference.mean().item<double>(),
                    difference.max().item<double>());
    }
    return 0;
}
