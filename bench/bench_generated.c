/* fg-bench-generated: every generated kernel against the stable kernel of
 * its op, per shape and dtype (medians of repeated calls, each call forced
 * onto one kernel with fg_exp_force_kernel; the stable and generated
 * timings alternate in two rounds and the better round counts). Prints a
 * table, a per-op summary (the shapes where a generated kernel beats
 * stable and by how much, and the kernels that never win), and with
 * --json FILE the rows as JSON ("rows", and "generated": the records
 * fg-meta-sync --perf-json imports as metadata baselines). Never passes or
 * fails on speed.
 *   fg-bench-generated [--quick] [--json FILE] */
#define FG_EXPERIMENTAL_API
#include <flaggems/experimental.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/time.h"
#include "ops/registry.h"

typedef struct tens {
    DLTensor t;
    int64_t shape[3];
    void *data;
} tens;

static void tens_init(tens *x, int nd, const int64_t *shape, DLDataType dt, float lo, float hi, unsigned seed)
{
    memset(x, 0, sizeof *x);
    int64_t n = 1;
    for (int d = 0; d < nd; d++) n *= (x->shape[d] = shape[d]);
    size_t esz = dt.bits / 8;
    x->data = aligned_alloc(64, ((size_t)n * esz + 63) / 64 * 64 + 64);
    if (!x->data) exit(3);
    for (int64_t i = 0; i < n; i++) {
        seed = seed * 1664525u + 1013904223u;
        float v = lo + (hi - lo) * (float)(seed >> 8) / 16777216.0f;
        if (esz == 4) {
            ((float *)x->data)[i] = v;
        } else {
            uint32_t u;
            memcpy(&u, &v, 4);
            ((uint16_t *)x->data)[i] = (uint16_t)(u >> 16); /* bfloat16 (truncated: any value will do) */
        }
    }
    x->t = (DLTensor){.data = x->data, .device = {kDLCPU, 0}, .ndim = nd, .dtype = dt, .shape = x->shape};
}

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

typedef struct bcase {
    const char *op;
    int nx;
    int64_t x[2];
    int nb;
    int64_t b[2];
    int approx; /* gelu */
} bcase;

static fg_status call(const bcase *c, tens *o, tens *x, tens *b)
{
    const char *op = c->op;
    if (!strcmp(op, "add")) return fg_add(&o->t, &x->t, &b->t, 1.0);
    if (!strcmp(op, "mul")) return fg_mul(&o->t, &x->t, &b->t);
    if (!strcmp(op, "relu")) return fg_relu(&o->t, &x->t);
    if (!strcmp(op, "gelu")) return fg_gelu(&o->t, &x->t, (fg_gelu_approx)c->approx);
    if (!strcmp(op, "silu")) return fg_silu(&o->t, &x->t);
    if (!strcmp(op, "exp")) return fg_exp(&o->t, &x->t);
    if (!strcmp(op, "fast_gelu")) return fg_exp_fast_gelu(&o->t, &x->t);
    if (!strcmp(op, "sum")) return fg_sum(&o->t, &x->t, 1, false);
    if (!strcmp(op, "mean")) return fg_mean(&o->t, &x->t, 1, false);
    if (!strcmp(op, "amax")) return fg_amax(&o->t, &x->t, 1, false);
    if (!strcmp(op, "softmax")) return fg_softmax(&o->t, &x->t, 1);
    if (!strcmp(op, "layer_norm")) return fg_layer_norm(&o->t, &x->t, &b->t, NULL, 1e-5);
    if (!strcmp(op, "rms_norm")) return fg_rms_norm(&o->t, &x->t, &b->t, 1e-6);
    return FG_ERR_INVALID_ARG;
}

