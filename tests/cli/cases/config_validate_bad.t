# an illegal value: exit 1, the key, the value and what is allowed
cmd: flag-gems-exp config validate $FIXTURES/config_bad.json
exit: 1
stdout: json
---
{
  "error": "<any>",
  "file": "${FIXTURES}/config_bad.json",
  "valid": false
}
