run: flag-gems-exp import-flaggems --metadata m.json --inventory $FIXTURES/inventory.yaml --bench $FIXTURES/bench_hopper.json --bench $FIXTURES/bench_metax.json
cmd: flag-gems-exp report nope.cpu.gen --metadata m.json
exit: 2
stdout: none
stderr: flag-gems-exp report: cannot build the report: FG_ERR_NOT_FOUND
stderr-lines: 1
---
