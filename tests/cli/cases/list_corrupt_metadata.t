# a corrupt metadata file without a backup: exit 1, file left alone
run: printf '{"version": "1.0", "ops": {' > bad.json
cmd: flag-gems-exp list --metadata bad.json
exit: 1
stdout: none
stderr: flag-gems-exp list: cannot open the metadata: FG_ERR_PARSE
stderr-lines: 1
after: test "$(cat bad.json)" = '{"version": "1.0", "ops": {'
---
