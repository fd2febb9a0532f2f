/* The performance tool (src/experimental/testing/performance.c): a
 * deliberately slower kernel ranks slower, the statistics agree with each
 * other, workspace comes from the library allocator, kernels that refuse
 * or fail are reported per row, the report names the machine, version and
 * build, default configs are valid calls, the timer seam is used, results
 * reach the performance database, and bad input is refused clearly.
 * Nothing here asserts on a time threshold: only on order and arithmetic. */
#define FG_EXPERIMENTAL_API
#include <flaggems/experimental.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "core/alloc.h"
#include "core/cpu.h"
#include "experimental/perfdb.h"
#include "experimental/testing/performance.h"
#include "ops/registry.h"
#include "testutil.h"

#define SLOW "relu.cpu.custom.test_perf_slow"
#define WS "relu.cpu.custom.test_perf_ws"
#define PICKY "relu.cpu.custom.test_perf_picky"
#define FAIL "relu.cpu.custom.test_perf_fail"

static void relu_f32(const fg_exp_call *c)
{
    int64_t n = 1;
    for (int d = 0; d < c->out->ndim; d++) n *= c->out->shape[d];
    const float *x = c->in[0]->data;
    float *o = c->out->data;
    for (int64_t i = 0; i < n; i++) o[i] = x[i] > 0 ? x[i] : 0.0f;
}

/* correct, and 100 us late */
static fg_status slow_run(const fg_exp_call *c, void *u)
{
    (void)u;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    do clock_gettime(CLOCK_MONOTONIC, &t1);
    while ((t1.tv_sec - t0.tv_sec) * 1000000000L + (t1.tv_nsec - t0.tv_nsec) < 100000L);
    relu_f32(c);
    return FG_OK;
}

/* correct, with a 1 MiB workspace from the library allocator */
static fg_status ws_run(const fg_exp_call *c, void *u)
{
    (void)u;
    void *w = fgi_alloc(1 << 20, "test workspace");
    if (!w) return FG_ERR_NO_MEMORY;
    memset(w, 0, 1 << 20);
    relu_f32(c);
    fgi_free(w, 1 << 20);
    return FG_OK;
}

static fg_status plain_run(const fg_exp_call *c, void *u)
{
    (void)u;
    relu_f32(c);
    return FG_OK;
}

static fg_status fail_run(const fg_exp_call *c, void *u)
{
    (void)c;
    (void)u;
    return FG_ERR_KERNEL;
}

static int dense_f32(const fg_exp_call *c, void *u)
{
    (void)u;
    return c->contiguous && c->out->dtype.bits == 32 && c->out->dtype.code == kDLFloat;
}

/* rows of 256 only */
static int picky(const fg_exp_call *c, void *u)
{
    return dense_f32(c, u) && c->out->shape[c->out->ndim - 1] == 256;
}

static int setup(void **state)
{
    (void)state;
    static const fg_exp_kernel ks[] = {
        {.id = SLOW, .op = "relu", .group = FG_EXP_GROUP_CUSTOM, .supports = dense_f32, .run = slow_run},
        {.id = WS, .op = "relu", .group = FG_EXP_GROUP_CUSTOM, .supports = dense_f32, .run = ws_run},
        {.id = PICKY, .op = "relu", .group = FG_EXP_GROUP_CUSTOM, .supports = picky, .run = plain_run},
        {.id = FAIL, .op = "relu", .group = FG_EXP_GROUP_CUSTOM, .supports = dense_f32, .run = fail_run}};
    return fg_exp_register_kernels(ks, sizeof ks / sizeof ks[0]) == FG_OK ? 0 : -1;
}

static const fgi_kernel *stable_relu(void)
{
    char id[64];
    snprintf(id, sizeof id, "relu.cpu.stable.%s", fg_cpu_isa_name());
    const fgi_kernel *k = fgi_kernel_find(id);
    assert_non_null(k);
    return k;
}

static fgi_perf_config relu_cfg(int64_t rows, int64_t cols)
{
    return (fgi_perf_config){
        .op = FGI_OP_relu, .dtype = FGI_F32, .ndim = 2, .shape = {rows, cols}, .dim = -1};
}

static fgi_perf_options quick(void)
{
    fgi_perf_options o;
    fgi_perf_options_default(&o);
    o.warmup = 1;
    o.repeat = 5;
    o.budget_ms = 5;
    return o;
}

