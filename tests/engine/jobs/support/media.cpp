#include "engine/jobs/support/media.h"

#include "engine/imaging/resize.h"
#include "engine/io/media.h"

#include <algorithm>
#include <cmath>

namespace jobs_test {
namespace fs = std::filesystem;
using engine::Frame;
using engine::SampleType;

Frame pattern_frame(int width, int height, std::int64_t index, SampleType type) {
    Frame f;
    f.allocate(width, height, SampleType::F32);
    float* p = f.samples<float>();
    for (int y = 0; y < height; ++y) {
        for (int x = 0; x < width; ++x) {
            float* px = p + (static_cast<std::size_t>(y) * width + x) * 3;
            px[0] = float((x * 4 + index * 7) % 256) / 255.0f;
            px[1] = float((y * 5 + index * 3) % 256) / 255.0f;
            px[2] = float(((x ^ y) * 3 + index * 11) % 256) / 255.0f;
        }
    }
    f.index = index;
    f.pts = index;
    f.time_base = {1, 25};
    return type == SampleType::F32 ? f
                                   : engine::from_float(f, type, type == SampleType::U8 ? 8 : 16);
}

Frame shot_frame(int width, int height, std::int64_t index, int shot) {
    static const float kCentres[] = {0.22f, 0.74f, 0.48f, 0.9f};
    const float centre = kCentres[shot % 4];
    constexpr float kTwoPi = 6.28318530718f;
    Frame f;
    f.allocate(width, height, SampleType::F32);
    float* p = f.samples<float>();
    const int square_x = static_cast<int>(index * 2) % std::max(1, width);
    const int square_y = height / 3;
    for (int y = 0; y < height; ++y) {
        for (int x = 0; x < width; ++x) {
            float v = centre + 0.12f *
                                   std::sin(kTwoPi * (float(x) / width * 1.5f + index * 0.03f)) *
                                   std::cos(kTwoPi * (float(y) / height + index * 0.02f));
            const int dx = (x - square_x + width) % width;
            if (dx < width / 6 && y >= square_y && y < square_y + height / 6) {
                v += 0.06f;
            }
            float* px = p + (static_cast<std::size_t>(y) * width + x) * 3;
            px[0] = std::clamp(v + 0.03f, 0.0f, 1.0f);
            px[1] = std::clamp(v, 0.0f, 1.0f);
            px[2] = std::clamp(v - 0.03f, 0.0f, 1.0f);
        }
    }
    f.index = index;
    f.pts = index;
    f.time_base = {1, 25};
    return engine::from_float(f, SampleType::U8, 8);
}

static engine::Status write_frames(const engine::io::SinkOptions& options, int frames) {
    auto sink = engine::io::open_sink(options);
    if (!sink.ok()) {
        return sink.error();
    }
    for (int i = 0; i < frames; ++i) {
        if (auto st =
                (*sink)->write(pattern_frame(options.width, options.height, i, SampleType::U8));
            !st.ok()) {
            return st;
        }
    }
    return (*sink)->finish();
}

// 8-bit lossless FFV1/MKV at 25 fps, overwriting.
static engine::io::SinkOptions lossless_video_options(const fs::path& path,
                                                      int frames,
                                                      int width,
                                                      int height) {
    engine::io::SinkOptions o;
    o.output = path;
    o.codec = engine::io::VideoCodec::FFV1;
    o.container = "mkv";
    o.bit_depth = 8;
    o.quality = engine::io::QualityPreset::Lossless;
    o.hardware_encoder = false;
    o.width = width;
    o.height = height;
    o.frame_rate = {25, 1};
    o.time_base = {1, 25};
    o.expected_frames = frames;
    o.overwrite = true;
    return o;
}

engine::Status write_test_video(const fs::path& path, int frames, int width, int height) {
    return write_frames(lossless_video_options(path, frames, width, height), frames);
}

engine::Status write_test_video_with_cuts(const fs::path& path,
                                          int frames,
                                          const std::vector<std::int64_t>& cuts,
                                          int width,
                                          int height) {
    auto sink = engine::io::open_sink(lossless_video_options(path, frames, width, height));
    if (!sink.ok()) {
        return sink.error();
    }
    int shot = 0;
    for (int i = 0; i < frames; ++i) {
        shot = static_cast<int>(
            std::count_if(cuts.begin(), cuts.end(), [i](std::int64_t c) { return c <= i; }));
        if (auto st = (*sink)->write(shot_frame(width, height, i, shot)); !st.ok()) {
            return st;
        }
    }
    return (*sink)->finish();
}

engine::Status write_test_pictures(const fs::path& folder, int frames, int width, int height) {
    engine::io::SinkOptions o;
    o.output = folder;
    o.mode = engine::io::OutputMode::Pictures;
    o.picture_format = engine::io::PictureFormat::PNG;
    o.picture_bit_depth = 8;
    o.width = width;
    o.height = height;
    o.frame_rate = {25, 1};
    o.time_base = {1, 25};
    o.expected_frames = frames;
    o.overwrite = true;
    return write_frames(o, frames);
}

engine::Result<std::vector<Frame>> decode_all(const fs::path& input, SampleType type) {
    engine::io::SourceOptions so;
    so.input = input;
    so.sequence_fps = {25, 1};
    so.preferred_type = type;
    auto source = engine::io::open_source(so);
    if (!source.ok()) {
        return source.error();
    }
    std::vector<Frame> frames;
    while (true) {
        auto next = (*source)->next();
        if (!next.ok()) {
            return next.error();
        }
        if (!next->has_value()) {
            break;
        }
        Frame f = std::move(**next);
        if (f.type != type) {
            f = engine::from_float(engine::to_float(f), type, type == SampleType::U8 ? 8 : 16);
        }
        frames.push_back(std::move(f));
    }
    return frames;
}

std::vector<Frame> bicubic_reference(const std::vector<Frame>& input, int scale) {
    std::vector<Frame> out;
    for (const Frame& f : input) {
        engine::imaging::ResizeOptions options;
        options.filter = engine::imaging::ResizeFilter::Bicubic;
        auto r = engine::imaging::resize(f, f.width * scale, f.height * scale, options);
        Frame g = std::move(r).value();
        if (g.type != SampleType::U8) {
            g = engine::from_float(engine::to_float(g), SampleType::U8, 8);
        }
        out.push_back(std::move(g));
    }
    return out;
}

std::string compare_frames(const std::vector<Frame>& a, const std::vector<Frame>& b) {
    if (a.size() != b.size()) {
        return "frame counts differ: " + std::to_string(a.size()) + " vs " +
               std::to_string(b.size());
    }
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (a[i].width != b[i].width || a[i].height != b[i].height || a[i].type != b[i].type) {
            return "frame " + std::to_string(i) + " differs in size or type";
        }
        for (std::size_t k = 0; k < a[i].data.size(); ++k) {
            if (a[i].data[k] != b[i].data[k]) {
                return "frame " + std::to_string(i) + " differs at byte " + std::to_string(k);
            }
        }
    }
    return {};
}

}  // namespace jobs_test
