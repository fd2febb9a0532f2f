/* The accuracy tool (src/experimental/testing/accuracy.h) and its reports
 * (report.h):
 *  - every real kernel (stable, custom, generated) passes over the default
 *    configurations in all three dtypes, under both tolerance tables;
 *  - deliberately wrong kernels registered with fg_exp_register_kernels
 *    are caught: a bias a few ulps beyond the tolerance, one wrong element,
 *    one NaN, an unwritten element, a write outside the output view, a
 *    modified input, an error return; a bias of half the tolerance passes;
 *  - default configurations: >= 20 shapes per op and dtype, edge cases,
 *    large tier over 1 GiB;
 *  - the template filler, the Markdown and JSON reports (parsed back), and
 *    recording into a temporary metadata file. */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testutil.h"

#define FG_EXPERIMENTAL_API
#include "core/cpu.h"
#include "experimental/graduation/graduation.h"
#include "experimental/testing/accuracy.h"
#include "experimental/testing/report.h"
#include "flaggems/experimental.h"
#include "ops/registry.h"

/* ---------------------------------------------------------------- real kernels */

static void check_real_kernels(const fgi_acc_tolerances *tol, unsigned dtypes, const char *name)
{
    int n;
    const fgi_kernel *const *ks = fgi_kernels(&n);
    int validated = 0;
    for (int i = 0; i < n; i++) {
        const fgi_kernel *k = ks[i];
        if (k->tier == FGI_TIER_REFERENCE || k->ext) continue;
        fgi_acc_report *r = NULL;
        assert_int_equal(fgi_acc_validate_id(k->id, FGI_ACC_TIER_DEFAULT, dtypes, tol, NULL, &r), FG_OK);
        bool available = (k->isa & ~fg_cpu_features()) == 0;
        for (size_t c = 0; c < r->n_cases; c++)
            if (r->cases[c].outcome == FGI_ACC_FAIL) {
                char d[256];
                fgi_acc_config_describe(&r->cases[c].config, d, sizeof d);
                print_error("%s (%s tolerances): %s: %s\n", k->id, name, d, r->cases[c].message);
            }
        assert_int_equal(r->failed, 0);
        if (!available) {
            /* this CPU cannot run it: every configuration is skipped */
            assert_int_equal(r->skipped, (int64_t)r->n_cases);
            assert_false(r->ok);
            assert_non_null(strstr(r->cases[0].message, "CPU features"));
        } else {
            assert_true(r->ok);
            for (int d = FGI_F32; d <= FGI_BF16; d++)
                if (k->dtypes & dtypes & FGI_DTYPE_BIT(d)) assert_true(r->dtypes[d].passed > 0);
            /* graduation asks for 20 distinct shapes: shape-specialized
             * kernels reach them too. Generated kernels (dense layouts,
             * narrow predicates such as one hidden size) are exempt: the
             * tables hold too few of their shapes, tests/codegen covers
             * them, and their graduation check reports the count. */
            fgi_meta_coverage *cov;
            size_t ncov;
            assert_int_equal(fgi_acc_coverage(r, &cov, &ncov), FG_OK);
            assert_true(ncov >= 1);
            if (cov[0].n_shapes < 20 && k->group != FGI_GROUP_GENERATED)
                fail_msg("%s covers %zu shapes", k->id, cov[0].n_shapes);
            free(cov);
            validated++;
        }
        fgi_acc_report_free(r);
    }
    assert_true(validated >= (fg_cpu_features() & FG_CPU_AVX2 ? 20 : 14));
}

static void test_real_kernels_default(void **state)
{
    (void)state;
    check_real_kernels(fgi_acc_tolerances_default(), FGI_DTYPES_ALL, "default");
}

static void test_real_kernels_flaggems(void **state)
{
    (void)state;
    /* the tables differ only in float32 */
    check_real_kernels(fgi_acc_tolerances_flaggems(), FGI_DTYPE_BIT(FGI_F32), "flaggems");
}

/* ---------------------------------------------------------------- wrong kernels */

typedef enum wrong {
    W_EXACT,          /* correct: a + alpha * b computed in double */
    W_BIAS_BEYOND,    /* every finite element 3 ulps beyond the default bound */
    W_BIAS_WITHIN,    /* every finite element at half the default bound */
    W_ONE_WRONG,      /* the middle element + 1 */
    W_ONE_NAN,        /* the middle element NaN */
    W_UNWRITTEN,      /* the middle element never written */
    W_GAP_WRITE,      /* strided outputs: also writes the slot after the last element */
    W_MODIFY_INPUT,   /* negates a[0] after computing */
    W_ERROR,          /* returns FG_ERR_KERNEL */
    W_NO_F16,         /* correct, but supports() declines float16 */
    W_REL_1E4,        /* relative error 1e-4: within the default table, not FlagGems' */
    W_COUNT
} wrong;

static const char *const wrong_ids[W_COUNT] = {
    "add.cpu.custom.test_exact",     "add.cpu.custom.test_bias_beyond",
    "add.cpu.custom.test_bias_within", "add.cpu.custom.test_one_wrong",
    "add.cpu.custom.test_one_nan",   "add.cpu.custom.test_unwritten",
    "add.cpu.custom.test_gap_write", "add.cpu.custom.test_modify_input",
    "add.cpu.custom.test_error",     "add.cpu.custom.test_no_f16",
    "add.cpu.custom.test_rel_1e4"};

static fgi_dtype dt_of(const DLTensor *t)
{
    return t->dtype.code == kDLBfloat ? FGI_BF16 : t->dtype.bits == 16 ? FGI_F16 : FGI_F32;
}

