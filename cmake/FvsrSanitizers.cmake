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

# FVSR_SANITIZE=thread with FVSR_TSAN_PREBUILT_DIR set to a normal build folder of the same
# sources (scripts/sanitize.sh passes build/, which scripts/build.sh has just built): the
# LibTorch libraries of the project (engine_pipeline, engine_model_*) are linked from that
# folder instead of being compiled again. They would run uninstrumented anyway (TSan cannot see
# into LibTorch), and compiling them is most of a TSan build's time on a small machine: with
# them prebuilt, TSan on the job queue builds engine_core/imaging/io/gpu/jobs and the tests only.
# The caller must build those libraries in that folder first (they are not rebuilt from here).
set(FVSR_TSAN_PREBUILT_DIR "" CACHE PATH
    "TSan build: link engine_pipeline and engine_model_* from this build folder")

function(_fvsr_collect_targets directory out)
    get_property(targets DIRECTORY ${directory} PROPERTY BUILDSYSTEM_TARGETS)
    get_property(subdirectories DIRECTORY ${directory} PROPERTY SUBDIRECTORIES)
    foreach(subdirectory IN LISTS subdirectories)
        _fvsr_collect_targets(${subdirectory} more)
        list(APPEND targets ${more})
    endforeach()
    set(${out} ${targets} PARENT_SCOPE)
endfunction()

# Runs after the whole project is declared: every link to one of the torch libraries becomes a
# link to an imported copy of it from FVSR_TSAN_PREBUILT_DIR (same usage requirements), so the
# build graph no longer contains their sources for the targets that are asked for.
function(_fvsr_link_prebuilt_torch_libraries)
    _fvsr_collect_targets(${CMAKE_SOURCE_DIR} targets)
    set(replaced "")
    foreach(target IN LISTS targets)
        if(target MATCHES "^engine_(pipeline|model_.+)$")
            get_target_property(type ${target} TYPE)
            if(type STREQUAL "STATIC_LIBRARY")
                list(APPEND replaced ${target})
            endif()
        endif()
    endforeach()
    foreach(target IN LISTS replaced)
        set(file ${FVSR_TSAN_PREBUILT_DIR}/lib/lib${target}.a)
        if(NOT EXISTS ${file})
            message(FATAL_ERROR "FVSR_TSAN_PREBUILT_DIR: ${file} is missing (build ${target} there first)")
        endif()
        add_library(fvsr_prebuilt_${target} STATIC IMPORTED GLOBAL)
        set_target_properties(fvsr_prebuilt_${target} PROPERTIES IMPORTED_LOCATION ${file})
        foreach(property INTERFACE_INCLUDE_DIRECTORIES INTERFACE_SYSTEM_INCLUDE_DIRECTORIES
                         INTERFACE_COMPILE_DEFINITIONS INTERFACE_COMPILE_OPTIONS
                         INTERFACE_LINK_LIBRARIES INTERFACE_LINK_OPTIONS)
            get_target_property(value ${target} ${property})
            if(value)
                set_property(TARGET fvsr_prebuilt_${target} PROPERTY ${property} "${value}")
            endif()
        endforeach()
        list(APPEND targets fvsr_prebuilt_${target})
    endforeach()
    foreach(target IN LISTS targets)
        get_target_property(imported ${target} IMPORTED)
        foreach(property LINK_LIBRARIES INTERFACE_LINK_LIBRARIES)
            if(imported AND property STREQUAL "LINK_LIBRARIES")
                continue()
            endif()
            get_target_property(value ${target} ${property})
            if(NOT value)
                continue()
            endif()
            set(rewritten "")
            foreach(item IN LISTS value)
                foreach(library IN LISTS replaced)
                    if(item STREQUAL library)
                        set(item fvsr_prebuilt_${library})
                    elseif(item STREQUAL "$<LINK_ONLY:${library}>")
                        set(item "$<LINK_ONLY:fvsr_prebuilt_${library}>")
                    endif()
                endforeach()
                list(APPEND rewritten "${item}")
            endforeach()
            set_property(TARGET ${target} PROPERTY ${property} "${rewritten}")
        endforeach()
    endforeach()
    message(STATUS "TSan: linking ${replaced} from ${FVSR_TSAN_PREBUILT_DIR}")
endfunction()

if(FVSR_SANITIZE STREQUAL "thread" AND FVSR_TSAN_PREBUILT_DIR)
    cmake_language(DEFER DIRECTORY ${CMAKE_SOURCE_DIR} CALL _fvsr_link_prebuilt_torch_libraries)
endif()

# GCC's TSan instruments the ifunc resolvers that target_clones generates; the dynamic loader
# runs them while relocating, before the TSan runtime is initialised, and every program linking
# the file crashes at start-up. Such files are compiled without TSan (their code is not checked;
# their callers are).
function(_fvsr_tsan_skip_ifunc_sources)
    set(resize ${CMAKE_SOURCE_DIR}/engine/imaging/src/resize.cpp)
    if(EXISTS ${resize} AND TARGET engine_imaging)
        set_source_files_properties(${resize} DIRECTORY ${CMAKE_SOURCE_DIR}/engine/imaging
                                    PROPERTIES COMPILE_OPTIONS -fno-sanitize=thread)
    endif()
endfunction()

if(FVSR_SANITIZE STREQUAL "thread")
    cmake_language(DEFER DIRECTORY ${CMAKE_SOURCE_DIR} CALL _fvsr_tsan_skip_ifunc_sources)
endif()
