requires: cmd validate
cmd: flag-gems-exp validate fast_gelu --dtype float64
exit: 2
stdout: none
stderr-lines: 1
stderr: flag-gems-exp validate: unknown dtype 'float64' (hint: use float32, float16, bfloat16 (or f32, f16, bf16), comma-separated)
---
