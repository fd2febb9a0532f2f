# a subcommand's option before the subcommand is refused with a hint
cmd: flag-gems-exp --status STABLE list
exit: 2
stdout: none
stderr: unknown option '--status' (hint: options of a command go after its name
stderr-lines: 1
---
