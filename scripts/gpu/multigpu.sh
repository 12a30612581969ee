#!/usr/bin/env bash
# Two-GPU split of one job and resume after a kill -9 (issue #5), on the GPU machine after
# scripts/gpu/run.sh built build-gpu/ (which has no FFmpeg: the input is Y4M, the output a 16-bit
# DPX sequence, both handled by engine_io's own code).
#   (a) reference: the job on one GPU (--devices 0)
#   (b) the same job split over two GPUs (--devices 0,1), killed with kill -9 as soon as the
#       checkpoint manifest lists a finished segment, so other segments are mid-way or waiting
#   (c) resumed with another GPU count (--devices 0) from (b)'s checkpoint
#   (d) (c)'s output against (a)'s: frame count, max abs difference, PSNR. All runs use the same
#       segment plan (--max_segment_frames, --segment_overlap), which does not depend on the
#       device count, so the outputs should be bit-identical when the kernels are deterministic.
# Defaults: 240 frames of 64x48 in segments of 30 on GPUs; 75 frames of 32x24 in segments of 25
# with --cpu (about 2 minutes on 2 busy cores).
# Usage: scripts/gpu/multigpu.sh [--cpu] [--build DIR] [--frames N] [--size WxH]
#   --cpu        CPU workers instead of GPUs ("cpu" and "cpu,cpu"), for debugging anywhere
#   --build DIR  build folder with bin/flashvsr and bin/flashvsr-make-test-model (default build-gpu)
# Environment: OUT (folder for the work files and multigpu.log, default /tmp/fvsr-multigpu).
# Exit status: 0 on success or when skipped ("SKIP: needs 2 GPUs"), 1 on failure.
set -uo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
build=$root/build-gpu
cpu=0
frames=""
size=""
while [ $# -gt 0 ]; do
    case $1 in
        --cpu) cpu=1 ;;
        --build) build=$(cd "$2" && pwd); shift ;;
        --frames) frames=$2; shift ;;
        --size) size=$2; shift ;;
        *) echo "usage: $0 [--cpu] [--build DIR] [--frames N] [--size WxH]" >&2; exit 2 ;;
    esac
    shift
done
# The tiny model is fast on a GPU: enough frames that the kill lands mid-job. On the CPU, fewer.
if [ $cpu = 1 ]; then
    frames=${frames:-75}; size=${size:-32x24}; segment=25
    one=cpu; two=cpu,cpu; device=(--device cpu)
else
    frames=${frames:-240}; size=${size:-64x48}; segment=30
    one=0; two=0,1; device=()
