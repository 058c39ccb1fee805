#!/usr/bin/env bash
# Build and run the whole test suite: the format check, then for each backend (OpenCL on
# PoCL, Vulkan on lavapipe) a plain and an AddressSanitizer+UBSan build, each running every
# Check suite through ctest (OpenCL: once per forced tier and once on the automatic choice),
# and a ThreadSanitizer build running every suite that starts threads of its own (ctest
# label "tsan", set with THREADS in tests/CMakeLists.txt).
#   scripts/test.sh [opencl|opencl-asan|opencl-tsan|vulkan|vulkan-asan|vulkan-tsan ...]
#   (default: all six)
set -euo pipefail
cd "$(dirname "$0")/.."

jobs=$(nproc 2>/dev/null || echo 2)
configurations=("$@")
if [ ${#configurations[@]} -eq 0 ]; then
    configurations=(opencl opencl-asan opencl-tsan vulkan vulkan-asan vulkan-tsan)
fi

echo "== format: clang-format --dry-run on every C file"
git ls-files '*.c' '*.h' | xargs clang-format --dry-run --Werror

for configuration in "${configurations[@]}"; do
    selection=()
    case "$configuration" in
    opencl) options=(-DZCS_BACKEND=OPENCL) ;;
    opencl-asan) options=(-DZCS_BACKEND=OPENCL -DZCS_ENABLE_SANITIZERS=ON) ;;
    opencl-tsan) options=(-DZCS_BACKEND=OPENCL -DZCS_ENABLE_TSAN=ON -DZCS_BUILD_BENCH=OFF) selection=(-L '^tsan$') ;;
    vulkan) options=(-DZCS_BACKEND=VULKAN) ;;
    vulkan-asan) options=(-DZCS_BACKEND=VULKAN -DZCS_ENABLE_SANITIZERS=ON) ;;
    vulkan-tsan) options=(-DZCS_BACKEND=VULKAN -DZCS_ENABLE_TSAN=ON -DZCS_BUILD_BENCH=OFF) selection=(-L '^tsan$') ;;
    *)
        echo "test.sh: unknown configuration $configuration" >&2
        exit 2
        ;;
    esac
    directory="build-test/$configuration"
    echo "== $configuration: configure, build, test ($directory)"
    cmake -S . -B "$directory" -DCMAKE_BUILD_TYPE=Debug "${options[@]}" >/dev/null
    cmake --build "$directory" -j "$jobs"
    ctest --test-dir "$directory" --output-on-failure --no-tests=error -j "$jobs" "${selection[@]}"
done
echo "== all configurations passed: ${configurations[*]}"
