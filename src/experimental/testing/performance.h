/* The performance tool (seed Task 2.2 `benchmark_op`, DESIGN.md §4
 * "Testing tools"): one kernel against baselines of the same op over a set
 * of configs, with statistics that survive noisy machines.
 *
 * Method, per config:
 *  - every candidate runs once outside timing: a kernel that refuses the
 *    call or fails is reported in its row, and the library workspace of one
 *    run (peak of fg_memory_get_stats minus the live bytes before) is noted;
 *  - warm-up: `warmup` untimed rounds (cut short once half the budget is
 *    spent); the fastest warm-up run sets a batch size so that one sample
 *    lasts at least FGI_PERF_MIN_SAMPLE_NS (the timer's resolution and
 *    overhead then stay below 0.5 %); a timer with a cache flush times
 *    single runs;
 *  - rounds: each round takes one sample of every candidate, starting with
 *    a different candidate each round, so drift (turbo, thermal, other
 *    load) hits all of them alike;
 *  - stop: once every candidate has `repeat` samples and either its median
 *    is known within `target_noise` (95 % confidence interval of the
 *    median, 1.57 IQR / sqrt(n), relative) or `budget_ms` has passed; at
 *    `max_samples`; or after 10 x budget_ms with at least one sample each
 *    (slow reference kernels).
 * Statistics: median, p10, p90, min, mean, spread ((p90 - p10) / median),
 * GB/s (bytes of every input and the output over the median), GFLOP/s
 * where the op has a standard count (mm/bmm 2MNK; add, mul, sum, mean one
 * per element). Speedup over baseline b on a config: median_b / median of
 * the kernel; over configs: the arithmetic mean (how FlagGems' benchmarks
 * summarize) and the geometric mean.
 *
 * The timer is a seam: the CPU clock now; CUDA events and an L2 flush
 * between runs when the CUDA backend lands (same interface).
 *
 * Kernels run through fgi_kernel_run_quiet on calls built here (fault
 * injection and the dispatcher are bypassed). Not thread-safe with respect
 * to other threads calling ops (timings and workspace figures would mix). */
#ifndef FGI_EXPERIMENTAL_TESTING_PERFORMANCE_H
#define FGI_EXPERIMENTAL_TESTING_PERFORMANCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ops/kernel.h"
#include "ops/registry.h"

#define FGI_PERF_MAX_CANDS 8
#define FGI_PERF_MIN_SAMPLE_NS 20000

/* ---------------------------------------------------------------- timer seam */

typedef struct fgi_perf_timer {
    const char *name; /* "cpu-monotonic"; later "cuda-events" */
    void *ctx;
    /* starts a timed region (GPU: records the start event on the stream) */
    void (*start)(void *ctx);
    /* ends it and returns the elapsed nanoseconds (GPU: records the stop
     * event, synchronizes, cudaEventElapsedTime) */
    int64_t (*stop)(void *ctx);
    /* NULL, or evicts caches before each timed run (GPU: writes a buffer
     * the size of L2); a timer with a flush times single runs */
    void (*flush)(void *ctx);
} fgi_perf_timer;

/* CLOCK_MONOTONIC, no flush (CPU kernels are measured warm, like the
 * dispatcher's profiling). */
const fgi_perf_timer *fgi_perf_cpu_timer(void);

/* ---------------------------------------------------------------- configs */

/* One benchmark case (seed TestConfig: shape, dtype, device, attributes). */
typedef struct fgi_perf_config {
    fgi_op op;
    fgi_dtype dtype;
    int ndim;
    int64_t shape[FG_MAX_DIMS]; /* x; a for mm/bmm */
    int64_t n;                  /* mm/bmm: columns of b */
    int dim;                    /* reductions, softmax: dim (FG_DIM_ALL: every element) */
    int approx;                 /* gelu: fg_gelu_approx */
    bool weight, bias;          /* norms (bias: layer_norm only) */
    char label[48];             /* "llama-7b ffn", or "" */
} fgi_perf_config;

/* The op's default configs: LLM-sized shapes (LLaMA-7B hidden 4096 and FFN
 * 11008, vocabulary 32000, BERT 768, attention heads of 128), in float32,
 * float16 and bfloat16. One function so the set can come from the accuracy
 * tool's table later. *out is malloc'd (free()). FG_ERR_INVALID_ARG for an
 * unknown op. */
