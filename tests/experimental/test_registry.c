/* Kernel table and run-time registration; the custom kernels against their
 * reference kernels over the shapes they accept, every dtype, in place,
 * strided (where accepted) and with special values. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "exp_test.h"
#include "experimental/metadata.h"
#include "ops/registry.h"

static bool have_avx2(void) { return strcmp(fg_cpu_isa_name(), "avx2") == 0; }

/* ---------------------------------------------------------------- table */

static void test_ids_unique(void **state)
{
    (void)state;
    assert_int_equal(fgi_registry_check_unique(), FG_OK);
    int n;
    const fgi_kernel *const *all = fgi_kernels(&n);
    for (int i = 0; i < n; i++) {
        assert_int_equal(fgi_kernel_index(all[i]), i);
        assert_ptr_equal(fgi_kernel_at(i), all[i]);
        assert_ptr_equal(fgi_kernel_find(all[i]->id), all[i]);
    }
    static const char *const custom[] = {"fast_gelu.cpu.custom.avx2_v1", "fast_gelu.cpu.custom.generic_v1",
                                         "softmax.cpu.custom.rows_le_1024_v1", "layer_norm.cpu.custom.h64_v1",
                                         "rms_norm.cpu.custom.h64_v1"};
    for (size_t i = 0; i < sizeof custom / sizeof custom[0]; i++) {
        const fgi_kernel *k = fgi_kernel_find(custom[i]);
        assert_non_null(k);
        assert_int_equal(k->tier, FGI_TIER_EXPERIMENTAL);
        assert_int_equal(k->group, FGI_GROUP_CUSTOM);
    }
    /* every op still has its reference kernel */
    for (int op = 0; op < FGI_OP_COUNT; op++) {
        char id[64];
        snprintf(id, sizeof id, "%s.cpu.reference", fgi_op_name((fgi_op)op));
        assert_non_null(fgi_kernel_find(id));
    }
}

static void test_list_and_info(void **state)
{
    (void)state;
    et_reset();
    fg_exp_kernel_info info[64];
    size_t n = 0, n2 = 0;
    assert_int_equal(fg_exp_list_ops(NULL, NULL, info, 64, &n), FG_OK);
    assert_true(n >= 5);
    for (size_t i = 0; i < n; i++) {
        assert_string_equal(info[i].tier, "experimental");
        fgi_meta_status st; /* a lifecycle status, from the embedded metadata */
        assert_int_equal(fgi_meta_status_parse(info[i].status, &st), FG_OK);
        assert_false(info[i].enabled); /* disabled by default */
    }
    assert_int_equal(fg_exp_list_ops(NULL, NULL, NULL, 0, &n2), FG_OK);
    assert_int_equal(n2, n);
    assert_int_equal(fg_exp_list_ops("reduction", NULL, info, 64, &n), FG_OK);
    size_t ncustom = 0; /* the generated group adds its own (tests/codegen) */
    for (size_t i = 0; i < n; i++) {
        assert_string_equal(info[i].category, "reduction");
        ncustom += strcmp(info[i].group, "custom") == 0;
    }
    assert_int_equal(ncustom, 3);
    assert_int_equal(fg_exp_list_ops("pointwise", "STABLE", info, 64, &n), FG_OK);
    assert_int_equal(n, 0);
    assert_int_equal(fg_exp_list_ops("nonsense", NULL, info, 64, &n), FG_ERR_INVALID_ARG);
    assert_non_null(strstr(fg_last_error(), "nonsense"));

    assert_int_equal(fg_exp_get_op_info("softmax", info, 64, &n), FG_OK);
    assert_true(n >= 3);
    size_t sc = n; /* the custom kernel: among the specialized ones, which come first */
    for (size_t i = 0; i < n; i++)
        if (!strcmp(info[i].id, "softmax.cpu.custom.rows_le_1024_v1")) sc = i;
    assert_true(sc < n);
    for (size_t i = 0; i <= sc; i++) assert_int_equal(info[i].specialized, 1);
    assert_string_equal(info[n - 1].tier, "reference"); /* reference last */
    assert_int_equal(fg_exp_enable(FG_EXP_GROUP_CUSTOM, 1, 0, NULL), FG_OK);
    assert_int_equal(fg_exp_get_op_info("softmax", info, 64, &n), FG_OK);
    assert_int_equal(info[sc].enabled, have_avx2());
    assert_int_equal(fg_exp_get_op_info("rms_norm.cpu.custom.h64_v1", info, 64, &n), FG_OK);
    assert_int_equal(n, 1);
    assert_string_equal(info[0].op, "rms_norm");
    assert_int_equal(fg_exp_get_op_info("no_such_op", info, 64, &n), FG_ERR_NOT_FOUND);
    et_reset();
}

