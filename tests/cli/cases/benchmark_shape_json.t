# one kernel, one shape, one dtype, a short budget: speedup against each
# baseline (fast_gelu has no stable kernel: its reference only); nothing
# recorded without --record
requires: cmd benchmark
cmd: flag-gems-exp benchmark fast_gelu.cpu.custom.generic_v1 --shape 64x64 --dtype f32 --budget 1 --format json
stdout: json
---
{
  "kernels": [
    {
      "kernel_id": "fast_gelu.cpu.custom.generic_v1",
      "metadata_recorded": false,
      "perfdb_rows": 0,
      "report": "<any>",
      "speedup": [
        {
          "baseline": "fast_gelu.cpu.reference",
          "configs": 1,
          "geomean": "<any>",
          "max": "<any>",
          "mean": "<any>",
          "min": "<any>"
        }
      ]
    }
  ]
}
