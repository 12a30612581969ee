#include "engine/jobs/planner.h"

#include "engine/core/log.h"
#include "engine/gpu/device_info.h"
#include "engine/jobs/identity.h"
#include "engine/pipeline/tile_plan.h"
#include "engine/pipeline/upscaler.h"
#include "json_values.h"
#include "output_layout.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <numeric>
#include <optional>
#include <set>
#include <sstream>
#include <thread>
#include <unistd.h>
#include <vector>

namespace engine::jobs {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

std::uint64_t meminfo_bytes(const std::string& key) {
    std::ifstream in("/proc/meminfo");
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind(key + ":", 0) == 0) {
            std::istringstream fields(line.substr(key.size() + 1));
            std::uint64_t kib = 0;
            fields >> kib;
            return kib * 1024;
        }
    }
    return 0;
}

// Resident set of this process now (not the peak: calibration needs the current value).
std::uint64_t current_rss_bytes() {
    std::ifstream in("/proc/self/statm");
    std::uint64_t pages_total = 0;
    std::uint64_t pages_resident = 0;
    in >> pages_total >> pages_resident;
    return pages_resident * static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE));
}

std::int64_t ceil_to(std::int64_t value, std::int64_t multiple) {
    return (value + multiple - 1) / multiple * multiple;
}

int floor_to_step(int value) {
    return value / kTileStep * kTileStep;
}

// Bytes of one element in the run dtype (Auto: bf16 on CUDA, fp32 on the CPU).
int run_dtype_bytes(const JobSpec& spec, bool cuda) {
    switch (spec.model.precision) {
        case ModelPrecision::FP32:
            return 4;
        case ModelPrecision::FP16:
        case ModelPrecision::BF16:
            return 2;
        case ModelPrecision::Auto:
            break;
    }
    return cuda ? 2 : 4;
}

// DiT tokens of one latent frame for an input region of w x h: the output is padded to multiples
// of 128, latents are 1/8 of that, patches 2x2 latents.
double tokens_per_latent_frame(int width, int height, int scale) {
    const std::int64_t w = ceil_to(std::int64_t(width) * scale, 128);
    const std::int64_t h = ceil_to(std::int64_t(height) * scale, 128);
    return double(w / 16) * double(h / 16);
}

// Weights as the run loads them. Stored dtypes per spec §1.1 (DiT, TCDecoder, VAE fp32; LQ
// projector and prompt bf16); files missing from the folder count with their published sizes.
std::uint64_t weights_bytes(const JobSpec& spec, int run_bytes) {
    struct File {
        const char* name;
        double params;
        int stored_bytes;
        bool tiny;  // loaded in tiny / tiny-long mode
        bool full;  // loaded in full mode
    };
    static const File kFiles[] = {
        {"diffusion_pytorch_model_streaming_dmd.safetensors", 1418996800.0, 4, true, true},
        {"LQ_proj_in.ckpt", 287845888.0, 2, true, true},
        {"TCDecoder.ckpt", 45338371.0, 4, true, false},
        {"Wan2.1_VAE.pth", 126892531.0, 4, false, true},
        {"posi_prompt.pth", 2097152.0, 2, true, true},
    };
    const fs::path folder = resolve_model_dir(spec);
    const bool full = spec.model.mode == ModelMode::Full;
    double total = 0;
    for (const File& f : kFiles) {
        if (full ? !f.full : !f.tiny) {
            continue;
        }
        std::error_code ec;
        const auto size = fs::file_size(folder / f.name, ec);
        if (!ec) {
            total += double(size) * run_bytes / f.stored_bytes;
        } else {
            total += f.params * run_bytes;
        }
    }
    return static_cast<std::uint64_t>(total);
}

// The model's memory costs, from the constants or from a calibration.
struct CostModel {
    double weights = 0;          // bytes
    double state_per_token = 0;  // KV caches, per token of one latent frame
    double activation_per_token = 0;
    double parked_state_per_token = -1;  // host copy of a tile's state; -1: state_per_token
    double overhead = kAllocatorOverhead;
    double output_pixels_per_second = 0;
};

CostModel analytic_costs(const JobSpec& spec, const DeviceResources& device) {
    CostModel c;
    const int b = run_dtype_bytes(spec, device.is_cuda);
    c.weights = double(weights_bytes(spec, b));
    // (K, V) x 1536 channels x cached latent frames (2 per temporal window) x the KV pool's
    // temporal-window slots: 30 blocks x max(int(kv_ratio), 2) windows + one spare (spec §2.1.2,
    // engine/model/wan/README.md).
    const int windows = std::max(2, static_cast<int>(spec.model.kv_ratio));
    c.state_per_token = 2.0 * kDitWidth * b * 2.0 * (double(kDitBlocks) * windows + 1.0);
    c.activation_per_token = kActivationBytesPerTokenPerByte * b;
    c.output_pixels_per_second =
        device.is_cuda ? kCudaOutputPixelsPerSecond : kCpuOutputPixelsPerSecond;
    if (spec.model.mode == ModelMode::Full) {
        const bool tiled = spec.model.tiled_vae;
        c.activation_per_token *= tiled ? kTiledVaeActivationFactor : kFullModeActivationFactor;
        c.output_pixels_per_second *= tiled ? kTiledVaeSpeedFactor : kFullModeSpeedFactor;
    }
    return c;
}

