# list as a table, global option after the subcommand
run: flag-gems-exp import-flaggems --metadata m.json --inventory $FIXTURES/inventory.yaml --bench $FIXTURES/bench_hopper.json --bench $FIXTURES/bench_metax.json
cmd: flag-gems-exp list --metadata m.json --format table
---
KERNEL                         OP                CATEGORY   STATUS        GROUP      DEVICE  ACCURACY           SPEEDUP     ELIGIBLE
-----------------------------  ----------------  ---------  ------------  ---------  ------  -----------------  ----------  --------
abs.triton.flaggems            abs               pointwise  STABLE        -          triton  passed (36 cases)  0.66-0.97x  no
addmv.triton.gen               addmv             blas       EXPERIMENTAL  generated  triton  FAILED (12 cases)  2.00x       no
amax.triton.flaggems           amax              reduction  VALIDATED     -          triton  passed (30 cases)  1.25-1.50x  no
aten_weight_norm.triton.gen    aten_weight_norm  custom     EXPERIMENTAL  generated  triton  not run            -           no
contiguous.triton.flaggems     contiguous        custom     DEPRECATED    -          triton  not run            -           no
instance_norm.triton.flaggems  instance_norm     custom     VALIDATED     -          triton  not run            -           no
6 kernels
