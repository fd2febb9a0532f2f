# a read-only command never creates the metadata file
cmd: flag-gems-exp list --metadata nothing-here.json
exit: 2
stdout: none
stderr: flag-gems-exp list: metadata file 'nothing-here.json' does not exist (hint: pass --metadata FILE, or create one with 'flag-gems-exp import-flaggems')
stderr-lines: 1
after: test ! -e nothing-here.json
---
