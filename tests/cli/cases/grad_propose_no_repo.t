# no repository there: refused with the library's reason; nothing written
requires: cmd propose-graduation
requires: file ${SRC}/src/experimental/generated/_metadata.json
run: cp $SRC/src/experimental/generated/_metadata.json m.json
run: mkdir plain
cmd: flag-gems-exp propose-graduation softmax.cpu.custom.rows_le_1024_v1 --dry-run --repo plain --metadata m.json
exit: 2
stdout: none
stderr-lines: 1
stderr: flag-gems-exp propose-graduation: cannot propose the graduation: FG_ERR_NOT_FOUND: plain is not the root of a git repository
after: test -z "$(ls -A plain)"
---
