// Torch-free self-test and micro-benchmark of the CUDA kernels (kernels/include). Compares the GPU
// results with plain C++ host references on fresh random inputs and prints one PASS/FAIL line per
// check plus the numbers behind it; the exit status is the number of failed checks (0 = all
// passed; 77 = no CUDA device, printed loudly and reported by CTest as skipped).
//
//   kernels-cuda-selftest            all checks (production shapes spot-checked), ~1 min
//   kernels-cuda-selftest --quick    small shapes + the 768x1408 steady state only
//   kernels-cuda-selftest --bench    checks, then timings of the production shapes
//
// Tolerances (attention, relative L2 over the checked rows against a float64 reference computed
// from the same rounded inputs): bf16 1e-2, fp16 3e-3. Reason: the kernel rounds P to the input
// dtype before the P·V product (as FlashAttention does) and rounds the output; bf16 has 8
// significant bits (≈ 4e-3 relative per rounding), fp16 11 bits. Measured errors are printed.
// Selection: every stage is compared with a host re-implementation of the same arithmetic fed
// with the GPU's previous stage, so pooling, scores and the top-k threshold must match bit for
// bit; probabilities are compared with a float64 softmax of the same scores (tolerance 4e-6
// relative: CUDA's expf is within 2 ulp and the fp32 denominator of ≤ 1024 terms, summed in ~40
// steps, carries a few more), and the end-to-end mask may only differ from the host mask where the
// host probability lies within that tolerance of the host threshold (a near-tie).

#include "kernels/block_select.h"
#include "kernels/block_sparse_attention.h"

#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <cuda_runtime.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <functional>
#include <string>
#include <thread>
#include <vector>

