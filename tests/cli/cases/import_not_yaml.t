cmd: flag-gems-exp import-flaggems --metadata m.json --inventory $FIXTURES/not_yaml.yaml
exit: 2
stdout: none
stderr-lines: 1
stderr: not_yaml.yaml: line 4, column 7: did not find expected ',' or ']' (hint: the inventory must be valid YAML)
after: test ! -e m.json
---
