requires: cmd validate
cmd: flag-gems-exp validate no_such_thing
exit: 2
stdout: none
stderr-lines: 1
stderr: flag-gems-exp validate: 'no_such_thing' is neither an op nor a kernel id of this build (hint: run 'flag-gems-exp info <op>' for an op's kernels)
---
