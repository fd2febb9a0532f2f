requires: cmd check-graduation
run: flag-gems-exp import-flaggems --metadata m.json --inventory $FIXTURES/inventory.yaml --bench $FIXTURES/bench_hopper.json --bench $FIXTURES/bench_metax.json > /dev/null 2>&1
run: printf '{"pass_score": 2}' > p.json
cmd: flag-gems-exp check-graduation --all --metadata m.json --policy p.json
exit: 2
stdout: none
stderr-lines: 1
stderr: flag-gems-exp check-graduation: bad policy:
---
