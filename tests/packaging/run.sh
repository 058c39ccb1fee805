#!/usr/bin/env bash
# Build the Debian packages with scripts/package.sh, check them with dpkg-deb and lintian,
# unpack them into a scratch root, build the consumer project (tests/install) against that
# root with CMake and pkg-config, and run the packaged zcs-info --json.
#   run.sh <scratch dir> <backend: OPENCL|VULKAN> <zcs-info schema>
set -euo pipefail
scratch=$1
backend=$2
schema=$3
here=$(cd "$(dirname "$0")" && pwd)
source_dir=$(cd "$here/../.." && pwd)
for tool in dpkg-deb dpkg-shlibdeps lintian python3; do
    if ! command -v "$tool" >/dev/null; then
        echo "SKIP: $tool is not installed (scripts/install-deps.sh installs it)"
        exit 77
    fi
done
rm -rf "$scratch"
mkdir -p "$scratch"

"$source_dir/scripts/package.sh" "$scratch/build" -- "-DZCS_BACKEND=$backend" >/dev/null
packages=("$scratch"/build/packages/*.deb)
names=$(for p in "${packages[@]}"; do dpkg-deb --field "$p" Package; done | sort | tr '\n' ' ')
[ "$names" = "libzcs-dev libzcs0 zcs-tools " ] || { echo "FAILED: packages are: $names"; exit 1; }

field() { dpkg-deb --field "$scratch/build/packages/$1"_*.deb "$2"; }
contents() { dpkg-deb --contents "$scratch/build/packages/$1"_*.deb | awk '{print $6}'; }
version=$(field libzcs0 Version)
if [ "$backend" = OPENCL ]; then runtime=ocl-icd-libopencl1; else runtime=libvulkan1; fi
field libzcs0 Depends | grep -q "$runtime" || { echo "FAILED: libzcs0 does not depend on $runtime"; exit 1; }
field zcs-tools Depends | grep -q "libzcs0 (= $version)" || { echo "FAILED: zcs-tools Depends"; exit 1; }
field libzcs-dev Depends | grep -q "libzcs0 (= $version)" || { echo "FAILED: libzcs-dev Depends"; exit 1; }
expect_file() {
    contents "$1" | grep -qx "./$2" || { echo "FAILED: $1 lacks $2"; exit 1; }
}
multiarch=$(dpkg-architecture -qDEB_HOST_MULTIARCH)
expect_file libzcs0 "usr/lib/$multiarch/libzcs.so.0"
expect_file libzcs0 usr/share/doc/libzcs0/copyright
expect_file libzcs-dev usr/include/zcs/zcs.h
expect_file libzcs-dev usr/include/zcs/version.h
expect_file libzcs-dev "usr/lib/$multiarch/libzcs.so"
expect_file libzcs-dev "usr/lib/$multiarch/libzcs.a"
expect_file libzcs-dev "usr/lib/$multiarch/pkgconfig/zcs.pc"
expect_file libzcs-dev "usr/lib/$multiarch/cmake/zcs/zcsConfig.cmake"
expect_file zcs-tools usr/bin/zcs-info
expect_file zcs-tools usr/bin/zcs-bench
expect_file zcs-tools usr/share/man/man1/zcs-info.1.gz
expect_file zcs-tools usr/share/man/man1/zcs-bench.1.gz
if contents libzcs0 | grep -q "usr/include\|\.a$"; then echo "FAILED: libzcs0 holds development files"; exit 1; fi

# lintian: no error. Its warnings are printed for the reader; none is suppressed.
lintian_output=$(lintian "${packages[@]}" 2>&1 | grep -v "running with root privileges" || true)
echo "$lintian_output"
if echo "$lintian_output" | grep -q "^E:"; then echo "FAILED: lintian reports errors"; exit 1; fi

# Unpack into a scratch root and use the packages from there.
root="$scratch/root"
for p in "${packages[@]}"; do dpkg -x "$p" "$root"; done
libdir="$root/usr/lib/$multiarch"
export LD_LIBRARY_PATH="$libdir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
"$root/usr/bin/zcs-info" --json > "$scratch/zcs-info.json"
python3 - "$scratch/zcs-info.json" "$schema" <<'PY'
import json, sys
import jsonschema
document = json.load(open(sys.argv[1]))
jsonschema.Draft202012Validator(json.load(open(sys.argv[2]))).validate(document)
assert any(d["usable"] for d in document["devices"]), "a usable device"
print("packaged zcs-info --json: %s, %d device(s), valid" % (document["backend"], len(document["devices"])))
PY

# The consumer project against the root: CMake (the package's relocatable config) and
# pkg-config (zcs.pc names the prefix it is installed to, /usr; PKG_CONFIG_SYSROOT_DIR
# puts the scratch root in front of its paths).
cmake -S "$source_dir/tests/install" -B "$scratch/consumer" -DCMAKE_PREFIX_PATH="$root/usr" >/dev/null
cmake --build "$scratch/consumer" >/dev/null
"$scratch/consumer/consumer_shared"
"$scratch/consumer/consumer_static"
export PKG_CONFIG_PATH="$libdir/pkgconfig" PKG_CONFIG_SYSROOT_DIR="$root"
# shellcheck disable=SC2046
cc -std=c11 -o "$scratch/consumer_pkgconfig" "$source_dir/tests/install/consumer.c" \
    $(pkg-config --cflags --libs zcs)
"$scratch/consumer_pkgconfig"
echo "packages: passed"
