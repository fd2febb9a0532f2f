run: printf '{"timestamp": "2026-05-09 00:00:00", "operators": []}\n' > b.json
cmd: flag-gems-exp import-flaggems --metadata m.json --inventory $FIXTURES/inventory.yaml --bench b.json
exit: 2
stdout: none
stderr-lines: 1
stderr: flag-gems-exp import-flaggems: b.json: no valid 'platform' string (hint: FlagGems' files have platform, timestamp and operators[])
after: test ! -e m.json
---
