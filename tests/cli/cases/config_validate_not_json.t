cmd: flag-gems-exp config validate --format table $FIXTURES/config_not_json.json
exit: 1
stdout: none
stderr-lines: 1
stderr: config JSON line 2 column 16
---
