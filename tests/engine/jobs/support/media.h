#pragma once
// Test media made through the engine's own sinks, and decoding helpers for comparisons.

#include "engine/core/frame.h"
#include "engine/core/result.h"

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace jobs_test {

// A deterministic RGB frame: gradients that move with `index`, so every frame differs.
engine::Frame pattern_frame(int width, int height, std::int64_t index, engine::SampleType type);

// A frame of synthetic shot `shot`: smooth waves and a square drifting with `index` (camera-like
// motion, same tones all shot long), in a tone range that differs from shot to shot.
engine::Frame shot_frame(int width, int height, std::int64_t index, int shot);

// Writes `frames` shot frames as FFV1/MKV (8-bit, 25 fps); a new shot starts at every frame
// index listed in `cuts` (sorted).
engine::Status write_test_video_with_cuts(const std::filesystem::path& path,
                                          int frames,
                                          const std::vector<std::int64_t>& cuts,
                                          int width = 64,
                                          int height = 48);

// Writes `frames` pattern frames as FFV1/MKV (lossless), 8-bit, 25 fps.
engine::Status write_test_video(const std::filesystem::path& path,
                                int frames,
                                int width = 64,
                                int height = 48);
// Writes `frames` pattern frames as numbered 8-bit PNGs into `folder`.
engine::Status write_test_pictures(const std::filesystem::path& folder,
                                   int frames,
                                   int width = 64,
                                   int height = 48);

// Every frame of a video file or picture folder, as U8 (or the file's U16 when `type` says so).
engine::Result<std::vector<engine::Frame>> decode_all(
    const std::filesystem::path& input,
    engine::SampleType type = engine::SampleType::U8);

// The output an unsegmented bicubic x`scale` run must give, frame by frame, as U8.
std::vector<engine::Frame> bicubic_reference(const std::vector<engine::Frame>& input, int scale);

// "frame 3 differs at byte 17" or empty when equal (data, size and type).
std::string compare_frames(const std::vector<engine::Frame>& a,
                           const std::vector<engine::Frame>& b);

}  // namespace jobs_test
