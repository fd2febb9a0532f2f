/* The dispatcher: each strategy x (success, error fault, NaN fault), the
 * disabled default, quarantine, fallback_on_slow with a deliberately slow
 * kernel, denylist, groups, stats, first-use warnings, the debug line per
 * decision, and profiling that must not disturb an in-place call.
 *
 * Mock kernels (failing, slow, generated-group) live here only and are
 * registered through fg_exp_register_kernels. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "exp_test.h"

static bool have_avx2(void) { return strcmp(fg_cpu_isa_name(), "avx2") == 0; }

#define SOFTMAX_CUSTOM "softmax.cpu.custom.rows_le_1024_v1"

static const char *stable_id(const char *op, char *buf, size_t cap)
{
    snprintf(buf, cap, "%s.cpu.stable.%s", op, fg_cpu_isa_name());
    return buf;
}

/* ---------------------------------------------------------------- mocks */

static int fail_calls, slow_calls, gen_calls;

/* exp.cpu.custom.test_fail: always fails, as a broken kernel would. */
static fg_status fail_run(const fg_exp_call *c, void *u)
{
    (void)c;
    (void)u;
    __atomic_add_fetch(&fail_calls, 1, __ATOMIC_RELAXED);
    return FG_ERR_KERNEL;
}

/* relu.cpu.custom.test_slow: correct relu (dense float32), 300 us late. */
static fg_status slow_run(const fg_exp_call *c, void *u)
{
    (void)u;
    __atomic_add_fetch(&slow_calls, 1, __ATOMIC_RELAXED);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    do clock_gettime(CLOCK_MONOTONIC, &t1);
    while ((t1.tv_sec - t0.tv_sec) * 1000000000L + (t1.tv_nsec - t0.tv_nsec) < 300000L);
    int64_t n = 1;
    for (int d = 0; d < c->out->ndim; d++) n *= c->out->shape[d];
    const float *x = c->in[0]->data;
    float *o = c->out->data;
    for (int64_t i = 0; i < n; i++) o[i] = x[i] > 0 ? x[i] : (x[i] != x[i] ? x[i] : 0.0f);
    return FG_OK;
}

static int dense_f32(const fg_exp_call *c, void *u)
{
    (void)u;
    return c->contiguous && c->out->dtype.bits == 32 && c->out->dtype.code == kDLFloat;
}

/* silu.cpu.gen.test_mock: a "generated" silu (dense float32). */
static fg_status gen_run(const fg_exp_call *c, void *u)
{
    (void)u;
    __atomic_add_fetch(&gen_calls, 1, __ATOMIC_RELAXED);
    int64_t n = 1;
    for (int d = 0; d < c->out->ndim; d++) n *= c->out->shape[d];
    const float *x = c->in[0]->data;
    float *o = c->out->data;
    for (int64_t i = 0; i < n; i++) o[i] = (float)(x[i] / (1.0 + exp(-(double)x[i])));
    return FG_OK;
}

static int setup(void **state)
{
    (void)state;
    static const fg_exp_kernel mocks[] = {
        {.id = "exp.cpu.custom.test_fail", .op = "exp", .group = FG_EXP_GROUP_CUSTOM, .run = fail_run},
        {.id = "relu.cpu.custom.test_slow",
         .op = "relu",
         .group = FG_EXP_GROUP_CUSTOM,
         .supports = dense_f32,
         .run = slow_run},
        {.id = "silu.cpu.gen.test_mock",
         .op = "silu",
         .group = FG_EXP_GROUP_GENERATED,
         .supports = dense_f32,
         .run = gen_run},
    };
    return fg_exp_register_kernels(mocks, 3) == FG_OK ? 0 : -1;
}

/* ---------------------------------------------------------------- strategies x faults */

typedef enum { OUT_OK, OUT_NAN, OUT_ERROR } expect;

/* softmax [6, 100] (accepted by the specialized custom kernel) under one
 * configuration; checks status, serving kernel and output. */
