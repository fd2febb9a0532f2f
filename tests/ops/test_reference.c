/* The reference kernels (the accuracy oracle) against values known
 * independently of the library: closed forms computed by hand or with
 * Python's math module, and small cases worked out on paper. Every call is
 * forced onto "<op>.cpu.reference". */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "ops/registry.h"
#include "testutil.h"

fg_status fgi_op_fast_gelu(DLTensor *out, const DLTensor *x);

/* float32 keeps 24 bits: the reference's double result cast to float is
 * within half an ulp (2^-24 relative) of the exact value. */
#define F32_REL 0x1p-23

static void force(const char *op)
{
    char id[64];
    snprintf(id, sizeof id, "%s.cpu.reference", op);
    fg_status s = fgi_force_kernel(id);
    if (s != FG_OK) print_error("cannot force %s: %s\n", id, fg_last_error());
    assert_int_equal(s, FG_OK);
}

static void unforce(void) { assert_int_equal(fgi_force_kernel(NULL), FG_OK); }

static void expect_ok(fg_status s, const char *op)
{
    if (s != FG_OK) print_error("%s: %s\n", op, fg_last_error());
    assert_int_equal(s, FG_OK);
    char id[64];
    snprintf(id, sizeof id, "%s.cpu.reference", op);
    assert_string_equal(fg_last_kernel(), id);
}

static tu_tensor *vec(fgi_dtype dt, int64_t n, const double *v)
{
    tu_tensor *t = tu_new(dt, 1, &n, TU_CONTIG);
    if (v) tu_set_values(t, v, n);
    return t;
}

static tu_tensor *mat(fgi_dtype dt, int64_t r, int64_t c, const double *v)
{
    const int64_t s[2] = {r, c};
    tu_tensor *t = tu_new(dt, 2, s, TU_CONTIG);
    if (v) tu_set_values(t, v, r * c);
    return t;
}

/* Every element of t against want: NaN for NaN, the same Inf, else within
 * rel*|want| + abs. */
static void check(const tu_tensor *t, const double *want, int64_t n, double rel, double abs_tol,
                  const char *what)
{
    assert_int_equal(t->numel, n);
    for (int64_t i = 0; i < n; i++) {
        double got = tu_get(t, i), w = want[i];
        bool ok = isnan(w)   ? isnan(got)
                  : isinf(w) ? got == w
                             : !tu_is_poison(t, i) && fabs(got - w) <= rel * fabs(w) + abs_tol;
        if (!ok) {
            print_error("%s: element %lld is %.17g, expected %.17g\n", what, (long long)i, got,
                        w);
            fail();
        }
    }
}

/* ---------------------------------------------------------------- pointwise */

static const double xs[8] = {1, -1, 0, 3, -3, 0.5, -0.25, 6};

static void unary_case(const char *op, fg_status (*fn)(DLTensor *, const DLTensor *),
                       const double *want)
{
    tu_tensor *x = vec(FGI_F32, 8, xs), *out = vec(FGI_F32, 8, NULL);
    force(op);
    expect_ok(fn(&out->t, &x->t), op);
    unforce();
    check(out, want, 8, F32_REL, 1e-30, op);
    tu_free(x);
    tu_free(out);
}

static fg_status gelu_none(DLTensor *o, const DLTensor *x) { return fg_gelu(o, x, FG_GELU_NONE); }
static fg_status gelu_tanh(DLTensor *o, const DLTensor *x) { return fg_gelu(o, x, FG_GELU_TANH); }