struct Estimate {
    ResourcePrediction prediction;
    std::uint64_t model_bytes = 0;  // what must fit the budget (device memory, or host on CPU)
};

// Lossless chunks of the whole range in the work folder (video output; pictures go straight to
// their folder).
double chunk_disk_bytes(const JobSpec& spec, const InputProbe& input) {
    if (spec.output_settings.mode != io::OutputMode::Video) {
        return 0;
    }
    const int depth =
        spec.output_settings.bit_depth > 0 ? spec.output_settings.bit_depth : input.bit_depth;
    const double sample_bytes = depth > 8 ? 2.0 : 1.0;
    const double out_pixels = double(input.width) * input.height * spec.scale * spec.scale;
    return double(input.frames) * out_pixels * 3 * sample_bytes * kLosslessChunkRatio;
}

// Free disk where `folder` is or will be made (its nearest existing parent); 0 when unknown.
std::uint64_t free_disk_bytes(const fs::path& folder) {
    std::error_code ec;
    fs::path at = folder.empty() ? fs::current_path(ec) : fs::absolute(folder, ec);
    while (!at.empty() && !fs::exists(at, ec)) {
        if (at == at.parent_path()) {
            break;
        }
        at = at.parent_path();
    }
    const fs::space_info space = fs::space(at, ec);
    return ec ? 0 : static_cast<std::uint64_t>(space.available);
}

// Output area of all tiles over the frame's (>= 1 with overlaps, about 2x more with the shifted
// grid): how much more a tile-major scratch file holds than the frames themselves.
double tile_area_factor(int width, int height, const TileChoice& tiles, int scale) {
    if (!tiles.tiled || tiles.tile_size <= 0) {
        return 1.0;
    }
    pipeline::TileSettings settings;
    settings.enabled = true;
    settings.size = tiles.tile_size;
    settings.overlap = tiles.tile_overlap;
    settings.shift = tiles.shift;
    auto plan = pipeline::plan_tiles(width, height, scale, settings);
    if (!plan) {
        return 1.0;
    }
    double area = 0;
    for (const pipeline::TileRect& t : plan->tiles) {
        area += double(t.width()) * double(t.height());
    }
    return std::max(1.0, area / (double(width) * height));
}

// Per fed frame of a tile-major segment: host bytes (the source frame as the pipeline keeps it:
// 8-bit RGB as bytes; deeper sources and tone-mapped HDR as float32; the noise is not kept, the
// pipeline redraws it from saved generator states) and scratch bytes (float32 RGB output x the
// tiles' overlap factor, as engine::pipeline's tile_major_scratch_bytes_per_frame).
struct TileMajorFrameCosts {
    double host = 0;
    double scratch = 0;
};

TileMajorFrameCosts tile_major_frame_costs(const JobSpec& spec,
                                           const InputProbe& input,
                                           const TileChoice& tiles) {
    TileMajorFrameCosts c;
    const int scale = spec.scale;
    const bool floats = input.bit_depth > 8 || spec.hdr.mode == HdrMode::ToneMapping;
    c.host = double(input.width) * input.height * 3 * (floats ? 4 : 1);
    c.scratch = double(input.width) * input.height * scale * scale * 3 * 4 *
                tile_area_factor(input.width, input.height, tiles, scale);
    return c;
}

