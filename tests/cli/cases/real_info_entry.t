# one real entry end to end: beta 4.1 then stable 5.3, results on four platforms
requires: data
run: flag-gems-exp import-flaggems --metadata m.json --inventory $DATA/operators.yaml --bench $DATA/bench_hopper.json --bench $DATA/bench_metax.json --bench $DATA/bench_iluvatar.json --bench $DATA/bench_hygon.json > /dev/null 2>&1
cmd: flag-gems-exp info to_copy.triton.flaggems --metadata m.json --format json | sed -E 's/"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"/"<any>"/'
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
            "details": "passed: 356 test cases over 0 distinct shape(s) in 0 dtype(s), last run 2026-05-09T00:00:00Z; 20 shapes required",
            "name": "accuracy",
            "passed": false,
            "score": 0.0,
            "weight": 0.3
          },
          {
            "details": "6 of 8 baselines at or above 0.80x; speedup geomean 0.922x, min 0.753x, max 1.118x",
            "name": "performance",
            "passed": false,
            "score": 0.75,
            "weight": 0.25
          },
          {
            "details": "4 platform(s) tested (nvidia, metax, iluvatar, hygon); 2 required",
            "name": "multi_hardware",
            "passed": true,
            "score": 1.0,
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
        "kernel_id": "to_copy.triton.flaggems",
        "score": 0.3375,
        "status": "STABLE",
        "summary": "not eligible: accuracy failed (blocks graduation whatever the score): passed: 356 test cases over 0 distinct shape(s) in 0 dtype(s), last run 2026-05-09T00:00:00Z; 20 shapes required"
      },
      "kernel_id": "to_copy.triton.flaggems",
      "metadata": {
        "category": "pointwise",
        "code_location": {
          "commit_hash": null,
          "file_path": "conf/operators.yaml",
          "line_end": 11880,
          "line_start": 11864
        },
        "generation_info": {
          "generation_config": {
            "flaggems_id": "to_copy",
            "for": [
              "_to_copy"
            ],
            "kind": [
              "Tensor"
            ],
            "labels": [
              "aten",
              "pointwise",
              "skip_precision_check"
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
            "NVIDIA-Hopper",
            "MetaX",
            "Iluvatar",
            "Hygon"
          ]
        },
        "op_id": "<any>",
        "op_name": "to_copy",
        "status": "STABLE",
        "validation_info": {
          "accuracy_tests": {
            "coverage": {},
            "last_run": "2026-05-09T00:00:00Z",
            "passed": true,
            "test_cases": 356
          },
          "performance_tests": {
            "baselines": [
              {
                "device": "NVIDIA-Hopper",
                "dtype": "float16",
                "memory_overhead": 0.0,
                "reference_impl": "torch",
                "shape": [],
                "speedup": 0.756,
                "timestamp": "2026-05-09T00:00:00Z"
              },
              {
                "device": "NVIDIA-Hopper",
                "dtype": "bfloat16",
                "memory_overhead": 0.0,
                "reference_impl": "torch",
                "shape": [],
                "speedup": 0.753,
                "timestamp": "2026-05-09T00:00:00Z"
              },
              {
                "device": "MetaX",
                "dtype": "float16",
                "memory_overhead": 0.0,
                "reference_impl": "torch",
                "shape": [],
                "speedup": 1.008,
                "timestamp": "2026-05-08T18:13:08Z"
              },
              {
                "device": "MetaX",
                "dtype": "bfloat16",
                "memory_overhead": 0.0,
                "reference_impl": "torch",
                "shape": [],
                "speedup": 1.017,
                "timestamp": "2026-05-08T18:13:08Z"
              },
              {
                "device": "Iluvatar",
                "dtype": "float16",
                "memory_overhead": 0.0,
                "reference_impl": "torch",
                "shape": [],
                "speedup": 1.118,
                "timestamp": "2026-05-04T07:21:40Z"
              },
              {
                "device": "Iluvatar",
                "dtype": "bfloat16",
                "memory_overhead": 0.0,
                "reference_impl": "torch",
                "shape": [],
                "speedup": 1.113,
                "timestamp": "2026-05-04T07:21:40Z"
              },
              {
                "device": "Hygon",
                "dtype": "float16",
                "memory_overhead": 0.0,
                "reference_impl": "torch",
                "shape": [],
                "speedup": 0.861,
                "timestamp": "2026-05-08T20:30:47Z"
              },
              {
                "device": "Hygon",
                "dtype": "bfloat16",
                "memory_overhead": 0.0,
                "reference_impl": "torch",
                "shape": [],
                "speedup": 0.832,
                "timestamp": "2026-05-08T20:30:47Z"
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
