#pragma once
// Conversions between engine frames (RGB, interleaved, U8/U16/F32) and QImage (RGB888) for
// display. Display only: 16-bit and float frames are rounded to 8 bits, float values are
// clamped to [0, 1] (HDR transfer functions are shown as encoded). Threads: any.

#include "engine/core/frame.h"

#include <QImage>

namespace ui {

// A QImage::Format_RGB888 copy of the frame; a null image for an empty frame.
QImage frameToImage(const engine::Frame& frame);
// A U8 frame with the image's pixels (converted to RGB888 first; alpha dropped).
engine::Frame imageToFrame(const QImage& image);

}  // namespace ui
