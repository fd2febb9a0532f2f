run: flag-gems-exp import-flaggems --metadata m.json --inventory $FIXTURES/inventory.yaml --bench $FIXTURES/bench_hopper.json --bench $FIXTURES/bench_metax.json
cmd: flag-gems-exp info contiguous.triton.flaggems --metadata m.json --format md | grep -v '^| op_id '
---
### contiguous.triton.flaggems

| FIELD | VALUE |
|---|---|
| kernel | contiguous.triton.flaggems |
| op | contiguous |
| category | custom |
| status | DEPRECATED |
| group | - |
| device | triton |
| generator | hand-written |
| template | - |
| code | conf/operators.yaml:50-62 |
| accuracy | not run |
| accuracy last run | - |
| coverage | - |
| performance last run | - |
| tested devices | - |
| shape constraints | {} |
| experimental since | v2.2 |
| eligible | no |

#### Graduation checklist (score 0.00, not eligible)

| CHECK | WEIGHT | SCORE | PASSED | DETAILS |
|---|---|---|---|---|
| stable_period | 0.20 | 0.00 | no | in_experimental_since v2.2 is later than the current version 0.1.0 |
| accuracy | 0.30 | 0.00 | no | accuracy tests never ran |
| performance | 0.25 | 0.00 | no | no performance baselines recorded |
| multi_hardware | 0.15 | 0.00 | no | 0 platform(s) tested (none); 2 required |
| code_quality | 0.10 | 0.00 | no | code review not recorded, documentation incomplete |

not eligible: accuracy failed (blocks graduation whatever the score): accuracy tests never ran
