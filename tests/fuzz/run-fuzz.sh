#!/usr/bin/env bash
# Builds the fuzz targets with clang (libFuzzer + ASan + UBSan, the whole
# library instrumented: FG_FUZZ=ON) and runs each named target for SECONDS
# over its committed corpus.
#   tests/fuzz/run-fuzz.sh [SECONDS] [TARGET...]     (default: 60, metadata config bundle)
# Environment: FUZZ_BUILD_DIR (default build/fuzz), FUZZ_JOBS (parallel
# fuzzing processes, default 1). New inputs go to a scratch folder, so the
# committed corpora are never modified; a crash leaves crash-* in the build
# dir and the script exits non-zero.
set -euo pipefail
secs=${1:-60}
shift || true
targets=("$@")
((${#targets[@]})) || targets=(metadata config bundle)
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${FUZZ_BUILD_DIR:-$root/build/fuzz}
jobs=${FUZZ_JOBS:-1}

command -v clang >/dev/null || { echo "run-fuzz: clang not found (scripts/install-deps.sh installs it)" >&2; exit 2; }
for t in "${targets[@]}"; do
  [[ -f $root/tests/fuzz/fuzz_$t.c ]] || { echo "run-fuzz: no fuzz target '$t' (tests/fuzz/fuzz_$t.c)" >&2; exit 2; }
done
cmake -S "$root" -B "$build" -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo -DFG_FUZZ=ON -DBUILD_TESTING=OFF -DFG_BUILD_BENCH=OFF >/dev/null
cmake --build "$build" -j "$(nproc)" --target "${targets[@]/#/fg-fuzz-}" >/dev/null

work=$(mktemp -d "${TMPDIR:-/tmp}/fg-fuzz-corpus-XXXXXX")
trap 'rm -rf "$work"' EXIT
parallel=()
if ((jobs > 1)); then parallel=(-jobs="$jobs" -workers="$jobs"); fi
cd "$build" # libFuzzer writes its logs and crash-* files here
for t in "${targets[@]}"; do
  echo "run-fuzz: fuzzing $t for ${secs}s (corpus $root/tests/fuzz/corpus/$t)"
  dict=()
  [[ -f $root/tests/fuzz/$t.dict ]] && dict=(-dict="$root/tests/fuzz/$t.dict")
  mkdir -p "$work/$t"
  "$build/bin/fg-fuzz-$t" \
    -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -max_len=65536 "${parallel[@]}" \
    "${dict[@]}" -artifact_prefix="$build/$t-" -print_final_stats=1 \
    "$work/$t" "$root/tests/fuzz/corpus/$t"
done
