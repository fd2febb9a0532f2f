requires: cmd validate
cmd: flag-gems-exp validate fast_gelu --tolerance loose; echo "rc=$?"; flag-gems-exp validate fast_gelu --tier huge; echo "rc=$?"; flag-gems-exp validate fast_gelu --seed -1; echo "rc=$?"
stderr: flag-gems-exp validate: unknown tolerance table 'loose' (hint: use default or flaggems)
stderr: flag-gems-exp validate: unknown tier 'huge' (hint: use default or large)
stderr: flag-gems-exp validate: bad --seed '-1' (hint: a non-negative integer)
stderr-lines: 3
---
rc=2
rc=2
rc=2