/* Byte address of row-major element i of a view (byte_offset is 0 for
 * run-time kernels, strides always set). */
static char *at(const DLTensor *t, int64_t i)
{
    int64_t off = 0;
    for (int d = t->ndim - 1; d >= 0; d--) {
        off += (i % t->shape[d]) * t->strides[d];
        i /= t->shape[d];
    }
    return (char *)t->data + off * (t->dtype.bits / 8);
}

static int64_t numel(const DLTensor *t)
{
    int64_t n = 1;
    for (int d = 0; d < t->ndim; d++) n *= t->shape[d];
    return n;
}

/* The stored value one ulp above v's (positive direction). */
static void step_up(char *p, fgi_dtype dt)
{
    double v = fgi_load_f64(p, dt);
    if (dt == FGI_F32) {
        *(float *)p = nextafterf((float)v, INFINITY);
        return;
    }
    uint16_t h;
    memcpy(&h, p, 2);
    if (v == 0) h = 1;                  /* smallest positive denormal */
    else h = (uint16_t)(v > 0 ? h + 1 : h - 1);
    memcpy(p, &h, 2);
}

static fg_status wrong_run(const fg_exp_call *call, void *user)
{
    wrong w = (wrong)(intptr_t)user;
    if (w == W_ERROR) return FG_ERR_KERNEL;
    const DLTensor *a = call->in[0], *b = call->in[1];
    DLTensor *out = call->out;
    fgi_dtype dt = dt_of(out);
    const fgi_acc_tolerance *tol = &fgi_acc_tolerances_default()->dtype[dt];
    int64_t n = numel(out), mid = n / 2;
    for (int64_t i = 0; i < n; i++) {
        if (w == W_UNWRITTEN && i == mid) continue;
        double r = fgi_load_f64(at(a, i), dt) + call->alpha * fgi_load_f64(at(b, i), dt);
        char *p = at(out, i);
        if (w == W_REL_1E4) r *= 1 + 1e-4;
        fgi_store_f64(p, dt, r);
        /* biases are relative to the rounded result, as the tool sees it */
        double ref = fgi_load_f64(p, dt), bound = tol->atol + tol->rtol * fabs(ref);
        if (w == W_BIAS_WITHIN && isfinite(r)) fgi_store_f64(p, dt, ref + 0.5 * bound);
        if (w == W_BIAS_BEYOND && isfinite(r)) {
            fgi_store_f64(p, dt, ref + bound);
            while (fgi_load_f64(p, dt) - ref <= bound) step_up(p, dt);
            step_up(p, dt);
            step_up(p, dt);
        }
        if (w == W_ONE_WRONG && i == mid) fgi_store_f64(p, dt, r + 1.0);
        if (w == W_ONE_NAN && i == mid) fgi_store_f64(p, dt, NAN);
    }
    int last = out->ndim - 1;
    if (w == W_GAP_WRITE && n > 0 && out->ndim > 0 && out->strides[last] == 2)
        fgi_store_f64(at(out, n - 1) + out->dtype.bits / 8, dt, 1.0);
    if (w == W_MODIFY_INPUT && numel(a) > 0) {
        char *p = at(a, 0);
        fgi_store_f64(p, dt, -fgi_load_f64(p, dt) - 1);
    }
    return FG_OK;
}

static int no_f16(const fg_exp_call *call, void *user)
{
    (void)user;
    return dt_of(call->out) != FGI_F16;
}

static void register_wrong_kernels(void)
{
    static bool done = false;
    if (done) return;
    fg_exp_kernel ks[W_COUNT];
    for (int w = 0; w < W_COUNT; w++)
        ks[w] = (fg_exp_kernel){.id = wrong_ids[w],
                                .op = "add",
                                .group = FG_EXP_GROUP_CUSTOM,
                                .dtypes = FG_EXP_DTYPE_ALL,
                                .supports = w == W_NO_F16 ? no_f16 : NULL,
                                .run = wrong_run,
                                .user = (void *)(intptr_t)w};
    assert_int_equal(fg_exp_register_kernels(ks, W_COUNT), FG_OK);
    done = true;
}

static fgi_acc_report *validate_wrong(wrong w, const fgi_acc_tolerances *tol)
{
    register_wrong_kernels();
    fgi_acc_report *r = NULL;
    fg_status s = fgi_acc_validate_id(wrong_ids[w], FGI_ACC_TIER_DEFAULT, 0, tol, NULL, &r);
    if (s != FG_OK) fail_msg("%s: %s", wrong_ids[w], fg_last_error());
    return r;
}

/* Elements whose reference is finite (no NaN/Inf inputs) in a case. */
static bool plain(const fgi_acc_case *k) { return !k->config.specials && k->checked > 0; }

static void test_correct_test_kernel_passes(void **state)
{
    (void)state;
    fgi_acc_report *r = validate_wrong(W_EXACT, NULL);
    assert_true(r->ok);
    assert_int_equal(r->failed, 0);
    assert_int_equal(r->skipped, 0);
    for (size_t i = 0; i < r->n_cases; i++) assert_true(r->cases[i].max_abs_error == 0);
    fgi_acc_report_free(r);
    r = validate_wrong(W_BIAS_WITHIN, NULL);
    assert_true(r->ok);
    for (int d = FGI_F32; d <= FGI_BF16; d++) {
        assert_true(r->dtypes[d].worst_ratio > 0.2);
        assert_true(r->dtypes[d].worst_ratio <= 1.0);
    }
    fgi_acc_report_free(r);
}

