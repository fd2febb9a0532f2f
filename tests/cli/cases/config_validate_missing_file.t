cmd: flag-gems-exp config validate nothing.json
exit: 2
stdout: none
stderr: flag-gems-exp config: cannot read 'nothing.json': No such file or directory (hint: check the path)
stderr-lines: 1
---
