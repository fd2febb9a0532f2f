# FlagGems' real data through the graduation checker (judged against FlagGems
# 5.5): how many kernels pass and which checks fail most
requires: data
requires: cmd check-graduation
run: flag-gems-exp import-flaggems --metadata m.json --inventory $DATA/operators.yaml --bench $DATA/bench_hopper.json --bench $DATA/bench_metax.json --bench $DATA/bench_iluvatar.json --bench $DATA/bench_hygon.json > /dev/null 2>&1
cmd: flag-gems-exp check-graduation --all --metadata m.json --version 5.5 --format table | tail -2
---
1047 kernels checked, 0 eligible, 0 promoted, 48 demoted, 0 issue drafts (dry run: nothing written)
failed checks: accuracy 1047, code_quality 1047, performance 908, multi_hardware 634, stable_period 458
