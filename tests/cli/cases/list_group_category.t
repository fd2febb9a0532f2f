run: flag-gems-exp import-flaggems --metadata m.json --inventory $FIXTURES/inventory.yaml --bench $FIXTURES/bench_hopper.json --bench $FIXTURES/bench_metax.json
cmd: flag-gems-exp list --group generated --category blas --format table --metadata m.json
---
KERNEL            OP     CATEGORY  STATUS        GROUP      DEVICE  ACCURACY           SPEEDUP  ELIGIBLE
----------------  -----  --------  ------------  ---------  ------  -----------------  -------  --------
addmv.triton.gen  addmv  blas      EXPERIMENTAL  generated  triton  FAILED (12 cases)  2.00x    no
1 kernel
