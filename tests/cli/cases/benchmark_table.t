# the table: one row per config and baseline, then the summary per baseline
requires: cmd benchmark
cmd: flag-gems-exp benchmark fast_gelu.cpu.custom.generic_v1 --shape 4x4 --dtype f16,bf16 --budget 1 --format table
stdout: contains
---
KERNEL                           CONFIG  DTYPE     MEDIAN US  GB/S
fast_gelu.cpu.custom.generic_v1  [4,4]   float16
fast_gelu.cpu.custom.generic_v1  [4,4]   bfloat16
fast_gelu.cpu.custom.generic_v1 vs fast_gelu.cpu.reference: mean
over 2 configs
