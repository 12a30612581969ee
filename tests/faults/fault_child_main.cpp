// Test helper of tests/faults: runs the job of a JSON spec file to its end, like the CLI, with
// one injected fault chosen on the command line:
//
//   fvsr_fault_child SPEC.json [--file-size-limit BYTES]
//                              [--kill-at-rename SUBSTRING ORDINAL before|after]
//
// --file-size-limit sets RLIMIT_FSIZE (SIGXFSZ ignored), so a write past BYTES fails with EFBIG
// exactly where a full disk fails with ENOSPC; no tmpfs or root rights needed.
// --kill-at-rename sends SIGKILL to this process at the ORDINAL-th (1-based) rename(2) whose
// destination contains SUBSTRING, just before or just after it happens. Every commit of the
// engine (a segment file, the manifest, the final output) is a rename of a fully written and
// fsync'ed temporary file (engine::commit_rename), so these are the moments where a crash is
// most likely to expose an ordering bug. The engine is linked statically into this program, so
// the rename() defined below is the one its calls resolve to.
//
// Exit status: 0 on success, else the engine ErrorCode's number; the error text goes to stdout.

#include "engine/jobs/job_queue.h"

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <sstream>
#include <stdio.h>
#include <string>
#include <sys/resource.h>

namespace {

enum class KillMoment { Before, After };

struct KillPlan {
    bool armed = false;
    std::string substring;
    int ordinal = 0;
    KillMoment moment = KillMoment::Before;
    int seen = 0;
};

KillPlan g_kill_plan;

int usage() {
    std::fprintf(stderr,
                 "usage: fvsr_fault_child SPEC.json [--file-size-limit BYTES] "
                 "[--kill-at-rename SUBSTRING ORDINAL before|after]\n");
    return 2;
}

}  // namespace

// Interposes libc's rename() for the statically linked engine (see the file comment).
extern "C" int rename(const char* from, const char* to) noexcept {
    bool kill_after = false;
    if (g_kill_plan.armed && std::strstr(to, g_kill_plan.substring.c_str()) != nullptr &&
        ++g_kill_plan.seen == g_kill_plan.ordinal) {
        if (g_kill_plan.moment == KillMoment::Before) {
            ::raise(SIGKILL);
        }
        kill_after = true;
    }
    const int rc = ::renameat(AT_FDCWD, from, AT_FDCWD, to);
    if (kill_after) {
        ::raise(SIGKILL);
    }
    return rc;
}

int main(int argc, char** argv) {
    if (argc < 2) {
        return usage();
    }
    for (int i = 2; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg == "--file-size-limit" && i + 1 < argc) {
            struct rlimit limit {};
            ::getrlimit(RLIMIT_FSIZE, &limit);
            limit.rlim_cur = std::strtoull(argv[++i], nullptr, 10);
            std::signal(SIGXFSZ, SIG_IGN);
            if (::setrlimit(RLIMIT_FSIZE, &limit) != 0) {
                std::perror("setrlimit");
                return 2;
            }
        } else if (arg == "--kill-at-rename" && i + 3 < argc) {
            g_kill_plan.armed = true;
            g_kill_plan.substring = argv[i + 1];
            g_kill_plan.ordinal = std::atoi(argv[i + 2]);
            g_kill_plan.moment =
                std::string(argv[i + 3]) == "after" ? KillMoment::After : KillMoment::Before;
            i += 3;
        } else {
            return usage();
        }
    }
    std::ifstream in(argv[1], std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    auto spec = engine::jobs::job_spec_from_json(text.str());
    if (!spec.ok()) {
        std::printf("%s\n", spec.error().to_string().c_str());
        return static_cast<int>(spec.error().code);
    }
    auto result = engine::jobs::run_job(*spec);
    if (!result.ok()) {
        std::printf("%s\n", result.error().to_string().c_str());
        return static_cast<int>(result.error().code);
    }
    std::printf("segments %d resumed %d frames %lld\n", result->segments_total,
                result->segments_resumed, static_cast<long long>(result->frames_total));
    return 0;
}