static fgi_perf_report *bench(const fgi_kernel *k, const fgi_kernel *b, const fgi_perf_config *c, size_t n,
                              const fgi_perf_options *o)
{
    fgi_perf_report *r = NULL;
    fg_status s = fgi_perf_benchmark(k, &b, b ? 1 : 0, c, n, o, &r);
    if (s != FG_OK) print_error("benchmark: %s\n", fg_last_error());
    assert_int_equal(s, FG_OK);
    return r;
}

/* ---------------------------------------------------------------- ranking */

static void test_slower_kernel_ranks_slower(void **state)
{
    (void)state;
    const fgi_kernel *slow = fgi_kernel_find(SLOW), *stable = stable_relu();
    fgi_perf_config c[2] = {relu_cfg(64, 256), relu_cfg(1, 4096)};
    fgi_perf_options o = quick();
    fgi_perf_report *r = bench(slow, stable, c, 2, &o);
    assert_int_equal(r->ncand, 2);
    assert_ptr_equal(r->cands[0], slow);
    assert_ptr_equal(r->cands[1], stable);
    for (size_t i = 0; i < 2; i++) {
        const fgi_perf_result *k = &r->results[i * 2], *b = &k[1];
        assert_int_equal(k->status, FG_OK);
        assert_int_equal(b->status, FG_OK);
        assert_true(k->median_ns > b->median_ns);
        assert_true(k->min_ns > b->median_ns);
    }
    assert_int_equal(r->speedup[1].configs, 2);
    assert_true(r->speedup[1].mean < 1 && r->speedup[1].geomean < 1 && r->speedup[1].max < 1);
    fgi_perf_report_free(r);

    /* the other way round: the stable kernel is faster than that baseline */
    r = bench(stable, slow, c, 2, &o);
    assert_true(r->speedup[1].min > 1);
    fgi_perf_report_free(r);
}

/* ---------------------------------------------------------------- statistics */

static void test_statistics_agree(void **state)
{
    (void)state;
    const fgi_kernel *stable = stable_relu(), *ref = fgi_kernel_find("relu.cpu.reference");
    fgi_perf_config c[3] = {relu_cfg(64, 256), relu_cfg(1, 4096), relu_cfg(3, 333)};
    fgi_perf_options o = quick();
    fgi_perf_report *r = bench(stable, ref, c, 3, &o);
    double sum = 0, lsum = 0;
    for (size_t i = 0; i < 3; i++) {
        int64_t numel = c[i].shape[0] * c[i].shape[1];
        for (int j = 0; j < 2; j++) {
            const fgi_perf_result *x = &r->results[i * 2 + (size_t)j];
            assert_int_equal(x->status, FG_OK);
            assert_true(x->samples >= o.repeat && x->samples <= o.max_samples);
            assert_true(x->batch >= 1);
            assert_true(x->min_ns <= x->p10_ns && x->p10_ns <= x->median_ns && x->median_ns <= x->p90_ns);
            assert_true(x->min_ns > 0);
            assert_true(fabs(x->spread - (x->p90_ns - x->p10_ns) / x->median_ns) < 1e-12);
            /* relu reads x and writes out: 8 bytes per float32 element */
            assert_true(fabs(x->gbps * x->median_ns - 8.0 * (double)numel) < 1e-6 * 8.0 * (double)numel);
            assert_true(fabs(x->gflops * x->median_ns - (double)numel) < 1e-6 * (double)numel);
            assert_int_equal(x->workspace_bytes, 0);
        }
        double s = r->results[i * 2 + 1].median_ns / r->results[i * 2].median_ns;
        sum += s;
        lsum += log(s);
    }
    /* FlagGems: mean over shapes of baseline / kernel; and the geometric mean */
    assert_true(fabs(r->speedup[1].mean - sum / 3) < 1e-9 * sum);
    assert_true(fabs(r->speedup[1].geomean - exp(lsum / 3)) < 1e-9 * sum);
    assert_true(r->speedup[1].geomean <= r->speedup[1].mean * (1 + 1e-12));
    fgi_perf_report_free(r);

    /* max_samples caps sampling; no noise target: exactly that many */
    o.max_samples = o.repeat = 7;
    o.target_noise = 0;
    o.budget_ms = 1000;
    r = bench(stable, NULL, c, 1, &o);
    for (int j = 0; j < r->ncand; j++) assert_int_equal(r->results[j].samples, 7);
    fgi_perf_report_free(r);
}

