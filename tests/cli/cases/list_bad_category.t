cmd: flag-gems-exp list --category conv --metadata m.json
exit: 2
stdout: none
stderr: flag-gems-exp list: unknown category 'conv' (hint: use blas, reduction, pointwise or custom)
stderr-lines: 1
---
