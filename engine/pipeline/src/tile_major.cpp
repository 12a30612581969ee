// TileMajorUpscaler: the tile-major order of a tiled run (see tile_major.h). push() only buffers
// source frames; the first finish() runs tile after tile over every chunk, writing each tile's
// weighted output to its scratch file, and every finish() call then sums one slice of frames
// from the files.

#include "tile_major.h"

#include "engine/core/log.h"
#include "engine/core/paths.h"
#include "engine/pipeline/frame_rule.h"
#include "engine/pipeline/tiling.h"
#include "host_transfer.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <fcntl.h>
#include <filesystem>
#include <string>
#include <sys/statvfs.h>
#include <system_error>
#include <unistd.h>
#include <vector>

namespace engine::pipeline::detail {

namespace {

namespace fs = std::filesystem;

// Frames one finish() call hands out: one chunk's worth, so the host holds at most this many
// output frames (~100 MB each at 3840x2160) besides the caller's.
constexpr std::int64_t kFramesPerSlice = 8;
constexpr std::int64_t kLatentCell = 8;

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

// A private folder for one run's scratch files, removed with everything in it on destruction.
class ScratchFolder {
  public:
    ScratchFolder() = default;
    ScratchFolder(const ScratchFolder&) = delete;
    ScratchFolder& operator=(const ScratchFolder&) = delete;
    ~ScratchFolder() { remove(); }

    // Creates "<parent>/flashvsr-tiles-XXXXXX" (parent: the system temporary folder if empty).
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

// One tile's scratch file: its weighted output frames [rows, cols, 3] float32, frame after frame.
// Written once in frame order while the tile runs (no read-modify-write), then read back a frame
// at a time with pread. Errors are thrown as EngineException with the path.
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

    // frames: [n, rows, cols, 3] float32, contiguous, on the CPU.
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