static void test_workspace_from_allocator(void **state)
{
    (void)state;
    fgi_perf_config c = relu_cfg(64, 256);
    fgi_perf_options o = quick();
    fgi_perf_report *r = bench(fgi_kernel_find(WS), stable_relu(), &c, 1, &o);
    assert_int_equal(r->results[0].workspace_bytes, 1 << 20);
    assert_int_equal(r->results[1].workspace_bytes, 0);
    char *md;
    assert_int_equal(fgi_perf_render_markdown(r, &md), FG_OK);
    assert_non_null(strstr(md, "1.0 MiB"));
    free(md);
    fgi_perf_report_free(r);
}

/* ---------------------------------------------------------------- refusals */

static void test_refusing_and_failing_kernels(void **state)
{
    (void)state;
    fgi_perf_config c[2] = {relu_cfg(64, 256), relu_cfg(64, 100)};
    fgi_perf_options o = quick();
    fgi_perf_report *r = bench(fgi_kernel_find(PICKY), stable_relu(), c, 2, &o);
    assert_int_equal(r->results[0].status, FG_OK);
    assert_int_equal(r->results[2].status, FG_ERR_UNSUPPORTED);
    assert_int_equal(r->results[3].status, FG_OK); /* the baseline still measured */
    assert_int_equal(r->speedup[1].configs, 1);
    char *md, *js;
    assert_int_equal(fgi_perf_render_markdown(r, &md), FG_OK);
    assert_non_null(strstr(md, "FG_ERR_UNSUPPORTED: does not accept this call"));
    assert_int_equal(fgi_perf_render_json(r, &js), FG_OK);
    assert_non_null(strstr(js, "\"status\": \"FG_ERR_UNSUPPORTED\""));
    free(md);
    free(js);
    fgi_perf_report_free(r);

    r = bench(fgi_kernel_find(FAIL), stable_relu(), c, 1, &o);
    assert_int_equal(r->results[0].status, FG_ERR_KERNEL);
    assert_int_equal(r->speedup[1].configs, 0);
    assert_int_equal(fgi_perf_render_json(r, &js), FG_OK);
    json_t *root = json_loads(js, 0, NULL);
    assert_non_null(root);
    assert_true(json_is_null(
        json_object_get(json_object_get(json_object_get(root, "speedup"), stable_relu()->id), "mean")));
    json_decref(root);
    free(js);
    fgi_perf_report_free(r);
}

/* ---------------------------------------------------------------- report */

static const char *jstr(json_t *o, const char *a, const char *b)
{
    json_t *x = json_object_get(o, a);
    if (b) x = json_object_get(x, b);
    assert_true(json_is_string(x));
    return json_string_value(x);
}

