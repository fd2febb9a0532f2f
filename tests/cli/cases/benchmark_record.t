# --record: rows in the performance database, baselines in the metadata
requires: cmd benchmark
requires: file ${SRC}/src/experimental/generated/_metadata.json
run: cp $SRC/src/experimental/generated/_metadata.json m.json
cmd: FLAGGEMS_EXP_PERF_DB=$TMP/perf.db flag-gems-exp benchmark softmax.cpu.custom.rows_le_1024_v1 --shape 8x256 --dtype bf16 --budget 1 --record --metadata m.json --format json | grep -e metadata_recorded
after: test -s perf.db
after: flag-gems-exp info softmax.cpu.custom.rows_le_1024_v1 --metadata m.json --format table | grep -q 'bfloat16  (8, 256) .*softmax.cpu.stable'
after: flag-gems-exp info softmax.cpu.custom.rows_le_1024_v1 --metadata m.json --format table | grep -q 'bfloat16  (8, 256) .*softmax.cpu.reference'
---
      "metadata_recorded": true,
