# --help after the subcommand, exit 0
cmd: flag-gems-exp list --help
---
usage: flag-gems-exp list [--category C] [--status S] [--device D] [--group G] [--op NAME]

Lists the kernels recorded in the metadata file, sorted by kernel id, with
their status, accuracy, speedup range (over their recorded baselines) and
graduation eligibility. Filters combine with AND:
  --category C   blas, reduction, pointwise or custom
  --status S     EXPERIMENTAL, VALIDATED, GRADUATION_CANDIDATE, GRADUATED,
                 STABLE or DEPRECATED (any case)
  --device D     the kernel id's device (cpu, cuda) or a tested device
  --group G      generated or custom
  --op NAME      kernels of one op

Global options (before or after the subcommand):
  --metadata FILE   metadata file (default: $FLAGGEMS_EXP_METADATA, else the
                    project's src/experimental/generated/_metadata.json);
                    commands that write create it when it is absent
  --format F        table, json or md (default: table on a terminal, json
                    otherwise; report also takes html)
  -h, --help        help for flag-gems-exp or the subcommand
Exit status: 0 success, 1 a check failed, 2 bad usage.
