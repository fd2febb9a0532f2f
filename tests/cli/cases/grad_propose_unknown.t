requires: cmd propose-graduation
requires: file ${SRC}/src/experimental/generated/_metadata.json
run: cp $SRC/src/experimental/generated/_metadata.json m.json
cmd: flag-gems-exp propose-graduation nothing_like_it --metadata m.json
exit: 2
stdout: none
stderr-lines: 1
stderr: flag-gems-exp propose-graduation: cannot propose the graduation: FG_ERR_NOT_FOUND: no experimental kernel or op named 'nothing_like_it' in the metadata
stderr: (hint: run 'flag-gems-exp list' for the kernel ids)
---