static void test_activations(void **state)
{
    (void)state;
    /* x * Phi(x), Phi(x) = (1 + erf(x / sqrt 2)) / 2 */
    const double gelu[8] = {0.8413447460685429,  -0.15865525393145707, 0.0,
                            2.99595030590511,    -0.00404969409489031, 0.34573123063700656,
                            -0.10032341857926907, 5.999999994080474};
    /* 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))) */
    const double tanh_[8] = {0.8411919906082768,   -0.15880800939172324,  0.0,
                             2.996362607918227,    -0.0036373920817729943, 0.34571400982514394,
                             -0.100324649298315,   5.9999999999156035};
    /* x / (1 + exp(-x)) */
    const double silu[8] = {0.7310585786300049,  -0.2689414213699951,  0.0,
                            2.8577223804672998,  -0.14227761953270035, 0.3112296656009273,
                            -0.10945587477855048, 5.985164261060192};
    /* x * sigmoid(1.702 x); fast_gelu(1) = sigmoid(1.702) */
    const double fast[8] = {0.8457957659328212,  -0.1542042340671787,  0.0,
                            2.981928690292214,   -0.01807130970778597, 0.35038843660638014,
                            -0.09880035009980583, 5.9997796464502136};
    assert_true(fabs(fast[0] - 1.0 / (1.0 + exp(-1.702))) < 1e-15);
    const double relu[8] = {1, 0, 0, 3, 0, 0.5, 0, 6};
    double e[8];
    for (int i = 0; i < 8; i++) e[i] = exp(xs[i]);
    e[0] = 2.718281828459045; /* e itself, not libm's */
    unary_case("gelu", gelu_none, gelu);
    unary_case("gelu", gelu_tanh, tanh_);
    unary_case("silu", fg_silu, silu);
    unary_case("fast_gelu", fgi_op_fast_gelu, fast);
    unary_case("relu", fg_relu, relu);
    unary_case("exp", fg_exp, e);
}

static void test_pointwise_specials(void **state)
{
    (void)state;
    const double x[7] = {NAN, INFINITY, -INFINITY, -0.0, 89.0, -104.0, 88.5};
    tu_tensor *t = vec(FGI_F32, 7, x), *out = vec(FGI_F32, 7, NULL);
    /* exp: overflow to +Inf, underflow to (denormal) ~0, NaN stays NaN */
    const double we[7] = {NAN, INFINITY, 0.0, 1.0, INFINITY, exp(-104.0), exp(88.5)};
    force("exp");
    expect_ok(fg_exp(&out->t, &t->t), "exp");
    unforce();
    check(out, we, 7, F32_REL, 1e-44, "exp specials");
    /* relu: NaN propagates (as in PyTorch), the rest clamp at 0 */
    const double wr[7] = {NAN, INFINITY, 0.0, 0.0, 89.0, 0.0, 88.5};
    force("relu");
    expect_ok(fg_relu(&out->t, &t->t), "relu");
    unforce();
    check(out, wr, 7, 0, 0, "relu specials");
    /* gelu and silu: NaN stays NaN, +Inf stays +Inf */
    force("gelu");
    expect_ok(fg_gelu(&out->t, &t->t, FG_GELU_NONE), "gelu");
    unforce();
    assert_true(isnan(tu_get(out, 0)));
    assert_true(tu_get(out, 1) == INFINITY);
    force("silu");
    expect_ok(fg_silu(&out->t, &t->t), "silu");
    unforce();
    assert_true(isnan(tu_get(out, 0)));
    assert_true(tu_get(out, 1) == INFINITY);
    tu_free(t);
    tu_free(out);
}

