// flashvsr-bench-kernels: block-sparse attention and mask selection on the production shapes
// (bf16, 12 heads, head dim 128), against dense at::scaled_dot_product_attention and a masked
// dense reference path. Prints one table; numbers only, no pass/fail (speed targets never live in
// timed tests).
//
//   flashvsr-bench-kernels            all shapes, 20 timed runs each (about 2 minutes on an H100)
//   flashvsr-bench-kernels --quick    768x1408 steady state only, 5 runs (under a minute)
//
// Masks are real selections: select_blocks() on the same random q/k viewed as windows with the
// production topk, so the selected fraction is what FlashVSR selects on near-uniform scores
// (steady 768x1408: 7919 of 66*264 per group = 45 %; 1024x1920: 14399 of 120*480 = 25 %).
// Achieved TFLOP/s count 4 * 128 * 128 * 128 FLOP per selected (query block, key block) pair
// (two matmuls); dense counts 4 * Lq * Lk * 128 * H. "of dense" = our TFLOP/s / dense TFLOP/s.
// "ours" is the kernel the engine gets (the automatic choice, named above the table: wgmma on
// compute capability 9.0); "mma" is the mma.sync kernel on the same inputs.

#include "engine/torch.h"
#include "kernels/torch/narrow_conv.h"
#include "kernels/torch/sparse_attention.h"

#include <c10/cuda/CUDAStream.h>
#include <cuda_runtime_api.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace {

struct Shape {
    const char* name;
    int64_t grid_h, grid_w;  // spatial window grid (S = grid_h * grid_w)
    int64_t q_temporal, k_temporal;
    int64_t topk;
};

void check(cudaError_t err, const char* what) {
    if (err != cudaSuccess) {
        std::fprintf(stderr, "CUDA error in %s: %s\n", what, cudaGetErrorString(err));
        std::exit(1);
    }
}

// Median milliseconds of `body` on the current stream, after warm-up runs.
double time_ms(const std::function<void()>& body, int iterations) {
    const cudaStream_t stream = c10::cuda::getCurrentCUDAStream().stream();
    for (int i = 0; i < 2; ++i) {
        body();
    }
    cudaEvent_t start, stop;
    check(cudaEventCreate(&start), "cudaEventCreate");
    check(cudaEventCreate(&stop), "cudaEventCreate");
    std::vector<float> times;
    for (int i = 0; i < iterations; ++i) {
        check(cudaEventRecord(start, stream), "cudaEventRecord");
        body();
        check(cudaEventRecord(stop, stream), "cudaEventRecord");
        check(cudaEventSynchronize(stop), "cudaEventSynchronize");
        float ms = 0;
        check(cudaEventElapsedTime(&ms, start, stop), "cudaEventElapsedTime");
        times.push_back(ms);
    }
    cudaEventDestroy(start);
    cudaEventDestroy(stop);
    std::sort(times.begin(), times.end());
    return times[times.size() / 2];
}

// Per-head dense SDPA with the block mask expanded to tokens: the exact "reference masked path"
// of spec §4.5 (rows without any block give NaN there; timing only).
torch::Tensor masked_reference(const torch::Tensor& q,
                               const torch::Tensor& k,
                               const torch::Tensor& v,
                               const torch::Tensor& mask) {
#if FVSR_TORCH_AT_LEAST(2, 0)
    const int64_t heads = q.size(2);
    auto out = torch::empty_like(q);
    for (int64_t h = 0; h < heads; ++h) {
        const auto qh = q.select(2, h).unsqueeze(1);  // [B, 1, Lq, 128]
        const auto kh = k.select(2, h).unsqueeze(1);
        const auto vh = v.select(2, h).unsqueeze(1);
        const auto m = mask.select(1, h)
                           .repeat_interleave(128, 1)
                           .narrow(1, 0, q.size(1))
                           .repeat_interleave(128, 2)
                           .narrow(2, 0, k.size(1))
                           .unsqueeze(1);  // [B, 1, Lq, Lk]
        out.select(2, h).copy_(at::scaled_dot_product_attention(qh, kh, vh, m).squeeze(1));
    }
    return out;
#else
    return torch::Tensor();
#endif
}

}  // namespace

