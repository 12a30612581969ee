#!/usr/bin/env bash
# Renders the application icon's PNG sizes from icons/flashvsr-studio.svg into
# icons/<N>x<N>/flashvsr-studio.png. The PNGs are committed, so building and packaging need no
# SVG renderer; run this after editing the SVG (needs rsvg-convert: apt-get install librsvg2-bin).
set -euo pipefail
cd "$(dirname "$0")/icons"
for size in 16 22 24 32 48 64 128 256 512; do
    mkdir -p "${size}x${size}"
    rsvg-convert --width "${size}" --height "${size}" flashvsr-studio.svg \
        --output "${size}x${size}/flashvsr-studio.png"
done
ls -1 ./*/flashvsr-studio.png
