#pragma once
// Command-line options of `flashvsr`. Names follow the original FlashVSR scripts
// (infer_video.py / infer_video_distributed.py): underscores, booleans as True/False.

#include "engine/core/result.h"
#include "engine/io/media.h"
#include "engine/pipeline/upscaler.h"

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace cli {

enum class Command { Upscale, Devices, Probe, Help, Version };
enum class Upscaler { FlashVSR, Bicubic, Lanczos };
enum class HdrMode { Auto, Sdr, ToneMapping };
enum class ToneMapping { Reinhard, Logarithmic, Aces };

struct Options {
    Command command = Command::Upscale;
    std::filesystem::path input;
    std::filesystem::path output;  // empty: <input stem>_<scale>x.<ext> beside the input
    int scale = 4;
    engine::io::OutputMode output_mode = engine::io::OutputMode::Video;
    std::string output_format;  // video: mkv/mp4/mov; pictures: png/dpx/exr
    int output_bit_depth = 0;   // 0: choose from the source (8 or 10 for video, 8/16 for PNG)
    std::optional<engine::Rational> input_fps;   // image-sequence rate
    std::optional<engine::Rational> output_fps;  // override the source rate
    std::int64_t max_frames = -1;
    engine::io::VideoCodec codec = engine::io::VideoCodec::H264;
    bool codec_given = false;
    std::optional<int> crf;
    engine::io::QualityPreset quality = engine::io::QualityPreset::High;
    bool hardware_encoder = true;
    engine::io::ExrCompression exr_compression = engine::io::ExrCompression::ZIP;
    bool overwrite = false;
    bool copy_streams = true;
    Upscaler upscaler = Upscaler::FlashVSR;
    bool upscaler_given = false;
    // HDR
    HdrMode hdr_mode = HdrMode::Auto;
    ToneMapping tone_mapping = ToneMapping::Logarithmic;
    double tone_mapping_exposure = 1.0;
    std::optional<double> global_l_max;
    // Model (FlashVSR)
    engine::pipeline::UpscalerConfig model;
    bool model_dir_given = false;
    // Output
    bool quiet = false;
    int threads = 0;  // 0: all cores
};

// Parses argv. Returns InvalidArgument errors whose detail names the option and the accepted
// values.
engine::Result<Options> parse_options(int argc, const char* const* argv);

std::string usage_text();

// Parses "24", "23.976", "30000/1001".
std::optional<engine::Rational> parse_rate(const std::string& text);

}  // namespace cli