/* ---------------------------------------------------------------- registration */

static fg_status mock_run(const fg_exp_call *call, void *user)
{
    (void)call;
    (void)user;
    return FG_OK;
}

/* A run-time add kernel that checks what it is handed, then computes
 * out = a + alpha * b through the DLTensor strides (2-D float32). */
static int probe_calls;
static int probe_supports(const fg_exp_call *c, void *user)
{
    return c->out->ndim == 2 && c->out->dtype.bits == 32 && user == &probe_calls;
}

static fg_status probe_run(const fg_exp_call *c, void *user)
{
    (void)user;
    probe_calls++;
    assert_string_equal(c->op, "add");
    assert_int_equal(c->nin, 2);
    assert_true(c->alpha == 0.5);
    /* b was [1, 5]: broadcast over rows with stride 0 */
    assert_int_equal(c->in[1]->strides[0], 0);
    const DLTensor *a = c->in[0], *b = c->in[1];
    for (int64_t i = 0; i < c->out->shape[0]; i++)
        for (int64_t j = 0; j < c->out->shape[1]; j++) {
            float va = ((const float *)a->data)[i * a->strides[0] + j * a->strides[1]];
            float vb = ((const float *)b->data)[i * b->strides[0] + j * b->strides[1]];
            ((float *)c->out->data)[i * c->out->strides[0] + j * c->out->strides[1]] =
                va + (float)c->alpha * vb;
        }
    return FG_OK;
}

static void test_register(void **state)
{
    (void)state;
    et_reset();
    fg_exp_kernel k = {
        .id = "relu.cpu.custom.test_reg", .op = "relu", .group = FG_EXP_GROUP_CUSTOM, .run = mock_run};
    fg_exp_kernel bad = k;
    bad.run = NULL;
    assert_int_equal(fg_exp_register_kernels(&bad, 1), FG_ERR_NULL);
    bad = k;
    bad.op = "conv2d";
    assert_int_equal(fg_exp_register_kernels(&bad, 1), FG_ERR_INVALID_ARG);
    assert_non_null(strstr(fg_last_error(), "conv2d"));
    bad = k;
    bad.group = 7;
    assert_int_equal(fg_exp_register_kernels(&bad, 1), FG_ERR_INVALID_ARG);
    bad = k;
    bad.id = "relu.cpu.stable.generic";
    assert_int_equal(fg_exp_register_kernels(&bad, 1), FG_ERR_CONFLICT);
    /* all or nothing: the second entry repeats the first's id */
    fg_exp_kernel two[2] = {k, k};
    assert_int_equal(fg_exp_register_kernels(two, 2), FG_ERR_CONFLICT);
    assert_null(fgi_kernel_find("relu.cpu.custom.test_reg"));
    two[1].id = "relu.cpu.custom.test_reg2";
    two[1].op = "nonsense";
    assert_int_equal(fg_exp_register_kernels(two, 2), FG_ERR_INVALID_ARG);
    assert_null(fgi_kernel_find("relu.cpu.custom.test_reg"));

    assert_int_equal(fg_exp_register_kernels(&k, 1), FG_OK);
    const fgi_kernel *fk = fgi_kernel_find("relu.cpu.custom.test_reg");
    assert_non_null(fk);
    assert_int_equal(fk->tier, FGI_TIER_EXPERIMENTAL);
    assert_int_equal(fg_exp_register_kernels(&k, 1), FG_ERR_CONFLICT);
    assert_int_equal(fgi_registry_check_unique(), FG_OK);
    fg_exp_kernel_info info[16];
    size_t n;
    assert_int_equal(fg_exp_get_op_info("relu.cpu.custom.test_reg", info, 16, &n), FG_OK);
    assert_int_equal(n, 1);
    assert_int_equal(info[0].runtime, 1);
    /* it is excluded from dispatch from now on by the denylist */
    assert_int_equal(fg_exp_set_denylist("relu.cpu.custom.test_reg"), FG_OK);

    /* the probe sees a proper public call */
    fg_exp_kernel p = {.id = "add.cpu.custom.test_probe",
                       .op = "add",
                       .group = FG_EXP_GROUP_CUSTOM,
                       .dtypes = FG_EXP_DTYPE_F32,
                       .supports = probe_supports,
                       .run = probe_run,
                       .user = &probe_calls};
    assert_int_equal(fg_exp_register_kernels(&p, 1), FG_OK);
    assert_int_equal(fg_exp_enable(FG_EXP_GROUP_CUSTOM, 1, 0, NULL), FG_OK);
    int64_t sa[2] = {3, 5}, sb[2] = {1, 5};
    tu_tensor *a = et_rand(FGI_F32, 2, sa, 1, -1, 1), *b = et_rand(FGI_F32, 2, sb, 2, -1, 1);
    tu_tensor *out = tu_new(FGI_F32, 2, sa, TU_CONTIG);
    assert_int_equal(fg_add(&out->t, &a->t, &b->t, 0.5), FG_OK);
    assert_string_equal(fg_last_kernel(), "add.cpu.custom.test_probe");
    assert_int_equal(probe_calls, 1);
    tu_tensor *ref = tu_new(FGI_F32, 2, sa, TU_CONTIG);
    assert_int_equal(fg_exp_force_kernel("add.cpu.reference"), FG_OK);
    assert_int_equal(fg_add(&ref->t, &a->t, &b->t, 0.5), FG_OK);
    fg_exp_force_kernel(NULL);
    assert_int_equal(tu_compare(out, ref, TU_ATOL, 1.3e-6, "probe add"), 0);
    tu_free(a);
    tu_free(b);
    tu_free(out);
    tu_free(ref);
    et_reset();
}

