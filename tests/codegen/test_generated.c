/* Every generated kernel (group "generated" of the kernel table) against
 * the reference kernel, in float32, float16 and bfloat16, over shapes its
 * supports() accepts and shapes it must refuse: forced onto the kernel
 * (fg_exp_force_kernel), each accepted call must match the reference within
 * the test-suite tolerance and write every output element; each kernel must
 * accept at least one case per dtype. Also in place, broadcast inputs,
 * gelu's two forms, add's alpha, norms with and without weight and bias,
 * and rows holding NaN (amax, softmax). Registered from
 * tools/codegen/CMakeLists.txt as the ctest test codegen_generated. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#define FG_EXPERIMENTAL_API
#include <flaggems/experimental.h>

#include "ops/registry.h"
#include "testutil.h"

typedef struct gcase {
    int nx;
    int64_t x[3];
    int nb; /* 0: no second input; b's shape (add/mul), weight (norms) */
    int64_t b[3];
    int dim;      /* reductions, softmax */
    double alpha; /* add */
    int approx;   /* gelu */
    bool bias, in_place, nan_row;
} gcase;

static fg_status call_op(const char *op, DLTensor *out, const tu_tensor *x, const tu_tensor *b, const tu_tensor *bias,
                         const gcase *c)
{
    const DLTensor *tb = b ? &b->t : NULL, *tbias = bias ? &bias->t : NULL;
    if (!strcmp(op, "add")) return fg_add(out, &x->t, tb, c->alpha);
    if (!strcmp(op, "mul")) return fg_mul(out, &x->t, tb);
    if (!strcmp(op, "relu")) return fg_relu(out, &x->t);
    if (!strcmp(op, "gelu")) return fg_gelu(out, &x->t, (fg_gelu_approx)c->approx);
    if (!strcmp(op, "silu")) return fg_silu(out, &x->t);
    if (!strcmp(op, "exp")) return fg_exp(out, &x->t);
    if (!strcmp(op, "fast_gelu")) return fg_exp_fast_gelu(out, &x->t);
    if (!strcmp(op, "sum")) return fg_sum(out, &x->t, c->dim, false);
    if (!strcmp(op, "mean")) return fg_mean(out, &x->t, c->dim, false);
    if (!strcmp(op, "amax")) return fg_amax(out, &x->t, c->dim, false);
    if (!strcmp(op, "softmax")) return fg_softmax(out, &x->t, c->dim);
    if (!strcmp(op, "layer_norm")) return fg_layer_norm(out, &x->t, tb, tbias, 1e-5);
    if (!strcmp(op, "rms_norm")) return fg_rms_norm(out, &x->t, tb, 1e-6);
    return FG_ERR_INVALID_ARG;
}

