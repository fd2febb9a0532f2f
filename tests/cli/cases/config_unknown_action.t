cmd: flag-gems-exp config edit
exit: 2
stdout: none
stderr: flag-gems-exp config: unknown config action 'edit' (hint: use 'config show' or 'config validate [FILE]')
stderr-lines: 1
---
