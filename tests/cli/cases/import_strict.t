# --strict: any problem fails the command and nothing is written
cmd: flag-gems-exp import-flaggems --strict --metadata m.json --inventory $FIXTURES/inventory_bad.yaml --format table
exit: 1
stdout: none
stderr: flag-gems-exp import-flaggems: 9 problems (--strict): nothing written (hint: fix the entries above or drop --strict)
after: test ! -e m.json
---