// `segment_frames`: the most frames one segment is fed (a tile-major run holds them all).
Estimate estimate(const JobSpec& spec,
                  const InputProbe& input,
                  const DeviceResources& device,
                  const TileChoice& tiles,
                  const CostModel& costs,
                  int workers,
                  std::int64_t segment_frames) {
    Estimate e;
    ResourcePrediction& p = e.prediction;
    const int scale = spec.scale;
    const double out_w = double(input.width) * scale;
    const double out_h = double(input.height) * scale;
    const double out_pixels = out_w * out_h;
    const double in_frame_bytes = double(input.width) * input.height * 3 * 2;  // U16 worst case
    const double out_frame_bytes = out_pixels * 3 * 4;                         // F32
    const bool model = spec.upscaler == UpscalerKind::FlashVSR;

    // Host: decode and encode queues (4 frames each) plus the processor's buffered frames (25 LQ
    // frames in, a 21-frame first chunk out for FlashVSR; one frame for classic scalers), per
    // worker running a segment.
    double host = double(kHostBaseBytes);
    const double per_worker =
        4 * in_frame_bytes + 4 * out_pixels * 3 * 2 +
        (model ? 25 * double(input.width) * input.height * 3 * 4 + 21 * out_frame_bytes
               : out_frame_bytes);
    host += per_worker * std::max(1, workers);

    double pixels_per_second = kClassicOutputPixelsPerSecond;
    double work_factor = 1.0;  // tiled: area processed / frame area
    if (model) {
        const int tiles_per_frame = count_tiles(input.width, input.height, tiles, scale);
        const int tile_w = tiles.tiled ? std::min(tiles.tile_size, input.width) : input.width;
        const int tile_h = tiles.tiled ? std::min(tiles.tile_size, input.height) : input.height;
        const double tokens = tokens_per_latent_frame(tile_w, tile_h, scale);
        const bool tile_major = tiles.tile_major(tiles_per_frame);
        const int resident = tiles.tiled && !tile_major
                                 ? std::max(1, std::min(tiles.batch_size, tiles_per_frame))
                                 : 1;
        p.weights_bytes = static_cast<std::uint64_t>(costs.weights);
        p.state_bytes = static_cast<std::uint64_t>(resident * tokens * costs.state_per_token);
        p.activation_bytes =
            static_cast<std::uint64_t>(resident * tokens * costs.activation_per_token);
        if (tile_major) {
            // No canvas and no parked states: the tile's blend-weighted output goes to the
            // scratch file. The host holds the segment's source frames and pinned
            // buffers for a chunk of the tile's output (float32 RGB, the 21-frame first chunk,
            // double-buffered).
            const TileMajorFrameCosts per_frame = tile_major_frame_costs(spec, input, tiles);
            const double frames = double(std::max<std::int64_t>(1, segment_frames));
            const double padded_tile = double(ceil_to(std::int64_t(tile_w) * scale, 128)) *
                                       double(ceil_to(std::int64_t(tile_h) * scale, 128));
            p.segment_frames_bytes = static_cast<std::uint64_t>(frames * per_frame.host);
            host +=
                (frames * per_frame.host + 2.0 * 21 * padded_tile * 3 * 4) * std::max(1, workers);
            p.scratch_disk_bytes =
                static_cast<std::uint64_t>(frames * per_frame.scratch * std::max(1, workers));
        } else if (tiles.tiled && tiles_per_frame > 1) {
            // float32 canvas (RGB) + weight (1 channel) for the frames of the largest chunk.
            p.canvas_bytes = static_cast<std::uint64_t>(21.0 * out_pixels * 4 * 4);
            // Tile states that are not resident wait in host memory.
            const double parked = costs.parked_state_per_token >= 0 ? costs.parked_state_per_token
                                                                    : costs.state_per_token;
            host += double(tiles_per_frame - resident) * tokens * parked;
        }
        const double model_bytes = (double(p.weights_bytes) + double(p.state_bytes) +
                                    double(p.activation_bytes) + double(p.canvas_bytes)) *
                                   costs.overhead;
        e.model_bytes = static_cast<std::uint64_t>(model_bytes);
        if (device.is_cuda) {
            p.peak_gpu_bytes = e.model_bytes;
        } else {
            host += model_bytes * std::max(1, workers);
        }
        pixels_per_second = costs.output_pixels_per_second;
        if (tiles.tiled && tiles_per_frame > 1) {
            const double padded_tile = double(ceil_to(std::int64_t(tile_w) * scale, 128)) *
                                       double(ceil_to(std::int64_t(tile_h) * scale, 128));
            work_factor = tiles_per_frame * padded_tile / out_pixels;
        }
    }
    p.peak_host_bytes = static_cast<std::uint64_t>(host);

    const double frames = double(input.frames);
    if (spec.output_settings.mode == io::OutputMode::Video) {
        p.temp_disk_bytes = static_cast<std::uint64_t>(chunk_disk_bytes(spec, input));
        p.assemble_seconds = frames * out_pixels / kAssembleOutputPixelsPerSecond;
    }
    p.temp_disk_bytes += p.scratch_disk_bytes;
    p.upscale_seconds =
        frames * out_pixels * work_factor / pixels_per_second / std::max(1, workers);
    return e;
}

// Synthetic calibration frames: smooth gradients with some texture, moving with the index.
Frame calibration_frame(int width, int height, int index) {
    Frame f;
    f.allocate(width, height, SampleType::U8);
    std::uint8_t* p = f.samples<std::uint8_t>();
    for (int y = 0; y < height; ++y) {
        for (int x = 0; x < width; ++x) {
            std::uint8_t* px = p + (std::size_t(y) * width + x) * 3;
            px[0] = static_cast<std::uint8_t>((x * 3 + index * 5) & 255);
            px[1] = static_cast<std::uint8_t>((y * 2 + index * 3) & 255);
            px[2] = static_cast<std::uint8_t>(((x * 7) ^ (y * 5)) & 255);
        }
    }
    f.index = index;
    f.pts = index;
    f.time_base = {1, 25};
    return f;
}

// Samples the device's memory in use (NVML on CUDA, RSS on the CPU) every few milliseconds.
class MemorySampler {
  public:
    explicit MemorySampler(const DeviceResources& device) : m_device(device) {
        m_peak = read();
        m_thread = std::thread([this] {
            while (!m_stop.load()) {
                const std::uint64_t now = read();
                std::uint64_t peak = m_peak.load();
                while (now > peak && !m_peak.compare_exchange_weak(peak, now)) {
                }
                std::this_thread::sleep_for(std::chrono::milliseconds(5));
            }
        });
    }
    ~MemorySampler() { stop(); }
    void stop() {
        m_stop = true;
        if (m_thread.joinable()) {
            m_thread.join();
        }
    }
    std::uint64_t read() const {
        if (!m_device.is_cuda) {
            return current_rss_bytes();
        }
        const gpu::DeviceQuery q = gpu::query_devices();
        for (const auto& d : q.devices) {
            if (d.index == m_device.gpu_index) {
                return d.memory_used_bytes;
            }
        }
        return 0;
    }
    std::uint64_t peak() const { return m_peak.load(); }
    // Restarts the peak from the current value.
    void reset_peak() { m_peak = read(); }

  private:
    DeviceResources m_device;
    std::atomic<std::uint64_t> m_peak{0};
    std::atomic<bool> m_stop{false};
    std::thread m_thread;
};