static void one_case(const char *cfg, const char *fault, expect want, const char *want_kernel, bool in_place)
{
    et_reset();
    assert_int_equal(fg_exp_enable(FG_EXP_GROUP_CUSTOM, 1, 0, cfg), FG_OK);
    if (fault) assert_int_equal(fg_exp_set_fault(SOFTMAX_CUSTOM, fault), FG_OK);
    int64_t shape[2] = {6, 100};
    tu_tensor *x = et_rand(FGI_F32, 2, shape, 42, -4, 4);
    et_case c = {.op = "softmax", .x = x, .dim = -1};
    tu_tensor *ref = et_reference(&c, x);
    tu_tensor *out = in_place ? tu_clone_contig(x) : tu_new(FGI_F32, 2, shape, TU_CONTIG);
    if (!in_place) tu_poison(out);
    et_case run = c;
    if (in_place) run.x = out;
    /* twice: the decision (miss), then the cached one (hit) */
    for (int rep = 0; rep < 2; rep++) {
        fg_status s = et_run(&run, &out->t);
        char desc[400];
        snprintf(desc, sizeof desc, "cfg %s fault %s rep %d%s", cfg, fault ? fault : "none", rep,
                 in_place ? " in place" : "");
        if (want == OUT_ERROR) {
            if (s == FG_OK) print_error("%s: expected a failure\n", desc);
            assert_int_equal(s, FG_ERR_KERNEL);
            assert_non_null(strstr(fg_last_error(), SOFTMAX_CUSTOM));
            break;
        }
        if (s != FG_OK) print_error("%s: %s\n", desc, fg_last_error());
        assert_int_equal(s, FG_OK);
        assert_string_equal(fg_last_error(), "");
        if (strcmp(fg_last_kernel(), want_kernel) != 0)
            print_error("%s: served by %s, expected %s\n", desc, fg_last_kernel(), want_kernel);
        assert_string_equal(fg_last_kernel(), want_kernel);
        if (want == OUT_NAN)
            assert_true(et_all_nan(out));
        else
            assert_int_equal(tu_compare(out, ref, TU_ATOL, 1.3e-6, desc), 0);
        if (in_place) break; /* the input is gone */
    }
    tu_free(x);
    tu_free(ref);
    tu_free(out);
}

static void test_strategies(void **state)
{
    (void)state;
    if (!have_avx2()) skip();
    char st[64];
    const char *stable = stable_id("softmax", st, sizeof st);
    const char *ref = "softmax.cpu.reference";
    static const char *const val = ", \"validate_output\": \"nan\"";
    char cfg[256];
    const char *strategies[3] = {"safe", "aggressive", "off"};
    for (int s = 0; s < 3; s++) {
        const char *fallback_kernel = s == 0 ? stable : ref;
        for (int v = 0; v < 2; v++) {
            snprintf(cfg, sizeof cfg, "{\"dispatch_strategy\": \"%s\"%s}", strategies[s], v ? val : "");
            /* success */
            one_case(cfg, NULL, OUT_OK, SOFTMAX_CUSTOM, false);
            /* error fault: the next candidate (safe: stable, aggressive:
             * reference), or the error itself (off) */
            one_case(cfg, "error", s == 2 ? OUT_ERROR : OUT_OK, fallback_kernel, false);
            /* NaN fault: caught only with validation */
            if (v)
                one_case(cfg, "nan", s == 2 ? OUT_ERROR : OUT_OK, fallback_kernel, false);
            else
                one_case(cfg, "nan", OUT_NAN, SOFTMAX_CUSTOM, false);
        }
        /* in place, NaN fault, validation: the fallback still sees the input */
        snprintf(cfg, sizeof cfg, "{\"dispatch_strategy\": \"%s\"%s}", strategies[s], val);
        if (s != 2) one_case(cfg, "nan", OUT_OK, fallback_kernel, true);
    }
    /* fallback_on_error=false: the error reaches the caller under safe too */
    one_case("{\"fallback_on_error\": false}", "error", OUT_ERROR, NULL, false);
}

