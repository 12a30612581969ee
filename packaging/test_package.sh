#!/usr/bin/env bash
# The `package` ctest: builds the Debian package of a build folder, unpacks it into a temporary
# root with dpkg-deb -x (no root rights needed; dpkg -i would need them), checks what it holds
# and runs the installed programs from there: `flashvsr --version` and, when the package has the
# GUI, flashvsr-studio's --screenshot mode on Qt's offscreen platform.
#
#   packaging/test_package.sh BUILD_DIR [CPACK]
#
# The runtime libraries come from the system (the package's Depends say which), exactly as for
# an installed package; nothing from the build folder is on the library path.
set -euo pipefail

build="$(cd "$1" && pwd)"
cpack="${2:-cpack}"
work="$(mktemp -d "${TMPDIR:-/tmp}/fvsr-package-test.XXXXXX")"
trap 'rm -rf "${work}"' EXIT

fail() {
    echo "package test: $*" >&2
    exit 1
}

echo "== cpack -G DEB"
"${cpack}" -G DEB --config "${build}/CPackConfig.cmake" -B "${work}/out" >"${work}/cpack.log" 2>&1 ||
    { cat "${work}/cpack.log"; fail "cpack failed"; }
deb="$(find "${work}/out" -maxdepth 1 -name "*.deb" | head -n 1)"
[[ -n "${deb}" ]] || { cat "${work}/cpack.log"; fail "no .deb written"; }
dpkg-deb --info "${deb}"

depends="$(dpkg-deb --field "${deb}" Depends)"
# A CMake list leaking into the control file shows up as ';' in the description.
description="$(dpkg-deb --field "${deb}" Description)"
[[ "${description}" != *";"* ]] || fail "Description has a stray ';': ${description}"
for lib in libtorch libavformat libavcodec libopenexr libc6 libstdc++6; do
    grep -q "${lib}" <<<"${depends}" || fail "Depends lacks ${lib}: ${depends}"
done

root="${work}/root"
dpkg-deb -x "${deb}" "${root}"
echo "== files"
(cd "${root}" && find . -type f | sort)

[[ -x "${root}/usr/bin/flashvsr" ]] || fail "usr/bin/flashvsr missing"
if command -v help2man >/dev/null; then
    page="${root}/usr/share/man/man1/flashvsr.1"
    [[ -s "${page}" ]] || fail "man page missing"
    grep -q -- '--input' "${page}" || fail "man page lacks the options"
    if command -v man >/dev/null; then
        # -ww: groff warns about every problem in the roff source; any warning fails the test.
        warnings="$(MANWIDTH=100 man --warnings=w -l "${page}" 2>&1 >/dev/null || true)"
        [[ -z "${warnings}" ]] || fail "man page warnings: ${warnings}"
    fi
fi

echo "== installed flashvsr --version"
version="$("${root}/usr/bin/flashvsr" --version)"
echo "${version}"
grep -q '^flashvsr [0-9]' <<<"${version}" || fail "unexpected --version output"

if grep -q libqt6widgets <<<"${depends}"; then
    [[ -x "${root}/usr/bin/flashvsr-studio" ]] || fail "usr/bin/flashvsr-studio missing"
    grep -q "qt6-translations-l10n" <<<"$(dpkg-deb --field "${deb}" Recommends)" ||
        fail "Recommends lacks qt6-translations-l10n"
    desktop="${root}/usr/share/applications/flashvsr-studio.desktop"
    [[ -f "${desktop}" ]] || fail "desktop entry missing"
    if command -v desktop-file-validate >/dev/null; then
        desktop-file-validate --no-hints "${desktop}" || fail "desktop entry invalid"
    fi
    for size in 16 22 24 32 48 64 128 256 512; do
        icon="${root}/usr/share/icons/hicolor/${size}x${size}/apps/flashvsr-studio.png"
        [[ -f "${icon}" ]] || fail "icon ${size}x${size} missing"
    done
    [[ -f "${root}/usr/share/icons/hicolor/scalable/apps/flashvsr-studio.svg" ]] ||
        fail "scalable icon missing"
    metainfo="$(ls "${root}"/usr/share/metainfo/*.metainfo.xml)"
    if command -v appstreamcli >/dev/null; then
        appstreamcli validate --no-net "${metainfo}" || fail "AppStream metadata invalid"
    fi

    echo "== installed flashvsr-studio --screenshot (offscreen)"
    # Settings, presets and logs go to the temporary root, never to the user's folders.
    HOME="${work}/home" XDG_CONFIG_HOME="${work}/home/config" XDG_DATA_HOME="${work}/home/data" \
        XDG_CACHE_HOME="${work}/home/cache" QT_QPA_PLATFORM=offscreen \
        "${root}/usr/bin/flashvsr-studio" --screenshot "${work}/shots" >"${work}/studio.log" 2>&1 ||
        { cat "${work}/studio.log"; fail "flashvsr-studio --screenshot failed"; }
    [[ -s "${work}/shots/main_window.png" ]] || fail "flashvsr-studio wrote no main_window.png"
    ls -l "${work}/shots"
fi

echo "== cpack -G TGZ"
"${cpack}" -G TGZ --config "${build}/CPackConfig.cmake" -B "${work}/tgz" >"${work}/cpack-tgz.log" 2>&1 ||
    { cat "${work}/cpack-tgz.log"; fail "cpack TGZ failed"; }
tarball="$(find "${work}/tgz" -maxdepth 1 -name "*.tar.gz" | head -n 1)"
listing="$(tar -tzf "${tarball}")"
grep -q '/bin/flashvsr$' <<<"${listing}" || fail "tarball lacks bin/flashvsr"
echo "package test: ok ($(basename "${deb}"), $(basename "${tarball}"))"
