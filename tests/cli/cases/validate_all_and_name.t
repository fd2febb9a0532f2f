requires: cmd validate
cmd: flag-gems-exp validate softmax --all
exit: 2
stdout: none
stderr-lines: 1
stderr: flag-gems-exp validate: give an op or kernel, or --all, not both
---