/* Disabled (the default): stable then reference; experimental faults have
 * no effect, and a stable kernel's failure is returned as it is (only
 * experimental kernels fall back). */
static void test_disabled(void **state)
{
    (void)state;
    et_reset();
    assert_int_equal(fg_exp_enabled_groups(), 0u);
    char st[64];
    int64_t shape[2] = {6, 100};
    tu_tensor *x = et_rand(FGI_F32, 2, shape, 5, -4, 4), *out = tu_new(FGI_F32, 2, shape, TU_CONTIG);
    et_case c = {.op = "softmax", .x = x, .dim = -1};
    assert_int_equal(fg_exp_set_fault(SOFTMAX_CUSTOM, "error"), FG_OK);
    assert_int_equal(et_run(&c, &out->t), FG_OK);
    assert_string_equal(fg_last_kernel(), stable_id("softmax", st, sizeof st));
    assert_true(et_matches(&c, out, "disabled"));
    assert_int_equal(fg_exp_set_fault(st, "error"), FG_OK);
    assert_int_equal(et_run(&c, &out->t), FG_ERR_KERNEL);
    assert_non_null(strstr(fg_last_error(), st));
    fg_exp_statistics s;
    assert_int_equal(fg_exp_stats(&s), FG_OK);
    assert_int_equal(s.fallbacks_error, 0);
    assert_int_equal(s.failures_returned, 1);
    assert_int_equal(s.experimental_calls, 0);
    assert_int_equal(s.quarantines, 0);
    tu_free(x);
    tu_free(out);
    et_reset();
}

/* Strategy off governs the ops with enabled experimental kernels only: a
 * shape none of them accepts is refused, an op without any runs stable. */
static void test_off_scope(void **state)
{
    (void)state;
    if (!have_avx2()) skip();
    char st[64];
    et_reset();
    assert_int_equal(fg_exp_enable(FG_EXP_GROUP_CUSTOM, 1, 0, "{\"dispatch_strategy\": \"off\"}"), FG_OK);
    int64_t wide[2] = {2, 2000}, sq[2] = {16, 16};
    tu_tensor *x = et_rand(FGI_F32, 2, wide, 30, -1, 1), *y = tu_new(FGI_F32, 2, wide, TU_CONTIG);
    et_case c = {.op = "softmax", .x = x, .dim = -1};
    assert_int_equal(et_run(&c, &y->t), FG_ERR_UNSUPPORTED);
    assert_non_null(strstr(fg_last_error(), SOFTMAX_CUSTOM));
    tu_tensor *a = et_rand(FGI_F32, 2, sq, 31, -1, 1), *b = et_rand(FGI_F32, 2, sq, 32, -1, 1);
    tu_tensor *o = tu_new(FGI_F32, 2, sq, TU_CONTIG);
    et_case m = {.op = "mm", .x = a, .b = b};
    assert_int_equal(et_run(&m, &o->t), FG_OK);
    assert_string_equal(fg_last_kernel(), stable_id("mm", st, sizeof st));
    assert_true(et_matches(&m, o, "mm under off"));
    /* aggressive: mm still runs stable, not the reference */
    assert_int_equal(fg_exp_set_option("dispatch_strategy", "aggressive"), FG_OK);
    assert_int_equal(et_run(&m, &o->t), FG_OK);
    assert_string_equal(fg_last_kernel(), stable_id("mm", st, sizeof st));
    /* while softmax under aggressive skips stable for shapes the custom kernel refuses */
    assert_int_equal(et_run(&c, &y->t), FG_OK);
    assert_string_equal(fg_last_kernel(), "softmax.cpu.reference");
    assert_true(et_matches(&c, y, "softmax 2000 under aggressive"));
    tu_free(x);
    tu_free(y);
    tu_free(a);
    tu_free(b);
    tu_free(o);
    et_reset();
}

/* ---------------------------------------------------------------- quarantine */

