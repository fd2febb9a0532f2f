/* Pointwise ops (add, mul, relu, gelu none/tanh, silu, exp, fast_gelu):
 * the dispatched stable kernel against the reference kernel, every dtype,
 * over empty, scalar, odd, threaded and >= 4M-element shapes, transposed,
 * offset and gappy views, broadcasting, and NaN/Inf inputs. Also checks that
 * the harness itself catches a wrong kernel. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "ops/registry.h"
#include "testutil.h"

/* Internal entry point of the experimental-only op (src/ops/ops.c). */
fg_status fgi_op_fast_gelu(DLTensor *out, const DLTensor *x);

typedef enum pw_op {
    OP_ADD,
    OP_MUL,
    OP_RELU,
    OP_GELU,
    OP_GELU_TANH,
    OP_SILU,
    OP_EXP,
    OP_FAST_GELU,
    OP_COUNT
} pw_op;

static const char *const op_label[OP_COUNT] = {"add",       "mul",  "relu", "gelu",
                                               "gelu_tanh", "silu", "exp",  "fast_gelu"};
static const char *const op_kernel[OP_COUNT] = {"add",  "mul",  "relu", "gelu",
                                                "gelu", "silu", "exp",  "fast_gelu"};
/* Input ranges that exercise each function's interesting region without
 * overflowing float16 (exp(10) = 22026 < 65504). */
static const double op_range[OP_COUNT][2] = {{-2, 2}, {-2, 2}, {-2, 2},   {-6, 6},
                                             {-6, 6}, {-8, 8}, {-10, 10}, {-6, 6}};

typedef struct pw_ctx {
    pw_op op;
    tu_tensor *a, *b;
    double alpha;
} pw_ctx;

static fg_status pw_call(DLTensor *out, void *vctx)
{
    pw_ctx *c = vctx;
    switch (c->op) {
    case OP_ADD: return fg_add(out, &c->a->t, &c->b->t, c->alpha);
    case OP_MUL: return fg_mul(out, &c->a->t, &c->b->t);
    case OP_RELU: return fg_relu(out, &c->a->t);
    case OP_GELU: return fg_gelu(out, &c->a->t, FG_GELU_NONE);
    case OP_GELU_TANH: return fg_gelu(out, &c->a->t, FG_GELU_TANH);
    case OP_SILU: return fg_silu(out, &c->a->t);
    case OP_EXP: return fg_exp(out, &c->a->t);
    default: return fgi_op_fast_gelu(out, &c->a->t);
    }
}

/* ---------------------------------------------------------------- cases */

/* short layout names for the case tables */
#define LC TU_CONTIG
#define LO TU_OFFSET
#define LR TU_REVERSED
#define LROT TU_ROTATED
#define LG TU_GAPPY
#define LARGE 4194311 /* > 4 Mi elements, odd */

typedef struct shape_case {
    int ndim;
    int64_t shape[FG_MAX_DIMS];
    tu_layout x, out;
    bool specials;
} shape_case;

/* Shared by the unary ops and (with b of the same shape) add/mul. */
static const shape_case shape_cases[] = {
    {1, {0}, LC, LC, false},
    {3, {3, 0, 5}, LG, LC, false},
    {0, {0}, LC, LC, false}, /* 0-dim: one element */
    {1, {1}, LO, LC, false},
    {1, {7}, LC, LC, false},
    {1, {8}, LC, LO, false},
    {1, {31}, LO, LO, false},
    {1, {33}, LC, LC, false},
    {1, {257}, LG, LC, false},
    {1, {4097}, LC, LC, false},
    {2, {64, 65}, LC, LC, false},
    {3, {3, 5, 7}, LC, LC, false},
    {5, {2, 3, 1, 4, 5}, LROT, LC, false},
    {8, {1, 2, 1, 3, 1, 2, 1, 5}, LC, LG, false},
    {2, {13, 17}, LR, LC, false},
    {2, {9, 11}, LG, LC, false},
    {3, {4, 5, 6}, LROT, LG, false},
    {2, {19, 23}, LO, LO, false},
    {2, {17, 29}, LC, LG, false},
    {3, {6, 7, 9}, LR, LR, false},
    {1, {101}, LC, LC, true},
    {2, {33, 47}, LG, LC, true},
    {3, {5, 4, 37}, LC, LR, true},
    {1, {70001}, LC, LC, false},       /* above the parallel threshold */
    {2, {300, 301}, LR, LC, false},    /* threaded and strided */
    {2, {257, 300}, LC, LG, true},     /* threaded, strided out, specials */
    {1, {LARGE}, LC, LC, false},
};
#define N_SHAPE_CASES ((int)(sizeof shape_cases / sizeof shape_cases[0]))

