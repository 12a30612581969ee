# Installation layout and CPack (a Debian package and a tarball). Included last from the top-level
# CMakeLists.txt, once every target exists.
#
# Installed (prefix /usr in the .deb):
#   bin/flashvsr, bin/flashvsr-studio            (install rules in app/cli and app/studio)
#   share/applications/flashvsr-studio.desktop   (resources/, installed by app/studio)
#   share/icons/hicolor/<N>x<N>/apps/flashvsr-studio.png, .../scalable/apps/flashvsr-studio.svg
#   share/metainfo/io.github.flashvsr_studio.FlashVSRStudio.metainfo.xml
#   share/man/man1/flashvsr.1                    (generated from `flashvsr --help` by help2man)
# Not installed: the project tools (flashvsr-golden, flashvsr-make-test-model: random weights are
# of no use to a user), benchmarks and tests. The GUI's translations are compiled into the
# program (:/i18n, translations/translations.cmake); Qt's own come from the system Qt
# (qt6-translations-l10n, a Recommends of the package).
#
# Runtime dependencies of the .deb come from dpkg-shlibdeps on the installed programs, so they
# follow whatever LibTorch, FFmpeg, OpenEXR and Qt the build linked. The `package` test
# (packaging/test_package.sh) builds the .deb, unpacks it into a temporary root and runs the
# installed programs from there.

include(GNUInstallDirs)
set(_fvsr_pkg_dir ${PROJECT_SOURCE_DIR}/packaging)
set(FVSR_APPSTREAM_ID io.github.flashvsr_studio.FlashVSRStudio)

if(TARGET flashvsr-studio)
    foreach(size 16 22 24 32 48 64 128 256 512)
        install(FILES ${_fvsr_pkg_dir}/linux/icons/${size}x${size}/flashvsr-studio.png
                DESTINATION ${CMAKE_INSTALL_DATADIR}/icons/hicolor/${size}x${size}/apps)
    endforeach()
    install(FILES ${_fvsr_pkg_dir}/linux/icons/flashvsr-studio.svg
            DESTINATION ${CMAKE_INSTALL_DATADIR}/icons/hicolor/scalable/apps)
    install(FILES ${_fvsr_pkg_dir}/linux/${FVSR_APPSTREAM_ID}.metainfo.xml
            DESTINATION ${CMAKE_INSTALL_DATADIR}/metainfo)
endif()

# The man page follows the CLI's own --help text, so options added to the CLI appear without
# editing a hand-written page. packaging/man/flashvsr.h2m adds the sections --help lacks.
if(TARGET flashvsr)
    find_program(FVSR_HELP2MAN help2man)
    if(FVSR_HELP2MAN)
        set(_fvsr_man ${PROJECT_BINARY_DIR}/man/flashvsr.1)
        add_custom_command(OUTPUT ${_fvsr_man}
            COMMAND ${CMAKE_COMMAND} -E make_directory ${PROJECT_BINARY_DIR}/man
            COMMAND ${FVSR_HELP2MAN} --no-info --no-discard-stderr --section=1
                    "--source=FlashVSR Studio ${PROJECT_VERSION}" "--manual=User Commands"
                    --include=${_fvsr_pkg_dir}/man/flashvsr.h2m --output=${_fvsr_man}
                    $<TARGET_FILE:flashvsr>
            DEPENDS flashvsr ${_fvsr_pkg_dir}/man/flashvsr.h2m
            COMMENT "Generating the flashvsr(1) man page from flashvsr --help"
            VERBATIM)
        add_custom_target(flashvsr-man ALL DEPENDS ${_fvsr_man})
        install(FILES ${_fvsr_man} DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
    else()
        message(STATUS "help2man not found: the package has no flashvsr(1) man page "
                       "(apt-get install help2man)")
    endif()
endif()

set(CPACK_PACKAGE_NAME flashvsr-studio)
set(CPACK_PACKAGE_VENDOR "FlashVSR Studio")
# The Debian Maintainer field; distributors set their own.
set(FVSR_PACKAGE_MAINTAINER "FlashVSR Studio developers <flashvsr-studio@localhost>"
    CACHE STRING "Maintainer of the Debian package (name <email>)")
set(CPACK_PACKAGE_CONTACT "${FVSR_PACKAGE_MAINTAINER}")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "Video super-resolution with FlashVSR: command-line tool and desktop application")
string(CONCAT CPACK_PACKAGE_DESCRIPTION
    "FlashVSR Studio upscales video with FlashVSR, the one-step diffusion video super-resolution\n"
    "model, without Python: the flashvsr command-line tool and the FlashVSR Studio desktop\n"
    "application. The model files are downloaded separately (see flashvsr(1)).")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_HOMEPAGE_URL "https://github.com/OpenImagingLab/FlashVSR")
set(CPACK_GENERATOR "DEB;TGZ")
set(CPACK_STRIP_FILES ON)
set(CPACK_PACKAGE_CHECKSUM SHA256)
set(CPACK_PACKAGE_FILE_NAME "${CPACK_PACKAGE_NAME}-${PROJECT_VERSION}-${CMAKE_SYSTEM_PROCESSOR}")

set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION video)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS OFF)
# A threaded OpenBLAS: LibTorch's fp32 matmul on the CPU is many times slower with the reference
# BLAS Debian's libtorch otherwise gets.
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "libopenblas0-pthread")
if(TARGET flashvsr-studio)
    # Qt's translations of standard dialogs; the Qt platform plugins come with libqt6gui6.
    string(APPEND CPACK_DEBIAN_PACKAGE_RECOMMENDS ", qt6-translations-l10n")
endif()
# FFmpeg's command-line tools are not needed; NVIDIA's driver is found at run time (NVML).
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "nvidia-driver")

include(CPack)

if(FVSR_TESTS AND NOT FVSR_FUZZ AND NOT FVSR_SANITIZE)
    find_program(FVSR_DPKG_DEB dpkg-deb)
    # The package test runs the installed GUI too: only where the whole product builds.
    if(FVSR_DPKG_DEB AND TARGET flashvsr AND FVSR_HAVE_FFMPEG AND FVSR_HAVE_UI)
        add_test(NAME package_deb
                 COMMAND ${_fvsr_pkg_dir}/test_package.sh ${PROJECT_BINARY_DIR} ${CMAKE_CPACK_COMMAND})
        set_tests_properties(package_deb PROPERTIES LABELS "package" TIMEOUT 600)
    endif()
endif()
