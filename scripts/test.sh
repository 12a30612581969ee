#!/usr/bin/env bash
# Quick start step 2: installs what is missing, builds, and runs the whole test suite.
# GPU-labelled tests skip loudly here (they run on a GPU machine through scripts/gpu/run.sh);
# real_weights tests run only when FLASHVSR_REAL_MODEL_DIR points at the downloaded model folder.
#
# After CTest (which includes the package test, label "package", and the replay of every fuzz
# regression input), the hardening runs follow in their own build folders: scripts/fuzz.sh
# (libFuzzer on every parser of untrusted bytes: safetensors, torch zip, DPX, EXR, media probe,
# presets, resume manifests; build-fuzz/) and scripts/sanitize.sh (ASan+UBSan on the torch-free
# modules, build-asan/; TSan on the job queue and worker pool, build-tsan/). They run when no
# CTest arguments are given (as in CI) or with FVSR_EXTRA_CHECKS=1 (=full, its former opt-in
# for the slow parts, now means the same); FVSR_EXTRA_CHECKS=0 skips them. Every part runs even when an earlier one failed; the exit status is non-zero if any
# failed.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install_deps.sh
scripts/build.sh
extras="${FVSR_EXTRA_CHECKS:-}"
if [[ -z "${extras}" ]]; then
    extras=$([[ $# -eq 0 ]] && echo 1 || echo 0)
fi

status=0
start=$(date +%s)
(cd build && ctest --output-on-failure -j "$(nproc)" --timeout 900 "$@") || status=1
timings="ctest $(($(date +%s) - start)) s"
if [[ "${extras}" == 1 || "${extras}" == full ]]; then
    start=$(date +%s)
    scripts/fuzz.sh || status=1  # every target
    timings+=", fuzz $(($(date +%s) - start)) s"
    start=$(date +%s)
    scripts/sanitize.sh address thread || status=1
    timings+=", sanitizers $(($(date +%s) - start)) s"
fi
echo "test.sh: ${timings}; $([[ ${status} -eq 0 ]] && echo passed || echo FAILED)"
exit ${status}
