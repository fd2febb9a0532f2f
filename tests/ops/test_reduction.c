/* sum, mean, amax over every dim (positive and negative), keepdim on and
 * off, and FG_DIM_ALL; softmax over every dim. The dispatched stable kernel
 * against the reference kernel for float32, float16 and bfloat16 over empty,
 * scalar, odd, threaded and >= 4M-element shapes, transposed, offset and
 * gappy views (input and output), and NaN/Inf inputs. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "testutil.h"

#define LC TU_CONTIG
#define LO TU_OFFSET
#define LR TU_REVERSED
#define LROT TU_ROTATED
#define LG TU_GAPPY

enum { DIMS_ALL_AND_EACH = -100 }; /* every dim, both signs, and FG_DIM_ALL */

typedef struct red_case {
    int ndim;
    int64_t shape[FG_MAX_DIMS];
    tu_layout x, out;
    bool specials;
    int only_dim; /* DIMS_ALL_AND_EACH, or the one dim to run (large shapes) */
} red_case;

#define EACH DIMS_ALL_AND_EACH
static const red_case red_cases[] = {
    {1, {0}, LC, LC, false, EACH},
    {2, {3, 0}, LC, LC, false, EACH}, /* empty reduction and empty output */
    {0, {0}, LC, LC, false, EACH},    /* 0-dim */
    {1, {1}, LO, LC, false, EACH},
    {1, {7}, LC, LO, false, EACH},
    {1, {33}, LG, LC, false, EACH},
    {1, {1000}, LC, LC, false, EACH},
    {2, {4, 5}, LC, LG, false, EACH},
    {3, {3, 5, 7}, LC, LC, false, EACH},
    {4, {2, 3, 4, 5}, LROT, LC, false, EACH},
    {2, {13, 17}, LR, LC, false, EACH},
    {2, {9, 11}, LG, LG, false, EACH},
    {3, {6, 7, 9}, LO, LR, false, EACH},
    {3, {1, 1, 31}, LC, LC, false, EACH},
    {2, {64, 65}, LC, LC, false, EACH},
    {3, {31, 1, 17}, LR, LG, false, EACH},
    {8, {1, 2, 1, 3, 1, 2, 1, 5}, LC, LC, false, EACH},
    {3, {5, 4, 37}, LC, LC, true, EACH},
    {2, {33, 47}, LG, LC, true, EACH},
    {2, {300, 301}, LC, LC, false, EACH}, /* threaded */
    {2, {3, 70001}, LC, LG, false, EACH}, /* long rows */
    {2, {70001, 3}, LR, LC, false, EACH}, /* many short columns */
    {2, {2048, 2049}, LC, LC, false, -1}, /* > 4 Mi elements */
};
#define N_RED ((int)(sizeof red_cases / sizeof red_cases[0]))

typedef enum red_op { OP_SUM, OP_MEAN, OP_AMAX, OP_SOFTMAX, OP_COUNT } red_op;
static const char *const op_name[OP_COUNT] = {"sum", "mean", "amax", "softmax"};

typedef struct red_ctx {
    red_op op;
    tu_tensor *x;
    int dim, keepdim;
} red_ctx;

static fg_status red_call(DLTensor *out, void *vctx)
{
    red_ctx *c = vctx;
    switch (c->op) {
    case OP_SUM: return fg_sum(out, &c->x->t, c->dim, c->keepdim);
    case OP_MEAN: return fg_mean(out, &c->x->t, c->dim, c->keepdim);
    case OP_AMAX: return fg_amax(out, &c->x->t, c->dim, c->keepdim);
    default: return fg_softmax(out, &c->x->t, c->dim);
    }
}

typedef struct red_param {
    red_op op;
    fgi_dtype dt;
    char name[40];
} red_param;

/* The output shape by the documented rule, computed here. Returns ndim. */
static int reduced_shape(const red_case *rc, int dim, int keepdim, int64_t *shape, int64_t *len)
{
    int nd = 0;
    int d0 = dim == FG_DIM_ALL ? -1 : (dim < 0 ? dim + rc->ndim : dim);
    *len = 1;
    for (int d = 0; d < rc->ndim; d++) {
        bool reduced = dim == FG_DIM_ALL || d == d0;
        if (reduced) *len *= rc->shape[d];
        if (reduced && !keepdim) continue;
        shape[nd++] = reduced ? 1 : rc->shape[d];
    }
    if (rc->ndim == 0) *len = 1;
    return nd;
}

