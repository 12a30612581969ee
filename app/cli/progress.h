#pragma once
// The progress line of a running job on stderr: frames, fps, ETA, stage, segment k/n and the GPU
// memory of the job's devices. On a terminal it redraws one line (at most 10 times a second);
// otherwise (logs, CI, Slurm) it prints a line at every stage change and every 10 % of frames.
//
// Threads: post() is called by the job's worker threads (JobEvents::on_progress); it only copies
// the value under a mutex and never writes output, as job_events.h asks. draw_if_due() and
// finish() are called by the thread that owns the terminal (the CLI's main thread).

#include "engine/jobs/job_events.h"

#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>

namespace cli {

class ProgressView {
  public:
    explicit ProgressView(bool enabled);

    void post(const engine::jobs::JobProgress& progress);
    void draw_if_due();
    // Draws the last value once more and ends the line.
    void finish();

    // "[#####.........] 120/480 frames  3.20 fps  ETA 00:01:52  upscaling  segment 2/5  GPU0
    // 10.2/80.0 GiB (peak 12.5)" (no bar when the total is unknown; the peak when above the
    // current use; no GPU part on CPU jobs).
    static std::string format_line(const engine::jobs::JobProgress& progress);
    // "01:02:03" for seconds >= 0, "--:--:--" when unknown.
    static std::string format_duration(double seconds);

  private:
    void draw(const engine::jobs::JobProgress& progress, bool final);

    bool m_enabled;
    bool m_tty;
    std::mutex m_mutex;
    std::optional<engine::jobs::JobProgress> m_latest;  // guarded by m_mutex
    std::uint64_t m_posted = 0;                         // guarded by m_mutex
    std::uint64_t m_drawn = 0;
    std::chrono::steady_clock::time_point m_last_draw;
    std::string m_last_stage;
    int m_last_decile = -1;
    bool m_line_open = false;
};

}  // namespace cli
