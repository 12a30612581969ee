#pragma once
// This process's memory as the memory-flatness test and benchmark sample it while a job runs
// (header-only, so the benchmark uses it without the test support library). Linux and glibc.
//
// resident_bytes: pages in RAM (/proc/self/statm), what a user watching `top` sees.
// heap_in_use_bytes: bytes malloc has handed out and not got back (mallinfo2), the allocator
// view: LibTorch's CPU tensors, FFmpeg's buffers and our frames all come from malloc, so a leak
// shows here even when freed pages stay resident.
//
// Thread-safe (reads only).

#include <cstdint>
#include <cstdio>
#include <malloc.h>
#include <unistd.h>
#include <vector>

namespace jobs_test {

inline std::int64_t resident_bytes() {
    std::FILE* f = std::fopen("/proc/self/statm", "r");
    if (f == nullptr) {
        return -1;
    }
    long long pages_total = 0;
    long long pages_resident = 0;
    const int n = std::fscanf(f, "%lld %lld", &pages_total, &pages_resident);
    std::fclose(f);
    return n == 2 ? pages_resident * static_cast<std::int64_t>(::sysconf(_SC_PAGESIZE)) : -1;
}

inline std::int64_t heap_in_use_bytes() {
    const struct mallinfo2 info = ::mallinfo2();
    return static_cast<std::int64_t>(info.uordblks + info.hblkhd);
}

// One reading taken when `frames_done` output frames were finished.
struct MemorySample {
    std::int64_t frames_done = 0;
    std::int64_t resident = 0;
    std::int64_t heap = 0;
};

// The last sample taken at or before `fraction` of `total` frames (the first one if none).
inline MemorySample sample_at(const std::vector<MemorySample>& samples,
                              double fraction,
                              std::int64_t total) {
    MemorySample found = samples.empty() ? MemorySample() : samples.front();
    for (const auto& s : samples) {
        if (static_cast<double>(s.frames_done) <= fraction * static_cast<double>(total)) {
            found = s;
        }
    }
    return found;
}

// Least-squares slope of resident memory over frames, in bytes per frame, from the samples at or
// after `from_fraction` of the total (the start-up before it fills caches and pools).
inline double resident_slope(const std::vector<MemorySample>& samples,
                             double from_fraction,
                             std::int64_t total) {
    double n = 0;
    double sx = 0;
    double sy = 0;
    double sxx = 0;
    double sxy = 0;
    for (const auto& s : samples) {
        if (static_cast<double>(s.frames_done) < from_fraction * static_cast<double>(total)) {
            continue;
        }
        const double x = static_cast<double>(s.frames_done);
        const double y = static_cast<double>(s.resident);
        n += 1;
        sx += x;
        sy += y;
        sxx += x * x;
        sxy += x * y;
    }
    const double d = n * sxx - sx * sx;
    return n < 2 || d == 0 ? 0.0 : (n * sxy - sx * sy) / d;
}

}  // namespace jobs_test
