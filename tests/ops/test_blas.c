/* mm and bmm: the dispatched stable kernel against the reference kernel for
 * float32, float16 and bfloat16 over empty products, K = 0, vectors, odd and
 * blocking-remainder sizes, a 256^3 product, a >= 4M-element output,
 * transposed a and/or b, offset and gappy views, strided outputs, stride-0
 * (broadcast) inputs, and NaN/Inf inputs. atol is 1e-4 * K. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "testutil.h"

#define LC TU_CONTIG
#define LO TU_OFFSET
#define LR TU_REVERSED
#define LROT TU_ROTATED
#define LG TU_GAPPY
#define LX TU_LAYOUT_COUNT /* explicit strides from the case */

typedef struct mm_case {
    int64_t bt, m, k, n; /* bt = batch (bmm only) */
    int la, lb, lo;
    bool specials;
    int64_t sa[3], sb[3]; /* explicit element strides for LX */
} mm_case;

static const mm_case mm_cases[] = {
    {1, 0, 3, 4, LC, LC, LC, false, {0}, {0}},
    {1, 3, 0, 4, LC, LC, LC, false, {0}, {0}}, /* K = 0: out is zeros */
    {1, 3, 4, 0, LC, LC, LC, false, {0}, {0}},
    {1, 1, 1, 1, LC, LC, LC, false, {0}, {0}},
    {1, 2, 3, 2, LC, LC, LC, false, {0}, {0}},
    {1, 7, 13, 5, LC, LC, LC, false, {0}, {0}},
    {1, 16, 16, 16, LC, LC, LC, false, {0}, {0}},
    {1, 33, 65, 17, LC, LC, LC, false, {0}, {0}},
    {1, 64, 1, 64, LC, LC, LC, false, {0}, {0}},
    {1, 1, 300, 1, LC, LC, LC, false, {0}, {0}},
    {1, 1, 257, 129, LC, LR, LC, false, {0}, {0}},
    {1, 129, 257, 1, LR, LC, LC, false, {0}, {0}},
    {1, 65, 33, 97, LR, LC, LC, false, {0}, {0}},  /* a transposed */
    {1, 40, 50, 60, LC, LR, LC, false, {0}, {0}},  /* b transposed */
    {1, 31, 17, 23, LR, LR, LC, false, {0}, {0}},  /* both transposed */
    {1, 37, 29, 41, LC, LC, LG, false, {0}, {0}},  /* strided out */
    {1, 24, 40, 56, LG, LO, LO, false, {0}, {0}},
    {1, 20, 30, 40, LO, LG, LR, false, {0}, {0}},  /* out transposed */
    {1, 33, 47, 21, LC, LG, LC, true, {0}, {0}},
    {1, 8, 9, 10, LC, LX, LC, false, {0}, {1, 0}}, /* b: every column the same */
    {1, 9, 10, 8, LX, LC, LC, false, {0, 1}, {0}}, /* a: every row the same */
    {1, 256, 256, 256, LC, LC, LC, false, {0}, {0}},
    {1, 100, 513, 67, LC, LR, LC, false, {0}, {0}},
    {1, 300, 200, 100, LC, LC, LG, false, {0}, {0}},
    {1, 2049, 3, 2047, LC, LC, LC, false, {0}, {0}}, /* > 4 Mi output elements */
};
#define N_MM ((int)(sizeof mm_cases / sizeof mm_cases[0]))

static const mm_case bmm_cases[] = {
    {0, 3, 4, 5, LC, LC, LC, false, {0}, {0}},
    {2, 0, 3, 4, LC, LC, LC, false, {0}, {0}},
    {2, 3, 0, 4, LC, LC, LC, false, {0}, {0}}, /* K = 0 */
    {1, 1, 1, 1, LC, LC, LC, false, {0}, {0}},
    {3, 5, 7, 9, LC, LC, LC, false, {0}, {0}},
    {2, 64, 33, 17, LC, LC, LC, false, {0}, {0}},
    {4, 16, 16, 16, LR, LC, LC, false, {0}, {0}},  /* batch innermost */
    {3, 20, 30, 12, LR, LROT, LC, false, {0}, {0}},
    {5, 7, 11, 13, LC, LC, LG, false, {0}, {0}},   /* strided out */
    {2, 33, 47, 21, LG, LC, LC, true, {0}, {0}},
    {3, 10, 20, 30, LC, LX, LC, false, {0}, {0, 30, 1}}, /* b shared by all batches */
    {7, 1, 300, 1, LC, LC, LC, false, {0}, {0}},
    {1, 128, 128, 128, LC, LC, LC, false, {0}, {0}},
    {2, 65, 129, 33, LO, LO, LO, false, {0}, {0}},
    {6, 31, 17, 23, LG, LG, LC, false, {0}, {0}},
    {3, 40, 50, 60, LX, LC, LROT, false, {2000, 1, 40}, {0}}, /* a transposed per batch */
    {2, 100, 200, 50, LC, LX, LC, false, {0}, {10000, 1, 200}}, /* b transposed per batch */
    {8, 9, 10, 11, LROT, LR, LR, false, {0}, {0}},
    {3, 1, 1, 5, LC, LC, LC, false, {0}, {0}},
    {2, 17, 33, 9, LC, LC, LC, true, {0}, {0}},
    {4, 1025, 3, 1023, LC, LC, LC, false, {0}, {0}}, /* > 4 Mi output elements */
};
#define N_BMM ((int)(sizeof bmm_cases / sizeof bmm_cases[0]))

