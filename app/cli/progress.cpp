#include "progress.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <unistd.h>
#include <vector>

namespace cli {

namespace {

std::string gib(std::uint64_t bytes) {
    char text[32];
    std::snprintf(text, sizeof(text), "%.1f", static_cast<double>(bytes) / (1024.0 * 1024 * 1024));
    return text;
}

std::string stage_text(const engine::jobs::JobProgress& p) {
    return p.stage_name.empty() ? std::string(engine::jobs::job_stage_name(p.stage)) : p.stage_name;
}

}  // namespace

ProgressView::ProgressView(bool enabled)
    : m_enabled(enabled),
      m_tty(::isatty(STDERR_FILENO) != 0),
      m_last_draw(std::chrono::steady_clock::now() - std::chrono::seconds(1)) {}

void ProgressView::post(const engine::jobs::JobProgress& progress) {
    std::lock_guard<std::mutex> lock(m_mutex);
    m_latest = progress;
    ++m_posted;
}

std::string ProgressView::format_duration(double seconds) {
    if (!(seconds >= 0) || !std::isfinite(seconds)) {
        return "--:--:--";
    }
    auto s = static_cast<long long>(std::llround(seconds));
    char text[32];
    std::snprintf(text, sizeof(text), "%02lld:%02lld:%02lld", s / 3600, (s / 60) % 60, s % 60);
    return text;
}

std::string ProgressView::format_line(const engine::jobs::JobProgress& p) {
    std::vector<std::string> parts;
    if (p.frames_total > 0) {
        const int width = 24;
        const int filled = static_cast<int>(
            std::clamp<std::int64_t>(p.frames_done * width / p.frames_total, 0, width));
        parts.push_back("[" + std::string(static_cast<std::size_t>(filled), '#') +
                        std::string(static_cast<std::size_t>(width - filled), '.') + "] " +
                        std::to_string(p.frames_done) + "/" + std::to_string(p.frames_total) +
                        " frames");
    } else if (p.frames_done > 0) {
        parts.push_back(std::to_string(p.frames_done) + " frames");
    }
    if (p.fps > 0) {
        char rate[32];
        std::snprintf(rate, sizeof(rate), "%.2f fps", p.fps);
        parts.push_back(rate);
    }
    if (p.eta_ms >= 0 && p.stage != engine::jobs::JobStage::Done) {
        parts.push_back("ETA " + format_duration(static_cast<double>(p.eta_ms) / 1000.0));
    }
    parts.push_back(stage_text(p));
    if (p.stage == engine::jobs::JobStage::Upscaling && p.segments_total > 0) {
        // The segment being worked on (the first unfinished one when several workers run).
        parts.push_back("segment " +
                        std::to_string(std::min(p.segments_done + 1, p.segments_total)) + "/" +
                        std::to_string(p.segments_total));
    }
    for (const auto& g : p.gpu_memory) {
        std::string text = "GPU" + std::to_string(g.gpu_index) + " " + gib(g.used_bytes) + "/" +
                           gib(g.total_bytes) + " GiB";
        if (g.peak_used_bytes > g.used_bytes) {
            text += " (peak " + gib(g.peak_used_bytes) + ")";
        }
        parts.push_back(text);
    }
    std::string line;
    for (const auto& part : parts) {
        line += (line.empty() ? "" : "  ") + part;
    }
    return line;
}

void ProgressView::draw_if_due() {
    if (!m_enabled) {
        return;
    }
    std::optional<engine::jobs::JobProgress> latest;
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        if (!m_latest || m_posted == m_drawn) {
            return;
        }
        latest = m_latest;
        m_drawn = m_posted;
    }
    const auto now = std::chrono::steady_clock::now();
    const std::string stage = stage_text(*latest);
    if (m_tty) {
        if (stage == m_last_stage && now - m_last_draw < std::chrono::milliseconds(100)) {
            return;
        }
    } else {
        const int decile = latest->frames_total > 0
                               ? static_cast<int>(latest->frames_done * 10 / latest->frames_total)
                               : -1;
        if (stage == m_last_stage && decile == m_last_decile) {
            return;
        }
        m_last_decile = decile;
    }
    m_last_stage = stage;
    m_last_draw = now;
    draw(*latest, false);
}

void ProgressView::finish() {
    if (!m_enabled) {
        return;
    }
    std::optional<engine::jobs::JobProgress> latest;
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        latest = m_latest;
    }
    if (latest && m_tty) {
        draw(*latest, true);
    } else if (m_line_open) {
        std::fputc('\n', stderr);
    }
    m_line_open = false;
}

void ProgressView::draw(const engine::jobs::JobProgress& progress, bool final) {
    const std::string line = format_line(progress);
    if (m_tty) {
        std::fprintf(stderr, "\r\033[K%s%s", line.c_str(), final ? "\n" : "");
        m_line_open = !final;
    } else {
        std::fprintf(stderr, "%s\n", line.c_str());
    }
    std::fflush(stderr);
}

}  // namespace cli
