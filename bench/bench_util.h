/* Helpers shared by the benchmarks: timing by median, page-aligned buffers,
 * reproducible random data, size and time formatting, JSON strings. */
#ifndef FG_BENCH_UTIL_H
#define FG_BENCH_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Monotonic clock in seconds. */
double bench_now(void);

/* How one measurement repeats its call. Warm-up calls run (untimed) until
 * warmup_s has passed, but at least warmup_min of them; then timed calls run
 * until budget_s has passed and at least min_reps were made, or max_reps were
 * made. */
typedef struct bench_timing {
    double budget_s;
    double warmup_s;
    int warmup_min;
    int min_reps;
    int max_reps;
} bench_timing;

typedef struct bench_result {
    int status;      /* 0, or the first nonzero value the call returned */
    double median_s; /* median of the timed calls */
    double min_s;
    int reps;        /* timed calls made */
} bench_result;

/* One call of the thing measured; nonzero stops the measurement. */
typedef int (*bench_fn)(void *ctx);

bench_result bench_measure(bench_fn fn, void *ctx, const bench_timing *t);

/* One participant of bench_measure_rounds. */
typedef struct bench_task {
    bench_fn fn;
    void *ctx;
    double settle_s;  /* untimed pause after each call, e.g. for a peer whose
                         idle workers spin for a while before they sleep */
    bench_result res; /* filled in */
} bench_task;

/* Measures n calls together, in rounds of one timed call each, so that they
 * share whatever load the machine has: on a busy machine their ratios stay
 * meaningful where back-to-back measurements would not. Warm-up per task as
 * in bench_measure; then rounds until every task has min_reps calls and
 * budget_s per task has passed, or max_reps rounds. A task whose call fails
 * keeps that status and leaves the rounds. */
void bench_measure_rounds(bench_task *tasks, int n, const bench_timing *t);

/* Page-aligned memory, or NULL. The pages are not touched. */
void *bench_alloc(size_t bytes);
void bench_free(void *p);

/* n floats uniform in [lo, hi), the same for the same seed whatever the
 * thread count (each block of the array has its own stream). */
void bench_fill_uniform(float *dst, int64_t n, float lo, float hi, uint64_t seed, int threads);

/* "64MB", "512KB", "1GB", "1048576" (bytes; KB/MB/GB are powers of 1024,
 * case-insensitive, optional "iB"). false on anything else or on <= 0. */
bool bench_parse_size(const char *s, int64_t *bytes);
/* "64MB" for 64 MiB; exact multiples only, else bytes ("1000B"). */
const char *bench_size_str(int64_t bytes, char *buf, size_t cap);
/* "12.3 us", "4.56 ms", "1.23 s". */
const char *bench_time_str(double s, char *buf, size_t cap);

/* Writes s as a JSON string literal (quotes, escapes). */
void bench_json_string(FILE *f, const char *s);

#endif
