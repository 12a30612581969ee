#include "engine/core/log.h"

#include <atomic>
#include <cstdio>
#include <mutex>

namespace engine {
namespace {

std::mutex g_mutex;
LogSink g_sink;  // empty = default stderr sink
std::atomic<int> g_minimum{static_cast<int>(LogLevel::Warning)};

const char* level_name(LogLevel level) {
    switch (level) {
        case LogLevel::Debug:
            return "debug";
        case LogLevel::Info:
            return "info";
        case LogLevel::Warning:
            return "warning";
        case LogLevel::Error:
            return "error";
    }
    return "?";
}

}  // namespace

void set_log_sink(LogSink sink) {
    std::lock_guard<std::mutex> lock(g_mutex);
    g_sink = std::move(sink);
}

void set_log_level(LogLevel minimum) {
    g_minimum.store(static_cast<int>(minimum));
}

void log(LogLevel level, std::string_view message) {
    if (static_cast<int>(level) < g_minimum.load()) {
        return;
    }
    std::lock_guard<std::mutex> lock(g_mutex);
    if (g_sink) {
        g_sink(level, message);
        return;
    }
    std::fprintf(stderr, "[%s] %.*s\n", level_name(level), static_cast<int>(message.size()),
                 message.data());
}

}  // namespace engine