static void test_bias_beyond_tolerance(void **state)
{
    (void)state;
    fgi_acc_report *r = validate_wrong(W_BIAS_BEYOND, NULL);
    assert_false(r->ok);
    for (size_t i = 0; i < r->n_cases; i++) {
        const fgi_acc_case *k = &r->cases[i];
        if (!plain(k)) continue;
        assert_int_equal(k->outcome, FGI_ACC_FAIL);
        assert_int_equal(k->mismatches, k->checked);
        assert_true(k->worst_ratio > 1.0);
        /* a few ulps beyond: 3 ulps of bfloat16 are ~1.5 bounds */
        assert_true(k->worst_ratio < 5);
        if (k->config.dtype == FGI_F32) assert_true(k->worst_ratio < 1.01);
        assert_int_equal(k->nan_mismatches + k->inf_mismatches + k->unwritten, 0);
        assert_non_null(strstr(k->message, "elements wrong"));
    }
    assert_true(r->failed >= 20 * 3);
    fgi_acc_report_free(r);
}

static void test_one_wrong_element(void **state)
{
    (void)state;
    wrong ws[3] = {W_ONE_WRONG, W_ONE_NAN, W_UNWRITTEN};
    for (int j = 0; j < 3; j++) {
        fgi_acc_report *r = validate_wrong(ws[j], NULL);
        assert_false(r->ok);
        int64_t failed = 0;
        for (size_t i = 0; i < r->n_cases; i++) {
            const fgi_acc_case *k = &r->cases[i];
            if (!plain(k)) continue;
            assert_int_equal(k->outcome, FGI_ACC_FAIL);
            assert_int_equal(k->mismatches, 1);
            assert_int_equal(k->worst_index, k->checked / 2);
            assert_int_equal(k->nan_mismatches, ws[j] == W_ONE_NAN);
            assert_int_equal(k->unwritten, ws[j] == W_UNWRITTEN);
            if (ws[j] == W_ONE_WRONG) assert_true(fabs(k->worst_out - k->worst_ref) > 0.9);
            failed++;
        }
        assert_true(failed >= 20 * 3 && failed <= r->failed);
        fgi_acc_report_free(r);
    }
}

static void test_writes_outside_and_inputs(void **state)
{
    (void)state;
    fgi_acc_report *r = validate_wrong(W_GAP_WRITE, NULL);
    int strided = 0;
    for (size_t i = 0; i < r->n_cases; i++) {
        const fgi_acc_case *k = &r->cases[i];
        bool gap = k->config.layout == FGI_ACC_STRIDED;
        assert_int_equal(k->outcome, gap ? FGI_ACC_FAIL : FGI_ACC_PASS);
        assert_int_equal(k->written_outside, gap ? 1 : 0);
        strided += gap;
    }
    assert_int_equal(strided, 3);
    fgi_acc_report_free(r);

    r = validate_wrong(W_MODIFY_INPUT, NULL);
    for (size_t i = 0; i < r->n_cases; i++) {
        const fgi_acc_case *k = &r->cases[i];
        if (k->checked == 0) continue;
        assert_int_equal(k->outcome, FGI_ACC_FAIL);
        assert_true(k->inputs_modified);
        assert_non_null(strstr(k->message, "modified its inputs"));
    }
    fgi_acc_report_free(r);
}

static void test_error_and_skip(void **state)
{
    (void)state;
    fgi_acc_report *r = validate_wrong(W_ERROR, NULL);
    assert_false(r->ok);
    for (size_t i = 0; i < r->n_cases; i++) {
        const fgi_acc_case *k = &r->cases[i];
        if (k->checked == 0 && k->status == FG_OK) continue; /* empty: the op never calls it */
        assert_int_equal(k->outcome, FGI_ACC_FAIL);
        assert_int_equal(k->status, FG_ERR_KERNEL);
        assert_non_null(strstr(k->message, "the kernel failed"));
    }
    fgi_acc_report_free(r);

    r = validate_wrong(W_NO_F16, NULL);
    assert_true(r->ok);
    assert_true(r->dtypes[FGI_F16].skipped >= 20);
    for (size_t i = 0; i < r->n_cases; i++) {
        const fgi_acc_case *k = &r->cases[i];
        /* float16 is declined, except where the op has nothing to compute
         * (empty outputs never reach a kernel) */
        if (k->config.dtype == FGI_F16)
            assert_true(k->outcome == FGI_ACC_SKIP || (k->outcome == FGI_ACC_PASS && !k->checked));
    }
    assert_true(r->dtypes[FGI_F32].passed > 20 && r->dtypes[FGI_BF16].passed > 20);
    fgi_meta_coverage *cov;
    size_t n;
    assert_int_equal(fgi_acc_coverage(r, &cov, &n), FG_OK);
    /* skipped configurations are not coverage */
    assert_int_equal(n, 3);
    assert_string_equal(cov[1].dtype, "float16");
    assert_true(cov[1].n_shapes <= 2 && cov[0].n_shapes >= 20);
    free(cov);
    fgi_acc_report_free(r);
}

/* Another kernel as the reference: a stable one takes everything; a
 * shape-specialized one makes the configurations it declines skips. */
