run: printf 'operators:\n  - id: abs\n' > inv.yaml
cmd: flag-gems-exp import-flaggems --metadata m.json --inventory inv.yaml
exit: 2
stdout: none
stderr-lines: 1
stderr: flag-gems-exp import-flaggems: inv.yaml: no 'ops' list at the top level (hint: FlagGems' conf/operators.yaml has 'ops:' with a list of entries)
---
