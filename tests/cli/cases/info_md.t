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
| stable_period | 0.20 | 0.00 | no | in experimental since v2.2; checklist.stable_period_met is false |
| accuracy | 0.30 | 0.00 | no | not run; 0 test cases, 0 shapes over 0 dtypes; last run never |
| performance | 0.25 | 0.00 | no | checklist.performance_passed is false; no baselines |
| multi_hardware | 0.15 | 0.00 | no | checklist.multi_hardware_validated is false; tested on 0 device(s) |
| code_quality | 0.10 | 0.00 | no | code review pending, documentation incomplete |

not eligible: stable_period fails; accuracy fails; performance fails; multi_hardware fails; code_quality fails; status is DEPRECATED
