# filters combine with AND; --status is case-insensitive
run: flag-gems-exp import-flaggems --metadata m.json --inventory $FIXTURES/inventory.yaml --bench $FIXTURES/bench_hopper.json --bench $FIXTURES/bench_metax.json
cmd: flag-gems-exp list --status validated --device NVIDIA-Hopper --format md --metadata m.json
---
| KERNEL | OP | CATEGORY | STATUS | GROUP | DEVICE | ACCURACY | SPEEDUP | ELIGIBLE |
|---|---|---|---|---|---|---|---|---|
| amax.triton.flaggems | amax | reduction | VALIDATED | - | triton | passed (30 cases) | 1.25-1.50x | no |

1 kernel
