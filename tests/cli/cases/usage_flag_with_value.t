cmd: flag-gems-exp import-flaggems --inventory x.yaml --strict=yes
exit: 2
stdout: none
stderr: option '--strict' takes no value (hint: see 'flag-gems-exp import-flaggems --help')
stderr-lines: 1
---
