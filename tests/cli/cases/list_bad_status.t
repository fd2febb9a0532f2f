run: flag-gems-exp import-flaggems --metadata m.json --inventory $FIXTURES/inventory.yaml --bench $FIXTURES/bench_hopper.json --bench $FIXTURES/bench_metax.json
cmd: flag-gems-exp list --status shiny --metadata m.json
exit: 2
stdout: none
stderr: flag-gems-exp list: unknown status 'shiny' (hint: use EXPERIMENTAL, VALIDATED, GRADUATION_CANDIDATE, GRADUATED, STABLE or DEPRECATED)
stderr-lines: 1
---
