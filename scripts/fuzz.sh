#!/usr/bin/env bash
# Builds the libFuzzer targets of tests/fuzz with clang (ASan + UBSan, build-fuzz/) and runs each
# for a bounded time on a seed corpus made from our own test files.
#
#   scripts/fuzz.sh [TARGET...]          all targets when none are named
#
# Environment: FVSR_FUZZ_SECONDS (per target, default 15), FVSR_FUZZ_JOBS (build jobs, default
# nproc), FVSR_FUZZ_DIR (build folder, default build-fuzz).
#
# Only the libraries the targets need are compiled (engine_core, engine_imaging, engine_io, the
# checkpoint reader, four torch-free engine/jobs sources for the manifest, two ui/settings
# sources with Qt Core): not the pipeline, not the GUI. The corpus grows in build-fuzz/corpus/<target>/ between runs on one machine.
# A crash stops with a non-zero status and prints the input's path: copy it to
# tests/fuzz/regressions/<target>/ (the normal build replays that folder as a ctest, label
# "fuzz") and fix the bug.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$(pwd)"
build="${FVSR_FUZZ_DIR:-${root}/build-fuzz}"
seconds="${FVSR_FUZZ_SECONDS:-15}"
jobs="${FVSR_FUZZ_JOBS:-$(nproc)}"

clangxx="$(command -v clang++-14 || command -v clang++ || true)"
clangc="$(command -v clang-14 || command -v clang || true)"
if [[ -z "${clangxx}" || -z "${clangc}" ]]; then
    echo "fuzz: clang is missing (apt-get install clang-14); skipping the fuzz run" >&2
    exit 0
fi
if ! ls /usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a >/dev/null 2>&1; then
    echo "fuzz: clang's libFuzzer runtime is missing (apt-get install libclang-rt-14-dev or clang-14); skipping" >&2
    exit 0
fi

start=$(date +%s)
if [[ ! -f "${build}/CMakeCache.txt" ]]; then
    mkdir -p "${build}"
    # Warnings are not errors here: clang warns about things GCC (the project's compiler) does
    # not, and this build exists to find memory errors, not to lint.
    cmake -S "${root}" -B "${build}" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
        -DCMAKE_C_COMPILER="${clangc}" -DCMAKE_CXX_COMPILER="${clangxx}" \
        -DFVSR_FUZZ=ON -DFVSR_UI=OFF -DFVSR_CUDA=OFF -DFVSR_WERROR=OFF >"${build}/configure.log" 2>&1 ||
        { cat "${build}/configure.log"; exit 1; }
fi
mapfile -t available <"${build}/tests/fuzz/targets.txt"
targets=("$@")
if [[ ${#targets[@]} -eq 0 ]]; then
    targets=("${available[@]}")
    cmake --build "${build}" -j "${jobs}" --target fuzz_all
else
    cmake --build "${build}" -j "${jobs}" --target "${targets[@]/#/fuzz_}"
fi
built=$(date +%s)

# Seeds: our own files, small so that mutations stay fast.
seeds="${build}/seeds"
rm -rf "${seeds}"
mkdir -p "${seeds}"/{safetensors,torch_zip,dpx,exr,media_probe}
cp tests/data/checkpoints/*.pth "${seeds}/torch_zip/"
for f in tests/data/checkpoints/*.safetensors; do
    [[ $(stat -c %s "${f}") -le 16384 ]] && cp "${f}" "${seeds}/safetensors/"
done
if command -v ffmpeg >/dev/null; then
    ff() { ffmpeg -loglevel error -y -f lavfi -i "testsrc2=size=16x12:rate=25" "$@"; }
    ff -frames:v 1 -pix_fmt rgb24 "${seeds}/dpx/rgb8.dpx"
    ff -frames:v 1 -pix_fmt gbrp10le "${seeds}/dpx/rgb10.dpx"
    ff -frames:v 1 -pix_fmt rgb48le "${seeds}/dpx/rgb16.dpx"
    ff -frames:v 1 -pix_fmt gray "${seeds}/dpx/gray8.dpx"
    ff -frames:v 1 -pix_fmt gbrpf32le -compression none "${seeds}/exr/float_none.exr"
    ff -frames:v 1 -pix_fmt gbrpf32le -format half -compression zip16 "${seeds}/exr/half_zip.exr"
    ff -frames:v 1 -pix_fmt gbrpf32le -format half -compression rle "${seeds}/exr/half_rle.exr"
    ff -frames:v 3 -c:v ffv1 "${seeds}/media_probe/ffv1.mkv"
    ff -frames:v 3 -c:v mpeg4 "${seeds}/media_probe/mpeg4.avi"
    ff -frames:v 3 -c:v mjpeg "${seeds}/media_probe/mjpeg.mov"
    ff -frames:v 3 -c:v libx264 -preset ultrafast "${seeds}/media_probe/h264.mp4" 2>/dev/null || true
    ff -frames:v 3 -c:v libvpx-vp9 "${seeds}/media_probe/vp9.webm" 2>/dev/null || true
fi

status=0
summary=""
for name in "${targets[@]}"; do
    exe="${build}/tests/fuzz/fuzz_${name}"
    if [[ ! -x "${exe}" ]]; then
        echo "fuzz: no target ${name} (have: ${available[*]})" >&2
        status=1
        continue
    fi
    corpus="${build}/corpus/${name}"
    crashes="${build}/crashes/${name}"
    mkdir -p "${corpus}" "${crashes}"
    dirs=("${corpus}")
    for d in "${seeds}/${name}" "tests/fuzz/seeds/${name}" "tests/fuzz/regressions/${name}"; do
        [[ -d "${d}" ]] && dirs+=("${d}")
    done
    log="${build}/fuzz_${name}.log"
    # -malloc_limit_mb: a parser that allocates a gigabyte because a few bytes of header say so
    # is a bug (a tiny file could exhaust memory); -timeout: so is one input taking 10 s.
    echo "== fuzz_${name}: ${seconds} s"
    # detect_leaks=0: LeakSanitizer reports the one-time allocations of uninstrumented libraries
    # (FFmpeg's codec tables, Qt's and LibTorch's static registries) as leaks at exit.
    if ASAN_OPTIONS="detect_leaks=0:abort_on_error=1:symbolize=1" \
        UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1" \
        "${exe}" -max_total_time="${seconds}" -timeout=10 -rss_limit_mb=2560 -malloc_limit_mb=1024 -seed=1 \
        -print_final_stats=1 -artifact_prefix="${crashes}/" "${dirs[@]}" >"${log}" 2>&1; then
        runs="$(grep -Eo 'stat::number_of_executed_units: *[0-9]+' "${log}" | grep -Eo '[0-9]+$' || echo '?')"
        summary+="  ${name}: ok, ${runs} inputs\n"
    else
        status=1
        tail -n 60 "${log}"
        summary+="  ${name}: FAILED, inputs in ${crashes}/ (log ${log})\n"
    fi
done
end=$(date +%s)
printf "fuzz summary (build %d s, fuzzing %d s):\n%b" $((built - start)) $((end - built)) "${summary}"
if [[ ${status} -ne 0 ]]; then
    echo "fuzz: a target failed. Copy the input to tests/fuzz/regressions/<target>/, fix the bug," >&2
    echo "      and check with: ${build}/tests/fuzz/fuzz_<target> <input>" >&2
fi
exit ${status}
