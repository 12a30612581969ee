#pragma once
// Input preparation (spec §3.1): LQ frames -> bicubic x scale -> model range [-1, 1] -> padded to
// multiples of 128 by replicating the right column / bottom row. The pipeline crops its output
// back to exactly scale x input, so the padding never shows.

#include "engine/core/frame.h"
#include "engine/pipeline/upscaler.h"
#include "engine/torch.h"

#include <cstdint>

namespace engine::pipeline {

struct LqGeometry {
    std::int64_t input_width = 0;
    std::int64_t input_height = 0;
    std::int64_t scale = 4;
    std::int64_t output_width = 0;  // scale x input
    std::int64_t output_height = 0;
    std::int64_t padded_width = 0;  // output rounded up to a multiple of 128
    std::int64_t padded_height = 0;
};

LqGeometry lq_geometry(std::int64_t input_width, std::int64_t input_height, std::int64_t scale);

// frames: [T, h, w, 3] RGB, uint8 (0..255) or float (0..1 nominal), on the CPU.
// TorchBicubic: x = u8 / 255 in float32 (float input as is), F.interpolate(bicubic,
// align_corners=False, a = -0.75) in float32, x*2-1 without clamp (UF/CY and the golden data).
// PilBicubic: PIL's uint8 bicubic (a = -0.5, 22-bit fixed point, rounded and clamped to uint8 after
// each pass; float input is first quantised to uint8), then x/255*2-1 (official scripts).
// Returns [T, 3, padded_height, padded_width] float32 on the CPU.
torch::Tensor prepare_lq_frames(const torch::Tensor& frames,
                                const LqGeometry& geometry,
                                LqResample resample = LqResample::TorchBicubic);

// One engine Frame (any SampleType, geometry.input size) as a [1, h, w, 3] tensor: uint8 frames
// stay uint8, U16 becomes float32 / 65535, F32 is copied.
torch::Tensor frame_to_tensor(const Frame& frame);

}  // namespace engine::pipeline