Result<Calibration> calibrate(const JobSpec& spec,
                              const InputProbe& input,
                              const DeviceResources& device,
                              const TileChoice& tiles,
                              const PlannerOptions& options) {
    Calibration cal;
    const int side = tiles.tiled ? tiles.tile_size : 256;
    cal.crop_width = std::min(input.width, side);
    cal.crop_height = std::min(input.height, side);
    cal.frames = std::max(1, options.calibration_frames);
    // The crop runs untiled, in SDR (the measurement needs no tone curve).
    JobSpec crop = apply_tiles(spec, TileChoice{});
    crop.hdr.mode = HdrMode::Sdr;
    ProcessorContext context;
    context.width = cal.crop_width;
    context.height = cal.crop_height;
    context.device = device.device;
    context.cancel = options.cancel;
    const ProcessorFactory& factory =
        options.processor_factory ? options.processor_factory : ProcessorFactory(make_processor);

    const auto started = std::chrono::steady_clock::now();
    MemorySampler sampler(device);
    const std::uint64_t baseline = sampler.read();
    cal.memory_measured = baseline > 0;  // NVML reports at least the CUDA context
    auto made = factory(crop, context);
    if (!made.ok()) {
        return made.error();
    }
    std::unique_ptr<FrameProcessor> processor = std::move(made).value();
    // On CUDA the caching allocator's own figures when this process can read them: what the run
    // holds of the card, without the CUDA context and loaded kernels that NVML also counts (a
    // 10 GiB budget is for the run; the card keeps its context beside it).
    const std::optional<pipeline::AllocatorBytes> allocator =
        device.is_cuda ? pipeline::allocator_bytes(device.device) : std::nullopt;
    if (allocator) {
        pipeline::reset_allocator_peak(device.device);
        cal.memory_measured = true;
    }
    const std::uint64_t loaded =
        allocator ? allocator->reserved : std::max(sampler.read(), baseline);
    sampler.reset_peak();
    using Clock = std::chrono::steady_clock;
    const auto run_started = Clock::now();
    std::vector<Frame> out;
    // The steady rate: frames that came out after the first ones, over the time since those
    // appeared (the first chunk's warm-up stays out).
    std::optional<Clock::time_point> first_out;
    std::size_t emitted = 0;
    std::size_t out_before_steady = 0;
    const auto note_output = [&] {
        emitted += out.size();
        out.clear();  // only counted: 41 output frames of a crop are half a GiB of host memory
        if (!first_out && emitted > 0) {
            first_out = Clock::now();
            out_before_steady = emitted;
        }
    };
    for (int i = 0; i < cal.frames; ++i) {
        if (options.cancel.is_cancelled()) {
            return Error(ErrorCode::Cancelled, "the calibration was cancelled");
        }
        if (auto st = processor->push(calibration_frame(cal.crop_width, cal.crop_height, i), out);
            !st.ok()) {
            return st.error();
        }
        note_output();
    }
    // The frames are all in: read once more, the sampler may not have caught the last pushes.
    const std::uint64_t after_pushes = sampler.read();
    // finish() may hand the frames out in slices: until a call appends nothing.
    for (;;) {
        if (auto st = processor->finish(out); !st.ok()) {
            return st.error();
        }
        if (out.empty()) {
            break;
        }
        note_output();
    }
    const auto run_ended = Clock::now();
    double run_seconds = std::chrono::duration<double>(run_ended - run_started).count();
    double run_frames = cal.frames;
    if (first_out && emitted >= out_before_steady + 8) {
        run_seconds = std::chrono::duration<double>(run_ended - *first_out).count();
        run_frames = static_cast<double>(emitted - out_before_steady);
    }
    sampler.stop();
    std::uint64_t peak = std::max({sampler.peak(), loaded, after_pushes});
    if (allocator) {
        const auto now = pipeline::allocator_bytes(device.device);
        peak = std::max(loaded, now ? now->peak_reserved : loaded);
    }
    processor.reset();

    const double tokens = tokens_per_latent_frame(cal.crop_width, cal.crop_height, spec.scale);
    cal.weights_bytes = allocator ? loaded : loaded - baseline;
    cal.bytes_per_token = double(peak - loaded) / tokens;
    const double out_pixels = double(cal.crop_width) * cal.crop_height * spec.scale * spec.scale;
    cal.seconds_per_output_pixel = run_seconds / (out_pixels * run_frames);
    cal.wall_ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started)
            .count();
    return cal;
}

int worker_count(const JobSpec& spec) {
    int count = 0;
    for (const auto& d : spec.devices) {
        if (d == "all") {
            count += static_cast<int>(gpu::query_devices().devices.size());
        } else {
            ++count;
        }
    }
    return std::max(1, count);
}

std::string gib(std::uint64_t bytes) {
    return gpu::format_bytes(bytes);
}

}  // namespace

bool TileChoice::tile_major(int tiles_per_frame) const {
    if (!tiled) {
        return false;
    }
    switch (order) {
        case ModelTileOrder::TileMajor:
            return true;
        case ModelTileOrder::FrameMajor:
            return false;
        case ModelTileOrder::Auto:
            break;
    }
    // An automatic batch (0) keeps every tile resident on the CPU and what free memory allows on
    // CUDA; the planner resolves it before it predicts, so it counts as resident here.
    return tiles_per_frame > 1 && batch_size > 0 && batch_size < tiles_per_frame;
}

bool TileChoice::same_pixels(const TileChoice& other) const {
    if (tiled != other.tiled) {
        return false;
    }
    return !tiled || (tile_size == other.tile_size && tile_overlap == other.tile_overlap &&
                      shift == other.shift);
}

