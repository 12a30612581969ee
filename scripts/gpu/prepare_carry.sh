#!/usr/bin/env bash
# Run HERE (the Debian development machine) before a GPU run: fills .carry/ (git-ignored) with what
# the GPU machine lacks and cannot download: GoogleTest sources, nlohmann-json headers and the
# golden data (../shared/golden, which does not travel by itself). Pass .carry in the device
# tool's `carry` list.
set -euo pipefail
cd "$(dirname "$0")/../.."
mkdir -p .carry/include .carry/shared
rm -rf .carry/googletest .carry/include/nlohmann .carry/shared/golden
cp -a /usr/src/googletest .carry/googletest
cp -a /usr/include/nlohmann .carry/include/nlohmann
if [ -d ../shared/golden ]; then
    cp -a ../shared/golden .carry/shared/golden
fi
du -sh .carry
