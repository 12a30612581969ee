#!/usr/bin/env bash
# Applies .clang-format to every C++/CUDA source of the project.
set -euo pipefail
cd "$(dirname "$0")/.."
find app ui engine kernels tests \( -name '*.cpp' -o -name '*.h' -o -name '*.cu' -o -name '*.cuh' \) -print0 2>/dev/null |
    xargs -0 -r clang-format -i --style=file
