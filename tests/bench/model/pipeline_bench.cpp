// flashvsr-bench-pipeline: times the streaming pipeline (projector, DiT, decoder, colour fix) per
// chunk on random weights. Not a test: it prints numbers.
//   flashvsr-bench-pipeline [--device cpu|cuda[:N]] [--config tiny|full] [--width W] [--height H]
//                           [--chunks N] [--precision fp32|bf16|fp16]
//                           [--channels-last 0|1] [--cudnn-benchmark 0|1] [--profile TRACE.json]
//                           [--alloc_conf default|none] [--projector-conv native|gemm|stacked]
//                           [--decoder-subpixel 0|1] [--decoder-narrow 0|1] [--decoder-split 0|1]
// --decoder-subpixel 0|1, --decoder-narrow 0|1: the TCDecoder's sub-pixel upsampling and its
// tensor-core output conv; --decoder-split 0|1: MemBlocks without the concatenated input
// (tc_decoder.h; all default on with channels-last CUDA);
// --channels-last: TCDecoder and LQ projector convolution layout (default: 1 on CUDA, as the
// loaders set it);
// --projector-conv: LQ projector 3-D convolutions (LqProjector ConvImpl): cuDNN/ATen conv3d,
// im2col + GEMM, or stacked temporal taps + one conv2d (default: gemm for channels-last CUDA, as
// the module picks, else native); the older --projector-gemm 0|1 means native|gemm;
// --cudnn-benchmark: cuDNN autotuning of convolution algorithms (default: 1 on CUDA, as
// load_models sets it);
// --profile: writes a Chrome trace (LibTorch's Kineto profiler, CPU ops + CUDA kernels) of the
// steady chunks (chunk 0 of the timed run is left out); summarise it with
// scripts/gpu/trace_summary.py.
// The warm-up runs as many chunks as the timed run, so every tensor size has been allocated once
// and the timed chunks see the caching allocator as a long video does (a shorter warm-up leaves
// cudaMalloc calls of the growing KV cache inside the timed chunks). Long runs (--chunks 126 =
// 1,001 frames) print the throughput and GPU memory of each quarter, to show both stay flat.
// Defaults: CPU -> tiny config (golden shrunk sizes) at 384x256, fp32; CUDA -> full 1.3B config
// at 1408x768, bf16. Chunk 0 (21 frames) is timed separately; steady chunks (8 frames) give fps.

#include "bench/bench_memory.h"
#include "bench/bench_profile.h"
#include "engine/pipeline/flashvsr_stream.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>

namespace {

using Clock = std::chrono::steady_clock;
namespace model = engine::model;

}  // namespace