/* ---------------------------------------------------------------- custom kernels */

typedef struct kcase {
    const char *id;
    et_case c;
    bool in_place;
} kcase;

/* Forces kernel id onto case c and compares with the reference; out has
 * the given layout (TU_OFFSET: dense but misaligned) unless in place. */
static bool check_forced_layout(const char *id, const et_case *c, bool in_place, tu_layout layout,
                                const char *desc)
{
    tu_tensor *out = in_place ? tu_clone_contig(c->x) : tu_new(c->x->dt, c->x->t.ndim, c->x->shape, layout);
    tu_tensor *ref = et_reference(c, out);
    if (!in_place) tu_poison(out);
    et_case cc = *c;
    if (in_place) cc.x = out;
    assert_int_equal(fg_exp_force_kernel(id), FG_OK);
    fg_status s = et_run(&cc, &out->t);
    fg_exp_force_kernel(NULL);
    bool ok = s == FG_OK && strcmp(fg_last_kernel(), id) == 0;
    if (!ok)
        print_error("%s: status %s (%s), kernel %s\n", desc, fg_status_name(s), fg_last_error(),
                    fg_last_kernel());
    else
        ok = tu_compare(out, ref, TU_ATOL, tu_rtol(out->dt), desc) == 0;
    /* nothing written outside the view (masked heads and tails) */
    if (ok && !in_place) ok = tu_gaps_intact(out, desc);
    tu_free(out);
    tu_free(ref);
    return ok;
}

static bool check_forced(const char *id, const et_case *c, bool in_place, const char *desc)
{
    return check_forced_layout(id, c, in_place, TU_CONTIG, desc);
}

/* Outputs of 16 MB and more take the streaming-store paths: aligned and
 * misaligned (head and tail handling). The norms keep 16-bit tensors of
 * that size (float32 ones go to stable: test_supports_bounds). */