static void test_other_reference(void **state)
{
    (void)state;
    const fgi_kernel *stable = fgi_kernel_find("softmax.cpu.stable.generic");
    const fgi_kernel *custom = fgi_kernel_find("softmax.cpu.custom.rows_le_1024_v1");
    if ((custom->isa & ~fg_cpu_features()) != 0) skip();
    fgi_acc_config *cs;
    size_t n;
    assert_int_equal(fgi_acc_default_configs(FGI_OP_softmax, 0, FGI_DTYPE_BIT(FGI_F32), &cs, &n),
                     FG_OK);
    fgi_acc_report *r;
    assert_int_equal(fgi_acc_validate(custom, stable, cs, n, NULL, NULL, &r), FG_OK);
    assert_true(r->ok);
    assert_string_equal(r->reference, "softmax.cpu.stable.generic");
    int64_t skipped = r->skipped;
    fgi_acc_report_free(r);
    assert_int_equal(fgi_acc_validate(stable, custom, cs, n, NULL, NULL, &r), FG_OK);
    assert_true(r->ok);
    assert_int_equal(r->skipped, skipped);
    for (size_t i = 0; i < n; i++)
        if (r->cases[i].outcome == FGI_ACC_SKIP)
            assert_non_null(strstr(r->cases[i].message, "reference kernel does not take it"));
    fgi_acc_report_free(r);
    fgi_acc_configs_free(cs);
}

static void test_tolerance_tables(void **state)
{
    (void)state;
    /* 1e-4 relative: inside the seed's float32 rtol 1e-3, outside FlagGems' 1.3e-6 */
    fgi_acc_report *r = validate_wrong(W_REL_1E4, fgi_acc_tolerances_default());
    assert_int_equal(r->dtypes[FGI_F32].failed, 0);
    fgi_acc_report_free(r);
    r = validate_wrong(W_REL_1E4, fgi_acc_tolerances_flaggems());
    assert_true(r->dtypes[FGI_F32].failed > 10);
    fgi_acc_report_free(r);
    assert_ptr_equal(fgi_acc_tolerances_named("default"), fgi_acc_tolerances_default());
    assert_ptr_equal(fgi_acc_tolerances_named("flaggems"), fgi_acc_tolerances_flaggems());
    assert_null(fgi_acc_tolerances_named("loose"));
    const fgi_acc_tolerances *t = fgi_acc_tolerances_default();
    assert_true(t->dtype[FGI_F32].atol == 1e-5 && t->dtype[FGI_F32].rtol == 1e-3);
}

static void test_bad_arguments(void **state)
{
    (void)state;
    const fgi_kernel *relu = fgi_kernel_find("relu.cpu.stable.generic");
    const fgi_kernel *gelu_ref = fgi_kernel_find("gelu.cpu.reference");
    fgi_acc_config *cs;
    size_t n;
    assert_int_equal(fgi_acc_default_configs(FGI_OP_relu, FGI_ACC_TIER_DEFAULT, 1, &cs, &n), FG_OK);
    fgi_acc_report *r = (fgi_acc_report *)(void *)1;
    assert_int_equal(fgi_acc_validate(NULL, NULL, cs, n, NULL, NULL, &r), FG_ERR_NULL);
    assert_null(r);
    assert_int_equal(fgi_acc_validate(relu, gelu_ref, cs, n, NULL, NULL, &r), FG_ERR_INVALID_ARG);
    assert_non_null(strstr(fg_last_error(), "gelu.cpu.reference"));
    fgi_acc_tolerances bad = *fgi_acc_tolerances_default();
    bad.dtype[FGI_F16].rtol = NAN;
    assert_int_equal(fgi_acc_validate(relu, NULL, cs, n, &bad, NULL, &r), FG_ERR_INVALID_ARG);
    assert_non_null(strstr(fg_last_error(), "float16"));
    cs[3].op = FGI_OP_gelu;
    assert_int_equal(fgi_acc_validate(relu, NULL, cs, n, NULL, NULL, &r), FG_ERR_INVALID_ARG);
    assert_non_null(strstr(fg_last_error(), "configuration 3"));
    cs[3].op = FGI_OP_relu;
    cs[2].shape[0] = -4;
    assert_int_equal(fgi_acc_validate(relu, NULL, cs, n, NULL, NULL, &r), FG_ERR_INVALID_ARG);
    cs[2].shape[0] = (int64_t)1 << 30;
    cs[2].shape[1] = (int64_t)1 << 30;
    assert_int_equal(fgi_acc_validate(relu, NULL, cs, n, NULL, NULL, &r), FG_ERR_OVERFLOW);
    /* 512 GiB: more than the machine, refused before anything is allocated */
    cs[2].shape[0] = (int64_t)1 << 19;
    cs[2].shape[1] = (int64_t)1 << 18;
    assert_int_equal(fgi_acc_validate(relu, NULL, cs, n, NULL, NULL, &r), FG_ERR_NO_MEMORY);
    assert_non_null(strstr(fg_last_error(), "GiB of buffers"));
    assert_non_null(strstr(fg_last_error(), "configuration 2"));
    cs[2].shape[0] = 4;
    cs[2].shape[1] = 4096;
    cs[1].layout = (fgi_acc_layout)77;
    assert_int_equal(fgi_acc_validate(relu, NULL, cs, n, NULL, NULL, &r), FG_ERR_INVALID_ARG);
    fgi_acc_configs_free(cs);
    /* a configuration the op refuses (dim out of range) names itself */
    assert_int_equal(fgi_acc_default_configs(FGI_OP_sum, FGI_ACC_TIER_DEFAULT, 1, &cs, &n), FG_OK);
    cs[5].dim = 7;
    assert_int_equal(fgi_acc_validate(fgi_kernel_find("sum.cpu.stable.generic"), NULL, cs, n, NULL,
                                      NULL, &r),
                     FG_ERR_INVALID_ARG);
    assert_non_null(strstr(fg_last_error(), "configuration 5"));
    assert_null(r);
    fgi_acc_configs_free(cs);
    assert_int_equal(fgi_acc_validate_id("no.such.kernel", 0, 0, NULL, NULL, &r), FG_ERR_NOT_FOUND);
    assert_int_equal(fgi_acc_default_configs(FGI_OP_COUNT, 0, 0, &cs, &n), FG_ERR_INVALID_ARG);
    assert_int_equal(fgi_acc_default_configs(FGI_OP_add, 2, 0, &cs, &n), FG_ERR_INVALID_ARG);
    assert_int_equal(fgi_acc_default_configs(FGI_OP_add, 0, 8, &cs, &n), FG_ERR_INVALID_ARG);
    /* the forced kernel of the thread is restored */
    assert_int_equal(fgi_force_kernel("relu.cpu.reference"), FG_OK);
    assert_int_equal(fgi_acc_validate_id("add.cpu.stable.generic", 0, 1, NULL, NULL, &r), FG_OK);
    assert_ptr_equal(fgi_forced_kernel(), fgi_kernel_find("relu.cpu.reference"));
    fgi_force_kernel(NULL);
    fgi_acc_report_free(r);
}

