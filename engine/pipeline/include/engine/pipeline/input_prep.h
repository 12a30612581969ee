#pragma once
// Input preparation (spec §3.1): LQ frames -> bicubic x scale -> model range [-1, 1] -> padded to
// multiples of 128 by replicating the right column / bottom row. The pipeline crops its output
// back to exactly scale x input, so the padding never shows.

#include "engine/core/frame.h"
#include "engine/pipeline/upscaler.h"
#include "engine/torch.h"

#include <cstdint>
#include <vector>

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

// A rectangle of the model input in output pixels (scale x input); it may reach past the output
// frame (a tile's 128-padded extent), where it reads the replicated last row / column.
struct LqRegion {
    std::int64_t y = 0;  // multiples of the scale, inside the output frame
    std::int64_t x = 0;
    std::int64_t rows = 0;
    std::int64_t cols = 0;
};

// The region of prepare_lq_frames() of each frame, computed from a crop of the source, so a tile
// of a large frame costs about what the tile costs. Equal to cropping prepare_lq_frames() (bit
// for bit) for both resamplers and every scale; rows / columns past the output frame replicate
// its edge as the 128-padding does. PilBicubic computes only the region's samples, from the
// source pixels their taps read. TorchBicubic resamples a source crop that ends 3 pixels (the
// taps' reach) past the region's source rectangle and keeps the region; for a power-of-two scale
// the crop also starts 3 pixels before it. For other scales it starts at the frame's origin
// (torch's float32 source positions float(1/scale) * (o + 0.5) round differently when o counts
// from another origin), so a tile costs the frame up to its bottom-right corner, one frame at a
// time.
// frames: T source frames [h, w, 3] or [1, h, w, 3] (geometry.input size, types as
// prepare_lq_frames, any device; the same tensor may repeat). TorchBicubic resamples on
// `device`, PilBicubic on the CPU, both in float32. Returns [T, 3, rows, cols] contiguous on
// `device`, converted once to `dtype` (the run dtype: the float32 values rounded as
// prepare_lq_frames(...).to(device, dtype) rounds them).
torch::Tensor prepare_lq_region(const std::vector<torch::Tensor>& frames,
                                const LqGeometry& geometry,
                                LqResample resample,
                                const LqRegion& region,
                                const torch::Device& device,
                                torch::ScalarType dtype = torch::kFloat);

// One engine Frame (any SampleType, geometry.input size) as a [1, h, w, 3] tensor: uint8 frames
// stay uint8, U16 becomes float32 / 65535, F32 is copied.
torch::Tensor frame_to_tensor(const Frame& frame);

}  // namespace engine::pipeline
