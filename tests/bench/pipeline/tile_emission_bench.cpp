// flashvsr-bench-tile-emission: the tile-major order's frame emission on its own (no model): fake
// tile scratch files for a 4K-class tiled run, then per output frame the old way (a zeroed
// canvas, the tile blocks read one after another into fresh tensors, torch adds, (c + 1) * 0.5
// and clamp as more passes, a copy into the Frame) against the engine's TileScratch +
// TileFrameAssembler (frames allocated side by side, reused buffers, parallel reads, one summing
// pass straight into the Frame).
// Not a test: it prints ms per frame. Both give the same frame bit for bit (checked).
//   flashvsr-bench-tile-emission [--width W] [--height H] [--tile_size S] [--tile_overlap O]
//       [--tile_shift 0|1 (default 0)] [--frames N] [--threads T] [--scratch_dir DIR]
// W x H: input size (default 960x512 -> 3840x2048: 15 tiles of 256, no shifted grid).
// The files are freshly written, so reads come from the page cache as they mostly do in a run.

#include "../../../engine/pipeline/src/tile_major.h"
#include "bench/bench_memory.h"
#include "engine/core/frame.h"

#include <chrono>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <string>
#include <unistd.h>
#include <vector>

namespace {

using namespace engine::pipeline;
namespace tile_major = engine::pipeline::detail;
using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point start) {
    return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

engine::Frame new_frame(const TilePlan& plan) {
    engine::Frame frame;
    frame.allocate(static_cast<int>(plan.output_width()), static_cast<int>(plan.output_height()),
                   engine::SampleType::F32);
    frame.bit_depth = 32;
    return frame;
}

// The emission before TileFrameAssembler, as tile_major.cpp did it.
engine::Frame old_emission(const TilePlan& plan,
                           const std::vector<int>& fds,
                           const torch::Tensor& last_block,
                           std::int64_t frame_index) {
    auto canvas = torch::zeros({plan.output_height(), plan.output_width(), 3}, torch::kFloat);
    for (std::size_t i = 0; i < plan.tiles.size(); ++i) {
        const auto& tile = plan.tiles[i];
        torch::Tensor block;
        if (i < fds.size()) {
            block = torch::empty({tile.height() * plan.scale, tile.width() * plan.scale, 3});
            const auto bytes = block.numel() * 4;
            const auto got = ::pread(fds[i], block.data_ptr(), static_cast<std::size_t>(bytes),
                                     static_cast<off_t>(frame_index * bytes));
            TORCH_CHECK(got == bytes, "short read");
        } else {
            block = last_block;
        }
        canvas.narrow(0, tile.y0 * plan.scale, block.size(0))
            .narrow(1, tile.x0 * plan.scale, block.size(1))
            .add_(block);
    }
    const auto pixels = ((canvas + 1) * 0.5).clamp(0, 1).contiguous();
    auto frame = new_frame(plan);
    std::memcpy(frame.data.data(), pixels.data_ptr<float>(), frame.data.size());
    return frame;
}

}  // namespace

int main(int argc, char** argv) {
    auto args = bench::arguments(argc, argv);
    const auto get = [&](const char* key, int fallback) {
        return args.count(key) ? std::stoi(args[key]) : fallback;
    };
    const int frames = get("--frames", 6);
    if (args.count("--threads")) {
        at::set_num_threads(get("--threads", 1));
    }
    TileSettings settings;
    settings.enabled = true;
    settings.size = get("--tile_size", 256);
    settings.overlap = get("--tile_overlap", 24);
    settings.shift = get("--tile_shift", 0) != 0;
    auto planned = plan_tiles(get("--width", 960), get("--height", 512), 4, settings);
    if (!planned) {
        std::fprintf(stderr, "%s\n", planned.error().to_string().c_str());
        return 2;
    }
    const auto plan = *planned;
    const auto files = plan.tiles.size() - 1;
    const auto per_frame = tile_major::tile_major_scratch_bytes_per_frame(plan);

    tile_major::TileScratch scratch(plan, files);
    scratch.create(args.count("--scratch_dir") ? args["--scratch_dir"] : "", per_frame * frames);
    torch::manual_seed(1);
    for (std::size_t i = 0; i < files; ++i) {
        const auto& tile = plan.tiles[i];
        scratch.open_for_writing(i);
        for (int f = 0; f < frames; ++f) {
            scratch.append(i, torch::randn({1, tile.height() * 4, tile.width() * 4, 3}) * 0.5);
        }
        scratch.close_after_writing(i);
    }
    const auto& last = plan.tiles.back();
    const auto last_block = torch::randn({last.height() * 4, last.width() * 4, 3}) * 0.5;
    std::vector<int> fds;
    for (std::size_t i = 0; i < files; ++i) {
        char name[32];
        std::snprintf(name, sizeof(name), "tile_%04zu.f32", i);
        fds.push_back(::open((scratch.path() / name).c_str(), O_RDONLY | O_CLOEXEC));
        TORCH_CHECK(fds.back() >= 0, "cannot open ", name);
    }

    // Old way first, then the new one, each over every frame once as a warm-up and once timed.
    double old_ms = 0;
    std::vector<engine::Frame> old_frames;
    for (int pass = 0; pass < 2; ++pass) {
        old_frames.clear();
        const auto start = Clock::now();
        for (int f = 0; f < frames; ++f) {
            old_frames.push_back(old_emission(plan, fds, last_block, f));
        }
        old_ms = ms_since(start) / frames;
    }
    const tile_major::TileFrameAssembler assembler(plan, plan.output_height(), plan.output_width());
    double new_ms = 0;
    double read_ms = 0;
    double sum_ms = 0;
    double alloc_ms = 0;
    bool same = true;
    std::vector<const float*> blocks;
    for (int pass = 0; pass < 2; ++pass) {
        read_ms = 0;
        sum_ms = 0;
        alloc_ms = 0;
        // As the engine emits a chunk: its frames allocated side by side, then filled one by one.
        const auto start = Clock::now();
        auto step = Clock::now();
        auto out = tile_major::allocate_output_frames(frames, static_cast<int>(plan.output_width()),
                                                      static_cast<int>(plan.output_height()),
                                                      engine::SampleType::F32);
        alloc_ms = ms_since(step);
        for (int f = 0; f < frames; ++f) {
            step = Clock::now();
            blocks = scratch.read_frame(f);
            read_ms += ms_since(step);
            step = Clock::now();
            blocks.push_back(last_block.data_ptr<float>());
            assembler.assemble(blocks, out[static_cast<std::size_t>(f)].samples<float>());
            sum_ms += ms_since(step);
        }
        new_ms = ms_since(start) / frames;
        for (int f = 0; f < frames; ++f) {
            const auto i = static_cast<std::size_t>(f);
            same = same && out[i].data == old_frames[i].data;
        }
    }
    for (const int fd : fds) {
        ::close(fd);
    }
    std::printf(
        "tile emission bench: %lldx%lld output, %zu tiles (%zu from scratch, %.0f MB per frame), "
        "%d frames, %d intra-op threads\n",
        static_cast<long long>(plan.output_width()), static_cast<long long>(plan.output_height()),
        plan.tiles.size(), files, static_cast<double>(per_frame) / 1e6, frames,
        at::get_num_threads());
    std::printf(
        "RESULT before: %.1f ms/frame; after: %.1f ms/frame (reads %.1f, Frame allocation %.1f, "
        "sums %.1f); frames %s\n",
        old_ms, new_ms, read_ms / frames, alloc_ms / frames, sum_ms / frames,
        same ? "identical" : "DIFFER");
    return same ? 0 : 1;
}