std::string TileChoice::describe() const {
    if (!tiled) {
        return "untiled";
    }
    std::string s = "tiles " + std::to_string(tile_size) + "x" + std::to_string(tile_size) +
                    " (overlap " + std::to_string(tile_overlap) + (shift ? ", shifted grid)" : ")");
    if (order == ModelTileOrder::TileMajor) {
        return s + ", tile by tile";
    }
    s += ", batch ";
    s += batch_size > 0 ? std::to_string(batch_size) : std::string("auto");
    if (order == ModelTileOrder::FrameMajor) {
        s += ", frame by frame";
    }
    return s;
}

int count_tiles(int width, int height, const TileChoice& tiles, int scale) {
    if (!tiles.tiled || tiles.tile_size <= 0) {
        return 1;
    }
    // The pipeline's own grid (engine/pipeline/tile_plan.h, torch-free).
    pipeline::TileSettings settings;
    settings.enabled = true;
    settings.size = tiles.tile_size;
    settings.overlap = tiles.tile_overlap;
    settings.shift = tiles.shift;
    auto plan = pipeline::plan_tiles(width, height, scale, settings);
    return plan ? static_cast<int>(plan->tiles.size()) : 1;
}

TileChoice requested_tiles(const JobSpec& spec) {
    TileChoice t;
    t.tiled = spec.model.tiled_dit;
    t.tile_size = spec.model.tile_size;
    t.tile_overlap = spec.model.tile_overlap;
    t.shift = spec.model.tile_shift;
    t.batch_size = spec.model.tile_batch_size;
    t.order = spec.model.tile_order;
    return t;
}

JobSpec apply_tiles(JobSpec spec, const TileChoice& tiles) {
    spec.model.tiled_dit = tiles.tiled;
    if (tiles.tiled) {
        spec.model.tile_size = tiles.tile_size;
        spec.model.tile_overlap = tiles.tile_overlap;
        spec.model.tile_shift = tiles.shift;
        spec.model.tile_batch_size = tiles.batch_size;
        spec.model.tile_order = tiles.order;
    } else if (spec.model.tile_size == 0) {
        // Untiled: the size is unused, but 0 would ask the pipeline for "auto".
        spec.model.tile_size = 256;
    }
    return spec;
}

std::optional<TileChoice> smaller_tiles(const TileChoice& current, int width, int height) {
    TileChoice next = current;
    if (current.tiled && current.batch_size > 1 && current.order != ModelTileOrder::TileMajor) {
        next.batch_size = current.batch_size / 2;
        return next;
    }
    const int floor = std::max(kMinTileSize, floor_to_step(current.tile_overlap) + kTileStep);
    const int longer = std::max(width, height);
    const int from = current.tiled ? std::min(current.tile_size, longer) : longer;
    if (from <= floor) {
        return std::nullopt;
    }
    next.tiled = true;
    next.tile_size = std::max(floor, floor_to_step(from / 2));
    next.batch_size = 1;
    return next;
}

Result<DeviceResources> query_device_resources(const std::string& device) {
    DeviceResources r;
    r.host_total_bytes = meminfo_bytes("MemTotal");
    r.host_available_bytes = meminfo_bytes("MemAvailable");
    int index = -1;
    if (device == "cuda") {
        index = 0;
    } else if (device.rfind("cuda:", 0) == 0) {
        try {
            index = std::stoi(device.substr(5));
        } catch (const std::exception&) {
            return Error(ErrorCode::InvalidArgument, "device '" + device + "' is not cuda:N")
                .with("device", device);
        }
    } else if (device != "cpu" && device != "auto" && !device.empty()) {
        return Error(ErrorCode::InvalidArgument, "unknown device '" + device + "'")
            .with("device", device);
    }
    if (index >= 0 || device == "auto") {
        const gpu::DeviceQuery q = gpu::query_devices();
        for (const auto& d : q.devices) {
            if (index < 0 || d.index == index) {
                r.device = "cuda:" + std::to_string(d.index);
                r.name = d.name;
                r.is_cuda = true;
                r.gpu_index = d.index;
                r.memory_total_bytes = d.memory_total_bytes;
                r.memory_free_bytes = d.memory_free_bytes;
                return r;
            }
        }
        if (index >= 0) {
            return Error(ErrorCode::DeviceUnavailable,
                         "no CUDA device " + std::to_string(index) +
                             (q.driver_available ? "" : " (" + q.problem + ")"))
                .with("device", device);
        }
    }
    r.device = "cpu";
    r.name =
        "CPU (" + std::to_string(std::max(1u, std::thread::hardware_concurrency())) + " threads)";
    r.memory_total_bytes = r.host_total_bytes;
    r.memory_free_bytes = r.host_available_bytes;
    return r;
}

Result<InputProbe> probe_input(const JobSpec& spec) {
    auto probed = probe_source(spec, CancelToken());
    if (!probed.ok()) {
        return probed.error();
    }
    const std::int64_t total = probed->frames;
    const std::int64_t end = spec.end_frame < 0 ? total : std::min(spec.end_frame, total);
    if (spec.first_frame < 0 || spec.first_frame >= end) {
        return Error(ErrorCode::InvalidArgument,
                     "frame range [" + std::to_string(spec.first_frame) + ", " +
                         std::to_string(spec.end_frame) + ") is outside the input's " +
                         std::to_string(total) + " frames")
            .with("field", "first_frame")
            .with("frame_count", std::to_string(total));
    }
    InputProbe p;
    p.width = probed->info.width;
    p.height = probed->info.height;
    p.frames = end - spec.first_frame;
    p.fps = spec.output_settings.fps ? *spec.output_settings.fps : probed->info.frame_rate;
    p.bit_depth = probed->info.bit_depth;
    return p;
}

