#pragma once
// The tile-major order of a tiled run (TileOrder::TileMajor, private header): tile after tile,
// each runs every chunk of the run with its streaming state resident on the run device. Every
// tile but the last writes its blend-weighted output to a scratch file. The last tile runs one
// chunk per finish() call: its chunk k+1 is queued on the device, then chunk k's frames are summed
// (the earlier tiles read back from the files, the last tile's part from host memory) and handed
// out, so the summing overlaps the device's work.
//
// Memory: the device holds the weights, one tile's state and one chunk's working tensors; host
// memory holds the source frames pushed (input size; they grow with the run, which the caller
// bounds by segmenting), one chunk of output frames (21 for chunk 0, then 8) and one frame of
// every scratch file. Each tile's model input is resampled per chunk from a crop of the source
// frames (prepare_lq_region: the tile's source plus the taps' reach; for torch's bicubic at a
// scale that is not a power of two the crop starts at the frame's origin, one frame at a time),
// never from full output-size frames at once.
// Scratch: tile_major_scratch_bytes_per_frame() x frames on disk while the run lasts.
//
// Same frames as the frame-major order (TiledChunkRunner): the same LQ, cond and noise crops per
// tile and chunk (noise replayed per chunk from saved generator states, see ChunkNoise), the same
// weights, float32 sums in tile order.

#include "engine/pipeline/flashvsr_stream.h"
#include "engine/pipeline/input_prep.h"
#include "engine/pipeline/tile_plan.h"
#include "engine/pipeline/upscaler.h"
#include "upscaler_common.h"

#include <cstdint>
#include <filesystem>
#include <memory>
#include <vector>

namespace engine::pipeline::detail {

struct TileMajorSetup {
    UpscalerConfig config;  // scratch_dir, lq_resample, device description
    UpscalerEvents events;
    LqGeometry geometry;
    TilePlan plan;
    // Holds the weights, settings and prompt K/V; every tile runs on a create_sibling() of it
    // (its own state is never used, so it stays empty).
    std::unique_ptr<FlashVsrStream> base;
    ChunkNoise noise;  // with Replay::Keep
};

std::unique_ptr<Upscaler> make_tile_major_upscaler(TileMajorSetup setup);

// Scratch bytes per output frame: the kept region of every tile but the last (which goes
// straight to the frames), float32 RGB.
std::int64_t tile_major_scratch_bytes_per_frame(const TilePlan& plan);

class ScratchFile;

// The scratch files of one tile-major run, one per tile in [0, file_count), in a private folder
// removed with everything in it by remove() or the destructor. A file holds its tile's weighted
// output frames [rows, cols, 3] float32 (rows, cols: the tile's size x plan.scale), frame after
// frame, written once in frame order. Errors are thrown as EngineException with the path
// (DiskFull with needed_bytes when writing fails for space). Threads: one driving thread;
// read_frame() reads the files in parallel on ATen's intra-op threads.
class TileScratch {
  public:
    TileScratch(const TilePlan& plan, std::size_t file_count);
    ~TileScratch();
    TileScratch(const TileScratch&) = delete;
    TileScratch& operator=(const TileScratch&) = delete;

    // Creates "<parent>/flashvsr-tiles-XXXXXX" (parent: the system temporary folder if empty)
    // and the files' paths; DiskFull at once when the file system has less than needed_bytes
    // free (the whole run's scratch).
    void create(const std::filesystem::path& parent, std::int64_t needed_bytes);
    const std::filesystem::path& path() const;

    void open_for_writing(std::size_t file);
    // frames: [n, rows, cols, 3] float32, contiguous, on the CPU.
    void append(std::size_t file, const torch::Tensor& frames);
    void close_after_writing(std::size_t file);

    // Frame `frame` of every file, one pointer per file ([rows, cols, 3] float32), read into
    // buffers kept from call to call; valid until the next read_frame() or remove().
    const std::vector<const float*>& read_frame(std::int64_t frame);

    void remove();

  private:
    class Folder;
    std::unique_ptr<Folder> m_folder;
    std::vector<std::unique_ptr<ScratchFile>> m_files;
    std::vector<std::int64_t> m_frame_bytes;    // per file
    std::vector<std::vector<float>> m_buffers;  // per file, one frame
    std::vector<const float*> m_blocks;         // what read_frame() returns
};

// Sums one output frame from its tiles' weighted blocks as the frame-major canvas does: per
// pixel 0 + block_0 + block_1 + ... over the tiles covering it in plan order (float32), then
// (c + 1) * 0.5 clamped to [0, 1] (NaN stays NaN, as torch's clamp). Writes the frame straight
// into `into` ([output_height, output_width, 3] of `type`: float32, or for U8 / U16 that value
// through quantize_unit, what from_float() makes of the float frame), in parallel over output
// rows (ATen's intra-op threads); an integer type sums each row in a per-task float row.
class TileFrameAssembler {
  public:
    TileFrameAssembler(const TilePlan& plan, std::int64_t output_height, std::int64_t output_width);
    // blocks[i]: tile i's block for the frame, [rows_i, cols_i, 3] float32; one per plan tile.
    void assemble(const std::vector<const float*>& blocks, void* into, SampleType type) const;
    void assemble(const std::vector<const float*>& blocks, float* into) const {
        assemble(blocks, into, SampleType::F32);
    }

  private:
    struct Span {
        std::int64_t tile;
        std::int64_t row0;  // output rows [row0, row1)
        std::int64_t row1;
        std::int64_t col0;  // output column of the block's first pixel
        std::int64_t cols;
    };
    std::vector<Span> m_spans;  // in plan order
    std::int64_t m_height;
    std::int64_t m_width;
};

}  // namespace engine::pipeline::detail