namespace {

int g_failures = 0;

// The attention implementations every case runs with (mma.sync always; wgmma where it can run).
std::vector<kernels::AttentionKernel> g_attention_kernels = {kernels::AttentionKernel::kMmaSync};

const char* kernel_name(kernels::AttentionKernel kernel) {
    switch (kernel) {
        case kernels::AttentionKernel::kAuto:
            return "auto";
        case kernels::AttentionKernel::kMmaSync:
            return "mma.sync";
        case kernels::AttentionKernel::kWgmmaSm90:
            return "wgmma";
    }
    return "?";
}

void report(bool pass, const std::string& name, const std::string& numbers) {
    std::printf("%s  %-58s %s\n", pass ? "PASS" : "FAIL", name.c_str(), numbers.c_str());
    std::fflush(stdout);
    if (!pass) {
        ++g_failures;
    }
}

#define CHECK_CUDA(expr)                                                                        \
    do {                                                                                        \
        const cudaError_t err_ = (expr);                                                        \
        if (err_ != cudaSuccess) {                                                              \
            std::printf("FAIL  CUDA error %s at %s:%d: %s\n", cudaGetErrorName(err_), __FILE__, \
                        __LINE__, cudaGetErrorString(err_));                                    \
            std::exit(100);                                                                     \
        }                                                                                       \
    } while (0)

#define CHECK_STATUS(expr)                                                      \
    do {                                                                        \
        const ::kernels::KernelStatus st_ = (expr);                             \
        if (!st_.ok()) {                                                        \
            std::printf("FAIL  kernel call at %s:%d: %s\n", __FILE__, __LINE__, \
                        st_.message().c_str());                                 \
            std::exit(101);                                                     \
        }                                                                       \
    } while (0)

std::string fmt(const char* format, ...) __attribute__((format(printf, 1, 2)));
std::string fmt(const char* format, ...) {
    char buffer[512];
    va_list args;
    va_start(args, format);
    std::vsnprintf(buffer, sizeof buffer, format, args);
    va_end(args);
    return buffer;
}

// Runs body(i) for i in [0, n) on all hardware threads.
void parallel_for(int64_t n, const std::function<void(int64_t)>& body) {
    const int workers = std::max(1u, std::thread::hardware_concurrency());
    std::atomic<int64_t> next{0};
    std::vector<std::thread> threads;
    for (int w = 0; w < workers; ++w) {
        threads.emplace_back([&] {
            for (int64_t i = next++; i < n; i = next++) {
                body(i);
            }
        });
    }
    for (auto& t : threads) {
        t.join();
    }
}

uint64_t splitmix(uint64_t x) {
    x += 0x9E3779B97F4A7C15ull;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
    return x ^ (x >> 31);
}
// Uniform on [-sqrt(3), sqrt(3)): mean 0, variance 1.
float random_unit(uint64_t seed, uint64_t index) {
    const uint64_t h = splitmix(seed * 0x632BE59BD9B4E019ull + index);
    return (static_cast<float>(h >> 40) * (1.0f / 16777216.0f) * 2.f - 1.f) * 1.7320508f;
}
double random_uniform01(uint64_t seed, uint64_t index) {
    return static_cast<double>(splitmix(seed ^ (index * 0xD1B54A32D192ED03ull)) >> 11) *
           (1.0 / 9007199254740992.0);
}

// Host storage of the 16-bit types as raw bits.
struct Half16 {
    kernels::ScalarType type;
    uint16_t from_float(float x) const {
        if (type == kernels::ScalarType::kBFloat16) {
            return static_cast<__nv_bfloat16_raw>(__float2bfloat16_rn(x)).x;
        }
        return static_cast<__half_raw>(__float2half_rn(x)).x;
    }
    float to_float(uint16_t bits) const {
        if (type == kernels::ScalarType::kBFloat16) {
            uint32_t u = static_cast<uint32_t>(bits) << 16;
            float f;
            std::memcpy(&f, &u, 4);
            return f;
        }
        __half_raw raw;
        raw.x = bits;
        return __half2float(__half(raw));
    }
    float round(float x) const { return to_float(from_float(x)); }
};

template <typename T>
struct DeviceBuffer {
    T* ptr = nullptr;
    size_t count = 0;
    explicit DeviceBuffer(size_t n) : count(n) {
        CHECK_CUDA(cudaMalloc(&ptr, std::max<size_t>(n, 1) * sizeof(T)));
    }
    ~DeviceBuffer() { cudaFree(ptr); }
    DeviceBuffer(const DeviceBuffer&) = delete;
    DeviceBuffer& operator=(const DeviceBuffer&) = delete;
    void upload(const std::vector<T>& host) {
        CHECK_CUDA(cudaMemcpy(ptr, host.data(), host.size() * sizeof(T), cudaMemcpyHostToDevice));
    }
    std::vector<T> download() const {
        std::vector<T> host(count);
        CHECK_CUDA(cudaMemcpy(host.data(), ptr, count * sizeof(T), cudaMemcpyDeviceToHost));
        return host;
    }
};

// ============================== block-sparse attention ======================================

struct AttentionCase {
    std::string name;
    kernels::ScalarType dtype;
    int batch;
    int heads;
    int64_t q_len;
    int64_t k_len;
    double density;     // probability that a (row, key block) pair is selected
    double empty_rows;  // fraction of rows forced empty
    float magnitude;    // input scale (larger = sharper softmax)
    bool packed_qkv;    // q/k/v are views into one [B, L, 3, H, 128] buffer (strided heads)
    int spot_rows;      // 0 = check every row on the host; else this many sampled rows
    uint64_t seed;
};

struct AttentionTensors {
    // Element (b, l, h, d) of x lives at b*batch_stride + l*row_stride + h*head_stride + d.
    int64_t batch_stride, row_stride, head_stride;
};

void run_attention_case(const AttentionCase& c) {
    const Half16 h16{c.dtype};
    const int64_t nqb = kernels::attention_blocks(c.q_len);
    const int64_t nkb = kernels::attention_blocks(c.k_len);
    const int64_t rows = static_cast<int64_t>(c.batch) * c.heads * nqb;
    const int H = c.heads;
    const int D = kernels::kHeadDim;

    // Layouts: packed = [B, L, 3, H, D] (q, k, v interleaved; q/k/v may then have different L
    // only if unpacked, so packed cases use q_len == k_len).
    AttentionTensors lq{}, lk{};
    size_t q_elems, kv_elems;
    if (c.packed_qkv) {
        lq = {c.q_len * 3 * H * D, 3LL * H * D, D};
        lk = lq;
        q_elems = static_cast<size_t>(c.batch) * c.q_len * 3 * H * D;
        kv_elems = 0;
    } else {
        lq = {c.q_len * H * D, 1LL * H * D, D};
        lk = {c.k_len * H * D, 1LL * H * D, D};
        q_elems = static_cast<size_t>(c.batch) * c.q_len * H * D;
        kv_elems = static_cast<size_t>(c.batch) * c.k_len * H * D;
    }
    std::vector<uint16_t> host_q(q_elems), host_k(kv_elems), host_v(kv_elems);
    auto fill = [&](std::vector<uint16_t>& dst, uint64_t seed) {
        parallel_for(static_cast<int64_t>((dst.size() + 65535) / 65536), [&](int64_t chunk) {
            const size_t begin = static_cast<size_t>(chunk) * 65536;
            const size_t end = std::min(dst.size(), begin + 65536);
            for (size_t i = begin; i < end; ++i) {
                dst[i] = h16.from_float(random_unit(seed, i) * c.magnitude);
            }
        });
    };
    fill(host_q, c.seed * 3 + 1);
    fill(host_k, c.seed * 3 + 2);
    fill(host_v, c.seed * 3 + 3);

    // Mask with forced-empty rows.
    std::vector<uint8_t> mask(static_cast<size_t>(rows * nkb));
    for (int64_t r = 0; r < rows; ++r) {
        const bool empty = random_uniform01(c.seed * 7 + 5, r) < c.empty_rows;
        for (int64_t j = 0; j < nkb; ++j) {
            mask[r * nkb + j] =
                !empty && random_uniform01(c.seed * 7 + 6, r * nkb + j) < c.density ? 1 : 0;
        }
    }

    DeviceBuffer<uint16_t> d_q(q_elems), d_k(std::max<size_t>(kv_elems, 1)),
        d_v(std::max<size_t>(kv_elems, 1));
    d_q.upload(host_q);
    if (!c.packed_qkv) {
        d_k.upload(host_k);
        d_v.upload(host_v);
    }
    const size_t out_elems = static_cast<size_t>(c.batch) * c.q_len * H * D;
    DeviceBuffer<uint16_t> d_out(out_elems);
    DeviceBuffer<uint8_t> d_mask(mask.size());
    d_mask.upload(mask);
    DeviceBuffer<int32_t> d_counts(rows), d_indices(rows * nkb), d_order(rows);
    CHECK_STATUS(kernels::build_block_lists(d_mask.ptr, rows, nqb, nkb, d_counts.ptr, d_indices.ptr,
                                            d_order.ptr, nullptr));

    // Block lists against the mask.
    {
        const auto counts = d_counts.download();
        const auto indices = d_indices.download();
        const auto order = d_order.download();
        int64_t bad = 0;
        for (int64_t r = 0; r < rows; ++r) {
            int n = 0;
            for (int64_t j = 0; j < nkb; ++j) {
                if (mask[r * nkb + j]) {
                    bad += indices[r * nkb + n] != j;
                    ++n;
                }
            }
            bad += counts[r] != n;
        }
        std::vector<int> seen(rows, 0);
        int64_t order_bad = 0;
        for (int64_t i = 0; i < rows; ++i) {
            const int32_t r = order[i];
            if (r < 0 || r >= rows || seen[r]++) {
                ++order_bad;
                continue;
            }
            // Same (b, h) segment, descending counts inside it.
            order_bad += r / nqb != i / nqb;
            if (i % nqb != 0 && order[i - 1] >= 0 && order[i - 1] < rows) {
                order_bad += counts[order[i - 1]] < counts[r];
            }
        }
        report(bad == 0 && order_bad == 0, c.name + ": block lists",
               fmt("rows=%lld list errors=%lld order errors=%lld", static_cast<long long>(rows),
                   static_cast<long long>(bad), static_cast<long long>(order_bad)));
    }

    kernels::BlockSparseAttentionParams p;
    p.dtype = c.dtype;
    p.q = d_q.ptr;
    p.k = c.packed_qkv ? d_q.ptr + H * D : d_k.ptr;
    p.v = c.packed_qkv ? d_q.ptr + 2 * H * D : d_v.ptr;
    p.out = d_out.ptr;
    p.q_batch_stride = lq.batch_stride;
    p.q_row_stride = lq.row_stride;
    p.q_head_stride = lq.head_stride;
    p.k_batch_stride = p.v_batch_stride = lk.batch_stride;
    p.k_row_stride = p.v_row_stride = lk.row_stride;
    p.k_head_stride = p.v_head_stride = lk.head_stride;
    p.out_batch_stride = c.q_len * H * D;
    p.out_row_stride = static_cast<int64_t>(H) * D;
    p.out_head_stride = D;
    p.batch = c.batch;
    p.heads = H;
    p.q_len = c.q_len;
    p.k_len = c.k_len;
    p.scale = 1.f / std::sqrt(static_cast<float>(D));
    p.block_counts = d_counts.ptr;
    p.block_indices = d_indices.ptr;
    p.row_order = d_order.ptr;

    // Host reference (float64) on all rows or on sampled query rows, computed once for every
    // implementation.
    std::vector<int64_t> check_rows;  // flat (b, h, l) row ids
    const int64_t total_rows = static_cast<int64_t>(c.batch) * H * c.q_len;
    if (c.spot_rows == 0) {
        for (int64_t i = 0; i < total_rows; ++i) {
            check_rows.push_back(i);
        }
    } else {
        for (int i = 0; i < c.spot_rows; ++i) {
            check_rows.push_back(static_cast<int64_t>(random_uniform01(c.seed * 11 + 9, i) *
                                                      static_cast<double>(total_rows)));
        }
    }
    const float scale = p.scale;
    std::vector<double> reference(check_rows.size() * D);
    const uint16_t* kbase = c.packed_qkv ? host_q.data() + H * D : host_k.data();
    const uint16_t* vbase = c.packed_qkv ? host_q.data() + 2 * H * D : host_v.data();
    parallel_for(static_cast<int64_t>(check_rows.size()), [&](int64_t idx) {
        const int64_t id = check_rows[idx];
        const int64_t l = id % c.q_len;
        const int h = static_cast<int>((id / c.q_len) % H);
        const int b = static_cast<int>(id / (c.q_len * H));
        const int64_t r = (static_cast<int64_t>(b) * H + h) * nqb + l / 128;
        std::vector<double> q(D);
        for (int d = 0; d < D; ++d) {
            q[d] = h16.to_float(
                host_q[b * lq.batch_stride + l * lq.row_stride + h * lq.head_stride + d]);
        }
        std::vector<double> scores;
        std::vector<int64_t> keys;
        double mx = -INFINITY;
        for (int64_t j = 0; j < nkb; ++j) {
            if (!mask[r * nkb + j]) {
                continue;
            }
            for (int64_t key = j * 128; key < std::min(c.k_len, (j + 1) * 128); ++key) {
                const uint16_t* kr =
                    kbase + b * lk.batch_stride + key * lk.row_stride + h * lk.head_stride;
                double s = 0;
                for (int d = 0; d < D; ++d) {
                    s += q[d] * h16.to_float(kr[d]);
                }
                s *= scale;
                scores.push_back(s);
                keys.push_back(key);
                mx = std::max(mx, s);
            }
        }
        std::vector<double> o(D, 0.0);
        double sum = 0;
        for (size_t i = 0; i < scores.size(); ++i) {
            const double e = std::exp(scores[i] - mx);
            sum += e;
            const uint16_t* vr =
                vbase + b * lk.batch_stride + keys[i] * lk.row_stride + h * lk.head_stride;
            for (int d = 0; d < D; ++d) {
                o[d] += e * h16.to_float(vr[d]);
            }
        }
        for (int d = 0; d < D; ++d) {
            reference[idx * D + d] = sum > 0 ? o[d] / sum : 0.0;
        }
    });

    for (const kernels::AttentionKernel kernel : g_attention_kernels) {
        p.kernel = kernel;
        const std::string name = c.name + " [" + kernel_name(kernel) + "]";
        // Poison (0xFFFF is NaN in both dtypes) so that unwritten elements are caught.
        CHECK_CUDA(cudaMemset(d_out.ptr, 0xFF, out_elems * 2));
        CHECK_STATUS(kernels::block_sparse_attention_forward(p, nullptr));
        CHECK_CUDA(cudaDeviceSynchronize());
        const auto out = d_out.download();

        // Whole-output checks: finite everywhere, exact zeros on empty rows.
        int64_t non_finite = 0;
        int64_t empty_nonzero = 0;
        int64_t empty_rows = 0;
        for (int b = 0; b < c.batch; ++b) {
            for (int h = 0; h < H; ++h) {
                for (int64_t qb = 0; qb < nqb; ++qb) {
                    const int64_t r = (static_cast<int64_t>(b) * H + h) * nqb + qb;
                    bool empty = true;
                    for (int64_t j = 0; j < nkb && empty; ++j) {
                        empty = mask[r * nkb + j] == 0;
                    }
                    empty_rows += empty;
                    for (int64_t l = qb * 128; l < std::min(c.q_len, (qb + 1) * 128); ++l) {
                        for (int d = 0; d < D; ++d) {
                            const uint16_t bits =
                                out[static_cast<size_t>(((b * c.q_len + l) * H + h) * D + d)];
                            if (!std::isfinite(h16.to_float(bits))) {
                                ++non_finite;
                            }
                            if (empty && bits != 0) {
                                ++empty_nonzero;
                            }
                        }
                    }
                }
            }
        }
        report(non_finite == 0, name + ": every element written, finite",
               fmt("non-finite=%lld of %zu", static_cast<long long>(non_finite), out_elems));
        report(empty_nonzero == 0, name + ": empty rows are exactly +0",
               fmt("empty rows=%lld, non-zero bits=%lld", static_cast<long long>(empty_rows),
                   static_cast<long long>(empty_nonzero)));

        double e2 = 0, r2 = 0, me = 0;
        for (size_t idx = 0; idx < check_rows.size(); ++idx) {
            const int64_t id = check_rows[idx];
            const int64_t l = id % c.q_len;
            const int h = static_cast<int>((id / c.q_len) % H);
            const int b = static_cast<int>(id / (c.q_len * H));
            for (int d = 0; d < D; ++d) {
                const double ref = reference[idx * D + d];
                const double got =
                    h16.to_float(out[static_cast<size_t>(((b * c.q_len + l) * H + h) * D + d)]);
                e2 += (got - ref) * (got - ref);
                r2 += ref * ref;
                me = std::max(me, std::fabs(got - ref));
            }
        }
        const double rel = r2 > 0 ? std::sqrt(e2 / r2) : std::sqrt(e2);
        const double tol = c.dtype == kernels::ScalarType::kBFloat16 ? 1e-2 : 3e-3;
        report(std::isfinite(rel) && rel <= tol, name + ": matches float64 reference",
               fmt("rows checked=%zu rel_l2=%.3e (tol %.0e) max_abs=%.3e", check_rows.size(), rel,
                   tol, me));
    }
}

// ================================ block selection ===========================================

struct SelectCase {
    std::string name;
    kernels::ScalarType dtype;
    int heads;
    int grid_h, grid_w;
    int q_temporal, k_temporal;  // temporal windows in q and in k (nq = S·q_temporal, ...)
    int local_range;
    int64_t topk;
    float structure;  // per-window offset scale (0 = pure noise: near-uniform, many near-ties)
    uint64_t seed;
};

constexpr double kProbabilityTolerance = 4e-6;

void run_select_case(const SelectCase& c) {
    const Half16 h16{c.dtype};
    const int S = c.grid_h * c.grid_w;
    const int nq = S * c.q_temporal;
    const int nk = S * c.k_temporal;
    const int C = c.heads * 128;
    const size_t q_elems = static_cast<size_t>(nq) * 128 * C;
    const size_t k_elems = static_cast<size_t>(nk) * 128 * C;
    std::vector<uint16_t> host_q(q_elems), host_k(k_elems);
    auto fill = [&](std::vector<uint16_t>& dst, uint64_t seed) {
        // token value = offset(window, channel)·structure + noise(token, channel)
        parallel_for(
            static_cast<int64_t>(dst.size() / (128 * static_cast<size_t>(C))), [&](int64_t w) {
                for (int t = 0; t < 128; ++t) {
                    for (int ch = 0; ch < C; ++ch) {
                        const size_t i = (static_cast<size_t>(w) * 128 + t) * C + ch;
                        const float offset =
                            random_unit(seed + 1000, static_cast<uint64_t>(w) * C + ch);
                        dst[i] = h16.from_float(offset * c.structure + random_unit(seed, i));
                    }
                }
            });
    };
    fill(host_q, c.seed * 5 + 1);
    fill(host_k, c.seed * 5 + 2);

    DeviceBuffer<uint16_t> d_q(q_elems), d_k(k_elems), d_pq(static_cast<size_t>(nq) * C),
        d_pk(static_cast<size_t>(nk) * C);
    d_q.upload(host_q);
    d_k.upload(host_k);
    const size_t n_scores = static_cast<size_t>(c.heads) * nq * nk;
    DeviceBuffer<float> d_scores(n_scores), d_probs(n_scores);
    DeviceBuffer<uint8_t> d_mask(n_scores);
    kernels::BlockSelectParams p;
    p.dtype = c.dtype;
    p.q_windows = d_q.ptr;
    p.k_windows = d_k.ptr;
    p.q_window_stride = 128LL * C;
    p.q_token_stride = C;
    p.k_window_stride = 128LL * C;
    p.k_token_stride = C;
    p.nq = nq;
    p.nk = nk;
    p.heads = c.heads;
    p.grid_h = c.grid_h;
    p.grid_w = c.grid_w;
    p.local_range = c.local_range;
    p.topk = c.topk;
    p.pooled_q = d_pq.ptr;
    p.pooled_k = d_pk.ptr;
    p.scores = d_scores.ptr;
    p.probabilities = d_probs.ptr;
    p.mask = d_mask.ptr;
    CHECK_CUDA(cudaMemset(d_mask.ptr, 0x7F, n_scores));
    CHECK_STATUS(kernels::select_blocks(p, nullptr));
    CHECK_CUDA(cudaDeviceSynchronize());
    const auto pq = d_pq.download();
    const auto pk = d_pk.download();
    const auto scores = d_scores.download();
    const auto probs = d_probs.download();
    const auto mask = d_mask.download();

    // Stage 1: pooling, same summation order as the kernel.
    int64_t pool_mismatch = 0;
    auto check_pool = [&](const std::vector<uint16_t>& x, const std::vector<uint16_t>& pooled,
                          int n) {
        for (int w = 0; w < n; ++w) {
            for (int ch = 0; ch < C; ++ch) {
                float part[4];
                for (int s = 0; s < 4; ++s) {
                    float acc = 0.f;
                    for (int t = s * 32; t < s * 32 + 32; ++t) {
                        acc += h16.to_float(x[(static_cast<size_t>(w) * 128 + t) * C + ch]);
                    }
                    part[s] = acc;
                }
                const float mean = ((part[0] + part[1]) + (part[2] + part[3])) * (1.f / 128.f);
                pool_mismatch += h16.from_float(mean) != pooled[static_cast<size_t>(w) * C + ch];
            }
        }
    };
    check_pool(host_q, pq, nq);
    check_pool(host_k, pk, nk);
    report(pool_mismatch == 0, c.name + ": pooled means bit-exact",
           fmt("mismatches=%lld of %lld", static_cast<long long>(pool_mismatch),
               static_cast<long long>(static_cast<int64_t>(nq + nk) * C)));

    // Stage 2: scores from the GPU's pooled vectors.
    const float inv_sqrt_d = 1.0f / static_cast<float>(std::sqrt(128.0));
    int64_t score_mismatch = 0;
    for (int h = 0; h < c.heads; ++h) {
        for (int i = 0; i < nq; ++i) {
            for (int j = 0; j < nk; ++j) {
                float dot = 0.f;
                for (int d = 0; d < 128; ++d) {
                    dot = std::fma(h16.to_float(pq[static_cast<size_t>(i) * C + h * 128 + d]),
                                   h16.to_float(pk[static_cast<size_t>(j) * C + h * 128 + d]), dot);
                }
                const float s = h16.round(h16.round(dot) * inv_sqrt_d);
                const float g = scores[(static_cast<size_t>(h) * nq + i) * nk + j];
                score_mismatch += std::memcmp(&s, &g, 4) != 0;
            }
        }
    }
    report(score_mismatch == 0, c.name + ": scores bit-exact",
           fmt("mismatches=%lld of %zu", static_cast<long long>(score_mismatch), n_scores));

    // Stage 3: softmax of the GPU scores + local mask (host expf: a few ulp allowed).
    auto allowed = [&](int i, int j) {
        const int qs = i % S, ks = j % S;
        const int r0 = qs / c.grid_w - c.local_range / 2;
        const int c0 = qs % c.grid_w - c.local_range / 2;
        const int kr = ks / c.grid_w, kc = ks % c.grid_w;
        return kr >= r0 && kr <= r0 + c.local_range - 1 && kc >= c0 && kc <= c0 + c.local_range - 1;
    };
    std::vector<float> host_probs(n_scores);
    double max_rel = 0;
    int64_t identical = 0;
    for (int h = 0; h < c.heads; ++h) {
        for (int i = 0; i < nq; ++i) {
            const size_t base = (static_cast<size_t>(h) * nq + i) * nk;
            float mx = -INFINITY;
            for (int j = 0; j < nk; ++j) {
                mx = std::max(mx, allowed(i, j) ? scores[base + j] : -INFINITY);
            }
            double sum = 0;
            for (int j = 0; j < nk; ++j) {
                sum += allowed(i, j) ? std::exp(static_cast<double>(scores[base + j]) - mx) : 0.0;
            }
            for (int j = 0; j < nk; ++j) {
                const float ref =
                    allowed(i, j) ? static_cast<float>(
                                        std::exp(static_cast<double>(scores[base + j]) - mx) / sum)
                                  : 0.f;
                host_probs[base + j] = ref;
                const float got = probs[base + j];
                identical += ref == got;
                if (ref != got) {
                    // Absolute floor for denormal probabilities (they carry fewer bits).
                    max_rel = std::max(max_rel, std::fabs(static_cast<double>(got) - ref) /
                                                    (static_cast<double>(ref) + 1e-32));
                }
            }
        }
    }
    report(max_rel <= kProbabilityTolerance, c.name + ": probabilities vs float64 softmax",
           fmt("max_rel=%.2e (tol %.0e), identical=%lld of %zu", max_rel, kProbabilityTolerance,
               static_cast<long long>(identical), n_scores));

    // Stage 4: threshold selection on the GPU's probabilities (must be exact), and the end-to-end
    // mask from host probabilities (flips only at near-ties).
    const int groups = nq / S;
    const int64_t n = static_cast<int64_t>(S) * nk;
    const int64_t k_apply = std::min<int64_t>(c.topk, n - 1);
    int64_t exact_flips = 0, near_flips = 0, bad_flips = 0, selected = 0, bad_values = 0;
    for (int h = 0; h < c.heads; ++h) {
        for (int g = 0; g < groups; ++g) {
            const size_t base = (static_cast<size_t>(h) * nq + static_cast<size_t>(g) * S) * nk;
            auto threshold_of = [&](const float* values) {
                std::vector<float> sorted(values, values + n);
                std::nth_element(sorted.begin(), sorted.begin() + k_apply, sorted.end(),
                                 std::greater<float>());
                return sorted[k_apply];
            };
            const float tau_gpu = k_apply >= 0 ? threshold_of(&probs[base]) : 0.f;
            const float tau_host = k_apply >= 0 ? threshold_of(&host_probs[base]) : 0.f;
            for (int64_t e = 0; e < n; ++e) {
                const uint8_t got = mask[base + e];
                bad_values += got > 1;
                selected += got == 1;
                const uint8_t want_gpu = k_apply >= 0 && probs[base + e] > tau_gpu ? 1 : 0;
                exact_flips += got != want_gpu;
                const uint8_t want_host = k_apply >= 0 && host_probs[base + e] > tau_host ? 1 : 0;
                if (got != want_host) {
                    const double hp = host_probs[base + e];
                    if (std::fabs(hp - tau_host) <= kProbabilityTolerance * tau_host) {
                        ++near_flips;
                    } else {
                        ++bad_flips;
                    }
                }
            }
        }
    }
    report(exact_flips == 0 && bad_values == 0, c.name + ": top-k threshold exact",
           fmt("selected=%lld of %zu (topk=%lld per group), flips=%lld",
               static_cast<long long>(selected), n_scores, static_cast<long long>(c.topk),
               static_cast<long long>(exact_flips)));
    report(bad_flips == 0, c.name + ": mask vs host pipeline",
           fmt("near-tie flips=%lld (tolerated), other flips=%lld",
               static_cast<long long>(near_flips), static_cast<long long>(bad_flips)));
}

// ==================================== benchmarks ============================================

float time_ms(const std::function<void()>& body, int warmup, int iterations) {
    for (int i = 0; i < warmup; ++i) {
        body();
    }
    cudaEvent_t start, stop;
    CHECK_CUDA(cudaEventCreate(&start));
    CHECK_CUDA(cudaEventCreate(&stop));
    std::vector<float> times;
    for (int i = 0; i < iterations; ++i) {
        CHECK_CUDA(cudaEventRecord(start));
        body();
        CHECK_CUDA(cudaEventRecord(stop));
        CHECK_CUDA(cudaEventSynchronize(stop));
        float ms = 0;
        CHECK_CUDA(cudaEventElapsedTime(&ms, start, stop));
        times.push_back(ms);
    }
    CHECK_CUDA(cudaEventDestroy(start));
    CHECK_CUDA(cudaEventDestroy(stop));
    std::sort(times.begin(), times.end());
    return times[times.size() / 2];
}

void bench_attention(const char* name,
                     int64_t q_len,
                     int64_t k_len,
                     double density,
                     double empty_rows = 0.0) {
    const int H = 12, D = 128;
    const int64_t nqb = kernels::attention_blocks(q_len), nkb = kernels::attention_blocks(k_len);
    const int64_t rows = H * nqb;
    const Half16 h16{kernels::ScalarType::kBFloat16};
    std::vector<uint16_t> q(static_cast<size_t>(q_len) * H * D),
        kv(static_cast<size_t>(k_len) * H * D);
    parallel_for(static_cast<int64_t>(q.size() / 4096), [&](int64_t c) {
        for (size_t i = c * 4096; i < static_cast<size_t>(c + 1) * 4096; ++i) {
            q[i] = h16.from_float(random_unit(11, i));
        }
    });
    parallel_for(static_cast<int64_t>(kv.size() / 4096), [&](int64_t c) {
        for (size_t i = c * 4096; i < static_cast<size_t>(c + 1) * 4096; ++i) {
            kv[i] = h16.from_float(random_unit(12, i));
        }
    });
    std::vector<uint8_t> mask(static_cast<size_t>(rows * nkb));
    int64_t pairs = 0;
    for (size_t i = 0; i < mask.size(); ++i) {
        const bool empty = random_uniform01(14, i / static_cast<size_t>(nkb)) < empty_rows;
        mask[i] = !empty && random_uniform01(13, i) < density;
        pairs += mask[i];
    }
    DeviceBuffer<uint16_t> d_q(q.size()), d_k(kv.size()), d_v(kv.size()), d_out(q.size());
    d_q.upload(q);
    d_k.upload(kv);
    d_v.upload(kv);
    DeviceBuffer<uint8_t> d_mask(mask.size());
    d_mask.upload(mask);
    DeviceBuffer<int32_t> d_counts(rows), d_indices(rows * nkb), d_order(rows);
    kernels::BlockSparseAttentionParams p;
    p.q = d_q.ptr;
    p.k = d_k.ptr;
    p.v = d_v.ptr;
    p.out = d_out.ptr;
    p.q_batch_stride = p.out_batch_stride = q_len * H * D;
    p.k_batch_stride = p.v_batch_stride = k_len * H * D;
    p.q_row_stride = p.k_row_stride = p.v_row_stride = p.out_row_stride = H * D;
    p.q_head_stride = p.k_head_stride = p.v_head_stride = p.out_head_stride = D;
    p.batch = 1;
    p.heads = H;
    p.q_len = q_len;
    p.k_len = k_len;
    p.scale = 1.f / std::sqrt(128.f);
    p.block_counts = d_counts.ptr;
    p.block_indices = d_indices.ptr;
    p.row_order = d_order.ptr;
    const float lists_ms = time_ms(
        [&] {
            CHECK_STATUS(kernels::build_block_lists(d_mask.ptr, rows, nqb, nkb, d_counts.ptr,
                                                    d_indices.ptr, d_order.ptr, nullptr));
        },
        3, 20);
    CHECK_STATUS(kernels::build_block_lists(d_mask.ptr, rows, nqb, nkb, d_counts.ptr, d_indices.ptr,
                                            d_order.ptr, nullptr));
    const double flops = 4.0 * 128 * 128 * 128 * static_cast<double>(pairs);
    for (const kernels::AttentionKernel kernel : g_attention_kernels) {
        p.kernel = kernel;
        const float ms = time_ms(
            [&] { CHECK_STATUS(kernels::block_sparse_attention_forward(p, nullptr)); }, 3, 20);
        std::printf(
            "BENCH attention %-34s %-8s density=%.2f pairs=%lld  %8.3f ms  %6.1f TFLOP/s  "
            "(lists %.3f ms)\n",
            name, kernel_name(kernel), static_cast<double>(pairs) / static_cast<double>(rows * nkb),
            static_cast<long long>(pairs), ms, flops / (ms * 1e-3) / 1e12, lists_ms);
    }
}

void bench_select(const char* name,
                  int grid_h,
                  int grid_w,
                  int q_temporal,
                  int k_temporal,
                  int64_t topk) {
    const int heads = 12, C = heads * 128, S = grid_h * grid_w, nq = S * q_temporal,
              nk = S * k_temporal;
    const Half16 h16{kernels::ScalarType::kBFloat16};
    std::vector<uint16_t> q(static_cast<size_t>(nq) * 128 * C),
        k(static_cast<size_t>(nk) * 128 * C);
    parallel_for(static_cast<int64_t>(q.size() / 4096), [&](int64_t c) {
        for (size_t i = c * 4096; i < static_cast<size_t>(c + 1) * 4096; ++i) {
            q[i] = h16.from_float(random_unit(21, i));
        }
    });
    parallel_for(static_cast<int64_t>(k.size() / 4096), [&](int64_t c) {
        for (size_t i = c * 4096; i < static_cast<size_t>(c + 1) * 4096; ++i) {
            k[i] = h16.from_float(random_unit(22, i));
        }
    });
    DeviceBuffer<uint16_t> d_q(q.size()), d_k(k.size()), d_pq(static_cast<size_t>(nq) * C),
        d_pk(static_cast<size_t>(nk) * C);
    d_q.upload(q);
    d_k.upload(k);
    const size_t n = static_cast<size_t>(heads) * nq * nk;
    DeviceBuffer<float> d_s(n), d_p(n);
    DeviceBuffer<uint8_t> d_m(n);
    kernels::BlockSelectParams p;
    p.q_windows = d_q.ptr;
    p.k_windows = d_k.ptr;
    p.q_window_stride = p.k_window_stride = 128LL * C;
    p.q_token_stride = p.k_token_stride = C;
    p.nq = nq;
    p.nk = nk;
    p.heads = heads;
    p.grid_h = grid_h;
    p.grid_w = grid_w;
    p.local_range = 11;
    p.topk = topk;
    p.pooled_q = d_pq.ptr;
    p.pooled_k = d_pk.ptr;
    p.scores = d_s.ptr;
    p.probabilities = d_p.ptr;
    p.mask = d_m.ptr;
    const float ms = time_ms([&] { CHECK_STATUS(kernels::select_blocks(p, nullptr)); }, 3, 20);
    std::printf("BENCH select    %-28s nq=%d nk=%d  %8.3f ms\n", name, nq, nk, ms);
}

}  // namespace