    // Reads frame `frame` into `into` (m_frame_bytes bytes).
    void read_frame(std::int64_t frame, void* into) {
        if (m_fd < 0) {
            m_fd = ::open(m_path.c_str(), O_RDONLY | O_CLOEXEC);
            if (m_fd < 0) {
                throw EngineException(
                    Error(ErrorCode::FileUnreadable, std::string("cannot open a tile scratch "
                                                                 "file: ") +
                                                         std::strerror(errno))
                        .with("path", path_string(m_path)));
            }
        }
        auto* bytes = static_cast<char*>(into);
        auto offset = static_cast<off_t>(frame * m_frame_bytes);
        auto left = static_cast<std::size_t>(m_frame_bytes);
        while (left > 0) {
            const auto got = ::pread(m_fd, bytes, left, offset);
            if (got < 0 && errno == EINTR) {
                continue;
            }
            if (got < 0) {
                throw EngineException(
                    Error(ErrorCode::FileUnreadable,
                          std::string("cannot read a tile scratch file: ") + std::strerror(errno))
                        .with("path", path_string(m_path)));
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

class TileMajorUpscaler final : public Upscaler {
  public:
    explicit TileMajorUpscaler(TileMajorSetup setup)
        : m_config(std::move(setup.config)),
          m_events(std::move(setup.events)),
          m_geometry(setup.geometry),
          m_plan(std::move(setup.plan)),
          m_base(std::move(setup.base)),
          m_noise(std::move(setup.noise)),
          m_weights(tile_blend_weights(m_plan)) {}

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
                    run_tiles();
                } catch (const std::exception& e) {
                    return fail(exception_to_error(e));
                }
                break;
            case State::Emitting:
                break;
        }
        try {
            emit_slice(out);
        } catch (const std::exception& e) {
            return fail(exception_to_error(e));
        }
        if (m_emitted == m_received) {
            release_scratch();
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

    // The run cannot go on (tile states mid-run, files partial). A copy still in flight is left to
    // HostTransfer's destructor: waiting here could throw again on a broken device.
    Error fail(Error error) {
        release_scratch();
        m_sources.clear();
        m_pending.clear();
        m_state = State::Failed;
        m_failure = error;
        return error;
    }

    void release_scratch() {
        m_files.clear();
        m_folder.remove();
    }

    void run_tiles() {
        const auto frame_plan = plan_frames(m_received);
        const auto needed_bytes = tile_major_scratch_bytes_per_frame(m_plan) * m_received;
        m_folder.create(m_config.scratch_dir, needed_bytes);
        struct statvfs space {};
        if (::statvfs(m_folder.path().c_str(), &space) == 0) {
            const auto free_bytes = static_cast<std::int64_t>(space.f_bavail) *
                                    static_cast<std::int64_t>(space.f_frsize);
            if (free_bytes < needed_bytes) {
                // Fail now rather than after hours of tiles.
                throw EngineException(
                    Error(ErrorCode::DiskFull, "not enough free space for the tile scratch files")
                        .with("path", path_string(m_folder.path()))
                        .with("needed_bytes", std::to_string(needed_bytes))
                        .with("free_bytes", std::to_string(free_bytes)));
            }
        }
        for (std::size_t i = 0; i < m_plan.tiles.size(); ++i) {
            const auto& tile = m_plan.tiles[i];
            const auto frame_bytes =
                tile.height() * tile.width() * m_plan.scale * m_plan.scale * 3 * 4;
            char name[32];
            std::snprintf(name, sizeof(name), "tile_%04zu.f32", i);
            m_files.push_back(
                std::make_unique<ScratchFile>(m_folder.path() / name, frame_bytes, needed_bytes));
        }
        log_info("tiled run, order tile-major: " + std::to_string(m_plan.tiles.size()) +
                 " tiles x " + std::to_string(frame_plan.chunks) + " chunks, " +
                 std::to_string(m_received) + " frames, scratch " + std::to_string(needed_bytes) +
                 " bytes in " + path_string(m_folder.path()));
        for (std::size_t i = 0; i < m_plan.tiles.size(); ++i) {
            run_tile(i, frame_plan);
        }
        m_sources.clear();  // every tile has its output; only the scratch files are read now
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
        const auto lq =
            prepare_lq_region(frames, m_geometry, m_config.lq_resample, region, m_base->device());
        // In the run dtype, as the frame-major order keeps its bicubic frames.
        return lq.to(m_base->dtype()).permute({1, 0, 2, 3}).unsqueeze(0);
    }

    void run_tile(std::size_t index, const FramePlan& frame_plan) {
        const auto& tile = m_plan.tiles[index];
        const auto scale = m_plan.scale;
        const auto device = m_base->device();
        auto created = m_base->create_sibling(tile.padded_height, tile.padded_width);
        if (!created) {
            throw EngineException(created.error());
        }
        auto stream = std::move(created).value();
        const auto rows = tile.height() * scale;
        const auto cols = tile.width() * scale;
        const auto weight = m_weights[index].view({1, 1, 1, rows, cols}).to(device);
        const auto [noise_rows, noise_cols] = tile_noise_extent(m_plan);
        const auto [noise_row, noise_col] = tile_noise_origin(m_plan, index);
        auto& file = *m_files[index];
        file.open_for_writing();
        const auto tile_count = m_plan.tiles.size();
        for (std::int64_t chunk = 0; chunk < frame_plan.chunks; ++chunk) {
            if (m_cancel.is_cancelled()) {
                throw_error(ErrorCode::Cancelled, "cancelled");
            }
            const auto span = chunk_span(chunk);
            const auto first = std::min(span.lq_begin, span.output_begin);
            const auto lq_all = tile_lq(tile, first, span.lq_end);
            const auto lq = lq_all.narrow(2, span.lq_begin - first, span.lq_end - span.lq_begin);
            const auto frames = span.output_end - span.output_begin;
            const auto cond = lq_all.narrow(2, span.output_begin - first, frames);
            const auto noise = m_noise.draw(chunk, noise_rows, noise_cols)
                                   .narrow(3, noise_row, tile.padded_height / kLatentCell)
                                   .narrow(4, noise_col, tile.padded_width / kLatentCell);
            auto out = stream->run_chunk(lq, cond, noise);
            TORCH_CHECK(out.dim() == 5 && out.size(2) == frames &&
                            out.size(3) == tile.padded_height && out.size(4) == tile.padded_width,
                        "tile-major: tile ", index, " returned ", out.sizes(), ", expected [1, 3, ",
                        frames, ", ", tile.padded_height, ", ", tile.padded_width, "]");
            // Padding frames past the last real one are never emitted, so never written.
            const auto keep = std::min(span.output_end, m_received) - span.output_begin;
            auto contribution = out.narrow(3, 0, rows)
                                    .narrow(4, 0, cols)
                                    .to(device, torch::kFloat)
                                    .mul(weight)[0]
                                    .narrow(1, 0, keep)
                                    .permute({1, 2, 3, 0})
                                    .contiguous();  // [keep, rows, cols, 3]
            out = torch::Tensor();
            // The previous chunk's copy finished while this one computed; its disk write now
            // overlaps the next chunk's queued GPU work.
            write_transferred(file);
            m_transfer.start(contribution);
            if (m_events.on_chunk) {
                m_events.on_chunk(0, "tile " + std::to_string(index + 1) + "/" +
                                         std::to_string(tile_count) + ", chunk " +
                                         std::to_string(chunk + 1) + "/" +
                                         std::to_string(frame_plan.chunks));
            }
        }
        write_transferred(file);
        file.close_after_writing();
    }

    void write_transferred(ScratchFile& file) {
        if (m_transfer.pending()) {
            file.append(m_transfer.wait());
        }
    }

    // Sums the next slice of frames from the scratch files (tile order, float32, as the
    // frame-major canvas does) and appends them to `out`.
    void emit_slice(std::vector<Frame>& out) {
        const auto end = std::min(m_received, m_emitted + kFramesPerSlice);
        const auto scale = m_plan.scale;
        for (auto frame_index = m_emitted; frame_index < end; ++frame_index) {
            auto canvas =
                torch::zeros({m_geometry.output_height, m_geometry.output_width, 3}, torch::kFloat);
            for (std::size_t i = 0; i < m_plan.tiles.size(); ++i) {
                const auto& tile = m_plan.tiles[i];
                auto block =
                    torch::empty({tile.height() * scale, tile.width() * scale, 3}, torch::kFloat);
                m_files[i]->read_frame(frame_index, block.data_ptr());
                canvas.narrow(0, tile.y0 * scale, block.size(0))
                    .narrow(1, tile.x0 * scale, block.size(1))
                    .add_(block);
            }
            // [-1, 1] -> [0, 1] as the frame-major order converts its canvas.
            const auto pixels = ((canvas + 1) * 0.5).clamp(0, 1).contiguous();
            const auto& info = m_pending.front();
            Frame frame;
            frame.allocate(static_cast<int>(m_geometry.output_width),
                           static_cast<int>(m_geometry.output_height), SampleType::F32);
            frame.bit_depth = 32;
            frame.index = info.index;
            frame.pts = info.pts;
            frame.time_base = info.time_base;
            std::memcpy(frame.data.data(), pixels.data_ptr<float>(), frame.data.size());
            out.push_back(std::move(frame));
            m_pending.pop_front();
        }
        const auto first = m_emitted;
        m_emitted = end;
        if (m_events.on_chunk && end > first) {
            m_events.on_chunk(m_emitted, "frames " + std::to_string(first + 1) + "-" +
                                             std::to_string(end) + "/" +
                                             std::to_string(m_received));
        }
    }

    UpscalerConfig m_config;
    UpscalerEvents m_events;
    LqGeometry m_geometry;
    TilePlan m_plan;
    std::unique_ptr<FlashVsrStream> m_base;
    ChunkNoise m_noise;
    std::vector<torch::Tensor> m_weights;  // per tile [rows, cols] float32 on the CPU
    CancelToken m_cancel;
    State m_state = State::Buffering;
    Error m_failure;
    std::vector<torch::Tensor> m_sources;  // [h, w, 3] per pushed frame, on the CPU
    std::deque<PendingFrame> m_pending;    // metadata of frames not yet emitted
    std::int64_t m_received = 0;
    std::int64_t m_emitted = 0;
    ScratchFolder m_folder;
    std::vector<std::unique_ptr<ScratchFile>> m_files;  // per tile, in m_folder
    HostTransfer m_transfer;  // a tile chunk's contribution on its way to the host
};

}  // namespace

std::int64_t tile_major_scratch_bytes_per_frame(const TilePlan& plan) {
    std::int64_t bytes = 0;
    for (const auto& tile : plan.tiles) {
        bytes += tile.height() * tile.width() * plan.scale * plan.scale * 3 *
                 static_cast<std::int64_t>(sizeof(float));
    }
    return bytes;
}

std::unique_ptr<Upscaler> make_tile_major_upscaler(TileMajorSetup setup) {
    return std::make_unique<TileMajorUpscaler>(std::move(setup));
}

}  // namespace engine::pipeline::detail
