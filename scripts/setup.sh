#!/usr/bin/env bash
# Quick start step 1: installs what is missing, builds, then shows the program working:
# a tiny random-weight model and a synthetic clip are made and upscaled with the CLI (the real
# weights are downloaded by the user; see README "Model files"). Starts the GUI when it is built
# and a display is available.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install_deps.sh
scripts/build.sh
sample=build/sample
mkdir -p "$sample"
if [ -x build/bin/flashvsr-make-test-model ]; then
    build/bin/flashvsr-make-test-model "$sample/model" >/dev/null
fi
ffmpeg -loglevel error -y -f lavfi -i "testsrc2=size=96x64:rate=24:duration=1" \
    -f lavfi -i "sine=frequency=440:duration=1" -c:v ffv1 -c:a flac -shortest "$sample/clip.mkv"
if [ -d "$sample/model" ]; then
    build/bin/flashvsr --input "$sample/clip.mkv" --output "$sample/clip_4x.mkv" --model_dir "$sample/model" \
        --scale 4 --overwrite True
else
    build/bin/flashvsr --input "$sample/clip.mkv" --output "$sample/clip_4x.mkv" --upscaler bicubic \
        --scale 4 --overwrite True
fi
echo "Upscaled sample: $sample/clip_4x.mkv"
if [ -x build/bin/flashvsr-studio ] && { [ -n "${DISPLAY:-}" ] || [ -n "${WAYLAND_DISPLAY:-}" ]; }; then
    exec build/bin/flashvsr-studio
fi
