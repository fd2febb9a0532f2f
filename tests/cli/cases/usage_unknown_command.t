cmd: flag-gems-exp lsit
exit: 2
stdout: none
stderr: flag-gems-exp: unknown command 'lsit' (hint: run 'flag-gems-exp --help' for the commands)
stderr-lines: 1
---
