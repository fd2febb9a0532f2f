cmd: flag-gems-exp import-flaggems --metadata m.json --inventory $FIXTURES/inventory.yaml --bench $FIXTURES/bench_metax.json --bench $FIXTURES/bench_metax.json
exit: 2
stdout: none
stderr-lines: 1
stderr: platform 'metax' is also in
---
