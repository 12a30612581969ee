#pragma once
// Helpers for the decoder and colour-fix golden tests (golden/README.md §4, §5, §8): the LQ video
// built from the stored uint8 clip, the 8x8 pooled and cropped views the golden files store, and
// the max-abs / relative-L2 comparison with the float32 port limits.

#include "engine/model/checkpoint/state_dict.h"
#include "engine/torch.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <iostream>
#include <string>
#include <utility>

namespace fvsr_test {

inline std::filesystem::path golden_dir() {
    return std::filesystem::path(FVSR_SHARED_DIR) / "golden";
}

inline engine::model::StateDict load_golden(const std::string& relative) {
    auto dict = engine::model::load_state_dict(golden_dir() / relative);
    if (!dict.ok()) {
        ADD_FAILURE() << "cannot load " << relative << ": " << dict.error().to_string();
        return {};
    }
    return std::move(dict.value());
}

// LQ_video of the golden recipe: u8/255 -> bicubic (a = -0.75, align_corners = false) x4 in
// float32 -> x*2-1 (no clamp) -> [1, 3, F, H, W].
inline torch::Tensor golden_lq_video(const engine::model::StateDict& inputs, int scale = 4) {
    const auto& u8 = inputs.at("lr_frames_u8");  // [F, h, w, 3]
    auto x = u8.to(torch::kFloat32).div(255).permute({0, 3, 1, 2}).contiguous();
    namespace F = torch::nn::functional;
    x = F::interpolate(x, F::InterpolateFuncOptions()
                              .size(std::vector<std::int64_t>{x.size(2) * scale, x.size(3) * scale})
                              .mode(torch::kBicubic)
                              .align_corners(false));
    return x.mul(2).sub(1).permute({1, 0, 2, 3}).unsqueeze(0).contiguous();
}

// Mean of every 8x8 block per frame, in float64: [1, 3, T, H, W] -> [1, 3, T, H/8, W/8].
inline torch::Tensor pool8(const torch::Tensor& video) {
    const auto s = video.sizes();
    return video.to(torch::kFloat64)
        .reshape({s[0], s[1], s[2], s[3] / 8, 8, s[4] / 8, 8})
        .mean({4, 6});
}

// Bottom-right 128x128 pixels of the given frames: [1, 3, n, 128, 128].
inline torch::Tensor crop128(const torch::Tensor& video, const torch::Tensor& frame_indices) {
    const auto h = video.size(3), w = video.size(4);
    return video.index_select(2, frame_indices.to(torch::kLong))
        .narrow(3, h - 128, 128)
        .narrow(4, w - 128, 128);
}

struct Diff {
    double max_abs = 0;
    double rel_l2 = 0;
};

// rel L2 = |a - b| / |a| with a the golden tensor.
inline Diff compare(const torch::Tensor& golden, const torch::Tensor& ours) {
    auto a = golden.to(torch::kFloat64);
    auto b = ours.to(torch::kFloat64).to(a.device());
    auto d = b - a;
    return {d.abs().max().item<double>(), d.norm().item<double>() / a.norm().item<double>()};
}

// Float32 port limits of golden/README.md §8 for `decoded` and `output`.
constexpr double kMaxAbs = 5e-4;
constexpr double kRelL2 = 5e-5;

inline void expect_close(const std::string& what,
                         const torch::Tensor& golden,
                         const torch::Tensor& ours) {
    ASSERT_EQ(golden.sizes(), ours.sizes()) << what;
    const auto diff = compare(golden, ours);
    std::cout << "[golden] " << what << ": max abs " << diff.max_abs << ", rel L2 " << diff.rel_l2
              << "\n";
    EXPECT_LE(diff.max_abs, kMaxAbs) << what;
    EXPECT_LE(diff.rel_l2, kRelL2) << what;
}

// Checks the decoded (or colour-fixed) video [1, 3, T, H, W] against `<prefix>.pool8` and
// `<prefix>.crop` of a stages file.
inline void expect_matches_stage(const engine::model::StateDict& stages,
                                 const std::string& prefix,
                                 const torch::Tensor& video) {
    expect_close(prefix + ".pool8", stages.at(prefix + ".pool8"), pool8(video));
    expect_close(prefix + ".crop", stages.at(prefix + ".crop"),
                 crop128(video, stages.at(prefix + ".crop_frames")));
}

}  // namespace fvsr_test
