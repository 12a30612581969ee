#!/usr/bin/env bash
# The one GPU-machine script: builds the engine, tools, GPU tests and benchmarks against the
# LibTorch bundled with python3's torch (no Qt, no FFmpeg there), runs them, prints a table.
# Usage (on the GPU machine, from the repository root, after scripts/gpu/prepare_carry.sh here):
#   scripts/gpu/run.sh [all|build|test|golden|bench|profile|long|upscaler|vae|multigpu]...
#   (default: all; profile, long, upscaler, vae and multigpu are not part of all: vae = the Wan VAE
#   decoder alone (layouts, tiles, trace); profile = the LQ projector on cuDNN instead of GEMMs and a
#   Kineto trace of steady chunks summarised by kernel kind; long = a 1,001-frame run at
#   768x1408 (throughput and memory per quarter); upscaler = whole Upscaler runs on a full-size
#   random model folder: tiny/full mode, untiled/tiled, 1024x1920 and 2048x3840 output;
#   FVSR_UPSCALER_QUICK=1 skips the tiled runs; multigpu = scripts/gpu/multigpu.sh, the
#   two-GPU split / kill -9 / resume test, which needs the flashvsr and make-test-model targets)
# Environment: OUT (folder for logs, default /tmp/fvsr-gpu-out), FVSR_CUDA_ARCHS (default: the
# card's own, e.g. 90; release builds use "80;86;89;90"), FVSR_BUILD_TARGETS (space-separated
# targets to build instead of everything, for short calls).
set -uo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
out=${OUT:-/tmp/fvsr-gpu-out}
mkdir -p "$out"
build=$root/build-gpu
steps=("$@")
[ ${#steps[@]} -eq 0 ] && steps=(all)
want() { local s; for s in "${steps[@]}"; do [ "$s" = all ] || [ "$s" = "$1" ] && return 0; done; return 1; }

rows=()
record() { rows+=("$(printf '%-34s %-6s %8s  %s' "$1" "$2" "$3" "$4")"); }
run_step() {  # run_step NAME LOGFILE command...
    local name=$1 log=$2; shift 2
    local t0=$EPOCHREALTIME
    "$@" >"$out/$log" 2>&1
    local rc=$?
    local dt=$(awk "BEGIN{printf \"%.1fs\", $EPOCHREALTIME - $t0}")
    local status=PASS; [ $rc -ne 0 ] && status=FAIL
    record "$name" "$status" "$dt" "$(tail -n 1 "$out/$log" | cut -c1-90)"
    return $rc
}

nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader >"$out/gpu.txt" 2>&1
gpu_name=$(head -n1 "$out/gpu.txt")
archs=${FVSR_CUDA_ARCHS:-$(nvidia-smi --query-gpu=compute_cap --format=csv,noheader | head -n1 | tr -d .)}
prefix=$(python3 -c 'import torch;print(torch.utils.cmake_prefix_path)')

if want build; then
    run_step "configure" configure.log cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
        -DFVSR_MEDIA=OFF -DFVSR_UI=OFF -DFVSR_CUDA=ON -DCMAKE_PREFIX_PATH="$prefix" \
        -DCMAKE_CUDA_COMPILER=/usr/local/cuda/bin/nvcc -DFVSR_CUDA_ARCHITECTURES="$archs" \
        -DFVSR_SHARED_DIR="$root/.carry/shared" -DFVSR_TORCH_PCH=ON
    targets=()
    for t in ${FVSR_BUILD_TARGETS:-}; do targets+=(--target "$t"); done
    run_step "build" build.log cmake --build "$build" -j "$(nproc)" "${targets[@]}" -- -k 0
fi
if want test; then
    run_step "ctest -L gpu" ctest_gpu.log bash -c "cd '$build' && ctest -L gpu --output-on-failure"
    run_step "ctest (cpu suite on this machine)" ctest_cpu.log bash -c "cd '$build' && ctest -LE 'gpu|real_weights|slow' --output-on-failure -j 8"
fi
if want golden && [ -x "$build/bin/flashvsr-golden" ]; then
    for case in "$root"/.carry/shared/golden/*/; do
        [ -f "$case/params.json" ] || continue
        n=$(basename "$case")
        run_step "golden $n cuda bf16" "golden_$n.log" "$build/bin/flashvsr-golden" "$case" \
            --device cuda --precision bf16 --tolerance-profile bf16
    done
fi
if want bench; then
    [ -x "$build/bin/kernels-cuda-selftest" ] &&
        run_step "kernels selftest (+bench)" kernels_selftest.log "$build/bin/kernels-cuda-selftest" --bench
    [ -x "$build/bin/flashvsr-bench-kernels" ] &&
        run_step "bench kernels" bench_kernels.log "$build/bin/flashvsr-bench-kernels" ${FVSR_BENCH_QUICK:+--quick}
    [ -x "$build/bin/flashvsr-bench-pipeline" ] && {
        run_step "bench pipeline 768x1408 tiny" bench_pipeline_768.log "$build/bin/flashvsr-bench-pipeline" \
            --device cuda --config full --width 1408 --height 768 --chunks 6
        run_step "bench pipeline 1024x1920 tiny" bench_pipeline_1080.log "$build/bin/flashvsr-bench-pipeline" \
            --device cuda --config full --width 1920 --height 1024 --chunks 4
    }
fi
if [ "${steps[*]}" != all ] && want long && [ -x "$build/bin/flashvsr-bench-pipeline" ]; then
    run_step "pipeline 768x1408 1001 frames" bench_long.log "$build/bin/flashvsr-bench-pipeline" \
        --device cuda --config full --width 1408 --height 768 --chunks 126
    run_step "pipeline 768x1408 default allocator" bench_alloc.log \
        "$build/bin/flashvsr-bench-pipeline" --device cuda --config full --width 1408 --height 768 \
        --chunks 6 --alloc_conf none
fi
if [ "${steps[*]}" != all ] && want upscaler && [ -x "$build/bin/flashvsr-bench-upscaler" ]; then
    models=/tmp/fvsr-full-model
    [ -f "$models/posi_prompt.pth" ] ||
        run_step "full-size random model" make_model.log "$build/bin/flashvsr-make-test-model" \
            "$models" --size full
    ub() {  # ub LABEL LOG args...
        local label=$1 log=$2; shift 2
        run_step "$label" "$log" timeout 150 bash -c "'$build/bin/flashvsr-bench-upscaler' --model_dir '$models' \
            --device cuda --label '$label' $* | tee /dev/stderr | grep RESULT"
    }
    ub "tiny 768x1408" up_tiny768.log --width 352 --height 192 --frames 101
    ub "tiny 1024x1920" up_tiny1080.log --width 480 --height 256 --frames 101
    [ -n "${FVSR_UPSCALER_QUICK:-}" ] ||
    ub "tiny 1024x1920 tiles 256/24 tile-major" up_tiled1080.log --width 480 --height 256 \
        --frames 101 --tile_size 256 --tile_overlap 24 --tile_shift 0 --tile_order tile
    [ -n "${FVSR_UPSCALER_QUICK:-}" ] ||
    ub "tiny 2048x3840 tiles 256/24 tile-major" up_tiled4k.log --width 960 --height 512 \
        --frames 61 --tile_size 256 --tile_overlap 24 --tile_shift 0 --tile_order tile
    ub "full 768x1408" up_full768.log --mode full --width 352 --height 192 --frames 45
    ub "full 768x1408 tiled VAE" up_fulltv.log --mode full --width 352 --height 192 --frames 45 \
        --tiled_vae 1
fi
if [ "${steps[*]}" != all ] && want multigpu; then
    # Two-GPU split of one job, kill -9, resume on one GPU (skips itself with one GPU).
    # As users run it (cuDNN autotuning: outputs equal up to rounding), then deterministic
    # (FLASHVSR_DETERMINISTIC=1: the resumed output must be bit-identical).
    run_step "two-GPU split + kill + resume" multigpu_run.log env OUT="$out/multigpu" \
        scripts/gpu/multigpu.sh --build "$build"
    [ -f "$out/multigpu/multigpu.log" ] && cp "$out/multigpu/multigpu.log" "$out/multigpu.log"
    run_step "two-GPU ... deterministic" multigpu_det_run.log env OUT="$out/multigpu_det" \
        FLASHVSR_DETERMINISTIC=1 scripts/gpu/multigpu.sh --build "$build"
    [ -f "$out/multigpu_det/multigpu.log" ] &&
        cp "$out/multigpu_det/multigpu.log" "$out/multigpu_det.log"
fi
if [ "${steps[*]}" != all ] && want vae && [ -x "$build/bin/flashvsr-bench-vae" ]; then
    # Full mode's Wan VAE decoder alone at 768x1408: both activation layouts, latent tiles, and a
    # Kineto trace of the steady chunks (vae_trace_summary.txt).
    vae=("$build/bin/flashvsr-bench-vae" --device cuda --width 1408 --height 768)
    run_step "VAE 768x1408 NCDHW" vae_ncdhw.log "${vae[@]}" --chunks 4 --channels-last 0
    run_step "VAE 768x1408 channels-last" vae_cl.log "${vae[@]}" --chunks 4 --channels-last 1
    run_step "VAE 768x1408 tiled" vae_tiled.log "${vae[@]}" --chunks 4 --tiled 1
    run_step "VAE 768x1408 trace" vae_trace.log "${vae[@]}" --chunks 3 --profile "$out/vae_trace.json"
    [ -f "$out/vae_trace.json" ] && python3 scripts/gpu/trace_summary.py "$out/vae_trace.json" 2 \
        >"$out/vae_trace_summary.txt" 2>&1 && rm -f "$out/vae_trace.json"
fi
if [ "${steps[*]}" != all ] && want profile && [ -x "$build/bin/flashvsr-bench-pipeline" ]; then
    bench=("$build/bin/flashvsr-bench-pipeline" --device cuda --config full --width 1408 --height 768)
    run_step "pipeline 768x1408 projector cuDNN" prof_proj.log "${bench[@]}" --chunks 6 \
        --projector-gemm 0
    run_step "pipeline 768x1408 trace" prof_trace.log "${bench[@]}" --chunks 5 \
        --profile "$out/trace.json"
    [ -f "$out/trace.json" ] && python3 scripts/gpu/trace_summary.py "$out/trace.json" 4 \
        >"$out/trace_summary.txt" 2>&1 && gzip -f "$out/trace.json"
fi

{
    echo "GPU: $gpu_name (archs $archs)"
    printf '%-34s %-6s %8s  %s\n' "step" "status" "time" "last line"
    printf '%s\n' "${rows[@]}"
} | tee "$out/summary.txt"
