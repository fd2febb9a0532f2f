# --report-dir: the accuracy report of each kernel, Markdown and JSON
requires: cmd validate
run: mkdir out
cmd: flag-gems-exp validate fast_gelu.cpu.custom.generic_v1 --no-record --dtype f32 --report-dir out --format table | tail -1
after: head -1 out/fast_gelu.cpu.custom.generic_v1.accuracy.md | grep -qx '# Accuracy report: fast_gelu.cpu.custom.generic_v1'
after: grep -q '"accuracy"' out/fast_gelu.cpu.custom.generic_v1.accuracy.json
---
1 kernel validated, 0 failed
