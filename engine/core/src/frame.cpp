#include "engine/core/frame.h"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace engine {

std::size_t bytes_per_sample(SampleType type) {
    switch (type) {
        case SampleType::U8:
            return 1;
        case SampleType::U16:
            return 2;
        case SampleType::F32:
            return 4;
    }
    return 1;
}

bool operator==(const MasteringDisplay& a, const MasteringDisplay& b) {
    for (int i = 0; i < 3; ++i) {
        if (a.primaries_x[i] != b.primaries_x[i] || a.primaries_y[i] != b.primaries_y[i]) {
            return false;
        }
    }
    return a.white_x == b.white_x && a.white_y == b.white_y && a.max_luminance == b.max_luminance &&
           a.min_luminance == b.min_luminance;
}

void Frame::allocate(int w, int h, SampleType t) {
    width = w;
    height = h;
    type = t;
    data.assign(sample_count() * bytes_per_sample(t), 0);
}

float Frame::value(int x, int y, int c) const {
    std::size_t i = (static_cast<std::size_t>(y) * static_cast<std::size_t>(width) +
                     static_cast<std::size_t>(x)) *
                        3 +
                    static_cast<std::size_t>(c);
    switch (type) {
        case SampleType::U8:
            return static_cast<float>(samples<std::uint8_t>()[i]) / 255.0f;
        case SampleType::U16:
            return static_cast<float>(samples<std::uint16_t>()[i]) / 65535.0f;
        case SampleType::F32:
            return samples<float>()[i];
    }
    return 0.0f;
}

Frame to_float(const Frame& frame) {
    Frame out;
    out.width = frame.width;
    out.height = frame.height;
    out.bit_depth = frame.bit_depth;
    out.pts = frame.pts;
    out.time_base = frame.time_base;
    out.index = frame.index;
    out.allocate(frame.width, frame.height, SampleType::F32);
    float* dst = out.samples<float>();
    const std::size_t n = frame.sample_count();
    switch (frame.type) {
        case SampleType::U8: {
            const auto* src = frame.samples<std::uint8_t>();
            for (std::size_t i = 0; i < n; ++i) {
                dst[i] = static_cast<float>(src[i]) / 255.0f;
            }
            break;
        }
        case SampleType::U16: {
            const auto* src = frame.samples<std::uint16_t>();
            for (std::size_t i = 0; i < n; ++i) {
                dst[i] = static_cast<float>(src[i]) / 65535.0f;
            }
            break;
        }
        case SampleType::F32:
            std::memcpy(dst, frame.data.data(), n * sizeof(float));
            break;
    }
    return out;
}

Frame from_float(const Frame& frame, SampleType type, int bit_depth) {
    Frame out;
    out.width = frame.width;
    out.height = frame.height;
    out.bit_depth = bit_depth;
    out.pts = frame.pts;
    out.time_base = frame.time_base;
    out.index = frame.index;
    out.allocate(frame.width, frame.height, type);
    const float* src = frame.samples<float>();
    const std::size_t n = frame.sample_count();
    switch (type) {
        case SampleType::U8: {
            auto* dst = out.samples<std::uint8_t>();
            for (std::size_t i = 0; i < n; ++i) {
                dst[i] = static_cast<std::uint8_t>(quantize_unit(src[i], 255.0F));
            }
            break;
        }
        case SampleType::U16: {
            auto* dst = out.samples<std::uint16_t>();
            for (std::size_t i = 0; i < n; ++i) {
                dst[i] = static_cast<std::uint16_t>(quantize_unit(src[i], 65535.0F));
            }
            break;
        }
        case SampleType::F32:
            std::memcpy(out.data.data(), src, n * sizeof(float));
            break;
    }
    return out;
}

}  // namespace engine
