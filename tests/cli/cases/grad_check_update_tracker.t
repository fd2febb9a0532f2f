# --update-tracker applies the result: tracker.json beside the metadata
requires: cmd check-graduation
run: flag-gems-exp import-flaggems --metadata m.json --inventory $FIXTURES/inventory.yaml --bench $FIXTURES/bench_hopper.json --bench $FIXTURES/bench_metax.json > /dev/null 2>&1
cmd: flag-gems-exp check-graduation --all --metadata m.json --update-tracker --version 5.5 --format table | tail -2
after: test -s tracker.json
---
6 kernels checked, 0 eligible, 0 promoted, 0 demoted, 0 issue drafts
failed checks: accuracy 6, code_quality 6, multi_hardware 5, performance 4, stable_period 1
