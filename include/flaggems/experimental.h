/*
 * libflaggems experimental API: the experimental runtime (dispatcher with
 * safe/aggressive/off fallback, performance cache, configuration) and the
 * experimental-only ops. Unstable: names and structs may change between
 * minor versions. Define FG_EXPERIMENTAL_API before including this header to
 * acknowledge that.
 *
 * Experimental kernels are off by default (explicit beats implicit): turn
 * them on with fg_exp_enable() or FLAGGEMS_EXP_ENABLE=generated,custom|all.
 * Every op entry point of <flaggems/flaggems.h> (fg_gelu, fg_softmax, ...)
 * goes through the dispatcher; with experimental kernels disabled it runs
 * the stable kernels, then the reference.
 *
 * Conventions are those of <flaggems/flaggems.h>: fg_status results,
 * fg_last_error() messages, nothing printed unless logging is on (the
 * runtime's own log is described at fg_exp_config.log_level). All functions
 * are thread-safe. Added in 0.1.0 unless marked otherwise.
 */
#ifndef FLAGGEMS_EXPERIMENTAL_H
#define FLAGGEMS_EXPERIMENTAL_H

#ifndef FG_EXPERIMENTAL_API
#error "<flaggems/experimental.h> is unstable API: #define FG_EXPERIMENTAL_API before including it"
#endif

#include <stddef.h>
#include <stdint.h>

#include <flaggems/flaggems.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------- enable */

/* Groups of experimental kernels (bit mask). */
#define FG_EXP_GROUP_GENERATED 1u /* produced by code generators */
#define FG_EXP_GROUP_CUSTOM 2u    /* hand-written */
#define FG_EXP_GROUP_ALL 3u

/* Turns experimental kernels on for exactly `groups` (0 means all, like the
 * seed's groups=None). `fallback` sets fallback_on_error and `warning` sets
 * show_warnings (as API-level config values, see fg_exp_set_config).
 * `overrides` is NULL or a JSON object of config keys applied the same way,
 * e.g. "{\"dispatch_strategy\": \"aggressive\"}"; a key given there wins over
 * `fallback` and `warning`. All or nothing: on
 * FG_ERR_INVALID_ARG / FG_ERR_PARSE (bad groups bits, bad override; the
 * message names the key, the value and what is allowed) nothing changes.
 * Cached dispatch decisions are dropped. */
FG_API fg_status fg_exp_enable(unsigned groups, int fallback, int warning, const char *overrides);
/* Turns every group off: ops run on stable kernels, then the reference. */
FG_API fg_status fg_exp_disable(void);
/* The enabled groups (FG_EXP_GROUP_* bits; 0 when disabled). */
FG_API unsigned fg_exp_enabled_groups(void);

/* ---------------------------------------------------------------- config */

typedef enum fg_exp_strategy {
    /* shape-specialized experimental, general experimental, stable, reference */
    FG_EXP_STRATEGY_SAFE = 0,
    /* shape-specialized experimental, general experimental, reference */
    FG_EXP_STRATEGY_AGGRESSIVE = 1,
    /* experimental only (for ops that have enabled experimental kernels); a
     * failing or refusing kernel's error is returned to the caller */
    FG_EXP_STRATEGY_OFF = 2
} fg_exp_strategy;

/* Python logging levels, as the seed names them. */
typedef enum fg_exp_level {
    FG_EXP_LEVEL_DEBUG = 10,
    FG_EXP_LEVEL_INFO = 20,
    FG_EXP_LEVEL_WARNING = 30,
    FG_EXP_LEVEL_ERROR = 40,
    FG_EXP_LEVEL_CRITICAL = 50
} fg_exp_level;

/* Output validation of experimental kernels (a library addition to the
 * seed's keys; JSON/env key "validate_output"). */
typedef enum fg_exp_validate {
    FG_EXP_VALIDATE_OFF = 0, /* "off": outputs are trusted */
    /* "nan": after an experimental kernel runs on inputs whose elements are
     * all finite, any NaN in its output counts as a failure of that kernel
     * (fallback and quarantine as for an error). In-place calls then run the
     * experimental kernel into a scratch buffer so the fallback still reads
     * the original input. Costs one extra read of inputs and output. */
    FG_EXP_VALIDATE_NAN = 1
} fg_exp_validate;

#define FG_EXP_PATH_MAX 1024

