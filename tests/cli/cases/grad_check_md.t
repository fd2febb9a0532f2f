# Markdown: the summary table and each criterion with its score
requires: cmd check-graduation
run: flag-gems-exp import-flaggems --metadata m.json --inventory $FIXTURES/inventory.yaml --bench $FIXTURES/bench_hopper.json --bench $FIXTURES/bench_metax.json > /dev/null 2>&1
cmd: flag-gems-exp check-graduation amax --metadata m.json --version 5.5 --format md
exit: 1
stdout: contains
---
## Graduation check (dry run: nothing written)
| amax.triton.flaggems | VALIDATED | 0.525 | no |
| stable_period | 0.20 | 1.000 | yes |
