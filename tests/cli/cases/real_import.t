# FlagGems' real inventory (1052 entries) and the four platform files
requires: data
cmd: flag-gems-exp import-flaggems --metadata m.json --inventory $DATA/operators.yaml --bench $DATA/bench_hopper.json --bench $DATA/bench_metax.json --bench $DATA/bench_iluvatar.json --bench $DATA/bench_hygon.json --format json
stdout: json
stderr: operators.yaml: entry 521 (id linalg_lstsq, line 6280): no 'stages': its lifecycle stage is unknown; not imported
stderr: bench_hygon.json: operators[55] (id baddbmm.out): no inventory entry has this id; not imported
---
{
  "dry_run": false,
  "inventory": {
    "entries": 1052,
    "file": "${DATA}/operators.yaml",
    "imported": 1047,
    "new": 1047,
    "updated": 0
  },
  "metadata": "m.json",
  "platforms": [
    {
      "accuracy_passed": 413,
      "baselines": 889,
      "device": "NVIDIA-Hopper",
      "file": "${DATA}/bench_hopper.json",
      "matched": 498,
      "platform": "hopper",
      "results": 506,
      "timestamp": "2026-05-09T00:00:00Z"
    },
    {
      "accuracy_passed": 363,
      "baselines": 798,
      "device": "MetaX",
      "file": "${DATA}/bench_metax.json",
      "matched": 498,
      "platform": "metax",
      "results": 506,
      "timestamp": "2026-05-08T18:13:08Z"
    },
    {
      "accuracy_passed": 397,
      "baselines": 877,
      "device": "Iluvatar",
      "file": "${DATA}/bench_iluvatar.json",
      "matched": 498,
      "platform": "iluvatar",
      "results": 506,
      "timestamp": "2026-05-04T07:21:40Z"
    },
    {
      "accuracy_passed": 388,
      "baselines": 846,
      "device": "Hygon",
      "file": "${DATA}/bench_hygon.json",
      "matched": 498,
      "platform": "hygon",
      "results": 506,
      "timestamp": "2026-05-08T20:30:47Z"
    }
  ],
  "problems": [
    {
      "file": "${DATA}/operators.yaml",
      "id": "cumsum",
      "imported": true,
      "index": 238,
      "line": 2894,
      "message": "unknown key 'destination' ignored"
    },
    {
      "file": "${DATA}/operators.yaml",
      "id": "cumsum_out",
      "imported": true,
      "index": 240,
      "line": 2915,
      "message": "unknown key 'destination' ignored"
    },
    {
      "file": "${DATA}/operators.yaml",
      "id": "linalg_lstsq",
      "imported": false,
      "index": 521,
      "line": 6280,
      "message": "no 'stages': its lifecycle stage is unknown"
    },
    {
      "file": "${DATA}/operators.yaml",
      "id": "linalg_lu_factor_out",
      "imported": false,
      "index": 523,
      "line": 6302,
      "message": "no 'stages': its lifecycle stage is unknown"
    },
    {
      "file": "${DATA}/operators.yaml",
      "id": "list_to_tensor",
      "imported": false,
      "index": 541,
      "line": 6518,
      "message": "no 'stages': its lifecycle stage is unknown"
    },
    {
      "file": "${DATA}/operators.yaml",
      "id": "sparse_semi_structured_mm",
      "imported": false,
      "index": 892,
      "line": 10795,
      "message": "no 'stages': its lifecycle stage is unknown"
    },
    {
      "file": "${DATA}/operators.yaml",
      "id": "special_shifted_chebyshev_polynomial_u_",
      "imported": false,
      "index": 934,
      "line": 11328,
      "message": "no 'stages': its lifecycle stage is unknown"
    },
    {
      "file": "${DATA}/bench_hopper.json",
      "id": "adaptive_avg_pool3d",
      "imported": false,
      "index": 5,
      "line": 0,
      "message": "no inventory entry has this id"
    },
    {
      "file": "${DATA}/bench_hopper.json",
      "id": "adaptive_avg_pool3d_out",
      "imported": false,
      "index": 6,
      "line": 0,
      "message": "no inventory entry has this id"
    },
    {
      "file": "${DATA}/bench_hopper.json",
      "id": "baddbmm.out",
      "imported": false,
      "index": 55,
      "line": 0,
      "message": "no inventory entry has this id"
    },
    {
      "file": "${DATA}/bench_hopper.json",
      "id": "div_scalar_mode",
      "imported": false,
      "index": 127,
      "line": 0,
      "message": "no inventory entry has this id"
    },
    {
      "file": "${DATA}/bench_hopper.json",
      "id": "div_scalar_mode_",
      "imported": false,
      "index": 128,
      "line": 0,
      "message": "no inventory entry has this id"
    },
    {
      "file": "${DATA}/bench_hopper.json",
      "id": "div_tensor_mode",
      "imported": false,
      "index": 131,
      "line": 0,
      "message": "no inventory entry has this id"
    },
    {
      "file": "${DATA}/bench_hopper.json",
      "id": "div_tensor_mode_",
      "imported": false,
      "index": 132,
      "line": 0,
      "message": "no inventory entry has this id"
    },
    {
      "file": "${DATA}/bench_hopper.json",
      "id": "dropout_backward",
      "imported": false,
      "index": 136,
      "line": 0,
      "message": "no inventory entry has this id"
    },
    {
      "file": "${DATA}/bench_metax.json",
      "id": "adaptive_avg_pool3d",
      "imported": false,
      "index": 5,
      "line": 0,
      "message": "no inventory entry has this id"
    },
    {
      "file": "${DATA}/bench_metax.json",
      "id": "adaptive_avg_pool3d_out",
      "imported": false,
      "index": 6,
      "line": 0,
      "message": "no inventory entry has this id"
    },
    {
      "file": "${DATA}/bench_metax.json",
      "id": "baddbmm.out",
      "imported": false,
      "index": 55,
      "line": 0,
      "message": "no inventory entry has this id"
    },
    {
      "file": "${DATA}/bench_metax.json",
      "id": "div_scalar_mode",
      "imported": false,
      "index": 127,
      "line": 0,
      "message": "no inventory entry has this id"
    },
    {
      "file": "${DATA}/bench_metax.json",
      "id": "div_scalar_mode_",
      "imported": false,
      "index": 128,
      "line": 0,
      "message": "no inventory entry has this id"
    },
    {
      "file": "${DATA}/bench_metax.json",
      "id": "div_tensor_mode",
      "imported": false,
      "index": 131,
      "line": 0,
      "message": "no inventory entry has this id"
    },
    {
      "file": "${DATA}/bench_metax.json",
      "id": "div_tensor_mode_",
      "imported": false,
      "index": 132,
      "line": 0,
      "message": "no inventory entry has this id"
    },
    {
      "file": "${DATA}/bench_metax.json",
      "id": "dropout_backward",
      "imported": false,
      "index": 136,
      "line": 0,
      "message": "no inventory entry has this id"
    },
    {
      "file": "${DATA}/bench_iluvatar.json",
      "id": "adaptive_avg_pool3d",
      "imported": false,
      "index": 5,
      "line": 0,
      "message": "no inventory entry has this id"
    },
    {
      "file": "${DATA}/bench_iluvatar.json",
      "id": "adaptive_avg_pool3d_out",
      "imported": false,
      "index": 6,
      "line": 0,
      "message": "no inventory entry has this id"
    },
    {
      "file": "${DATA}/bench_iluvatar.json",
      "id": "baddbmm.out",
      "imported": false,
      "index": 55,
      "line": 0,
      "message": "no inventory entry has this id"
    },
    {
      "file": "${DATA}/bench_iluvatar.json",
      "id": "div_scalar_mode",
      "imported": false,
      "index": 127,
      "line": 0,
      "message": "no inventory entry has this id"
    },
    {
      "file": "${DATA}/bench_iluvatar.json",
      "id": "div_scalar_mode_",
      "imported": false,
      "index": 128,
      "line": 0,
      "message": "no inventory entry has this id"
    },
    {
      "file": "${DATA}/bench_iluvatar.json",
      "id": "div_tensor_mode",
      "imported": false,
      "index": 131,
      "line": 0,
      "message": "no inventory entry has this id"
    },
    {
      "file": "${DATA}/bench_iluvatar.json",
      "id": "div_tensor_mode_",
      "imported": false,
      "index": 132,
      "line": 0,
      "message": "no inventory entry has this id"
    },
    {
      "file": "${DATA}/bench_iluvatar.json",
      "id": "dropout_backward",
      "imported": false,
      "index": 136,
      "line": 0,
      "message": "no inventory entry has this id"
    },
    {
      "file": "${DATA}/bench_hygon.json",
      "id": "adaptive_avg_pool3d",
      "imported": false,
      "index": 5,
      "line": 0,
      "message": "no inventory entry has this id"
    },
    {
      "file": "${DATA}/bench_hygon.json",
      "id": "adaptive_avg_pool3d_out",
      "imported": false,
      "index": 6,
      "line": 0,
      "message": "no inventory entry has this id"
    },
    {
      "file": "${DATA}/bench_hygon.json",
      "id": "baddbmm.out",
      "imported": false,
      "index": 55,
      "line": 0,
      "message": "no inventory entry has this id"
    },
    {
      "file": "${DATA}/bench_hygon.json",
      "id": "div_scalar_mode",
      "imported": false,
      "index": 127,
      "line": 0,
      "message": "no inventory entry has this id"
    },
    {
      "file": "${DATA}/bench_hygon.json",
      "id": "div_scalar_mode_",
      "imported": false,
      "index": 128,
      "line": 0,
      "message": "no inventory entry has this id"
    },
    {
      "file": "${DATA}/bench_hygon.json",
      "id": "div_tensor_mode",
      "imported": false,
      "index": 131,
      "line": 0,
      "message": "no inventory entry has this id"
    },
    {
      "file": "${DATA}/bench_hygon.json",
      "id": "div_tensor_mode_",
      "imported": false,
      "index": 132,
      "line": 0,
      "message": "no inventory entry has this id"
    },
    {
      "file": "${DATA}/bench_hygon.json",
      "id": "dropout_backward",
      "imported": false,
      "index": 136,
      "line": 0,
      "message": "no inventory entry has this id"
    }
  ],
  "results_not_imported": 32,
  "statuses": {
    "DEPRECATED": 2,
    "EXPERIMENTAL": 465,
    "GRADUATED": 0,
    "GRADUATION_CANDIDATE": 0,
    "STABLE": 423,
    "VALIDATED": 157
  }
}