/* The configuration, with the seed's keys and defaults. In JSON, in the
 * config file and in FLAGGEMS_EXP_<KEY> the keys are the field names;
 * enums are the lower-case strings "safe"/"aggressive"/"off" and
 * "off"/"nan", levels "DEBUG"/"INFO"/"WARNING"/"ERROR"/"CRITICAL", booleans
 * true/false (environment: true/false/1/0/yes/no/on/off), log_file a path
 * or null. Sources, later wins: defaults < JSON file named by
 * FLAGGEMS_EXP_CONFIG < environment < API calls. */
typedef struct fg_exp_config {
    fg_exp_strategy dispatch_strategy; /* safe */
    int enable_profiling;              /* true: time candidates on a cache miss */
    int profiling_warmup;              /* 3 untimed runs per candidate, 0..1000 */
    int profiling_repeat;              /* 10 timed runs (median), 1..1000 */
    int fallback_on_error;             /* true: a failing experimental kernel falls to the
                                          next candidate (stable and reference failures
                                          are always returned) */
    int fallback_on_slow;              /* false: see slow_threshold */
    double slow_threshold;             /* 1.2: with fallback_on_slow, an experimental winner
                                          slower than the stable (aggressive: reference)
                                          kernel times this is dropped; 1.0..100 */
    int show_warnings;                 /* true: one message per op on first experimental use */
    fg_exp_level warning_level;        /* INFO: level of those messages (DEBUG/INFO/WARNING) */
    int enable_perf_cache;             /* true: cache decisions (else decide every call,
                                          without profiling) */
    int cache_size;                    /* 1000 entries, 1..1000000 */
    int cache_ttl;                     /* 3600 seconds an entry lives, 1..315360000 */
    char log_file[FG_EXP_PATH_MAX];    /* "" (null): the runtime's log goes to stderr */
    fg_exp_level log_level;            /* INFO: the runtime logs messages at or above it;
                                          per-decision lines are DEBUG */
    /* library additions */
    fg_exp_validate validate_output;   /* off */
    int quarantine_after;              /* 3 failures of a kernel for one cache key
                                          quarantine it for that key, 1..1000 */
} fg_exp_config;

/* The built-in defaults. FG_ERR_NULL if out is NULL. */
FG_API fg_status fg_exp_config_defaults(fg_exp_config *out);
/* The configuration in effect (all sources merged). */
FG_API fg_status fg_exp_get_config(fg_exp_config *out);
/* Sets every key at API level (it then overrides file and environment).
 * Every field is checked first; on FG_ERR_INVALID_ARG (message: key, value
 * and what is allowed) nothing changes. */
FG_API fg_status fg_exp_set_config(const fg_exp_config *config);
/* The configuration in effect as a JSON object with sorted keys; *json is
 * allocated, release it with fg_exp_free. */
FG_API fg_status fg_exp_get_config_json(char **json);
/* Sets the keys present in a JSON object at API level (others keep their
 * value). FG_ERR_PARSE (with line and column) for bad JSON,
 * FG_ERR_INVALID_ARG for an unknown key or illegal value; all or nothing. */
FG_API fg_status fg_exp_set_config_json(const char *json);
/* One key from a string, parsed as the environment variable would be, e.g.
 * ("cache_size", "500"). Same errors as fg_exp_set_config_json. */
FG_API fg_status fg_exp_set_option(const char *key, const char *value);
/* Drops every API-level value, then reads the environment (config keys,
 * FLAGGEMS_EXP_ENABLE, _DENYLIST, _FAULT, _CONFIG) and the config file again:
 * the start-up state. Bad values are reported in the runtime's log and
 * ignored. */
FG_API fg_status fg_exp_reset_config(void);
/* Kernel ids and op names never to dispatch to, comma-separated (NULL or ""
 * clears), replacing FLAGGEMS_EXP_DENYLIST. An op name excludes the op's
 * experimental kernels; an id excludes that kernel whatever its tier
 * (reference kernels, the last fallback, cannot be excluded: such an entry
 * is refused). FG_ERR_NOT_FOUND names an entry that is neither. */
FG_API fg_status fg_exp_set_denylist(const char *list);
/* Frees memory returned by fg_exp_*_json. NULL is a no-op. */
FG_API void fg_exp_free(void *p);

/* ---------------------------------------------------------------- kernels and ops */

