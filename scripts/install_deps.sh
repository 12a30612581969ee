#!/usr/bin/env bash
# Installs the Debian 12 packages FlashVSR Studio builds and tests with, skipping what is present.
# Safe to run repeatedly; asks apt only when something is missing.
set -euo pipefail

packages=(
    build-essential cmake ninja-build pkg-config git
    libtorch-dev libopenblas0-pthread          # LibTorch 1.13 CPU; OpenBLAS with threads (fp32 matmul is ~40x slower without)
    libavformat-dev libavcodec-dev libavutil-dev libswscale-dev libswresample-dev ffmpeg
    libopenexr-dev libpng-dev nlohmann-json3-dev
    libgtest-dev googletest clang-format
    qt6-base-dev qt6-tools-dev qt6-tools-dev-tools qt6-l10n-tools libqt6sql6-sqlite libqt6opengl6-dev
    libqcustomplot-dev libqcustomplot2.1-qt6
    python3-torch                              # test fixtures only: real torch.save files
    xvfb xauth fonts-wqy-microhei              # GUI tests and screenshots without a display (CJK font for zh_CN)
    dpkg-dev file help2man                     # the package: dpkg-shlibdeps (runtime Depends), the man page
    appstream desktop-file-utils               # the package test validates the metadata and desktop entry
    clang-14 libclang-rt-14-dev                # scripts/fuzz.sh: libFuzzer with ASan/UBSan
)

missing=()
for p in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$p")
    fi
done
if [ ${#missing[@]} -eq 0 ]; then
    echo "install_deps: all ${#packages[@]} packages present"
    exit 0
fi
echo "install_deps: installing ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    SUDO="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
