#!/usr/bin/env bash
# Install zcs from a build tree into a scratch prefix, then build and run consumers against
# the installed tree alone: CMake (shared, static, and a consumer shared library with its
# own static archive), pkg-config (shared and static), and the programs of docs/examples.
#   run.sh <zcs build dir> <scratch dir> <C compiler>
set -euo pipefail
build_dir=$1
scratch=$2
compiler=$3
here=$(cd "$(dirname "$0")" && pwd)
source_dir=$(cd "$here/../.." && pwd)
prefix="$scratch/prefix"
rm -rf "$scratch"
mkdir -p "$scratch"
cmake --install "$build_dir" --prefix "$prefix" >/dev/null
libdir="$prefix/lib"
fail() {
    echo "install test: $*" >&2
    exit 1
}
not_needs_libzcs() {
    if readelf -d "$1" | grep 'NEEDED' | grep 'libzcs'; then
        fail "$1 needs libzcs.so though it linked the static library"
    fi
}

echo "== the exported targets name no file of the build machine, each include dir once"
for file in "$libdir"/cmake/zcs/zcs*Targets*.cmake; do
    if grep -n -E '"/|;/' "$file" | grep -v '_IMPORT_PREFIX' | grep -v '^[0-9]*:#'; then
        fail "$file holds an absolute path"
    fi
    if grep -q -- '--exclude-libs' "$file"; then
        fail "$file passes --exclude-libs to consumers"
    fi
    if grep 'INTERFACE_INCLUDE_DIRECTORIES' "$file" | grep -q 'include;.*include'; then
        fail "$file lists the include directory twice"
    fi
done

echo "== CMake: zcs::zcs, zcs::zcs_static, a shared library with its own archive"
cmake -S "$here" -B "$scratch/cmake" -DCMAKE_C_COMPILER="$compiler" \
    -DCMAKE_PREFIX_PATH="$prefix" >/dev/null
cmake --build "$scratch/cmake" >/dev/null
# CMake's build tree sets the run path of libzcs.so.0: no LD_LIBRARY_PATH needed.
"$scratch/cmake/consumer_shared"
"$scratch/cmake/consumer_static"
not_needs_libzcs "$scratch/cmake/consumer_static"
"$scratch/cmake/plugin_user"
exported=$(nm -D --defined-only "$scratch/cmake/libplugin.so")
grep -q ' helper_answer$' <<<"$exported" ||
    fail "libplugin.so does not export its own archive's helper_answer"

echo "== pkg-config: shared (with a run path) and static"
export PKG_CONFIG_PATH="$libdir/pkgconfig"
cflags=$(pkg-config --cflags zcs | xargs)
[ "$cflags" = "-I$prefix/include" ] || fail "pkg-config --cflags zcs gives '$cflags', not -I$prefix/include"
# shellcheck disable=SC2046
"$compiler" -std=c11 -o "$scratch/consumer_pkgconfig" "$here/consumer.c" \
    $(pkg-config --cflags --libs zcs) -Wl,-rpath,"$(pkg-config --variable=libdir zcs)"
"$scratch/consumer_pkgconfig"
# Static: libzcs.a chosen by name, everything else from --static --libs.
# shellcheck disable=SC2046
"$compiler" -std=c11 -o "$scratch/consumer_pkgconfig_static" "$here/consumer.c" \
    $(pkg-config --cflags zcs) $(pkg-config --static --libs zcs | sed 's/-lzcs\b/-l:libzcs.a/')
not_needs_libzcs "$scratch/consumer_pkgconfig_static"
"$scratch/consumer_pkgconfig_static"

echo "== docs/examples against the installed package"
cmake -S "$source_dir/docs/examples" -B "$scratch/examples" -DCMAKE_C_COMPILER="$compiler" \
    -DCMAKE_PREFIX_PATH="$prefix" >/dev/null
cmake --build "$scratch/examples" >/dev/null
"$scratch/examples/particles" 2000 5 | tee "$scratch/particles.out"
grep -q ' 0 wrong' "$scratch/particles.out" || fail "docs/examples/particles found wrong particles"
echo "== install test passed"
