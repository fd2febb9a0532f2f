cmd: flag-gems-exp list --format yaml
exit: 2
stdout: none
stderr: flag-gems-exp list: unknown format 'yaml' (hint: use table, json or md)
stderr-lines: 1
---