int main(int argc, char** argv) {
    bool quick = false;
    bool bench = false;
    for (int i = 1; i < argc; ++i) {
        if (std::strcmp(argv[i], "--quick") == 0) {
            quick = true;
        } else if (std::strcmp(argv[i], "--bench") == 0) {
            bench = true;
        } else {
            std::printf("usage: %s [--quick] [--bench]\n", argv[0]);
            return 2;
        }
    }
    int devices = 0;
    if (cudaGetDeviceCount(&devices) != cudaSuccess || devices == 0) {
        std::printf(
            "FAIL  NO CUDA DEVICE: kernels-cuda-selftest needs a GPU (compute capability >= "
            "8.0)\n");
        return 77;
    }
    cudaDeviceProp prop{};
    CHECK_CUDA(cudaGetDeviceProperties(&prop, 0));
    std::printf("device: %s (sm_%d%d, %d SMs, %.1f GiB)\n", prop.name, prop.major, prop.minor,
                prop.multiProcessorCount, static_cast<double>(prop.totalGlobalMem) / (1 << 30));

    // Which attention implementations run here: wgmma too where the library has it for this GPU.
    {
        DeviceBuffer<uint16_t> probe(256 * 128);
        DeviceBuffer<int32_t> probe_lists(4);
        kernels::BlockSparseAttentionParams p;
        p.q = p.k = p.v = p.out = probe.ptr;
        p.q_batch_stride = p.k_batch_stride = p.v_batch_stride = p.out_batch_stride = 256 * 128;
        p.q_row_stride = p.k_row_stride = p.v_row_stride = p.out_row_stride = 128;
        p.q_head_stride = p.k_head_stride = p.v_head_stride = p.out_head_stride = 128;
        p.batch = p.heads = 1;
        p.q_len = p.k_len = 256;
        p.block_counts = p.block_indices = probe_lists.ptr;
        const kernels::AttentionKernelChoice choice = kernels::choose_attention_kernel(p);
        std::printf("attention kernel (auto): %s — %s\n", kernel_name(choice.kernel),
                    choice.reason);
        if (choice.kernel == kernels::AttentionKernel::kWgmmaSm90) {
            g_attention_kernels.push_back(kernels::AttentionKernel::kWgmmaSm90);
        }
#if defined(FVSR_KERNELS_SM90A)
        // This build has the sm_90a kernel: on a cc 9.0 GPU it must be the automatic choice.
        if (prop.major == 9 && prop.minor == 0) {
            report(choice.kernel == kernels::AttentionKernel::kWgmmaSm90,
                   "wgmma kernel chosen automatically on cc 9.0", choice.reason);
        }
#endif
    }

    using kernels::ScalarType;
    const ScalarType bf16 = ScalarType::kBFloat16, fp16 = ScalarType::kFloat16;
    std::vector<AttentionCase> attention = {
        // name, dtype, B, H, Lq, Lk, density, empty rows, magnitude, packed, spot rows, seed
        {"attn small bf16 partial blocks", bf16, 2, 3, 300, 936, 0.5, 0.2, 1.f, false, 0, 1},
        {"attn small fp16 partial blocks", fp16, 2, 3, 300, 936, 0.5, 0.2, 1.f, false, 0, 2},
        {"attn packed qkv bf16 (strided heads)", bf16, 1, 4, 1000, 1000, 0.4, 0.1, 1.f, true, 0, 3},
        {"attn dense mask fp16", fp16, 1, 2, 256, 1024, 1.0, 0.0, 1.f, false, 0, 4},
        {"attn empty mask bf16", bf16, 1, 2, 384, 512, 0.0, 0.0, 1.f, false, 0, 5},
        {"attn sharp softmax bf16 (x4 inputs)", bf16, 1, 2, 512, 2048, 0.5, 0.0, 4.f, false, 0, 6},
        {"attn Lk=40 single short block fp16", fp16, 1, 1, 130, 40, 1.0, 0.0, 1.f, false, 0, 7},
        {"attn half the rows empty fp16", fp16, 2, 2, 700, 1300, 0.3, 0.5, 1.f, false, 0, 15},
        {"attn one block per row bf16", bf16, 1, 3, 1024, 4096, 0.03, 0.0, 2.f, false, 0, 16},
        {"attn 768x1408 steady bf16 45%", bf16, 1, 12, 8448, 33792, 0.45, 0.05, 1.f, false, 256, 8},
    };
    if (!quick) {
        attention.push_back({"attn 768x1408 steady fp16 25%", fp16, 1, 12, 8448, 33792, 0.25, 0.05,
                             1.f, false, 256, 9});
        attention.push_back({"attn 768x1408 chunk0 bf16 60%", bf16, 1, 12, 25344, 25344, 0.6, 0.05,
                             1.f, false, 256, 10});
        attention.push_back({"attn 1024x1920 bf16 25%", bf16, 1, 12, 15360, 61440, 0.25, 0.05, 1.f,
                             false, 256, 11});
        attention.push_back({"attn 768x1408 steady bf16 10%", bf16, 1, 12, 8448, 33792, 0.10, 0.0,
                             1.f, false, 256, 12});
        attention.push_back({"attn 768x1408 steady bf16 50%", bf16, 1, 12, 8448, 33792, 0.50, 0.0,
                             1.f, false, 256, 13});
        attention.push_back({"attn 768x1408 steady bf16 90%", bf16, 1, 12, 8448, 33792, 0.90, 0.0,
                             1.f, false, 256, 14});
    }
    for (const auto& c : attention) {
        run_attention_case(c);
    }

    std::vector<SelectCase> select = {
        // name, dtype, heads, grid, q/k temporal windows, R, topk, structure, seed
        {"select small bf16", bf16, 2, 2, 3, 2, 4, 3, 20, 1.f, 1},
        {"select small fp16 topk<0", fp16, 2, 2, 3, 1, 2, 3, -1, 1.f, 2},
        {"select small bf16 topk>=S*nk", bf16, 2, 2, 3, 1, 2, 3, 1000, 1.f, 3},
        {"select 768x1408 steady bf16", bf16, 12, 6, 11, 1, 4, 11, 7919, 1.f, 4},
        {"select 768x1408 steady bf16 noise", bf16, 12, 6, 11, 1, 4, 11, 7919, 0.f, 5},
    };
    if (!quick) {
        select.push_back(
            {"select 768x1408 chunk0 bf16 R9", bf16, 12, 6, 11, 3, 3, 9, 7919, 1.f, 6});
        select.push_back({"select 768x1408 steady fp16", fp16, 12, 6, 11, 1, 4, 11, 5939, 1.f, 7});
        select.push_back(
            {"select 1024x1920 steady bf16", bf16, 12, 8, 15, 1, 4, 11, 14399, 1.f, 8});
        select.push_back(
            {"select nk>1024 (long softmax) bf16", bf16, 2, 4, 4, 1, 80, 5, 300, 1.f, 9});
    }
    for (const auto& c : select) {
        run_select_case(c);
    }

    if (bench) {
        bench_attention("768x1408 steady (8448x33792)", 8448, 33792, 0.45);
        bench_attention("768x1408 chunk0 (25344^2) 45%", 25344, 25344, 0.45);
        bench_attention("1024x1920 (15360x61440)", 15360, 61440, 0.25);
        bench_attention("768x1408 steady dense", 8448, 33792, 1.0);
        bench_attention("768x1408 steady 10%", 8448, 33792, 0.10);
        bench_attention("768x1408 steady 50%", 8448, 33792, 0.50);
        bench_attention("768x1408 steady 90%", 8448, 33792, 0.90);
        bench_attention("768x1408 steady 45%, 30% rows empty", 8448, 33792, 0.45, 0.30);
        bench_select("768x1408 steady", 6, 11, 1, 4, 7919);
        bench_select("768x1408 chunk0", 6, 11, 3, 3, 7919);
        bench_select("1024x1920 steady", 8, 15, 1, 4, 14399);
    }
    std::printf("%s: %d failed check(s)\n", g_failures == 0 ? "ALL PASSED" : "FAILED", g_failures);
    return g_failures;
}
