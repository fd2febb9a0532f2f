/* 8 threads dispatching a mix of ops, shapes and dtypes at once, every
 * result checked against the reference, while another thread keeps
 * changing what the dispatcher may do (groups, cache size, invalidation,
 * faults that force fallbacks, profiling, denylist, stats). Also built and
 * run under ThreadSanitizer (label tsan).
 *
 * Worker threads do not call cmocka's asserts (they are not thread-safe);
 * they count failures, and the main thread checks the counts. */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exp_test.h"

#define NTHREADS 8
#define ITERS 2000

typedef struct tcase {
    et_case c;
    tu_tensor *ref;
    bool in_place;
    double atol;
} tcase;

static tcase cases[32];
static int ncases;
static int stop_chaos;
static int failures;
static char first_failure[512];
static pthread_mutex_t fail_mu = PTHREAD_MUTEX_INITIALIZER;

static void add_case(const char *op, fgi_dtype dt, int ndim, const int64_t *shape, int dim, bool with_b,
                     bool with_bias, bool in_place)
{
    tcase *t = &cases[ncases];
    uint64_t seed = 1000 + (uint64_t)ncases;
    t->c.op = op;
    t->c.x = et_rand(dt, ndim, shape, seed, -3, 3);
    t->c.dim = dim;
    t->c.eps = 1e-5;
    int64_t h = shape[ndim - 1];
    if (with_b) {
        if (!strcmp(op, "mm"))
            t->c.b = et_rand(dt, ndim, shape, seed + 1, -1, 1);
        else
            t->c.b = et_rand(dt, 1, &h, seed + 1, -1, 1);
    }
    if (with_bias) t->c.bias = et_rand(dt, 1, &h, seed + 2, -1, 1);
    t->in_place = in_place;
    t->atol = TU_ATOL;
    /* the reference output shape */
    tu_tensor *shape_of;
    if (!strcmp(op, "sum")) {
        int64_t os[FG_MAX_DIMS];
        int n = 0;
        for (int d = 0; d < ndim; d++)
            if (d != dim) os[n++] = shape[d];
        shape_of = tu_new(dt, n, os, TU_CONTIG);
        t->atol *= (double)shape[dim];
    } else {
        shape_of = tu_new(dt, ndim, shape, TU_CONTIG);
        if (!strcmp(op, "mm")) t->atol *= (double)shape[1];
    }
    t->ref = et_reference(&t->c, shape_of);
    tu_free(shape_of);
    ncases++;
}

static bool close_enough(const tcase *t, const tu_tensor *out, char *why, size_t cap)
{
    double rtol = tu_rtol(out->dt);
    for (int64_t i = 0; i < out->numel; i++) {
        double o = tu_get(out, i), r = tu_get(t->ref, i);
        bool ok = isnan(r) ? isnan(o) : isinf(r) ? o == r : fabs(o - r) <= t->atol + rtol * fabs(r);
        if (!ok) {
            snprintf(why, cap, "%s %s element %lld: got %.9g, reference %.9g", t->c.op,
                     tu_dtype_name(out->dt), (long long)i, o, r);
            return false;
        }
    }
    return true;
}

static void *worker(void *arg)
{
    int tid = (int)(intptr_t)arg;
    tu_tensor *outs[32];
    for (int i = 0; i < ncases; i++)
        outs[i] = tu_new(cases[i].ref->dt, cases[i].ref->t.ndim, cases[i].ref->shape, TU_CONTIG);
    tu_tensor *xs[32];
    for (int i = 0; i < ncases; i++) xs[i] = cases[i].in_place ? tu_clone_contig(cases[i].c.x) : NULL;
    for (int it = 0; it < ITERS; it++) {
        int k = (it * 7 + tid * 3) % ncases;
        tcase *t = &cases[k];
        et_case c = t->c;
        tu_tensor *out = outs[k];
        if (t->in_place) {
            /* refresh the input, then run in place on it */
            for (int64_t i = 0; i < t->c.x->numel; i++) tu_set(xs[k], i, tu_get(t->c.x, i));
            c.x = xs[k];
            out = xs[k];
        } else {
            for (int64_t i = 0; i < out->numel; i++) tu_set(out, i, NAN);
        }
        fg_status s = et_run(&c, &out->t);
        char why[400];
        bool ok = s == FG_OK && close_enough(t, out, why, sizeof why);
        if (!ok) {
            pthread_mutex_lock(&fail_mu);
            if (failures++ == 0)
                snprintf(first_failure, sizeof first_failure, "thread %d case %d (%s): %s", tid, k, t->c.op,
                         s == FG_OK ? why : fg_last_error());
            pthread_mutex_unlock(&fail_mu);
        }
    }
    for (int i = 0; i < ncases; i++) {
        tu_free(outs[i]);
        if (xs[i]) tu_free(xs[i]);
    }
    return NULL;
}

