// flashvsr: the command-line front end. Composition root: parses options, installs the log sink
// and the Ctrl-C handler, and runs one command. Exit status: 0 on success, otherwise the engine's
// ErrorCode value (see engine/core/error.h; 4 = stopped by the user), so scripts can tell
// failures apart; 130 when a second Ctrl-C ended the process at once.

#include "cli_options.h"
#include "commands.h"
#include "engine/core/log.h"
#include "engine/gpu/allocator_config.h"
#include "error_text.h"

#include <atomic>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <string>
#include <unistd.h>

namespace {

engine::CancelToken g_cancel;
std::atomic<int> g_interrupts{0};

void write_stderr(const char* text) {
    // write(2) is async-signal-safe; stdio is not.
    ssize_t ignored = ::write(STDERR_FILENO, text, std::strlen(text));
    (void)ignored;
}

// First SIGINT/SIGTERM: stop cleanly between frames (finished segments are durable, the job
// ends Cancelled and says how to resume). Second: quit at once; the manifest is rewritten
// atomically, so the interrupted segment is simply redone on resume.
void on_signal(int) {
    if (g_interrupts.fetch_add(1) == 0) {
        g_cancel.cancel();
        write_stderr(
            "\nflashvsr: stopping after the current frame; finished segments are kept "
            "(Ctrl-C again quits at once)\n");
        return;
    }
    write_stderr("\nflashvsr: quit; run the same command again to resume\n");
    ::_exit(130);
}

}  // namespace

int main(int argc, char** argv) {
    auto parsed = cli::parse_options(argc, argv);
    if (!parsed.ok()) {
        std::fprintf(stderr, "flashvsr: %s\n", cli::describe_error(parsed.error()).c_str());
        return static_cast<int>(parsed.error().code);
    }
    cli::Options options = std::move(parsed).value();
    // Before any CUDA use and before worker threads start: expandable allocator segments
    // (docs/PERFORMANCE.md: +4.6 % throughput, 0.6 GiB less reserved at 768x1408), for runs on
    // one GPU only: with two GPU workers in the process, loading weights sometimes failed with
    // "CUDA driver error: operation not permitted" (2x H200, scripts/gpu/multigpu.sh).
    std::size_t gpu_workers = 0;
    for (const auto& device : options.spec.devices) {
        gpu_workers += device == "all" ? 2 : device == "cpu" ? 0 : 1;
    }
    if (!options.multi_gpu && gpu_workers <= 1) {
        engine::gpu::configure_cuda_allocator();
    }
    const bool quiet = options.quiet;
    engine::set_log_sink([quiet](engine::LogLevel level, std::string_view message) {
        if (quiet && level < engine::LogLevel::Warning) {
            return;
        }
        const char* tag = level >= engine::LogLevel::Error     ? "error"
                          : level >= engine::LogLevel::Warning ? "warning"
                                                               : "info";
        std::fprintf(stderr, "flashvsr: %s: %.*s\n", tag, static_cast<int>(message.size()),
                     message.data());
    });
    struct sigaction action {};
    action.sa_handler = on_signal;
    sigemptyset(&action.sa_mask);
    sigaction(SIGINT, &action, nullptr);
    sigaction(SIGTERM, &action, nullptr);

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
        case cli::Command::Assemble:
            status = cli::run_assemble(options, g_cancel);
            break;
        case cli::Command::Plan:
            status = cli::run_plan(options, g_cancel);
            break;
    }
    if (!status.ok()) {
        std::fprintf(stderr, "flashvsr: %s\n", cli::describe_error(status.error()).c_str());
        return static_cast<int>(status.error().code);
    }
    return 0;
}