static void test_report_contents(void **state)
{
    (void)state;
    const fgi_kernel *stable = stable_relu();
    fg_exp_bench_options o = {.warmup = 1, .repeat = 5, .budget_ms = 5};
    char *md = NULL, *js = NULL;
    fg_status s = fg_exp_benchmark(stable->id, NULL,
                                   "[{\"shape\": [64, 256], \"label\": \"small rows\"},"
                                   " {\"shape\": [2, 4096], \"dtype\": \"bfloat16\"}]",
                                   &o, &md, &js);
    if (s != FG_OK) print_error("%s\n", fg_last_error());
    assert_int_equal(s, FG_OK);
    char machine[160], fp[20], build[FGI_SIGNATURE_LEN], head[128];
    fgi_machine_describe(machine, sizeof machine);
    fgi_machine_fingerprint(fp, sizeof fp);
    fgi_build_signature(build, sizeof build);
    snprintf(head, sizeof head, "## Performance: `%s`", stable->id);
    const fgi_kernel *defb[4];
    int nb = fgi_perf_default_baselines(stable, defb, 4);
    assert_true(nb >= 1);
    assert_string_equal(defb[nb - 1]->id, "relu.cpu.reference");

    /* Markdown: the machine, version, build, baselines, both tables */
    assert_ptr_equal(strstr(md, head), md);
    assert_non_null(strstr(md, machine));
    assert_non_null(strstr(md, fp));
    assert_non_null(strstr(md, build));
    assert_non_null(strstr(md, fg_version()));
    assert_non_null(strstr(md, "### Speedup"));
    assert_non_null(strstr(md, "### Per config"));
    assert_non_null(strstr(md, "(small rows)"));
    assert_non_null(strstr(md, "bfloat16"));
    for (int i = 0; i < nb; i++) assert_non_null(strstr(md, defb[i]->id));

    /* JSON: the same content */
    json_error_t err;
    json_t *root = json_loads(js, 0, &err);
    assert_non_null(root);
    assert_string_equal(jstr(root, "machine", "description"), machine);
    assert_string_equal(jstr(root, "machine", "fingerprint"), fp);
    assert_string_equal(jstr(root, "library", "version"), fg_version());
    assert_string_equal(jstr(root, "library", "build_signature"), build);
    assert_string_equal(jstr(root, "kernel", NULL), stable->id);
    json_t *bl = json_object_get(root, "baselines");
    assert_int_equal(json_array_size(bl), nb);
    for (int i = 0; i < nb; i++)
        assert_string_equal(json_string_value(json_array_get(bl, (size_t)i)), defb[i]->id);
    json_t *res = json_object_get(root, "results");
    assert_int_equal(json_array_size(res), 2);
    json_t *c1 = json_array_get(res, 1);
    assert_string_equal(jstr(c1, "dtype", NULL), "bfloat16");
    assert_int_equal(json_integer_value(json_array_get(json_object_get(c1, "shape"), 1)), 4096);
    json_t *cands = json_object_get(c1, "candidates");
    assert_int_equal(json_array_size(cands), nb + 1);
    double kmed = json_real_value(json_object_get(json_array_get(cands, 0), "median_ns"));
    for (int i = 0; i < nb; i++) {
        json_t *x = json_array_get(cands, (size_t)i + 1);
        assert_string_equal(jstr(x, "kernel", NULL), defb[i]->id);
        double sp = json_real_value(json_object_get(x, "speedup"));
        double med = json_real_value(json_object_get(x, "median_ns"));
        assert_true(fabs(sp - med / kmed) < 1e-4 * sp);
        json_t *sum = json_object_get(json_object_get(root, "speedup"), defb[i]->id);
        assert_int_equal(json_integer_value(json_object_get(sum, "configs")), 2);
    }
    json_decref(root);
    fg_exp_free(md);
    fg_exp_free(js);
}

/* ---------------------------------------------------------------- defaults */

static void test_default_configs_are_valid_calls(void **state)
{
    (void)state;
    fgi_perf_options o = quick();
    o.warmup = 0;
    o.repeat = o.max_samples = 1;
    for (int op = 0; op < FGI_OP_COUNT; op++) {
        fgi_perf_config *c;
        size_t n;
        assert_int_equal(fgi_perf_default_configs((fgi_op)op, &c, &n), FG_OK);
        assert_true(n >= 6);
        unsigned dts = 0;
        for (size_t i = 0; i < n; i++) {
            assert_int_equal(c[i].op, op);
            dts |= FGI_DTYPE_BIT(c[i].dtype);
        }
        assert_int_equal(dts, FGI_DTYPES_ALL);
        /* the op's stable kernel (fast_gelu: its portable custom kernel) on
         * every float32 config (the shapes repeat in each dtype) */
        char id[64];
        snprintf(id, sizeof id, "%s.cpu.reference", fgi_op_name((fgi_op)op));
        const fgi_kernel *ref = fgi_kernel_find(id), *k = ref, *b[2];
        assert_non_null(ref);
        if (fgi_perf_default_baselines(ref, b, 2) >= 1 && b[0]->tier == FGI_TIER_STABLE) k = b[0];
        if (op == FGI_OP_fast_gelu) k = fgi_kernel_find("fast_gelu.cpu.custom.generic_v1");
        assert_non_null(k);
        size_t nf = 0;
        for (size_t i = 0; i < n; i++)
            if (c[i].dtype == FGI_F32) c[nf++] = c[i];
        n = nf;
        fgi_perf_report *r = bench(k, k, c, n, &o); /* k as its own baseline: one candidate */
        assert_int_equal(r->ncand, 1);
        for (size_t i = 0; i < n; i++) {
            if (r->results[i].status != FG_OK)
                print_error("%s config %zu: %s\n", k->id, i, r->results[i].error);
            assert_int_equal(r->results[i].status, FG_OK);
        }
        fgi_perf_report_free(r);
        free(c);
    }
    fgi_perf_config *c;
    size_t n;
    assert_int_equal(fgi_perf_default_configs(FGI_OP_COUNT, &c, &n), FG_ERR_INVALID_ARG);
}

