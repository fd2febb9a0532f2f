/* layer_norm (with and without weight and bias) and rms_norm (with and
 * without weight): the dispatched stable kernel against the reference kernel
 * for float32, float16 and bfloat16 over empty, one-element, odd, threaded
 * and >= 4M-element shapes, transposed, offset and gappy views of x, out,
 * weight and bias, stride-0 weights, several eps, and NaN/Inf inputs. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "testutil.h"

#define LC TU_CONTIG
#define LO TU_OFFSET
#define LR TU_REVERSED
#define LROT TU_ROTATED
#define LG TU_GAPPY
#define LSTRIDE0 TU_LAYOUT_COUNT /* weight/bias: one value broadcast by stride 0 */

typedef struct norm_case {
    int ndim;
    int64_t shape[FG_MAX_DIMS];
    tu_layout x, out;
    int wl; /* layout of weight and bias: a tu_layout or LSTRIDE0 */
    bool specials;
    bool all_combos; /* every weight/bias combination, else both present only */
} norm_case;

static const norm_case norm_cases[] = {
    {2, {0, 8}, LC, LC, LC, false, true},  /* no rows */
    {2, {4, 0}, LC, LC, LC, false, true},  /* empty rows */
    {1, {1}, LC, LC, LC, false, true},     /* one element */
    {1, {7}, LO, LC, LO, false, true},
    {2, {3, 1}, LC, LG, LC, false, true},  /* H = 1 */
    {2, {5, 33}, LC, LC, LG, false, true},
    {3, {2, 3, 17}, LC, LO, LC, false, true},
    {2, {16, 64}, LC, LC, LC, false, true},
    {2, {9, 1000}, LC, LC, LO, false, true},
    {2, {13, 17}, LR, LC, LC, false, true},
    {2, {9, 11}, LG, LG, LG, false, true},
    {3, {6, 7, 9}, LROT, LO, LSTRIDE0, false, true},
    {2, {31, 4097}, LC, LC, LC, false, true},
    {4, {4, 5, 6, 7}, LC, LR, LC, false, true},
    {4, {1, 1, 1, 2049}, LO, LC, LG, false, true},
    {2, {33, 47}, LG, LC, LC, true, true},
    {2, {5, 37}, LC, LC, LC, true, true},
    {2, {300, 301}, LC, LC, LC, false, true},  /* threaded */
    {2, {2048, 3}, LC, LC, LC, false, true},   /* many short rows */
    {8, {8, 1, 1, 1, 1, 1, 1, 5}, LC, LG, LC, false, true},
    {2, {1024, 4097}, LC, LC, LC, false, false}, /* > 4 Mi elements */
};
#define N_NORM ((int)(sizeof norm_cases / sizeof norm_cases[0]))

static const double eps_list[] = {1e-5, 1e-6, 0.1, 0.0};

typedef enum norm_op { OP_LAYER_NORM, OP_RMS_NORM, OP_COUNT } norm_op;
static const char *const op_name[OP_COUNT] = {"layer_norm", "rms_norm"};

typedef struct norm_ctx {
    norm_op op;
    tu_tensor *x, *w, *b;
    double eps;
} norm_ctx;

static fg_status norm_call(DLTensor *out, void *vctx)
{
    norm_ctx *c = vctx;
    if (c->op == OP_LAYER_NORM)
        return fg_layer_norm(out, &c->x->t, c->w ? &c->w->t : NULL, c->b ? &c->b->t : NULL,
                             c->eps);
    return fg_rms_norm(out, &c->x->t, c->w ? &c->w->t : NULL, c->eps);
}

typedef struct norm_param {
    norm_op op;
    fgi_dtype dt;
    char name[40];
} norm_param;

static tu_tensor *make_vec(fgi_dtype dt, int64_t h, int wl, tu_rng *r, double lo, double hi)
{
    tu_tensor *t;
    if (wl == LSTRIDE0) {
        const int64_t st[1] = {0};
        t = tu_new_strided(dt, 1, &h, st, 1);
    } else {
        t = tu_new(dt, 1, &h, (tu_layout)wl);
    }
    tu_fill_uniform(t, r, lo, hi);
    return t;
}

static bool run_one(const norm_param *p, const norm_case *nc, int ci, bool has_w, bool has_b,
                    double eps, tu_rng *r)
{
    int64_t h = nc->shape[nc->ndim - 1];
    norm_ctx ctx = {p->op, NULL, NULL, NULL, eps};
    ctx.x = tu_new(p->dt, nc->ndim, nc->shape, nc->x);
    /* a nonzero mean, so that layer_norm must subtract it */
    if (p->op == OP_LAYER_NORM)
        tu_fill_uniform(ctx.x, r, -4, 6);
    else
        tu_fill_uniform(ctx.x, r, -3, 3);
    if (nc->specials) tu_fill_specials(ctx.x, r, 10, NULL, 0);
    if (has_w) ctx.w = make_vec(p->dt, h, nc->wl, r, -2, 2);
    if (has_b) ctx.b = make_vec(p->dt, h, nc->wl, r, -1, 1);
    tu_tensor *out = tu_new(p->dt, nc->ndim, nc->shape, nc->out);
    char desc[256], sh[128];
    snprintf(desc, sizeof desc, "%s case %d: x%s %s, out %s,%s%s eps %g%s", p->name, ci,
             tu_shape_str(sh, sizeof sh, nc->ndim, nc->shape), tu_layout_name(nc->x),
             tu_layout_name(nc->out), has_w ? " weight" : "", has_b ? " bias" : "", eps,
             nc->specials ? ", NaN/Inf" : "");
    bool ok = tu_check_op(op_name[p->op], norm_call, &ctx, out, TU_ATOL, desc);
    tu_free(ctx.x);
    tu_free(ctx.w);
    tu_free(ctx.b);
    tu_free(out);
    return ok;
}

static void test_op(void **state)
{
    const norm_param *p = *state;
    tu_rng r = {9000u + (uint64_t)p->op * 10u + (uint64_t)p->dt};
    tu_tally tally = {0, 0};
    for (int ci = 0; ci < N_NORM; ci++) {
        const norm_case *nc = &norm_cases[ci];
        /* eps 0 only where rows have spread (a one-element row would be 0/0) */
        double eps = eps_list[ci % 4];
        if (eps == 0.0 && nc->shape[nc->ndim - 1] < 2) eps = 1e-5;
        if (!nc->all_combos) {
            tu_tally_add(&tally, run_one(p, nc, ci, true, p->op == OP_LAYER_NORM, eps, &r));
            continue;
        }
        int combos = p->op == OP_LAYER_NORM ? 4 : 2;
        for (int k = 0; k < combos; k++)
            tu_tally_add(&tally, run_one(p, nc, ci, k & 1, (k >> 1) & 1, eps, &r));
    }
    tu_tally_finish(&tally, p->name);
}

int main(void)
{
    static norm_param params[OP_COUNT * 3];
    const char *names[OP_COUNT * 3];
    void *ps[OP_COUNT * 3];
    const fgi_dtype dts[3] = {FGI_F32, FGI_F16, FGI_BF16};
    int n = 0;
    for (int op = 0; op < OP_COUNT; op++)
        for (int d = 0; d < 3; d++) {
            norm_param *p = &params[n];
            p->op = (norm_op)op;
            p->dt = dts[d];
            snprintf(p->name, sizeof p->name, "%s_%s", op_name[op], tu_dtype_name(dts[d]));
            names[n] = p->name;
            ps[n++] = p;
        }
    return tu_run_group(tu_env_generic() ? "norm_generic" : "norm", n, names, test_op, ps);
}