fg_status fgi_perf_default_configs(fgi_op op, fgi_perf_config **out, size_t *n);

/* Configs of op from a JSON array (see fg_exp_benchmark in
 * <flaggems/experimental.h>). FG_ERR_PARSE with line and column;
 * FG_ERR_INVALID_ARG naming the entry and key. *out is malloc'd. */
fg_status fgi_perf_parse_configs(fgi_op op, const char *json, fgi_perf_config **out, size_t *n);

/* "[2048,4096] dim -1", the config as report rows show it. */
const char *fgi_perf_config_str(const fgi_perf_config *c, char *buf, size_t cap);

/* ---------------------------------------------------------------- running */

typedef struct fgi_perf_options {
    int warmup;                  /* 3 */
    int repeat;                  /* 10: minimum samples */
    int max_samples;             /* 1000 */
    double budget_ms;            /* 100 */
    double target_noise;         /* 0.01 */
    uint64_t seed;               /* 1 */
    bool record;                 /* perf database rows, source benchmark */
    const fgi_perf_timer *timer; /* NULL: fgi_perf_cpu_timer() */
} fgi_perf_options;

void fgi_perf_options_default(fgi_perf_options *o);
/* FG_ERR_INVALID_ARG naming the bad field. */
fg_status fgi_perf_options_check(const fgi_perf_options *o);

/* One candidate on one config. */
typedef struct fgi_perf_result {
    fg_status status; /* FG_OK, or why the candidate has no numbers */
    char error[192];
    double median_ns, p10_ns, p90_ns, min_ns, mean_ns;
    double spread; /* (p90 - p10) / median */
    double noise;  /* relative 95 % CI half-width of the median */
    int64_t samples;
    int64_t batch; /* runs per sample */
    double gbps;
    double gflops; /* < 0: the op has no standard count */
    int64_t workspace_bytes;
} fgi_perf_result;

typedef struct fgi_perf_speedup {
    double mean, geomean, min, max;
    int configs; /* configs where both have numbers */
} fgi_perf_speedup;

typedef struct fgi_perf_report {
    char machine[160], fingerprint[20], version[16], build[FGI_SIGNATURE_LEN], timestamp[32], timer[32];
    fgi_perf_options options;
    const fgi_kernel *cands[FGI_PERF_MAX_CANDS]; /* [0] the kernel, then baselines */
    int ncand;
    fgi_perf_config *configs;
    size_t nconfig;
    fgi_perf_result *results;                     /* [config * ncand + candidate] */
    fgi_perf_speedup speedup[FGI_PERF_MAX_CANDS]; /* [b], b >= 1: over baseline b */
    int64_t recorded;                             /* perf database rows written */
} fgi_perf_report;

/* The op's stable kernel the dispatcher would pick on this CPU (highest
 * priority, ISA available), then its reference kernel, leaving out k
 * itself. Returns the count written (<= cap). */
int fgi_perf_default_baselines(const fgi_kernel *k, const fgi_kernel **out, int cap);

/* benchmark_op(kernel, baselines, configs, warmup, repeat): baselines NULL
 * (nbase 0) takes fgi_perf_default_baselines; configs NULL (n 0) takes
 * fgi_perf_default_configs; opt NULL the defaults. FG_ERR_INVALID_ARG: a
 * baseline of another op, too many candidates, configs of another op, bad
 * options; FG_ERR_SHAPE / FG_ERR_OVERFLOW: a config that is not a valid
 * call of the op; FG_ERR_NO_MEMORY. A recording failure is logged and
 * leaves recorded at 0. *out: release with fgi_perf_report_free. */
fg_status fgi_perf_benchmark(const fgi_kernel *kernel, const fgi_kernel *const *baselines, int nbase,
                             const fgi_perf_config *configs, size_t n, const fgi_perf_options *opt,
                             fgi_perf_report **out);
void fgi_perf_report_free(fgi_perf_report *r);

/* ---------------------------------------------------------------- reports */

/* The "Performance" section of the report as Markdown (a level-2 heading,
 * the run's facts, the speedup table, the per-config table), ready to drop
 * into report_template.md. *out malloc'd. */
fg_status fgi_perf_render_markdown(const fgi_perf_report *r, char **out);
/* The same content as a JSON object (sorted keys). *out malloc'd. */
fg_status fgi_perf_render_json(const fgi_perf_report *r, char **out);

#endif
