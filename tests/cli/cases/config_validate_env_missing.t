cmd: flag-gems-exp config validate
exit: 2
stdout: none
stderr: flag-gems-exp config: no configuration file given and FLAGGEMS_EXP_CONFIG is not set (hint: name a file: flag-gems-exp config validate FILE)
stderr-lines: 1
---
