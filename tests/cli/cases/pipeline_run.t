# the main job on one op, 1 ms per config: each of the op's experimental
# kernels gets a row, both reports and the working copies are written, the
# source tree's metadata is untouched
requires: cmd pipeline
requires: file ${SRC}/src/experimental/generated/_metadata.json
run: cksum $SRC/src/experimental/generated/_metadata.json > before
cmd: FLAGGEMS_EXP_PERF_DB=$TMP/perf.db flag-gems-exp pipeline --op rms_norm --out rep --budget 1 --format table > out.txt; echo "rc=$?"; grep -o 'experimental kernels validated' out.txt
after: cksum $SRC/src/experimental/generated/_metadata.json | cmp - before
after: test "$(grep -c '^rms_norm\.cpu\.' out.txt)" = "$(cat $SRC/src/experimental/*/kernels.def | grep -c '^FGI_EXP_KERNEL([a-z_0-9]*, "rms_norm\.')"
after: grep -q '^| KERNEL | STATUS | ACCURACY | SPEEDUP VS STABLE | DISPATCHER CHOOSES IT | SCORE | BLOCKING |' rep/report.md
after: grep -q '<h1>Experimental-ops pipeline</h1>' rep/report.html && grep -q '</html>' rep/report.html
after: test -s rep/_metadata.json && test -s rep/tracker.json && test -d rep/issues
---
rc=0
experimental kernels validated