static void *chaos(void *arg)
{
    (void)arg;
    tu_rng r = {99};
    fg_exp_statistics st;
    while (!__atomic_load_n(&stop_chaos, __ATOMIC_ACQUIRE)) {
        switch (tu_below(&r, 9)) {
        case 0:
            fg_exp_cache_invalidate(tu_below(&r, 2) ? "softmax" : NULL);
            break;
        case 1:
            fg_exp_set_option("cache_size", tu_below(&r, 2) ? "3" : "1000");
            break;
        case 2:
            fg_exp_set_option("enable_profiling", tu_below(&r, 2) ? "true" : "false");
            break;
        case 3:
            fg_exp_set_fault("softmax.cpu.custom.rows_le_1024_v1", tu_below(&r, 2) ? "error" : "none");
            break;
        case 4:
            fg_exp_set_fault("layer_norm.cpu.custom.h64_v1", tu_below(&r, 2) ? "error" : "none");
            break;
        case 5:
            fg_exp_enable((unsigned)tu_below(&r, 4), 1, 0, NULL);
            break;
        case 6:
            fg_exp_set_denylist(tu_below(&r, 2) ? "fast_gelu" : NULL);
            break;
        case 7:
            fg_exp_stats(&st);
            break;
        default:
            fg_exp_reset_stats();
            break;
        }
        struct timespec ts = {0, 50000};
        nanosleep(&ts, NULL);
    }
    return NULL;
}

static void test_threads(void **state)
{
    (void)state;
    et_reset();
    int64_t s1[2] = {4, 100}, s2[2] = {3, 33}, s3[2] = {2, 128}, s4[2] = {3, 256}, s5[1] = {1000},
            s6[2] = {2, 50}, s7[2] = {3, 7}, s8[2] = {4, 8}, s9[2] = {5, 6}, s10[1] = {64}, s11[2] = {8, 8},
            s12[2] = {2, 2000}, s13[2] = {2, 96};
    add_case("softmax", FGI_F32, 2, s1, -1, false, false, false);
    add_case("softmax", FGI_BF16, 2, s2, -1, false, false, true);
    add_case("layer_norm", FGI_F32, 2, s3, -1, true, true, false);
    add_case("rms_norm", FGI_F16, 2, s4, -1, true, false, true);
    add_case("fast_gelu", FGI_F32, 1, s5, -1, false, false, false);
    add_case("fast_gelu", FGI_BF16, 2, s6, -1, false, false, true);
    add_case("relu", FGI_F32, 2, s7, -1, false, false, false);
    add_case("add", FGI_F32, 2, s8, -1, true, false, false);
    add_case("sum", FGI_F32, 2, s9, 1, false, false, false);
    add_case("gelu", FGI_F16, 1, s10, -1, false, false, false);
    add_case("mm", FGI_F32, 2, s11, -1, true, false, false);
    add_case("softmax", FGI_F32, 2, s12, -1, false, false, false);
    add_case("layer_norm", FGI_F32, 2, s13, -1, true, false, true);
    add_case("rms_norm", FGI_F32, 2, s3, -1, false, false, false);
    /* log_level ERROR: the chaos thread's fault toggles would log a line each */
    assert_int_equal(
        fg_exp_enable(0, 1, 0,
                      "{\"profiling_warmup\": 1, \"profiling_repeat\": 2, \"log_level\": \"ERROR\"}"),
        FG_OK);

    pthread_t th[NTHREADS], ch;
    pthread_create(&ch, NULL, chaos, NULL);
    for (int t = 0; t < NTHREADS; t++) pthread_create(&th[t], NULL, worker, (void *)(intptr_t)t);
    for (int t = 0; t < NTHREADS; t++) pthread_join(th[t], NULL);
    __atomic_store_n(&stop_chaos, 1, __ATOMIC_RELEASE);
    pthread_join(ch, NULL);
    if (failures) print_error("%d failures; first: %s\n", failures, first_failure);
    assert_int_equal(failures, 0);

    /* the counters of the finished threads were kept */
    fg_exp_statistics st;
    assert_int_equal(fg_exp_reset_stats(), FG_OK);
    pthread_create(&th[0], NULL, worker, (void *)(intptr_t)0);
    pthread_join(th[0], NULL);
    assert_int_equal(fg_exp_stats(&st), FG_OK);
    assert_int_equal(st.calls, ITERS);
    assert_int_equal(st.cache_hits + st.cache_misses, ITERS);
    print_message("[ info ] one thread after the storm: hit rate %.3f, %llu experimental calls\n",
                  st.hit_rate, (unsigned long long)st.experimental_calls);
    for (int i = 0; i < ncases; i++) {
        tu_free(cases[i].c.x);
        tu_free(cases[i].c.b);
        tu_free(cases[i].c.bias);
        tu_free(cases[i].ref);
    }
    et_reset();
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_threads)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
