run: flag-gems-exp import-flaggems --metadata m.json --inventory $FIXTURES/inventory.yaml --bench $FIXTURES/bench_hopper.json --bench $FIXTURES/bench_metax.json
cmd: flag-gems-exp report --metadata m.json -o no/such/dir/r.md
exit: 1
stdout: none
stderr: flag-gems-exp report: cannot create 'no/such/dir/r.md.tmp.
stderr-lines: 1
---
