# Import of a small inventory with two platform files: statuses from the last
# stage, an unknown benchmark id reported with its index, the summary as JSON.
cmd: flag-gems-exp import-flaggems --metadata m.json --inventory $FIXTURES/inventory.yaml --bench $FIXTURES/bench_hopper.json --bench $FIXTURES/bench_metax.json --format json
stdout: json
stderr: bench_hopper.json: operators[3] (id baddbmm.out): no inventory entry has this id; not imported
after: test -s m.json
---
{
  "dry_run": false,
  "inventory": {
    "entries": 6,
    "file": "${FIXTURES}/inventory.yaml",
    "imported": 6,
    "new": 6,
    "updated": 0
  },
  "metadata": "m.json",
  "platforms": [
    {
      "accuracy_passed": 2,
      "baselines": 6,
      "device": "NVIDIA-Hopper",
      "file": "${FIXTURES}/bench_hopper.json",
      "matched": 3,
      "platform": "hopper",
      "results": 4,
      "timestamp": "2026-05-09T00:00:00Z"
    },
    {
      "accuracy_passed": 1,
      "baselines": 3,
      "device": "MetaX",
      "file": "${FIXTURES}/bench_metax.json",
      "matched": 2,
      "platform": "metax",
      "results": 2,
      "timestamp": "2026-05-08T18:13:08Z"
    }
  ],
  "problems": [
    {
      "file": "${FIXTURES}/bench_hopper.json",
      "id": "baddbmm.out",
      "imported": false,
      "index": 3,
      "line": 0,
      "message": "no inventory entry has this id"
    }
  ],
  "results_not_imported": 1,
  "statuses": {
    "DEPRECATED": 1,
    "EXPERIMENTAL": 2,
    "GRADUATED": 0,
    "GRADUATION_CANDIDATE": 0,
    "STABLE": 1,
    "VALIDATED": 2
  }
}
