# a kernel without a metadata entry is validated, not recorded, and said so
requires: cmd validate
run: flag-gems-exp import-flaggems --metadata m.json --inventory $FIXTURES/inventory.yaml > /dev/null 2>&1
cmd: flag-gems-exp validate fast_gelu.cpu.custom.generic_v1 --metadata m.json --dtype f16 --format json | grep -e '"recorded"' -e '"passed"'
stderr: flag-gems-exp validate: warning: fast_gelu.cpu.custom.generic_v1 is not in m.json: results not recorded
---
      "passed": true,
      "recorded": "no (not in the metadata)",