static void count_progress(size_t done, size_t total, void *ctx)
{
    size_t *calls = ctx;
    assert_int_equal(done, ++calls[0]);
    calls[1] = total;
}

/* The same seed gives the same inputs (and errors); another seed others. */
static void test_seed_and_progress(void **state)
{
    (void)state;
    size_t calls[2] = {0, 0};
    fgi_acc_options o = {.seed = 7, .progress = count_progress, .progress_ctx = calls};
    fgi_acc_report *a, *b, *c;
    const unsigned f32 = FGI_DTYPE_BIT(FGI_F32);
    assert_int_equal(fgi_acc_validate_id("gelu.cpu.stable.generic", 0, f32, NULL, &o, &a), FG_OK);
    assert_int_equal(calls[0], a->n_cases);
    assert_int_equal(calls[1], a->n_cases);
    assert_int_equal(a->seed, 7);
    o.progress = NULL;
    assert_int_equal(fgi_acc_validate_id("gelu.cpu.stable.generic", 0, f32, NULL, &o, &b), FG_OK);
    o.seed = 8;
    assert_int_equal(fgi_acc_validate_id("gelu.cpu.stable.generic", 0, f32, NULL, &o, &c), FG_OK);
    size_t differ = 0;
    for (size_t i = 0; i < a->n_cases; i++) {
        assert_true(a->cases[i].max_rel_error == b->cases[i].max_rel_error);
        assert_int_equal(a->cases[i].worst_index, b->cases[i].worst_index);
        differ += a->cases[i].max_rel_error != c->cases[i].max_rel_error ||
                  a->cases[i].worst_index != c->cases[i].worst_index;
    }
    if (differ <= a->n_cases / 2) fail_msg("only %zu of %zu cases differ", differ, a->n_cases);
    fgi_acc_report_free(a);
    fgi_acc_report_free(b);
    fgi_acc_report_free(c);
}

/* ---------------------------------------------------------------- configurations */

static void test_default_configs(void **state)
{
    (void)state;
    for (int op = 0; op < FGI_OP_COUNT; op++) {
        fgi_acc_config *cs;
        size_t n;
        assert_int_equal(fgi_acc_default_configs((fgi_op)op, FGI_ACC_TIER_DEFAULT, 0, &cs, &n), FG_OK);
        for (int dt = FGI_F32; dt <= FGI_BF16; dt++) {
            /* distinct shape strings of this dtype, and the edge cases */
            char shapes[128][64];
            int ns = 0, empty = 0, one = 0, noncontig = 0, specials = 0, odd = 0, model = 0;
            for (size_t i = 0; i < n; i++) {
                const fgi_acc_config *c = &cs[i];
                if (c->dtype != (fgi_dtype)dt) continue;
                assert_int_equal(c->op, op);
                char s[64];
                fgi_acc_shape_string(c, s, sizeof s);
                bool seen = false;
                for (int j = 0; j < ns && !seen; j++) seen = strcmp(shapes[j], s) == 0;
                if (!seen && ns < 128) strcpy(shapes[ns++], s);
                int64_t numel = 1;
                for (int d = 0; d < c->ndim; d++) numel *= c->shape[d];
                empty += numel == 0;
                one += numel == 1;
                noncontig += c->layout == FGI_ACC_STRIDED || c->layout == FGI_ACC_TRANSPOSED;
                specials += c->specials;
                odd += c->ndim > 0 && c->shape[c->ndim - 1] % 2 == 1 && numel > 1;
                const char *models[] = {"LLaMA", "BERT", "ResNet", "GPT-2", "ViT", "T5"};
                for (int m = 0; m < 6; m++) model += strstr(c->source, models[m]) != NULL;
                /* the default tier stays small */
                assert_true(numel * fgi_dtype_size(c->dtype) <= ((int64_t)1 << 20));
            }
            if (ns < 20) fail_msg("%s %s: %d shapes", fgi_op_name((fgi_op)op),
                                  fgi_dtype_name((fgi_dtype)dt), ns);
            assert_true(empty >= 1 && one >= 1 && noncontig >= 2 && specials >= 1 && odd >= 3);
            assert_true(model >= 7);
        }
        fgi_acc_configs_free(cs);

        assert_int_equal(fgi_acc_default_configs((fgi_op)op, FGI_ACC_TIER_LARGE,
                                                 FGI_DTYPE_BIT(FGI_BF16), &cs, &n), FG_OK);
        assert_true(n >= 1);
        for (size_t i = 0; i < n; i++) {
            int64_t bytes = fgi_dtype_size(cs[i].dtype);
            for (int d = 0; d < cs[i].ndim; d++) bytes *= cs[i].shape[d];
            assert_int_equal(cs[i].dtype, FGI_BF16);
            assert_true(bytes > ((int64_t)1 << 30));
        }
        fgi_acc_configs_free(cs);
    }
    /* gelu covers both approximations */
    fgi_acc_config *cs;
    size_t n, tanh = 0;
    assert_int_equal(fgi_acc_default_configs(FGI_OP_gelu, 0, 1, &cs, &n), FG_OK);
    for (size_t i = 0; i < n; i++) tanh += cs[i].approx == FG_GELU_TANH;
    assert_int_equal(tanh * 2, n);
    fgi_acc_configs_free(cs);
    char s[64];
    fgi_acc_config c = {.op = FGI_OP_relu, .ndim = 1, .shape = {1024}};
    fgi_acc_shape_string(&c, s, sizeof s);
    assert_string_equal(s, "(1024,)");
    c.ndim = 0;
    fgi_acc_shape_string(&c, s, sizeof s);
    assert_string_equal(s, "()");
    c.ndim = 3;
    c.shape[1] = 8;
    c.shape[2] = 128;
    fgi_acc_shape_string(&c, s, sizeof s);
    assert_string_equal(s, "(1024, 8, 128)");
}

