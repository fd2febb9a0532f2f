cmd: flag-gems-exp report --format table
exit: 2
stdout: none
stderr: flag-gems-exp report: unknown format 'table' (hint: use md, json or html)
stderr-lines: 1
---