int main(int argc, char** argv) {
    auto args = bench::arguments(argc, argv);
    const torch::Device device(args.count("--device") ? args["--device"] : "cpu");
    const bool full = args.count("--config") ? args["--config"] == "full" : device.is_cuda();
    const std::int64_t width =
        args.count("--width") ? std::stoll(args["--width"]) : (full ? 1408 : 384);
    const std::int64_t height =
        args.count("--height") ? std::stoll(args["--height"]) : (full ? 768 : 256);
    const int chunks = args.count("--chunks") ? std::stoi(args["--chunks"]) : 4;
    const std::string precision =
        args.count("--precision") ? args["--precision"] : (device.is_cuda() ? "bf16" : "fp32");
    const auto dtype = precision == "bf16"   ? torch::kBFloat16
                       : precision == "fp16" ? torch::kHalf
                                             : torch::kFloat;
    if (width % 128 != 0 || height % 128 != 0 || chunks < 2) {
        std::fprintf(stderr, "width/height must be multiples of 128 and chunks >= 2\n");
        return 2;
    }
    torch::manual_seed(0);
    torch::NoGradGuard no_grad;

    auto dit_config = model::wan::WanConfig::wan21_1_3b();
    auto proj_config = model::lq_proj::LqProjectorConfig::flashvsr();
    model::tc_decoder::TCDecoderConfig tc_config;
    if (!full) {
        dit_config.dim = 256;
        dit_config.num_heads = 2;
        dit_config.num_layers = 2;
        dit_config.ffn_dim = 512;
        dit_config.text_dim = 64;
        proj_config.hidden_dim1 = 16;
        proj_config.hidden_dim2 = 24;
        proj_config.out_dim = 256;
        tc_config.channels = {32, 16, 16, 16};
    }
    engine::pipeline::FlashVsrModels models;
    models.device = device;
    models.dtype = dtype;
    models.dit = model::wan::WanModel(dit_config);
    models.dit->to(device, dtype);
    models.lq_proj = model::lq_proj::LqProjector(proj_config);
    models.lq_proj->to(device, dtype);
    models.tc_decoder = model::tc_decoder::TCDecoder(tc_config);
    models.tc_decoder->to(device, dtype);
    const bool channels_last =
        args.count("--channels-last") ? args["--channels-last"] == "1" : device.is_cuda();
    models.tc_decoder->set_channels_last(channels_last);
    models.lq_proj->set_channels_last(channels_last);
    if (args.count("--decoder-subpixel")) {
        models.tc_decoder->set_fast_upsampling(args["--decoder-subpixel"] == "1");
    }
    if (args.count("--decoder-narrow")) {
        models.tc_decoder->set_narrow_output_conv(args["--decoder-narrow"] == "1");
    }
    if (args.count("--decoder-split")) {
        models.tc_decoder->set_split_memory_input(args["--decoder-split"] == "1");
    }
    if (args.count("--projector-gemm")) {
        args["--projector-conv"] = args["--projector-gemm"] == "0" ? "native" : "gemm";
    }
    if (args.count("--projector-conv")) {
        const std::map<std::string, model::lq_proj::ConvImpl> impls = {
            {"native", model::lq_proj::ConvImpl::Native},
            {"gemm", model::lq_proj::ConvImpl::Gemm},
            {"stacked", model::lq_proj::ConvImpl::Stacked2d}};
        const auto impl = impls.find(args["--projector-conv"]);
        if (impl == impls.end()) {
            std::fprintf(stderr, "--projector-conv must be native, gemm or stacked\n");
            return 2;
        }
        models.lq_proj->set_conv_impl(impl->second);
    }
    const auto projector_conv = models.lq_proj->conv_impl_for(device);
    const bool cudnn_benchmark =
        args.count("--cudnn-benchmark") ? args["--cudnn-benchmark"] == "1" : device.is_cuda();
    at::globalContext().setBenchmarkCuDNN(cudnn_benchmark);
    models.prompt = torch::randn({1, 512, dit_config.text_dim}).to(device, dtype);

    engine::pipeline::StreamSettings settings;
    auto stream = engine::pipeline::FlashVsrStream::create(models, settings, height, width);
    if (!stream) {
        std::fprintf(stderr, "%s\n", stream.error().to_string().c_str());
        return 1;
    }
    std::printf(
        "FlashVSR pipeline bench: %s %s, %s config (dim %lld, %lld layers), %lldx%lld, "
        "topk %lld, decoder %s%s%s%s, cudnn benchmark %s, projector conv %s\n",
        device.str().c_str(), precision.c_str(), full ? "full" : "tiny",
        static_cast<long long>(dit_config.dim), static_cast<long long>(dit_config.num_layers),
        static_cast<long long>(width), static_cast<long long>(height),
        static_cast<long long>((*stream)->sparse_params().topk),
        channels_last ? (models.tc_decoder->fused_convolutions() ? "channels-last, fused conv"
                                                                 : "channels-last")
                      : "NCHW",
        models.tc_decoder->fast_upsampling() ? ", sub-pixel upsampling" : "",
        models.tc_decoder->narrow_output_conv() ? ", narrow output conv" : "",
        models.tc_decoder->split_memory_input() ? ", split MemBlock input" : "",
        cudnn_benchmark ? "on" : "off",
        projector_conv == model::lq_proj::ConvImpl::Native ? "native"
        : projector_conv == model::lq_proj::ConvImpl::Gemm ? "gemm"
                                                           : "stacked");

    const auto options = torch::TensorOptions().dtype(dtype).device(device);
    // Stage times: CUDA events on the stream (no synchronisation inside a chunk, so the stage
    // split does not slow the chunk it measures); host clocks after a sync on the CPU.
    std::map<std::string, double> stage_ms;
    bench::StageTimer stages(device);
    // Peak allocated memory per stage (chunk 0 apart): the allocator's peak since the last mark
    // (host-side bookkeeping: no synchronisation needed), then reset; the run's peaks are the
    // maxima of these.
    std::map<std::string, double> stage_peak_gib;
    double peak_allocated_gib = 0.0;
    double peak_reserved_gib = 0.0;
    int current_chunk = 0;
    const auto note_peak = [&](const std::string& stage) {
        if (!device.is_cuda()) {
            return;
        }
        const auto memory = bench::gpu_memory(device);
        auto& peak = stage_peak_gib[(current_chunk == 0 ? "chunk 0 " : "") + stage];
        peak = std::max(peak, memory.peak_allocated_gib);
        peak_allocated_gib = std::max(peak_allocated_gib, memory.peak_allocated_gib);
        peak_reserved_gib = std::max(peak_reserved_gib, memory.peak_reserved_gib);
        bench::reset_gpu_peak(device);
    };
    engine::pipeline::StageObserver observer = [&](const std::string& name, const torch::Tensor&) {
        const auto dot = name.find('.');
        const auto stage = name.substr(0, dot);
        if (stage == "mask" || stage == "text" || stage == "time" || stage == "latents") {
            return;  // inside a timed stage
        }
        stages.mark(stage);
        note_peak(stage);
    };
    const std::string trace = args.count("--profile") ? args["--profile"] : "";
    const int quarter = std::max(1, (chunks - 1) / 4);
    const auto run = [&](int repeat_chunks, bool timed) {
        (*stream)->reset();
        double steady_ms = 0.0;
        double quarter_ms = 0.0;
        for (int k = 0; k < repeat_chunks; ++k) {
            current_chunk = k;
            if (timed && k == 1 && !trace.empty()) {
                bench::start_profiler(device);
            }
            const auto span = engine::pipeline::chunk_span(k);
            auto lq =
                torch::rand({1, 3, span.lq_end - span.lq_begin, height, width}, options) * 2 - 1;
            auto cond = lq.slice(2, 0, span.output_end - span.output_begin);
            auto noise = torch::randn(
                {1, 16, span.latent_end - span.latent_begin, height / 8, width / 8}, options);
            bench::synchronize(device);
            const auto t0 = Clock::now();
            stages.start();
            (*stream)->run_chunk(lq, cond, noise,
                                 timed ? observer : engine::pipeline::StageObserver{});
            bench::synchronize(device);
            const double ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
            stages.add_to(stage_ms);
            if (timed) {
                if (chunks <= 12) {
                    std::printf("chunk %d: %.1f ms (%lld frames)\n", k, ms,
                                static_cast<long long>(span.output_end - span.output_begin));
                }
                if (k > 0) {
                    steady_ms += ms;
                    quarter_ms += ms;
                }
                if (chunks > 12 && k > 0 && k % quarter == 0) {
                    std::printf(
                        "chunks %d-%d: %.2f fps, GPU allocated now %.2f GiB, peak %.2f "
                        "GiB\n",
                        k - quarter + 1, k, 8.0 * quarter * 1000.0 / quarter_ms,
                        bench::gpu_memory(device).allocated_gib,
                        bench::gpu_memory(device).peak_allocated_gib);
                    quarter_ms = 0.0;
                }
            }
        }
        return steady_ms;
    };
    run(std::min(chunks, 8), false);  // warm-up: every KV-cache size once (full after chunk 3)
    bench::reset_gpu_peak(device);
    stage_ms.clear();
    const double steady_ms = run(chunks, true);
    if (!trace.empty()) {
        bench::save_profile(trace);
    }
    const double frames = 8.0 * (chunks - 1);
    std::printf("stages (all chunks): ");
    for (const auto& [stage, ms] : stage_ms) {
        std::printf("%s %.1f ms  ", stage.c_str(), ms);
    }
    std::printf("\nsteady state: %.2f fps (%.1f ms per 8-frame chunk)\n",
                frames * 1000.0 / steady_ms, steady_ms / (chunks - 1));
    std::printf("peak host RSS: %.0f MiB\n", bench::peak_rss_mib());
    if (device.is_cuda()) {
        const auto memory = bench::gpu_memory(device);
        std::printf("peak GPU memory: %.2f GiB allocated, %.2f GiB reserved\n",
                    std::max(peak_allocated_gib, memory.peak_allocated_gib),
                    std::max(peak_reserved_gib, memory.peak_reserved_gib));
        std::printf("peak allocated by stage:");
        for (const auto& [stage, gib] : stage_peak_gib) {
            std::printf("  %s %.2f", stage.c_str(), gib);
        }
        std::printf(" GiB\n");
    }
    return 0;
}