/* ---------------------------------------------------------------- template filler */

static char *fill(fgi_report_vars *v, const char *tmpl, fg_status want)
{
    char *out = NULL;
    assert_int_equal(fgi_report_fill(tmpl, v, &out), want);
    return out;
}

static void test_template_filler(void **state)
{
    (void)state;
    fgi_report_vars *v;
    assert_int_equal(fgi_report_vars_create(&v), FG_OK);
    assert_string_equal(fgi_report_vars_get(v, "version"), fg_version());
    assert_int_equal(fgi_report_vars_set(v, "a", "A"), FG_OK);
    assert_int_equal(fgi_report_vars_set(v, "empty", ""), FG_OK);
    assert_int_equal(fgi_report_vars_setf(v, "n", "%d", 42), FG_OK);
    char *o = fill(v, "x {{a}} {{ n }} y", FG_OK);
    assert_string_equal(o, "x A 42 y");
    free(o);
    o = fill(v, "1\n{{#a}}\nin {{a}}\n{{/a}}\n{{#empty}}\nno\n{{/empty}}\n{{^empty}}\ninv\n{{/empty}}\n2",
             FG_OK);
    assert_string_equal(o, "1\nin A\ninv\n2");
    free(o);
    o = fill(v, "{{#a}}[{{#a}}n{{/a}}]{{/a}}{{#nope}}{{missing}}{{/nope}}", FG_OK);
    assert_string_equal(o, "[n]");
    free(o);
    assert_null(fill(v, "line\n{{missing}}", FG_ERR_NOT_FOUND));
    assert_non_null(strstr(fg_last_error(), "line 2"));
    assert_non_null(strstr(fg_last_error(), "{{missing}}"));
    assert_null(fill(v, "{{#a}} open", FG_ERR_PARSE));
    assert_non_null(strstr(fg_last_error(), "never closed"));
    assert_null(fill(v, "x {{/a}}", FG_ERR_PARSE));
    assert_null(fill(v, "x {{a", FG_ERR_PARSE));
    assert_int_equal(fgi_report_vars_set(v, "bad key", "x"), FG_ERR_INVALID_ARG);
    assert_int_equal(fgi_report_vars_set(v, "a", NULL), FG_OK);
    assert_null(fgi_report_vars_get(v, "a"));
    /* the embedded template fills with header keys only when both sections
     * are off */
    o = NULL;
    assert_int_equal(fgi_report_vars_set(v, "kernel", "k"), FG_OK);
    assert_int_equal(fgi_report_vars_set(v, "op", "o"), FG_OK);
    assert_int_equal(fgi_report_markdown(v, &o), FG_OK);
    assert_null(strstr(o, "{{"));
    assert_null(strstr(o, "## Accuracy"));
    free(o);
    /* performance keys render the performance section */
    assert_int_equal(fgi_report_vars_set(v, "performance", "yes"), FG_OK);
    assert_null(fill(v, fgi_report_template(), FG_ERR_NOT_FOUND));
    assert_non_null(strstr(fg_last_error(), "performance_section"));
    assert_int_equal(fgi_report_vars_set(v, "performance_section", "## Performance\n\nP"), FG_OK);
    assert_int_equal(fgi_report_markdown(v, &o), FG_OK);
    assert_non_null(strstr(o, "|\n\n## Performance\n\nP\n"));
    free(o);
    fgi_report_section bad[2] = {{"performance", "[1, 2]"}, {"x", "{"}};
    assert_int_equal(fgi_report_json(v, bad, 1, &o), FG_ERR_PARSE);
    assert_int_equal(fgi_report_json(v, bad + 1, 1, &o), FG_ERR_PARSE);
    fgi_report_section dup[2] = {{"p", "{}"}, {"p", "{}"}};
    assert_int_equal(fgi_report_json(v, dup, 2, &o), FG_ERR_INVALID_ARG);
    fgi_report_section rep = {"report", "{}"};
    assert_int_equal(fgi_report_json(v, &rep, 1, &o), FG_ERR_INVALID_ARG);
    assert_null(o);
    fgi_report_vars_destroy(v);
    fgi_report_vars_destroy(NULL);
}

/* ---------------------------------------------------------------- reports */