/* Broadcasting for add and mul: b in layout lb, or with the explicit
 * element strides sbs (0 broadcasts by stride). */
typedef struct bcast_case {
    int nda;
    int64_t sa[FG_MAX_DIMS];
    int ndb;
    int64_t sb[FG_MAX_DIMS];
    tu_layout la, lb, lo;
    bool explicit_b; /* b's strides are sbs (0 = broadcast by stride) */
    int64_t sbs[FG_MAX_DIMS];
    bool specials;
} bcast_case;

static const bcast_case bcast_cases[] = {
    {3, {5, 1, 7}, 2, {3, 1}, LC, LC, LC, false, {0}, false},
    {2, {4, 6}, 0, {0}, LC, LC, LC, false, {0}, false}, /* b is a 0-dim scalar */
    {0, {0}, 2, {4, 6}, LC, LG, LC, false, {0}, false}, /* a is the scalar */
    {1, {1}, 1, {33}, LC, LC, LC, false, {0}, false},
    {2, {4, 1}, 2, {1, 6}, LC, LC, LG, false, {0}, false},
    {3, {2, 3, 4}, 1, {4}, LR, LG, LC, false, {0}, false},
    {4, {7, 1, 1, 9}, 4, {1, 5, 3, 1}, LG, LR, LC, false, {0}, true},
    {2, {0, 3}, 2, {1, 3}, LC, LC, LC, false, {0}, false},
    {2, {3, 1}, 2, {3, 0}, LC, LC, LC, false, {0}, false},
    {2, {6, 9}, 2, {6, 9}, LC, LC, LC, true, {0, 1}, false}, /* stride-0 rows */
    {2, {6, 9}, 2, {6, 9}, LO, LC, LG, true, {1, 0}, true},  /* stride-0 columns */
    {3, {2, 3, 5}, 3, {2, 3, 5}, LC, LC, LC, true, {0, 0, 0}, false}, /* one value */
    {2, {300, 1001}, 1, {1001}, LC, LC, LC, false, {0}, false},       /* threaded */
    {2, {1001, 300}, 2, {1001, 1}, LROT, LC, LC, false, {0}, true},
};
#define N_BCAST_CASES ((int)(sizeof bcast_cases / sizeof bcast_cases[0]))

typedef struct pw_param {
    pw_op op;
    fgi_dtype dt;
    char name[40];
} pw_param;

static const double exp_extra[] = {100.0, -100.0, 80.0, -80.0};
static const double act_extra[] = {20.0, -20.0, 1e4, -1e4};

static void fill(tu_tensor *t, tu_rng *r, pw_op op, bool specials)
{
    tu_fill_uniform(t, r, op_range[op][0], op_range[op][1]);
    if (!specials) return;
    int n = t->numel < 12 ? (int)t->numel : 12;
    if (op == OP_EXP)
        tu_fill_specials(t, r, n, exp_extra, 4);
    else if (op == OP_ADD || op == OP_MUL || op == OP_RELU)
        tu_fill_specials(t, r, n, NULL, 0);
    else
        tu_fill_specials(t, r, n, act_extra, 4);
}

