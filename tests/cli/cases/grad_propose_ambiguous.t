requires: cmd propose-graduation
requires: file ${SRC}/src/experimental/generated/_metadata.json
run: cp $SRC/src/experimental/generated/_metadata.json m.json
cmd: flag-gems-exp propose-graduation fast_gelu --dry-run --metadata m.json
exit: 2
stdout: none
stderr-lines: 1
stderr: flag-gems-exp propose-graduation: op 'fast_gelu' has
stderr: kernels (hint: name the kernel id ('flag-gems-exp info <op>' lists them))
---