fi
width=${size%x*}
height=${size#*x}
out=${OUT:-/tmp/fvsr-multigpu}
work=$out/work
log=$out/multigpu.log
cli=$build/bin/flashvsr
maker=$build/bin/flashvsr-make-test-model

fail() { echo "FAIL: $*" | tee -a "$log"; exit 1; }
say() { echo "$*" | tee -a "$log"; }

mkdir -p "$out"
: >"$log"
if [ $cpu = 0 ]; then
    gpus=$(nvidia-smi -L 2>/dev/null | grep -c '^GPU ' || true)
    if [ "${gpus:-0}" -lt 2 ]; then
        say "SKIP: needs 2 GPUs (found ${gpus:-0})"
        exit 0
    fi
    say "GPUs: $(nvidia-smi --query-gpu=name --format=csv,noheader | head -n 2 | paste -sd, -)"
fi
[ -x "$cli" ] || fail "$cli is missing: build the flashvsr target first"
[ -x "$maker" ] || fail "$maker is missing: build the flashvsr-make-test-model target first"
rm -rf "$work"
mkdir -p "$work"

# Test input: a Y4M clip (4:2:0, 8-bit) of moving colour ramps, written by python3 alone.
python3 - "$work/in.y4m" "$width" "$height" "$frames" <<'EOF' || fail "cannot write the test input"
import math, sys
path, w, h, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
cw, ch = (w + 1) // 2, (h + 1) // 2
with open(path, 'wb') as f:
    f.write(b'YUV4MPEG2 W%d H%d F25:1 Ip A1:1 C420jpeg XCOLORRANGE=LIMITED\n' % (w, h))
    for k in range(n):
        y = bytes(16 + int(219 * (0.5 + 0.45 * math.sin(0.3 * x + 0.2 * r + 0.15 * k)))
                  for r in range(h) for x in range(w))
        u = bytes(128 + int(60 * math.sin(0.2 * x - 0.1 * k)) for r in range(ch) for x in range(cw))
        v = bytes(128 + int(60 * math.cos(0.25 * r + 0.05 * k)) for r in range(ch) for x in range(cw))
        f.write(b'FRAME\n' + y + u + v)
EOF
"$maker" "$work/model" >>"$log" 2>&1 || fail "flashvsr-make-test-model failed (see $log)"

# One job, three runs: only the output folder, the devices and the checkpoint differ.
job=(-i "$work/in.y4m" --model_dir "$work/model" --scale 4 --output_mode pictures
     --output_format dpx --output_bit_depth 16 --max_segment_frames "$segment"
     --segment_overlap 2 --scene_cuts False --overwrite True "${device[@]}")
count_frames() { find "$1" -maxdepth 1 -name 'frame_*.dpx' 2>/dev/null | wc -l; }

t0=$EPOCHREALTIME
"$cli" "${job[@]}" -o "$work/reference" --devices "$one" --checkpoint_dir "$work/ckpt_ref" \
    >"$out/run_a.log" 2>&1 || fail "(a) one-device run failed: $(tail -n 3 "$out/run_a.log")"
ta=$(awk "BEGIN{printf \"%.1f\", $EPOCHREALTIME - $t0}")
[ "$(count_frames "$work/reference")" = "$frames" ] || fail "(a) wrote $(count_frames "$work/reference") of $frames frames"
say "(a) devices $one: $frames frames in ${ta}s"

# (b) two devices, killed as soon as the manifest lists a finished segment (the others are then
# running or waiting), so that (c) has finished work to keep and a torn segment to redo.
t0=$EPOCHREALTIME
"$cli" "${job[@]}" -o "$work/split" --devices "$two" --checkpoint_dir "$work/ckpt" \
    >"$out/run_b.log" 2>&1 &
pid=$!
killed=0
while kill -0 "$pid" 2>/dev/null; do
    if cat "$work"/ckpt/manifest_*.json 2>/dev/null | tr -d ' \n' | grep -q '"finished":\[{'; then
        kill -9 "$pid" 2>/dev/null && killed=1
        break
    fi
    sleep 0.02
done
wait "$pid" 2>/dev/null
rc_b=$?
done_b=$(count_frames "$work/split")
tb=$(awk "BEGIN{printf \"%.1f\", $EPOCHREALTIME - $t0}")
if [ $killed = 0 ]; then
    fail "(b) the two-device run ended (status $rc_b, $done_b frames) before a segment finished: $(tail -n 3 "$out/run_b.log")"
fi
[ "$done_b" -lt "$frames" ] || fail "(b) every frame was already written when the kill landed; use more --frames"
finished_b=$(python3 -c 'import glob,json,sys; print(sum(len(json.load(open(f))["finished"]) for f in glob.glob(sys.argv[1] + "/manifest_*.json")))' "$work/ckpt")
say "(b) devices $two: killed with kill -9 after ${tb}s: $finished_b segment(s) finished, $done_b of $frames frames written"

# (c) resume with one device.
t0=$EPOCHREALTIME
"$cli" "${job[@]}" -o "$work/split" --devices "$one" --checkpoint_dir "$work/ckpt" \
    >"$out/run_c.log" 2>&1 || fail "(c) resume failed: $(tail -n 3 "$out/run_c.log")"
tc=$(awk "BEGIN{printf \"%.1f\", $EPOCHREALTIME - $t0}")
resumed=$(grep -o 'resumed: [0-9]* of [0-9]* segments' "$out/run_c.log" | tail -n 1)
[ -n "$resumed" ] || fail "(c) the run did not resume the checkpoint (no 'resumed:' line in $out/run_c.log)"
say "(c) devices $one: $resumed, finished in ${tc}s"

# (d) compare the two outputs (16-bit DPX written by our own writer: big-endian RGB at the
# header's image offset).
result=$(python3 - "$work/reference" "$work/split" "$frames" <<'EOF'
import math, os, struct, sys
a_dir, b_dir, expected = sys.argv[1], sys.argv[2], int(sys.argv[3])
def frames(d):
    return sorted(f for f in os.listdir(d) if f.startswith('frame_') and f.endswith('.dpx'))
def samples(path):
    data = open(path, 'rb').read()
    big = data[:4] == b'SDPX'
    offset = struct.unpack('>I' if big else '<I', data[4:8])[0]
    body = data[offset:]
    return body, big
fa, fb = frames(a_dir), frames(b_dir)
if fa != fb or len(fa) != expected:
    print('frames %d vs %d (expected %d)' % (len(fa), len(fb), expected))
    sys.exit(1)
try:
    import numpy as np
except ImportError:
    np = None
worst, sq, count = 0, 0.0, 0
for name in fa:
    (a, big_a), (b, big_b) = samples(os.path.join(a_dir, name)), samples(os.path.join(b_dir, name))
    if len(a) != len(b):
        print('%s: sizes differ' % name)
        sys.exit(1)
    if np is not None:
        x = np.frombuffer(a, dtype='>u2' if big_a else '<u2').astype(np.int64)
        y = np.frombuffer(b, dtype='>u2' if big_b else '<u2').astype(np.int64)
        d = np.abs(x - y)
        worst = max(worst, int(d.max()))
        sq += float((d.astype(np.float64) ** 2).sum())
        count += d.size
    else:
        fmt = ('>' if big_a else '<') + '%dH' % (len(a) // 2)
        for p, q in zip(struct.unpack(fmt, a), struct.unpack(fmt, b)):
            worst = max(worst, abs(p - q))
            sq += (p - q) ** 2
            count += 1
mse = sq / max(count, 1)
psnr = 'inf' if mse == 0 else '%.2f' % (10 * math.log10(65535.0 ** 2 / mse))
print('frames %d, max abs diff %d (of 65535), PSNR %s dB%s' %
      (len(fa), worst, psnr, ', bit-identical' if worst == 0 else ''))
EOF
)
rc_d=$?
say "(d) $result"
[ $rc_d = 0 ] || fail "(d) the outputs do not match in frame count or size"
say "RESULT: PASS split $two killed at $done_b/$frames frames, resumed on $one: $result"
