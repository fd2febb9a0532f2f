cmd: flag-gems-exp info abs relu
exit: 2
stdout: none
stderr: flag-gems-exp info: unexpected argument 'relu' (usage: flag-gems-exp info <op|kernel>)
stderr-lines: 1
---