static void test_add_mul(void **state)
{
    (void)state;
    const double a[3] = {1, 2, 3}, b[3] = {10, 20, 30};
    tu_tensor *ta = vec(FGI_F32, 3, a), *tb = vec(FGI_F32, 3, b), *out = vec(FGI_F32, 3, NULL);
    force("add");
    expect_ok(fg_add(&out->t, &ta->t, &tb->t, 2.0), "add");
    const double w1[3] = {21, 42, 63};
    check(out, w1, 3, 0, 0, "a + 2b");
    /* broadcast: a [2,1] + (-1) * b [3] -> [2,3] */
    const double a2[2] = {1, 2};
    tu_tensor *ta2 = mat(FGI_F32, 2, 1, a2), *out2 = mat(FGI_F32, 2, 3, NULL);
    expect_ok(fg_add(&out2->t, &ta2->t, &tb->t, -1.0), "add");
    const double w2[6] = {-9, -19, -29, -8, -18, -28};
    check(out2, w2, 6, 0, 0, "broadcast a - b");
    /* Inf - Inf is NaN */
    const double ai[3] = {INFINITY, 1, NAN}, bi[3] = {INFINITY, -INFINITY, 0};
    tu_set_values(ta, ai, 3);
    tu_set_values(tb, bi, 3);
    expect_ok(fg_add(&out->t, &ta->t, &tb->t, -1.0), "add");
    const double w3[3] = {NAN, INFINITY, NAN};
    check(out, w3, 3, 0, 0, "Inf - Inf");
    unforce();

    force("mul");
    const double m1[3] = {2, 3, 0}, m2[3] = {4, -5, INFINITY};
    tu_set_values(ta, m1, 3);
    tu_set_values(tb, m2, 3);
    expect_ok(fg_mul(&out->t, &ta->t, &tb->t), "mul");
    const double w4[3] = {8, -15, NAN}; /* 0 * Inf is NaN */
    check(out, w4, 3, 0, 0, "a * b");
    unforce();
    tu_free(ta);
    tu_free(tb);
    tu_free(out);
    tu_free(ta2);
    tu_free(out2);
}

/* The reference writes through any strides: relu of a transposed view into
 * a gappy output lands every value in its place. */
static void test_strided_views(void **state)
{
    (void)state;
    const int64_t s[2] = {2, 3};
    tu_tensor *x = tu_new(FGI_F32, 2, s, TU_REVERSED), *out = tu_new(FGI_F32, 2, s, TU_GAPPY);
    const double v[6] = {-1, 2, -3, 4, -5, 6}; /* logical row-major */
    tu_set_values(x, v, 6);
    /* column-major storage: buffer holds -1, 4, 2, -5, -3, 6 */
    const float *xb = (const float *)x->buf;
    assert_true(xb[0] == -1 && xb[1] == 4 && xb[2] == 2 && xb[3] == -5);
    force("relu");
    expect_ok(fg_relu(&out->t, &x->t), "relu");
    unforce();
    const double w[6] = {0, 2, 0, 4, 0, 6};
    check(out, w, 6, 0, 0, "relu of a transposed view");
    assert_true(tu_gaps_intact(out, "relu strided out"));
    tu_free(x);
    tu_free(out);
}

static void test_f16_bf16_outputs(void **state)
{
    (void)state;
    /* gelu(1) = 0.8413447460685429 rounded to each dtype: float16 spacing
     * in [0.5, 1) is 2^-11 (-> 1723 * 2^-11), bfloat16's is 2^-8 (-> 215 * 2^-8) */
    const double one = 1.0;
    const double want16 = 1723 * 0x1p-11, wantbf = 215 * 0x1p-8;
    const fgi_dtype dts[2] = {FGI_F16, FGI_BF16};
    const double want[2] = {want16, wantbf};
    for (int i = 0; i < 2; i++) {
        tu_tensor *x = vec(dts[i], 1, &one), *out = vec(dts[i], 1, NULL);
        force("gelu");
        expect_ok(fg_gelu(&out->t, &x->t, FG_GELU_NONE), "gelu");
        unforce();
        check(out, &want[i], 1, 0, 0, tu_dtype_name(dts[i]));
        tu_free(x);
        tu_free(out);
    }
}

/* ---------------------------------------------------------------- reductions */

