#!/bin/sh
# Builds llmproxy_<version>_<arch>.deb and llmproxy-<version>.<arch>.rpm into BUILD_DIR/packages/.
#
# usage: packaging/build-packages.sh [BUILD_DIR]      (default: build-package)
#   GENERATORS="DEB" packaging/build-packages.sh      only the .deb
#   PACKAGE_REUSE_BUILD=1 packaging/build-packages.sh build
#                                                     package an existing, configured build tree
#                                                     (the one `make test` built; .ci/run)
#
# A release build of its own (no tests, warnings not fatal) with Debian's hardening flags
# (dpkg-buildflags, hardening=+all) when dpkg-buildflags is there. Needs dpkg-dev for the
# .deb (dpkg-shlibdeps computes the library dependencies) and rpm for the .rpm.
set -eu

src=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$src/build-package}
generators=${GENERATORS:-DEB;RPM}

if command -v dpkg-buildflags >/dev/null 2>&1; then
    export DEB_BUILD_MAINT_OPTIONS=hardening=+all
    CFLAGS="$(dpkg-buildflags --get CFLAGS) $(dpkg-buildflags --get CPPFLAGS)"
    CXXFLAGS="$(dpkg-buildflags --get CXXFLAGS) $(dpkg-buildflags --get CPPFLAGS)"
    LDFLAGS="$(dpkg-buildflags --get LDFLAGS)"
    export CFLAGS CXXFLAGS LDFLAGS
fi

# The admin web UI is always rebuilt from its pinned npm packages for a package.
"$src/ui/build.sh" --required

if [ -n "${PACKAGE_REUSE_BUILD:-}" ] && [ -f "$build/CMakeCache.txt" ]; then
    # .ci/run: package the tree `make test` has just built and tested instead of compiling
    # everything again. Its product code has the same hardening flags (cmake/hardening.cmake).
    if grep -q '^LLMPROXY_SANITIZE:BOOL=ON' "$build/CMakeCache.txt"; then
        echo "build-packages: $build is a sanitizer build; not packaging it" >&2
        exit 1
    fi
    echo "build-packages: packaging the existing build in $build"
else
    cmake -S "$src" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
        -DLLMPROXY_TESTS=OFF -DLLMPROXY_WERROR=OFF -DLLMPROXY_SANITIZE=OFF >/dev/null
fi
cmake --build "$build" -j"$(nproc)"
rm -f "$build"/packages/llmproxy_*.deb "$build"/packages/llmproxy-*.rpm
(cd "$build" && cpack -G "$generators")
ls -l "$build"/packages/llmproxy_*.deb "$build"/packages/llmproxy-*.rpm 2>/dev/null || true