static const double alphas[] = {1.0, -0.5, 2.5, 0.0, 1e-3};

static bool run_shape_case(const pw_param *p, int ci, tu_rng *r)
{
    const shape_case *sc = &shape_cases[ci];
    bool binary = p->op == OP_ADD || p->op == OP_MUL;
    pw_ctx ctx = {p->op, NULL, NULL, alphas[ci % 5]};
    if (sc->specials && ctx.alpha == 0.0) ctx.alpha = -1.0;
    ctx.a = tu_new(p->dt, sc->ndim, sc->shape, sc->x);
    fill(ctx.a, r, p->op, sc->specials);
    tu_layout lb = (tu_layout)((sc->x + 2) % TU_LAYOUT_COUNT);
    if (binary) {
        ctx.b = tu_new(p->dt, sc->ndim, sc->shape, lb);
        fill(ctx.b, r, p->op, sc->specials);
    }
    tu_tensor *out = tu_new(p->dt, sc->ndim, sc->shape, sc->out);
    char desc[256], sh[128];
    snprintf(desc, sizeof desc, "%s case %d: x%s %s%s%s, out %s%s", p->name, ci,
             tu_shape_str(sh, sizeof sh, sc->ndim, sc->shape), tu_layout_name(sc->x),
             binary ? ", b " : "", binary ? tu_layout_name(lb) : "", tu_layout_name(sc->out),
             sc->specials ? ", NaN/Inf" : "");
    bool ok = tu_check_op(op_kernel[p->op], pw_call, &ctx, out, TU_ATOL, desc);
    tu_free(ctx.a);
    tu_free(ctx.b);
    tu_free(out);
    return ok;
}

static bool run_bcast_case(const pw_param *p, int ci, tu_rng *r)
{
    const bcast_case *bc = &bcast_cases[ci];
    pw_ctx ctx = {p->op, NULL, NULL, alphas[(ci + 1) % 5]};
    if (bc->specials && ctx.alpha == 0.0) ctx.alpha = 3.0;
    ctx.a = tu_new(p->dt, bc->nda, bc->sa, bc->la);
    if (bc->explicit_b)
        ctx.b = tu_new_strided(p->dt, bc->ndb, bc->sb, bc->sbs, 2);
    else
        ctx.b = tu_new(p->dt, bc->ndb, bc->sb, bc->lb);
    fill(ctx.a, r, p->op, bc->specials);
    fill(ctx.b, r, p->op, bc->specials);
    /* the broadcast shape, computed here independently of the library */
    int nd = bc->nda > bc->ndb ? bc->nda : bc->ndb;
    int64_t shape[FG_MAX_DIMS];
    for (int d = 0; d < nd; d++) {
        int da = d - (nd - bc->nda), db = d - (nd - bc->ndb);
        int64_t x = da >= 0 ? bc->sa[da] : 1, y = db >= 0 ? bc->sb[db] : 1;
        shape[d] = x == 1 ? y : x;
    }
    tu_tensor *out = tu_new(p->dt, nd, shape, bc->lo);
    char desc[256], s1[128], s2[128];
    snprintf(desc, sizeof desc, "%s broadcast case %d: a%s %s, b%s %s, out %s%s", p->name, ci,
             tu_shape_str(s1, sizeof s1, bc->nda, bc->sa), tu_layout_name(bc->la),
             tu_shape_str(s2, sizeof s2, bc->ndb, bc->sb),
             bc->explicit_b ? "explicit strides" : tu_layout_name(bc->lb),
             tu_layout_name(bc->lo), bc->specials ? ", NaN/Inf" : "");
    bool ok = tu_check_op(op_kernel[p->op], pw_call, &ctx, out, TU_ATOL, desc);
    tu_free(ctx.a);
    tu_free(ctx.b);
    tu_free(out);
    return ok;
}