static void test_softmax(void **state)
{
    (void)state;
    const double x[3] = {1, 2, 3};
    const double w[3] = {0.09003057317038046, 0.24472847105479764, 0.6652409557748219};
    tu_tensor *t = vec(FGI_F32, 3, x), *out = vec(FGI_F32, 3, NULL);
    force("softmax");
    expect_ok(fg_softmax(&out->t, &t->t, 0), "softmax");
    check(out, w, 3, F32_REL, 1e-30, "softmax [1,2,3]");
    expect_ok(fg_softmax(&out->t, &t->t, -1), "softmax");
    check(out, w, 3, F32_REL, 1e-30, "softmax [1,2,3] dim -1");
    /* large and -Inf inputs: the max is subtracted first */
    const double big[3] = {1000, 1000, -INFINITY}, wb[3] = {0.5, 0.5, 0};
    tu_set_values(t, big, 3);
    expect_ok(fg_softmax(&out->t, &t->t, 0), "softmax");
    check(out, wb, 3, 0, 0, "softmax [1000,1000,-inf]");
    /* over dim 0 of [[1,1],[2,3]]: columns (1,2) and (1,3) */
    const double m[4] = {1, 1, 2, 3};
    tu_tensor *tm = mat(FGI_F32, 2, 2, m), *om = mat(FGI_F32, 2, 2, NULL);
    expect_ok(fg_softmax(&om->t, &tm->t, 0), "softmax");
    const double wm[4] = {0.2689414213699951, 0.11920292202211755, 0.7310585786300049,
                          0.8807970779778823};
    check(om, wm, 4, F32_REL, 1e-30, "softmax dim 0");
    unforce();
    tu_free(t);
    tu_free(out);
    tu_free(tm);
    tu_free(om);
}

/* A strided view of 0..11 stored as [3,4]: columns 0 and 2 */
static tu_tensor *strided_0_to_11(void)
{
    const int64_t shape[2] = {3, 2}, st[2] = {4, 2};
    tu_tensor *t = tu_new_strided(FGI_F32, 2, shape, st, 0);
    for (int i = 0; i < 12; i++) ((float *)t->buf)[i] = (float)i;
    return t;
}

static void test_reductions(void **state)
{
    (void)state;
    tu_tensor *x = strided_0_to_11(); /* [[0,2],[4,6],[8,10]] */
    tu_tensor *scalar = tu_new(FGI_F32, 0, NULL, TU_CONTIG);
    tu_tensor *r3 = vec(FGI_F32, 3, NULL), *r2 = vec(FGI_F32, 2, NULL);
    force("sum");
    expect_ok(fg_sum(&scalar->t, &x->t, FG_DIM_ALL, 0), "sum");
    const double w30 = 30;
    check(scalar, &w30, 1, 0, 0, "sum of a strided view");
    expect_ok(fg_sum(&r3->t, &x->t, 1, 0), "sum");
    const double w1[3] = {2, 10, 18};
    check(r3, w1, 3, 0, 0, "sum dim 1");
    expect_ok(fg_sum(&r2->t, &x->t, -2, 0), "sum");
    const double w0[2] = {12, 18};
    check(r2, w0, 2, 0, 0, "sum dim -2");
    unforce();
    force("mean");
    expect_ok(fg_mean(&r3->t, &x->t, -1, 0), "mean");
    const double wm[3] = {1, 5, 9};
    check(r3, wm, 3, 0, 0, "mean dim -1");
    unforce();
    force("amax");
    expect_ok(fg_amax(&r2->t, &x->t, 0, 0), "amax");
    const double wa[2] = {8, 10};
    check(r2, wa, 2, 0, 0, "amax dim 0");
    /* amax propagates NaN; -Inf is a value like any other */
    const double v[6] = {1, NAN, 3, -1, -5, -INFINITY};
    tu_tensor *y = mat(FGI_F32, 2, 3, v), *k = mat(FGI_F32, 2, 1, NULL);
    expect_ok(fg_amax(&k->t, &y->t, 1, 1), "amax");
    const double wk[2] = {NAN, -1};
    check(k, wk, 2, 0, 0, "amax with NaN, keepdim");
    const double ninf[1] = {-INFINITY};
    tu_tensor *one = vec(FGI_F32, 1, ninf);
    expect_ok(fg_amax(&scalar->t, &one->t, FG_DIM_ALL, 0), "amax");
    check(scalar, ninf, 1, 0, 0, "amax of [-inf]");
    unforce();
    tu_free(x);
    tu_free(scalar);
    tu_free(r3);
    tu_free(r2);
    tu_free(y);
    tu_free(k);
    tu_free(one);
}

