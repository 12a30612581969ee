#pragma once
// Static row partitioning over std::thread for the scalers and per-sample colour operations.
// Work is split into contiguous ranges, one per thread; the calling thread takes the first range
// so a single-threaded call spawns nothing.

#include <algorithm>
#include <thread>
#include <vector>

namespace engine::imaging::detail {

// Threads to use for `rows` rows of about `cost_per_row` sample operations: `requested` (0 =
// hardware_concurrency), but never so many that a thread gets less than ~64k operations, where
// starting it costs more than it saves.
inline int thread_count_for(int requested, long long rows, long long cost_per_row) {
    int threads = requested > 0 ? requested : static_cast<int>(std::thread::hardware_concurrency());
    threads = std::max(threads, 1);
    const long long min_ops_per_thread = 1 << 16;
    const long long total = std::max(1LL, rows * std::max(1LL, cost_per_row));
    const long long by_work = std::max(1LL, total / min_ops_per_thread);
    const long long by_rows = std::max(1LL, rows);
    return static_cast<int>(std::min<long long>({threads, by_work, by_rows}));
}

// Calls fn(begin, end) on disjoint ranges covering [0, count), on up to `threads` threads, and
// returns when all have finished. fn must not throw.
template <typename Fn>
void parallel_ranges(long long count, int threads, const Fn& fn) {
    if (count <= 0) {
        return;
    }
    threads = static_cast<int>(std::clamp<long long>(threads, 1, count));
    if (threads == 1) {
        fn(0LL, count);
        return;
    }
    std::vector<std::thread> workers;
    workers.reserve(static_cast<std::size_t>(threads - 1));
    const long long chunk = count / threads;
    const long long extra = count % threads;
    long long begin = 0;
    long long first_end = 0;
    for (int t = 0; t < threads; ++t) {
        const long long end = begin + chunk + (t < extra ? 1 : 0);
        if (t == 0) {
            first_end = end;
        } else {
            workers.emplace_back([&fn, begin, end] { fn(begin, end); });
        }
        begin = end;
    }
    fn(0LL, first_end);
    for (auto& worker : workers) {
        worker.join();
    }
}

}  // namespace engine::imaging::detail
