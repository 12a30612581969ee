#include "ui/bridge/frame_image.h"

#include <algorithm>
#include <cstring>

namespace ui {

QImage frameToImage(const engine::Frame& frame) {
    if (frame.width <= 0 || frame.height <= 0 ||
        frame.data.size() < frame.sample_count() * engine::bytes_per_sample(frame.type)) {
        return {};
    }
    QImage image(frame.width, frame.height, QImage::Format_RGB888);
    const std::size_t rowSamples = static_cast<std::size_t>(frame.width) * 3;
    for (int y = 0; y < frame.height; ++y) {
        uchar* dst = image.scanLine(y);
        const std::size_t offset = static_cast<std::size_t>(y) * rowSamples;
        switch (frame.type) {
            case engine::SampleType::U8:
                std::memcpy(dst, frame.samples<std::uint8_t>() + offset, rowSamples);
                break;
            case engine::SampleType::U16: {
                const std::uint16_t* src = frame.samples<std::uint16_t>() + offset;
                for (std::size_t i = 0; i < rowSamples; ++i) {
                    // Rounded 65535 -> 255 scaling (x * 255 / 65535 == (x + 128) / 257 rounded).
                    dst[i] = static_cast<uchar>((src[i] + 128u) / 257u);
                }
                break;
            }
            case engine::SampleType::F32: {
                const float* src = frame.samples<float>() + offset;
                for (std::size_t i = 0; i < rowSamples; ++i) {
                    const float v = std::clamp(src[i], 0.0f, 1.0f);
                    dst[i] = static_cast<uchar>(v * 255.0f + 0.5f);
                }
                break;
            }
        }
    }
    return image;
}

engine::Frame imageToFrame(const QImage& image) {
    engine::Frame frame;
    if (image.isNull()) {
        return frame;
    }
    const QImage rgb = image.convertToFormat(QImage::Format_RGB888);
    frame.allocate(rgb.width(), rgb.height(), engine::SampleType::U8);
    frame.bit_depth = 8;
    const std::size_t rowBytes = static_cast<std::size_t>(rgb.width()) * 3;
    for (int y = 0; y < rgb.height(); ++y) {
        std::memcpy(frame.data.data() + static_cast<std::size_t>(y) * rowBytes,
                    rgb.constScanLine(y), rowBytes);
    }
    return frame;
}

}  // namespace ui
