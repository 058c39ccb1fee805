#!/usr/bin/env bash
# Build zcs (optimised) and run the main job: zcs-bench, zero-copy against copy-based
# transfers on the default device, with a short default size sweep. Arguments go to
# zcs-bench (zcs-bench --help lists them). ZCS_BACKEND=VULKAN benchmarks the Vulkan build.
set -euo pipefail
cd "$(dirname "$0")/.."

backend="${ZCS_BACKEND:-AUTO}"
directory="build-bench-release/$(echo "$backend" | tr '[:upper:]' '[:lower:]')"
cmake -S . -B "$directory" -DCMAKE_BUILD_TYPE=Release -DZCS_BACKEND="$backend" \
    -DZCS_BUILD_TESTS=OFF >/dev/null
cmake --build "$directory" -j "$(nproc 2>/dev/null || echo 2)" --target zcs-bench
exec "$directory/bench/zcs-bench" --plot "$directory/zcs-bench" "$@"