static void test_op(void **state)
{
    const pw_param *p = *state;
    tu_rng r = {1000u + (uint64_t)p->op * 10u + (uint64_t)p->dt};
    tu_tally tally = {0, 0};
    for (int ci = 0; ci < N_SHAPE_CASES; ci++) tu_tally_add(&tally, run_shape_case(p, ci, &r));
    if (p->op == OP_ADD || p->op == OP_MUL)
        for (int ci = 0; ci < N_BCAST_CASES; ci++) tu_tally_add(&tally, run_bcast_case(p, ci, &r));
    tu_tally_finish(&tally, p->name);
}

/* ---------------------------------------------------------------- the harness can fail */

/* These wrap the public call, so they serve the forced reference run too;
 * they misbehave only when a stable kernel ran. */

/* fg_relu, then one element changed: what a subtly wrong kernel does. */
static fg_status relu_then_corrupt(DLTensor *out, void *vctx)
{
    fg_status s = pw_call(out, vctx);
    if (s == FG_OK && strstr(fg_last_kernel(), ".stable.")) {
        float *p = (float *)((char *)out->data + out->byte_offset);
        p[3] = p[3] * 1.0001f + 1e-3f;
    }
    return s;
}

/* fg_relu served by the reference kernel: what a silent fallback does. */
static fg_status relu_on_reference(DLTensor *out, void *vctx)
{
    fgi_force_kernel("relu.cpu.reference");
    fg_status s = pw_call(out, vctx);
    fgi_force_kernel(NULL);
    return s;
}

/* fg_relu that leaves the last element unwritten. */
static fg_status relu_short(DLTensor *out, void *vctx)
{
    pw_ctx *c = vctx;
    uint32_t keep;
    float *p = (float *)((char *)out->data + out->byte_offset);
    memcpy(&keep, &p[c->a->numel - 1], 4);
    fg_status s = pw_call(out, vctx);
    if (strstr(fg_last_kernel(), ".stable.")) memcpy(&p[c->a->numel - 1], &keep, 4);
    return s;
}

/* fg_relu that also writes one slot past the view. */
static fg_status relu_overrun(DLTensor *out, void *vctx)
{
    pw_ctx *c = vctx;
    fg_status s = pw_call(out, vctx);
    float *p = (float *)((char *)out->data + out->byte_offset);
    p[c->a->numel] = 0.0f;
    return s;
}

