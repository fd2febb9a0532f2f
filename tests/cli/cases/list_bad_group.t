cmd: flag-gems-exp list --group stable
exit: 2
stdout: none
stderr: flag-gems-exp list: unknown group 'stable' (hint: use generated or custom)
stderr-lines: 1
---
