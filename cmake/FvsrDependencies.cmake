# Finds third-party dependencies and decides which parts are built (FVSR_HAVE_*).
# LibTorch is always required: Debian's libtorch-dev 1.13 (CPU) here, any LibTorch 2.x with CUDA
# when the user passes -DCMAKE_PREFIX_PATH=$(python3 -c 'import torch;print(torch.utils.cmake_prefix_path)').

find_package(Threads REQUIRED)
find_package(Torch REQUIRED)
string(REGEX MATCH "^[0-9]+" FVSR_TORCH_MAJOR "${Torch_VERSION}")
if(NOT TARGET fvsr::torch)
    # Torch's imported target carries -D_GLIBCXX_USE_CXX11_ABI; add its include dirs as SYSTEM so
    # its own warnings do not trip -Werror on our targets.
    add_library(fvsr_torch_imported INTERFACE)
    target_link_libraries(fvsr_torch_imported INTERFACE ${TORCH_LIBRARIES})
    target_include_directories(fvsr_torch_imported SYSTEM INTERFACE ${TORCH_INCLUDE_DIRS})
    add_library(fvsr::torch ALIAS fvsr_torch_imported)
endif()

function(_fvsr_want var)
    # ON: required; OFF: skipped; AUTO: built when found.
    set(${var}_REQUIRED FALSE PARENT_SCOPE)
    if(${var} STREQUAL "ON")
        set(${var}_REQUIRED TRUE PARENT_SCOPE)
    endif()
endfunction()

# Media I/O. engine_io (and with it engine_jobs and the flashvsr CLI) is always built: Y4M
# (YUV4MPEG2) files and pipes and DPX image sequences need no third-party library. FFmpeg
# (video files, PNG/JPEG/TIFF, FFmpeg's DPX decoder) and OpenEXR (EXR) are optional parts:
# FVSR_FFMPEG / FVSR_OPENEXR say ON (required), OFF (left out) or AUTO (when found); left empty
# they follow FVSR_MEDIA. A part left out fails at run time with UnsupportedFormat naming the
# missing library, never at link time. The GPU machine builds with FVSR_MEDIA=OFF.
set(FVSR_FFMPEG "" CACHE STRING "FFmpeg-backed video and image I/O (ON/OFF/AUTO; empty: as FVSR_MEDIA)")
set(FVSR_OPENEXR "" CACHE STRING "OpenEXR image I/O (ON/OFF/AUTO; empty: as FVSR_MEDIA)")
set(FVSR_HAVE_MEDIA ON)
set(FVSR_HAVE_FFMPEG OFF)
set(FVSR_HAVE_OPENEXR OFF)
set(_fvsr_ffmpeg_mode ${FVSR_FFMPEG})
if(NOT _fvsr_ffmpeg_mode)
    set(_fvsr_ffmpeg_mode ${FVSR_MEDIA})
endif()
set(_fvsr_openexr_mode ${FVSR_OPENEXR})
if(NOT _fvsr_openexr_mode)
    set(_fvsr_openexr_mode ${FVSR_MEDIA})
endif()
if(NOT _fvsr_ffmpeg_mode STREQUAL "OFF")
    find_package(PkgConfig)
    if(PkgConfig_FOUND)
        pkg_check_modules(FFMPEG IMPORTED_TARGET libavformat libavcodec libavutil libswscale libswresample)
    endif()
    if(FFMPEG_FOUND)
        set(FVSR_HAVE_FFMPEG ON)
    elseif(_fvsr_ffmpeg_mode STREQUAL "ON")
        message(FATAL_ERROR "FFmpeg is required (FVSR_FFMPEG/FVSR_MEDIA=ON) but missing: apt-get install "
                            "libavformat-dev libavcodec-dev libswscale-dev libswresample-dev pkg-config")
    else()
        message(STATUS "FFmpeg development files not found: media I/O reads and writes Y4M and DPX only")
    endif()
endif()
if(NOT _fvsr_openexr_mode STREQUAL "OFF")
    find_package(OpenEXR CONFIG QUIET)
    if(OpenEXR_FOUND)
        set(FVSR_HAVE_OPENEXR ON)
    elseif(_fvsr_openexr_mode STREQUAL "ON")
        message(FATAL_ERROR "OpenEXR is required (FVSR_OPENEXR/FVSR_MEDIA=ON) but missing: "
                            "apt-get install libopenexr-dev")
    else()
        message(STATUS "OpenEXR development files not found: EXR images are not supported")
    endif()
endif()

# GUI: Qt 6 Widgets + QCustomPlot.
set(FVSR_HAVE_UI OFF)
# The GUI plays and previews video, so it needs the FFmpeg and OpenEXR parts of media I/O.
if(NOT FVSR_UI STREQUAL "OFF" AND FVSR_HAVE_FFMPEG AND FVSR_HAVE_OPENEXR)
    find_package(Qt6 6.4 QUIET COMPONENTS Widgets Concurrent Sql Test PrintSupport LinguistTools)
    find_package(QCustomPlotQt6 QUIET)
    if(Qt6_FOUND AND QCustomPlotQt6_FOUND)
        set(FVSR_HAVE_UI ON)
    elseif(FVSR_UI STREQUAL "ON")
        message(FATAL_ERROR "FVSR_UI=ON but Qt 6 or QCustomPlot for Qt 6 is missing")
    endif()
