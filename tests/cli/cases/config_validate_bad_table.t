cmd: flag-gems-exp config validate $FIXTURES/config_bad.json --format table
exit: 1
stdout: none
stderr-lines: 1
stderr: dispatch_strategy: "fastest" is not allowed; expected "safe", "aggressive" or "off"
---