static void test_large_outputs(void **state)
{
    (void)state;
    tu_tally t = {0};
    int64_t sm[2] = {8200, 512}, sm64[2] = {65600, 64}, nm[2] = {1025, 4096}, pw[1] = {4200000};
    tu_tensor *x1 = et_rand(FGI_F32, 2, sm, 1, -6, 6), *x2 = et_rand(FGI_F32, 2, sm64, 2, -6, 6);
    tu_tensor *x3 = et_rand(FGI_BF16, 2, nm, 3, -2, 4), *w3 = et_rand(FGI_BF16, 1, &nm[1], 4, -1, 1);
    tu_tensor *b3 = et_rand(FGI_BF16, 1, &nm[1], 5, -1, 1), *x4 = et_rand(FGI_F32, 1, pw, 6, -8, 8);
    et_case c1 = {.op = "softmax", .x = x1, .dim = -1}, c2 = {.op = "softmax", .x = x2, .dim = -1};
    et_case c3 = {.op = "layer_norm", .x = x3, .b = w3, .bias = b3, .eps = 1e-5};
    et_case c4 = {.op = "rms_norm", .x = x3, .b = w3, .eps = 1e-5}, c5 = {.op = "fast_gelu", .x = x4};
    for (int l = 0; l < 2; l++) {
        tu_layout lay = l ? TU_OFFSET : TU_CONTIG;
        if (have_avx2()) {
            tu_tally_add(&t, check_forced_layout("softmax.cpu.custom.rows_le_1024_v1", &c1, false, lay,
                                                 "softmax 16 MB"));
            tu_tally_add(&t, check_forced_layout("softmax.cpu.custom.rows_le_1024_v1", &c2, false, lay,
                                                 "softmax 16 MB, rows of 64"));
            tu_tally_add(
                &t, check_forced_layout("layer_norm.cpu.custom.h64_v1", &c3, false, lay, "layer_norm bfloat16 8 MB"));
            tu_tally_add(
                &t, check_forced_layout("rms_norm.cpu.custom.h64_v1", &c4, false, lay, "rms_norm bfloat16 8 MB"));
            tu_tally_add(
                &t, check_forced_layout("fast_gelu.cpu.custom.avx2_v1", &c5, false, lay, "fast_gelu 16 MB"));
        }
    }
    tu_free(x1);
    tu_free(x2);
    tu_free(x3);
    tu_free(w3);
    tu_free(b3);
    tu_free(x4);
    tu_tally_finish(&t, "large outputs");
}

static const fgi_dtype dts[3] = {FGI_F32, FGI_F16, FGI_BF16};

static void test_softmax_rows(void **state)
{
    (void)state;
    if (!have_avx2()) skip();
    tu_tally t = {0};
    static const int64_t shapes[][3] = {{1, 1, 0},  {3, 7, 0},    {5, 8, 0},    {2, 63, 0},   {4, 64, 0},
                                        {3, 65, 0}, {2, 100, 0},  {2, 1000, 0}, {1, 1024, 0}, {40, 130, 0},
                                        {2, 3, 17}, {300, 24, 0}, {2, 57, 9}};
    for (int d = 0; d < 3; d++)
        for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
            int nd = shapes[s][2] ? 3 : 2;
            tu_tensor *x = et_rand(dts[d], nd, shapes[s], 100 + s, -8, 8);
            et_case c = {.op = "softmax", .x = x, .dim = -1};
            char desc[128];
            for (int ip = 0; ip < 2; ip++) {
                snprintf(desc, sizeof desc, "softmax %s shape #%zu%s", tu_dtype_name(dts[d]), s,
                         ip ? " in place" : "");
                tu_tally_add(&t, check_forced("softmax.cpu.custom.rows_le_1024_v1", &c, ip, desc));
            }
            tu_free(x);
        }
    /* special rows: NaN, +Inf, all -Inf -> NaN rows; -Inf among finite -> 0 */
    int64_t sh[2] = {4, 40};
    tu_tensor *x = et_rand(FGI_F32, 2, sh, 7, -3, 3);
    tu_set(x, 3, NAN);
    tu_set(x, 40 + 5, INFINITY);
    for (int i = 0; i < 40; i++) tu_set(x, 80 + i, -INFINITY);
    tu_set(x, 120 + 1, -INFINITY);
    et_case c = {.op = "softmax", .x = x, .dim = -1};
    tu_tally_add(&t, check_forced("softmax.cpu.custom.rows_le_1024_v1", &c, false, "softmax specials"));
    int64_t sh2[2] = {3, 300};
    tu_tensor *y = et_rand(FGI_F32, 2, sh2, 8, -3, 3);
    tu_set(y, 299, NAN);
    tu_set(y, 300 + 150, INFINITY);
    c.x = y;
    tu_tally_add(&t, check_forced("softmax.cpu.custom.rows_le_1024_v1", &c, false, "softmax specials long"));
    tu_free(x);
    tu_free(y);
    tu_tally_finish(&t, "softmax rows <= 1024");
}

