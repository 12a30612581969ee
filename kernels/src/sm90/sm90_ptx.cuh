#pragma once
// PTX wrappers for the Hopper (sm_90a) attention kernel: mbarriers, bulk tensor copies (TMA),
// warpgroup MMA (wgmma) and its shared-memory matrix descriptors, register reallocation.
// Compiled only for the sm_90a target (wgmma and setmaxnreg exist nowhere else).

#include <cuda.h>
#include <cuda_runtime.h>

#include <cstdint>

namespace kernels::detail::sm90 {

// ---------------------------------------------------------------- mbarrier (shared::cta) --

__device__ __forceinline__ void mbar_init(uint32_t bar, uint32_t count) {
    asm volatile("mbarrier.init.shared::cta.b64 [%0], %1;\n" ::"r"(bar), "r"(count));
}
// Makes the initialisations visible to the other threads and to the copy engine.
__device__ __forceinline__ void mbar_fence_init() {
    asm volatile("fence.mbarrier_init.release.cluster;\n" ::: "memory");
}
__device__ __forceinline__ void mbar_arrive(uint32_t bar) {
    asm volatile("mbarrier.arrive.shared::cta.b64 _, [%0];\n" ::"r"(bar) : "memory");
}
// Arrives and announces `bytes` of transactions (the bulk copies that complete on `bar`).
__device__ __forceinline__ void mbar_arrive_expect_tx(uint32_t bar, uint32_t bytes) {
    asm volatile("mbarrier.arrive.expect_tx.shared::cta.b64 _, [%0], %1;\n" ::"r"(bar), "r"(bytes)
                 : "memory");
}
// Blocks until the phase of parity `parity` has completed. A fresh barrier is in phase 0, so
// waiting for parity 1 returns at once (the producer's first pass over the empty barriers).
__device__ __forceinline__ void mbar_wait(uint32_t bar, uint32_t parity) {
    uint32_t done = 0;
    do {
        asm volatile(
            "{\n.reg .pred p;\n"
            "mbarrier.try_wait.parity.shared::cta.b64 p, [%1], %2;\n"
            "selp.u32 %0, 1, 0, p;\n}\n"
            : "=r"(done)
            : "r"(bar), "r"(parity)
            : "memory");
    } while (done == 0);
}

// ------------------------------------------------------------------ bulk tensor copy (TMA) --

// Copies the box at coordinates (c0..c3) of the tensor map into shared memory at `dst`; the bytes
// are counted against the transaction count of `bar`. Out-of-range elements are written as zero.
__device__ __forceinline__ void
tma_load_4d(uint32_t dst, const CUtensorMap* map, uint32_t bar, int c0, int c1, int c2, int c3) {
    asm volatile(
        "cp.async.bulk.tensor.4d.shared::cluster.global.mbarrier::complete_tx::bytes"
        " [%0], [%1, {%2, %3, %4, %5}], [%6];\n" ::"r"(dst),
        "l"(reinterpret_cast<uint64_t>(map)), "r"(c0), "r"(c1), "r"(c2), "r"(c3), "r"(bar)
        : "memory");
}
__device__ __forceinline__ void prefetch_tensor_map(const CUtensorMap* map) {
    asm volatile("prefetch.tensormap [%0];\n" ::"l"(reinterpret_cast<uint64_t>(map)) : "memory");
}

// ------------------------------------------------------------------------- warpgroups --

template <int kRegisters>
__device__ __forceinline__ void setmaxnreg_inc() {
    asm volatile("setmaxnreg.inc.sync.aligned.u32 %0;\n" ::"n"(kRegisters));
}
template <int kRegisters>
__device__ __forceinline__ void setmaxnreg_dec() {
    asm volatile("setmaxnreg.dec.sync.aligned.u32 %0;\n" ::"n"(kRegisters));
}
// Barrier over `threads` threads (a multiple of 32) with id 1..15 (0 is __syncthreads).
__device__ __forceinline__ void named_barrier_sync(int id, int threads) {
    asm volatile("bar.sync %0, %1;\n" ::"r"(id), "r"(threads) : "memory");
}

// ------------------------------------------------------------------------------ wgmma --

__device__ __forceinline__ void wgmma_fence() {
    asm volatile("wgmma.fence.sync.aligned;\n" ::: "memory");
}
__device__ __forceinline__ void wgmma_commit() {
    asm volatile("wgmma.commit_group.sync.aligned;\n" ::: "memory");
}
template <int kPending>
__device__ __forceinline__ void wgmma_wait() {
    asm volatile("wgmma.wait_group.sync.aligned %0;\n" ::"n"(kPending) : "memory");
}
// Pins accumulator/fragment registers at this point of the program: the compiler may not move
// reads or writes of them across it (they are read and written asynchronously by wgmma between
// the issue and the wait).
template <int kCount>
__device__ __forceinline__ void fence_registers(float (&r)[kCount]) {
#pragma unroll
    for (int i = 0; i < kCount; ++i) {
        asm volatile("" : "+f"(r[i])::"memory");
    }
}
template <int kCount>
__device__ __forceinline__ void fence_registers(uint32_t (&r)[kCount]) {
#pragma unroll
    for (int i = 0; i < kCount; ++i) {
        asm volatile("" : "+r"(r[i])::"memory");
    }
}

// Shared-memory matrix descriptor with the 128-byte swizzle (layout type 1, bits 62-63): start
// address, leading and stride byte offsets, all in 16-byte units (14 bits each). Every operand
// tile here starts at a 1024-byte boundary (base offset 0).
//   K-major (Q, K): rows of 64 elements (128 bytes), 8-row swizzle atoms 1024 bytes apart (SBO);
//     LBO is unused for swizzled K-major operands (set to 1 as CUTLASS does).
//   MN-major (V as the B operand of P·V): 64-element chunks along N are LBO apart (the two column
//     halves of a tile), 8-row groups along K are SBO = 1024 bytes apart.
__device__ __forceinline__ uint64_t make_smem_desc(uint32_t address,
                                                   uint32_t lbo_bytes,
                                                   uint32_t sbo_bytes) {
    uint64_t desc = static_cast<uint64_t>((address & 0x3FFFFu) >> 4);
    desc |= static_cast<uint64_t>((lbo_bytes >> 4) & 0x3FFFu) << 16;
    desc |= static_cast<uint64_t>((sbo_bytes >> 4) & 0x3FFFu) << 32;
    desc |= static_cast<uint64_t>(1) << 62;
    return desc;
}

// clang-format off
// The m64n128k16 wgmma with fp32 accumulators: 64 accumulator registers per thread, the same in
// every variant below (only the input type and where A comes from differ).
#define KERNELS_WGMMA_D64_REGS                                                              \
    "{%0, %1, %2, %3, %4, %5, %6, %7, %8, %9, %10, %11, %12, %13, %14, %15, "               \
    "%16, %17, %18, %19, %20, %21, %22, %23, %24, %25, %26, %27, %28, %29, %30, %31, "      \
    "%32, %33, %34, %35, %36, %37, %38, %39, %40, %41, %42, %43, %44, %45, %46, %47, "      \
    "%48, %49, %50, %51, %52, %53, %54, %55, %56, %57, %58, %59, %60, %61, %62, %63}, "
#define KERNELS_WGMMA_D64_OPERANDS(d)                                                                     \
    "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3]), "+f"(d[4]), "+f"(d[5]), "+f"(d[6]), "+f"(d[7]),       \
    "+f"(d[8]), "+f"(d[9]), "+f"(d[10]), "+f"(d[11]), "+f"(d[12]), "+f"(d[13]), "+f"(d[14]), "+f"(d[15]), \
    "+f"(d[16]), "+f"(d[17]), "+f"(d[18]), "+f"(d[19]), "+f"(d[20]), "+f"(d[21]), "+f"(d[22]), "+f"(d[23]), \
    "+f"(d[24]), "+f"(d[25]), "+f"(d[26]), "+f"(d[27]), "+f"(d[28]), "+f"(d[29]), "+f"(d[30]), "+f"(d[31]), \
    "+f"(d[32]), "+f"(d[33]), "+f"(d[34]), "+f"(d[35]), "+f"(d[36]), "+f"(d[37]), "+f"(d[38]), "+f"(d[39]), \
    "+f"(d[40]), "+f"(d[41]), "+f"(d[42]), "+f"(d[43]), "+f"(d[44]), "+f"(d[45]), "+f"(d[46]), "+f"(d[47]), \
    "+f"(d[48]), "+f"(d[49]), "+f"(d[50]), "+f"(d[51]), "+f"(d[52]), "+f"(d[53]), "+f"(d[54]), "+f"(d[55]), \
    "+f"(d[56]), "+f"(d[57]), "+f"(d[58]), "+f"(d[59]), "+f"(d[60]), "+f"(d[61]), "+f"(d[62]), "+f"(d[63])

// D(64x128, fp32) = (accumulate ? D : 0) + A(64x16) * B(16x128), A and B K-major in shared
// memory; TYPE is "bf16" or "f16".
#define KERNELS_WGMMA_SS(TYPE, d, a, b, accumulate)                                           \
    asm volatile("{\n.reg .pred p;\nsetp.ne.b32 p, %66, 0;\n"                                \
                 "wgmma.mma_async.sync.aligned.m64n128k16.f32." TYPE "." TYPE " "             \
                 KERNELS_WGMMA_D64_REGS "%64, %65, p, 1, 1, 0, 0;\n}\n"                        \
                 : KERNELS_WGMMA_D64_OPERANDS(d)                                              \
                 : "l"(a), "l"(b), "r"(accumulate))

// D(64x128, fp32) += A(64x16, registers) * B(16x128, shared memory, MN-major).
#define KERNELS_WGMMA_RS(TYPE, d, a, b)                                                       \
    asm volatile("{\n.reg .pred p;\nsetp.ne.b32 p, %69, 0;\n"                                \
                 "wgmma.mma_async.sync.aligned.m64n128k16.f32." TYPE "." TYPE " "             \
                 KERNELS_WGMMA_D64_REGS "{%64, %65, %66, %67}, %68, p, 1, 1, 1;\n}\n"         \
                 : KERNELS_WGMMA_D64_OPERANDS(d)                                              \
                 : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "l"(b), "r"(1))

__device__ __forceinline__ void wgmma_ss_bf16(float (&d)[64], uint64_t a, uint64_t b, int accumulate) {
    KERNELS_WGMMA_SS("bf16", d, a, b, accumulate);
}
__device__ __forceinline__ void wgmma_rs_bf16(float (&d)[64], const uint32_t (&a)[4], uint64_t b) {
    KERNELS_WGMMA_RS("bf16", d, a, b);
}
__device__ __forceinline__ void wgmma_ss_f16(float (&d)[64], uint64_t a, uint64_t b, int accumulate) {
    KERNELS_WGMMA_SS("f16", d, a, b, accumulate);
}
__device__ __forceinline__ void wgmma_rs_f16(float (&d)[64], const uint32_t (&a)[4], uint64_t b) {
    KERNELS_WGMMA_RS("f16", d, a, b);
}

#undef KERNELS_WGMMA_RS
#undef KERNELS_WGMMA_SS
#undef KERNELS_WGMMA_D64_OPERANDS
#undef KERNELS_WGMMA_D64_REGS
// clang-format on

}  // namespace kernels::detail::sm90
