#!/usr/bin/env bash
# Quick start step 2: installs what is missing, builds, and runs the whole test suite.
# GPU-labelled tests skip loudly here (they run on a GPU machine through scripts/gpu/run.sh);
# real_weights tests run only when FLASHVSR_REAL_MODEL_DIR points at the downloaded model folder.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install_deps.sh
scripts/build.sh
cd build
ctest --output-on-failure -j "$(nproc)" --timeout 900 "$@"