Result<JobPlan> plan_job(const JobSpec& spec,
                         const InputProbe& input,
                         const DeviceResources& device,
                         const PlannerOptions& options) {
    if (input.width < 1 || input.height < 1 || input.frames < 1) {
        return Error(ErrorCode::InvalidArgument, "the probed input is empty")
            .with("width", std::to_string(input.width))
            .with("height", std::to_string(input.height))
            .with("frames", std::to_string(input.frames));
    }
    if (spec.scale < 2 || spec.scale > 4) {
        return Error(ErrorCode::InvalidArgument, "scale must be 2, 3 or 4").with("field", "scale");
    }
    JobPlan plan;
    plan.device = device;
    plan.input = input;
    const bool model = spec.upscaler == UpscalerKind::FlashVSR;
    const TileChoice requested = requested_tiles(spec);
    plan.auto_tiles = model && requested.tile_size == 0;
    const int workers = worker_count(spec);
    const std::uint64_t free_bytes =
        device.is_cuda ? device.memory_free_bytes
                       : std::max(device.host_available_bytes, device.memory_free_bytes);
    plan.budget_bytes = spec.model.memory_budget > 0
                            ? static_cast<std::uint64_t>(spec.model.memory_budget)
                            : static_cast<std::uint64_t>(double(free_bytes) * kBudgetHeadroom);

    CostModel costs = analytic_costs(spec, device);
    if (device.is_cuda && workers <= 1) {
        costs.overhead = kExpandableAllocatorOverhead;
    }
    if (model && options.calibration == CalibrationMode::Measure) {
        TileChoice probe_tiles = requested;
        if (plan.auto_tiles) {
            probe_tiles.tiled = false;
        }
        auto cal = calibrate(spec, input, device, probe_tiles, options);
        if (!cal.ok()) {
            return cal.error();
        }
        plan.calibration = *cal;
        plan.basis = PredictionBasis::Calibrated;
        if (cal->memory_measured) {
            costs.weights = double(cal->weights_bytes);
            // Measured growth covers KV caches and activations together; the allocator's slack
            // is in the measurement already (NVML / RSS see reserved memory). Tile states that
            // wait on the host are counted with the analytic KV size.
            costs.parked_state_per_token = costs.state_per_token;
            costs.state_per_token = 0;
            costs.activation_per_token = cal->bytes_per_token;
            costs.overhead = 1.0;
        }
        costs.output_pixels_per_second = 1.0 / std::max(1e-12, cal->seconds_per_output_pixel);
    }

    // Tile-major runs hold their segment in host memory and on scratch disk: the segment length
    // is capped for them (the same cap for every candidate tiling's prediction and the runner).
    const SegmentSettings& segs = spec.segments;
    const std::int64_t asked_segment =
        segs.max_segment_frames > 0 ? segs.max_segment_frames : kMaxFramesPerRun;
    const std::int64_t longest_fed = std::min<std::int64_t>(
        asked_segment, input.frames + 2 * std::int64_t(segs.segment_overlap));
    const std::int64_t shortest_cap =
        std::int64_t(std::max(1, segs.min_segment_frames)) + 2 * std::int64_t(segs.segment_overlap);
    plan.work_folder_free_bytes = options.work_folder_free_bytes
                                      ? *options.work_folder_free_bytes
                                      : free_disk_bytes(checkpoint_dir_for(spec));
    const double chunks = chunk_disk_bytes(spec, input);
    auto segment_cap = [&](const TileChoice& t) {
        const TileMajorFrameCosts per_frame = tile_major_frame_costs(spec, input, t);
        const double host_cap = double(kTileMajorHostFramesBytes) / per_frame.host;
        const double disk_room =
            std::max(0.0, double(plan.work_folder_free_bytes) * kScratchDiskShare - chunks);
        const double disk_cap = disk_room / (per_frame.scratch * std::max(1, workers));
        const double cap = std::min({double(asked_segment), host_cap, disk_cap});
        return std::max(shortest_cap, static_cast<std::int64_t>(cap));
    };
    auto tile_major = [&](const TileChoice& t) {
        return model && t.tile_major(count_tiles(input.width, input.height, t, spec.scale));
    };
    auto estimate_of = [&](const TileChoice& t) {
        const std::int64_t fed =
            tile_major(t) ? std::min(longest_fed, segment_cap(t)) : longest_fed;
        return estimate(spec, input, device, t, costs, workers, fed);
    };
    auto fits = [&](const TileChoice& t, Estimate* out) {
        Estimate e = estimate_of(t);
        if (out != nullptr) {
            *out = e;
        }
        return e.model_bytes <= plan.budget_bytes &&
               (device.is_cuda || e.prediction.peak_host_bytes <= plan.budget_bytes);
    };
    // The largest frame-major batch (tiles resident at once) that fits, 1 at least.
    auto best_batch = [&](TileChoice t) {
        const int n = count_tiles(input.width, input.height, t, spec.scale);
        t.batch_size = 1;
        for (int b = n; b > 1; --b) {
            TileChoice candidate = t;
            candidate.batch_size = b;
            if (fits(candidate, nullptr)) {
                t.batch_size = b;
                break;
            }
        }
        return t;
    };
    // Resolves the order (and an automatic batch) of a tiling whose size is fixed. Auto: every
    // tile resident frame by frame when that fits (frames stream out, no scratch), else tile by
    // tile (one resident state, no parked ones); an explicit batch decides as the pipeline does.
    auto resolve = [&](TileChoice t) {
        const int n = count_tiles(input.width, input.height, t, spec.scale);
        if (!t.tiled) {
            t.batch_size = 1;
            return t;
        }
        if (t.order == ModelTileOrder::Auto) {
            if (t.batch_size > 0) {
                t.order =
                    t.batch_size >= n ? ModelTileOrder::FrameMajor : ModelTileOrder::TileMajor;
            } else {
                TileChoice all = t;
                all.order = ModelTileOrder::FrameMajor;
                all.batch_size = n;
                t.order = n <= 1 || fits(all, nullptr) ? ModelTileOrder::FrameMajor
                                                       : ModelTileOrder::TileMajor;
            }
        }
        if (t.order == ModelTileOrder::TileMajor) {
            t.batch_size = 1;
        } else if (t.batch_size == 0) {
            t = best_batch(t);
        }
        return t;
    };

    Estimate chosen;
    if (!model) {
        plan.tiles = TileChoice{};
        plan.fits = fits(plan.tiles, &chosen);
        plan.reason = std::string(upscaler_kind_name(spec.upscaler)) + " needs no model memory";
    } else if (!plan.auto_tiles) {
        plan.tiles = resolve(requested);
        plan.fits = fits(plan.tiles, &chosen);
        plan.reason = "tiles as set";
    } else {
        const int longer = std::max(input.width, input.height);
        TileChoice untiled = requested;
        untiled.tiled = false;
        untiled.tile_size = 0;
        untiled.batch_size = 1;
        if (fits(untiled, &chosen)) {
            plan.tiles = untiled;
            plan.reason = "the whole frame fits";
        } else {
            // Of the tile sizes that fit in an order the spec allows, the one with the least
            // predicted upscaling time (tiles x padded tile area; the larger size on a tie): at
            // 1024x1920 one row of two 256-pixel tiles beats six 224-pixel ones. The planner
            // leaves the shifted second grid out (it doubles the work); an explicit tile size
            // keeps the spec's shift, order and batch as they are (the branch above).
            bool found = false;
            Estimate best;
            double best_seconds = 0;
            const int floor =
                std::max(kMinTileSize, floor_to_step(requested.tile_overlap) + kTileStep);
            for (int size = floor_to_step(longer - 1); size >= floor; size -= kTileStep) {
                TileChoice t = requested;
                t.tiled = true;
                t.tile_size = size;
                t.shift = false;
                const int n = count_tiles(input.width, input.height, t, spec.scale);
                std::vector<TileChoice> candidates;
                if (requested.order == ModelTileOrder::Auto && requested.batch_size > 0) {
                    // An explicit batch with the automatic order: the pipeline's rule decides.
                    TileChoice given = t;
                    given.batch_size = requested.batch_size;
                    candidates.push_back(resolve(given));
                } else if (requested.order != ModelTileOrder::TileMajor) {
                    // Frame by frame: every tile resident (Auto), or parked ones (FrameMajor).
                    TileChoice frame = t;
                    frame.order = ModelTileOrder::FrameMajor;
                    frame.batch_size =
                        requested.order == ModelTileOrder::Auto
                            ? n
                            : (requested.batch_size > 0 ? std::min(requested.batch_size, n) : 1);
                    candidates.push_back(frame);
                }
                if (requested.order != ModelTileOrder::FrameMajor && n > 1 &&
                    !(requested.order == ModelTileOrder::Auto && requested.batch_size > 0)) {
                    TileChoice tile = t;
                    tile.order = ModelTileOrder::TileMajor;
                    tile.batch_size = 1;
                    candidates.push_back(tile);
                }
                for (const TileChoice& c : candidates) {
                    Estimate e;
                    if (fits(c, &e)) {
                        TileChoice choice = c;
                        if (c.order == ModelTileOrder::FrameMajor && requested.batch_size == 0 &&
                            requested.order == ModelTileOrder::FrameMajor) {
                            choice = best_batch(c);
                            e = estimate_of(choice);
                        }
                        const double seconds = e.prediction.upscale_seconds;
                        if (!found || seconds < best_seconds * 0.999) {
                            plan.tiles = choice;
                            best = e;
                            best_seconds = seconds;
                            found = true;
                        }
                        break;
                    }
                }
            }
            if (found) {
                plan.reason = "the whole frame needs " + gib(chosen.model_bytes) +
                              ", more than the budget; these are the fastest tiles that fit";
                chosen = best;
            } else {
                plan.tiles = requested;
                plan.tiles.tiled = true;
                plan.tiles.shift = false;
                plan.tiles.tile_size = std::max(kMinTileSize, std::min(floor, longer));
                plan.tiles.batch_size = 1;
                plan.tiles.order = requested.order == ModelTileOrder::FrameMajor
                                       ? ModelTileOrder::FrameMajor
                                       : ModelTileOrder::TileMajor;
                chosen = estimate_of(plan.tiles);
                plan.reason = "even the smallest tiles (" + std::to_string(plan.tiles.tile_size) +
                              ") need " + gib(chosen.model_bytes) + ", more than the budget";
            }
        }
        plan.fits = chosen.model_bytes <= plan.budget_bytes;
    }
    plan.prediction = chosen.prediction;
    plan.tiles_per_frame = count_tiles(input.width, input.height, plan.tiles, spec.scale);
    if (model) {
        plan.reason += " (model " + gib(chosen.model_bytes) + " of " + gib(plan.budget_bytes) +
                       (spec.model.memory_budget > 0 ? " budget)" : " free memory budget)");
    }
    if (tile_major(plan.tiles)) {
        plan.max_segment_frames = segment_cap(plan.tiles);
        plan.reason += "; tile by tile: segments of at most " +
                       std::to_string(std::min(plan.max_segment_frames, asked_segment)) +
                       " frames (" + gib(plan.prediction.segment_frames_bytes) +
                       " of source frames in host memory per segment, limit " +
                       gib(kTileMajorHostFramesBytes) + "; scratch " +
                       gib(plan.prediction.scratch_disk_bytes) + " of " +
                       gib(plan.work_folder_free_bytes) + " free in the work folder)";
        if (double(plan.prediction.temp_disk_bytes) >
            double(plan.work_folder_free_bytes) * kScratchDiskShare) {
            plan.reason += "; the work folder is short of disk even for the shortest segments";
        }
    }
    return plan;
}