/* ---------------------------------------------------------------- timer seam */

typedef struct fake_timer {
    int starts, flushes;
} fake_timer;

static void fk_start(void *ctx) { ((fake_timer *)ctx)->starts++; }
static int64_t fk_stop(void *ctx)
{
    (void)ctx;
    return 1000;
}
static void fk_flush(void *ctx) { ((fake_timer *)ctx)->flushes++; }

static void test_timer_seam(void **state)
{
    (void)state;
    fake_timer ft = {0};
    fgi_perf_timer t = {"fake-events", &ft, fk_start, fk_stop, fk_flush};
    fgi_perf_options o = quick();
    o.timer = &t;
    o.warmup = 2;
    o.repeat = o.max_samples = 4;
    fgi_perf_config c = relu_cfg(8, 8);
    fgi_perf_report *r = bench(stable_relu(), fgi_kernel_find("relu.cpu.reference"), &c, 1, &o);
    /* every timed run went through the timer, each after a flush, one run per sample */
    assert_int_equal(ft.starts, 2 * (2 + 4));
    assert_int_equal(ft.flushes, ft.starts);
    for (int j = 0; j < 2; j++) {
        assert_int_equal(r->results[j].batch, 1);
        assert_true(r->results[j].median_ns == 1000);
    }
    assert_string_equal(r->timer, "fake-events");
    fgi_perf_report_free(r);
}

/* ---------------------------------------------------------------- database */

static void test_results_recorded(void **state)
{
    (void)state;
    fgi_perfdb_shared_reset(); /* FLAGGEMS_EXP_PERF_DB from the test's environment */
    fgi_perfdb *db = fgi_perfdb_shared();
    assert_non_null(db);
    int64_t before, after;
    assert_int_equal(fgi_perfdb_count(db, NULL, NULL, &before), FG_OK);
    fgi_perf_config c[2] = {relu_cfg(64, 256), relu_cfg(64, 100)};
    fgi_perf_options o = quick();
    o.record = true;
    fgi_perf_report *r = bench(fgi_kernel_find(PICKY), stable_relu(), c, 2, &o);
    assert_int_equal(r->recorded, 3); /* the refused config has no row of the kernel */
    assert_int_equal(fgi_perfdb_count(db, NULL, NULL, &after), FG_OK);
    assert_int_equal(after - before, 3);
    char *md;
    assert_int_equal(fgi_perf_render_markdown(r, &md), FG_OK);
    assert_non_null(strstr(md, "3 rows recorded"));
    free(md);
    fgi_perf_report_free(r);
    fgi_perfdb_shared_reset();
}

/* ---------------------------------------------------------------- bad input */

static void expect(fg_status got, fg_status want, const char *needle)
{
    if (got != want || !strstr(fg_last_error(), needle))
        print_error("got %s \"%s\", want %s with \"%s\"\n", fg_status_name(got), fg_last_error(),
                    fg_status_name(want), needle);
    assert_int_equal(got, want);
    assert_non_null(strstr(fg_last_error(), needle));
}