static void test_quarantine(void **state)
{
    (void)state;
    et_reset();
    assert_int_equal(fg_exp_enable(FG_EXP_GROUP_CUSTOM, 1, 0, "{\"quarantine_after\": 3}"), FG_OK);
    int64_t shape[1] = {50}, other[1] = {3000};
    tu_tensor *x = et_rand(FGI_F32, 1, shape, 9, -2, 2), *out = tu_new(FGI_F32, 1, shape, TU_CONTIG);
    tu_tensor *x2 = et_rand(FGI_F32, 1, other, 10, -2, 2), *out2 = tu_new(FGI_F32, 1, other, TU_CONTIG);
    et_case c = {.op = "exp", .x = x}, c2 = {.op = "exp", .x = x2};
    fail_calls = 0;
    for (int i = 0; i < 6; i++) {
        assert_int_equal(et_run(&c, &out->t), FG_OK);
        assert_true(et_matches(&c, out, "exp after a failing kernel"));
    }
    assert_int_equal(fail_calls, 3); /* quarantined after the third failure */
    fg_exp_statistics s;
    assert_int_equal(fg_exp_stats(&s), FG_OK);
    assert_int_equal(s.quarantines, 1);
    assert_int_equal(s.fallbacks_error, 3);
    /* per key: another shape class tries the kernel again */
    assert_int_equal(et_run(&c2, &out2->t), FG_OK);
    assert_int_equal(fail_calls, 4);
    /* invalidation lifts the quarantine */
    assert_int_equal(fg_exp_cache_invalidate("exp"), FG_OK);
    assert_int_equal(et_run(&c, &out->t), FG_OK);
    assert_int_equal(fail_calls, 5);
    /* strategy off: the failure itself is returned */
    assert_int_equal(fg_exp_set_option("dispatch_strategy", "off"), FG_OK);
    assert_int_equal(et_run(&c, &out->t), FG_ERR_KERNEL);
    assert_non_null(strstr(fg_last_error(), "exp.cpu.custom.test_fail"));
    tu_free(x);
    tu_free(out);
    tu_free(x2);
    tu_free(out2);
    et_reset();
}

/* ---------------------------------------------------------------- fallback_on_slow */

static void test_fallback_on_slow(void **state)
{
    (void)state;
    char st[64];
    int64_t shape[2] = {4, 64};
    tu_tensor *x = et_rand(FGI_F32, 2, shape, 11, -1, 1), *out = tu_new(FGI_F32, 2, shape, TU_CONTIG);
    et_case c = {.op = "relu", .x = x};
    /* without fallback_on_slow the experimental kernel is used, slow or not */
    et_reset();
    assert_int_equal(
        fg_exp_enable(FG_EXP_GROUP_CUSTOM, 1, 0, "{\"profiling_warmup\": 1, \"profiling_repeat\": 3}"),
        FG_OK);
    assert_int_equal(et_run(&c, &out->t), FG_OK);
    assert_string_equal(fg_last_kernel(), "relu.cpu.custom.test_slow");
    assert_true(et_matches(&c, out, "slow relu"));
    /* with it, profiling finds it slower than stable x slow_threshold */
    et_reset();
    assert_int_equal(
        fg_exp_enable(FG_EXP_GROUP_CUSTOM, 1, 0,
                      "{\"profiling_warmup\": 1, \"profiling_repeat\": 3, \"fallback_on_slow\": true, "
                      "\"slow_threshold\": 1.2}"),
        FG_OK);
    slow_calls = 0;
    for (int i = 0; i < 3; i++) {
        assert_int_equal(et_run(&c, &out->t), FG_OK);
        assert_string_equal(fg_last_kernel(), stable_id("relu", st, sizeof st));
        assert_true(et_matches(&c, out, "relu, slow kernel dropped"));
    }
    assert_int_equal(slow_calls, 4); /* profiled once: 1 warm-up + 3 timed */
    fg_exp_statistics s;
    assert_int_equal(fg_exp_stats(&s), FG_OK);
    assert_int_equal(s.profiled, 1);
    assert_int_equal(s.fallbacks_slow, 3);
    tu_free(x);
    tu_free(out);
    et_reset();
}

