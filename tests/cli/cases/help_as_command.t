# "help <command>" and --help before the command give the same text
cmd: flag-gems-exp help info && flag-gems-exp --help info
stdout: contains
---
usage: flag-gems-exp info <op|kernel>

Shows the metadata of a kernel (by kernel id or op_id), or of every kernel of
an op: status, generation, code location, accuracy and coverage, performance
baselines, tested devices, and the graduation checklist with each check's
score; then the kernels this build of the library registers for it, in
dispatch order.

Global options (before or after the subcommand):
  --metadata FILE   metadata file (default: $FLAGGEMS_EXP_METADATA, else the
                    project's src/experimental/generated/_metadata.json);
                    commands that write create it when it is absent
  --format F        table, json or md (default: table on a terminal, json
                    otherwise; report also takes html)
  -h, --help        help for flag-gems-exp or the subcommand
Exit status: 0 success, 1 a check failed, 2 bad usage.
usage: flag-gems-exp info <op|kernel>

Shows the metadata of a kernel (by kernel id or op_id), or of every kernel of
an op: status, generation, code location, accuracy and coverage, performance
baselines, tested devices, and the graduation checklist with each check's
score; then the kernels this build of the library registers for it, in
dispatch order.

Global options (before or after the subcommand):
  --metadata FILE   metadata file (default: $FLAGGEMS_EXP_METADATA, else the
                    project's src/experimental/generated/_metadata.json);
                    commands that write create it when it is absent
  --format F        table, json or md (default: table on a terminal, json
                    otherwise; report also takes html)
  -h, --help        help for flag-gems-exp or the subcommand
Exit status: 0 success, 1 a check failed, 2 bad usage.