static void test_empty_reductions(void **state)
{
    (void)state;
    tu_tensor *x = mat(FGI_F32, 3, 0, NULL), *r = vec(FGI_F32, 3, NULL);
    tu_tensor *e = vec(FGI_F32, 0, NULL), *scalar = tu_new(FGI_F32, 0, NULL, TU_CONTIG);
    force("mean");
    expect_ok(fg_mean(&r->t, &x->t, 1, 0), "mean");
    const double nan3[3] = {NAN, NAN, NAN}, zero3[3] = {0, 0, 0};
    check(r, nan3, 3, 0, 0, "mean of empty rows");
    expect_ok(fg_mean(&scalar->t, &e->t, FG_DIM_ALL, 0), "mean");
    check(scalar, nan3, 1, 0, 0, "mean of []");
    unforce();
    force("sum");
    expect_ok(fg_sum(&r->t, &x->t, 1, 0), "sum");
    check(r, zero3, 3, 0, 0, "sum of empty rows");
    expect_ok(fg_sum(&scalar->t, &e->t, FG_DIM_ALL, 0), "sum");
    check(scalar, zero3, 1, 0, 0, "sum of []");
    unforce();
    tu_free(x);
    tu_free(r);
    tu_free(e);
    tu_free(scalar);
}

/* The reference accumulates in double: sums that a float32 (or float16,
 * bfloat16) accumulator gets wrong come out exact. */
static void test_accumulation(void **state)
{
    (void)state;
    tu_tensor *scalar = tu_new(FGI_F32, 0, NULL, TU_CONTIG);
    const double v[4] = {1e8, 1, -1e8, 1};
    tu_tensor *x = vec(FGI_F32, 4, v);
    force("sum");
    expect_ok(fg_sum(&scalar->t, &x->t, 0, 0), "sum");
    const double two = 2;
    check(scalar, &two, 1, 0, 0, "1e8 + 1 - 1e8 + 1");
    const struct {
        fgi_dtype dt;
        int64_t n;
    } ones[2] = {{FGI_F16, 4096}, {FGI_BF16, 1024}};
    for (int i = 0; i < 2; i++) {
        tu_tensor *o = vec(ones[i].dt, ones[i].n, NULL), *s = tu_new(ones[i].dt, 0, NULL, TU_CONTIG);
        for (int64_t j = 0; j < ones[i].n; j++) tu_set(o, j, 1.0);
        expect_ok(fg_sum(&s->t, &o->t, FG_DIM_ALL, 0), "sum");
        const double want = (double)ones[i].n;
        check(s, &want, 1, 0, 0, tu_dtype_name(ones[i].dt));
        tu_free(o);
        tu_free(s);
    }
    unforce();
    /* the mean of two float16 maxima: the sum overflows float16, not the mean */
    const double big[2] = {65504, 65504};
    tu_tensor *b = vec(FGI_F16, 2, big), *m = tu_new(FGI_F16, 0, NULL, TU_CONTIG);
    force("mean");
    expect_ok(fg_mean(&m->t, &b->t, 0, 0), "mean");
    unforce();
    check(m, big, 1, 0, 0, "mean of float16 maxima");
    tu_free(scalar);
    tu_free(x);
    tu_free(b);
    tu_free(m);
}

/* ---------------------------------------------------------------- norms */

