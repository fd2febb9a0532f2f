# no command: one line with a hint on stderr, exit 2
cmd: flag-gems-exp
exit: 2
stdout: none
stderr: flag-gems-exp: no command given (hint: run 'flag-gems-exp --help' for the commands)
stderr-lines: 1
---
