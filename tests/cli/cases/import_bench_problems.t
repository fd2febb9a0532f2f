# malformed benchmark results are reported with their index and id
cmd: flag-gems-exp import-flaggems --metadata m.json --inventory $FIXTURES/inventory.yaml --bench $FIXTURES/bench_bad.json --format json
stdout: json
stderr: bench_bad.json: operators[0] (id abs): 'fp16' must be a positive speedup or null; not imported
stderr: bench_bad.json: operators[1] (id amax): accuracy 'Maybe' is not Passed, Failed, Error, NotFound, Skipped or Timeout; not imported
stderr: bench_bad.json: operators[2] (id ?): expected an object with a string 'id'; not imported
stderr: bench_bad.json: operators[3] (id addmv): 'fp16' must be a positive speedup or null; not imported
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
      "accuracy_passed": 0,
      "baselines": 0,
      "device": "Hygon",
      "file": "${FIXTURES}/bench_bad.json",
      "matched": 0,
      "platform": "hygon",
      "results": 4,
      "timestamp": "2026-05-08T20:30:47Z"
    }
  ],
  "problems": [
    {
      "file": "${FIXTURES}/bench_bad.json",
      "id": "abs",
      "imported": false,
      "index": 0,
      "line": 0,
      "message": "'fp16' must be a positive speedup or null"
    },
    {
      "file": "${FIXTURES}/bench_bad.json",
      "id": "amax",
      "imported": false,
      "index": 1,
      "line": 0,
      "message": "accuracy 'Maybe' is not Passed, Failed, Error, NotFound, Skipped or Timeout"
    },
    {
      "file": "${FIXTURES}/bench_bad.json",
      "id": "",
      "imported": false,
      "index": 2,
      "line": 0,
      "message": "expected an object with a string 'id'"
    },
    {
      "file": "${FIXTURES}/bench_bad.json",
      "id": "addmv",
      "imported": false,
      "index": 3,
      "line": 0,
      "message": "'fp16' must be a positive speedup or null"
    }
  ],
  "results_not_imported": 4,
  "statuses": {
    "DEPRECATED": 1,
    "EXPERIMENTAL": 2,
    "GRADUATED": 0,
    "GRADUATION_CANDIDATE": 0,
    "STABLE": 1,
    "VALIDATED": 2
  }
}
