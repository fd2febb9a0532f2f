# a named kernel that is not eligible fails the check (exit 1)
requires: cmd check-graduation
run: flag-gems-exp import-flaggems --metadata m.json --inventory $FIXTURES/inventory.yaml --bench $FIXTURES/bench_hopper.json --bench $FIXTURES/bench_metax.json > /dev/null 2>&1
cmd: flag-gems-exp check-graduation amax.triton.flaggems --metadata m.json --version 5.5 --format table
exit: 1
---
KERNEL                STATUS     SCORE  ELIGIBLE  ACTION   BLOCKING
--------------------  ---------  -----  --------  -------  --------------------------------------
amax.triton.flaggems  VALIDATED  0.53   no        updated  accuracy, multi_hardware, code_quality
1 kernel checked, 0 eligible, 0 promoted, 0 demoted, 0 issue drafts (dry run: nothing written)