/* The cases of an op's family. */
static int cases_for(const char *op, gcase *out)
{
    int n = 0;
    const char *cat = NULL;
    for (int o = 0; o < FGI_OP_COUNT; o++)
        if (!strcmp(fgi_op_name((fgi_op)o), op)) cat = fgi_op_category((fgi_op)o);
    bool binary = !strcmp(op, "add") || !strcmp(op, "mul");
    bool norm = !strcmp(op, "layer_norm") || !strcmp(op, "rms_norm");
    bool reduce = !strcmp(op, "sum") || !strcmp(op, "mean") || !strcmp(op, "amax");
    if (binary) {
        out[n++] = (gcase){2, {64, 256}, 2, {64, 256}, 0, 1.0, 0, 0, 0, 0};
        out[n++] = (gcase){1, {1001}, 1, {1001}, 0, 0.5, 0, 0, 0, 0};
        out[n++] = (gcase){2, {300, 1000}, 2, {300, 1000}, 0, 1.0, 0, 0, true, 0};
        out[n++] = (gcase){2, {40, 4096}, 1, {4096}, 0, 1.0, 0, 0, 0, 0};
        out[n++] = (gcase){2, {17, 4096}, 2, {1, 4096}, 0, 0.25, 0, 0, 0, 0};
        out[n++] = (gcase){2, {300, 1000}, 1, {1000}, 0, 1.0, 0, 0, 0, 0};
        out[n++] = (gcase){2, {600, 1000}, 1, {1}, 0, 2.0, 0, 0, 0, 0};
        out[n++] = (gcase){2, {33, 77}, 0, {0}, 0, 1.0, 0, 0, 0, 0};        /* b scalar (ndim 0) */
        out[n++] = (gcase){2, {64, 256}, 2, {64, 256}, 0, 0.1, 0, 0, 0, 0}; /* alpha not a float */
        out[n++] = (gcase){2, {64, 64}, 2, {64, 1}, 0, 1.0, 0, 0, 0, 0};    /* column broadcast */
        /* 16 MB and more: the streaming stores, from misaligned heads */
        out[n++] = (gcase){2, {2050, 2049}, 2, {2050, 2049}, 0, 1.0, 0, 0, 0, 0};
        out[n++] = (gcase){2, {1025, 4100}, 1, {4100}, 0, 1.0, 0, 0, 0, 0};
    } else if (!strcmp(cat, "pointwise")) {
        for (int a = 0; a < 2; a++) {
            out[n++] = (gcase){1, {1000}, 0, {0}, 0, 1.0, a, 0, 0, 0};
            out[n++] = (gcase){2, {64, 256}, 0, {0}, 0, 1.0, a, 0, 0, 0};
            out[n++] = (gcase){2, {3, 4096}, 0, {0}, 0, 1.0, a, 0, true, 0};
            out[n++] = (gcase){2, {300, 1003}, 0, {0}, 0, 1.0, a, 0, 0, 0};
            out[n++] = (gcase){1, {262144}, 0, {0}, 0, 1.0, a, 0, 0, 0};
        }
        out[n++] = (gcase){2, {2050, 2049}, 0, {0}, 0, 1.0, 1, 0, 0, 0}; /* streaming stores */
    } else if (reduce || !strcmp(op, "softmax")) {
        out[n++] = (gcase){2, {37, 4096}, 0, {0}, 1, 1.0, 0, 0, 0, 0};
        out[n++] = (gcase){2, {1000, 256}, 0, {0}, 1, 1.0, 0, 0, 0, 0};
        out[n++] = (gcase){2, {5, 1000}, 0, {0}, 1, 1.0, 0, 0, 0, 0};
        out[n++] = (gcase){3, {3, 7, 192}, 0, {0}, 2, 1.0, 0, 0, 0, 0};
        out[n++] = (gcase){2, {9, 100}, 0, {0}, 1, 1.0, 0, 0, 0, true};
        out[n++] = (gcase){2, {3, 20000}, 0, {0}, 1, 1.0, 0, 0, 0, 0};
        out[n++] = (gcase){2, {16, 64}, 0, {0}, 0, 1.0, 0, 0, 0, 0}; /* not the last dim: refused */
        if (reduce) out[n++] = (gcase){1, {5000}, 0, {0}, -1, 1.0, 0, 0, 0, 0};
        if (!reduce) out[n++] = (gcase){2, {20, 768}, 0, {0}, 1, 1.0, 0, 0, true, 0};
        if (!reduce) out[n++] = (gcase){2, {1023, 4100}, 0, {0}, 1, 1.0, 0, 0, 0, 0}; /* streaming */
        if (!reduce) out[n++] = (gcase){2, {1024, 4096}, 0, {0}, 1, 1.0, 0, 0, 0, 0};
    } else if (norm) {
        out[n++] = (gcase){2, {37, 4096}, 1, {4096}, 0, 1.0, 0, true, 0, 0};
        out[n++] = (gcase){2, {20, 768}, 1, {768}, 0, 1.0, 0, true, 0, 0};
        out[n++] = (gcase){3, {2, 10, 768}, 0, {0}, 0, 1.0, 0, false, true, 0};
        out[n++] = (gcase){2, {5, 1000}, 1, {1000}, 0, 1.0, 0, false, 0, 0};
        out[n++] = (gcase){2, {3, 192}, 0, {0}, 0, 1.0, 0, true, 0, 0};
        out[n++] = (gcase){2, {6, 4096}, 0, {0}, 0, 1.0, 0, false, 0, 0};
        out[n++] = (gcase){2, {1023, 4100}, 1, {4100}, 0, 1.0, 0, true, 0, 0}; /* streaming */
        out[n++] = (gcase){2, {1024, 4096}, 1, {4096}, 0, 1.0, 0, false, 0, 0};
    }
    return n;
}

static tu_tensor *rand_tensor(fgi_dtype dt, int nd, const int64_t *shape, uint64_t seed, double lo, double hi)
{
    tu_tensor *t = tu_new(dt, nd, shape, TU_CONTIG);
    tu_rng r = {seed};
    tu_fill_uniform(t, &r, lo, hi);
    return t;
}

/* Output shape of the case. */
static int out_shape(const char *op, const gcase *c, int64_t *shape)
{
    bool reduce = !strcmp(op, "sum") || !strcmp(op, "mean") || !strcmp(op, "amax");
    if (!reduce) {
        memcpy(shape, c->x, sizeof c->x);
        return c->nx;
    }
    if (c->dim < 0) return 0;
    int n = 0;
    for (int d = 0; d < c->nx; d++)
        if (d != c->dim) shape[n++] = c->x[d];
    return n;
}

/* One case's inputs and its reference result (computed once, shared by
 * every kernel of the op). */
typedef struct prepared {
    tu_tensor *x, *b, *bias, *ref;
} prepared;

