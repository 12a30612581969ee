// Test helper: runs the job described by a JSON spec file to its end, as the CLI would.
// The kill -9 tests start it, kill it at random moments or at a chosen commit, and run it again.
//
//   fvsr_job_runner SPEC.json [--kill-after-rename SUBSTRING]
//
// --kill-after-rename sends SIGKILL to this process right after the first rename(2) whose
// destination contains SUBSTRING: every commit of the engine (segment chunk, manifest, final
// output) is such a rename, so this stops the job exactly after one commit. The rename() defined
// below is the one the engine's calls resolve to (an executable's definition interposes libc's).
//
// Exit status: 0 on success, else the engine ErrorCode's number.

#include "engine/jobs/job_queue.h"

#include <csignal>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <sstream>
#include <stdio.h>
#include <string>

namespace {
std::string g_kill_after;  // empty: no kill
}  // namespace

extern "C" int rename(const char* from, const char* to) noexcept {
    const int rc = ::renameat(AT_FDCWD, from, AT_FDCWD, to);
    if (!g_kill_after.empty() && std::strstr(to, g_kill_after.c_str()) != nullptr) {
        ::raise(SIGKILL);
    }
    return rc;
}

int main(int argc, char** argv) {
    if (argc == 4 && std::string(argv[2]) == "--kill-after-rename") {
        g_kill_after = argv[3];
    } else if (argc != 2) {
        std::fprintf(stderr, "usage: fvsr_job_runner SPEC.json [--kill-after-rename SUBSTRING]\n");
        return 2;
    }
    std::ifstream in(argv[1], std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    auto spec = engine::jobs::job_spec_from_json(text.str());
    if (!spec.ok()) {
        std::fprintf(stderr, "%s\n", spec.error().to_string().c_str());
        return static_cast<int>(spec.error().code);
    }
    auto result = engine::jobs::run_job(*spec);
    if (!result.ok()) {
        std::fprintf(stderr, "%s\n", result.error().to_string().c_str());
        return static_cast<int>(result.error().code);
    }
    std::printf("segments %d resumed %d frames %lld%s\n", result->segments_total,
                result->segments_resumed, static_cast<long long>(result->frames_total),
                result->already_done ? " already done" : "");
    return 0;
}
