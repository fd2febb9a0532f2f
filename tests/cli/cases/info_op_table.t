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

Graduation checklist (score 0.30, not eligible)
CHECK           WEIGHT  SCORE  PASSED  DETAILS
--------------  ------  -----  ------  ------------------------------------------------------------------------------------------------
stable_period   0.20    0.00   no      in experimental since v1.0; checklist.stable_period_met is false
accuracy        0.30    1.00   yes     passed; 36 test cases, 0 shapes over 0 dtypes; last run 2026-05-09T00:00:00Z
performance     0.25    0.00   no      checklist.performance_passed is false; 6 baselines, speedup geomean 0.83x (min 0.66x, max 0.97x)
multi_hardware  0.15    0.00   no      checklist.multi_hardware_validated is false; tested on 2 device(s)
code_quality    0.10    0.00   no      code review pending, documentation incomplete
not eligible: stable_period fails; performance fails; multi_hardware fails; code_quality fails; status is STABLE