/* ---------------------------------------------------------------- denylist */

static void test_denylist(void **state)
{
    (void)state;
    if (!have_avx2()) skip();
    char st[64];
    int64_t shape[2] = {6, 100};
    tu_tensor *x = et_rand(FGI_F32, 2, shape, 12, -4, 4), *out = tu_new(FGI_F32, 2, shape, TU_CONTIG);
    et_case c = {.op = "softmax", .x = x, .dim = -1};
    const char *lists[2] = {"softmax", " relu , " SOFTMAX_CUSTOM};
    for (int i = 0; i < 2; i++) {
        et_reset();
        /* custom only: generated softmax kernels accept this shape too */
        assert_int_equal(fg_exp_enable(FG_EXP_GROUP_CUSTOM, 1, 0, NULL), FG_OK);
        assert_int_equal(et_run(&c, &out->t), FG_OK);
        assert_string_equal(fg_last_kernel(), SOFTMAX_CUSTOM);
        assert_int_equal(fg_exp_set_denylist(lists[i]), FG_OK);
        assert_int_equal(et_run(&c, &out->t), FG_OK);
        assert_string_equal(fg_last_kernel(), stable_id("softmax", st, sizeof st));
        assert_true(et_matches(&c, out, "denylisted"));
    }
    /* a stable id: the next stable kernel */
    assert_int_equal(fg_exp_set_denylist("softmax.cpu.stable.avx2"), FG_OK);
    assert_int_equal(fg_exp_disable(), FG_OK);
    assert_int_equal(et_run(&c, &out->t), FG_OK);
    assert_string_equal(fg_last_kernel(), "softmax.cpu.stable.generic");
    /* refused entries change nothing */
    assert_int_equal(fg_exp_set_denylist("softmax.cpu.reference"), FG_ERR_INVALID_ARG);
    assert_int_equal(fg_exp_set_denylist("no.such.kernel"), FG_ERR_NOT_FOUND);
    assert_non_null(strstr(fg_last_error(), "no.such.kernel"));
    assert_int_equal(et_run(&c, &out->t), FG_OK);
    assert_string_equal(fg_last_kernel(), "softmax.cpu.stable.generic");
    /* the environment variable, read by fg_exp_reset_config */
    setenv("FLAGGEMS_EXP_DENYLIST", SOFTMAX_CUSTOM, 1);
    setenv("FLAGGEMS_EXP_ENABLE", "custom", 1);
    et_reset();
    assert_int_equal(fg_exp_enabled_groups(), FG_EXP_GROUP_CUSTOM);
    assert_int_equal(et_run(&c, &out->t), FG_OK);
    assert_string_equal(fg_last_kernel(), stable_id("softmax", st, sizeof st));
    unsetenv("FLAGGEMS_EXP_DENYLIST");
    unsetenv("FLAGGEMS_EXP_ENABLE");
    tu_free(x);
    tu_free(out);
    et_reset();
}

/* ---------------------------------------------------------------- groups */

