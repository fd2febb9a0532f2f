run: flag-gems-exp import-flaggems --metadata m.json --inventory $FIXTURES/inventory.yaml --bench $FIXTURES/bench_hopper.json --bench $FIXTURES/bench_metax.json
cmd: flag-gems-exp report --format html --metadata m.json -o r.html
stdout: none
after: grep -q '<svg' r.html && grep -q 'amax.triton.flaggems' r.html && ! grep -q 'src=.http' r.html
---
