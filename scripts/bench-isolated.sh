#!/usr/bin/env bash
# zcs-bench with every mode family in a process of its own: the target of a discrete GPU
# (zcs-auto at least 0.95x as fast as the better of the copy frame and the raw zero-copy
# frames) measured without the other modes' devices alive beside it.
#
# Why: on NVIDIA's drivers (H200, driver 580) two live contexts in a process make every
# wait for the GPU about 130 us (OpenCL) to 160 us (Vulkan) slower than one does
# (docs/benchmarks.md). zcs-bench now runs every mode on one device, which the zcs modes
# attach to; this script measures the other way, each family alone with zcs's own
# context (pass --own-devices after -- for zcs_context_create in every zcs mode), in
# alternating rounds against drift, and the summary compares medians of the rounds.
#
#   scripts/bench-isolated.sh [--rounds N] [--families "copy zcs-auto raw"]
#                             [--csv FILE] [--bench PATH] [-- zcs-bench options]
#
# --bench: a zcs-bench executable (default: build one as scripts/bench.sh does, for
# ZCS_BACKEND). --csv: every round's rows, with a round column. Exit status: 0 when every
# run passed its checksums, 1 otherwise, 2 on a usage error. The summary's verdicts are
# printed, not turned into the exit status: speed is not a test.
set -euo pipefail
cd "$(dirname "$0")/.."

rounds=3
families="copy zcs-auto raw"
csv=""
bench=""
while [ $# -gt 0 ]; do
    case "$1" in
    --rounds) rounds="$2"; shift 2 ;;
    --families) families="$2"; shift 2 ;;
    --csv) csv="$2"; shift 2 ;;
    --bench) bench="$2"; shift 2 ;;
    --) shift; break ;;
    -h | --help) sed -n '2,20p' "$0"; exit 0 ;;
    *) echo "bench-isolated.sh: unknown option $1 (--help lists them)" >&2; exit 2 ;;
    esac
done
case "$rounds" in
'' | *[!0-9]* | 0) echo "bench-isolated.sh: --rounds takes a positive number" >&2; exit 2 ;;
esac
if [ -z "$bench" ]; then
    backend="${ZCS_BACKEND:-AUTO}"
    directory="build-bench-release/$(echo "$backend" | tr '[:upper:]' '[:lower:]')"
    cmake -S . -B "$directory" -DCMAKE_BUILD_TYPE=Release -DZCS_BACKEND="$backend" \
        -DZCS_BUILD_TESTS=OFF >/dev/null
    cmake --build "$directory" -j "$(nproc 2>/dev/null || echo 2)" --target zcs-bench >/dev/null
    bench="$directory/bench/zcs-bench"
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
status=0
for round in $(seq 1 "$rounds"); do
    for family in $families; do
        log="$work/$round-$family.log"
        if ! "$bench" --modes "$family" --no-plot --csv "$work/$round-$family.csv" "$@" \
            >"$log" 2>&1; then
            echo "bench-isolated.sh: round $round, $family failed:" >&2
            tail -n 5 "$log" >&2
            status=1
        fi
        echo "round $round of $rounds: $family done" >&2
    done
done

# Every frame row of every round, with its round (CSV columns: see zcs-bench --csv).
combined="$work/combined.csv"
first=1
for round in $(seq 1 "$rounds"); do
    for family in $families; do
        file="$work/$round-$family.csv"
        [ -f "$file" ] || continue
        if [ $first -eq 1 ]; then
            grep '^kind,' "$file" | sed 's/$/,round/' >"$combined"
            first=0
        fi
        grep '^frame,' "$file" | sed "s/\$/,$round/" >>"$combined" || true
    done
done
[ -f "$combined" ] || { echo "bench-isolated.sh: no measurements" >&2; exit 1; }
[ -z "$csv" ] || cp "$combined" "$csv"

# The summary: per mode and size, the median over the rounds of each round's median; the
# ratio zcs-auto / the fastest of the copy and raw groups, as zcs-bench's target reads it.
awk -F, -v rounds="$rounds" '
function median(list,    n, values, i, j, t) {
    n = split(list, values, " ")
    for (i = 2; i <= n; i++)
        for (j = i; j > 1 && values[j - 1] + 0 > values[j] + 0; j--) {
            t = values[j]; values[j] = values[j - 1]; values[j - 1] = t
        }
    return n % 2 ? values[(n + 1) / 2] : (values[n / 2] + values[n / 2 + 1]) / 2
}
function shown(ns) {
    return ns >= 1e6 ? sprintf("%.3g ms", ns / 1e6) : sprintf("%.3g us", ns / 1e3)
}
function label(bytes) {
    return bytes >= 1048576 ? bytes / 1048576 " MiB" : bytes / 1024 " KiB"
}
NR == 1 { for (i = 1; i <= NF; i++) column[$i] = i; next }
{
    mode = $column["mode"]; size = $column["size_bytes"] + 0
    key = mode SUBSEP size
    samples[key] = samples[key] " " $column["median_ns"]
    group[mode] = $column["group"]
    if (!(size in seen)) { seen[size] = 1; sizes[++size_count] = size }
    if (!(mode in known)) { known[mode] = 1; modes[++mode_count] = mode }
}
END {
    for (i = 2; i <= size_count; i++)
        for (j = i; j > 1 && sizes[j - 1] > sizes[j]; j--) {
            t = sizes[j]; sizes[j] = sizes[j - 1]; sizes[j - 1] = t
        }
    printf "median over %d round(s) of each run'"'"'s median time per frame, one mode family per process\n", rounds
    printf "%-16s", "mode"
    for (s = 1; s <= size_count; s++) printf "%11s", label(sizes[s])
    printf "\n"
    for (m = 1; m <= mode_count; m++) {
        printf "%-16s", modes[m]
        for (s = 1; s <= size_count; s++) {
            key = modes[m] SUBSEP sizes[s]
            value[key] = (key in samples) ? median(samples[key]) : ""
            printf "%11s", value[key] == "" ? "n/a" : shown(value[key])
        }
        printf "\n"
    }
    printf "\ntarget: zcs-auto speed / the fastest of copy and raw (>= 0.95x)\n"
    for (s = 1; s <= size_count; s++) {
        best = ""; name = ""
        for (m = 1; m <= mode_count; m++) {
            if (group[modes[m]] != "copy" && group[modes[m]] != "raw") continue
            key = modes[m] SUBSEP sizes[s]
            if (value[key] != "" && (best == "" || value[key] + 0 < best + 0)) {
                best = value[key]; name = modes[m]
            }
        }
        zcs = value["zcs-auto" SUBSEP sizes[s]]
        if (best == "" || zcs == "") {
            printf "  %-8s n/a (zcs-auto or a copy/raw mode not measured)\n", label(sizes[s])
            continue
        }
        ratio = best / zcs
        printf "  %-8s %5.2fx against %-15s %s\n", label(sizes[s]), ratio, name,
               (ratio >= 0.95 ? "PASS" : "MISS")
    }
}' "$combined"
exit $status
