# an op without experimental kernels: name a kernel instead
requires: cmd validate
cmd: flag-gems-exp validate bmm
exit: 2
stdout: none
stderr-lines: 1
stderr: flag-gems-exp validate: op 'bmm' has no experimental kernels in this build (hint: name one of its kernels ('flag-gems-exp info <op>' lists them))
---
