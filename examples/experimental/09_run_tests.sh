#!/usr/bin/env bash
# Example 09: validate and benchmark one op with flag-gems-exp, the way a
# contributor checks a kernel before review.
#
#   FG_SOURCE_DIR=. PATH=build/bin:$PATH bash examples/experimental/09_run_tests.sh
#
# It works on a copy of the project's metadata and on a scratch performance
# database, so neither the source tree nor ~/.cache changes; ctest runs it
# (examples/CMakeLists.txt) with build/bin on PATH.
set -euo pipefail

src=${FG_SOURCE_DIR:?set FG_SOURCE_DIR to the source tree}
project_meta=$src/src/experimental/generated/_metadata.json
op=softmax
kernel=softmax.cpu.custom.rows_le_1024_v1

for cmd in validate benchmark; do
  if ! flag-gems-exp "$cmd" --help >/dev/null 2>&1; then
    echo "skipped: this build of flag-gems-exp has no '$cmd' command"
    exit 0
  fi
done

if [ ! -f "$project_meta" ]; then
  echo "skipped: $project_meta is not in this tree"
  exit 0
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp "$project_meta" "$work/metadata.json"
before=$(cksum < "$project_meta")
export FLAGGEMS_EXP_PERF_DB=$work/perf.db
fge() { flag-gems-exp --metadata "$work/metadata.json" "$@"; }

echo "== validate $op (its experimental kernels against the reference)"
fge validate "$op" --format table

echo "== benchmark $kernel against the stable and reference kernels, recorded"
fge benchmark "$kernel" --dtype float32 --shape 256x1024 --budget 20 --record --format table

echo "== what the metadata now says"
fge info "$kernel" --format table | tee "$work/info.txt"

# The results are in the copy: accuracy passed, and this run's baseline for
# the shape (device "CPU-<model>") against the stable kernel. (Files, not
# pipes into grep -q: under pipefail an early grep exit would fail the writer.)
fge list --op "$op" --format json > "$work/list.json"
grep -q '"accuracy_passed": true' "$work/list.json" ||
  { echo "FAILED: accuracy not recorded as passed"; exit 1; }
grep -q '^CPU-.*float32 *(256, 1024) *softmax\.cpu\.stable' "$work/info.txt" ||
  { echo "FAILED: no float32 (256, 1024) baseline against the stable kernel"; exit 1; }
[ -s "$work/perf.db" ] || { echo "FAILED: nothing in the performance database"; exit 1; }
[ "$(cksum < "$project_meta")" = "$before" ] ||
  { echo "FAILED: the project's metadata changed"; exit 1; }
echo "ok: validated, benchmarked and recorded into $work/metadata.json only"
