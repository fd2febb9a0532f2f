# every unusable entry is reported with its index and id (stderr and JSON);
# the good ones are imported
cmd: flag-gems-exp import-flaggems --metadata m.json --inventory $FIXTURES/inventory_bad.yaml --format json
stdout: json
stderr: inventory_bad.yaml: entry 1 (id ?, line 8): expected a mapping; not imported
stderr: inventory_bad.yaml: entry 3 (id relu, line 13): duplicate of entry 0 (same kernel id relu.triton.flaggems); not imported
stderr: inventory_bad.yaml: entry 7 (id sigmoid, line 29): no 'stages': its lifecycle stage is unknown; not imported
---
{
  "dry_run": false,
  "inventory": {
    "entries": 10,
    "file": "${FIXTURES}/inventory_bad.yaml",
    "imported": 2,
    "new": 2,
    "updated": 0
  },
  "metadata": "m.json",
  "platforms": [],
  "problems": [
    {
      "file": "${FIXTURES}/inventory_bad.yaml",
      "id": "",
      "imported": false,
      "index": 1,
      "line": 8,
      "message": "expected a mapping"
    },
    {
      "file": "${FIXTURES}/inventory_bad.yaml",
      "id": "",
      "imported": false,
      "index": 2,
      "line": 9,
      "message": "no 'id'"
    },
    {
      "file": "${FIXTURES}/inventory_bad.yaml",
      "id": "relu",
      "imported": false,
      "index": 3,
      "line": 13,
      "message": "duplicate of entry 0 (same kernel id relu.triton.flaggems)"
    },
    {
      "file": "${FIXTURES}/inventory_bad.yaml",
      "id": "Gelu",
      "imported": false,
      "index": 4,
      "line": 17,
      "message": "id is not an op name ([a-z_][a-z0-9_]*, at most 63 bytes)"
    },
    {
      "file": "${FIXTURES}/inventory_bad.yaml",
      "id": "silu",
      "imported": false,
      "index": 5,
      "line": 24,
      "message": "unknown stage 'gamma' (expected alpha, beta, stable or removed)"
    },
    {
      "file": "${FIXTURES}/inventory_bad.yaml",
      "id": "tanh",
      "imported": false,
      "index": 6,
      "line": 28,
      "message": "stage alpha: 'five' is not a version like '5.4'"
    },
    {
      "file": "${FIXTURES}/inventory_bad.yaml",
      "id": "sigmoid",
      "imported": false,
      "index": 7,
      "line": 29,
      "message": "no 'stages': its lifecycle stage is unknown"
    },
    {
      "file": "${FIXTURES}/inventory_bad.yaml",
      "id": "exp",
      "imported": false,
      "index": 8,
      "line": 31,
      "message": "'labels' must be a list of strings"
    },
    {
      "file": "${FIXTURES}/inventory_bad.yaml",
      "id": "cumsum",
      "imported": true,
      "index": 9,
      "line": 36,
      "message": "unknown key 'destination' ignored"
    }
  ],
  "results_not_imported": 0,
  "statuses": {
    "DEPRECATED": 0,
    "EXPERIMENTAL": 1,
    "GRADUATED": 0,
    "GRADUATION_CANDIDATE": 0,
    "STABLE": 1,
    "VALIDATED": 0
  }
}
