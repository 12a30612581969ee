// TileMajorUpscaler: the tile-major order of a tiled run (see tile_major.h). push() only buffers
// source frames; the first finish() runs every tile but the last over every chunk, writing each
// tile's weighted output to its scratch file, then every finish() call runs one chunk of the last
// tile and hands out the frames of the chunk before it, summed from the files and the last tile's
// output in host memory.

#include "tile_major.h"

#include "engine/core/log.h"
#include "engine/core/paths.h"
#include "engine/pipeline/frame_rule.h"
#include "engine/pipeline/tiling.h"
#include "host_transfer.h"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <fcntl.h>
#include <filesystem>
#include <string>
#include <sys/statvfs.h>
#include <system_error>
#include <tuple>
#include <unistd.h>
#include <utility>
#include <vector>

namespace engine::pipeline::detail {

namespace fs = std::filesystem;

namespace {

[[noreturn]] void throw_errno(int err,
                              const std::string& what,
                              const fs::path& path,
                              std::int64_t needed_bytes) {
    auto error = error_from_errno(err, what, path);
    if (error.code == ErrorCode::DiskFull) {
        error.with("needed_bytes", std::to_string(needed_bytes));
    }
    throw EngineException(std::move(error));
}

// error_from_errno's detail and facts (path, errno), but always FileUnreadable: its mapping is
// for writes (ENOSPC -> DiskFull, the rest OutputNotWritable), and a scratch file that cannot be
// read back is an unreadable input of the emission, whatever errno says.
[[noreturn]] void throw_read_error(int err, const std::string& what, const fs::path& path) {
    auto error = error_from_errno(err, what, path);
    error.code = ErrorCode::FileUnreadable;
    throw EngineException(std::move(error));
}

std::int64_t tile_frame_bytes(const TilePlan& plan, const TileRect& tile) {
    return tile.height() * tile.width() * plan.scale * plan.scale * 3 *
           static_cast<std::int64_t>(sizeof(float));
}

double seconds_since(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

// A private folder for one run's scratch files, removed with everything in it on destruction.
class TileScratch::Folder {
  public:
    Folder() = default;
    Folder(const Folder&) = delete;
    Folder& operator=(const Folder&) = delete;
    ~Folder() { remove(); }

    void create(fs::path parent, std::int64_t needed_bytes) {
        if (parent.empty()) {
            parent = fs::temp_directory_path();
        }
        std::error_code error;
        fs::create_directories(parent, error);
        if (error) {
            throw_errno(error.value(), "cannot create the scratch folder", parent, needed_bytes);
        }
        auto pattern = path_string(parent / "flashvsr-tiles-XXXXXX");
        std::vector<char> name(pattern.begin(), pattern.end());
        name.push_back('\0');
        if (::mkdtemp(name.data()) == nullptr) {
            throw_errno(errno, "cannot create the scratch folder", parent, needed_bytes);
        }
        m_path = fs::u8path(name.data());
    }

    void remove() {
        if (!m_path.empty()) {
            std::error_code error;
            remove_tree(m_path, error);
            if (error) {
                log_warning("could not remove the scratch folder " + path_string(m_path) + ": " +
                            error.message());
            }
            m_path.clear();
        }
    }

    const fs::path& path() const { return m_path; }

  private:
    fs::path m_path;
};

// One tile's scratch file: written once in frame order while the tile runs (no read-modify-write),
// then read back a frame at a time with pread (several threads may read different files at once).
class ScratchFile {
  public:
    ScratchFile(fs::path path, std::int64_t frame_bytes, std::int64_t run_bytes)
        : m_path(std::move(path)), m_frame_bytes(frame_bytes), m_run_bytes(run_bytes) {}
    ScratchFile(const ScratchFile&) = delete;
    ScratchFile& operator=(const ScratchFile&) = delete;
    ~ScratchFile() { close(); }

    void open_for_writing() {
        close();
        m_fd = ::open(m_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        if (m_fd < 0) {
            throw_errno(errno, "cannot create a tile scratch file", m_path, m_run_bytes);
        }
    }

    void append(const torch::Tensor& frames) {
        TORCH_CHECK(frames.is_contiguous() && frames.scalar_type() == torch::kFloat &&
                        !frames.is_cuda() && frames.numel() * 4 == frames.size(0) * m_frame_bytes,
                    "ScratchFile::append: expected contiguous float32 frames of ", m_frame_bytes,
                    " bytes, got ", frames.sizes());
        const auto* bytes = static_cast<const char*>(frames.data_ptr());
        auto left = static_cast<std::size_t>(frames.numel()) * sizeof(float);
        while (left > 0) {
            const auto written = ::write(m_fd, bytes, left);
            if (written < 0) {
                if (errno == EINTR) {
                    continue;
                }
                throw_errno(errno, "cannot write a tile scratch file", m_path, m_run_bytes);
            }
            bytes += written;
            left -= static_cast<std::size_t>(written);
        }
    }

    void close_after_writing() {
        const int fd = m_fd;
        m_fd = -1;
        if (::close(fd) != 0) {
            // Delayed write errors (NFS, quota) surface here.
            throw_errno(errno, "cannot write a tile scratch file", m_path, m_run_bytes);
        }
    }

    // Opens the file for reading (once, on the driving thread, before parallel reads).
    void open_for_reading() {
        if (m_fd >= 0) {
            return;
        }
        m_fd = ::open(m_path.c_str(), O_RDONLY | O_CLOEXEC);
        if (m_fd < 0) {
            throw_read_error(errno, "cannot open a tile scratch file", m_path);
        }
    }

    // Reads frame `frame` into `into` (m_frame_bytes bytes). Safe on several threads at once
    // after open_for_reading() (pread keeps no file position).
    void read_frame(std::int64_t frame, void* into) const {
        auto* bytes = static_cast<char*>(into);
        auto offset = static_cast<off_t>(frame * m_frame_bytes);
        auto left = static_cast<std::size_t>(m_frame_bytes);
        while (left > 0) {
            const auto got = ::pread(m_fd, bytes, left, offset);
            if (got < 0 && errno == EINTR) {
                continue;
            }
            if (got < 0) {
                throw_read_error(errno, "cannot read a tile scratch file", m_path);
            }
            if (got == 0) {
                throw EngineException(
                    Error(ErrorCode::FileTruncated, "a tile scratch file ended before frame " +
                                                        std::to_string(frame) +
                                                        " (changed by someone "
                                                        "else?)")
                        .with("path", path_string(m_path)));
            }
            bytes += got;
            offset += got;
            left -= static_cast<std::size_t>(got);
        }
    }

    void close() {
        if (m_fd >= 0) {
            ::close(m_fd);
            m_fd = -1;
        }
    }

  private:
    fs::path m_path;
    std::int64_t m_frame_bytes;
    std::int64_t m_run_bytes;  // the whole run's scratch, reported with DiskFull
    int m_fd = -1;
};

TileScratch::TileScratch(const TilePlan& plan, std::size_t file_count)
    : m_folder(std::make_unique<Folder>()) {
    TORCH_CHECK(file_count <= plan.tiles.size(), "TileScratch: ", file_count, " files for ",
                plan.tiles.size(), " tiles");
    for (std::size_t i = 0; i < file_count; ++i) {
        m_frame_bytes.push_back(tile_frame_bytes(plan, plan.tiles[i]));
    }
}

TileScratch::~TileScratch() {
    remove();
}

void TileScratch::create(const fs::path& parent, std::int64_t needed_bytes) {
    m_folder->create(parent, needed_bytes);
    struct statvfs space {};
    if (::statvfs(m_folder->path().c_str(), &space) == 0) {
        const auto free_bytes =
            static_cast<std::int64_t>(space.f_bavail) * static_cast<std::int64_t>(space.f_frsize);
        if (free_bytes < needed_bytes) {
            // Fail now rather than after hours of tiles.
            throw EngineException(
                Error(ErrorCode::DiskFull, "not enough free space for the tile scratch files")
                    .with("path", path_string(m_folder->path()))
                    .with("needed_bytes", std::to_string(needed_bytes))
                    .with("free_bytes", std::to_string(free_bytes)));
        }
    }
    for (std::size_t i = 0; i < m_frame_bytes.size(); ++i) {
        char name[32];
        std::snprintf(name, sizeof(name), "tile_%04zu.f32", i);
        m_files.push_back(
            std::make_unique<ScratchFile>(m_folder->path() / name, m_frame_bytes[i], needed_bytes));
    }
}

const fs::path& TileScratch::path() const {
    return m_folder->path();
}

void TileScratch::open_for_writing(std::size_t file) {
    m_files.at(file)->open_for_writing();
}

void TileScratch::append(std::size_t file, const torch::Tensor& frames) {
    m_files.at(file)->append(frames);
}

void TileScratch::close_after_writing(std::size_t file) {
    m_files.at(file)->close_after_writing();
}

const std::vector<const float*>& TileScratch::read_frame(std::int64_t frame) {
    const auto count = m_files.size();
    if (m_buffers.size() != count) {
        m_buffers.resize(count);
        m_blocks.resize(count);
        for (std::size_t i = 0; i < count; ++i) {
            m_buffers[i].resize(static_cast<std::size_t>(m_frame_bytes[i]) / sizeof(float));
            m_blocks[i] = m_buffers[i].data();
        }
    }
    for (auto& file : m_files) {
        file->open_for_reading();
    }
    // Independent preads (page cache or disk): one file per task, so a slow file does not hold
    // the others back.
    at::parallel_for(0, static_cast<std::int64_t>(count), 1,
                     [&](std::int64_t begin, std::int64_t end) {
                         for (auto i = begin; i < end; ++i) {
                             const auto index = static_cast<std::size_t>(i);
                             m_files[index]->read_frame(frame, m_buffers[index].data());
                         }
                     });
    return m_blocks;
}

void TileScratch::remove() {
    m_files.clear();
    m_buffers.clear();
    m_blocks.clear();
    m_folder->remove();
}

TileFrameAssembler::TileFrameAssembler(const TilePlan& plan,
                                       std::int64_t output_height,
                                       std::int64_t output_width)
    : m_height(output_height), m_width(output_width) {
    for (std::size_t i = 0; i < plan.tiles.size(); ++i) {
        const auto& tile = plan.tiles[i];
        const Span span{static_cast<std::int64_t>(i), tile.y0 * plan.scale, tile.y1 * plan.scale,
                        tile.x0 * plan.scale, tile.width() * plan.scale};
        TORCH_CHECK(span.row0 >= 0 && span.row1 <= output_height && span.col0 >= 0 &&
                        span.col0 + span.cols <= output_width,
                    "TileFrameAssembler: tile ", i, " reaches past the ", output_width, "x",
                    output_height, " frame");
        m_spans.push_back(span);
    }
}

void TileFrameAssembler::assemble(const std::vector<const float*>& blocks,
                                  void* into,
                                  SampleType type) const {
    TORCH_CHECK(blocks.size() == m_spans.size(), "TileFrameAssembler: ", blocks.size(),
                " blocks for ", m_spans.size(), " tiles");
    const auto row_values = m_width * 3;
    // A row is summed in place (float32 output) or in a row of the task's own: zeroed, each
    // covering tile's row added in plan order, then converted. Rows are a few tens of KiB, so
    // the passes stay in cache.
    at::parallel_for(0, m_height, 8, [&](std::int64_t begin, std::int64_t end) {
        std::vector<float> sums(type == SampleType::F32 ? 0 : static_cast<std::size_t>(row_values));
        for (auto y = begin; y < end; ++y) {
            float* row =
                type == SampleType::F32 ? static_cast<float*>(into) + y * row_values : sums.data();
            std::fill(row, row + row_values, 0.0F);
            for (const auto& span : m_spans) {
                if (y < span.row0 || y >= span.row1) {
                    continue;
                }
                const auto count = span.cols * 3;
                const float* __restrict from =
                    blocks[static_cast<std::size_t>(span.tile)] + (y - span.row0) * count;
                float* __restrict to = row + span.col0 * 3;
                for (std::int64_t j = 0; j < count; ++j) {
                    to[j] += from[j];
                }
            }
            // [-1, 1] -> [0, 1] as the frame-major order converts its canvas:
            // ((c + 1) * 0.5).clamp(0, 1), float32 steps; quantize_unit clamps the same way
            // (and vectorises).
            if (type == SampleType::U8) {
                auto* out = static_cast<std::uint8_t*>(into) + y * row_values;
                for (std::int64_t j = 0; j < row_values; ++j) {
                    out[j] =
                        static_cast<std::uint8_t>(quantize_unit((row[j] + 1.0F) * 0.5F, 255.0F));
                }
            } else if (type == SampleType::U16) {
                auto* out = static_cast<std::uint16_t*>(into) + y * row_values;
                for (std::int64_t j = 0; j < row_values; ++j) {
                    out[j] =
                        static_cast<std::uint16_t>(quantize_unit((row[j] + 1.0F) * 0.5F, 65535.0F));
                }
            } else {
                for (std::int64_t j = 0; j < row_values; ++j) {
                    const float v = (row[j] + 1.0F) * 0.5F;
                    row[j] = v < 0.0F ? 0.0F : (v > 1.0F ? 1.0F : v);
                }
            }
        }
    });
}

std::int64_t tile_major_scratch_bytes_per_frame(const TilePlan& plan) {
    std::int64_t bytes = 0;
    for (std::size_t i = 0; i + 1 < plan.tiles.size(); ++i) {
        bytes += tile_frame_bytes(plan, plan.tiles[i]);
    }
    return bytes;
}

namespace {

class TileMajorUpscaler final : public Upscaler {
  public:
    explicit TileMajorUpscaler(TileMajorSetup setup)
        : m_config(std::move(setup.config)),
          m_events(std::move(setup.events)),
          m_geometry(setup.geometry),
          m_plan(std::move(setup.plan)),
          m_base(std::move(setup.base)),
          m_noise(std::move(setup.noise)),
          m_weights(tile_blend_weights(m_plan)),
          m_scratch(m_plan, m_plan.tiles.size() - 1),
          m_assembler(m_plan, m_geometry.output_height, m_geometry.output_width) {
        std::tie(m_noise_rows, m_noise_cols) = tile_noise_extent(m_plan);
    }

    int output_width() const override { return static_cast<int>(m_geometry.output_width); }
    int output_height() const override { return static_cast<int>(m_geometry.output_height); }

    Status push(const Frame& lq_frame, std::vector<Frame>& /*out*/) override {
        if (m_state != State::Buffering) {
            return Error(ErrorCode::InvalidArgument, "push() after finish()");
        }
        if (auto ok = check_input_frame(lq_frame, m_geometry, m_received); !ok) {
            return ok;
        }
        try {
            m_sources.push_back(frame_to_tensor(lq_frame)[0]);
        } catch (const std::exception& e) {
            return exception_to_error(e);
        }
        m_pending.push_back({lq_frame.index, lq_frame.pts, lq_frame.time_base});
        ++m_received;
        return {};
    }

    Status finish(std::vector<Frame>& out) override {
        switch (m_state) {
            case State::Done:
                return {};
            case State::Failed:
                return m_failure;
            case State::Buffering:
                m_state = State::Emitting;
                if (m_received == 0) {
                    m_state = State::Done;
                    return Error(ErrorCode::ZeroFrames, "the input had no frames");
                }
                try {
                    run_tiles_before_last();
                } catch (const std::exception& e) {
                    return fail(exception_to_error(e));
                }
                break;
            case State::Emitting:
                break;
        }
        try {
            emit_next_chunk(out);
        } catch (const std::exception& e) {
            return fail(exception_to_error(e));
        }
        if (m_emitted == m_received) {
            log_timings();
            m_last = LastTile();
            m_scratch.remove();
            m_sources.clear();
            m_state = State::Done;
        }
        return {};
    }

    void set_cancel_token(CancelToken token) override { m_cancel = std::move(token); }

    std::string device_description() const override {
        return describe_device(m_base->device(), m_base->dtype());
    }

  private:
    enum class State { Buffering, Emitting, Done, Failed };

    // The last tile, run one chunk per finish() call.
    struct LastTile {
        std::unique_ptr<FlashVsrStream> stream;
        torch::Tensor weight;       // [1, 1, 1, rows, cols] on the run device
        std::int64_t computed = 0;  // chunks queued on the device
        std::int64_t emitted = 0;   // chunks whose frames went out
    };

    // Where the time of finish() goes, logged when the last frame went out (seconds).
    struct Timings {
        double tiles_before_last = 0;
        double last_tile_queue = 0;  // queuing the last tile's chunks (all of it on the CPU)
        double device_wait = 0;      // waiting for a last-tile chunk to reach the host
        double allocation = 0;       // output frames
        double reads = 0;            // scratch reads
        double sums = 0;             // summing and converting frames
    };

    // The run cannot go on (tile states mid-run, files partial). A copy still in flight is left to
    // HostTransfer's destructor: waiting here could throw again on a broken device.
    Error fail(Error error) {
        m_scratch.remove();
        m_last = LastTile();
        m_sources.clear();
        m_pending.clear();
        m_state = State::Failed;
        m_failure = error;
        return error;
    }

    void run_tiles_before_last() {
        const auto start = std::chrono::steady_clock::now();
        m_frame_plan = plan_frames(m_received);
        const auto needed_bytes = tile_major_scratch_bytes_per_frame(m_plan) * m_received;
        m_scratch.create(m_config.scratch_dir, needed_bytes);
        log_info("tiled run, order tile-major: " + std::to_string(m_plan.tiles.size()) +
                 " tiles x " + std::to_string(m_frame_plan.chunks) + " chunks, " +
                 std::to_string(m_received) + " frames, scratch " + std::to_string(needed_bytes) +
                 " bytes in " + path_string(m_scratch.path()));
        const auto last = m_plan.tiles.size() - 1;
        for (std::size_t i = 0; i < last; ++i) {
            run_tile_to_scratch(i);
        }
        m_last.stream = create_tile_stream(last);
        m_last.weight = take_tile_weight(last);
        m_timings.tiles_before_last = seconds_since(start);
    }

    // The tile's model input for source frames [begin, end) (past the last real frame: the last
    // one, the frame rule's padding): [1, 3, end - begin, padded_height, padded_width].
    torch::Tensor tile_lq(const TileRect& tile, std::int64_t begin, std::int64_t end) const {
        std::vector<torch::Tensor> frames;
        for (auto j = begin; j < end; ++j) {
            frames.push_back(m_sources.at(static_cast<std::size_t>(std::min(j, m_received - 1))));
        }
        const LqRegion region{tile.y0 * m_plan.scale, tile.x0 * m_plan.scale, tile.padded_height,
                              tile.padded_width};
        // In the run dtype, as the frame-major order keeps its bicubic frames.
        return prepare_lq_region(frames, m_geometry, m_config.lq_resample, region, m_base->device(),
                                 m_base->dtype())
            .permute({1, 0, 2, 3})
            .unsqueeze(0);
    }

    std::unique_ptr<FlashVsrStream> create_tile_stream(std::size_t index) const {
        const auto& tile = m_plan.tiles[index];
        auto created = m_base->create_sibling(tile.padded_height, tile.padded_width);
        if (!created) {
            throw EngineException(created.error());
        }
        return std::move(created).value();
    }

    // Tile `index`'s blend weight on the run device, [1, 1, 1, rows, cols]. Each tile runs once,
    // so the host copy is released here and only the tiles still to run keep theirs (2048x3840
    // in 18 tiles of 192, no shifted grid: 40.5 MiB at the start, the last tile's 2.25 MiB while
    // its frames go out).
    torch::Tensor take_tile_weight(std::size_t index) {
        const auto& tile = m_plan.tiles[index];
        const auto weight = std::exchange(m_weights[index], torch::Tensor());
        return weight.view({1, 1, 1, tile.height() * m_plan.scale, tile.width() * m_plan.scale})
            .to(m_base->device());
    }

    // Queues chunk `chunk` of tile `index` on the run device and returns its weighted output for
    // the real frames of the chunk, [keep, rows, cols, 3] float32 on the run device; then reports
    // the (tile, chunk) progress event.
    torch::Tensor run_tile_chunk(std::size_t index,
                                 FlashVsrStream& stream,
                                 const torch::Tensor& weight,
                                 std::int64_t chunk) {
        if (m_cancel.is_cancelled()) {
            throw_error(ErrorCode::Cancelled, "cancelled");
        }
        const auto& tile = m_plan.tiles[index];
        const auto rows = tile.height() * m_plan.scale;
        const auto cols = tile.width() * m_plan.scale;
        const auto span = chunk_span(chunk);
        const auto first = std::min(span.lq_begin, span.output_begin);
        const auto lq_all = tile_lq(tile, first, span.lq_end);
        const auto lq = lq_all.narrow(2, span.lq_begin - first, span.lq_end - span.lq_begin);
        const auto frames = span.output_end - span.output_begin;
        const auto cond = lq_all.narrow(2, span.output_begin - first, frames);
        const auto noise =
            tile_noise_crop(m_noise.draw(chunk, m_noise_rows, m_noise_cols), m_plan, index);
        auto out = stream.run_chunk(lq, cond, noise);
        TORCH_CHECK(out.dim() == 5 && out.size(2) == frames && out.size(3) == tile.padded_height &&
                        out.size(4) == tile.padded_width,
                    "tile-major: tile ", index, " returned ", out.sizes(), ", expected [1, 3, ",
                    frames, ", ", tile.padded_height, ", ", tile.padded_width, "]");
        // Padding frames past the last real one are never emitted, so never kept.
        const auto keep = std::min(span.output_end, m_received) - span.output_begin;
        auto contribution = out.narrow(3, 0, rows)
                                .narrow(4, 0, cols)
                                .to(weight.device(), torch::kFloat)
                                .mul(weight)[0]
                                .narrow(1, 0, keep)
                                .permute({1, 2, 3, 0})
                                .contiguous();  // [keep, rows, cols, 3]
        if (m_events.on_chunk) {
            m_events.on_chunk(m_emitted, "tile " + std::to_string(index + 1) + "/" +
                                             std::to_string(m_plan.tiles.size()) + ", chunk " +
                                             std::to_string(chunk + 1) + "/" +
                                             std::to_string(m_frame_plan.chunks));
        }
        return contribution;
    }

    void run_tile_to_scratch(std::size_t index) {
        auto stream = create_tile_stream(index);
        const auto weight = take_tile_weight(index);
        m_scratch.open_for_writing(index);
        for (std::int64_t chunk = 0; chunk < m_frame_plan.chunks; ++chunk) {
            auto contribution = run_tile_chunk(index, *stream, weight, chunk);
            // The previous chunk's copy finished while this one computed; its disk write now
            // overlaps the next chunk's queued GPU work.
            write_transferred(index);
            m_transfer.start(contribution);
        }
        write_transferred(index);
        m_scratch.close_after_writing(index);
    }

    void write_transferred(std::size_t index) {
        if (m_transfer.pending()) {
            m_scratch.append(index, m_transfer.wait());
        }
    }

    // One step of the last tile: queues its next chunk on the device (the first call queues
    // chunks 0 and 1), then sums and appends the frames of the oldest chunk not emitted yet
    // while the device computes. One chunk's copy is in flight between calls.
    void emit_next_chunk(std::vector<Frame>& out) {
        const auto last = m_plan.tiles.size() - 1;
        auto queue = [&] {
            const auto start = std::chrono::steady_clock::now();
            auto contribution =
                run_tile_chunk(last, *m_last.stream, m_last.weight, m_last.computed);
            ++m_last.computed;
            m_timings.last_tile_queue += seconds_since(start);
            return contribution;
        };
        if (m_last.computed == 0) {
            m_transfer.start(queue());
        }
        torch::Tensor next;
        if (m_last.computed < m_frame_plan.chunks) {
            next = queue();
        }
        const auto wait_start = std::chrono::steady_clock::now();
        const auto host = m_transfer.wait();  // [keep, rows, cols, 3] of chunk m_last.emitted
        m_timings.device_wait += seconds_since(wait_start);
        emit_frames(chunk_span(m_last.emitted).output_begin, host, out);
        ++m_last.emitted;
        if (next.defined()) {
            m_transfer.start(next);
        }
    }

    // Appends output frames [begin, begin + last_tile.size(0)): the earlier tiles' blocks read
    // back from the scratch files, the last tile's from `last_tile` ([n, rows, cols, 3] float32
    // on the CPU), summed straight into each frame.
    void emit_frames(std::int64_t begin, const torch::Tensor& last_tile, std::vector<Frame>& out) {
        TORCH_CHECK(begin == m_emitted, "tile-major: frames from ", begin, " after ", m_emitted,
                    " went out");
        TORCH_CHECK(last_tile.is_contiguous() && last_tile.scalar_type() == torch::kFloat &&
                        !last_tile.is_cuda(),
                    "tile-major: the last tile's frames must be contiguous float32 on the host");
        const auto count = last_tile.size(0);
        const auto block_values = last_tile[0].numel();
        const auto* last_values = last_tile.data_ptr<float>();
        auto start = std::chrono::steady_clock::now();
        auto frames = allocate_output_frames(count, static_cast<int>(m_geometry.output_width),
                                             static_cast<int>(m_geometry.output_height),
                                             m_config.output_type);
        m_timings.allocation += seconds_since(start);
        for (std::int64_t k = 0; k < count; ++k) {
            start = std::chrono::steady_clock::now();
            m_blocks = m_scratch.read_frame(begin + k);
            m_timings.reads += seconds_since(start);
            start = std::chrono::steady_clock::now();
            m_blocks.push_back(last_values + k * block_values);
            const auto& info = m_pending.front();
            auto& frame = frames[static_cast<std::size_t>(k)];
            frame.index = info.index;
            frame.pts = info.pts;
            frame.time_base = info.time_base;
            // An integer output type is rounded in the same pass, as the frame-major order
            // rounds on the device (output_frames: the same values).
            m_assembler.assemble(m_blocks, frame.data.data(), m_config.output_type);
            m_timings.sums += seconds_since(start);
            out.push_back(std::move(frame));
            m_pending.pop_front();
        }
        const auto first = m_emitted;
        m_emitted += count;
        if (m_events.on_chunk && count > 0) {
            m_events.on_chunk(m_emitted, "frames " + std::to_string(first + 1) + "-" +
                                             std::to_string(m_emitted) + "/" +
                                             std::to_string(m_received));
        }
    }

    void log_timings() const {
        const auto frames = static_cast<double>(std::max<std::int64_t>(m_received, 1));
        char line[320];
        std::snprintf(line, sizeof(line),
                      "tile-major timings: tiles before the last %.2f s; last tile and emission: "
                      "queuing %.2f s, waiting for the device %.2f s, frame allocation %.1f "
                      "ms/frame, scratch reads %.1f ms/frame, sums %.1f ms/frame (%lld frames)",
                      m_timings.tiles_before_last, m_timings.last_tile_queue, m_timings.device_wait,
                      1000.0 * m_timings.allocation / frames, 1000.0 * m_timings.reads / frames,
                      1000.0 * m_timings.sums / frames, static_cast<long long>(m_received));
        log_info(line);
    }

    UpscalerConfig m_config;
    UpscalerEvents m_events;
    LqGeometry m_geometry;
    TilePlan m_plan;
    std::unique_ptr<FlashVsrStream> m_base;
    ChunkNoise m_noise;
    std::int64_t m_noise_rows = 0;  // latent cells of one full-frame draw (every tile's extent)
    std::int64_t m_noise_cols = 0;
    // Per tile [rows, cols] float32 on the CPU, released when the tile starts (take_tile_weight).
    std::vector<torch::Tensor> m_weights;
    CancelToken m_cancel;
    State m_state = State::Buffering;
    Error m_failure;
    FramePlan m_frame_plan;
    std::vector<torch::Tensor> m_sources;  // [h, w, 3] per pushed frame, on the CPU
    std::deque<PendingFrame> m_pending;    // metadata of frames not yet emitted
    std::int64_t m_received = 0;
    std::int64_t m_emitted = 0;
    TileScratch m_scratch;  // files of every tile but the last
    TileFrameAssembler m_assembler;
    std::vector<const float*> m_blocks;  // one frame's tile blocks, reused
    LastTile m_last;
    Timings m_timings;
    HostTransfer m_transfer;  // a tile chunk's contribution on its way to the host
};

}  // namespace

std::unique_ptr<Upscaler> make_tile_major_upscaler(TileMajorSetup setup) {
    return std::make_unique<TileMajorUpscaler>(std::move(setup));
}

}  // namespace engine::pipeline::detail
