cmd: flag-gems-exp info
exit: 2
stdout: none
stderr: flag-gems-exp info: missing argument (usage: flag-gems-exp info <op|kernel>)
stderr-lines: 1
---
