#!/usr/bin/env bash
# Install zcs from a build tree into a scratch prefix, then build and run a consumer
# against the installed tree both ways: CMake's find_package and pkg-config.
#   run.sh <zcs build dir> <scratch dir> <C compiler>
set -euo pipefail
build_dir=$1
scratch=$2
compiler=$3
here=$(cd "$(dirname "$0")" && pwd)
rm -rf "$scratch"
mkdir -p "$scratch"
cmake --install "$build_dir" --prefix "$scratch/prefix" >/dev/null

cmake -S "$here" -B "$scratch/cmake" -DCMAKE_C_COMPILER="$compiler" \
    -DCMAKE_PREFIX_PATH="$scratch/prefix" >/dev/null
cmake --build "$scratch/cmake" >/dev/null
LD_LIBRARY_PATH="$scratch/prefix/lib:${LD_LIBRARY_PATH:-}" "$scratch/cmake/consumer_shared"
"$scratch/cmake/consumer_static"

export PKG_CONFIG_PATH="$scratch/prefix/lib/pkgconfig"
# shellcheck disable=SC2046
"$compiler" -std=c11 -o "$scratch/consumer_pkgconfig" "$here/consumer.c" \
    $(pkg-config --cflags --libs zcs)
LD_LIBRARY_PATH="$scratch/prefix/lib:${LD_LIBRARY_PATH:-}" "$scratch/consumer_pkgconfig"