static prepared prepare(const char *op, const gcase *c, fgi_dtype dt, uint64_t seed)
{
    prepared p = {0};
    bool exp_like = !strcmp(op, "exp");
    p.x = rand_tensor(dt, c->nx, c->x, seed, exp_like ? -10 : -4, exp_like ? 10 : 4);
    if (c->nan_row) tu_set(p.x, 3 * c->x[1] + 5, NAN);
    bool binary = !strcmp(op, "add") || !strcmp(op, "mul");
    if (binary || c->nb) p.b = rand_tensor(dt, c->nb, c->b, seed + 1, binary ? -4 : 0.5, binary ? 4 : 1.5);
    if (c->bias) {
        int64_t len = c->x[c->nx - 1];
        p.bias = rand_tensor(dt, 1, &len, seed + 2, -1, 1);
    }
    int64_t oshape[3];
    int ond = out_shape(op, c, oshape);
    p.ref = tu_new(dt, ond, oshape, TU_CONTIG);
    char id[96];
    snprintf(id, sizeof id, "%s.cpu.reference", op);
    assert_int_equal(fg_exp_force_kernel(id), FG_OK);
    fg_status s = call_op(op, &p.ref->t, p.x, p.b, p.bias, c);
    fg_exp_force_kernel(NULL);
    if (s != FG_OK) print_error("reference %s: %s\n", id, fg_last_error());
    assert_int_equal(s, FG_OK);
    return p;
}

static void release(prepared *p)
{
    tu_free(p->x);
    tu_free(p->b);
    tu_free(p->bias);
    tu_free(p->ref);
}

/* 1: accepted and correct, 0: refused, -1: wrong. */
static int run_case(const fgi_kernel *k, const gcase *c, const prepared *p)
{
    const char *op = fgi_op_name(k->op);
    fgi_dtype dt = p->x->dt;
    tu_tensor *out = c->in_place ? tu_clone_contig(p->x) : tu_new(dt, p->ref->t.ndim, p->ref->shape, TU_CONTIG);
    if (!c->in_place) tu_poison(out);
    assert_int_equal(fg_exp_force_kernel(k->id), FG_OK);
    fg_status s = call_op(op, &out->t, c->in_place ? out : p->x, p->b, p->bias, c);
    if (s == FG_OK && strcmp(fg_last_kernel(), k->id) != 0) {
        print_error("%s: the call ran on %s\n", k->id, fg_last_kernel());
        s = FG_ERR_INTERNAL;
    }
    fg_exp_force_kernel(NULL);
    int result = 0;
    if (s == FG_OK) {
        double atol = TU_ATOL;
        bool sums = !strcmp(op, "sum") || !strcmp(op, "mean");
        if (sums) atol *= (double)p->x->numel / (double)(p->ref->numel ? p->ref->numel : 1);
        char what[200], sh[64];
        snprintf(what, sizeof what, "%s %s %s%s", k->id, tu_shape_str(sh, sizeof sh, c->nx, c->x), tu_dtype_name(dt),
                 c->in_place ? " in place" : "");
        result = tu_compare(out, p->ref, atol, tu_rtol(dt), what) == 0 ? 1 : -1;
    } else if (s != FG_ERR_UNSUPPORTED) {
        print_error("%s: %s\n", k->id, fg_last_error());
        result = -1;
    }
    tu_free(out);
    return result;
}

static void test_generated_kernels(void **state)
{
    (void)state;
    int n = 0, tested = 0;
    const fgi_kernel *const *all = fgi_kernels(&n);
    bool avx2 = strcmp(fg_cpu_isa_name(), "avx2") == 0;
    tu_tally tally = {0};
    static const fgi_dtype dts[] = {FGI_F32, FGI_F16, FGI_BF16};
    for (int op = 0; op < FGI_OP_COUNT; op++) {
        const fgi_kernel *ks[64];
        int nk = 0, accepted[64][3] = {{0}};
        for (int i = 0; i < n && nk < 64; i++)
            if (all[i]->op == (fgi_op)op && all[i]->group == FGI_GROUP_GENERATED && !all[i]->ext &&
                (!all[i]->isa || avx2))
                ks[nk++] = all[i];
        if (nk == 0) continue;
        gcase cases[24];
        int nc = cases_for(fgi_op_name((fgi_op)op), cases);
        assert_true(nc > 0);
        for (int c = 0; c < nc; c++)
            for (int d = 0; d < 3; d++) {
                prepared p = prepare(fgi_op_name((fgi_op)op), &cases[c], dts[d],
                                     1000u * (uint64_t)op + 10u * (uint64_t)c + (uint64_t)d);
                for (int k = 0; k < nk; k++) {
                    int r = run_case(ks[k], &cases[c], &p);
                    tu_tally_add(&tally, r >= 0);
                    accepted[k][d] += r == 1;
                }
                release(&p);
            }
        for (int k = 0; k < nk; k++)
            for (int d = 0; d < 3; d++) {
                if (!accepted[k][d]) print_error("%s accepted no %s case\n", ks[k]->id, tu_dtype_name(dts[d]));
                tu_tally_add(&tally, accepted[k][d] > 0);
            }
        tested += nk;
    }
    printf("%d generated kernels tested, %d checks\n", tested, tally.cases);
    assert_true(tested >= (avx2 ? 40 : 1));
    tu_tally_finish(&tally, "generated kernels");
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_generated_kernels)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
