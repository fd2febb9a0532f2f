# list as JSON (the default in a pipe), global options before the subcommand
run: flag-gems-exp import-flaggems --metadata m.json --inventory $FIXTURES/inventory.yaml --bench $FIXTURES/bench_hopper.json --bench $FIXTURES/bench_metax.json
cmd: flag-gems-exp --metadata=m.json list
stdout: json
---
{
  "count": 6,
  "kernels": [
    {
      "accuracy_passed": true,
      "baselines": 6,
      "category": "pointwise",
      "device": "triton",
      "eligible": false,
      "group": "",
      "kernel_id": "abs.triton.flaggems",
      "op_name": "abs",
      "speedup_max": 0.973,
      "speedup_min": 0.659,
      "status": "STABLE",
      "test_cases": 36
    },
    {
      "accuracy_passed": false,
      "baselines": 1,
      "category": "blas",
      "device": "triton",
      "eligible": false,
      "group": "generated",
      "kernel_id": "addmv.triton.gen",
      "op_name": "addmv",
      "speedup_max": 2.0,
      "speedup_min": 2.0,
      "status": "EXPERIMENTAL",
      "test_cases": 12
    },
    {
      "accuracy_passed": true,
      "baselines": 2,
      "category": "reduction",
      "device": "triton",
      "eligible": false,
      "group": "",
      "kernel_id": "amax.triton.flaggems",
      "op_name": "amax",
      "speedup_max": 1.5,
      "speedup_min": 1.25,
      "status": "VALIDATED",
      "test_cases": 30
    },
    {
      "accuracy_passed": false,
      "baselines": 0,
      "category": "custom",
      "device": "triton",
      "eligible": false,
      "group": "generated",
      "kernel_id": "aten_weight_norm.triton.gen",
      "op_name": "aten_weight_norm",
      "speedup_max": null,
      "speedup_min": null,
      "status": "EXPERIMENTAL",
      "test_cases": 0
    },
    {
      "accuracy_passed": false,
      "baselines": 0,
      "category": "custom",
      "device": "triton",
      "eligible": false,
      "group": "",
      "kernel_id": "contiguous.triton.flaggems",
      "op_name": "contiguous",
      "speedup_max": null,
      "speedup_min": null,
      "status": "DEPRECATED",
      "test_cases": 0
    },
    {
      "accuracy_passed": false,
      "baselines": 0,
      "category": "custom",
      "device": "triton",
      "eligible": false,
      "group": "",
      "kernel_id": "instance_norm.triton.flaggems",
      "op_name": "instance_norm",
      "speedup_max": null,
      "speedup_min": null,
      "status": "VALIDATED",
      "test_cases": 0
    }
  ]
}
