// Video I/O throughput: encodes a synthesised clip through open_video_sink (H.264 8-bit from U8
// frames, FFV1 16-bit RGB from U16 frames) at 1080p and 4K, then decodes it back through
// open_video_source. Prints frames per second; not a test.
//
// Usage: flashvsr-bench-video-io [frames (default 24)] [scratch folder (default: system temp)]
// Encode time includes the sink's verification re-read and the atomic rename; decode time
// includes opening (truncation check, frame-counting pass, first-frame decode). The CPU columns
// (process CPU seconds per frame, all threads) stay meaningful on a busy shared machine, where
// wall-clock fps does not.

#include "engine/core/paths.h"
#include "engine/io/video_file.h"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <sys/resource.h>
#include <unistd.h>
#include <vector>

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

// A moving gradient: cheap to make, not trivially compressible.
engine::Frame make_frame(int width, int height, engine::SampleType type, int index) {
    engine::Frame frame;
    frame.allocate(width, height, type);
    frame.pts = index;
    frame.index = index;
    frame.bit_depth = type == engine::SampleType::U8 ? 8 : 16;
    for (int y = 0; y < height; ++y) {
        for (int x = 0; x < width; ++x) {
            const std::size_t i = (static_cast<std::size_t>(y) * width + x) * 3;
            const unsigned r = static_cast<unsigned>(x * 65535 / width);
            const unsigned g = static_cast<unsigned>(y * 65535 / height);
            const unsigned b = static_cast<unsigned>(((x + y + index * 16) * 97) & 0xFFFF);
            if (type == engine::SampleType::U8) {
                auto* p = frame.samples<std::uint8_t>() + i;
                p[0] = static_cast<std::uint8_t>(r >> 8);
                p[1] = static_cast<std::uint8_t>(g >> 8);
                p[2] = static_cast<std::uint8_t>(b >> 8);
            } else {
                auto* p = frame.samples<std::uint16_t>() + i;
                p[0] = static_cast<std::uint16_t>(r);
                p[1] = static_cast<std::uint16_t>(g);
                p[2] = static_cast<std::uint16_t>(b);
            }
        }
    }
    return frame;
}

struct Case {
    const char* label;
    engine::io::VideoCodec codec;
    int bit_depth;
    engine::SampleType type;
    int width;
    int height;
};

double seconds_since(Clock::time_point start) {
    return std::chrono::duration<double>(Clock::now() - start).count();
}

double cpu_seconds() {
    rusage usage{};
    ::getrusage(RUSAGE_SELF, &usage);
    return static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
           1e-6 * static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec);
}

}  // namespace

int main(int argc, char** argv) {
    const int frames = argc > 1 ? std::max(1, std::atoi(argv[1])) : 24;
    const fs::path scratch = (argc > 2 ? fs::path(argv[2]) : fs::temp_directory_path()) /
                             ("flashvsr-bench-video-io-" + std::to_string(::getpid()));
    fs::create_directories(scratch);

    const std::vector<Case> cases = {
        {"H.264 8-bit", engine::io::VideoCodec::H264, 8, engine::SampleType::U8, 1920, 1080},
        {"FFV1 16-bit", engine::io::VideoCodec::FFV1, 16, engine::SampleType::U16, 1920, 1080},
        {"H.264 8-bit", engine::io::VideoCodec::H264, 8, engine::SampleType::U8, 3840, 2160},
        {"FFV1 16-bit", engine::io::VideoCodec::FFV1, 16, engine::SampleType::U16, 3840, 2160},
    };
    std::printf("video I/O benchmark: %d frames per clip, scratch %s\n", frames,
                scratch.u8string().c_str());
    std::printf("%-12s %-10s %11s %11s %13s %13s %9s\n", "codec", "size", "encode fps",
                "decode fps", "enc cpu s/f", "dec cpu s/f", "file MiB");
    int status = 0;
    for (const Case& c : cases) {
        // A few distinct frames, reused with increasing timestamps.
        std::vector<engine::Frame> pool;
        for (int i = 0; i < 4; ++i) {
            pool.push_back(make_frame(c.width, c.height, c.type, i));
        }
        const fs::path output =
            scratch / (std::string(c.codec == engine::io::VideoCodec::H264 ? "h264_" : "ffv1_") +
                       std::to_string(c.width) + ".mkv");
        engine::io::SinkOptions options;
        options.output = output;
        options.codec = c.codec;
        options.bit_depth = c.bit_depth;
        options.width = c.width;
        options.height = c.height;
        options.frame_rate = engine::Rational{24, 1};
        options.time_base = engine::Rational{1, 24};
        options.expected_frames = frames;
        options.hardware_encoder = true;
        options.overwrite = true;

        const Clock::time_point encode_start = Clock::now();
        const double encode_cpu_start = cpu_seconds();
        auto sink = engine::io::open_video_sink(options);
        if (!sink.ok()) {
            std::printf("%-12s %dx%d: %s\n", c.label, c.width, c.height,
                        sink.error().to_string().c_str());
            status = 1;
            continue;
        }
        bool failed = false;
        for (int i = 0; i < frames && !failed; ++i) {
            engine::Frame& f = pool[static_cast<std::size_t>(i) % pool.size()];
            f.pts = i;
            engine::Status s = sink.value()->write(f);
            if (!s.ok()) {
                std::printf("write failed: %s\n", s.error().to_string().c_str());
                failed = true;
            }
        }
        engine::Status finished = failed ? engine::Status() : sink.value()->finish();
        const double encode_seconds = seconds_since(encode_start);
        const double encode_cpu = cpu_seconds() - encode_cpu_start;
        if (failed || !finished.ok()) {
            if (!finished.ok()) {
                std::printf("finish failed: %s\n", finished.error().to_string().c_str());
            }
            status = 1;
            continue;
        }
        for (const std::string& note : sink.value()->notes()) {
            std::printf("  note: %s\n", note.c_str());
        }

        const Clock::time_point decode_start = Clock::now();
        const double decode_cpu_start = cpu_seconds();
        engine::io::SourceOptions source_options;
        source_options.input = output;
        source_options.preferred_type = c.type;
        auto source = engine::io::open_video_source(source_options);
        int decoded = 0;
        if (source.ok()) {
            for (;;) {
                auto next = source.value()->next();
                if (!next.ok() || !next.value()) {
                    break;
                }
                ++decoded;
            }
        }
        const double decode_seconds = seconds_since(decode_start);
        const double decode_cpu = cpu_seconds() - decode_cpu_start;
        if (decoded != frames) {
            std::printf("decoded %d of %d frames\n", decoded, frames);
            status = 1;
        }
        char size[32];
        std::snprintf(size, sizeof(size), "%dx%d", c.width, c.height);
        std::printf("%-12s %-10s %11.2f %11.2f %13.3f %13.3f %9.1f\n", c.label, size,
                    frames / encode_seconds, decoded / decode_seconds, encode_cpu / frames,
                    decoded > 0 ? decode_cpu / decoded : 0.0,
                    static_cast<double>(fs::file_size(output)) / (1024.0 * 1024.0));
        std::fflush(stdout);
        fs::remove(output);
    }
    std::error_code ec;
    engine::remove_tree(scratch, ec);
    return status;
}