#define FG_EXP_DTYPE_F32 1u
#define FG_EXP_DTYPE_F16 2u
#define FG_EXP_DTYPE_BF16 4u
#define FG_EXP_DTYPE_ALL 7u

/* One kernel, as listed by fg_exp_list_ops / fg_exp_get_op_info. Strings
 * are static or live as long as the process. */
typedef struct fg_exp_kernel_info {
    const char *id;        /* "softmax.cpu.custom.rows_le_1024_v1" */
    const char *op;        /* "softmax" */
    const char *category;  /* "pointwise", "reduction", "blas" */
    const char *tier;      /* "reference", "stable", "experimental" */
    const char *group;     /* "generated", "custom", "" (not experimental) */
    const char *device;    /* "cpu" */
    const char *status;    /* lifecycle status from metadata; without metadata
                              "EXPERIMENTAL" for experimental kernels, else "STABLE" */
    unsigned dtypes;       /* FG_EXP_DTYPE_* bits */
    int specialized;       /* accepts only some shapes */
    int priority;
    int available;         /* this CPU has the instructions it needs */
    int enabled;           /* it may be dispatched now: group enabled (or not
                              experimental), not denylisted, not DEPRECATED */
    int runtime;           /* added by fg_exp_register_kernels */
    double expected_speedup; /* from metadata or its descriptor; 0 when unknown */
    uint64_t calls;        /* calls it served since fg_exp_reset_stats */
} fg_exp_kernel_info;

/* Experimental kernels, filtered by category ("pointwise", "reduction",
 * "blas"; NULL any) and status (NULL any; e.g. "EXPERIMENTAL"). Writes up to
 * cap entries to out (out may be NULL when cap is 0) and the number that
 * match to *count. FG_ERR_INVALID_ARG for an unknown category. */
FG_API fg_status fg_exp_list_ops(const char *category, const char *status,
                                 fg_exp_kernel_info *out, size_t cap, size_t *count);
/* Every kernel (all tiers) of op `name`, or the one kernel whose id is
 * `name`, in dispatch order for the current configuration as far as it
 * does not depend on the call. Same out/cap/count contract.
 * FG_ERR_NOT_FOUND when name is neither an op nor a kernel id. */
FG_API fg_status fg_exp_get_op_info(const char *name, fg_exp_kernel_info *out, size_t cap,
                                    size_t *count);

/* Runs every op call of this thread on kernel `id` (tools, tests): no
 * choice, cache or fallback; fault injection still applies. A call the
 * kernel does not accept fails with FG_ERR_UNSUPPORTED; calls of other ops
 * dispatch as usual. NULL or "" clears. FG_ERR_NOT_FOUND for an unknown id. */
FG_API fg_status fg_exp_force_kernel(const char *id);

/* out = x * sigmoid(1.702 x) ("quick GELU"), the experimental-only op
 * fast_gelu; out has x's shape, may be x itself. It goes through the
 * dispatcher like every op: with experimental kernels disabled it runs on
 * the (slow, exact) reference kernel. The custom kernels agree with the
 * formula within the float32 tolerance (measured over [-60, 60]: AVX2
 * kernel 1.5e-6 relative for x >= 0 and 4e-7 absolute for x < 0, portable
 * kernel 1.4e-7 relative); the formula itself differs from the exact erf
 * GELU by at most 0.0204 in absolute value (near |x| = 2.27). Errors as
 * for fg_gelu. */
FG_API fg_status fg_exp_fast_gelu(DLTensor *out, const DLTensor *x);

/* ---------------------------------------------------------------- run-time kernels */

/* What a run-time kernel receives: a validated call. Tensors are views the
 * dispatcher built (byte_offset 0, strides always set, element strides,
 * broadcast inputs of add/mul already expanded to out's shape with stride
 * 0); do not modify shapes or strides. Geometry as in the op's docs:
 * reductions and softmax see x as [outer, len, inner] around dim (dim -1:
 * every element), norms as [outer, len], mm/bmm fill m, n, k (outer =
 * batch). */
typedef struct fg_exp_call {
    const char *op;           /* "softmax" */
    DLTensor *out;
    const DLTensor *in[3];    /* x or a; b or weight; bias (NULL when absent) */
    int nin;
    double alpha;             /* add */
    int approx;               /* gelu: fg_gelu_approx */
    int dim;                  /* reductions, softmax, norms; -1: all elements */
    int keepdim;
    double eps;               /* norms */
    int64_t outer, len, inner;
    int64_t m, n, k;          /* mm, bmm */
    int contiguous;           /* out and every input row-major dense */
} fg_exp_call;

