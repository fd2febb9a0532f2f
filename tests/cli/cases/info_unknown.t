run: flag-gems-exp import-flaggems --metadata m.json --inventory $FIXTURES/inventory.yaml --bench $FIXTURES/bench_hopper.json --bench $FIXTURES/bench_metax.json
cmd: flag-gems-exp info no_such_op --metadata m.json
exit: 2
stdout: none
stderr: flag-gems-exp info: 'no_such_op' is neither a kernel id nor an op in m.json or in this build (hint: run 'flag-gems-exp list' for the kernel ids)
stderr-lines: 1
---