static void test_harness_catches_errors(void **state)
{
    (void)state;
    char why[256];
    /* kernel ids */
    const char *isa = fg_cpu_isa_name();
    char good[64], other[64];
    snprintf(good, sizeof good, "relu.cpu.stable.%s", isa);
    snprintf(other, sizeof other, "relu.cpu.stable.%s",
             strcmp(isa, "avx2") == 0 ? "generic" : "avx2");
    assert_true(tu_kernel_ok("relu", good, why, sizeof why));
    assert_false(tu_kernel_ok("relu", "relu.cpu.reference", why, sizeof why));
    assert_false(tu_kernel_ok("relu", other, why, sizeof why));
    assert_false(tu_kernel_ok("relu", "gelu.cpu.stable.generic", why, sizeof why));
    assert_false(tu_kernel_ok("relu", "", why, sizeof why));

    /* the comparison */
    const int64_t s[] = {6};
    tu_tensor *ref = tu_new(FGI_F32, 1, s, TU_CONTIG), *out = tu_new(FGI_F32, 1, s, TU_GAPPY);
    const double v[] = {1.0, -2.5, NAN, INFINITY, -INFINITY, 1e-7};
    tu_set_values(ref, v, 6);
    tu_set_values(out, v, 6);
    print_message("[ note ] the failure messages below are expected\n");
    assert_int_equal(tu_compare(out, ref, TU_ATOL, 1.3e-6, "identical"), 0);
    tu_set(out, 0, 1.0 + 2 * (TU_ATOL + 1.3e-6));
    assert_int_equal(tu_compare(out, ref, TU_ATOL, 1.3e-6, "perturbed"), 1);
    tu_set(out, 0, 1.0 + 0.9 * TU_ATOL);
    assert_int_equal(tu_compare(out, ref, TU_ATOL, 1.3e-6, "within atol"), 0);
    tu_set(out, 2, 0.0);
    assert_int_equal(tu_compare(out, ref, TU_ATOL, 1.3e-6, "NaN lost"), 1);
    tu_set(out, 2, NAN);
    tu_set(out, 3, -INFINITY);
    assert_int_equal(tu_compare(out, ref, TU_ATOL, 1.3e-6, "Inf sign"), 1);
    tu_set(out, 3, 3e38);
    assert_int_equal(tu_compare(out, ref, TU_ATOL, 1.3e-6, "Inf lost"), 1);
    tu_set(out, 3, INFINITY);
    tu_set(out, 1, NAN);
    assert_int_equal(tu_compare(out, ref, TU_ATOL, 1.3e-6, "NaN invented"), 1);
    tu_set(out, 1, -2.5);
    uint32_t pb = tu_poison_bits(FGI_F32);
    memcpy(out->buf + 4 * tu_elem_offset(out, 5), &pb, 4);
    assert_int_equal(tu_compare(out, ref, TU_ATOL, 1.3e-6, "unwritten"), 1);
    assert_true(tu_gaps_intact(out, "gaps"));
    float zero = 0.0f;
    memcpy(out->buf + 4 * (tu_elem_offset(out, 2) + 1), &zero, 4);
    assert_false(tu_gaps_intact(out, "a gap written"));
    tu_free(ref);
    tu_free(out);

    /* the whole check against deliberately wrong kernels */
    const int64_t sx[] = {40};
    tu_rng r = {5};
    pw_ctx ctx = {OP_RELU, tu_new(FGI_F32, 1, sx, TU_CONTIG), NULL, 1.0};
    tu_fill_uniform(ctx.a, &r, -2, 2);
    tu_tensor *o = tu_new(FGI_F32, 1, sx, TU_CONTIG);
    bool right = tu_check_op("relu", pw_call, &ctx, o, TU_ATOL, "relu as is");
    assert_false(tu_check_op("relu", relu_then_corrupt, &ctx, o, TU_ATOL, "corrupting relu"));
    assert_false(tu_check_op("relu", relu_on_reference, &ctx, o, TU_ATOL, "relu on reference"));
    assert_false(tu_check_op("relu", relu_short, &ctx, o, TU_ATOL, "relu skipping one"));
    assert_false(tu_check_op("relu", relu_overrun, &ctx, o, TU_ATOL, "relu writing past"));
    print_message("[ note ] end of expected failure messages\n");
    tu_free(ctx.a);
    tu_free(o);
    /* and the unmodified op passes (fails only while relu kernels are missing) */
    assert_true(right);
}

int main(void)
{
    static pw_param params[OP_COUNT * 3];
    const char *names[OP_COUNT * 3 + 1];
    void *ps[OP_COUNT * 3 + 1];
    const fgi_dtype dts[3] = {FGI_F32, FGI_F16, FGI_BF16};
    int n = 0;
    names[n] = "harness_catches_errors";
    ps[n++] = NULL;
    for (int op = 0; op < OP_COUNT; op++)
        for (int d = 0; d < 3; d++) {
            pw_param *p = &params[op * 3 + d];
            p->op = (pw_op)op;
            p->dt = dts[d];
            snprintf(p->name, sizeof p->name, "%s_%s", op_label[op], tu_dtype_name(dts[d]));
            names[n] = p->name;
            ps[n++] = p;
        }
    int rc = tu_run_group(tu_env_generic() ? "pointwise_generic" : "pointwise", 1, names,
                          test_harness_catches_errors, ps);
    rc += tu_run_group(tu_env_generic() ? "pointwise_generic" : "pointwise", n - 1, names + 1,
                       test_op, ps + 1);
    return rc;
}