/* A kernel to add at run time (e.g. from a plugin library). */
typedef struct fg_exp_kernel {
    const char *id;           /* unique; "<op>.cpu.<group>.<variant>" recommended */
    const char *op;           /* an existing op: "gelu", "softmax", ... */
    unsigned group;           /* FG_EXP_GROUP_GENERATED or FG_EXP_GROUP_CUSTOM */
    int specialized;          /* accepts only some shapes: tried before general kernels */
    unsigned dtypes;          /* FG_EXP_DTYPE_* bits; 0 means all */
    unsigned isa;             /* FG_CPU_* bits the CPU must have; 0 for portable code */
    int priority;             /* higher first within its class */
    double expected_speedup;  /* over stable, 0 when unknown; orders candidates
                                 when no measurement exists */
    /* Which exact calls it accepts (NULL: all of its op and dtypes). Must be
     * cheap and must not fail. */
    int (*supports)(const fg_exp_call *call, void *user);
    /* Writes every element of call->out and nothing else; may be in place
     * (out the same view as in[0]) for pointwise ops, softmax and norms. An
     * error return must leave the inputs unchanged. */
    fg_status (*run)(const fg_exp_call *call, void *user);
    void *user;
} fg_exp_kernel;

/* Adds `count` kernels (the descriptors and strings are copied; supports,
 * run and user must stay valid for the life of the process). All or
 * nothing: FG_ERR_NULL (NULL kernels, id, op or run), FG_ERR_INVALID_ARG
 * (bad group or dtypes, unknown op, id empty or over 127 bytes),
 * FG_ERR_CONFLICT (an id already registered or repeated in the batch),
 * FG_ERR_NO_MEMORY (the table is full). Cached decisions of the kernels'
 * ops are dropped. There is no unregistration; exclude a kernel with
 * fg_exp_set_denylist. */
FG_API fg_status fg_exp_register_kernels(const fg_exp_kernel *kernels, size_t count);

/* ---------------------------------------------------------------- cache */

/* Drops cached decisions and quarantines of op `op` (NULL: all ops).
 * FG_ERR_NOT_FOUND for an unknown op. */
FG_API fg_status fg_exp_cache_invalidate(const char *op);

/* ---------------------------------------------------------------- stats */

typedef struct fg_exp_statistics {
    uint64_t calls;                 /* op calls that reached the dispatcher (forced
                                       calls excluded) */
    uint64_t experimental_calls;    /* of which an experimental kernel served */
    uint64_t cache_hits;            /* calls that found a cached decision */
    uint64_t cache_misses;          /* calls that had to decide */
    double hit_rate;                /* hits / (hits + misses); 0 when none */
    uint64_t profiled;              /* misses that timed candidates */
    /* fallbacks by reason: calls served by a later candidate because ... */
    uint64_t fallbacks_error;       /* ... a kernel returned an error */
    uint64_t fallbacks_invalid;     /* ... output validation rejected a result */
    uint64_t fallbacks_slow;        /* ... the experimental winner was too slow
                                       (fallback_on_slow) */
    uint64_t fallbacks_unsupported; /* ... the cached first choice does not accept
                                       the exact shape */
    uint64_t failures_returned;     /* kernel failures returned to the caller */
    uint64_t quarantines;           /* (kernel, key) pairs quarantined */
    uint64_t cache_entries;         /* entries now in the perf cache */
    uint64_t cache_evictions;       /* entries dropped for space */
    uint64_t cache_expirations;     /* entries dropped for age (cache_ttl) */
    uint64_t perfdb_warm_starts;    /* misses that took their candidates' times from the
                                       performance database instead of measuring
                                       (counted apart from profiled) */
} fg_exp_statistics;

/* Counters since start-up or the last fg_exp_reset_stats (cache_entries is
 * the current count). Per-kernel calls are in fg_exp_kernel_info.calls. */
FG_API fg_status fg_exp_stats(fg_exp_statistics *out);
/* The same plus per-kernel calls ({"kernel_calls": {"id": n, ...}}) as a
 * JSON object; release with fg_exp_free. */
FG_API fg_status fg_exp_stats_json(char **json);
/* Starts every counter (and per-kernel calls) from zero. */
FG_API fg_status fg_exp_reset_stats(void);

