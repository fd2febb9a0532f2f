# -o writes the file atomically (no temporary left) and prints nothing
run: flag-gems-exp import-flaggems --metadata m.json --inventory $FIXTURES/inventory.yaml --bench $FIXTURES/bench_hopper.json --bench $FIXTURES/bench_metax.json
cmd: flag-gems-exp report --format json -o r.json --metadata m.json && sed -E -e 's/"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"/"<any>"/' -e 's/"last_updated": "[^"]*"/"last_updated": "<any>"/' r.json
stdout: json
after: test -z "$(ls -A | grep -v -e '^m.json' -e '^r.json$' -e '^[.]std')"
---
{
  "kernels": [
    {
      "category": "pointwise",
      "code_location": {
        "commit_hash": null,
        "file_path": "conf/operators.yaml",
        "line_end": 15,
        "line_start": 4
      },
      "generation_info": {
        "generation_config": {
          "flaggems_id": "abs",
          "for": ["abs"],
          "kind": ["Math"],
          "labels": ["aten", "pointwise"],
          "source": "FlagGems conf/operators.yaml"
        },
        "generation_date": null,
        "generator_tool": null,
        "generator_version": null,
        "source_template": null
      },
      "graduation": {
        "blocking_issues": 0,
        "checks": [
          {
            "details": "in_experimental_since v1.0 is later than the current version 0.1.0",
            "name": "stable_period",
            "passed": false,
            "score": 0.0,
            "weight": 0.2
          },
          {
            "details": "passed: 36 test cases over 0 distinct shape(s) in 0 dtype(s), last run 2026-05-09T00:00:00Z; 20 shapes required",
            "name": "accuracy",
            "passed": false,
            "score": 0.0,
            "weight": 0.3
          },
          {
            "details": "4 of 6 baselines at or above 0.80x; speedup geomean 0.826x, min 0.659x, max 0.973x",
            "name": "performance",
            "passed": false,
            "score": 0.6666666666666666,
            "weight": 0.25
          },
          {
            "details": "2 platform(s) tested (nvidia, metax); 2 required",
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
        "score": 0.31666666666666665,
        "summary": "not eligible: accuracy failed (blocks graduation whatever the score): passed: 36 test cases over 0 distinct shape(s) in 0 dtype(s), last run 2026-05-09T00:00:00Z; 20 shapes required"
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
        "in_experimental_since": "v1.0"
      },
      "hardware_support": {
        "optimal_devices": [],
        "shape_constraints": {},
        "tested_devices": ["NVIDIA-Hopper", "MetaX"]
      },
      "kernel_id": "abs.triton.flaggems",
      "op_id": "<any>",
      "op_name": "abs",
      "speedup": {
        "baselines": 6,
        "geomean": 0.8256854547872836,
        "max": 0.973,
        "min": 0.659
      },
      "status": "STABLE",
      "validation_info": {
        "accuracy_tests": {
          "coverage": {},
          "last_run": "2026-05-09T00:00:00Z",
          "passed": true,
          "test_cases": 36
        },
        "performance_tests": {
          "baselines": [
            {
              "device": "NVIDIA-Hopper",
              "dtype": "float16",
              "memory_overhead": 0.0,
              "reference_impl": "torch",
              "shape": [],
              "speedup": 0.659,
              "timestamp": "2026-05-09T00:00:00Z"
            },
            {
              "device": "NVIDIA-Hopper",
              "dtype": "float32",
              "memory_overhead": 0.0,
              "reference_impl": "torch",
              "shape": [],
              "speedup": 0.821,
              "timestamp": "2026-05-09T00:00:00Z"
            },
            {
              "device": "NVIDIA-Hopper",
              "dtype": "bfloat16",
              "memory_overhead": 0.0,
              "reference_impl": "torch",
              "shape": [],
              "speedup": 0.66,
              "timestamp": "2026-05-09T00:00:00Z"
            },
            {
              "device": "MetaX",
              "dtype": "float16",
              "memory_overhead": 0.0,
              "reference_impl": "torch",
              "shape": [],
              "speedup": 0.973,
              "timestamp": "2026-05-08T18:13:08Z"
            },
            {
              "device": "MetaX",
              "dtype": "float32",
              "memory_overhead": 0.0,
              "reference_impl": "torch",
              "shape": [],
              "speedup": 0.952,
              "timestamp": "2026-05-08T18:13:08Z"
            },
            {
              "device": "MetaX",
              "dtype": "bfloat16",
              "memory_overhead": 0.0,
              "reference_impl": "torch",
              "shape": [],
              "speedup": 0.958,
              "timestamp": "2026-05-08T18:13:08Z"
            }
          ],
          "last_run": "2026-05-09T00:00:00Z"
        }
      }
    },
    {
      "category": "blas",
      "code_location": {
        "commit_hash": null,
        "file_path": "conf/operators.yaml",
        "line_end": 38,
        "line_start": 27
      },
      "generation_info": {
        "generation_config": {
          "flaggems_id": "addmv",
          "for": ["addmv"],
          "kind": ["BLAS"],
          "labels": ["aten", "KernelGen"],
          "source": "FlagGems conf/operators.yaml"
        },
        "generation_date": null,
        "generator_tool": "KernelGen",
        "generator_version": null,
        "source_template": null
      },
      "graduation": {
        "blocking_issues": 0,
        "checks": [
          {
            "details": "in_experimental_since v5.4 is later than the current version 0.1.0",
            "name": "stable_period",
            "passed": false,
            "score": 0.0,
            "weight": 0.2
          },
          {
            "details": "the last accuracy run (2026-05-09T00:00:00Z) failed",
            "name": "accuracy",
            "passed": false,
            "score": 0.0,
            "weight": 0.3
          },
          {
            "details": "1 of 1 baselines at or above 0.80x; speedup geomean 2.000x, min 2.000x, max 2.000x",
            "name": "performance",
            "passed": true,
            "score": 1.0,
            "weight": 0.25
          },
          {
            "details": "0 platform(s) tested (none); 2 required",
            "name": "multi_hardware",
            "passed": false,
            "score": 0.0,
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
        "score": 0.25,
        "summary": "not eligible: accuracy failed (blocks graduation whatever the score): the last accuracy run (2026-05-09T00:00:00Z) failed"
      },
      "graduation_tracking": {
        "blocking_issues": [],
        "checklist": {
          "accuracy_passed": false,
          "code_review_approved": false,
          "documentation_complete": false,
          "multi_hardware_validated": false,
          "performance_passed": false,
          "stable_period_met": false
        },
        "eligible": false,
        "in_experimental_since": "v5.4"
      },
      "hardware_support": {
        "optimal_devices": [],
        "shape_constraints": {},
        "tested_devices": []
      },
      "kernel_id": "addmv.triton.gen",
      "op_id": "<any>",
      "op_name": "addmv",
      "speedup": {
        "baselines": 1,
        "geomean": 2.0,
        "max": 2.0,
        "min": 2.0
      },
      "status": "EXPERIMENTAL",
      "validation_info": {
        "accuracy_tests": {
          "coverage": {},
          "last_run": "2026-05-09T00:00:00Z",
          "passed": false,
          "test_cases": 12
        },
        "performance_tests": {
          "baselines": [
            {
              "device": "NVIDIA-Hopper",
              "dtype": "float16",
              "memory_overhead": 0.0,
              "reference_impl": "torch",
              "shape": [],
              "speedup": 2.0,
              "timestamp": "2026-05-09T00:00:00Z"
            }
          ],
          "last_run": "2026-05-09T00:00:00Z"
        }
      }
    },
    {
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
          "for": ["amax"],
          "kind": ["LinearAlg"],
          "labels": ["aten", "Reduction"],
          "source": "FlagGems conf/operators.yaml"
        },
        "generation_date": null,
        "generator_tool": null,
        "generator_version": null,
        "source_template": null
      },
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
        "score": 0.325,
        "summary": "not eligible: accuracy failed (blocks graduation whatever the score): passed: 30 test cases over 0 distinct shape(s) in 0 dtype(s), last run 2026-05-09T00:00:00Z; 20 shapes required"
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
        "tested_devices": ["NVIDIA-Hopper"]
      },
      "kernel_id": "amax.triton.flaggems",
      "op_id": "<any>",
      "op_name": "amax",
      "speedup": {
        "baselines": 2,
        "geomean": 1.3693063937629153,
        "max": 1.5,
        "min": 1.25
      },
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
    },
    {
      "category": "custom",
      "code_location": {
        "commit_hash": null,
        "file_path": "conf/operators.yaml",
        "line_end": 50,
        "line_start": 38
      },
      "generation_info": {
        "generation_config": {
          "flaggems_id": "_weight_norm",
          "for": ["_weight_norm"],
          "kind": ["NeuralNetwork"],
          "labels": ["aten", "KernelGen"],
          "source": "FlagGems conf/operators.yaml"
        },
        "generation_date": null,
        "generator_tool": "KernelGen",
        "generator_version": null,
        "source_template": null
      },
      "graduation": {
        "blocking_issues": 0,
        "checks": [
          {
            "details": "in_experimental_since v5.2 is later than the current version 0.1.0",
            "name": "stable_period",
            "passed": false,
            "score": 0.0,
            "weight": 0.2
          },
          {
            "details": "accuracy tests never ran",
            "name": "accuracy",
            "passed": false,
            "score": 0.0,
            "weight": 0.3
          },
          {
            "details": "no performance baselines recorded",
            "name": "performance",
            "passed": false,
            "score": 0.0,
            "weight": 0.25
          },
          {
            "details": "0 platform(s) tested (none); 2 required",
            "name": "multi_hardware",
            "passed": false,
            "score": 0.0,
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
        "score": 0.0,
        "summary": "not eligible: accuracy failed (blocks graduation whatever the score): accuracy tests never ran"
      },
      "graduation_tracking": {
        "blocking_issues": [],
        "checklist": {
          "accuracy_passed": false,
          "code_review_approved": false,
          "documentation_complete": false,
          "multi_hardware_validated": false,
          "performance_passed": false,
          "stable_period_met": false
        },
        "eligible": false,
        "in_experimental_since": "v5.2"
      },
      "hardware_support": {
        "optimal_devices": [],
        "shape_constraints": {},
        "tested_devices": []
      },
      "kernel_id": "aten_weight_norm.triton.gen",
      "op_id": "<any>",
      "op_name": "aten_weight_norm",
      "speedup": {
        "baselines": 0,
        "geomean": null,
        "max": null,
        "min": null
      },
      "status": "EXPERIMENTAL",
      "validation_info": {
        "accuracy_tests": {
          "coverage": {},
          "last_run": null,
          "passed": false,
          "test_cases": 0
        },
        "performance_tests": {
          "baselines": [],
          "last_run": null
        }
      }
    },
    {
      "category": "custom",
      "code_location": {
        "commit_hash": null,
        "file_path": "conf/operators.yaml",
        "line_end": 62,
        "line_start": 50
      },
      "generation_info": {
        "generation_config": {
          "flaggems_id": "contiguous",
          "for": ["contiguous"],
          "kind": ["Tensor"],
          "labels": ["aten"],
          "source": "FlagGems conf/operators.yaml"
        },
        "generation_date": null,
        "generator_tool": null,
        "generator_version": null,
        "source_template": null
      },
      "graduation": {
        "blocking_issues": 0,
        "checks": [
          {
            "details": "in_experimental_since v2.2 is later than the current version 0.1.0",
            "name": "stable_period",
            "passed": false,
            "score": 0.0,
            "weight": 0.2
          },
          {
            "details": "accuracy tests never ran",
            "name": "accuracy",
            "passed": false,
            "score": 0.0,
            "weight": 0.3
          },
          {
            "details": "no performance baselines recorded",
            "name": "performance",
            "passed": false,
            "score": 0.0,
            "weight": 0.25
          },
          {
            "details": "0 platform(s) tested (none); 2 required",
            "name": "multi_hardware",
            "passed": false,
            "score": 0.0,
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
        "score": 0.0,
        "summary": "not eligible: accuracy failed (blocks graduation whatever the score): accuracy tests never ran"
      },
      "graduation_tracking": {
        "blocking_issues": [],
        "checklist": {
          "accuracy_passed": false,
          "code_review_approved": false,
          "documentation_complete": false,
          "multi_hardware_validated": false,
          "performance_passed": false,
          "stable_period_met": false
        },
        "eligible": false,
        "in_experimental_since": "v2.2"
      },
      "hardware_support": {
        "optimal_devices": [],
        "shape_constraints": {},
        "tested_devices": []
      },
      "kernel_id": "contiguous.triton.flaggems",
      "op_id": "<any>",
      "op_name": "contiguous",
      "speedup": {
        "baselines": 0,
        "geomean": null,
        "max": null,
        "min": null
      },
      "status": "DEPRECATED",
      "validation_info": {
        "accuracy_tests": {
          "coverage": {},
          "last_run": null,
          "passed": false,
          "test_cases": 0
        },
        "performance_tests": {
          "baselines": [],
          "last_run": null
        }
      }
    },
    {
      "category": "custom",
      "code_location": {
        "commit_hash": null,
        "file_path": "conf/operators.yaml",
        "line_end": 73,
        "line_start": 62
      },
      "generation_info": {
        "generation_config": {
          "flaggems_id": "instance_norm",
          "for": ["instance_norm"],
          "kind": ["NeuralNetwork"],
          "labels": ["fused"],
          "source": "FlagGems conf/operators.yaml"
        },
        "generation_date": null,
        "generator_tool": null,
        "generator_version": null,
        "source_template": null
      },
      "graduation": {
        "blocking_issues": 0,
        "checks": [
          {
            "details": "in_experimental_since v2.2 is later than the current version 0.1.0",
            "name": "stable_period",
            "passed": false,
            "score": 0.0,
            "weight": 0.2
          },
          {
            "details": "accuracy tests never ran",
            "name": "accuracy",
            "passed": false,
            "score": 0.0,
            "weight": 0.3
          },
          {
            "details": "no performance baselines recorded",
            "name": "performance",
            "passed": false,
            "score": 0.0,
            "weight": 0.25
          },
          {
            "details": "0 platform(s) tested (none); 2 required",
            "name": "multi_hardware",
            "passed": false,
            "score": 0.0,
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
        "score": 0.0,
        "summary": "not eligible: accuracy failed (blocks graduation whatever the score): accuracy tests never ran"
      },
      "graduation_tracking": {
        "blocking_issues": [],
        "checklist": {
          "accuracy_passed": false,
          "code_review_approved": false,
          "documentation_complete": false,
          "multi_hardware_validated": false,
          "performance_passed": false,
          "stable_period_met": false
        },
        "eligible": false,
        "in_experimental_since": "v2.2"
      },
      "hardware_support": {
        "optimal_devices": [],
        "shape_constraints": {},
        "tested_devices": []
      },
      "kernel_id": "instance_norm.triton.flaggems",
      "op_id": "<any>",
      "op_name": "instance_norm",
      "speedup": {
        "baselines": 0,
        "geomean": null,
        "max": null,
        "min": null
      },
      "status": "VALIDATED",
      "validation_info": {
        "accuracy_tests": {
          "coverage": {},
          "last_run": null,
          "passed": false,
          "test_cases": 0
        },
        "performance_tests": {
          "baselines": [],
          "last_run": null
        }
      }
    }
  ],
  "last_updated": "<any>",
  "version": "1.0"
}
