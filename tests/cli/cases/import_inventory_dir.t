cmd: flag-gems-exp import-flaggems --metadata m.json --inventory $FIXTURES
exit: 2
stdout: none
stderr-lines: 1
stderr: flag-gems-exp import-flaggems: cannot read '${FIXTURES}': is a directory (hint: check the --inventory path)
after: test ! -e m.json
---