/* Median microseconds of `id` on the case, or -1 when it declines. */
static double time_kernel(const char *id, const bcase *c, tens *o, tens *x, tens *b, double budget_s)
{
    if (fg_exp_force_kernel(id) != FG_OK) return -1;
    static double samples[2048];
    int n = 0;
    double start = (double)fgi_now_ns();
    for (int rep = 0; rep < 2048; rep++) {
        double t0 = (double)fgi_now_ns();
        fg_status s = call(c, o, x, b);
        double t1 = (double)fgi_now_ns();
        if (s != FG_OK) {
            fg_exp_force_kernel(NULL);
            return -1;
        }
        if (rep >= 3) samples[n++] = t1 - t0;
        if (n >= 5 && t1 - start > budget_s * 1e9) break;
    }
    fg_exp_force_kernel(NULL);
    qsort(samples, (size_t)n, sizeof *samples, cmp_d);
    return samples[n / 2] / 1e3;
}

typedef struct row {
    char op[16], shape[48], dims[40], dtype[10], kernel[64], baseline[64];
    double stable_us, gen_us, speedup;
} row;

static row rows[4096];
static int nrows;

int main(int argc, char **argv)
{
    const char *json = NULL;
    bool quick = false;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--quick")) quick = true;
        else if (!strcmp(argv[i], "--json") && i + 1 < argc) json = argv[++i];
        else {
            fprintf(stderr, "usage: fg-bench-generated [--quick] [--json FILE]\n");
            return 2;
        }
    }
    if (strcmp(fg_cpu_isa_name(), "avx2") != 0) {
        printf("fg-bench-generated: the generated kernels need AVX2; this CPU path is %s\n", fg_cpu_isa_name());
        return 0;
    }
    static const char *const unary[] = {"relu", "gelu", "silu", "exp", "fast_gelu"};
    static const char *const rowops[] = {"sum", "mean", "amax", "softmax", "layer_norm", "rms_norm"};
    bcase cases[256];
    int nc = 0;
    for (int u = 0; u < 5; u++) {
        cases[nc++] = (bcase){unary[u], 1, {4096}, 0, {0}, FG_GELU_TANH};
        cases[nc++] = (bcase){unary[u], 2, {64, 256}, 0, {0}, FG_GELU_TANH};
        cases[nc++] = (bcase){unary[u], 2, {1024, 1024}, 0, {0}, FG_GELU_TANH};
        if (!quick) cases[nc++] = (bcase){unary[u], 2, {2048, 2048}, 0, {0}, FG_GELU_TANH};
        if (u == 1) { /* gelu's exact (erf) form too */
            cases[nc++] = (bcase){"gelu", 2, {64, 256}, 0, {0}, FG_GELU_NONE};
            cases[nc++] = (bcase){"gelu", 2, {1024, 1024}, 0, {0}, FG_GELU_NONE};
        }
    }
    for (int b = 0; b < 2; b++) {
        const char *op = b ? "mul" : "add";
        cases[nc++] = (bcase){op, 2, {64, 256}, 2, {64, 256}, 0};
        cases[nc++] = (bcase){op, 2, {1024, 1024}, 2, {1024, 1024}, 0};
        cases[nc++] = (bcase){op, 2, {64, 4096}, 1, {4096}, 0};
        cases[nc++] = (bcase){op, 2, {1024, 4096}, 1, {4096}, 0};
        cases[nc++] = (bcase){op, 2, {300, 1000}, 1, {1000}, 0};
        cases[nc++] = (bcase){op, 2, {1024, 1024}, 1, {1}, 0};
    }
    for (int r = 0; r < 6; r++) {
        bool norm = r >= 4;
        cases[nc++] = (bcase){rowops[r], 2, {1000, 256}, norm, {256}, 0};
        cases[nc++] = (bcase){rowops[r], 2, {64, 1000}, norm, {1000}, 0};
        cases[nc++] = (bcase){rowops[r], 2, {256, 768}, norm, {768}, 0};
        cases[nc++] = (bcase){rowops[r], 2, {256, 4096}, norm, {4096}, 0};
        if (!quick) cases[nc++] = (bcase){rowops[r], 2, {2048, 4096}, norm, {4096}, 0};
    }
    double budget = quick ? 0.01 : 0.05;
    int n = 0;
    const fgi_kernel *const *all = fgi_kernels(&n);
    static const DLDataType dts[] = {{kDLFloat, 32, 1}, {kDLBfloat, 16, 1}};
    printf("generated kernels vs stable (medians; speedup = stable / generated; best generated kernel per row)\n");
    printf("%-11s %-16s %-9s %-40s %11s %11s %8s\n", "op", "shape", "dtype", "best generated", "gen us", "stable us",
           "speedup");
    for (int c = 0; c < nc; c++)
        for (int d = 0; d < 2; d++) {
            const bcase *bc = &cases[c];
            tens x, b, o;
            bool reduce = !strcmp(bc->op, "sum") || !strcmp(bc->op, "mean") || !strcmp(bc->op, "amax");
            bool exp_like = !strcmp(bc->op, "exp");
            tens_init(&x, bc->nx, bc->x, dts[d], exp_like ? -10 : -4, exp_like ? 10 : 4, 7u + (unsigned)c);
            tens_init(&b, bc->nb ? bc->nb : 1, bc->nb ? bc->b : (int64_t[]){1}, dts[d], 0.5f, 1.5f, 11u);
            tens_init(&o, reduce ? 1 : bc->nx, reduce ? bc->x : bc->x, dts[d], 0, 0, 1u);
            char stable[64];
            snprintf(stable, sizeof stable, "%s.cpu.stable.avx2", bc->op);
            if (!strcmp(bc->op, "fast_gelu")) snprintf(stable, sizeof stable, "fast_gelu.cpu.custom.avx2_v1");
            char sh[48];
            if (bc->nb == 1 && bc->b[0] == 1)
                snprintf(sh, sizeof sh, "%lldx%lld+scalar", (long long)bc->x[0], (long long)bc->x[1]);
            else if (bc->nb == 1 && (!strcmp(bc->op, "add") || !strcmp(bc->op, "mul")))
                snprintf(sh, sizeof sh, "%lldx%lld+row", (long long)bc->x[0], (long long)bc->x[1]);
            else if (!strcmp(bc->op, "gelu") && bc->nx == 1)
                snprintf(sh, sizeof sh, "%lld %s", (long long)bc->x[0], bc->approx == FG_GELU_TANH ? "tanh" : "erf");
            else if (!strcmp(bc->op, "gelu"))
                snprintf(sh, sizeof sh, "%lldx%lld %s", (long long)bc->x[0], (long long)bc->x[1],
                         bc->approx == FG_GELU_TANH ? "tanh" : "erf");
            else if (bc->nx == 1)
                snprintf(sh, sizeof sh, "%lld", (long long)bc->x[0]);
            else
                snprintf(sh, sizeof sh, "%lldx%lld", (long long)bc->x[0], (long long)bc->x[1]);
            const char *dname = d ? "bfloat16" : "float32";
            /* two rounds, stable and generated alternating; the better round counts */
            double st = -1, g[64];
            int ids[64], ng = 0;
            for (int k = 0; k < n && ng < 64; k++)
                if (all[k]->group == FGI_GROUP_GENERATED && !strcmp(fgi_op_name(all[k]->op), bc->op)) {
                    ids[ng] = k;
                    g[ng++] = -1;
                }
            for (int round = 0; round < 2; round++) {
                double s = time_kernel(stable, bc, &o, &x, &b, budget);
                if (s > 0 && (st < 0 || s < st)) st = s;
                for (int j = 0; j < ng; j++) {
                    double t = time_kernel(all[ids[j]]->id, bc, &o, &x, &b, budget);
                    if (t > 0 && (g[j] < 0 || t < g[j])) g[j] = t;
                }
            }
            double best = -1;
            const char *best_id = NULL;
            for (int j = 0; j < ng && st > 0; j++) {
                if (g[j] < 0 || nrows == 4096) continue;
                row *r = &rows[nrows++];
                snprintf(r->op, sizeof r->op, "%s", bc->op);
                snprintf(r->shape, sizeof r->shape, "%s", sh);
                if (bc->nx == 1)
                    snprintf(r->dims, sizeof r->dims, "[%lld]", (long long)bc->x[0]);
                else
                    snprintf(r->dims, sizeof r->dims, "[%lld,%lld]", (long long)bc->x[0], (long long)bc->x[1]);
                snprintf(r->baseline, sizeof r->baseline, "%s", stable);
                snprintf(r->dtype, sizeof r->dtype, "%s", dname);
                snprintf(r->kernel, sizeof r->kernel, "%s", all[ids[j]]->id);
                r->gen_us = g[j];
                r->stable_us = st;
                r->speedup = st / g[j];
                if (best < 0 || g[j] < best) {
                    best = g[j];
                    best_id = r->kernel;
                }
            }
            if (best_id)
                printf("%-11s %-16s %-9s %-40s %11.2f %11.2f %7.2fx\n", bc->op, sh, dname,
                       best_id, best, st, st / best);
            else
                printf("%-11s %-16s %-9s %-40s %11s %11.2f\n", bc->op, sh, dname,
                       "(no generated kernel accepts it)", "-", st);
            free(x.data);
            free(b.data);
            free(o.data);
        }
    /* per-kernel summary */
    printf("\nper generated kernel: shapes where it beats stable by >= 5%% (speedup), and its worst ratio\n");
    for (int k = 0; k < n; k++) {
        if (all[k]->group != FGI_GROUP_GENERATED) continue;
        char wins[512] = "";
        double bestr = 0;
        int measured = 0;
        for (int j = 0; j < nrows; j++) {
            if (strcmp(rows[j].kernel, all[k]->id)) continue;
            measured++;
            if (rows[j].speedup > bestr) bestr = rows[j].speedup;
            if (rows[j].speedup >= 1.05 && strlen(wins) < sizeof wins - 40) {
                char w[64];
                snprintf(w, sizeof w, "%s%s %s x%.2f", wins[0] ? ", " : "", rows[j].shape,
                         rows[j].dtype[0] == 'f' ? "f32" : "bf16", rows[j].speedup);
                strcat(wins, w);
            }
        }
        if (measured && !wins[0])
            printf("%-40s never wins (best x%.2f)\n", all[k]->id, bestr);
        else
            printf("%-40s %s\n", all[k]->id, measured ? wins : "not measured");
    }
    if (json) {
        FILE *f = fopen(json, "w");
        if (!f) {
            perror(json);
            return 1;
        }
        fprintf(f, "{\n  \"rows\": [");
        for (int j = 0; j < nrows; j++)
            fprintf(f, "%s\n    {\"op\": \"%s\", \"shape\": \"%s\", \"dtype\": \"%s\", \"kernel\": \"%s\", "
                       "\"gen_us\": %.3f, \"stable_us\": %.3f, \"speedup\": %.3f}",
                    j ? "," : "", rows[j].op, rows[j].shape, rows[j].dtype, rows[j].kernel, rows[j].gen_us,
                    rows[j].stable_us, rows[j].speedup);
        /* the same rows in fg-meta-sync --perf-json's form: x's shape, the
         * baseline kernel */
        fprintf(f, "\n  ],\n  \"generated\": [");
        for (int j = 0; j < nrows; j++)
            fprintf(f, "%s\n    {\"kernel\": \"%s\", \"op\": \"%s\", \"shape\": \"%s\", \"dtype\": \"%s\", "
                       "\"baseline\": \"%s\", \"speedup\": %.3f}",
                    j ? "," : "", rows[j].kernel, rows[j].op, rows[j].dims, rows[j].dtype, rows[j].baseline,
                    rows[j].speedup);
        fprintf(f, "\n  ]\n}\n");
        fclose(f);
    }
    return 0;
}
