#pragma once
// A text progress bar on stderr with frames, fps and ETA. On a terminal it redraws one line
// (throttled to 10 Hz); otherwise it prints a line every 10 % so logs stay readable.

#include <chrono>
#include <cstdint>
#include <string>

namespace cli {

class ProgressBar {
  public:
    ProgressBar(std::int64_t total_frames, bool enabled);
    void update(std::int64_t frames_done, const std::string& stage = {});
    void finish(std::int64_t frames_done);

    // "01:02:03" for seconds >= 0, "--:--:--" when unknown.
    static std::string format_duration(double seconds);

  private:
    void draw(std::int64_t frames_done, const std::string& stage, bool final);

    std::int64_t m_total;
    bool m_enabled;
    bool m_tty;
    std::chrono::steady_clock::time_point m_start;
    std::chrono::steady_clock::time_point m_last_draw;
    int m_last_decile = -1;
};

}  // namespace cli