elseif(FVSR_UI STREQUAL "ON")
    message(FATAL_ERROR "FVSR_UI=ON needs FFmpeg and OpenEXR (FFmpeg ${FVSR_HAVE_FFMPEG}, OpenEXR ${FVSR_HAVE_OPENEXR})")
endif()

# CUDA kernels, in two layers (kernels/README.md):
#  - FVSR_HAVE_CUDA: nvcc is usable -> kernels_cuda (plain CUDA static library, CUDA runtime only)
#    and the torch-free self-test kernels-cuda-selftest. AUTO builds it only together with a CUDA
#    LibTorch (so a CPU-only machine never spends minutes in nvcc); ON builds it whenever nvcc
#    works, e.g. to check that the kernels compile on a machine without a GPU.
#  - FVSR_HAVE_CUDA_TORCH: LibTorch has CUDA (TARGET torch_cuda) -> kernels_torch (the binding),
#    the GPU GoogleTests and flashvsr-bench-kernels.
# FVSR_CUDA_ARCHITECTURES picks the GPUs (CMake CUDA_ARCHITECTURES syntax); the default covers
# Ampere, Ada, Hopper and Blackwell with PTX for newer ones. Pass e.g. -DFVSR_CUDA_ARCHITECTURES=90
# for a quick build on an H100/H200.
set(FVSR_HAVE_CUDA OFF)
set(FVSR_HAVE_CUDA_TORCH OFF)
if(NOT FVSR_CUDA STREQUAL "OFF")
    include(CheckLanguage)
    if(NOT CMAKE_CUDA_COMPILER)
        check_language(CUDA)
    endif()
    set(_fvsr_torch_cuda OFF)
    if(TARGET torch_cuda)
        set(_fvsr_torch_cuda ON)
    endif()
    if(CMAKE_CUDA_COMPILER AND (FVSR_CUDA STREQUAL "ON" OR _fvsr_torch_cuda))
        set(FVSR_HAVE_CUDA ON)
        set(FVSR_HAVE_CUDA_TORCH ${_fvsr_torch_cuda})
    elseif(FVSR_CUDA STREQUAL "ON")
        message(FATAL_ERROR "FVSR_CUDA=ON but no CUDA compiler was found: put nvcc on PATH or pass "
                            "-DCMAKE_CUDA_COMPILER=/usr/local/cuda/bin/nvcc")
    elseif(CMAKE_CUDA_COMPILER)
        message(STATUS "CUDA kernels are skipped: LibTorch has no CUDA (pass -DFVSR_CUDA=ON to build "
                       "the torch-free kernels and self-test anyway)")
    endif()
endif()
if(FVSR_HAVE_CUDA)
    set(FVSR_CUDA_ARCHITECTURES "80-real;86-real;89-real;90-real;100-real;120-real;120-virtual"
        CACHE STRING "GPU architectures of the CUDA kernels (CMake CUDA_ARCHITECTURES syntax)")
    if(NOT DEFINED CMAKE_CUDA_ARCHITECTURES)
        set(CMAKE_CUDA_ARCHITECTURES ${FVSR_CUDA_ARCHITECTURES})
    endif()
    enable_language(CUDA)
    find_package(CUDAToolkit REQUIRED)
    if(CMAKE_CUDA_COMPILER_VERSION VERSION_LESS 12.0)
        message(FATAL_ERROR "The CUDA kernels need CUDA 12 or newer (found ${CMAKE_CUDA_COMPILER_VERSION})")
    endif()
    if(NOT FVSR_HAVE_CUDA_TORCH)
        message(STATUS "CUDA kernels: LibTorch has no CUDA; building kernels_cuda and the self-test only")
    endif()
endif()

find_package(nlohmann_json 3 QUIET)

# Machines without Debian's -dev packages (the GPU machine) get header-only / source
# dependencies carried in FVSR_THIRD_PARTY_DIR (scripts/gpu/prepare_carry.sh fills it).
set(FVSR_THIRD_PARTY_DIR "${PROJECT_SOURCE_DIR}/.carry" CACHE PATH "Carried third-party sources")
if(NOT nlohmann_json_FOUND AND EXISTS ${FVSR_THIRD_PARTY_DIR}/include/nlohmann/json.hpp)
    add_library(nlohmann_json INTERFACE)
    target_include_directories(nlohmann_json SYSTEM INTERFACE ${FVSR_THIRD_PARTY_DIR}/include)
    add_library(nlohmann_json::nlohmann_json ALIAS nlohmann_json)
    set(nlohmann_json_FOUND TRUE)
endif()