static void test_groups(void **state)
{
    (void)state;
    char st[64];
    int64_t shape[2] = {3, 40};
    tu_tensor *x = et_rand(FGI_F32, 2, shape, 13, -3, 3), *out = tu_new(FGI_F32, 2, shape, TU_CONTIG);
    et_case silu = {.op = "silu", .x = x}, fg = {.op = "fast_gelu", .x = x};
    const char *fg_custom = have_avx2() ? "fast_gelu.cpu.custom.avx2_v1" : "fast_gelu.cpu.custom.generic_v1";
    et_reset();
    assert_int_equal(et_run(&silu, &out->t), FG_OK);
    assert_string_equal(fg_last_kernel(), stable_id("silu", st, sizeof st));
    assert_int_equal(et_run(&fg, &out->t), FG_OK);
    assert_string_equal(fg_last_kernel(), "fast_gelu.cpu.reference");

    assert_int_equal(fg_exp_enable(FG_EXP_GROUP_GENERATED, 1, 0, NULL), FG_OK);
    assert_int_equal(fg_exp_enabled_groups(), FG_EXP_GROUP_GENERATED);
    assert_int_equal(et_run(&silu, &out->t), FG_OK);
    assert_int_equal(strncmp(fg_last_kernel(), "silu.cpu.gen.", 13), 0); /* the mock or a committed one */
    assert_true(et_matches(&silu, out, "generated silu"));
    assert_int_equal(et_run(&fg, &out->t), FG_OK);
    /* the generated fast_gelu kernels are AVX2 only; never the custom kernel */
    if (have_avx2())
        assert_int_equal(strncmp(fg_last_kernel(), "fast_gelu.cpu.gen.", 18), 0);
    else
        assert_string_equal(fg_last_kernel(), "fast_gelu.cpu.reference");

    assert_int_equal(fg_exp_enable(FG_EXP_GROUP_CUSTOM, 1, 0, NULL), FG_OK);
    assert_int_equal(et_run(&silu, &out->t), FG_OK);
    assert_string_equal(fg_last_kernel(), stable_id("silu", st, sizeof st));
    assert_int_equal(et_run(&fg, &out->t), FG_OK);
    assert_string_equal(fg_last_kernel(), fg_custom);
    assert_true(et_matches(&fg, out, "custom fast_gelu"));

    assert_int_equal(fg_exp_enable(0, 1, 0, NULL), FG_OK);
    assert_int_equal(fg_exp_enabled_groups(), FG_EXP_GROUP_ALL);
    assert_int_equal(et_run(&silu, &out->t), FG_OK);
    assert_int_equal(strncmp(fg_last_kernel(), "silu.cpu.gen.", 13), 0); /* the mock or a committed one */

    assert_int_equal(fg_exp_enable(8, 1, 0, NULL), FG_ERR_INVALID_ARG);
    assert_int_equal(fg_exp_enabled_groups(), FG_EXP_GROUP_ALL);
    assert_int_equal(fg_exp_enable(FG_EXP_GROUP_CUSTOM, 1, 0, "{\"cache_size\": -1}"), FG_ERR_INVALID_ARG);
    assert_int_equal(fg_exp_enabled_groups(), FG_EXP_GROUP_ALL); /* all or nothing */

    assert_int_equal(fg_exp_disable(), FG_OK);
    assert_int_equal(et_run(&silu, &out->t), FG_OK);
    assert_string_equal(fg_last_kernel(), stable_id("silu", st, sizeof st));

    setenv("FLAGGEMS_EXP_ENABLE", "generated,custom", 1);
    et_reset();
    assert_int_equal(fg_exp_enabled_groups(), FG_EXP_GROUP_ALL);
    setenv("FLAGGEMS_EXP_ENABLE", "all", 1);
    et_reset();
    assert_int_equal(fg_exp_enabled_groups(), FG_EXP_GROUP_ALL);
    setenv("FLAGGEMS_EXP_ENABLE", "custom,bogus", 1); /* reported, ignored */
    et_reset();
    assert_int_equal(fg_exp_enabled_groups(), 0u);
    unsetenv("FLAGGEMS_EXP_ENABLE");
    tu_free(x);
    tu_free(out);
    et_reset();
}

/* ---------------------------------------------------------------- stats */

