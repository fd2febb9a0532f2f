#!/usr/bin/env bash
# Builds the metadata fuzz target with clang (libFuzzer + ASan + UBSan) and
# runs it for N seconds (default 60) over the committed corpus.
#   tests/fuzz/run-fuzz.sh [SECONDS]
# Environment: FUZZ_BUILD_DIR (default build/fuzz), FUZZ_JOBS (parallel
# fuzzing processes, default 1). New inputs go to a scratch folder, so the
# committed corpus is never modified; a crash leaves crash-* in the build dir
# and the script exits non-zero.
set -euo pipefail
secs=${1:-60}
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${FUZZ_BUILD_DIR:-$root/build/fuzz}
jobs=${FUZZ_JOBS:-1}

command -v clang >/dev/null || { echo "run-fuzz: clang not found (scripts/install-deps.sh installs it)" >&2; exit 2; }
cmake -S "$root/tests/fuzz" -B "$build" -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" --target fg-fuzz-metadata -j "$(nproc)" >/dev/null

work=$(mktemp -d "${TMPDIR:-/tmp}/fg-fuzz-corpus-XXXXXX")
trap 'rm -rf "$work"' EXIT
parallel=()
if ((jobs > 1)); then parallel=(-jobs="$jobs" -workers="$jobs"); fi
echo "run-fuzz: fuzzing the metadata loader for ${secs}s (corpus $root/tests/fuzz/corpus/metadata)"
cd "$build" # libFuzzer writes its logs and crash-* files here
"$build/fg-fuzz-metadata" \
  -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -max_len=65536 "${parallel[@]}" \
  -dict="$root/tests/fuzz/metadata.dict" -artifact_prefix="$build/" -print_final_stats=1 \
  "$work" "$root/tests/fuzz/corpus/metadata"