int main(int argc, char** argv) {
    bool quick = false;
    for (int i = 1; i < argc; ++i) {
        if (std::strcmp(argv[i], "--quick") == 0) {
            quick = true;
        } else {
            std::printf("usage: %s [--quick]\n", argv[0]);
            return 2;
        }
    }
    if (!at::hasCUDA()) {
        std::printf("flashvsr-bench-kernels: NO CUDA DEVICE, nothing to measure\n");
        return 1;
    }
    cudaDeviceProp prop{};
    check(cudaGetDeviceProperties(&prop, 0), "cudaGetDeviceProperties");
    std::printf("device: %s (sm_%d%d, %d SMs), torch %s, %s\n", prop.name, prop.major, prop.minor,
                prop.multiProcessorCount, TORCH_VERSION, quick ? "quick" : "full");

    std::vector<Shape> shapes = {{"768x1408 steady", 6, 11, 1, 4, 7919}};
    if (!quick) {
        shapes.push_back({"768x1408 chunk0", 6, 11, 3, 3, 7919});
        shapes.push_back({"1024x1920 steady", 8, 15, 1, 4, 14399});
        shapes.push_back({"1024x1920 chunk0", 8, 15, 3, 3, 14399});
    }
    const int iterations = quick ? 5 : 20;
    const int64_t heads = 12;
    const double scale = 1.0 / std::sqrt(128.0);
    torch::NoGradGuard no_grad;
    torch::manual_seed(0);

    std::printf("\n%-18s %6s %6s %5s | %9s %8s | %9s %8s %7s | %9s %8s | %10s | %9s %7s\n", "shape",
                "Lq/128", "Lk/128", "sel", "ours ms", "TFLOP/s", "dense ms", "TFLOP/s", "of dense",
                "mma ms", "TFLOP/s", "masked ms", "select ms", "% attn");
    for (const auto& s : shapes) {
        const int64_t windows = s.grid_h * s.grid_w;
        const int64_t nq = windows * s.q_temporal, nk = windows * s.k_temporal;
        const int64_t q_len = nq * 128, k_len = nk * 128;
        const auto opts = torch::TensorOptions().device(torch::kCUDA).dtype(torch::kBFloat16);
        const auto q = torch::randn({1, q_len, heads, 128}, opts);
        const auto k = torch::randn({1, k_len, heads, 128}, opts);
        const auto v = torch::randn({1, k_len, heads, 128}, opts);
        const auto q_windows = q.view({nq, 128, heads * 128});
        const auto k_windows = k.view({nk, 128, heads * 128});

        torch::Tensor mask;
        const double select_ms = time_ms(
            [&] {
                mask = kernels::torch_api::select_blocks(q_windows, k_windows, heads, s.grid_h,
                                                         s.grid_w, 11, s.topk);
            },
            iterations);
        const int64_t pairs = mask.sum().item<int64_t>();
        const double selected = static_cast<double>(pairs) / static_cast<double>(heads * nq * nk);

        if (&s == &shapes.front()) {
            std::printf("ours = %s; mma = the mma.sync kernel\n",
                        kernels::torch_api::attention_kernel_description(q, k, v).c_str());
        }
        torch::Tensor out;
        const double mma_ms = time_ms(
            [&] {
                out = kernels::torch_api::block_sparse_attention(
                    q, k, v, mask, scale, kernels::torch_api::AttentionImpl::kMmaSync);
            },
            iterations);
        const double mma_tflops =
            4.0 * 128 * 128 * 128 * static_cast<double>(pairs) / (mma_ms * 1e9);
        const double ours_ms =
            time_ms([&] { out = kernels::torch_api::block_sparse_attention(q, k, v, mask, scale); },
                    iterations);
        const double ours_tflops =
            4.0 * 128 * 128 * 128 * static_cast<double>(pairs) / (ours_ms * 1e9);

        double dense_ms = NAN, dense_tflops = NAN, masked_ms = NAN;
#if FVSR_TORCH_AT_LEAST(2, 0)
        const auto qt = q.transpose(1, 2), kt = k.transpose(1, 2), vt = v.transpose(1, 2);
        dense_ms = time_ms([&] { (void)at::scaled_dot_product_attention(qt, kt, vt); }, iterations);
        dense_tflops = 4.0 * static_cast<double>(q_len) * static_cast<double>(k_len) * 128 *
                       static_cast<double>(heads) / (dense_ms * 1e9);
        if (!quick) {
            masked_ms = time_ms([&] { (void)masked_reference(q, k, v, mask); }, 3);
        }
#endif
        std::printf(
            "%-18s %6lld %6lld %5.2f | %9.3f %8.1f | %9.3f %8.1f %7.1f%% | %9.3f %8.1f | %10.2f | "
            "%9.3f %6.1f%%\n",
            s.name, static_cast<long long>(nq), static_cast<long long>(nk), selected, ours_ms,
            ours_tflops, dense_ms, dense_tflops, 100.0 * ours_tflops / dense_tflops, mma_ms,
            mma_tflops, masked_ms, select_ms, 100.0 * select_ms / ours_ms);
        std::fflush(stdout);
    }
    std::printf(
        "\nTargets (H100): 768x1408 steady at ~45%% < 1.4 ms; 1024x1920 at 25%% < 2.5 ms; "
        ">= 85%% of dense TFLOP/s per selected block.\n");

    // The TCDecoder's last layer (128 -> 3 channels, 3x3) on one frame: narrow_conv3x3 against
    // cuDNN's Conv2d (with bias, channels-last input); GB/s counts reading the input once.
    std::printf("\n%-18s | %9s %8s | %9s %8s\n", "decoder conv 128->3", "ours ms", "GB/s",
                "cuDNN ms", "GB/s");
    for (const auto& [height, width] : {std::pair<int64_t, int64_t>{768, 1408}, {1024, 1920}}) {
        const auto opts = torch::TensorOptions().device(torch::kCUDA).dtype(torch::kBFloat16);
        const auto x =
            torch::randn({1, 128, height, width}, opts).contiguous(at::MemoryFormat::ChannelsLast);
        const auto w =
            torch::randn({3, 128, 3, 3}, opts).contiguous(at::MemoryFormat::ChannelsLast);
        const auto b = torch::randn({3}, opts);
        const auto packed = kernels::torch_api::narrow_conv_pack_weights(w);
        auto out = torch::empty({1, 3, height, width}, opts);
        const double ours_ms =
            time_ms([&] { kernels::torch_api::narrow_conv3x3_out(out, x, packed, b); }, iterations);
        const double cudnn_ms = time_ms([&] { (void)torch::conv2d(x, w, b, 1, 1); }, iterations);
        const double gb = static_cast<double>(x.numel()) * 2 / 1e9;
        const std::string name = std::to_string(width) + "x" + std::to_string(height);
        std::printf("%-18s | %9.3f %8.0f | %9.3f %8.0f\n", name.c_str(), ours_ms,
                    gb / ours_ms * 1e3, cudnn_ms, gb / cudnn_ms * 1e3);
    }
    return 0;
}
