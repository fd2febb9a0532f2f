requires: cmd codegen
cmd: flag-gems-exp codegen; echo "rc=$?"; flag-gems-exp codegen --config missing.json --out gen; echo "rc=$?"; flag-gems-exp codegen --config x.json --no-metadata --metadata-only; echo "rc=$?"
stderr-lines: 3
stderr: flag-gems-exp codegen: --config FILE is required (hint: e.g. --config tools/codegen/configs/cpu_kernels.json)
stderr: flag-gems-exp codegen: generation refused, nothing written: FG_ERR_
stderr: flag-gems-exp codegen: --no-metadata and --metadata-only exclude each other
---
rc=2
rc=2
rc=2
