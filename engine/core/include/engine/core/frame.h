#pragma once
// Frames as they travel between media I/O, the classic scalers and the pipeline.
// Always RGB, interleaved, top row first, no padding between rows. Alpha is not carried.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <vector>

namespace engine {

enum class SampleType : std::uint8_t {
    U8,   // 0..255
    U16,  // 0..65535 full scale, whatever the source bit depth (bit_depth says how many were real)
    F32,  // nominal 0..1; linear HDR values may exceed 1
};

std::size_t bytes_per_sample(SampleType type);

// Rational number, as FFmpeg's AVRational (num/den); {0,1} means unknown.
struct Rational {
    int num = 0;
    int den = 1;
    double to_double() const { return den != 0 ? static_cast<double>(num) / den : 0.0; }
    bool valid() const { return num > 0 && den > 0; }
    friend bool operator==(Rational a, Rational b) { return a.num == b.num && a.den == b.den; }
};

// Colour description, values as in ITU-T H.273 (the numbering FFmpeg's AVCOL_* use).
struct ColorInfo {
    int primaries = 2;  // 1 BT.709, 9 BT.2020, 2 unspecified
    int transfer = 2;   // 1 BT.709, 16 PQ (SMPTE 2084), 18 HLG, 8 linear, 13 sRGB
    int matrix = 2;     // 1 BT.709, 5/6 BT.601, 9 BT.2020 NCL, 0 RGB
    int range = 0;      // 0 unspecified, 1 limited (MPEG/TV), 2 full (JPEG/PC)

    bool is_pq() const { return transfer == 16; }
    bool is_hlg() const { return transfer == 18; }
    friend bool operator==(const ColorInfo& a, const ColorInfo& b) {
        return a.primaries == b.primaries && a.transfer == b.transfer && a.matrix == b.matrix &&
               a.range == b.range;
    }
};

// HDR10 static metadata (SMPTE ST 2086 mastering display + CTA-861.3 content light level).
// Chromaticities in units of 1/50000, luminance in units of 1/10000 cd/m^2, as in HEVC SEI.
struct MasteringDisplay {
    int primaries_x[3] = {0, 0, 0};  // R, G, B
    int primaries_y[3] = {0, 0, 0};
    int white_x = 0;
    int white_y = 0;
    std::int64_t max_luminance = 0;
    std::int64_t min_luminance = 0;
    friend bool operator==(const MasteringDisplay& a, const MasteringDisplay& b);
};
struct ContentLight {
    int max_cll = 0;   // cd/m^2
    int max_fall = 0;  // cd/m^2
    friend bool operator==(const ContentLight& a, const ContentLight& b) {
        return a.max_cll == b.max_cll && a.max_fall == b.max_fall;
    }
};
struct HdrMetadata {
    std::optional<MasteringDisplay> mastering;
    std::optional<ContentLight> content_light;
    bool empty() const { return !mastering && !content_light; }
};

struct Frame {
    int width = 0;
    int height = 0;
    SampleType type = SampleType::U8;
    int bit_depth = 8;     // significant bits of the source (8, 10, 12, 16; 32 for float)
    std::int64_t pts = 0;  // presentation time in time_base units (VFR preserved)
    Rational time_base{1, 1};
    std::int64_t index = 0;          // 0-based decode order index in the source
    std::vector<std::uint8_t> data;  // width*height*3 samples of `type`

    std::size_t sample_count() const {
        return static_cast<std::size_t>(width) * static_cast<std::size_t>(height) * 3;
    }
    void allocate(int w, int h, SampleType t);
    template <typename T>
    T* samples() {
        return reinterpret_cast<T*>(data.data());
    }
    template <typename T>
    const T* samples() const {
        return reinterpret_cast<const T*>(data.data());
    }
    // Sample at (x, y, channel) as float in nominal 0..1.
    float value(int x, int y, int c) const;
};

// Converts any frame to F32 (0..1 nominal) / back. U16 <-> float uses 65535 full scale.
// from_float: each sample is quantize_unit(v, 255 or 65535).
Frame to_float(const Frame& frame);
Frame from_float(const Frame& frame, SampleType type, int bit_depth);

// lround(clamp(v, 0, 1) * scale) in float32 (scale 255 or 65535), bit for bit, written so that
// loops over samples vectorise (GCC keeps float selects and std::floor, a libm call on baseline
// x86-64, out of vector loops): the clamp on the bit pattern (non-negative floats order like
// their bits; negative values and NaN give 0), the integer part by truncation, plus one where
// the fraction (exact in float32 below 2^23) is at least one half. Inline: the pipeline's
// conversions use it too.
inline std::uint32_t quantize_unit(float v, float scale) {
    constexpr std::int32_t kOneBits = 0x3f800000;  // 1.0F
    constexpr std::int32_t kInfBits = 0x7f800000;  // +inf; above it: NaN
    std::int32_t bits = 0;
    std::memcpy(&bits, &v, sizeof bits);
    const std::int32_t zero = (bits > kInfBits) | (bits < 0);
    bits = std::min(bits, kOneBits) & (zero - 1);
    float clamped = 0.0F;
    std::memcpy(&clamped, &bits, sizeof clamped);
    const float x = clamped * scale;
    const auto whole = static_cast<std::int32_t>(x);
    return static_cast<std::uint32_t>(whole + (x - static_cast<float>(whole) >= 0.5F));
}

}  // namespace engine
