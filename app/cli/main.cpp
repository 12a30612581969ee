// flashvsr: the command-line front end. Composition root: parses options, installs the log sink,
// and runs one command. Exit status: 0 on success, otherwise the engine's ErrorCode value
// (see engine/core/error.h), so scripts can tell failures apart.

#include "cli_options.h"
#include "commands.h"
#include "engine/core/log.h"
#include "error_text.h"

#include <csignal>
#include <cstdio>
#include <string>

namespace {

engine::CancelToken g_cancel;

void on_signal(int) {
    g_cancel.cancel();
}

}  // namespace

int main(int argc, char** argv) {
    auto parsed = cli::parse_options(argc, argv);
    if (!parsed.ok()) {
        std::fprintf(stderr, "flashvsr: %s\n", cli::describe_error(parsed.error()).c_str());
        return static_cast<int>(parsed.error().code);
    }
    cli::Options options = std::move(parsed).value();
    engine::set_log_sink([](engine::LogLevel level, std::string_view message) {
        const char* tag = level >= engine::LogLevel::Error     ? "error"
                          : level >= engine::LogLevel::Warning ? "warning"
                                                               : "info";
        std::fprintf(stderr, "flashvsr: %s: %.*s\n", tag, static_cast<int>(message.size()),
                     message.data());
    });
    std::signal(SIGINT, on_signal);
    std::signal(SIGTERM, on_signal);

    engine::Status status;
    switch (options.command) {
        case cli::Command::Help:
            std::fputs(cli::usage_text().c_str(), stdout);
            return 0;
        case cli::Command::Version:
            std::fputs(cli::version_text().c_str(), stdout);
            return 0;
        case cli::Command::Devices:
            status = cli::run_devices();
            break;
        case cli::Command::Probe:
            status = cli::run_probe(options);
            break;
        case cli::Command::Upscale:
            status = cli::run_upscale(options, g_cancel);
            break;
    }
    if (!status.ok()) {
        std::fprintf(stderr, "flashvsr: %s\n", cli::describe_error(status.error()).c_str());
        return static_cast<int>(status.error().code);
    }
    return 0;
}
