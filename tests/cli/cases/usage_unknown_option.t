cmd: flag-gems-exp list --colour red
exit: 2
stdout: none
stderr: flag-gems-exp list: unknown option '--colour' (hint: see 'flag-gems-exp list --help')
stderr-lines: 1
---
