# "help <command>", "--help <command>" and "<command> --help" print the same text
cmd: flag-gems-exp help info
stdout: contains
after: flag-gems-exp help info > a && flag-gems-exp --help info > b && flag-gems-exp info -h > c && cmp a b && cmp a c
---
usage: flag-gems-exp info <op|kernel>
Shows the metadata of a kernel (by kernel id or op_id), or of every kernel of
Global options (before or after the subcommand):
