// Prints what the job layer costs on top of the processor: XXH64 hashing speed (resume re-hashes
// every chunk), atomic manifest rewrites, scene-cut detection (one decode pass before FlashVSR
// jobs), the planner's predictions next to what a bicubic job really used, and a bicubic job
// with and without segmentation.
// Usage: flashvsr-bench-jobs [frames] [width] [height]

#include "engine/core/paths.h"
#include "engine/io/media.h"
#include "engine/jobs/job_queue.h"
#include "engine/jobs/manifest.h"
#include "engine/jobs/planner.h"
#include "engine/jobs/scene_cuts.h"
#include "engine/jobs/support/media.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <unistd.h>

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

static double seconds_since(Clock::time_point t) {
    return std::chrono::duration<double>(Clock::now() - t).count();
}

int main(int argc, char** argv) {
    const int frames = argc > 1 ? std::atoi(argv[1]) : 200;
    const int width = argc > 2 ? std::atoi(argv[2]) : 320;
    const int height = argc > 3 ? std::atoi(argv[3]) : 180;
    const fs::path root =
        fs::temp_directory_path() / ("fvsr-bench-jobs-" + std::to_string(::getpid()));
    fs::create_directories(root);
    setenv("XDG_CACHE_HOME", (root / "cache").c_str(), 1);

    std::string buffer(256u << 20, '\x5a');
    auto t = Clock::now();
    engine::jobs::ContentHasher hasher;
    hasher.update(buffer);
    volatile auto digest = hasher.digest();
    (void)digest;
    std::printf("xxh64            %.2f GB/s\n", double(buffer.size()) / seconds_since(t) / 1e9);

    engine::jobs::Manifest manifest;
    engine::jobs::PlanRequest request;
    request.total_frames = 86400;  // one hour at 24 fps
    manifest.plan = engine::jobs::plan_segments(request).value();
    for (const auto& s : manifest.plan.segments) {
        engine::jobs::SegmentRecord r;
        r.index = s.index;
        r.first = s.first;
        r.end = s.end;
        r.files = {{"seg.mkv", 1, "0"}};
        for (std::int64_t i = s.first; i < s.end; ++i) {
            r.pts.push_back(i * 1001);
        }
        manifest.add_finished(r);
    }
    t = Clock::now();
    const int writes = 20;
    for (int i = 0; i < writes; ++i) {
        if (!engine::jobs::write_manifest(root / "manifest.json", manifest).ok()) {
            return 1;
        }
    }
    std::printf("manifest write   %.1f ms (1 h of frames, %zu segments, %ju bytes)\n",
                seconds_since(t) * 1000.0 / writes, manifest.plan.segments.size(),
                static_cast<std::uintmax_t>(fs::file_size(root / "manifest.json")));

    const fs::path input = root / "input.mkv";
    if (const auto written = jobs_test::write_test_video(input, frames, width, height);
        !written.ok()) {
        std::fprintf(stderr, "%s\n", written.error().to_string().c_str());
        return 1;
    }
    {
        engine::jobs::JobSpec spec;
        spec.input = input;
        t = Clock::now();
        auto cuts = engine::jobs::detect_scene_cuts(spec, 0, frames, engine::CancelToken());
        if (!cuts.ok()) {
            std::fprintf(stderr, "%s\n", cuts.error().to_string().c_str());
            return 1;
        }
        std::printf("scene cuts       %.0f fps decode + detect (%zu cuts in %d frames %dx%d)\n",
                    frames / seconds_since(t), cuts->size(), frames, width, height);
    }
    for (std::int64_t max_frames : {std::int64_t(0), std::int64_t(50)}) {
        engine::jobs::JobSpec spec;
        spec.input = input;
        spec.output = root / ("out_" + std::to_string(max_frames) + ".mkv");
        spec.upscaler = engine::jobs::UpscalerKind::Bicubic;
        spec.scale = 2;
        spec.output_settings.codec = engine::io::VideoCodec::FFV1;
        spec.output_settings.quality = engine::io::QualityPreset::Lossless;
        spec.segments.max_segment_frames = max_frames;
        t = Clock::now();
        auto r = engine::jobs::run_job(spec);
        if (!r.ok()) {
            std::fprintf(stderr, "%s\n", r.error().to_string().c_str());
            return 1;
        }
        std::printf("bicubic job      %d segments: %.1f fps end to end (%d frames %dx%d)\n",
                    r->segments_total, frames / seconds_since(t), frames, width, height);
        // Predicted before (analytic, CPU) against this run; the planner runs without the output.
        spec.output_settings.overwrite = true;
        auto input = engine::jobs::probe_input(spec);
        auto device = engine::jobs::query_device_resources("cpu");
        if (input.ok() && device.ok()) {
            auto plan = engine::jobs::plan_job(spec, *input, *device);
            if (plan.ok()) {
                std::printf(
                    "  planner        predicted %.2f s (+%.2f s assembly), %.1f MB chunks, "
                    "%.0f MB host; measured %.2f s in all\n",
                    plan->prediction.upscale_seconds, plan->prediction.assemble_seconds,
                    double(plan->prediction.temp_disk_bytes) / 1e6,
                    double(plan->prediction.peak_host_bytes) / 1e6, seconds_since(t));
            }
        }
    }
    engine::remove_tree(root);
    return 0;
}
