requires: cmd check-graduation
run: flag-gems-exp import-flaggems --metadata m.json --inventory $FIXTURES/inventory.yaml --bench $FIXTURES/bench_hopper.json --bench $FIXTURES/bench_metax.json > /dev/null 2>&1
cmd: flag-gems-exp check-graduation nothing_like_it --metadata m.json
exit: 2
stdout: none
stderr-lines: 1
stderr: flag-gems-exp check-graduation: graduation check failed: FG_ERR_NOT_FOUND: no kernel or op named 'nothing_like_it' in the metadata
---