static void test_norms_h64(void **state)
{
    (void)state;
    if (!have_avx2()) skip();
    tu_tally t = {0};
    static const int64_t shapes[][2] = {{1, 64}, {3, 128}, {5, 192}, {2, 4096}, {7, 640}, {1, 16384}};
    const char *ops[2] = {"layer_norm", "rms_norm"};
    const char *ids[2] = {"layer_norm.cpu.custom.h64_v1", "rms_norm.cpu.custom.h64_v1"};
    for (int o = 0; o < 2; o++)
        for (int d = 0; d < 3; d++)
            for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++)
                for (int wb = 0; wb < 4; wb++) {
                    /* an offset mean (layer_norm must not cancel) */
                    tu_tensor *x = et_rand(dts[d], 2, shapes[s], 200 + s, 3, 7);
                    tu_tensor *w = (wb & 1) ? et_rand(dts[d], 1, &shapes[s][1], 300 + s, -2, 2) : NULL;
                    tu_tensor *b =
                        (wb & 2) && o == 0 ? et_rand(dts[d], 1, &shapes[s][1], 400 + s, -1, 1) : NULL;
                    et_case c = {.op = ops[o], .x = x, .b = w, .bias = b, .eps = 1e-5};
                    char desc[128];
                    snprintf(desc, sizeof desc, "%s %s [%lld,%lld] w%d b%d", ops[o], tu_dtype_name(dts[d]),
                             (long long)shapes[s][0], (long long)shapes[s][1], w != NULL, b != NULL);
                    tu_tally_add(&t, check_forced(ids[o], &c, wb == 3, desc));
                    tu_free(x);
                    tu_free(w);
                    tu_free(b);
                }
    /* ill-conditioned rows: an outlier first element (the one-pass
     * statistics would cancel: the kernel must notice), a large offset */
    int64_t sh[2] = {3, 4096};
    for (int o = 0; o < 2; o++)
        for (int k = 0; k < 2; k++) {
            tu_tensor *x = et_rand(FGI_F32, 2, sh, 600 + k, k ? 1000 : -1, k ? 1001 : 1);
            if (!k)
                for (int r = 0; r < 3; r++) tu_set(x, r * 4096, 1e4 * (r + 1));
            et_case c = {.op = ops[o], .x = x, .eps = 1e-5};
            tu_tally_add(
                &t, check_forced(ids[o], &c, false, k ? "norm, offset 1000" : "norm, outlier first element"));
            tu_free(x);
        }
    tu_tally_finish(&t, "norms h64");
}

static void test_fast_gelu(void **state)
{
    (void)state;
    tu_tally t = {0};
    static const int64_t sizes[] = {1, 7, 8, 33, 1000, 70000};
    const char *ids[2] = {"fast_gelu.cpu.custom.avx2_v1", "fast_gelu.cpu.custom.generic_v1"};
    for (int k = have_avx2() ? 0 : 1; k < 2; k++)
        for (int d = 0; d < 3; d++)
            for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++)
                for (int lay = 0; lay < 2; lay++) {
                    int64_t shape[2] = {sizes[s] > 8 ? 2 : 1, sizes[s] > 8 ? sizes[s] / 2 : sizes[s]};
                    tu_tensor *x = tu_new(dts[d], 2, shape, lay ? TU_GAPPY : TU_CONTIG);
                    tu_rng r = {500 + s};
                    tu_fill_uniform(x, &r, -12, 12);
                    static const double sp[] = {NAN,   INFINITY, -INFINITY, 0.0,  -0.0,
                                                100.0, -100.0,   60.0,      -60.0};
                    tu_fill_specials(x, &r, x->numel > 20 ? 9 : 0, sp, 9);
                    et_case c = {.op = "fast_gelu", .x = x};
                    char desc[128];
                    snprintf(desc, sizeof desc, "%s %s n=%lld %s", ids[k], tu_dtype_name(dts[d]),
                             (long long)sizes[s], lay ? "strided" : "dense");
                    tu_tally_add(&t, check_forced(ids[k], &c, false, desc));
                    if (!lay) tu_tally_add(&t, check_forced(ids[k], &c, true, desc));
                    tu_free(x);
                }
    tu_tally_finish(&t, "fast_gelu");
}

/* The documented bound: |x sigmoid(1.702 x) - x Phi(x)| <= 0.0204. */
static void test_fast_gelu_bound(void **state)
{
    (void)state;
    int64_t n = 40001;
    tu_tensor *x = tu_new(FGI_F32, 1, &n, TU_CONTIG), *y = tu_new(FGI_F32, 1, &n, TU_CONTIG);
    for (int64_t i = 0; i < n; i++) tu_set(x, i, -10.0 + 20.0 * (double)i / (double)(n - 1));
    et_reset();
    assert_int_equal(fg_exp_enable(0, 1, 0, NULL), FG_OK);
    assert_int_equal(fg_exp_fast_gelu(&y->t, &x->t), FG_OK);
    double worst = 0;
    for (int64_t i = 0; i < n; i++) {
        double v = tu_get(x, i), g = 0.5 * v * (1.0 + erf(v / sqrt(2.0)));
        double e = fabs(tu_get(y, i) - g);
        if (e > worst) worst = e;
    }
    print_message("[ info ] max |fast_gelu - gelu| = %.5f\n", worst);
    assert_true(worst <= 0.0204);
    assert_true(worst > 0.019); /* the bound is tight, not loose */
    tu_free(x);
    tu_free(y);
    et_reset();
}

