cmd: flag-gems-exp import-flaggems --dry-run --metadata m.json --inventory $FIXTURES/inventory.yaml --bench $FIXTURES/bench_metax.json --format table
after: test ! -e m.json
---
would import 6 of 6 inventory entries (6 new, 0 updated) into m.json

STATUS                KERNELS
--------------------  -------
EXPERIMENTAL          2
VALIDATED             2
GRADUATION_CANDIDATE  0
GRADUATED             0
STABLE                1
DEPRECATED            1

PLATFORM  DEVICE  RESULTS  MATCHED  ACCURACY PASSED  BASELINES
--------  ------  -------  -------  ---------------  ---------
metax     MetaX   2        2        1                3

0 inventory entries and 0 benchmark results not imported; 0 problems reported on stderr
