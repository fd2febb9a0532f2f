# info on a kernel id: the metadata entry, the graduation checklist, and no
# kernels of this build (the op does not exist in libflaggems)
run: flag-gems-exp import-flaggems --metadata m.json --inventory $FIXTURES/inventory.yaml --bench $FIXTURES/bench_hopper.json --bench $FIXTURES/bench_metax.json
cmd: flag-gems-exp info amax.triton.flaggems --metadata m.json --format json
stdout: json
---
{
  "kernels": [
    {
      "graduation": {
        "blocking_issues": 0,
        "checks": [
          {
            "details": "in_experimental_since v4.1 is later than the current version 0.1.0",
            "name": "stable_period",
            "passed": false,
            "score": 0.0,
            "weight": 0.2
          },
          {
            "details": "passed: 30 test cases over 0 distinct shape(s) in 0 dtype(s), last run 2026-05-09T00:00:00Z; 20 shapes required",
            "name": "accuracy",
            "passed": false,
            "score": 0.0,
            "weight": 0.3
          },
          {
            "details": "2 of 2 baselines at or above 0.80x; speedup geomean 1.369x, min 1.250x, max 1.500x",
            "name": "performance",
            "passed": true,
            "score": 1.0,
            "weight": 0.25
          },
          {
            "details": "1 platform(s) tested (nvidia); 2 required",
            "name": "multi_hardware",
            "passed": false,
            "score": 0.5,
            "weight": 0.15
          },
          {
            "details": "code review not recorded, documentation incomplete",
            "name": "code_quality",
            "passed": false,
            "score": 0.0,
            "weight": 0.1
          }
        ],
        "eligible": false,
        "kernel_id": "amax.triton.flaggems",
        "score": 0.325,
        "status": "VALIDATED",
        "summary": "not eligible: accuracy failed (blocks graduation whatever the score): passed: 30 test cases over 0 distinct shape(s) in 0 dtype(s), last run 2026-05-09T00:00:00Z; 20 shapes required"
      },
      "kernel_id": "amax.triton.flaggems",
      "metadata": {
        "category": "reduction",
        "code_location": {
          "commit_hash": null,
          "file_path": "conf/operators.yaml",
          "line_end": 27,
          "line_start": 15
        },
        "generation_info": {
          "generation_config": {
            "flaggems_id": "amax",
            "for": [
              "amax"
            ],
            "kind": [
              "LinearAlg"
            ],
            "labels": [
              "aten",
              "Reduction"
            ],
            "source": "FlagGems conf/operators.yaml"
          },
          "generation_date": null,
          "generator_tool": null,
          "generator_version": null,
          "source_template": null
        },
        "graduation_tracking": {
          "blocking_issues": [],
          "checklist": {
            "accuracy_passed": true,
            "code_review_approved": false,
            "documentation_complete": false,
            "multi_hardware_validated": false,
            "performance_passed": false,
            "stable_period_met": false
          },
          "eligible": false,
          "in_experimental_since": "v4.1"
        },
        "hardware_support": {
          "optimal_devices": [],
          "shape_constraints": {},
          "tested_devices": [
            "NVIDIA-Hopper"
          ]
        },
        "op_id": "<any>",
        "op_name": "amax",
        "status": "VALIDATED",
        "validation_info": {
          "accuracy_tests": {
            "coverage": {},
            "last_run": "2026-05-09T00:00:00Z",
            "passed": true,
            "test_cases": 30
          },
          "performance_tests": {
            "baselines": [
              {
                "device": "NVIDIA-Hopper",
                "dtype": "float16",
                "memory_overhead": 0.0,
                "reference_impl": "torch",
                "shape": [],
                "speedup": 1.25,
                "timestamp": "2026-05-09T00:00:00Z"
              },
              {
                "device": "NVIDIA-Hopper",
                "dtype": "float32",
                "memory_overhead": 0.0,
                "reference_impl": "torch",
                "shape": [],
                "speedup": 1.5,
                "timestamp": "2026-05-09T00:00:00Z"
              }
            ],
            "last_run": "2026-05-09T00:00:00Z"
          }
        }
      }
    }
  ],
  "runtime": []
}