std::string JobPlan::summary() const {
    std::string s = auto_tiles ? "auto chose " : "";
    if (tiles.tiled) {
        s += "tiles " + std::to_string(tiles.tile_size) + "x" + std::to_string(tiles.tile_size) +
             ", " + std::to_string(tiles_per_frame) + " tiles, " +
             (tiles.tile_major(tiles_per_frame) ? std::string("tile by tile")
                                                : "batch " + std::to_string(tiles.batch_size));
    } else {
        s += "untiled";
    }
    const std::uint64_t peak =
        device.is_cuda ? prediction.peak_gpu_bytes : prediction.peak_host_bytes;
    s += ", predicted " + gpu::format_bytes(peak) + " of " + gpu::format_bytes(budget_bytes) +
         " budget on " + device.device + " (" + device.name + ")";
    if (prediction.scratch_disk_bytes > 0) {
        s += ", scratch " + gpu::format_bytes(prediction.scratch_disk_bytes);
    }
    if (!fits) {
        s += ", DOES NOT FIT";
    }
    if (basis == PredictionBasis::Calibrated) {
        s += ", calibrated";
    }
    return s;
}

json job_plan_to_value(const JobPlan& plan) {
    json j;
    j["device"] = {{"device", plan.device.device},
                   {"name", plan.device.name},
                   {"is_cuda", plan.device.is_cuda},
                   {"memory_total_bytes", plan.device.memory_total_bytes},
                   {"memory_free_bytes", plan.device.memory_free_bytes},
                   {"host_total_bytes", plan.device.host_total_bytes},
                   {"host_available_bytes", plan.device.host_available_bytes}};
    j["input"] = {{"width", plan.input.width},
                  {"height", plan.input.height},
                  {"frames", plan.input.frames},
                  {"fps", json::array({plan.input.fps.num, plan.input.fps.den})},
                  {"bit_depth", plan.input.bit_depth}};
    j["tiles"] = tile_choice_to_value(plan.tiles);
    j["tiles_per_frame"] = plan.tiles_per_frame;
    j["auto_tiles"] = plan.auto_tiles;
    j["budget_bytes"] = plan.budget_bytes;
    j["fits"] = plan.fits;
    j["basis"] = plan.basis == PredictionBasis::Calibrated ? "calibrated" : "analytic";
    if (plan.calibration) {
        const Calibration& c = *plan.calibration;
        j["calibration"] = {{"memory_measured", c.memory_measured},
                            {"crop_width", c.crop_width},
                            {"crop_height", c.crop_height},
                            {"frames", c.frames},
                            {"weights_bytes", c.weights_bytes},
                            {"bytes_per_token", c.bytes_per_token},
                            {"seconds_per_output_pixel", c.seconds_per_output_pixel},
                            {"wall_ms", c.wall_ms}};
    }
    const ResourcePrediction& p = plan.prediction;
    j["prediction"] = {{"peak_gpu_bytes", p.peak_gpu_bytes},
                       {"peak_host_bytes", p.peak_host_bytes},
                       {"temp_disk_bytes", p.temp_disk_bytes},
                       {"upscale_seconds", p.upscale_seconds},
                       {"assemble_seconds", p.assemble_seconds},
                       {"weights_bytes", p.weights_bytes},
                       {"state_bytes", p.state_bytes},
                       {"activation_bytes", p.activation_bytes},
                       {"canvas_bytes", p.canvas_bytes},
                       {"scratch_disk_bytes", p.scratch_disk_bytes},
                       {"segment_frames_bytes", p.segment_frames_bytes}};
    j["max_segment_frames"] = plan.max_segment_frames;
    j["work_folder_free_bytes"] = plan.work_folder_free_bytes;
    j["reason"] = plan.reason;
    j["summary"] = plan.summary();
    return j;
}

std::string to_json(const JobPlan& plan) {
    return job_plan_to_value(plan).dump(2);
}

}  // namespace engine::jobs
