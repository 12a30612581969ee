# Sanitizer and fuzzing builds. Included from the top-level CMakeLists.txt after the dependencies
# are found and before any target is declared, so the flags reach every target of the project
# (and none of the configure-time checks).
#
#   FVSR_SANITIZE=address   ASan + UBSan (scripts/sanitize.sh, build-asan/)
#   FVSR_SANITIZE=thread    TSan (scripts/sanitize.sh, build-tsan/)
#   FVSR_FUZZ=ON            clang only: every target gets -fsanitize=fuzzer-no-link,address,undefined
#                           and tests/fuzz builds one libFuzzer executable per parser
#                           (scripts/fuzz.sh, build-fuzz/)
#
# UBSan findings abort (-fno-sanitize-recover) so a test or a fuzz run fails on the first one
# instead of printing a line nobody reads. Third-party libraries (LibTorch, FFmpeg, OpenEXR, Qt)
# stay uninstrumented; scripts/sanitize.sh lists the TSan suppressions that costs.

set(FVSR_SANITIZE "" CACHE STRING "Sanitizer build: empty, address (ASan+UBSan) or thread (TSan)")
set_property(CACHE FVSR_SANITIZE PROPERTY STRINGS "" address thread)
option(FVSR_FUZZ "Build the libFuzzer targets of tests/fuzz (clang only)" OFF)

set(_fvsr_san_compile "")
set(_fvsr_san_link "")
if(FVSR_SANITIZE STREQUAL "address")
    set(_fvsr_san_compile -fsanitize=address,undefined -fno-sanitize-recover=undefined
                          -fno-omit-frame-pointer)
    set(_fvsr_san_link -fsanitize=address,undefined)
elseif(FVSR_SANITIZE STREQUAL "thread")
    set(_fvsr_san_compile -fsanitize=thread -fno-omit-frame-pointer)
    set(_fvsr_san_link -fsanitize=thread)
elseif(FVSR_SANITIZE)
    message(FATAL_ERROR "FVSR_SANITIZE must be empty, address or thread (got '${FVSR_SANITIZE}')")
endif()

if(FVSR_FUZZ)
    if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
        message(FATAL_ERROR "FVSR_FUZZ needs clang's libFuzzer: configure with "
                            "-DCMAKE_CXX_COMPILER=clang++-14 -DCMAKE_C_COMPILER=clang-14 "
                            "(scripts/fuzz.sh does)")
    endif()
    if(FVSR_SANITIZE)
        message(FATAL_ERROR "FVSR_FUZZ already implies ASan + UBSan; leave FVSR_SANITIZE empty")
    endif()
    # fuzzer-no-link instruments for coverage without pulling libFuzzer's main() into every
    # executable; the fuzz targets add -fsanitize=fuzzer at link time.
    set(_fvsr_san_compile -fsanitize=fuzzer-no-link,address,undefined
                          -fno-sanitize-recover=undefined -fno-omit-frame-pointer -g)
    set(_fvsr_san_link -fsanitize=address,undefined)
endif()

if(_fvsr_san_compile)
    add_compile_options("$<$<COMPILE_LANGUAGE:C,CXX>:${_fvsr_san_compile}>")
    add_link_options(${_fvsr_san_link})
    message(STATUS "Sanitizers: compile ${_fvsr_san_compile}; link ${_fvsr_san_link}")
endif()
