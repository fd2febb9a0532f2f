requires: cmd validate
cmd: flag-gems-exp validate
exit: 2
stdout: none
stderr-lines: 1
stderr: flag-gems-exp validate: name an op or a kernel, or pass --all
---