static void test_stats(void **state)
{
    (void)state;
    et_reset();
    assert_int_equal(fg_exp_enable(FG_EXP_GROUP_CUSTOM, 1, 0, NULL), FG_OK);
    int64_t s1[2] = {4, 64}, s2[2] = {4, 1000};
    tu_tensor *a = et_rand(FGI_F32, 2, s1, 14, -1, 1), *oa = tu_new(FGI_F32, 2, s1, TU_CONTIG);
    tu_tensor *b = et_rand(FGI_F32, 2, s2, 15, -1, 1), *ob = tu_new(FGI_F32, 2, s2, TU_CONTIG);
    et_case ca = {.op = "fast_gelu", .x = a}, cb = {.op = "fast_gelu", .x = b};
    assert_int_equal(fg_exp_reset_stats(), FG_OK);
    for (int i = 0; i < 10; i++) assert_int_equal(et_run(&ca, &oa->t), FG_OK);
    for (int i = 0; i < 5; i++) assert_int_equal(et_run(&cb, &ob->t), FG_OK);
    fg_exp_statistics s;
    assert_int_equal(fg_exp_stats(&s), FG_OK);
    assert_int_equal(s.calls, 15);
    assert_int_equal(s.cache_misses, 2);
    assert_int_equal(s.cache_hits, 13);
    assert_true(fabs(s.hit_rate - 13.0 / 15.0) < 1e-12);
    assert_int_equal(s.experimental_calls, 15);
    assert_int_equal(s.cache_entries, 2);
    /* both fast_gelu kernels accept: the miss was profiled (when both exist) */
    assert_int_equal(s.profiled, have_avx2() ? 2 : 0);
    fg_exp_kernel_info info[8];
    size_t n;
    assert_int_equal(fg_exp_get_op_info("fast_gelu", info, 8, &n), FG_OK);
    uint64_t total = 0;
    for (size_t i = 0; i < n; i++) total += info[i].calls;
    assert_int_equal(total, 15);
    char *json = NULL;
    assert_int_equal(fg_exp_stats_json(&json), FG_OK);
    assert_non_null(strstr(json, "\"kernel_calls\""));
    assert_non_null(strstr(json, "\"hit_rate\""));
    fg_exp_free(json);
    /* a thread's counters survive the thread (they are summed on exit) */
    assert_int_equal(fg_exp_reset_stats(), FG_OK);
    assert_int_equal(fg_exp_stats(&s), FG_OK);
    assert_int_equal(s.calls, 0);
    assert_int_equal(s.cache_entries, 2);
    tu_free(a);
    tu_free(oa);
    tu_free(b);
    tu_free(ob);
    et_reset();
}

/* ---------------------------------------------------------------- log */

static void test_warnings_and_debug_log(void **state)
{
    (void)state;
    if (!have_avx2()) skip();
    char path[512];
    et_tmp("dispatch_log.txt", path, sizeof path);
    remove(path);
    et_reset();
    char cfg[700];
    snprintf(cfg, sizeof cfg, "{\"log_file\": \"%s\", \"log_level\": \"DEBUG\"}", path);
    assert_int_equal(fg_exp_enable(FG_EXP_GROUP_CUSTOM, 1, 1, cfg), FG_OK);
    int64_t shape[2] = {6, 100};
    tu_tensor *x = et_rand(FGI_F32, 2, shape, 16, -4, 4), *out = tu_new(FGI_F32, 2, shape, TU_CONTIG);
    et_case sm = {.op = "softmax", .x = x, .dim = -1}, fg = {.op = "fast_gelu", .x = x};
    for (int i = 0; i < 3; i++) assert_int_equal(et_run(&sm, &out->t), FG_OK);
    assert_int_equal(et_run(&fg, &out->t), FG_OK);
    char *log = et_read_file(path);
    /* one warning per op on first experimental use */
    assert_int_equal(et_count(log, "op softmax is served by experimental kernel " SOFTMAX_CUSTOM), 1);
    assert_int_equal(et_count(log, "op fast_gelu is served by experimental kernel"), 1);
    /* one decision line per miss, naming rejected kernels and why */
    assert_int_equal(et_count(log, "dispatch softmax float32 [8_128]"), 1);
    assert_non_null(strstr(log, "rejected:"));
    free(log);
    /* a 2000-long row: the specialized kernel says why it is not used */
    int64_t wide[2] = {2, 2000};
    tu_tensor *w = et_rand(FGI_F32, 2, wide, 17, -1, 1), *ow = tu_new(FGI_F32, 2, wide, TU_CONTIG);
    et_case smw = {.op = "softmax", .x = w, .dim = -1};
    assert_int_equal(et_run(&smw, &ow->t), FG_OK);
    log = et_read_file(path);
    assert_non_null(strstr(log, SOFTMAX_CUSTOM " (does not accept this shape)"));
    free(log);
    /* show_warnings=false and log_level INFO: nothing more */
    assert_int_equal(fg_exp_set_config_json("{\"show_warnings\": false, \"log_level\": \"INFO\"}"), FG_OK);
    size_t before = strlen(log = et_read_file(path));
    free(log);
    assert_int_equal(fg_exp_enable(FG_EXP_GROUP_CUSTOM, 1, 0, NULL), FG_OK);
    assert_int_equal(et_run(&sm, &out->t), FG_OK);
    log = et_read_file(path);
    assert_int_equal(strlen(log), before);
    free(log);
    tu_free(x);
    tu_free(out);
    tu_free(w);
    tu_free(ow);
    et_reset();
}

