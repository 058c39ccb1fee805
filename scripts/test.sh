#!/usr/bin/env bash
# Build and run the whole test suite: the format check, then for each backend (OpenCL on
# PoCL, Vulkan on lavapipe) a plain, an AddressSanitizer+UBSan and a ThreadSanitizer build,
# each built with warnings as errors and running its Check suites through ctest (OpenCL:
# once per forced tier, staged included; Vulkan: auto and staged; the suites marked
# ONE_TIER in tests/CMakeLists.txt once, on the automatic choice; ThreadSanitizer:
# the suites that start threads of their own, ctest label "tsan", set with THREADS there).
# Every suite runs on both backends with each compiler:
#
#   configuration   compiler   build type       what runs
#   opencl          clang      RelWithDebInfo   every suite, every tier
#   opencl-asan     gcc        Debug            every suite, ASan+UBSan (LeakSanitizer), on the
#                                               tiers whose maps call the backend (svm_coarse,
#                                               host_ptr, staged; svm_fine's make no call)
#   opencl-tsan     gcc        Debug            the suites that use threads, under ThreadSanitizer
#   vulkan          clang      RelWithDebInfo   every suite, validation layers on
#   vulkan-asan     gcc        Debug            every suite, ASan+UBSan (LeakSanitizer), validation layers on
#   vulkan-tsan     gcc        Debug            the suites that use threads, under ThreadSanitizer
#
# The benchmark is built and run (bench_quick, bench_isolated_quick) in the plain configurations
# only.
# The plain builds are the optimised build a user makes; the sanitizer builds use gcc
# because clang 14's sanitizer runtimes crash with these libraries (docs/design.md, Tests).
#
#   scripts/test.sh [CONFIGURATION ...]   (default: all six, in this order)
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
    opencl) compiler=clang build_type=RelWithDebInfo options=(-DZCS_BACKEND=OPENCL) ;;
    opencl-asan) compiler=gcc build_type=Debug options=(-DZCS_BACKEND=OPENCL -DZCS_ENABLE_SANITIZERS=ON -DZCS_BUILD_BENCH=OFF "-DZCS_TEST_OPENCL_TIERS=svm_coarse;host_ptr;staged") ;;
    opencl-tsan) compiler=gcc build_type=Debug options=(-DZCS_BACKEND=OPENCL -DZCS_ENABLE_TSAN=ON -DZCS_BUILD_BENCH=OFF) selection=(-L '^tsan$') ;;
    vulkan) compiler=clang build_type=RelWithDebInfo options=(-DZCS_BACKEND=VULKAN) ;;
    vulkan-asan) compiler=gcc build_type=Debug options=(-DZCS_BACKEND=VULKAN -DZCS_ENABLE_SANITIZERS=ON -DZCS_BUILD_BENCH=OFF) ;;
    vulkan-tsan) compiler=gcc build_type=Debug options=(-DZCS_BACKEND=VULKAN -DZCS_ENABLE_TSAN=ON -DZCS_BUILD_BENCH=OFF) selection=(-L '^tsan$') ;;
    *)
        echo "test.sh: unknown configuration $configuration" >&2
        exit 2
        ;;
    esac
    directory="build-test/$configuration"
    echo "== $configuration ($compiler, $build_type): configure, build, test ($directory)"
    # A build directory keeps the compiler it was configured with: start afresh if it
    # was made with another.
    if [ -f "$directory/CMakeCache.txt" ] &&
        ! grep -q "^CMAKE_C_COMPILER:[A-Z]*=.*$compiler\$" "$directory/CMakeCache.txt"; then
        rm -rf "$directory"
    fi
    CC=$compiler cmake -S . -B "$directory" -DCMAKE_BUILD_TYPE=$build_type -DZCS_WARNINGS_AS_ERRORS=ON \
        "${options[@]}" >/dev/null
    cmake --build "$directory" -j "$jobs"
    # Twice as many tests as cores: many wait on the device's threads rather than compute.
    ctest --test-dir "$directory" --output-on-failure --no-tests=error -j "$((2 * jobs))" \
        "${selection[@]}"
done
echo "== all configurations passed: ${configurations[*]}"
