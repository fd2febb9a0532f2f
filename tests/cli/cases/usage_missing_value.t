cmd: flag-gems-exp list --status
exit: 2
stdout: none
stderr: flag-gems-exp list: option '--status' needs a value (hint: see 'flag-gems-exp list --help')
stderr-lines: 1
---
