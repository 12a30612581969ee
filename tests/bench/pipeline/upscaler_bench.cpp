// flashvsr-bench-upscaler: throughput and memory of whole streaming runs through the Upscaler
// (what a job runs: tiling, full-mode VAE, unload_dit included) on a synthetic clip made on the
// fly, so host memory shows what the pipeline itself keeps. Not a test: it prints numbers.
//   flashvsr-bench-upscaler --model_dir DIR [--device cpu|cuda[:N]] [--width W] [--height H]
//       [--frames N] [--mode tiny|full] [--tile_size S (0: untiled)] [--tile_overlap O]
//       [--tile_shift 0|1] [--tile_batch_size B] [--tile_order auto|frame|tile]
//       [--scratch_dir DIR] [--tiled_vae 0|1] [--unload_dit 0|1] [--label TEXT]
//       [--alloc_conf default|none] [--output_type f32|u16|u8]
// (--tile-batch and --tile-order are accepted for --tile_batch_size and --tile_order.)
// W x H is the input size (output = 4x). --output_type: the frames' sample type (a job asks for
// the type it stores: u8 for 8-bit video, u16 for 10/12/16-bit, f32 for EXR); default f32. DIR: a
// model folder; on the GPU machine a full-size random one from `flashvsr-make-test-model DIR --size
// full`. Steady throughput counts the frames emitted after the first chunk over the time since it,
// so model loading and chunk 0 stay out. A tile-major run emits nothing until every tile ran, so
// its first sample is after tile 1's first chunk; "overall" counts every frame over the time after
// loading. Memory is sampled after every chunk (every tile chunk, tile-major): GPU allocated now
// and host RSS at 25 / 50 / 100 % of the run show whether either grows with clip length; peaks
// are the caching allocator's and getrusage's ru_maxrss.
// A tile-major run also prints where its finish() calls spend their time: the tiles before the
// last (up to that tile's last chunk event), then the rest per frame (the last tile's chunks with
// the emission overlapping them: summing frames from the scratch files), and the engine's own
// "tile-major timings" log line splits the latter into queuing, device waits, reads and sums.

#include "bench/bench_memory.h"
#include "engine/core/log.h"
#include "engine/pipeline/upscaler.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace {

using namespace engine::pipeline;
using Clock = std::chrono::steady_clock;

// One frame of a smooth moving pattern, RGB U8.
engine::Frame synthetic_frame(int width, int height, int t) {
    engine::Frame frame;
    frame.allocate(width, height, engine::SampleType::U8);
    auto* p = frame.data.data();
    for (int y = 0; y < height; ++y) {
        for (int x = 0; x < width; ++x) {
            const int v = (x * 3 + y * 5 + t * 7) & 255;
            *p++ = static_cast<std::uint8_t>(v);
            *p++ = static_cast<std::uint8_t>((x ^ y) + t);
            *p++ = static_cast<std::uint8_t>(255 - v);
        }
    }
    frame.index = t;
    return frame;
}

struct Sample {
    double seconds = 0.0;
    std::int64_t frames = 0;
    double gpu_allocated_gib = 0.0;
    double rss_mib = 0.0;
};

}  // namespace

