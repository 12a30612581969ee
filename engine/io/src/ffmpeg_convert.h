#pragma once
// Pixel conversion between decoded/encoded AVFrames and engine Frames (interleaved RGB, U8 or
// U16), through libswscale with the colour matrix and range set explicitly, plus the display-
// matrix orientation (rotation and flips) applied to RGB pixels.

#include "ffmpeg_util.h"

#include <cstdint>

namespace engine::io::ffmpeg {

// How a decoded picture must be turned to be displayed: output (X, Y) takes the source pixel
// (x0 + X*dx_dX + Y*dx_dY, y0 + X*dy_dX + Y*dy_dY). Identity by default.
struct Orientation {
    int rotation_degrees = 0;  // clockwise quarter turns, for reporting
    bool flipped = false;      // mirrored in addition to the rotation
    int dx_dX = 1, dx_dY = 0, dy_dX = 0, dy_dY = 1;

    bool identity() const { return dx_dX == 1 && dx_dY == 0 && dy_dX == 0 && dy_dY == 1; }
    bool swaps_axes() const { return dx_dX == 0; }
};

// Interprets an FFmpeg display matrix (nine int32, 16.16 / 2.30 fixed point) as one of the eight
// right-angle orientations; a non-right-angle rotation snaps to the nearest quarter turn.
Orientation orientation_from_display_matrix(const std::int32_t matrix[9]);

// Applies `orientation` to an RGB frame (any sample type); width and height swap for 90/270.
Frame apply_orientation(const Frame& frame, const Orientation& orientation);

// Colour interpretation of a decoded YUV picture. Unspecified tags are resolved by the caller.
struct YuvInterpretation {
    int matrix = AVCOL_SPC_BT709;
    bool full_range = false;
};

// Decoded picture -> RGB Frame. Re-creates its scaler when the input format, size or colour
// interpretation changes; scales to (width, height) when the stream changes size mid-way.
class RgbConverter {
  public:
    // Fills frame.data/width/height/type (U8 -> rgb24, U16 -> rgb48, F32 via either).
    void convert(const AVFrame& picture,
                 const YuvInterpretation& colour,
                 int width,
                 int height,
                 SampleType type,
                 Frame* out);

  private:
    SwsPtr m_sws;
    int m_in_format = -1;
    int m_in_width = 0;
    int m_in_height = 0;
    int m_out_width = 0;
    int m_out_height = 0;
    int m_out_format = -1;
    YuvInterpretation m_colour;
    Frame m_wide;  // rgb24/rgb48 scratch for F32 output
};

// RGB Frame -> encoder picture (`picture` allocated by the caller with format/width/height).
class YuvConverter {
  public:
    // `matrix`/`full_range` describe the encoder side when it is YUV; ignored for RGB formats.
    void convert(const Frame& frame, int matrix, bool full_range, AVFrame* picture);

  private:
    SwsPtr m_sws;
    int m_in_format = -1;
    int m_out_format = -1;
    int m_width = 0;
    int m_height = 0;
    Frame m_scratch;  // U16 copy of F32 input
};

}  // namespace engine::io::ffmpeg
