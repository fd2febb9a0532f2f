# an op of libflaggems without metadata entries: only the kernels this build
# registers, in dispatch order (reference last)
run: flag-gems-exp import-flaggems --metadata m.json --inventory $FIXTURES/inventory.yaml --bench $FIXTURES/bench_hopper.json --bench $FIXTURES/bench_metax.json
cmd: flag-gems-exp info gelu --metadata m.json --format table
stdout: contains
---
Kernels in this build (dispatch order)
gelu.cpu.stable.generic
gelu.cpu.reference
