# bad shapes, devices and budgets are refused before anything runs
requires: cmd benchmark
cmd: for a in "--shape 64xx64" "--shape 64x0x" "--device cuda" "--budget 0" "--dtype int8"; do flag-gems-exp benchmark fast_gelu $a; echo "rc=$?"; done; flag-gems-exp benchmark mm.cpu.stable.generic --shape 64x64; echo "rc=$?"
stderr: flag-gems-exp benchmark: bad --shape '64xx64' (hint: e.g. --shape 4096x4096 (mm: MxKxN, bmm: BxMxKxN))
stderr: flag-gems-exp benchmark: bad --shape '64x0x' (hint: e.g. --shape 4096x4096 (mm: MxKxN, bmm: BxMxKxN))
stderr: flag-gems-exp benchmark: device 'cuda' is not available in this build (hint: this build measures on the CPU: --device cpu)
stderr: flag-gems-exp benchmark: bad --budget '0' (hint: milliseconds per config, e.g. --budget 50)
stderr: flag-gems-exp benchmark: unknown dtype 'int8'
stderr: flag-gems-exp benchmark: --shape '64x64' has 2 dims for mm (hint: mm takes MxKxN, bmm BxMxKxN)
stderr-lines: 6
---
rc=2
rc=2
rc=2
rc=2
rc=2
rc=2