typedef struct mm_ctx {
    bool batched;
    tu_tensor *a, *b;
} mm_ctx;

static fg_status mm_call(DLTensor *out, void *vctx)
{
    mm_ctx *c = vctx;
    return c->batched ? fg_bmm(out, &c->a->t, &c->b->t) : fg_mm(out, &c->a->t, &c->b->t);
}

typedef struct mm_param {
    bool batched;
    fgi_dtype dt;
    char name[40];
} mm_param;

static tu_tensor *make(fgi_dtype dt, int nd, const int64_t *shape, int layout,
                       const int64_t *strides)
{
    if (layout == LX) return tu_new_strided(dt, nd, shape, strides, 1);
    return tu_new(dt, nd, shape, (tu_layout)layout);
}

static bool run_case(const mm_param *p, const mm_case *mc, int ci, tu_rng *r)
{
    int nd = p->batched ? 3 : 2;
    int64_t sa[3] = {mc->bt, mc->m, mc->k}, sb[3] = {mc->bt, mc->k, mc->n};
    int64_t so[3] = {mc->bt, mc->m, mc->n};
    int o = p->batched ? 0 : 1; /* mm drops the batch dim */
    mm_ctx ctx = {p->batched, NULL, NULL};
    ctx.a = make(p->dt, nd, sa + o, mc->la, mc->sa);
    ctx.b = make(p->dt, nd, sb + o, mc->lb, mc->sb);
    tu_fill_uniform(ctx.a, r, -1, 1);
    tu_fill_uniform(ctx.b, r, -1, 1);
    if (mc->specials) {
        tu_fill_specials(ctx.a, r, 8, NULL, 0);
        tu_fill_specials(ctx.b, r, 4, NULL, 0);
    }
    tu_tensor *out = tu_new(p->dt, nd, so + o, mc->lo == LX ? LC : (tu_layout)mc->lo);
    char desc[256];
    snprintf(desc, sizeof desc,
             "%s case %d: B=%lld M=%lld K=%lld N=%lld, a %s, b %s, out %s%s", p->name, ci,
             (long long)mc->bt, (long long)mc->m, (long long)mc->k, (long long)mc->n,
             mc->la == LX ? "explicit" : tu_layout_name((tu_layout)mc->la),
             mc->lb == LX ? "explicit" : tu_layout_name((tu_layout)mc->lb),
             tu_layout_name((tu_layout)mc->lo), mc->specials ? ", NaN/Inf" : "");
    double atol = TU_ATOL * (double)(mc->k > 1 ? mc->k : 1);
    bool ok = tu_check_op(p->batched ? "bmm" : "mm", mm_call, &ctx, out, atol, desc);
    tu_free(ctx.a);
    tu_free(ctx.b);
    tu_free(out);
    return ok;
}

static void test_op(void **state)
{
    const mm_param *p = *state;
    tu_rng r = {11000u + (uint64_t)p->batched * 10u + (uint64_t)p->dt};
    tu_tally tally = {0, 0};
    const mm_case *cases = p->batched ? bmm_cases : mm_cases;
    int n = p->batched ? N_BMM : N_MM;
    for (int ci = 0; ci < n; ci++) tu_tally_add(&tally, run_case(p, &cases[ci], ci, &r));
    tu_tally_finish(&tally, p->name);
}

int main(void)
{
    static mm_param params[6];
    const char *names[6];
    void *ps[6];
    const fgi_dtype dts[3] = {FGI_F32, FGI_F16, FGI_BF16};
    int n = 0;
    for (int b = 0; b < 2; b++)
        for (int d = 0; d < 3; d++) {
            mm_param *p = &params[n];
            p->batched = b;
            p->dt = dts[d];
            snprintf(p->name, sizeof p->name, "%s_%s", b ? "bmm" : "mm", tu_dtype_name(dts[d]));
            names[n] = p->name;
            ps[n++] = p;
        }
    return tu_run_group(tu_env_generic() ? "blas_generic" : "blas", n, names, test_op, ps);
}