static void test_reports(void **state)
{
    (void)state;
    fgi_acc_report *r = validate_wrong(W_ONE_WRONG, NULL);
    char *md = NULL, *js = NULL;
    assert_int_equal(fgi_report_kernel_markdown(r, NULL, &md), FG_OK);
    assert_int_equal(fgi_report_kernel_json(r, NULL, &js), FG_OK);

    char machine[256], sig[FGI_SIGNATURE_LEN], fp[24];
    fgi_machine_describe(machine, sizeof machine);
    fgi_build_signature(sig, sizeof sig);
    fgi_machine_fingerprint(fp, sizeof fp);
    /* Markdown: the header, the sections, every case, nothing unfilled */
    assert_non_null(strstr(md, "# Accuracy report: add.cpu.custom.test_one_wrong"));
    assert_non_null(strstr(md, machine));
    assert_non_null(strstr(md, sig));
    assert_non_null(strstr(md, fp));
    assert_non_null(strstr(md, fg_version()));
    assert_non_null(strstr(md, "**FAILED**"));
    assert_non_null(strstr(md, "### Failures"));
    assert_non_null(strstr(md, "`add.cpu.reference`"));
    assert_non_null(strstr(md, "- float32 ("));
    assert_non_null(strstr(md, "`(4, 4096)`"));
    assert_null(strstr(md, "{{"));
    assert_null(strstr(md, "## Performance"));
    char row[32];
    for (size_t i = 0; i < r->n_cases; i++) {
        snprintf(row, sizeof row, "\n| %zu | ", i);
        assert_non_null(strstr(md, row));
    }

    /* JSON: parses, and has the same content */
    json_error_t e;
    json_t *j = json_loads(js, 0, &e);
    if (!j) fail_msg("report JSON: %s (line %d)", e.text, e.line);
    json_t *head = json_object_get(j, "report");
    assert_string_equal(json_string_value(json_object_get(head, "machine")), machine);
    assert_string_equal(json_string_value(json_object_get(head, "version")), fg_version());
    assert_string_equal(json_string_value(json_object_get(head, "build_signature")), sig);
    assert_string_equal(json_string_value(json_object_get(head, "fingerprint")), fp);
    assert_string_equal(json_string_value(json_object_get(head, "kernel")), r->kernel);
    json_t *acc = json_object_get(j, "accuracy");
    assert_true(json_is_false(json_object_get(acc, "passed")));
    assert_int_equal(json_integer_value(json_object_get(acc, "test_cases")), r->passed + r->failed);
    assert_int_equal(json_integer_value(json_object_get(acc, "cases_failed")), r->failed);
    assert_string_equal(json_string_value(json_object_get(acc, "reference")), "add.cpu.reference");
    json_t *cases = json_object_get(acc, "cases");
    assert_int_equal(json_array_size(cases), r->n_cases);
    int64_t failures = 0;
    for (size_t i = 0; i < r->n_cases; i++) {
        json_t *c = json_array_get(cases, i);
        const char *res = json_string_value(json_object_get(c, "result"));
        assert_string_equal(res, fgi_acc_outcome_name(r->cases[i].outcome));
        if (strcmp(res, "fail") == 0) {
            failures++;
            assert_int_equal(json_integer_value(json_object_get(c, "mismatches")),
                             r->cases[i].mismatches);
            /* the failure's message is in the Markdown too */
            char head40[48];
            snprintf(head40, sizeof head40, "%.40s", r->cases[i].message);
            assert_non_null(strstr(md, head40));
        }
    }
    assert_int_equal(failures, r->failed);
    json_t *cov = json_object_get(acc, "coverage");
    assert_int_equal(json_object_size(cov), 3);
    json_t *f32 = json_object_get(cov, "float32");
    bool found = false;
    for (size_t i = 0; i < json_array_size(f32); i++)
        found |= strcmp(json_string_value(json_array_get(f32, i)), "(4, 4096)") == 0;
    assert_true(found);
    assert_true(json_array_size(f32) >= 20);
    json_t *tol = json_object_get(json_object_get(acc, "tolerance"), "float32");
    assert_true(json_real_value(json_object_get(tol, "rtol")) == 1e-3);
    json_decref(j);
    free(md);
    free(js);

    fgi_acc_report_free(r);

    /* one document from an accuracy run and a benchmark of the same kernel */
    const char *id = "rms_norm.cpu.stable.generic";
    assert_int_equal(fgi_acc_validate_id(id, 0, FGI_DTYPE_BIT(FGI_F32), NULL, NULL, &r), FG_OK);
    fgi_perf_config pc = {.op = FGI_OP_rms_norm, .dtype = FGI_F32, .ndim = 2, .shape = {4, 4096},
                          .weight = true};
    fgi_perf_options po;
    fgi_perf_options_default(&po);
    po.budget_ms = 5;
    po.repeat = 3;
    po.record = false;
    fgi_perf_report *p;
    assert_int_equal(fgi_perf_benchmark(fgi_kernel_find(id), NULL, 0, &pc, 1, &po, &p), FG_OK);
    assert_int_equal(fgi_report_kernel_markdown(r, p, &md), FG_OK);
    assert_non_null(strstr(md, "# Kernel report: rms_norm.cpu.stable.generic"));
    assert_non_null(strstr(md, "## Accuracy"));
    assert_non_null(strstr(md, "## Performance"));
    assert_true(strstr(md, "## Accuracy") < strstr(md, "## Performance"));
    assert_null(strstr(md, "{{"));
    free(md);
    assert_int_equal(fgi_report_kernel_json(r, p, &js), FG_OK);
    j = json_loads(js, 0, &e);
    assert_non_null(j);
    assert_non_null(json_object_get(json_object_get(j, "accuracy"), "cases"));
    assert_true(json_is_object(json_object_get(j, "performance")));
    assert_string_equal(json_string_value(json_object_get(json_object_get(j, "report"), "kernel")), id);
    json_decref(j);
    free(js);
    /* performance alone */
    assert_int_equal(fgi_report_kernel_markdown(NULL, p, &md), FG_OK);
    assert_non_null(strstr(md, "# Performance report: rms_norm.cpu.stable.generic"));
    assert_null(strstr(md, "## Accuracy"));
    free(md);
    /* runs of different kernels do not make one report */
    fgi_acc_report *other;
    assert_int_equal(fgi_acc_validate_id("rms_norm.cpu.reference", 0, 1, NULL, NULL, &other), FG_OK);
    assert_int_equal(fgi_report_kernel_markdown(other, p, &md), FG_ERR_INVALID_ARG);
    assert_int_equal(fgi_report_kernel_json(NULL, NULL, &js), FG_ERR_NULL);
    fgi_acc_report_free(other);
    fgi_perf_report_free(p);
    fgi_acc_report_free(r);

    /* NaN/Inf values in JSON are strings */
    r = validate_wrong(W_ONE_NAN, NULL);
    assert_int_equal(fgi_report_accuracy_json(r, &js), FG_OK);
    j = json_loads(js, 0, &e);
    assert_non_null(j);
    assert_non_null(strstr(js, "\"output\": \"NaN\""));
    json_decref(j);
    free(js);
    fgi_acc_report_free(r);
}