/* ---------------------------------------------------------------- benchmarks, perf database */

/* How fg_exp_benchmark measures. Zero fields take the defaults. */
typedef struct fg_exp_bench_options {
    int warmup;          /* 3: untimed runs per candidate and config */
    int repeat;          /* 10: timed samples each candidate gets at least */
    int max_samples;     /* 1000: samples after which a candidate stops */
    double budget_ms;    /* 100: time per config after which sampling stops once
                            every candidate has `repeat` samples */
    double target_noise; /* 0.01: sampling stops earlier once every candidate's
                            median is known to this fraction (95 % confidence) */
    uint64_t seed;       /* inputs are uniform in [-4, 4) from this seed (0: 1) */
    int record;          /* nonzero: add the results to the performance database
                            (source "benchmark") */
} fg_exp_bench_options;

/* Benchmarks kernel `kernel_id` against `baselines` (comma-separated kernel
 * ids of the same op; NULL: the op's stable kernel the dispatcher would
 * use on this CPU, then its reference kernel) over `configs`, a JSON array
 * of objects
 *   {"dtype": "float16", "shape": [2048, 4096], "n": 4096, "dim": -1,
 *    "approx": "tanh", "weight": true, "bias": true, "label": "llama ffn"}
 * where shape is the first input's (a for mm/bmm; n is b's columns), dim
 * the reduced or softmax dim ("all" for every element), and the rest are
 * optional; NULL: the op's default set of LLM-sized shapes in float32,
 * float16 and bfloat16. Candidates are interleaved round by round so that
 * drift hits all of them; each config reports median, p10, p90, min,
 * spread, GB/s, GFLOP/s and the library workspace of one run; speedups
 * are baseline median / kernel median per config, their mean over configs
 * (as FlagGems reports it) and geometric mean. options NULL: defaults.
 * *markdown and *json (either may be NULL) receive the report, naming the
 * machine, fg_version() and the build signature; release with fg_exp_free.
 * Errors: FG_ERR_NULL (kernel_id), FG_ERR_NOT_FOUND (unknown kernel or
 * baseline), FG_ERR_INVALID_ARG (a baseline of another op, a bad option,
 * a bad config entry: the message names the entry and key), FG_ERR_PARSE
 * (configs not JSON: line and column), FG_ERR_SHAPE / FG_ERR_OVERFLOW (a
 * config that is no valid call of the op, or too large: the message names
 * it), FG_ERR_NO_MEMORY. A kernel that refuses a config
 * is reported as such in that config's row, not as an error. Runs on the
 * calling thread; other threads calling ops meanwhile disturb both the
 * timings and the workspace figures. Added in 0.1.0. */
FG_API fg_status fg_exp_benchmark(const char *kernel_id, const char *baselines, const char *configs,
                                  const fg_exp_bench_options *options, char **markdown, char **json);

/* The performance database file in use (FLAGGEMS_EXP_PERF_DB, else
 * $XDG_CACHE_HOME/flaggems/perf.db, else ~/.cache/flaggems/perf.db) into
 * buf; "" when FLAGGEMS_EXP_PERF_DB is set and empty (disabled).
 * FG_ERR_NULL, FG_ERR_OVERFLOW (cap too small), FG_ERR_NOT_FOUND (no HOME).
 * Added in 0.1.0. */
FG_API fg_status fg_exp_perfdb_path(char *buf, size_t cap);

/* ---------------------------------------------------------------- fault injection */

/* Makes kernel `id` fail, for tests and demos (also FLAGGEMS_EXP_FAULT =
 * "<kernel id>=error|nan[,...]" at start-up). mode "error": the kernel
 * returns FG_ERR_KERNEL without running. mode "nan": the kernel runs, then
 * every element of its output is set to NaN; the dispatcher notices only
 * when validate_output is "nan" (then it falls back or, with strategy off,
 * returns FG_ERR_KERNEL), otherwise the NaNs reach the caller: that is
 * what the mode demonstrates. NULL or "none" clears the fault.
 * FG_ERR_NOT_FOUND for an unknown id, FG_ERR_INVALID_ARG for a bad mode. */
FG_API fg_status fg_exp_set_fault(const char *id, const char *mode);

#ifdef __cplusplus
}
#endif

#endif /* FLAGGEMS_EXPERIMENTAL_H */