static void test_layer_norm(void **state)
{
    (void)state;
    /* mean 2.5, biased variance 1.25 */
    const double x[8] = {1, 2, 3, 4, 10, 10, 10, 10};
    tu_tensor *t = mat(FGI_F32, 2, 4, x), *out = mat(FGI_F32, 2, 4, NULL);
    force("layer_norm");
    /* eps 1: (x - 2.5) / 1.5; a constant row gives 0 */
    expect_ok(fg_layer_norm(&out->t, &t->t, NULL, NULL, 1.0), "layer_norm");
    const double w1[8] = {-1, -1.0 / 3, 1.0 / 3, 1, 0, 0, 0, 0};
    check(out, w1, 8, F32_REL, 1e-7, "layer_norm eps 1");
    /* eps 0: (x - 2.5) / sqrt(1.25) */
    tu_tensor *t1 = vec(FGI_F32, 4, x), *o1 = vec(FGI_F32, 4, NULL);
    expect_ok(fg_layer_norm(&o1->t, &t1->t, NULL, NULL, 0.0), "layer_norm");
    const double w0[4] = {-1.3416407864998738, -0.4472135954999579, 0.4472135954999579,
                          1.3416407864998738};
    check(o1, w0, 4, F32_REL, 1e-7, "layer_norm eps 0");
    /* weight and bias */
    const double wv[4] = {1, 2, -1, 0.5}, bv[4] = {0, 1, 0, -1};
    tu_tensor *w = vec(FGI_F32, 4, wv), *b = vec(FGI_F32, 4, bv);
    expect_ok(fg_layer_norm(&o1->t, &t1->t, &w->t, &b->t, 1.0), "layer_norm");
    const double wwb[4] = {-1, 1.0 / 3, -1.0 / 3, -0.5};
    check(o1, wwb, 4, F32_REL, 1e-7, "layer_norm weight, bias");
    expect_ok(fg_layer_norm(&o1->t, &t1->t, NULL, &b->t, 1.0), "layer_norm");
    const double wb_[4] = {-1, 1 - 1.0 / 3, 1.0 / 3, 0};
    check(o1, wb_, 4, F32_REL, 1e-7, "layer_norm bias only");
    unforce();
    tu_free(t);
    tu_free(out);
    tu_free(t1);
    tu_free(o1);
    tu_free(w);
    tu_free(b);
}

static void test_rms_norm(void **state)
{
    (void)state;
    /* mean square 7.5; + eps 0.5 = 8; x / sqrt(8) */
    const double x[4] = {1, 2, 3, 4};
    tu_tensor *t = vec(FGI_F32, 4, x), *out = vec(FGI_F32, 4, NULL);
    force("rms_norm");
    expect_ok(fg_rms_norm(&out->t, &t->t, NULL, 0.5), "rms_norm");
    const double w1[4] = {0.3535533905932738, 0.7071067811865476, 1.0606601717798212,
                          1.4142135623730951};
    check(out, w1, 4, F32_REL, 1e-30, "rms_norm");
    const double wv[4] = {2, 1, 1, 0.5};
    tu_tensor *w = vec(FGI_F32, 4, wv);
    expect_ok(fg_rms_norm(&out->t, &t->t, &w->t, 0.5), "rms_norm");
    const double w2[4] = {0.7071067811865476, 0.7071067811865476, 1.0606601717798212,
                          0.7071067811865476};
    check(out, w2, 4, F32_REL, 1e-30, "rms_norm weight");
    unforce();
    tu_free(t);
    tu_free(out);
    tu_free(w);
}

/* ---------------------------------------------------------------- blas */

