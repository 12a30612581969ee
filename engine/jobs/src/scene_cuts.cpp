#include "engine/jobs/scene_cuts.h"

#include "engine/core/paths.h"
#include "engine/io/media.h"

#include <algorithm>
#include <cmath>

namespace engine::jobs {

namespace {

// Sample value scaled to [0, 1] (F32 clamped: HDR highlights share the top bin).
double unit_sample(const Frame& frame, std::size_t i) {
    switch (frame.type) {
        case SampleType::U8:
            return frame.samples<std::uint8_t>()[i] / 255.0;
        case SampleType::U16:
            return frame.samples<std::uint16_t>()[i] / 65535.0;
        case SampleType::F32:
            return std::clamp(double(frame.samples<float>()[i]), 0.0, 1.0);
    }
    return 0.0;
}

}  // namespace

double SceneCutDetector::push(const Frame& frame) {
    std::array<double, kSceneHistogramBins> histogram{};
    const int block = std::max(1, (frame.width + kSceneThumbnailWidth - 1) / kSceneThumbnailWidth);
    int cells = 0;
    for (int by = 0; by < frame.height; by += block) {
        for (int bx = 0; bx < frame.width; bx += block) {
            double sum = 0.0;
            int count = 0;
            for (int y = by; y < std::min(frame.height, by + block); ++y) {
                for (int x = bx; x < std::min(frame.width, bx + block); ++x) {
                    const std::size_t i = (std::size_t(y) * frame.width + x) * 3;
                    sum += 0.2126 * unit_sample(frame, i) + 0.7152 * unit_sample(frame, i + 1) +
                           0.0722 * unit_sample(frame, i + 2);
                    ++count;
                }
            }
            const double luma = sum / count;
            const int bin = std::min(kSceneHistogramBins - 1, int(luma * kSceneHistogramBins));
            histogram[static_cast<std::size_t>(bin)] += 1.0;
            ++cells;
        }
    }
    for (double& h : histogram) {
        h /= std::max(1, cells);
    }
    double score = 0.0;
    if (m_has_previous) {
        for (std::size_t b = 0; b < histogram.size(); ++b) {
            score += std::abs(histogram[b] - m_previous[b]);
        }
        score = std::min(1.0, score * 0.5);  // rounding may push disjoint histograms past 1
    }
    m_previous = histogram;
    m_has_previous = true;
    m_last_score = score;
    return score;
}

Result<std::vector<std::int64_t>> detect_scene_cuts(
    const JobSpec& spec,
    std::int64_t first,
    std::int64_t end,
    const CancelToken& cancel,
    const std::function<void(std::int64_t frames_done)>& on_frame) {
    std::vector<std::int64_t> cuts;
    if (end - first < 2) {
        return cuts;
    }
    io::SourceOptions so;
    so.input = spec.input;
    if (spec.input_fps) {
        so.sequence_fps = *spec.input_fps;
    }
    so.first_frame = first;
    so.max_frames = end - first;
    so.preferred_type = SampleType::U8;  // 8 bits are plenty for a 32-bin histogram
    auto opened = io::open_source(so);
    if (!opened.ok()) {
        return opened.error();
    }
    SceneCutDetector detector(spec.segments.scene_cut_threshold);
    std::int64_t index = first;
    while (index < end) {
        if (cancel.is_cancelled()) {
            return Error(ErrorCode::Cancelled, "the job was cancelled");
        }
        auto next = (*opened)->next();
        if (!next.ok()) {
            return next.error();
        }
        if (!next->has_value()) {
            return Error(ErrorCode::FileTruncated, "the input ended at frame " +
                                                       std::to_string(index) +
                                                       " while looking for scene cuts")
                .with("path", path_string(spec.input));
        }
        detector.push(**next);
        if (index > first && detector.is_cut()) {
            cuts.push_back(index);
        }
        ++index;
        if (on_frame) {
            on_frame(index - first);
        }
    }
    return cuts;
}

}  // namespace engine::jobs
