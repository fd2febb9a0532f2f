# --help lists every command and the global options, exit 0
cmd: flag-gems-exp --help
stdout: contains
---
usage: flag-gems-exp [--metadata FILE] [--format table|json|md] <command> [options]
  list                 list the kernels of the metadata file
  info                 show one kernel, or every kernel of an op
  report               write the metadata report (md, json or html)
  config               show the runtime configuration, or check a config file
  import-flaggems      import FlagGems' operator inventory and benchmark results
  --metadata FILE   metadata file (default: $FLAGGEMS_EXP_METADATA, else the
  --format F        table, json or md (default: table on a terminal, json
Exit status: 0 success, 1 a check failed, 2 bad usage.