static bool run_one(const red_param *p, const red_case *rc, int ci, int dim, int keepdim,
                    tu_rng *r)
{
    red_ctx ctx = {p->op, NULL, dim, keepdim};
    ctx.x = tu_new(p->dt, rc->ndim, rc->shape, rc->x);
    if (p->op == OP_SOFTMAX)
        tu_fill_uniform(ctx.x, r, -8, 8);
    else if (p->op == OP_AMAX)
        tu_fill_uniform(ctx.x, r, -5, 5);
    else if (p->op == OP_MEAN)
        /* far from 0: a wrong divisor then shows even though atol scales
         * with the reduced length */
        tu_fill_uniform(ctx.x, r, 1000, 3000);
    else
        tu_fill_uniform(ctx.x, r, -1, 1);
    if (rc->specials) tu_fill_specials(ctx.x, r, ctx.x->numel < 12 ? (int)ctx.x->numel : 12, NULL, 0);

    int64_t shape[FG_MAX_DIMS], len;
    int nd;
    if (p->op == OP_SOFTMAX) {
        nd = rc->ndim;
        memcpy(shape, rc->shape, sizeof shape);
        len = 1;
    } else {
        nd = reduced_shape(rc, dim, keepdim, shape, &len);
    }
    tu_tensor *out = tu_new(p->dt, nd, shape, rc->out);
    char desc[256], sh[128], dimbuf[16];
    if (dim == FG_DIM_ALL)
        snprintf(dimbuf, sizeof dimbuf, "ALL");
    else
        snprintf(dimbuf, sizeof dimbuf, "%d", dim);
    snprintf(desc, sizeof desc, "%s case %d: x%s %s, dim %s%s, out %s%s", p->name, ci,
             tu_shape_str(sh, sizeof sh, rc->ndim, rc->shape), tu_layout_name(rc->x), dimbuf,
             p->op == OP_SOFTMAX ? "" : (keepdim ? " keepdim" : ""), tu_layout_name(rc->out),
             rc->specials ? ", NaN/Inf" : "");
    /* FlagGems: atol scales with the reduced length for sum and mean */
    double atol = TU_ATOL;
    if (p->op == OP_SUM || p->op == OP_MEAN) atol *= (double)(len > 1 ? len : 1);
    bool ok;
    if (p->op == OP_AMAX && len == 0 && out->numel > 0) {
        /* no identity: refused (the refusal itself is tested in test_bad_input) */
        ok = true;
    } else {
        ok = tu_check_op(op_name[p->op], red_call, &ctx, out, atol, desc);
    }
    tu_free(ctx.x);
    tu_free(out);
    return ok;
}

static void test_op(void **state)
{
    const red_param *p = *state;
    tu_rng r = {7000u + (uint64_t)p->op * 10u + (uint64_t)p->dt};
    tu_tally tally = {0, 0};
    for (int ci = 0; ci < N_RED; ci++) {
        const red_case *rc = &red_cases[ci];
        if (rc->only_dim != EACH) {
            tu_tally_add(&tally, run_one(p, rc, ci, rc->only_dim, 0, &r));
            continue;
        }
        if (rc->ndim == 0) {
            /* a 0-dim tensor takes dim 0 and -1 (and FG_DIM_ALL) */
            tu_tally_add(&tally, run_one(p, rc, ci, 0, 0, &r));
            tu_tally_add(&tally, run_one(p, rc, ci, -1, 1, &r));
        }
        for (int d = 0; d < rc->ndim; d++) {
            tu_tally_add(&tally, run_one(p, rc, ci, d, d % 2, &r));
            tu_tally_add(&tally, run_one(p, rc, ci, d - rc->ndim, 1 - d % 2, &r));
        }
        if (p->op != OP_SOFTMAX) {
            tu_tally_add(&tally, run_one(p, rc, ci, FG_DIM_ALL, 0, &r));
            tu_tally_add(&tally, run_one(p, rc, ci, FG_DIM_ALL, 1, &r));
        }
    }
    tu_tally_finish(&tally, p->name);
}

int main(void)
{
    static red_param params[OP_COUNT * 3];
    const char *names[OP_COUNT * 3];
    void *ps[OP_COUNT * 3];
    const fgi_dtype dts[3] = {FGI_F32, FGI_F16, FGI_BF16};
    int n = 0;
    for (int op = 0; op < OP_COUNT; op++)
        for (int d = 0; d < 3; d++) {
            red_param *p = &params[n];
            p->op = (red_op)op;
            p->dt = dts[d];
            snprintf(p->name, sizeof p->name, "%s_%s", op_name[op], tu_dtype_name(dts[d]));
            names[n] = p->name;
            ps[n++] = p;
        }
    return tu_run_group(tu_env_generic() ? "reduction_generic" : "reduction", n, names, test_op,
                        ps);
}
