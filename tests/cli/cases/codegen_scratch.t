# codegen --out: the committed config rendered into a scratch folder
requires: cmd codegen
run: mkdir gen
cmd: flag-gems-exp codegen --config $SRC/tools/codegen/configs/cpu_kernels.json --repo $SRC --out gen --no-format --format json
stdout: json
after: test -s gen/kernels.def && ls gen/pointwise/*.c > /dev/null
---
{
  "action": "generated",
  "files_unchanged": 0,
  "files_written": "<any>",
  "kernels": "<any>",
  "metadata_entries": 0
}
