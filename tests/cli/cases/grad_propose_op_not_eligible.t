# an op name stands for its one eligible kernel; with none eligible the
# proposal is refused with every kernel's score (exit 1), nothing changes
requires: cmd propose-graduation
requires: file ${SRC}/src/experimental/generated/_metadata.json
run: cp $SRC/src/experimental/generated/_metadata.json m.json
cmd: flag-gems-exp propose-graduation fast_gelu --dry-run --repo $SRC --metadata m.json
exit: 1
stdout: none
stderr-lines: 1
stderr: flag-gems-exp propose-graduation: cannot propose the graduation: FG_ERR_UNSUPPORTED: no kernel of op fast_gelu is eligible for graduation: fast_gelu.cpu.custom.avx2_v1 (
stderr: (hint: run 'flag-gems-exp check-graduation' for the failed checks)
---
