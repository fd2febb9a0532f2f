#include "bench_util.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

double bench_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median_of(double *samples, int n)
{
    qsort(samples, (size_t)n, sizeof *samples, cmp_double);
    /* even count: mean of the two middle samples */
    return n % 2 ? samples[n / 2] : 0.5 * (samples[n / 2 - 1] + samples[n / 2]);
}

bench_result bench_measure(bench_fn fn, void *ctx, const bench_timing *t)
{
    bench_result r = {0, NAN, NAN, 0};
    double start = bench_now();
    for (int w = 0; w < t->warmup_min || bench_now() - start < t->warmup_s; w++) {
        r.status = fn(ctx);
        if (r.status) return r;
    }
    int cap = t->max_reps > 0 ? t->max_reps : 1;
    double *samples = malloc((size_t)cap * sizeof *samples);
    if (!samples) {
        r.status = -1;
        return r;
    }
    start = bench_now();
    while (r.reps < cap) {
        double t0 = bench_now();
        r.status = fn(ctx);
        double t1 = bench_now();
        if (r.status) break;
        samples[r.reps++] = t1 - t0;
        if (r.reps >= t->min_reps && t1 - start >= t->budget_s) break;
    }
    if (r.reps > 0) {
        r.median_s = median_of(samples, r.reps);
        r.min_s = samples[0];
    }
    free(samples);
    return r;
}

static void pause_s(double s)
{
    if (s <= 0) return;
    struct timespec ts = {(time_t)s, (long)((s - (double)(time_t)s) * 1e9)};
    nanosleep(&ts, NULL);
}

void bench_measure_rounds(bench_task *tasks, int n, const bench_timing *t)
{
    int cap = t->max_reps > 0 ? t->max_reps : 1, active = 0;
    double *samples = malloc((size_t)cap * (size_t)(n > 0 ? n : 1) * sizeof *samples);
    for (int i = 0; i < n; i++) {
        tasks[i].res = (bench_result){samples ? 0 : -1, NAN, NAN, 0};
        if (!samples) continue;
        double start = bench_now();
        for (int w = 0; w < t->warmup_min || bench_now() - start < t->warmup_s; w++) {
            tasks[i].res.status = tasks[i].fn(tasks[i].ctx);
            if (tasks[i].res.status) break;
        }
        pause_s(tasks[i].settle_s);
        if (tasks[i].res.status == 0) active++;
    }
    if (!samples) return;
    double start = bench_now();
    for (int round = 0; round < cap && active > 0; round++) {
        bool enough = true;
        for (int i = 0; i < n; i++) {
            bench_task *k = &tasks[i];
            if (k->res.status) continue;
            double t0 = bench_now();
            k->res.status = k->fn(k->ctx);
            double t1 = bench_now();
            pause_s(k->settle_s);
            if (k->res.status) {
                active--;
                continue;
            }
            samples[(size_t)i * (size_t)cap + (size_t)k->res.reps++] = t1 - t0;
            enough = enough && k->res.reps >= t->min_reps;
        }
        if (enough && bench_now() - start >= t->budget_s * active) break;
    }
    for (int i = 0; i < n; i++) {
        bench_result *r = &tasks[i].res;
        if (r->status || r->reps == 0) continue;
        double *mine = samples + (size_t)i * (size_t)cap;
        r->median_s = median_of(mine, r->reps);
        r->min_s = mine[0];
    }
    free(samples);
}

void *bench_alloc(size_t bytes)
{
    void *p = NULL;
    if (posix_memalign(&p, 4096, bytes ? bytes : 1) != 0) return NULL;
    return p;
}

void bench_free(void *p) { free(p); }

static inline uint64_t splitmix64(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

void bench_fill_uniform(float *dst, int64_t n, float lo, float hi, uint64_t seed, int threads)
{
    /* Fixed blocks with their own seeds keep the data independent of the
     * thread count; generating 256 MB on one thread would dominate a run. */
    const int64_t block = 1 << 16;
    int64_t nblocks = (n + block - 1) / block;
    float scale = (hi - lo) * 0x1p-24f;
#pragma omp parallel for schedule(static) num_threads(threads)
    for (int64_t b = 0; b < nblocks; b++) {
        uint64_t st = seed * 0x2545f4914f6cdd1dull + (uint64_t)b;
        int64_t end = (b + 1) * block < n ? (b + 1) * block : n;
        for (int64_t i = b * block; i < end; i++)
            dst[i] = lo + (float)(splitmix64(&st) >> 40) * scale;
    }
}

bool bench_parse_size(const char *s, int64_t *bytes)
{
    if (!s || !isdigit((unsigned char)*s)) return false;
    char *end;
    double v = strtod(s, &end);
    int64_t mult = 1;
    if (*end) {
        char u = (char)toupper((unsigned char)*end);
        if (u == 'K') mult = 1 << 10;
        else if (u == 'M') mult = 1 << 20;
        else if (u == 'G') mult = 1 << 30;
        else if (u != 'B') return false;
        if (u != 'B') {
            end++;
            if (toupper((unsigned char)*end) == 'I') end++;
            if (toupper((unsigned char)*end) == 'B') end++;
        } else {
            end++;
        }
        if (*end) return false;
    }
    double b = v * (double)mult;
    if (!(b >= 1) || b > 0x1p40) return false;
    *bytes = (int64_t)b;
    return true;
}

const char *bench_size_str(int64_t bytes, char *buf, size_t cap)
{
    if (bytes >= (1 << 30) && bytes % (1 << 30) == 0)
        snprintf(buf, cap, "%lldGB", (long long)(bytes >> 30));
    else if (bytes >= (1 << 20) && bytes % (1 << 20) == 0)
        snprintf(buf, cap, "%lldMB", (long long)(bytes >> 20));
    else if (bytes >= (1 << 10) && bytes % (1 << 10) == 0)
        snprintf(buf, cap, "%lldKB", (long long)(bytes >> 10));
    else
        snprintf(buf, cap, "%lldB", (long long)bytes);
    return buf;
}

const char *bench_time_str(double s, char *buf, size_t cap)
{
    if (!isfinite(s)) snprintf(buf, cap, "-");
    else if (s < 1e-3) snprintf(buf, cap, "%.1f us", s * 1e6);
    else if (s < 1) snprintf(buf, cap, "%.3f ms", s * 1e3);
    else snprintf(buf, cap, "%.3f s", s);
    return buf;
}

void bench_json_string(FILE *f, const char *s)
{
    fputc('"', f);
    for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
        if (*p == '"' || *p == '\\') fprintf(f, "\\%c", *p);
        else if (*p < 0x20) fprintf(f, "\\u%04x", *p);
        else fputc(*p, f);
    }
    fputc('"', f);
}