int main(int argc, char** argv) {
    auto args = bench::arguments(argc, argv);
    // The engine's log lines (tile batch, order, scratch bytes) go with the numbers.
    engine::set_log_level(engine::LogLevel::Info);
    engine::set_log_sink([](engine::LogLevel, std::string_view message) {
        std::fprintf(stderr, "log: %.*s\n", static_cast<int>(message.size()), message.data());
    });
    if (!args.count("--model_dir")) {
        std::fprintf(stderr, "usage: see the header of tests/bench/pipeline/upscaler_bench.cpp\n");
        return 2;
    }
    for (const auto& [alias, key] :
         {std::pair<std::string, std::string>{"--tile-batch", "--tile_batch_size"},
          {"--tile-order", "--tile_order"}}) {
        if (args.count(alias)) {
            args[key] = args[alias];
        }
    }
    const auto get = [&](const char* key, int fallback) {
        return args.count(key) ? std::stoi(args[key]) : fallback;
    };
    const int width = get("--width", 352);
    const int height = get("--height", 192);
    const int frames = get("--frames", 101);

    UpscalerConfig config;
    config.model_dir = args["--model_dir"];
    config.device = args.count("--device") ? args["--device"] : "cpu";
    config.mode = args.count("--mode") && args["--mode"] == "full" ? Mode::Full : Mode::Tiny;
    config.seed = 1;
    config.tiled_vae = get("--tiled_vae", 0) != 0;
    config.unload_dit = get("--unload_dit", 0) != 0;
    const int tile_size = get("--tile_size", 0);
    config.tiling.enabled = tile_size > 0;
    if (config.tiling.enabled) {
        config.tiling.size = tile_size;
        config.tiling.overlap = get("--tile_overlap", 24);
        config.tiling.shift = get("--tile_shift", 1) != 0;
        config.tiling.batch_size = get("--tile_batch_size", 0);
        const std::string order = args.count("--tile_order") ? args["--tile_order"] : "auto";
        if (order == "frame") {
            config.tiling.order = TileOrder::FrameMajor;
        } else if (order == "tile") {
            config.tiling.order = TileOrder::TileMajor;
        } else if (order != "auto") {
            std::fprintf(stderr, "--tile_order must be auto, frame or tile\n");
            return 2;
        }
    }
    const std::string output_type = args.count("--output_type") ? args["--output_type"] : "f32";
    if (output_type == "u8") {
        config.output_type = engine::SampleType::U8;
    } else if (output_type == "u16") {
        config.output_type = engine::SampleType::U16;
    } else if (output_type != "f32") {
        std::fprintf(stderr, "--output_type must be f32, u16 or u8\n");
        return 2;
    }
    if (args.count("--scratch_dir")) {
        config.scratch_dir = args["--scratch_dir"];
    }
    const std::string label = args.count("--label") ? args["--label"] : "run";
    const torch::Device device(config.device == "auto" ? "cpu" : config.device);

    std::vector<Sample> samples;
    const auto start = Clock::now();
    const auto sample = [&](std::int64_t emitted) {
        Sample s;
        s.seconds = std::chrono::duration<double>(Clock::now() - start).count();
        s.frames = emitted;
        s.gpu_allocated_gib = bench::gpu_memory(device).allocated_gib;
        s.rss_mib = bench::current_rss_mib();
        samples.push_back(s);
    };
    // Tile-major: when the tile before the last finished its last chunk ("tile a/b, chunk c/c"
    // with a = b - 1).
    Clock::time_point before_last_done{};
    bool tile_major_seen = false;
    UpscalerEvents events;
    events.on_chunk = [&](std::int64_t emitted, const std::string& stage) {
        sample(emitted);
        int tile = 0;
        int tiles = 0;
        int chunk = 0;
        int chunks = 0;
        if (std::sscanf(stage.c_str(), "tile %d/%d, chunk %d/%d", &tile, &tiles, &chunk, &chunks) ==
            4) {
            tile_major_seen = true;
            if (tile == tiles - 1 && chunk == chunks) {
                before_last_done = Clock::now();
            }
        }
    };
    bench::reset_gpu_peak(device);
    auto upscaler = Upscaler::create(config, width, height, events);
    if (!upscaler) {
        std::fprintf(stderr, "%s\n", upscaler.error().to_string().c_str());
        return 1;
    }
    const double load_s = std::chrono::duration<double>(Clock::now() - start).count();
    std::vector<engine::Frame> out;
    std::int64_t emitted = 0;
    for (int i = 0; i < frames; ++i) {
        if (auto ok = (*upscaler)->push(synthetic_frame(width, height, i), out); !ok) {
            std::fprintf(stderr, "%s\n", ok.error().to_string().c_str());
            return 1;
        }
        emitted += static_cast<std::int64_t>(out.size());
        out.clear();  // the frames leave, as they do to an encoder
    }
    // A tile-major run hands its frames out a slice per call: call until nothing comes.
    const auto finish_start = Clock::now();
    double finish_s = 0.0;
    const auto emitted_before_finish = emitted;
    for (;;) {
        const auto call_start = Clock::now();
        const auto ok = (*upscaler)->finish(out);
        finish_s += std::chrono::duration<double>(Clock::now() - call_start).count();
        if (!ok) {
            std::fprintf(stderr, "%s\n", ok.error().to_string().c_str());
            return 1;
        }
        if (out.empty()) {
            break;
        }
        emitted += static_cast<std::int64_t>(out.size());
        out.clear();
    }
    sample(emitted);
    const double total_s = std::chrono::duration<double>(Clock::now() - start).count();
    const auto peak = bench::gpu_memory(device);

    double steady_fps = 0.0;
    if (samples.size() >= 3) {
        const auto& first = samples.front();
        const auto& last = samples.back();
        steady_fps =
            static_cast<double>(last.frames - first.frames) / (last.seconds - first.seconds);
    }
    const auto at = [&](double fraction) {
        const auto index =
            static_cast<std::size_t>(fraction * static_cast<double>(samples.size() - 1));
        return samples[std::min(index, samples.size() - 1)];
    };
    std::printf(
        "FlashVSR upscaler bench [%s]: %dx%d -> %dx%d, %d frames, %s mode, %s, %s\n", label.c_str(),
        width, height, (*upscaler)->output_width(), (*upscaler)->output_height(), frames,
        config.mode == Mode::Full ? "full" : "tiny", (*upscaler)->device_description().c_str(),
        config.tiling.enabled
            ? ("tiles " + std::to_string(tile_size) + "/" + std::to_string(config.tiling.overlap) +
               (config.tiling.shift ? " shifted" : "") + ", batch " +
               std::to_string(config.tiling.batch_size) + ", order " +
               (args.count("--tile_order") ? args["--tile_order"] : "auto"))
                  .c_str()
            : "untiled");
    const double overall_fps = static_cast<double>(emitted) / (total_s - load_s);
    std::printf("  load %.1f s, total %.1f s, %lld frames out, %.2f fps overall after load\n",
                load_s, total_s, static_cast<long long>(emitted), overall_fps);
    if (tile_major_seen) {
        // One tile: nothing runs before the last tile.
        const double before_last_s =
            before_last_done == Clock::time_point{}
                ? 0.0
                : std::chrono::duration<double>(before_last_done - finish_start).count();
        const auto finish_frames = std::max<std::int64_t>(emitted - emitted_before_finish, 1);
        std::printf(
            "  finish() %.1f s: tiles before the last %.1f s, then last tile + emission "
            "%.1f s = %.1f ms/frame over %lld frames\n",
            finish_s, before_last_s, finish_s - before_last_s,
            1000.0 * (finish_s - before_last_s) / static_cast<double>(finish_frames),
            static_cast<long long>(finish_frames));
    }
    // Throughput per quarter of the samples after the first: flat when nothing grows with the
    // clip (a long run's quarters against each other, without the start and end effects of a
    // short clip's steady figure).
    if (samples.size() >= 9) {
        std::printf("  per quarter:");
        const auto n = samples.size() - 1;
        for (std::size_t q = 0; q < 4; ++q) {
            const auto& a = samples[1 + q * (n - 1) / 4];
            const auto& b = samples[1 + (q + 1) * (n - 1) / 4];
            std::printf(" %.2f",
                        static_cast<double>(b.frames - a.frames) / (b.seconds - a.seconds));
        }
        std::printf(" fps\n");
    }
    for (const double f : {0.25, 0.5, 1.0}) {
        const auto s = at(f);
        std::printf("  at %3.0f %%: frame %lld, GPU allocated %.2f GiB, host RSS %.0f MiB\n",
                    f * 100, static_cast<long long>(s.frames), s.gpu_allocated_gib, s.rss_mib);
    }
    std::printf(
        "RESULT %s: %.2f fps steady, %.2f fps overall, GPU peak %.2f GiB allocated / %.2f GiB "
        "reserved, host peak RSS %.0f MiB\n",
        label.c_str(), steady_fps, overall_fps, peak.peak_allocated_gib, peak.peak_reserved_gib,
        bench::peak_rss_mib());
    return 0;
}