/* ---------------------------------------------------------------- metadata */

static void test_record_into_metadata(void **state)
{
    (void)state;
    char dir[] = "/tmp/fg-acc-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[256];
    snprintf(path, sizeof path, "%s/_metadata.json", dir);
    fgi_meta_options o = {FGI_META_KIND_METADATA, FGI_META_CREATE, dir};
    fgi_meta_store *s;
    assert_int_equal(fgi_meta_open(path, &o, &s), FG_OK);
    const char *key = "fast_gelu.cpu.custom.generic_v1";
    assert_int_equal(fgi_meta_register_op(s, key,
                                          "{\"op_name\": \"fast_gelu\", \"category\": "
                                          "\"pointwise\", \"code_location\": {\"file_path\": "
                                          "\"src/experimental/custom/pointwise/fast_gelu.c\"}}"),
                     FG_OK);
    fgi_acc_report *r;
    assert_int_equal(fgi_acc_validate_id(key, 0, 0, NULL, NULL, &r), FG_OK);
    assert_true(r->ok);
    assert_int_equal(fgi_acc_record(s, NULL, r), FG_OK);
    fgi_meta_close(s);

    /* read back from the file */
    assert_int_equal(fgi_meta_open(path, &o, &s), FG_OK);
    const fgi_meta_op *op;
    assert_int_equal(fgi_meta_get_op(s, key, &op), FG_OK);
    const fgi_meta_accuracy_tests *at = &op->validation_info.accuracy_tests;
    assert_true(at->passed);
    assert_int_equal(at->test_cases, r->passed + r->failed);
    assert_string_equal(at->last_run, r->run_time);
    assert_int_equal(op->status, FGI_META_VALIDATED);
    assert_true(op->graduation_tracking.checklist.accuracy_passed);
    assert_int_equal(at->n_coverage, 3);
    for (size_t i = 0; i < at->n_coverage; i++) assert_true(at->coverage[i].n_shapes >= 20);
    /* the graduation criterion reads what the tool wrote */
    fgi_grad_report g;
    memset(&g, 0, sizeof g);
    fgi_grad_check_accuracy(op, NULL, &g);
    assert_true(g.checks[FGI_GRAD_ACCURACY].passed);
    assert_int_equal(g.facts.test_cases, r->passed + r->failed);
    assert_true(g.facts.distinct_shapes >= 20);
    fgi_meta_op_release(op);

    /* a failing run under the same key demotes it */
    fgi_acc_report *bad = validate_wrong(W_ONE_WRONG, NULL);
    assert_int_equal(fgi_acc_record(s, key, bad), FG_OK);
    assert_int_equal(fgi_meta_get_op(s, key, &op), FG_OK);
    assert_false(op->validation_info.accuracy_tests.passed);
    assert_int_equal(op->status, FGI_META_EXPERIMENTAL);
    assert_false(op->graduation_tracking.checklist.accuracy_passed);
    fgi_meta_op_release(op);
    /* an unknown key changes nothing */
    assert_int_equal(fgi_acc_record(s, "no.such.kernel", r), FG_ERR_NOT_FOUND);
    assert_int_equal(fgi_acc_record(NULL, key, r), FG_ERR_NULL);
    fgi_meta_close(s);
    fgi_acc_report_free(bad);
    fgi_acc_report_free(r);

    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_default_configs),
        cmocka_unit_test(test_real_kernels_default),
        cmocka_unit_test(test_real_kernels_flaggems),
        cmocka_unit_test(test_correct_test_kernel_passes),
        cmocka_unit_test(test_bias_beyond_tolerance),
        cmocka_unit_test(test_one_wrong_element),
        cmocka_unit_test(test_writes_outside_and_inputs),
        cmocka_unit_test(test_error_and_skip),
        cmocka_unit_test(test_other_reference),
        cmocka_unit_test(test_tolerance_tables),
        cmocka_unit_test(test_bad_arguments),
        cmocka_unit_test(test_seed_and_progress),
        cmocka_unit_test(test_template_filler),
        cmocka_unit_test(test_reports),
        cmocka_unit_test(test_record_into_metadata),
    };
    return cmocka_run_group_tests_name("testing_accuracy", tests, NULL, NULL);
}
