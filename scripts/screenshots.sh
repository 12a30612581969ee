#!/usr/bin/env bash
# Renders the README screenshots of flashvsr-studio under a virtual X server (Xvfb) into
# docs/images/. Builds nothing: pass the built binary, or the build folder that holds bin/.
#
#   scripts/screenshots.sh [build-dir-or-binary] [output-dir]
#
# The application draws a synthetic 24-frame clip (--screenshot), opens it, renders a comparison
# preview and writes main_window.png, comparison_split.png, comparison_side_by_side.png,
# comparison_difference.png, tile_grid.png (the tile overlay in the viewer), tile_preview.png (a
# clicked tile rendered at full settings in the comparison view, with the measured speed and the
# whole job's estimate), queue.png (the job queue running bicubic jobs, with a failed job's error
# and the throughput plot) and main_window_zh_CN.png. Settings, presets, the queue database and
# the jobs' outputs go to a temporary folder; the user's are not touched.
# The tile preview runs FlashVSR when FVSR_SCREENSHOT_MODEL_DIR names a real model folder
# (random test weights would show noise); otherwise Lanczos-3, and its label says so.
# Needs xvfb-run (Debian: apt-get install xvfb xauth).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
target="${1:-${here}/build}"
out="${2:-${here}/docs/images}"

if [[ -d "${target}" ]]; then
    binary="${target}/bin/flashvsr-studio"
else
    binary="${target}"
fi
if [[ ! -x "${binary}" ]]; then
    echo "flashvsr-studio not found at ${binary}; build it first (target flashvsr-studio)" >&2
    exit 1
fi
if ! command -v xvfb-run >/dev/null; then
    echo "xvfb-run is missing: apt-get install xvfb xauth" >&2
    exit 1
fi

mkdir -p "${out}"
# A fixed screen and DPI so the screenshots look the same on every machine.
export QT_QPA_PLATFORM=xcb
export QT_FONT_DPI=96
xvfb-run --auto-servernum --server-args="-screen 0 1600x1000x24 -dpi 96" \
    "${binary}" --screenshot "${out}"
echo "screenshots written to ${out}:"
ls -1 "${out}"/*.png
