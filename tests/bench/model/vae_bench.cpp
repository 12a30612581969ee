// flashvsr-bench-vae: times the Wan VAE decoder of full mode (WanVaeStreamDecoder) on random
// weights at the real size, chunk by chunk as the pipeline calls it (6 latent frames -> 21 output
// frames, then 2 -> 8). Not a test: it prints numbers.
//   flashvsr-bench-vae [--device cpu|cuda[:N]] [--width W] [--height H] [--chunks N]
//                      [--precision fp32|bf16|fp16] [--channels-last 0|1] [--tiled 0|1]
//                      [--profile TRACE.json]
// --channels-last: activation layout (default: the decoder's own choice, channels-last on CUDA);
// --tiled: spec §2.6 latent tiles (60x104, stride 30x52); --profile: a Kineto trace of the
// steady chunks (scripts/gpu/trace_summary.py). Defaults: 1408x768 bf16 on CUDA, 176x96 fp32 on
// the CPU. The warm-up runs as many chunks as the timed run.

#include "bench/bench_memory.h"
#include "bench/bench_profile.h"
#include "engine/model/vae/wan_vae_decoder.h"

#include <chrono>
#include <cstdio>
#include <string>

namespace {

using Clock = std::chrono::steady_clock;
namespace vae = engine::model::vae;

}  // namespace

int main(int argc, char** argv) {
    auto args = bench::arguments(argc, argv);
    const auto value = [&](const char* key, const std::string& fallback) {
        return args.count(key) ? args[key] : fallback;
    };
    const torch::Device device(value("--device", "cpu"));
    const auto width = std::stoll(value("--width", device.is_cuda() ? "1408" : "176"));
    const auto height = std::stoll(value("--height", device.is_cuda() ? "768" : "96"));
    const int chunks = std::stoi(value("--chunks", "4"));
    const auto precision = value("--precision", device.is_cuda() ? "bf16" : "fp32");
    const auto dtype = precision == "bf16"   ? torch::kBFloat16
                       : precision == "fp16" ? torch::kHalf
                                             : torch::kFloat;
    const bool tiled = value("--tiled", "0") == "1";
    const std::string trace = value("--profile", "");
    if (width % 8 != 0 || height % 8 != 0 || chunks < 2) {
        std::fprintf(stderr, "width and height must be multiples of 8, chunks >= 2\n");
        return 2;
    }
    torch::NoGradGuard no_grad;
    if (device.is_cuda()) {
        at::globalContext().setBenchmarkCuDNN(true);  // as load_models sets it
    }
    torch::manual_seed(0);
    vae::WanVaeDecoder model{vae::WanVaeConfig{}};
    model->to(device, dtype);
    model->eval();
    if (args.count("--channels-last")) {
        model->set_channels_last(args["--channels-last"] == "1");
    }
    vae::WanVaeStreamOptions options;
    if (tiled) {
        options.tiling = vae::VaeTiling{};
    }
    vae::WanVaeStreamDecoder decoder(model, height / 8, width / 8, options);
    const auto latent_options = torch::TensorOptions().dtype(dtype).device(device);
    const auto run = [&](bool timed) {
        decoder.reset();
        double steady_ms = 0.0;
        for (int k = 0; k < chunks; ++k) {
            if (timed && k == 1 && !trace.empty()) {
                bench::start_profiler(device);
            }
            auto latents =
                torch::randn({1, 16, k == 0 ? 6 : 2, height / 8, width / 8}, latent_options);
            bench::synchronize(device);
            const auto t0 = Clock::now();
            auto frames = decoder.decode(latents);
            bench::synchronize(device);
            const double ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
            if (timed) {
                std::printf("chunk %d: %.1f ms (%lld frames)\n", k, ms,
                            static_cast<long long>(frames.size(2)));
                steady_ms += k > 0 ? ms : 0.0;
            }
        }
        return steady_ms;
    };
    run(false);
    bench::reset_gpu_peak(device);
    const double steady_ms = run(true);
    if (!trace.empty()) {
        bench::save_profile(trace);
    }
    const double frames = 8.0 * (chunks - 1);
    std::printf("VAE decode %lldx%lld %s%s: %.2f fps (%.1f ms per 8-frame chunk)\n",
                static_cast<long long>(width), static_cast<long long>(height), precision.c_str(),
                tiled ? " tiled" : "", frames * 1000.0 / steady_ms, steady_ms / (chunks - 1));
    if (device.is_cuda()) {
        const auto memory = bench::gpu_memory(device);
        std::printf("peak GPU memory: %.2f GiB allocated, %.2f GiB reserved\n",
                    memory.peak_allocated_gib, memory.peak_reserved_gib);
    }
    return 0;
}
