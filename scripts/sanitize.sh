#!/usr/bin/env bash
# Sanitizer runs of the CPU test suite, each in its own build folder (GCC, -O1 -g):
#
#   address  build-asan/: ASan + UBSan on the torch-free modules (engine_core, engine_imaging,
#            engine_io, engine_gpu), their tests, and the fuzz regression replays of the
#            torch-free parsers (DPX, EXR, media probe, preset).
#   thread   build-tsan/: TSan on the job queue and worker pool: engine/jobs' end-to-end tests
#            (several CPU workers, cancellation, resume, farm ranges; the bicubic scaler) and
#            tests/faults' corrupted-segment and removed-model-folder (tiny FlashVSR) tests. The pipeline and LibTorch are linked but never run; the pipeline and model
#            libraries are not compiled here but linked, uninstrumented, from the main build
#            folder (build/, built first if needed; FVSR_TSAN_PREBUILT_DIR in
#            cmake/FvsrSanitizers.cmake), which keeps a clean TSan build to the torch-free
#            modules, engine/jobs and the tests.
#
#   scripts/sanitize.sh [address] [thread]      both when none is named
#
# Environment: FVSR_SANITIZE_JOBS (build jobs, default nproc), FVSR_MAIN_BUILD (the main build
# folder the TSan build links the pipeline from, default build).
# UBSan findings abort; every sanitizer report fails the run.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$(pwd)"
jobs="${FVSR_SANITIZE_JOBS:-$(nproc)}"
kinds=("$@")
if [[ ${#kinds[@]} -eq 0 ]]; then
    kinds=(address thread)
fi

configure() {  # build-dir sanitizer [cmake -D options...]
    local build="$1" kind="$2"
    shift 2
    if [[ ! -f "${build}/CMakeCache.txt" ]]; then
        mkdir -p "${build}"
        # -O1: sanitizer builds need no full optimisation and compile faster without it.
        cmake -S "${root}" -B "${build}" -G Ninja -DCMAKE_BUILD_TYPE=Debug \
            -DCMAKE_CXX_FLAGS_DEBUG="-O1 -g" -DCMAKE_C_FLAGS_DEBUG="-O1 -g" \
            -DFVSR_SANITIZE="${kind}" -DFVSR_UI=OFF -DFVSR_CUDA=OFF "$@" >"${build}/configure.log" 2>&1 ||
            { cat "${build}/configure.log"; return 1; }
    elif [[ $# -gt 0 ]]; then
        cmake "${build}" "$@" >"${build}/configure.log" 2>&1 || { cat "${build}/configure.log"; return 1; }
    fi
}

# Runs one gtest executable from its build folder (the tests' working directory).
run_tests() {  # build-dir executable [gtest args...]
    local build="$1" exe="$2"
    shift 2
    echo "== ${exe} $*"
    (cd "${build}" && "tests/${exe}" --gtest_brief=1 "$@")
}

status=0
summary=""
for kind in "${kinds[@]}"; do
    start=$(date +%s)
    case "${kind}" in
    address)
        build="${root}/build-asan"
        configure "${build}" address
        targets=(engine_core_tests engine_imaging_tests engine_io_tests engine_gpu_tests
            fuzz_replay_dpx fuzz_replay_exr fuzz_replay_media_probe fuzz_replay_preset)
        cmake --build "${build}" -j "${jobs}" --target "${targets[@]}"
        built=$(date +%s)
        export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:strict_string_checks=1:detect_stack_use_after_return=1"
        export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
        # LeakSanitizer: FFmpeg, fontconfig and OpenEXR keep one-time allocations for the process;
        # libx265 leaks its copied parameters in x265_encoder_open (not our allocation).
        lsan="${build}/lsan.supp"
        printf 'leak:libavcodec\nleak:libavformat\nleak:libavutil\nleak:libx265\nleak:libfontconfig\nleak:libOpenEXR\n' >"${lsan}"
        export LSAN_OPTIONS="suppressions=${lsan}:print_suppressions=0"
        ok=1
        for t in engine_core_tests engine_imaging_tests engine_io_tests engine_gpu_tests; do
            run_tests "${build}" "${t}" || ok=0
        done
        for f in dpx exr media_probe preset; do
            echo "== fuzz_replay_${f}"
            "${build}/tests/fuzz/fuzz_replay_${f}" "tests/fuzz/seeds/${f}" "tests/fuzz/regressions/${f}" >/dev/null || ok=0
        done
        unset ASAN_OPTIONS UBSAN_OPTIONS LSAN_OPTIONS
        ;;
    thread)
        build="${root}/build-tsan"
        # The pipeline and model libraries come from the main build (uninstrumented, like
        # LibTorch itself), which must be up to date: scripts/test.sh builds it first. Without
        # it they are compiled here (much slower).
        main_build="$(realpath -m "${FVSR_MAIN_BUILD:-${root}/build}")"
        prebuilt="${main_build}"
        if [[ ! -f "${main_build}/lib/libengine_pipeline.a" ]]; then
            echo "sanitize: ${main_build}/lib/libengine_pipeline.a is missing (scripts/build.sh" \
                "makes it); compiling the pipeline in ${build}" >&2
            prebuilt=""
        fi
        configure "${build}" thread -DFVSR_TSAN_PREBUILT_DIR="${prebuilt}"
        cmake --build "${build}" -j "${jobs}" --target engine_jobs_tests fault_tests
        built=$(date +%s)
        # LibTorch, OpenBLAS, OpenMP and FFmpeg are not instrumented: TSan cannot see their
        # memory accesses, only their pthread calls. Reports whose racing access happens inside
        # them are about their internals (OpenMP's barrier-based sync is invisible to TSan),
        # not about our queue, so they are suppressed; races in our code are still reported.
        # OpenBLAS is matched with race: because called_from_lib stops TSan with a fatal error when
        # a name matches two loaded modules, and libopenblas.so.0 is listed twice in this process.
        tsan="${build}/tsan.supp"
        printf '%s\n' 'called_from_lib:libgomp.so.1' 'called_from_lib:libtorch_cpu.so' \
            'race:libopenblas.so.0' 'called_from_lib:libavcodec.so.59' \
            'called_from_lib:libavformat.so.59' 'called_from_lib:libavutil.so.57' >"${tsan}"
        export TSAN_OPTIONS="suppressions=${tsan}:halt_on_error=1:second_deadlock_stack=1"
        # GCC 12's TSan needs the address layout it expects; ASLR with many random bits (newer
        # kernels) breaks it, so the tests run with ASLR off when setarch can do that.
        norandom=()
        if setarch "$(uname -m)" -R true 2>/dev/null; then
            norandom=(setarch "$(uname -m)" -R)
        fi
        ok=1
        (cd "${build}" && "${norandom[@]}" tests/engine_jobs_tests --gtest_brief=1 \
            --gtest_filter='JobsEndToEnd.*') || ok=0
        (cd "${build}" && "${norandom[@]}" tests/fault_tests --gtest_brief=1 \
            --gtest_filter='JobFaults.ModelFolderRemovedMidQueue:JobFaults.CorruptedFinishedSegmentIsRedone') || ok=0
        unset TSAN_OPTIONS
        ;;
    *)
        echo "sanitize: unknown kind ${kind} (address or thread)" >&2
        exit 2
        ;;
    esac
    end=$(date +%s)
    if [[ ${ok} -eq 1 ]]; then
        summary+="  ${kind}: ok (build $((built - start)) s, tests $((end - built)) s)\n"
    else
        status=1
        summary+="  ${kind}: FAILED (build $((built - start)) s, tests $((end - built)) s)\n"
    fi
done
printf "sanitize summary:\n%b" "${summary}"
exit ${status}
