#!/usr/bin/env bash
# Build the Debian packages libzcs0, libzcs-dev and zcs-tools with CPack: a Release build
# installed under /usr, for the backend given (default: AUTO, OpenCL when found).
#
#   scripts/package.sh [BUILD_DIR] [-- extra cmake options, e.g. -DZCS_BACKEND=VULKAN]
#
# The packages land in BUILD_DIR/packages (default build-package); install them with
#   apt-get install ./build-package/packages/*.deb
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=build-package
if [ $# -gt 0 ] && [ "$1" != "--" ]; then
    build_dir=$1
    shift
fi
if [ $# -gt 0 ] && [ "$1" = "--" ]; then
    shift
fi
jobs=$(nproc 2>/dev/null || echo 2)
cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX=/usr \
    -DZCS_INSTALL=ON -DZCS_BUILD_TESTS=OFF -DZCS_BUILD_EXAMPLES=OFF "$@" >/dev/null
cmake --build "$build_dir" -j "$jobs"
rm -rf "$build_dir/packages"
(cd "$build_dir" && cpack -G DEB >/dev/null)
ls "$build_dir"/packages/*.deb
