# validate one kernel: every case passes, the result is recorded
requires: cmd validate
requires: file ${SRC}/src/experimental/generated/_metadata.json
run: cp $SRC/src/experimental/generated/_metadata.json m.json
cmd: flag-gems-exp validate fast_gelu.cpu.custom.generic_v1 --metadata m.json --format json
stdout: json
after: flag-gems-exp list --op fast_gelu --metadata m.json --status VALIDATED --format table | grep -q '^fast_gelu.cpu.custom.generic_v1 .* passed ('
---
{
  "failed": 0,
  "kernels": [
    {
      "cases_failed": 0,
      "cases_passed": "<any>",
      "cases_skipped": 0,
      "failures": [],
      "kernel_id": "fast_gelu.cpu.custom.generic_v1",
      "max_abs_error": "<any>",
      "max_rel_error": "<any>",
      "passed": true,
      "recorded": "yes",
      "reference": "fast_gelu.cpu.reference"
    }
  ],
  "validated": 1
}
