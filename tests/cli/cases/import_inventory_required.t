cmd: flag-gems-exp import-flaggems --metadata m.json --bench $FIXTURES/bench_metax.json
exit: 2
stdout: none
stderr-lines: 1
stderr: flag-gems-exp import-flaggems: --inventory FILE is required (hint: e.g. --inventory conf/operators.yaml)
---
