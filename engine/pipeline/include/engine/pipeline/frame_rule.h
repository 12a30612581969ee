#pragma once
// Frame counting of the streaming pipeline (spec §3.1 UF rule, §3.3, §3.7). Torch-free.
//
// N source frames are padded with copies of the last one to N_pad = the next 8n+5 >= max(N, 21),
// plus 4 look-ahead copies: F = N_pad + 4 = 8m + 1 model frames, m - 2 chunks, 2m latents. The
// pipeline emits N_pad frames and the caller keeps the first N, so no frame is ever lost.

#include <cstdint>

namespace engine::pipeline {

// RoPE has 1024 temporal positions (spec §2.1.3): chunk k uses latent positions up to 5 + 2k, so
// one run holds at most 510 chunks = 4093 output frames. Longer inputs must be split into
// segments (each a fresh run).
constexpr std::int64_t kMaxChunks = 510;
constexpr std::int64_t kMaxSourceFrames = 8 * (kMaxChunks - 1) + 21;  // 4093

struct FramePlan {
    std::int64_t source_frames = 0;  // N
    std::int64_t padded_frames = 0;  // N_pad = 8n + 5 >= max(N, 21): frames the model emits
    std::int64_t model_frames = 0;   // F = N_pad + 4 = 8m + 1: frames the model reads
    std::int64_t chunks = 0;         // m - 2
    std::int64_t latent_frames = 0;  // 2m
};

// source_frames >= 1.
FramePlan plan_frames(std::int64_t source_frames);

// What chunk k reads and writes, as half-open frame ranges [begin, end).
struct ChunkSpan {
    std::int64_t lq_begin = 0;  // LQ frames fed to the projector
    std::int64_t lq_end = 0;
    std::int64_t latent_begin = 0;  // latent frames (also the RoPE temporal position)
    std::int64_t latent_end = 0;
    std::int64_t output_begin = 0;  // output frames produced (= LQ cond / colour-fix frames)
    std::int64_t output_end = 0;
};
// chunk 0: LQ [0, 25), latents [0, 6), output [0, 21);
// chunk k: LQ [8k+17, 8k+25), latents [4+2k, 6+2k), output [8k+13, 8k+21).
ChunkSpan chunk_span(std::int64_t chunk);

}  // namespace engine::pipeline
