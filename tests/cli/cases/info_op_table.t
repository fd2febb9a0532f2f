# info on an op name: every kernel of the op, as tables
run: flag-gems-exp import-flaggems --metadata m.json --inventory $FIXTURES/inventory.yaml --bench $FIXTURES/bench_hopper.json --bench $FIXTURES/bench_metax.json
cmd: flag-gems-exp info abs --metadata m.json --format table | grep -v '^op_id '
---
FIELD                 VALUE
--------------------  ------------------------------------
kernel                abs.triton.flaggems
op                    abs
category              pointwise
status                STABLE
group                 -
device                triton
generator             hand-written
template              -
code                  conf/operators.yaml:4-15
accuracy              passed (36 cases)
accuracy last run     2026-05-09T00:00:00Z
coverage              -
performance last run  2026-05-09T00:00:00Z
tested devices        NVIDIA-Hopper, MetaX
shape constraints     {}
experimental since    v1.0
eligible              no

Baselines
DEVICE         DTYPE     SHAPE  VS     SPEEDUP  MEMORY MB  WHEN
-------------  --------  -----  -----  -------  ---------  --------------------
NVIDIA-Hopper  float16   ()     torch  0.66x    0.00       2026-05-09T00:00:00Z
NVIDIA-Hopper  float32   ()     torch  0.82x    0.00       2026-05-09T00:00:00Z
NVIDIA-Hopper  bfloat16  ()     torch  0.66x    0.00       2026-05-09T00:00:00Z
MetaX          float16   ()     torch  0.97x    0.00       2026-05-08T18:13:08Z
MetaX          float32   ()     torch  0.95x    0.00       2026-05-08T18:13:08Z
MetaX          bfloat16  ()     torch  0.96x    0.00       2026-05-08T18:13:08Z

Graduation checklist (score 0.32, not eligible)
CHECK           WEIGHT  SCORE  PASSED  DETAILS
--------------  ------  -----  ------  ---------------------------------------------------------------------------------------------------------------
stable_period   0.20    0.00   no      in_experimental_since v1.0 is later than the current version 0.1.0
accuracy        0.30    0.00   no      passed: 36 test cases over 0 distinct shape(s) in 0 dtype(s), last run 2026-05-09T00:00:00Z; 20 shapes required
performance     0.25    0.67   no      4 of 6 baselines at or above 0.80x; speedup geomean 0.826x, min 0.659x, max 0.973x
multi_hardware  0.15    1.00   yes     2 platform(s) tested (nvidia, metax); 2 required
code_quality    0.10    0.00   no      code review not recorded, documentation incomplete
not eligible: accuracy failed (blocks graduation whatever the score): passed: 36 test cases over 0 distinct shape(s) in 0 dtype(s), last run 2026-05-09T00:00:00Z; 20 shapes required
