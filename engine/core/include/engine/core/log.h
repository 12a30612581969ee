#pragma once
// Engine log. A sink is installed once by the composition root (CLI or GUI); the engine itself
// writes plain English developer messages. Thread-safe: may be called from any thread.

#include <functional>
#include <string>
#include <string_view>

namespace engine {

enum class LogLevel { Debug = 0, Info = 1, Warning = 2, Error = 3 };

using LogSink = std::function<void(LogLevel, std::string_view message)>;

// Replaces the sink; the default writes Warning and above to stderr.
void set_log_sink(LogSink sink);
void set_log_level(LogLevel minimum);
void log(LogLevel level, std::string_view message);

inline void log_debug(std::string_view m) {
    log(LogLevel::Debug, m);
}
inline void log_info(std::string_view m) {
    log(LogLevel::Info, m);
}
inline void log_warning(std::string_view m) {
    log(LogLevel::Warning, m);
}
inline void log_error(std::string_view m) {
    log(LogLevel::Error, m);
}

}  // namespace engine
