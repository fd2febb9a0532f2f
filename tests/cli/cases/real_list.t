# the real data through list: deprecated ops, and blas ops that passed on Hygon
requires: data
run: flag-gems-exp import-flaggems --metadata m.json --inventory $DATA/operators.yaml --bench $DATA/bench_hopper.json --bench $DATA/bench_metax.json --bench $DATA/bench_iluvatar.json --bench $DATA/bench_hygon.json > /dev/null 2>&1
cmd: flag-gems-exp list --metadata m.json --status deprecated --format table && flag-gems-exp list --metadata m.json --device hygon --category blas --group generated --format md
---
KERNEL                              OP                  CATEGORY   STATUS      GROUP  DEVICE  ACCURACY  SPEEDUP  ELIGIBLE
----------------------------------  ------------------  ---------  ----------  -----  ------  --------  -------  --------
contiguous.triton.flaggems          contiguous          custom     DEPRECATED  -      triton  not run   -        no
cross_entropy_loss.triton.flaggems  cross_entropy_loss  reduction  DEPRECATED  -      triton  not run   -        no
2 kernels
| KERNEL | OP | CATEGORY | STATUS | GROUP | DEVICE | ACCURACY | SPEEDUP | ELIGIBLE |
|---|---|---|---|---|---|---|---|---|
| roll.triton.gen | roll | blas | VALIDATED | generated | triton | passed (1101 cases) | 2.19-5.92x | no |
| tril.triton.gen | tril | blas | STABLE | generated | triton | passed (72 cases) | 0.99-2.40x | no |

2 kernels