/* ---------------------------------------------------------------- profiling */

/* Profiling a miss runs every candidate; on an in-place call that must not
 * touch the caller's input before the chosen kernel runs. */
static void test_profiling_in_place(void **state)
{
    (void)state;
    if (!have_avx2()) skip();
    et_reset();
    assert_int_equal(
        fg_exp_enable(FG_EXP_GROUP_CUSTOM, 1, 0, "{\"profiling_warmup\": 2, \"profiling_repeat\": 5}"),
        FG_OK);
    int64_t shape[2] = {8, 256};
    for (int dt = 0; dt < 3; dt++) {
        fgi_dtype d = dt == 0 ? FGI_F32 : dt == 1 ? FGI_F16 : FGI_BF16;
        tu_tensor *x = et_rand(d, 2, shape, 18 + dt, -5, 5);
        tu_tensor *y = tu_clone_contig(x);
        et_case c = {.op = "fast_gelu", .x = x};
        tu_tensor *ref = et_reference(&c, x);
        et_case in = {.op = "fast_gelu", .x = y};
        assert_int_equal(et_run(&in, &y->t), FG_OK); /* miss: profiled, in place */
        assert_int_equal(tu_compare(y, ref, TU_ATOL, tu_rtol(d), "profiled in place"), 0);
        tu_free(x);
        tu_free(y);
        tu_free(ref);
    }
    fg_exp_statistics s;
    assert_int_equal(fg_exp_stats(&s), FG_OK);
    assert_int_equal(s.profiled, 3);
    et_reset();
}

/* Perf cache off: every call decides (misses), results still right. */
static void test_no_cache(void **state)
{
    (void)state;
    et_reset();
    assert_int_equal(fg_exp_enable(0, 1, 0, "{\"enable_perf_cache\": false}"), FG_OK);
    int64_t shape[2] = {4, 128};
    tu_tensor *x = et_rand(FGI_F32, 2, shape, 21, -2, 2), *out = tu_new(FGI_F32, 2, shape, TU_CONTIG);
    tu_tensor *w = et_rand(FGI_F32, 1, &shape[1], 22, -1, 1);
    et_case c = {.op = "rms_norm", .x = x, .b = w, .eps = 1e-6};
    for (int i = 0; i < 4; i++) {
        assert_int_equal(et_run(&c, &out->t), FG_OK);
        assert_true(et_matches(&c, out, "no cache"));
    }
    fg_exp_statistics s;
    assert_int_equal(fg_exp_stats(&s), FG_OK);
    assert_int_equal(s.cache_misses, 4);
    assert_int_equal(s.cache_hits, 0);
    tu_free(x);
    tu_free(out);
    tu_free(w);
    et_reset();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_strategies),
        cmocka_unit_test(test_disabled),
        cmocka_unit_test(test_off_scope),
        cmocka_unit_test(test_quarantine),
        cmocka_unit_test(test_fallback_on_slow),
        cmocka_unit_test(test_denylist),
        cmocka_unit_test(test_groups),
        cmocka_unit_test(test_stats),
        cmocka_unit_test(test_warnings_and_debug_log),
        cmocka_unit_test(test_profiling_in_place),
        cmocka_unit_test(test_no_cache),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
