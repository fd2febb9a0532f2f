# judge only: every kernel's score and failed checks; nothing written
requires: cmd check-graduation
run: flag-gems-exp import-flaggems --metadata m.json --inventory $FIXTURES/inventory.yaml --bench $FIXTURES/bench_hopper.json --bench $FIXTURES/bench_metax.json > /dev/null 2>&1
run: cksum m.json > before
cmd: flag-gems-exp check-graduation --all --metadata m.json --version 5.5 --format table
after: cksum m.json | cmp - before
after: test ! -e tracker.json
---
KERNEL                         STATUS        SCORE  ELIGIBLE  ACTION   BLOCKING
-----------------------------  ------------  -----  --------  -------  --------------------------------------------------------------------------
abs.triton.flaggems            STABLE        0.52   no        -        accuracy, performance, code_quality, status STABLE
addmv.triton.gen               EXPERIMENTAL  0.35   no        -        stable_period, accuracy, multi_hardware, code_quality, status EXPERIMENTAL
amax.triton.flaggems           VALIDATED     0.53   no        updated  accuracy, multi_hardware, code_quality
aten_weight_norm.triton.gen    EXPERIMENTAL  0.20   no        updated  accuracy, performance, multi_hardware, code_quality, status EXPERIMENTAL
contiguous.triton.flaggems     DEPRECATED    0.20   no        -        accuracy, performance, multi_hardware, code_quality, status DEPRECATED
instance_norm.triton.flaggems  VALIDATED     0.20   no        updated  accuracy, performance, multi_hardware, code_quality
6 kernels checked, 0 eligible, 0 promoted, 0 demoted, 0 issue drafts (dry run: nothing written)
failed checks: accuracy 6, code_quality 6, multi_hardware 5, performance 4, stable_period 1
