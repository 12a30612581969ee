#include "progress.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <unistd.h>

namespace cli {

ProgressBar::ProgressBar(std::int64_t total_frames, bool enabled)
    : m_total(total_frames),
      m_enabled(enabled),
      m_tty(::isatty(STDERR_FILENO) != 0),
      m_start(std::chrono::steady_clock::now()),
      m_last_draw(m_start - std::chrono::seconds(1)) {}

std::string ProgressBar::format_duration(double seconds) {
    if (!(seconds >= 0) || !std::isfinite(seconds)) {
        return "--:--:--";
    }
    auto s = static_cast<long long>(std::llround(seconds));
    char text[32];
    std::snprintf(text, sizeof(text), "%02lld:%02lld:%02lld", s / 3600, (s / 60) % 60, s % 60);
    return text;
}

void ProgressBar::update(std::int64_t frames_done, const std::string& stage) {
    if (!m_enabled) {
        return;
    }
    auto now = std::chrono::steady_clock::now();
    if (m_tty) {
        if (now - m_last_draw < std::chrono::milliseconds(100)) {
            return;
        }
    } else {
        int decile = m_total > 0 ? static_cast<int>(frames_done * 10 / m_total) : -1;
        if (decile == m_last_decile) {
            return;
        }
        m_last_decile = decile;
    }
    m_last_draw = now;
    draw(frames_done, stage, false);
}

void ProgressBar::finish(std::int64_t frames_done) {
    if (!m_enabled) {
        return;
    }
    draw(frames_done, "done", true);
}

void ProgressBar::draw(std::int64_t frames_done, const std::string& stage, bool final) {
    double elapsed =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - m_start).count();
    double fps = elapsed > 0 ? static_cast<double>(frames_done) / elapsed : 0.0;
    double eta = (m_total > 0 && fps > 0) ? static_cast<double>(m_total - frames_done) / fps : -1;
    const int width = 30;
    std::string bar;
    if (m_total > 0) {
        int filled =
            static_cast<int>(std::clamp<std::int64_t>(frames_done * width / m_total, 0, width));
        bar = "[" + std::string(static_cast<std::size_t>(filled), '#') +
              std::string(static_cast<std::size_t>(width - filled), '.') + "] ";
    }
    char line[256];
    if (m_total > 0) {
        std::snprintf(line, sizeof(line), "%s%lld/%lld frames  %.2f fps  elapsed %s  ETA %s  %s",
                      bar.c_str(), static_cast<long long>(frames_done),
                      static_cast<long long>(m_total), fps, format_duration(elapsed).c_str(),
                      final ? "00:00:00" : format_duration(eta).c_str(), stage.c_str());
    } else {
        std::snprintf(line, sizeof(line), "%lld frames  %.2f fps  elapsed %s  %s",
                      static_cast<long long>(frames_done), fps, format_duration(elapsed).c_str(),
                      stage.c_str());
    }
    if (m_tty) {
        std::fprintf(stderr, "\r\033[K%s%s", line, final ? "\n" : "");
    } else {
        std::fprintf(stderr, "%s\n", line);
    }
    std::fflush(stderr);
}

}  // namespace cli
