// Test helper: runs the job described by a JSON spec file to its end, as the CLI would.
// The kill -9 test starts it, kills it at random moments and runs it again to resume.
// Exit status: 0 on success, else the engine ErrorCode's number.

#include "engine/jobs/job_queue.h"

#include <cstdio>
#include <fstream>
#include <sstream>

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: fvsr_job_runner SPEC.json\n");
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
    std::printf("segments %d resumed %d frames %lld\n", result->segments_total,
                result->segments_resumed, static_cast<long long>(result->frames_total));
    return 0;
}
