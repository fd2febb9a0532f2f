# --no-record leaves the metadata file alone
requires: cmd validate
requires: file ${SRC}/src/experimental/generated/_metadata.json
run: cp $SRC/src/experimental/generated/_metadata.json m.json
run: cksum m.json > before
cmd: flag-gems-exp validate fast_gelu.cpu.custom.generic_v1 --metadata m.json --no-record --dtype bf16 --format table | tail -1
after: cksum m.json | cmp - before
---
1 kernel validated, 0 failed
