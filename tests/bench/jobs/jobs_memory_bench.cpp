// Memory over a long video: runs a long synthetic video through the jobs engine (run_job, the
// production path: decode, processor and encode threads joined by bounded queues, segments,
// manifest, final assembly) and samples this process's resident memory and malloc's heap in use
// every 20 ms. Prints both at 10 %, 50 % and 100 % of the frames and the slope of resident memory
// from 10 % to just before the end, first for the bicubic scaler over many frames, then for the
// tiny random-weight FlashVSR model on the CPU over fewer. Flat means a slope of about zero: a
// leak of one output frame per frame would show as its size in bytes per frame.
//
// Usage: flashvsr-bench-jobs-memory [frames=3000] [model_frames=600] [model_dir]
// Without model_dir, the tiny model is made with flashvsr-make-test-model from this program's
// folder (skipped when that tool is not built). The CTest check of the same property is
// tests/engine/jobs/long_video_memory_slow_test.cpp (label "slow").

#include "engine/core/paths.h"
#include "engine/io/media.h"
#include "engine/jobs/job_queue.h"
#include "engine/jobs/support/media.h"
#include "engine/jobs/support/process_memory.h"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <string>
#include <sys/resource.h>
#include <thread>
#include <unistd.h>
#include <vector>

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

// Runs the job while a thread samples memory, then prints the readings.
bool measure(const std::string& title, const engine::jobs::JobSpec& spec, std::int64_t frames) {
    std::atomic<std::int64_t> frames_done{0};
    std::atomic<bool> stop{false};
    std::mutex mutex;
    std::vector<jobs_test::MemorySample> samples;
    std::thread sampler([&] {
        while (!stop.load()) {
            const jobs_test::MemorySample s{frames_done.load(), jobs_test::resident_bytes(),
                                            jobs_test::heap_in_use_bytes()};
            {
                std::lock_guard<std::mutex> lock(mutex);
                samples.push_back(s);
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
    });
    engine::jobs::JobEvents events;
    events.on_progress = [&](const engine::jobs::JobProgress& p) {
        if (p.stage == engine::jobs::JobStage::Upscaling) {
            frames_done = p.frames_done;
        }
    };
    const auto started = Clock::now();
    auto r = engine::jobs::run_job(spec, events);
    const double seconds = std::chrono::duration<double>(Clock::now() - started).count();
    stop = true;
    sampler.join();
    if (!r.ok()) {
        std::fprintf(stderr, "%s: %s\n", title.c_str(), r.error().to_string().c_str());
        return false;
    }
    // Samples of the upscaling only, up to the first one at the end (the assembly after it
    // re-reads the chunks).
    std::vector<jobs_test::MemorySample> upscaling;
    for (const auto& s : samples) {
        if (s.frames_done <= 0) {
            continue;
        }
        upscaling.push_back(s);
        if (s.frames_done >= frames) {
            break;
        }
    }
    std::printf("%s: %lld frames in %d segments, %.1f s\n", title.c_str(),
                static_cast<long long>(frames), r->segments_total, seconds);
    for (double at : {0.10, 0.50, 1.00}) {
        const auto s = jobs_test::sample_at(upscaling, at, frames);
        std::printf("  %3.0f %%  resident %7.1f MB  heap in use %7.1f MB  (at frame %lld)\n",
                    at * 100, double(s.resident) / 1e6, double(s.heap) / 1e6,
                    static_cast<long long>(s.frames_done));
    }
    // The slope leaves out the sample at the end: the segment has ended there and its processor,
    // queues and encoder are freed, which would read as a misleading fall.
    std::vector<jobs_test::MemorySample> running = upscaling;
    if (running.size() > 2 && running.back().frames_done >= frames) {
        running.pop_back();
    }
    const double slope = jobs_test::resident_slope(running, 0.10, frames);
    std::printf("  slope    %.1f bytes/frame (%.3f MB per 1000 frames) from 10 %%, %zu samples\n",
                slope, slope * 1000 / 1e6, running.size());
    rusage usage{};
    ::getrusage(RUSAGE_SELF, &usage);
    std::printf("  peak     resident %.1f MB (getrusage: the whole process so far)\n",
                double(usage.ru_maxrss) * 1024 / 1e6);
    return true;
}

fs::path own_folder() {
    std::error_code ec;
    fs::path exe = fs::read_symlink("/proc/self/exe", ec);
    return ec ? fs::path() : exe.parent_path();
}

}  // namespace

int main(int argc, char** argv) {
    const int frames = argc > 1 ? std::atoi(argv[1]) : 3000;
    const int model_frames = argc > 2 ? std::atoi(argv[2]) : 600;
    fs::path model_dir = argc > 3 ? fs::path(argv[3]) : fs::path();
    const fs::path root =
        fs::temp_directory_path() / ("fvsr-bench-memory-" + std::to_string(::getpid()));
    fs::create_directories(root);
    setenv("XDG_CACHE_HOME", (root / "cache").c_str(), 1);
    int status = 0;

    if (const auto written = jobs_test::write_test_video(root / "long.mkv", frames, 64, 48);
        written.ok()) {
        engine::jobs::JobSpec spec;
        spec.input = root / "long.mkv";
        spec.output = root / "long_2x.mkv";
        spec.upscaler = engine::jobs::UpscalerKind::Bicubic;
        spec.scale = 2;
        spec.output_settings.codec = engine::io::VideoCodec::FFV1;
        spec.output_settings.quality = engine::io::QualityPreset::Lossless;
        spec.output_settings.hardware_encoder = false;
        status |= measure("bicubic x2, 64x48", spec, frames) ? 0 : 1;
    } else {
        std::fprintf(stderr, "%s\n", written.error().to_string().c_str());
        status = 1;
    }

    if (model_dir.empty()) {
        const fs::path maker = own_folder() / "flashvsr-make-test-model";
        if (fs::exists(maker)) {
            model_dir = root / "model";
            const std::string command =
                "'" + maker.u8string() + "' '" + model_dir.u8string() + "' > /dev/null";
            if (std::system(command.c_str()) != 0) {
                model_dir.clear();
            }
        }
    }
    if (model_dir.empty()) {
        std::printf("FlashVSR: skipped (pass a model folder, or build flashvsr-make-test-model)\n");
    } else if (jobs_test::write_test_video(root / "model_in.mkv", model_frames, 32, 24).ok()) {
        engine::jobs::JobSpec spec;
        spec.input = root / "model_in.mkv";
        spec.output = root / "model_4x.mkv";
        spec.upscaler = engine::jobs::UpscalerKind::FlashVSR;
        spec.model.model_dir = model_dir;
        spec.model.device = "cpu";
        spec.scale = 4;
        spec.output_settings.codec = engine::io::VideoCodec::FFV1;
        spec.output_settings.quality = engine::io::QualityPreset::Lossless;
        spec.output_settings.hardware_encoder = false;
        status |= measure("FlashVSR tiny model x4 on the CPU, 32x24", spec, model_frames) ? 0 : 1;
    }
    engine::remove_tree(root);
    return status;
}
