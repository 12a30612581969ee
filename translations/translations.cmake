# Translations of the desktop application (included from ui/CMakeLists.txt).
#
# lrelease runs at build time and the .qm files are embedded under :/i18n/. lupdate is NOT part
# of the build (nor of CI): run it by hand after changing user-facing strings,
#   cmake --build <build> --target update_translations
# then translate the new entries in the .ts files (Qt Linguist, or by editing the XML).
set(FVSR_STUDIO_TS_FILES
    ${CMAKE_CURRENT_LIST_DIR}/flashvsr_studio_en.ts
    ${CMAKE_CURRENT_LIST_DIR}/flashvsr_studio_zh_CN.ts)

function(fvsr_add_studio_translations target)
    # SOURCES limits lupdate to the GUI's own sources (the engine has no user-facing text).
    file(GLOB_RECURSE _tr_sources CONFIGURE_DEPENDS
         ${PROJECT_SOURCE_DIR}/ui/*.cpp ${PROJECT_SOURCE_DIR}/ui/*.h
         ${PROJECT_SOURCE_DIR}/app/studio/*.cpp)
    qt_add_translations(${target}
        TS_FILES ${FVSR_STUDIO_TS_FILES}
        SOURCES ${_tr_sources}
        INCLUDE_DIRECTORIES ${PROJECT_SOURCE_DIR}
        RESOURCE_PREFIX "/i18n"
        LUPDATE_OPTIONS -no-obsolete -locations none)
endfunction()
