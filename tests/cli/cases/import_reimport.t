# importing again updates the same kernels (same op_ids) and changes nothing else
run: flag-gems-exp import-flaggems --metadata m.json --inventory $FIXTURES/inventory.yaml --bench $FIXTURES/bench_hopper.json --format json > /dev/null 2>&1
run: grep -v last_updated m.json > before.json
cmd: flag-gems-exp import-flaggems --metadata m.json --inventory $FIXTURES/inventory.yaml --bench $FIXTURES/bench_hopper.json --format table 2>/dev/null | head -1
after: grep -v last_updated m.json | cmp - before.json
---
imported 6 of 6 inventory entries (0 new, 6 updated) into m.json
