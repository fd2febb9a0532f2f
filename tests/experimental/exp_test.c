#include "exp_test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

fg_status et_run(const et_case *c, DLTensor *out)
{
    const DLTensor *x = &c->x->t, *b = c->b ? &c->b->t : NULL, *bias = c->bias ? &c->bias->t : NULL;
    const char *op = c->op;
    if (!strcmp(op, "add")) return fg_add(out, x, b, 1.0);
    if (!strcmp(op, "mul")) return fg_mul(out, x, b);
    if (!strcmp(op, "relu")) return fg_relu(out, x);
    if (!strcmp(op, "gelu")) return fg_gelu(out, x, FG_GELU_TANH);
    if (!strcmp(op, "silu")) return fg_silu(out, x);
    if (!strcmp(op, "exp")) return fg_exp(out, x);
    if (!strcmp(op, "fast_gelu")) return fg_exp_fast_gelu(out, x);
    if (!strcmp(op, "sum")) return fg_sum(out, x, c->dim, 0);
    if (!strcmp(op, "mean")) return fg_mean(out, x, c->dim, 0);
    if (!strcmp(op, "amax")) return fg_amax(out, x, c->dim, 0);
    if (!strcmp(op, "softmax")) return fg_softmax(out, x, c->dim);
    if (!strcmp(op, "layer_norm")) return fg_layer_norm(out, x, b, bias, c->eps);
    if (!strcmp(op, "rms_norm")) return fg_rms_norm(out, x, b, c->eps);
    if (!strcmp(op, "mm")) return fg_mm(out, x, b);
    return FG_ERR_INVALID_ARG;
}

tu_tensor *et_reference(const et_case *c, const tu_tensor *out)
{
    char id[64];
    snprintf(id, sizeof id, "%s.cpu.reference", c->op);
    tu_tensor *ref = tu_new(out->dt, out->t.ndim, out->shape, TU_CONTIG);
    assert_int_equal(fg_exp_force_kernel(id), FG_OK);
    fg_status s = et_run(c, &ref->t);
    fg_exp_force_kernel(NULL);
    if (s != FG_OK) {
        print_error("reference %s failed: %s\n", id, fg_last_error());
        tu_free(ref);
        fail();
        return NULL;
    }
    return ref;
}

bool et_matches(const et_case *c, const tu_tensor *out, const char *what)
{
    tu_tensor *ref = et_reference(c, out);
    double atol = TU_ATOL;
    if (!strcmp(c->op, "sum") || !strcmp(c->op, "mean"))
        atol *= (double)c->x->numel / (double)(out->numel ? out->numel : 1);
    if (!strcmp(c->op, "mm")) atol *= (double)c->x->shape[c->x->t.ndim - 1];
    int64_t bad = tu_compare(out, ref, atol, tu_rtol(out->dt), what);
    tu_free(ref);
    return bad == 0;
}

tu_tensor *et_rand(fgi_dtype dt, int ndim, const int64_t *shape, uint64_t seed, double lo, double hi)
{
    tu_tensor *t = tu_new(dt, ndim, shape, TU_CONTIG);
    tu_rng r = {seed};
    tu_fill_uniform(t, &r, lo, hi);
    return t;
}

bool et_all_nan(const tu_tensor *t)
{
    for (int64_t i = 0; i < t->numel; i++)
        if (tu_get(t, i) == tu_get(t, i)) return false;
    return true;
}

void et_reset(void)
{
    assert_int_equal(fg_exp_reset_config(), FG_OK);
    assert_int_equal(fg_exp_cache_invalidate(NULL), FG_OK);
    assert_int_equal(fg_exp_reset_stats(), FG_OK);
    fg_exp_force_kernel(NULL);
}

char *et_read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        char *e = malloc(1);
        e[0] = '\0';
        return e;
    }
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *s = malloc((size_t)n + 1);
    size_t got = fread(s, 1, (size_t)n, f);
    s[got] = '\0';
    fclose(f);
    return s;
}

int et_count(const char *hay, const char *needle)
{
    int n = 0;
    size_t len = strlen(needle);
    for (const char *p = strstr(hay, needle); p; p = strstr(p + len, needle)) n++;
    return n;
}

const char *et_tmp(const char *name, char *buf, size_t cap)
{
    snprintf(buf, cap, "%s/%s", FG_EXP_TEST_TMP, name);
    return buf;
}
