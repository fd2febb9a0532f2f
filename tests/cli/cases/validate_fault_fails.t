# a kernel that fails (fault injection makes it return an error) fails the
# command (exit 1) and is recorded as failed
requires: cmd validate
requires: file ${SRC}/src/experimental/generated/_metadata.json
run: cp $SRC/src/experimental/generated/_metadata.json m.json
cmd: FLAGGEMS_EXP_FAULT=fast_gelu.cpu.custom.generic_v1=error flag-gems-exp validate fast_gelu.cpu.custom.generic_v1 --metadata m.json --dtype float32 --format table
exit: 1
stdout: contains
stderr: fault injection: kernel fast_gelu.cpu.custom.generic_v1 will fail with FG_ERR_KERNEL
after: flag-gems-exp list --op fast_gelu --metadata m.json --format table | grep -q '^fast_gelu.cpu.custom.generic_v1 .* FAILED ('
---
fast_gelu.cpu.custom.generic_v1  FAIL
fast_gelu (4, 4096) float32: the kernel failed: FG_ERR_KERNEL: kernel fast_gelu.cpu.custom.generic_v1 failed: fault injected
1 kernel validated, 1 failed