static void test_mm(void **state)
{
    (void)state;
    const double a[6] = {1, 2, 3, 4, 5, 6}, b[6] = {7, 8, 9, 10, 11, 12};
    tu_tensor *ta = mat(FGI_F32, 2, 3, a), *tb = mat(FGI_F32, 3, 2, b);
    tu_tensor *out = mat(FGI_F32, 2, 2, NULL);
    force("mm");
    expect_ok(fg_mm(&out->t, &ta->t, &tb->t), "mm");
    const double w[4] = {58, 64, 139, 154};
    check(out, w, 4, 0, 0, "[[1,2,3],[4,5,6]] @ [[7,8],[9,10],[11,12]]");
    /* b given as a transposed view of its transpose, out gappy */
    const int64_t sb[2] = {3, 2}, so[2] = {2, 2};
    tu_tensor *tbt = tu_new(FGI_F32, 2, sb, TU_REVERSED), *og = tu_new(FGI_F32, 2, so, TU_GAPPY);
    tu_set_values(tbt, b, 6);
    expect_ok(fg_mm(&og->t, &ta->t, &tbt->t), "mm");
    check(og, w, 4, 0, 0, "mm with transposed b");
    assert_true(tu_gaps_intact(og, "mm gappy out"));
    /* K = 0: zeros */
    const int64_t sk0a[2] = {2, 0}, sk0b[2] = {0, 2};
    tu_tensor *za = tu_new(FGI_F32, 2, sk0a, TU_CONTIG), *zb = tu_new(FGI_F32, 2, sk0b, TU_CONTIG);
    expect_ok(fg_mm(&out->t, &za->t, &zb->t), "mm");
    const double z[4] = {0, 0, 0, 0};
    check(out, z, 4, 0, 0, "mm with K = 0");
    unforce();
    /* bmm: batch 2, the second a picks rows 0 and 1 of b */
    const int64_t s3a[3] = {2, 2, 3}, s3b[3] = {2, 3, 2}, s3o[3] = {2, 2, 2};
    tu_tensor *ba = tu_new(FGI_F32, 3, s3a, TU_CONTIG), *bb = tu_new(FGI_F32, 3, s3b, TU_CONTIG);
    tu_tensor *bo = tu_new(FGI_F32, 3, s3o, TU_CONTIG);
    const double av[12] = {1, 2, 3, 4, 5, 6, 1, 0, 0, 0, 1, 0};
    const double bv[12] = {7, 8, 9, 10, 11, 12, 7, 8, 9, 10, 11, 12};
    tu_set_values(ba, av, 12);
    tu_set_values(bb, bv, 12);
    force("bmm");
    expect_ok(fg_bmm(&bo->t, &ba->t, &bb->t), "bmm");
    unforce();
    const double wb[8] = {58, 64, 139, 154, 7, 8, 9, 10};
    check(bo, wb, 8, 0, 0, "bmm");
    tu_free(ta);
    tu_free(tb);
    tu_free(out);
    tu_free(tbt);
    tu_free(og);
    tu_free(za);
    tu_free(zb);
    tu_free(ba);
    tu_free(bb);
    tu_free(bo);
}

/* Forcing: unknown ids are refused, and a forced kernel serves only its op. */
static void test_forcing(void **state)
{
    (void)state;
    assert_int_equal(fgi_force_kernel("no.such.kernel"), FG_ERR_NOT_FOUND);
    assert_true(strstr(fg_last_error(), "no.such.kernel") != NULL);
    const double v[2] = {-1, 1};
    tu_tensor *x = vec(FGI_F32, 2, v), *o = vec(FGI_F32, 2, NULL);
    force("gelu");
    fg_status s = fg_relu(&o->t, &x->t);
    unforce();
    assert_int_equal(s, FG_OK);
    assert_true(strncmp(fg_last_kernel(), "relu.cpu.", 9) == 0);
    tu_free(x);
    tu_free(o);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_activations),  cmocka_unit_test(test_pointwise_specials),
        cmocka_unit_test(test_add_mul),      cmocka_unit_test(test_strided_views),
        cmocka_unit_test(test_f16_bf16_outputs), cmocka_unit_test(test_softmax),
        cmocka_unit_test(test_reductions),   cmocka_unit_test(test_empty_reductions),
        cmocka_unit_test(test_accumulation), cmocka_unit_test(test_layer_norm),
        cmocka_unit_test(test_rms_norm),     cmocka_unit_test(test_mm),
        cmocka_unit_test(test_forcing),
    };
    return cmocka_run_group_tests_name(tu_env_generic() ? "reference_generic" : "reference",
                                       tests, NULL, NULL);
}
