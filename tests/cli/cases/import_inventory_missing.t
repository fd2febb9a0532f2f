cmd: flag-gems-exp import-flaggems --metadata m.json --inventory none.yaml
exit: 2
stdout: none
stderr-lines: 1
stderr: flag-gems-exp import-flaggems: cannot read 'none.yaml': No such file or directory (hint: check the --inventory path)
---