/* Shapes outside a specialized kernel's domain are refused by supports(). */
static void test_supports_bounds(void **state)
{
    (void)state;
    if (!have_avx2()) skip();
    int64_t s1[2] = {2, 1025}, s2[2] = {2, 96}, s3[3] = {2, 8, 3};
    tu_tensor *a = et_rand(FGI_F32, 2, s1, 1, -1, 1), *b = et_rand(FGI_F32, 2, s2, 2, -1, 1);
    tu_tensor *c3 = et_rand(FGI_F32, 3, s3, 3, -1, 1);
    tu_tensor *oa = tu_new(FGI_F32, 2, s1, TU_CONTIG), *ob = tu_new(FGI_F32, 2, s2, TU_CONTIG);
    tu_tensor *oc = tu_new(FGI_F32, 3, s3, TU_CONTIG), *ostr = tu_new(FGI_F32, 2, s2, TU_GAPPY);
    assert_int_equal(fg_exp_force_kernel("softmax.cpu.custom.rows_le_1024_v1"), FG_OK);
    assert_int_equal(fg_softmax(&oa->t, &a->t, -1), FG_ERR_UNSUPPORTED);
    assert_int_equal(fg_softmax(&oc->t, &c3->t, 1), FG_ERR_UNSUPPORTED);   /* not the last dim */
    assert_int_equal(fg_softmax(&ostr->t, &b->t, -1), FG_ERR_UNSUPPORTED); /* strided out */
    /* float32 rows over 512 with an output of 16 MB or more: left to stable */
    int64_t big[2] = {4096, 1024};
    tu_tensor *bx = et_rand(FGI_F32, 2, big, 9, -1, 1), *bo = tu_new(FGI_F32, 2, big, TU_CONTIG);
    assert_int_equal(fg_softmax(&bo->t, &bx->t, -1), FG_ERR_UNSUPPORTED);
    tu_free(bx);
    tu_free(bo);
    assert_int_equal(fg_softmax(&ob->t, &b->t, -1), FG_OK);
    assert_int_equal(fg_exp_force_kernel("layer_norm.cpu.custom.h64_v1"), FG_OK);
    assert_int_equal(fg_layer_norm(&ob->t, &b->t, NULL, NULL, 1e-5), FG_ERR_UNSUPPORTED); /* 96 */
    /* float32 outputs of 16 MB or more: left to stable; one row fewer is kept */
    int64_t nbig[2] = {1024, 4096}, nsmall[2] = {1023, 4096};
    tu_tensor *nx = et_rand(FGI_F32, 2, nbig, 10, -1, 1), *no = tu_new(FGI_F32, 2, nbig, TU_CONTIG);
    tu_tensor *sx = et_rand(FGI_F32, 2, nsmall, 11, -1, 1), *so = tu_new(FGI_F32, 2, nsmall, TU_CONTIG);
    assert_int_equal(fg_layer_norm(&no->t, &nx->t, NULL, NULL, 1e-5), FG_ERR_UNSUPPORTED);
    assert_int_equal(fg_layer_norm(&so->t, &sx->t, NULL, NULL, 1e-5), FG_OK);
    assert_int_equal(fg_exp_force_kernel("rms_norm.cpu.custom.h64_v1"), FG_OK);
    assert_int_equal(fg_rms_norm(&no->t, &nx->t, NULL, 1e-5), FG_ERR_UNSUPPORTED);
    assert_int_equal(fg_rms_norm(&so->t, &sx->t, NULL, 1e-5), FG_OK);
    tu_free(nx);
    tu_free(no);
    tu_free(sx);
    tu_free(so);
    fg_exp_force_kernel(NULL);
    tu_free(a);
    tu_free(b);
    tu_free(c3);
    tu_free(oa);
    tu_free(ob);
    tu_free(oc);
    tu_free(ostr);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ids_unique),      cmocka_unit_test(test_list_and_info),
        cmocka_unit_test(test_register),        cmocka_unit_test(test_softmax_rows),
        cmocka_unit_test(test_norms_h64),       cmocka_unit_test(test_fast_gelu),
        cmocka_unit_test(test_fast_gelu_bound), cmocka_unit_test(test_supports_bounds),
        cmocka_unit_test(test_large_outputs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
