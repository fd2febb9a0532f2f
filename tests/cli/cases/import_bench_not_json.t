cmd: flag-gems-exp import-flaggems --metadata m.json --inventory $FIXTURES/inventory.yaml --bench $FIXTURES/bench_not_json.json
exit: 2
stdout: none
stderr-lines: 1
stderr: bench_not_json.json: line 2, column 16: string or '}' expected near '}' (hint: pass FlagGems' bench_<platform>.json)
after: test ! -e m.json
---
