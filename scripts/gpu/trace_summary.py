#!/usr/bin/env python3
"""Summarises a Chrome trace written by `flashvsr-bench-pipeline --profile`: GPU kernel time by
kind and the top kernels, so a performance change can be aimed at what costs time.
Usage: trace_summary.py TRACE.json [CHUNKS]   (CHUNKS: timed steady chunks, for per-chunk ms)"""
import bisect
import collections
import json
import re
import sys

KINDS = [
    ("attention (ours)", r"block_sparse_attention"),
    ("block selection (ours)",
     r"kernels::.*(select|pool|radix|build_block_lists|order_rows|topk|score|softmax_rows)"),
    ("qkv prepare (ours)", r"qkv_prepare"),
    ("dit elementwise (ours)", r"dit_elementwise"),
    ("sdpa / flash", r"flash|fmha|sdpa|cudnn.*attn|attention"),
    ("gemm", r"gemm|cutlass|sm90_xmma|nvjet|gemv|matmul|Kernel2"),
    ("convolution", r"conv|implicit|winograd|fprop|dgrad|xmma_fprop|nhwc|nchw"),
    ("copy / layout", r"copy|transpose|permute|cat|Cat|contiguous|index|gather|scatter"),
    ("norm / reduce", r"norm|reduce|Reduce|mean|sum"),
    ("elementwise", r"elementwise|vectorized|unrolled|Elementwise|Functor"),
]


def kind_of(name):
    for kind, pattern in KINDS:
        if re.search(pattern, name, re.IGNORECASE):
            return kind
    return "other"


def main():
    with open(sys.argv[1]) as f:
        trace = json.load(f)
    chunks = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    events = trace["traceEvents"] if isinstance(trace, dict) else trace
    # cpu_op events carry the aten op name and (with input shapes on) its input dims; kernels
    # link to the op that launched them through "External id".
    ops = {}
    for e in events:
        if e.get("ph") == "X" and e.get("cat") == "cpu_op":
            ext = e.get("args", {}).get("External id")
            if ext is not None:
                dims = e.get("args", {}).get("Input Dims", "")
                ops[ext] = (e.get("name", "?"), json.dumps(dims)[:90])
    by_op = collections.Counter()
    by_name = collections.Counter()
    calls = collections.Counter()
    by_kind = collections.Counter()
    for e in events:
        if e.get("ph") != "X" or e.get("cat") not in ("kernel", "Kernel"):
            continue
        name = e.get("name", "?")
        dur = float(e.get("dur", 0)) / 1000.0
        by_name[name] += dur
        calls[name] += 1
        by_kind[kind_of(name)] += dur
        op = ops.get(e.get("args", {}).get("External id"))
        if op is not None:
            by_op[op] += dur
    total = sum(by_kind.values())
    print(f"GPU kernel time: {total:.1f} ms over the trace ({total / chunks:.1f} ms per chunk)")
    for kind, ms in by_kind.most_common():
        print(f"  {kind:26s} {ms:9.1f} ms  {100 * ms / max(total, 1e-9):5.1f}%")
    print("top (aten op, input dims) by kernel time:")
    for (op, dims), ms in by_op.most_common(40):
        print(f"  {ms:9.1f} ms  {op:32s} {dims}")
    print("top kernels:")
    for name, ms in by_name.most_common(25):
        print(f"  {ms:9.1f} ms {calls[name]:6d}x  {name[:110]}")
    idle_report(events, ops, chunks)


def idle_report(events, ops, chunks):
    """Where the GPU waits: idle time between device activities (kernels, copies, memsets) and
    the host calls that overlap the longest gaps (a synchronisation, an allocation, a pageable
    copy), with the op whose kernel ended the gap."""
    device = [e for e in events if e.get("ph") == "X" and
              e.get("cat") in ("kernel", "Kernel", "gpu_memcpy", "gpu_memset")]
    runtime = [e for e in events if e.get("ph") == "X" and
               e.get("cat") in ("cuda_runtime", "cuda_driver")]
    if not device:
        return
    device.sort(key=lambda e: float(e["ts"]))
    copies = collections.Counter()
    for e in device:
        if e.get("cat") == "gpu_memcpy":
            copies[e.get("name", "?")] += float(e.get("dur", 0)) / 1000.0
    gaps = []
    end = float(device[0]["ts"]) + float(device[0].get("dur", 0))
    prev = device[0]
    for e in device[1:]:
        ts = float(e["ts"])
        if ts > end:
            gaps.append((ts - end, end, prev, e))
        if ts + float(e.get("dur", 0)) > end:
            end = ts + float(e.get("dur", 0))
            prev = e
    idle = sum(g[0] for g in gaps) / 1000.0
    span = (end - float(device[0]["ts"])) / 1000.0
    print(f"GPU idle: {idle:.1f} ms of a {span:.1f} ms span ({idle / chunks:.1f} ms per chunk), "
          f"{sum(1 for g in gaps if g[0] > 50)} gaps over 50 us")
    for name, ms in copies.most_common(6):
        print(f"  copy {ms:8.2f} ms  {name[:90]}")
    runtime.sort(key=lambda e: float(e["ts"]))
    starts = [float(r["ts"]) for r in runtime]
    by_cause = collections.Counter()
    for dur, start, before, after in gaps:
        # Host calls on any thread that overlap the gap by a good part of it (the last 64 that
        # began before the gap ended: host calls are short except the ones sought).
        last = bisect.bisect_left(starts, start + dur)
        host = [r for r in runtime[max(0, last - 64):last]
                if float(r["ts"]) + float(r.get("dur", 0)) > start and
                float(r.get("dur", 0)) > 0.3 * dur]
        cause = host[0].get("name", "?") if host else "(launch latency)"
        op = ops.get(after.get("args", {}).get("External id"), ("?", ""))[0]
        by_cause[(cause, op)] += dur / 1000.0
    print("idle time by overlapping host call and the op after the gap:")
    for (cause, op), ms in by_cause.most_common(15):
        print(f"  {ms:8.2f} ms  {cause[:40]:40s} -> {op[:40]}")


if __name__ == "__main__":
    main()