static void test_bad_input(void **state)
{
    (void)state;
    char *md = (char *)1, *js = (char *)1;
    fg_exp_bench_options o = {.warmup = 1, .repeat = 2, .budget_ms = 1};
    const char *id = stable_relu()->id;
    expect(fg_exp_benchmark(NULL, NULL, NULL, &o, &md, &js), FG_ERR_NULL, "kernel_id");
    assert_null(md);
    assert_null(js);
    expect(fg_exp_benchmark("relu.cpu.nope", NULL, NULL, &o, &md, NULL), FG_ERR_NOT_FOUND, "relu.cpu.nope");
    expect(fg_exp_benchmark(id, "gelu.cpu.reference", "[{\"shape\": [4]}]", &o, &md, NULL),
           FG_ERR_INVALID_ARG, "gelu kernel");
    expect(fg_exp_benchmark(id, "x.y", "[{\"shape\": [4]}]", &o, &md, NULL), FG_ERR_NOT_FOUND, "x.y");
    expect(fg_exp_benchmark(id, NULL, "[{\"shape\": [4]", &o, &md, NULL), FG_ERR_PARSE, "line 1");
    expect(fg_exp_benchmark(id, NULL, "[]", &o, &md, NULL), FG_ERR_INVALID_ARG, "non-empty");
    expect(fg_exp_benchmark(id, NULL, "[{\"shape\": [4], \"colour\": 1}]", &o, &md, NULL), FG_ERR_INVALID_ARG,
           "colour");
    expect(fg_exp_benchmark(id, NULL, "[{\"shape\": [4], \"dtype\": \"int8\"}]", &o, &md, NULL),
           FG_ERR_INVALID_ARG, "int8");
    expect(fg_exp_benchmark(id, NULL, "[{\"shape\": [-4]}]", &o, &md, NULL), FG_ERR_INVALID_ARG, "shape[0]");
    expect(fg_exp_benchmark(id, NULL, "[{\"dtype\": \"float32\"}]", &o, &md, NULL), FG_ERR_INVALID_ARG,
           "shape is required");
    expect(fg_exp_benchmark(id, NULL, "[{\"shape\": [4000000000, 4000000000]}]", &o, &md, NULL),
           FG_ERR_OVERFLOW, "config 0");
    expect(fg_exp_benchmark("mm.cpu.reference", NULL, "[{\"shape\": [2, 3, 4], \"n\": 4}]", &o, &md, NULL),
           FG_ERR_SHAPE, "2-dim");
    expect(fg_exp_benchmark("mm.cpu.reference", NULL, "[{\"shape\": [2, 3]}]", &o, &md, NULL), FG_ERR_SHAPE,
           "n >= 1");
    expect(fg_exp_benchmark("softmax.cpu.reference", NULL, "[{\"shape\": [2, 3], \"dim\": \"all\"}]", &o, &md,
                            NULL),
           FG_ERR_INVALID_ARG, "softmax needs a dim");
    expect(fg_exp_benchmark("sum.cpu.reference", NULL, "[{\"shape\": [2, 3], \"dim\": 2}]", &o, &md, NULL),
           FG_ERR_INVALID_ARG, "dim 2 out of range");
    o.budget_ms = -1;
    expect(fg_exp_benchmark(id, NULL, "[{\"shape\": [4]}]", &o, &md, NULL), FG_ERR_INVALID_ARG, "budget_ms");
    o.budget_ms = 1;
    o.target_noise = 2;
    expect(fg_exp_benchmark(id, NULL, "[{\"shape\": [4]}]", &o, &md, NULL), FG_ERR_INVALID_ARG,
           "target_noise");
    assert_null(md);

    /* internal: configs of another op, too many baselines */
    fgi_perf_report *r = (fgi_perf_report *)1;
    fgi_perf_config gc = {.op = FGI_OP_gelu, .dtype = FGI_F32, .ndim = 1, .shape = {4}};
    expect(fgi_perf_benchmark(stable_relu(), NULL, 0, &gc, 1, NULL, &r), FG_ERR_INVALID_ARG, "gelu config");
    assert_null(r);
    const fgi_kernel *many[FGI_PERF_MAX_CANDS];
    for (int i = 0; i < FGI_PERF_MAX_CANDS; i++) many[i] = stable_relu();
    expect(fgi_perf_benchmark(stable_relu(), many, FGI_PERF_MAX_CANDS, NULL, 0, NULL, &r), FG_ERR_INVALID_ARG,
           "baselines");
    /* a refused call leaves nothing behind and a later call works */
    fgi_perf_config c = relu_cfg(2, 2);
    fgi_perf_options q = quick();
    r = bench(stable_relu(), NULL, &c, 1, &q);
    fgi_perf_report_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_slower_kernel_ranks_slower),
        cmocka_unit_test(test_statistics_agree),
        cmocka_unit_test(test_workspace_from_allocator),
        cmocka_unit_test(test_refusing_and_failing_kernels),
        cmocka_unit_test(test_report_contents),
        cmocka_unit_test(test_default_configs_are_valid_calls),
        cmocka_unit_test(test_timer_seam),
        cmocka_unit_test(test_results_recorded),
        cmocka_unit_test(test_bad_input),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
