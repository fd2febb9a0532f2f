/* fg-bench-dispatch: what the experimental dispatcher costs, and where the
 * custom kernels beat the stable ones.
 *
 *  1. warm overhead: fg_add on one element through the public entry point
 *     versus the chosen kernel's run function called directly, >= 1e6
 *     calls each, per-call ns p50/p99 (over batches of 1000 calls); also
 *     fgi_dispatch alone (the dispatcher without the entry point's tensor
 *     validation), and both with experimental kernels enabled
 *  2. cold decision without profiling, per new key: first call minus
 *     second call on the same tensors, over ~2000 distinct keys
 *  3. decision with profiling on a miss (fast_gelu: two custom kernels;
 *     softmax with fallback_on_slow: custom vs stable)
 *  4. hit rate on a Llama-style trace (7B and 70B shapes, prefill and
 *     decode, varying batch and sequence length) through the real key
 *     function and perf cache; kernels are not run (70B shapes would take
 *     hours on a CPU), the cache only sees keys
 *  5. bytes of perf cache per 1000 entries
 *  --custom: each custom kernel against the stable kernel (and the
 *     reference for fast_gelu, which has no stable kernel; gelu tanh, the
 *     op it approximates, only for scale) on the shapes it accepts,
 *     speedup = baseline time / custom time (medians); a shape the kernel
 *     declines is listed as such
 *
 * Prints a table; --json FILE writes {"warm_overhead_ns_p50", ...}.
 * Benchmarks never pass or fail. */
#define FG_EXPERIMENTAL_API
#include <flaggems/experimental.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/tensor.h"
#include "experimental/dispatcher.h"
#include "experimental/perf_cache.h"
#include "ops/registry.h"

static double now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double pct(double *v, int n, double p)
{
    qsort(v, (size_t)n, sizeof *v, cmp_d);
    int i = (int)(p * (n - 1) + 0.5);
    return v[i < 0 ? 0 : i >= n ? n - 1 : i];
}

static void die(const char *what)
{
    fprintf(stderr, "fg-bench-dispatch: %s: %s\n", what, fg_last_error());
    exit(1);
}

/* ---------------------------------------------------------------- tensors */

typedef struct tens {
    DLTensor t;
    int64_t shape[FG_MAX_DIMS];
    void *buf;
} tens;

static void tens_init(tens *t, int dt, int ndim, const int64_t *shape)
{
    memset(t, 0, sizeof *t);
    int64_t n = 1;
    for (int d = 0; d < ndim; d++) {
        t->shape[d] = shape[d];
        n *= shape[d];
    }
    int bytes = dt == 0 ? 4 : 2;
    t->buf = aligned_alloc(64, ((size_t)(n ? n : 1) * (size_t)bytes + 63) & ~(size_t)63);
    if (!t->buf) die("out of memory");
    for (int64_t i = 0; i < n; i++) {
        float v = (float)((i * 2654435761u) % 2000) / 1000.0f - 1.0f;
        if (dt == 0)
            ((float *)t->buf)[i] = v;
        else if (dt == 1)
            ((uint16_t *)t->buf)[i] = fgi_f32_to_f16(v);
        else
            ((uint16_t *)t->buf)[i] = fgi_f32_to_bf16(v);
    }
    t->t.data = t->buf;
    t->t.device = (DLDevice){kDLCPU, 0};
    t->t.ndim = ndim;
    t->t.dtype = dt == 0   ? (DLDataType){kDLFloat, 32, 1}
                 : dt == 1 ? (DLDataType){kDLFloat, 16, 1}
                           : (DLDataType){kDLBfloat, 16, 1};
    t->t.shape = t->shape;
}

static void tens_free(tens *t) { free(t->buf); }

/* ---------------------------------------------------------------- 1. warm overhead */

#define BATCH 1000
#define BATCHES 1000

typedef struct warm {
    double pub_p50, pub_p99, direct_p50, direct_p99, disp_p50, disp_p99;
} warm;

static warm measure_warm(void)
{
    int64_t one = 1;
    tens a, b, o;
    tens_init(&a, 0, 1, &one);
    tens_init(&b, 0, 1, &one);
    tens_init(&o, 0, 1, &one);
    if (fg_add(&o.t, &a.t, &b.t, 1.0) != FG_OK) die("fg_add");
    const fgi_kernel *k = fgi_kernel_find(fg_last_kernel());
    /* the call the entry point builds, for the direct and dispatcher-only runs */
    fgi_call c = {.op = FGI_OP_add, .nin = 2, .dim = -1, .alpha = 1.0};
    if (fgi_tensor_view(&c.out, &o.t, "out") || fgi_tensor_view(&c.in[0], &a.t, "a") ||
        fgi_tensor_view(&c.in[1], &b.t, "b"))
        die("view");
    c.dtype = c.out.dtype;
    c.contiguous = true;
    double *pub = malloc(sizeof(double) * BATCHES), *dir = malloc(sizeof(double) * BATCHES),
           *dsp = malloc(sizeof(double) * BATCHES);
    fg_status s = FG_OK;
    for (int r = 0; r < BATCHES; r++) {
        double t0 = now_ns();
        for (int i = 0; i < BATCH; i++) s |= fg_add(&o.t, &a.t, &b.t, 1.0);
        double t1 = now_ns();
        for (int i = 0; i < BATCH; i++) s |= k->run(&c);
        double t2 = now_ns();
        for (int i = 0; i < BATCH; i++) s |= fgi_dispatch(&c);
        double t3 = now_ns();
        pub[r] = (t1 - t0) / BATCH;
        dir[r] = (t2 - t1) / BATCH;
        dsp[r] = (t3 - t2) / BATCH;
    }
    if (s != FG_OK) die("warm calls");
    warm w = {pct(pub, BATCHES, 0.5),  pct(pub, BATCHES, 0.99), pct(dir, BATCHES, 0.5),
              pct(dir, BATCHES, 0.99), pct(dsp, BATCHES, 0.5),  pct(dsp, BATCHES, 0.99)};
    free(pub);
    free(dir);
    free(dsp);
    tens_free(&a);
    tens_free(&b);
    tens_free(&o);
    return w;
}

/* ---------------------------------------------------------------- 2, 3. decisions */

/* First-minus-second call times over distinct keys of the ops, in ns.
 * Shapes: 1 to 4 dims, each from {1, 2, 4, 8} (340 shape classes per
 * dtype). A sample counts only when the first call really missed (and,
 * with want_profiled, was profiled): the statistics say so. */
static int decision_costs(const char *const *ops, int nops, int max_keys, bool want_profiled, double *out)
{
    static const int64_t vals[4] = {1, 2, 4, 8};
    int n = 0;
    for (int op = 0; op < nops; op++)
        for (int dt = 0; dt < 3; dt++)
            for (int ndim = 1; ndim <= 4; ndim++)
                for (int code = 0; code < (1 << (2 * ndim)) && n < max_keys; code++) {
                    int64_t shape[4];
                    for (int d = 0; d < ndim; d++) shape[d] = vals[(code >> (2 * d)) & 3];
                    if (!strcmp(ops[op], "softmax")) shape[ndim - 1] *= 8; /* rows the custom kernel takes */
                    tens x, y, z;
                    tens_init(&x, dt, ndim, shape);
                    tens_init(&y, dt, ndim, shape);
                    tens_init(&z, dt, ndim, shape);
                    fg_status s;
#define CALL(o)                                                \
    (!strcmp(o, "relu")        ? fg_relu(&z.t, &x.t)           \
     : !strcmp(o, "exp")       ? fg_exp(&z.t, &x.t)            \
     : !strcmp(o, "add")       ? fg_add(&z.t, &x.t, &y.t, 1.0) \
     : !strcmp(o, "fast_gelu") ? fg_exp_fast_gelu(&z.t, &x.t)  \
                               : fg_softmax(&z.t, &x.t, -1))
                    /* warm the kernel's code and the buffers without the dispatcher */
                    char ref[64];
                    snprintf(ref, sizeof ref, "%s.cpu.reference", ops[op]);
                    fg_exp_force_kernel(ref);
                    s = CALL(ops[op]);
                    fg_exp_force_kernel(NULL);
                    fg_exp_statistics before, after;
                    fg_exp_stats(&before);
                    double t0 = now_ns();
                    s |= CALL(ops[op]);
                    double t1 = now_ns();
                    s |= CALL(ops[op]);
                    double t2 = now_ns();
#undef CALL
                    fg_exp_stats(&after);
                    if (s != FG_OK) die(ops[op]);
                    bool missed = after.cache_misses == before.cache_misses + 1;
                    bool profiled = after.profiled == before.profiled + 1;
                    if (missed && (!want_profiled || profiled)) out[n++] = (t1 - t0) - (t2 - t1);
                    tens_free(&x);
                    tens_free(&y);
                    tens_free(&z);
                }
    return n;
}

/* ---------------------------------------------------------------- 4. trace */

static void dense(fgi_tensor *t, fgi_dtype dt, int ndim, const int64_t *shape)
{
    memset(t, 0, sizeof *t);
    t->ndim = ndim;
    t->dtype = dt;
    t->device = kDLCPU;
    t->contiguous = true;
    t->data = (char *)64;
    int64_t s = 1;
    for (int d = ndim - 1; d >= 0; d--) {
        t->shape[d] = shape[d];
        t->strides[d] = s;
        s *= shape[d];
    }
    t->numel = s;
}

typedef struct tracer {
    fgi_pc *pc;
    long calls, hits;
    fgi_dtype dt;
} tracer;

static void trace_call(tracer *tr, fgi_call *c)
{
    fgi_pc_key key;
    uint64_t h = fgi_exp_key(c, &key);
    fgi_pc_value v;
    int64_t exp;
    uint32_t slot;
    tr->calls++;
    if (fgi_pc_lookup(tr->pc, &key, h, 0, &v, &exp, &slot)) {
        tr->hits++;
        return;
    }
    memset(&v, 0, sizeof v);
    fgi_pc_insert(tr->pc, &key, h, c->op, &v, 0, &exp, &slot);
}

static void t_unary(tracer *tr, fgi_op op, int64_t r, int64_t cols)
{
    int64_t s[2] = {r, cols};
    fgi_call c = {.op = op, .dtype = tr->dt, .nin = 1, .dim = -1, .contiguous = true};
    dense(&c.out, tr->dt, 2, s);
    dense(&c.in[0], tr->dt, 2, s);
    trace_call(tr, &c);
}

static void t_binary(tracer *tr, fgi_op op, int64_t r, int64_t cols)
{
    int64_t s[2] = {r, cols};
    fgi_call c = {.op = op, .dtype = tr->dt, .nin = 2, .dim = -1, .contiguous = true, .alpha = 1.0};
    dense(&c.out, tr->dt, 2, s);
    dense(&c.in[0], tr->dt, 2, s);
    dense(&c.in[1], tr->dt, 2, s);
    trace_call(tr, &c);
}

static void t_norm(tracer *tr, int64_t r, int64_t h)
{
    int64_t s[2] = {r, h};
    fgi_call c = {.op = FGI_OP_rms_norm,
                  .dtype = tr->dt,
                  .nin = 3,
                  .contiguous = true,
                  .has_weight = true,
                  .eps = 1e-6,
                  .len = h,
                  .outer = r,
                  .inner = 1,
                  .dim = 1};
    dense(&c.out, tr->dt, 2, s);
    dense(&c.in[0], tr->dt, 2, s);
    dense(&c.in[1], tr->dt, 1, &h);
    trace_call(tr, &c);
}

static void t_mm(tracer *tr, int64_t batch, int64_t m, int64_t k, int64_t n, bool bt)
{
    int nd = batch ? 3 : 2;
    int64_t sa[3] = {batch, m, k}, sb[3] = {batch, k, n}, so[3] = {batch, m, n};
    fgi_call c = {.op = batch ? FGI_OP_bmm : FGI_OP_mm,
                  .dtype = tr->dt,
                  .nin = 2,
                  .dim = -1,
                  .m = m,
                  .n = n,
                  .k = k,
                  .outer = batch ? batch : 1};
    dense(&c.out, tr->dt, nd, batch ? so : so + 1);
    dense(&c.in[0], tr->dt, nd, batch ? sa : sa + 1);
    dense(&c.in[1], tr->dt, nd, batch ? sb : sb + 1);
    if (bt) { /* k^T: a transposed view of a [.., n, k] buffer */
        fgi_tensor *b = &c.in[1];
        b->strides[nd - 2] = 1;
        b->strides[nd - 1] = k;
        b->contiguous = false;
    }
    c.contiguous = !bt;
    trace_call(tr, &c);
}

static void t_softmax(tracer *tr, int64_t rows, int64_t q, int64_t ctx)
{
    int64_t s[3] = {rows, q, ctx};
    fgi_call c = {.op = FGI_OP_softmax,
                  .dtype = tr->dt,
                  .nin = 1,
                  .contiguous = true,
                  .dim = 2,
                  .outer = rows * q,
                  .len = ctx,
                  .inner = 1};
    dense(&c.out, tr->dt, 3, s);
    dense(&c.in[0], tr->dt, 3, s);
    trace_call(tr, &c);
}

/* One forward pass of `layers` Llama layers over B sequences of q new
 * tokens each with ctx tokens of context. */
static void t_forward(tracer *tr, int64_t hidden, int64_t inter, int64_t heads, int64_t kv_heads, int layers,
                      int64_t B, int64_t q, int64_t ctx)
{
    int64_t T = B * q, hd = hidden / heads, qkv = hidden + 2 * kv_heads * hd;
    for (int l = 0; l < layers; l++) {
        t_norm(tr, T, hidden);
        t_mm(tr, 0, T, hidden, qkv, false);
        t_mm(tr, B * heads, q, hd, ctx, true);
        t_softmax(tr, B * heads, q, ctx);
        t_mm(tr, B * heads, q, ctx, hd, false);
        t_mm(tr, 0, T, hidden, hidden, false);
        t_binary(tr, FGI_OP_add, T, hidden);
        t_norm(tr, T, hidden);
        t_mm(tr, 0, T, hidden, inter, false);
        t_mm(tr, 0, T, hidden, inter, false);
        t_unary(tr, FGI_OP_silu, T, inter);
        t_binary(tr, FGI_OP_mul, T, inter);
        t_mm(tr, 0, T, inter, hidden, false);
        t_binary(tr, FGI_OP_add, T, hidden);
    }
    t_norm(tr, T, hidden);
    t_mm(tr, 0, B, hidden, 32000, false);
}

/* Serving-style trace: per model, requests of B sequences with a prompt of
 * L tokens (one prefill pass) and `gen` decode passes (one new token each,
 * the context growing by one per pass), every pass through all the
 * model's layers. */
static double trace_hit_rate(long *calls, size_t *keys)
{
    tracer tr = {.dt = FGI_BF16};
    if (fgi_pc_create(1000, (int64_t)3600 * 1000000000, &tr.pc) != FG_OK) die("perf cache");
    static const struct {
        int64_t hidden, inter, heads, kv;
        int layers;
    } models[2] = {{4096, 11008, 32, 32, 32}, {8192, 28672, 64, 8, 80}};
    static const struct {
        int model;
        int64_t B, prompt, gen;
    } reqs[] = {{0, 1, 37, 12}, {0, 4, 512, 6}, {1, 2, 1000, 3}, {1, 8, 100, 3}};
    for (size_t r = 0; r < sizeof reqs / sizeof reqs[0]; r++) {
        int m = reqs[r].model;
        int64_t B = reqs[r].B, L = reqs[r].prompt;
        t_forward(&tr, models[m].hidden, models[m].inter, models[m].heads, models[m].kv, models[m].layers, B,
                  L, L);
        for (int64_t g = 1; g <= reqs[r].gen; g++)
            t_forward(&tr, models[m].hidden, models[m].inter, models[m].heads, models[m].kv, models[m].layers,
                      B, 1, L + g);
    }
    fgi_pc_stats st;
    fgi_pc_get_stats(tr.pc, &st);
    *calls = tr.calls;
    *keys = st.entries;
    fgi_pc_destroy(tr.pc);
    return (double)tr.hits / (double)tr.calls;
}

/* ---------------------------------------------------------------- --custom */

typedef struct crow {
    char op[24], shape[48], dtype[12], custom[48], base[48];
    const char *role; /* what the baseline is: "stable", "reference" or "other op" */
    double custom_us, base_us, speedup;
} crow;

static crow crows[128];
static int ncrows;

static double time_kernel(const char *id, const char *op, tens *x, tens *w, tens *o, double budget_s)
{
    if (fg_exp_force_kernel(id) != FG_OK) die(id);
    double samples[4096];
    int n = 0;
    double start = now_ns();
    for (int rep = 0; rep < 4096; rep++) {
        double t0 = now_ns();
        fg_status s;
        if (!strcmp(op, "softmax"))
            s = fg_softmax(&o->t, &x->t, -1);
        else if (!strcmp(op, "layer_norm"))
            s = fg_layer_norm(&o->t, &x->t, &w->t, NULL, 1e-5);
        else if (!strcmp(op, "rms_norm"))
            s = fg_rms_norm(&o->t, &x->t, &w->t, 1e-6);
        else if (!strcmp(op, "gelu"))
            s = fg_gelu(&o->t, &x->t, FG_GELU_TANH);
        else
            s = fg_exp_fast_gelu(&o->t, &x->t);
        double t1 = now_ns();
        if (s == FG_ERR_UNSUPPORTED && rep == 0) { /* the kernel's supports() declines this shape */
            fg_exp_force_kernel(NULL);
            return -1;
        }
        if (s != FG_OK) die(id);
        if (rep >= 3) samples[n++] = t1 - t0; /* 3 warm-up calls */
        if (n >= 10 && t1 - start > budget_s * 1e9) break;
    }
    fg_exp_force_kernel(NULL);
    return pct(samples, n, 0.5) / 1e3;
}

static void custom_case(const char *op, const char *custom, const char *base_op, const char *base, int dt,
                        int64_t rows, int64_t cols, double budget)
{
    int64_t s[2] = {rows, cols};
    tens x, o, w;
    tens_init(&x, dt, 2, s);
    tens_init(&o, dt, 2, s);
    tens_init(&w, dt, 1, &cols);
    crow *r = &crows[ncrows++];
    snprintf(r->op, sizeof r->op, "%s", op);
    snprintf(r->shape, sizeof r->shape, "[%lld,%lld]", (long long)rows, (long long)cols);
    snprintf(r->dtype, sizeof r->dtype, "%s", dt == 0 ? "float32" : dt == 1 ? "float16" : "bfloat16");
    snprintf(r->custom, sizeof r->custom, "%s", custom);
    snprintf(r->base, sizeof r->base, "%s", base);
    r->role = strcmp(base_op, op) ? "other op" : strstr(base, ".reference") ? "reference" : "stable";
    /* alternate to share any drift of the machine */
    double c1 = time_kernel(custom, op, &x, &w, &o, budget / 2);
    if (c1 < 0) {
        printf("%-11s %-14s %-9s %-36s declines this shape: the dispatcher serves it with %s\n", r->op,
               r->shape, r->dtype, r->custom, base);
        ncrows--;
        tens_free(&x);
        tens_free(&o);
        tens_free(&w);
        return;
    }
    double b1 = time_kernel(base, base_op, &x, &w, &o, budget / 2);
    double c2 = time_kernel(custom, op, &x, &w, &o, budget / 2),
           b2 = time_kernel(base, base_op, &x, &w, &o, budget / 2);
    r->custom_us = c1 < c2 ? c1 : c2;
    r->base_us = b1 < b2 ? b1 : b2;
    r->speedup = r->base_us / r->custom_us;
    printf("%-11s %-14s %-9s %-36s %10.2f us %-28s %10.2f us  x%.2f%s\n", r->op, r->shape, r->dtype, r->custom,
           r->custom_us, r->base, r->base_us, r->speedup, strcmp(r->role, "other op") ? "" : "  (other op)");
    fflush(stdout);
    tens_free(&x);
    tens_free(&o);
    tens_free(&w);
}

static void run_custom(bool quick)
{
    double budget = quick ? 0.05 : 0.4;
    char st[64];
    const char *isa = fg_cpu_isa_name();
    printf("\ncustom kernels vs stable (medians; speedup = stable / custom)\n");
    printf("%-11s %-14s %-9s %-36s %13s %-28s %13s  %s\n", "op", "shape", "dtype", "custom", "time",
           "baseline", "time", "speedup");
    static const int64_t sm[][2] = {{4096, 32},  {4096, 64}, {2048, 128}, {1024, 256}, {512, 1000},
                                    {256, 1024}, {32, 1024}, {65536, 64}, {32768, 512}};
    int nsm = quick ? 3 : (int)(sizeof sm / sizeof sm[0]);
    snprintf(st, sizeof st, "softmax.cpu.stable.%s", isa);
    for (int dt = 0; dt < 3; dt += 2)
        for (int i = 0; i < nsm; i++)
            custom_case("softmax", "softmax.cpu.custom.rows_le_1024_v1", "softmax", st, dt, sm[i][0],
                        sm[i][1], budget);
    static const int64_t nm[][2] = {{64, 64},  {256, 768}, {16, 4096},  {128, 4096},
                                    {4, 8192}, {64, 8192}, {4096, 4096}};
    int nnm = quick ? 3 : (int)(sizeof nm / sizeof nm[0]);
    const char *nops[2] = {"layer_norm", "rms_norm"},
               *nids[2] = {"layer_norm.cpu.custom.h64_v1", "rms_norm.cpu.custom.h64_v1"};
    for (int o = 0; o < 2; o++) {
        snprintf(st, sizeof st, "%s.cpu.stable.%s", nops[o], isa);
        for (int dt = 0; dt < 3; dt += 2)
            for (int i = 0; i < nnm; i++)
                custom_case(nops[o], nids[o], nops[o], st, dt, nm[i][0], nm[i][1], budget);
    }
    /* fast_gelu has no stable kernel: its baseline is its reference kernel;
     * gelu (tanh), the op it approximates, is timed for scale only */
    printf("fast_gelu: no stable kernel, baseline = its reference; gelu tanh (other op) for scale\n");
    static const int64_t pw[][2] = {{1, 4096}, {64, 1024}, {1024, 1024}, {4096, 4096}};
    int npw = quick ? 2 : (int)(sizeof pw / sizeof pw[0]);
    snprintf(st, sizeof st, "gelu.cpu.stable.%s", isa);
    for (int dt = 0; dt < 3; dt += 2)
        for (int i = 0; i < npw; i++) {
            custom_case("fast_gelu", "fast_gelu.cpu.custom.avx2_v1", "fast_gelu", "fast_gelu.cpu.reference",
                        dt, pw[i][0], pw[i][1], budget);
            custom_case("fast_gelu", "fast_gelu.cpu.custom.avx2_v1", "gelu", st, dt, pw[i][0], pw[i][1],
                        budget);
            /* the portable custom kernel, for CPUs without AVX2 */
            custom_case("fast_gelu", "fast_gelu.cpu.custom.generic_v1", "fast_gelu", "fast_gelu.cpu.reference",
                        dt, pw[i][0], pw[i][1], budget);
        }
}

/* ---------------------------------------------------------------- main */

int main(int argc, char **argv)
{
    const char *json = NULL;
    bool custom = false, quick = false;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--json") && i + 1 < argc)
            json = argv[++i];
        else if (!strcmp(argv[i], "--custom"))
            custom = true;
        else if (!strcmp(argv[i], "--quick"))
            quick = true;
        else if (!strcmp(argv[i], "--threads") && i + 1 < argc) {
            if (fg_set_num_threads(atoi(argv[++i])) != FG_OK) die("--threads");
        } else {
            fprintf(stderr, "usage: fg-bench-dispatch [--custom] [--quick] [--threads N] [--json FILE]\n"
                            "  --custom    also time each custom kernel against the stable one\n"
                            "  --quick     fewer shapes and shorter timings (smoke test)\n"
                            "  --threads   worker threads for large ops (default: all)\n");
            return 2;
        }
    }
    printf("fg-bench-dispatch: %s, ISA %s, %d threads\n", fg_version(), fg_cpu_isa_name(),
           fg_get_num_threads());

    /* 1 */
    if (fg_exp_disable() != FG_OK) die("disable");
    warm wd = measure_warm();
    if (fg_exp_enable(0, 1, 0, NULL) != FG_OK) die("enable");
    warm we = measure_warm();
    printf("\n1. warm call, fg_add on one float32 element (%d x %d calls each; ns per call)\n", BATCHES,
           BATCH);
    printf("   %-34s %8s %8s\n", "", "p50", "p99");
    printf("   %-34s %8.1f %8.1f\n", "direct kernel run()", wd.direct_p50, wd.direct_p99);
    printf("   %-34s %8.1f %8.1f\n", "fg_add (experimental disabled)", wd.pub_p50, wd.pub_p99);
    printf("   %-34s %8.1f %8.1f\n", "fgi_dispatch (disabled)", wd.disp_p50, wd.disp_p99);
    printf("   %-34s %8.1f %8.1f\n", "fg_add (experimental enabled)", we.pub_p50, we.pub_p99);
    printf("   %-34s %8.1f %8.1f\n", "fgi_dispatch (enabled)", we.disp_p50, we.disp_p99);
    double ov50 = wd.pub_p50 - wd.direct_p50, ov99 = wd.pub_p99 - wd.direct_p99;
    printf("   overhead over the direct call: entry point %.1f / %.1f ns, dispatcher alone %.1f / %.1f ns "
           "(p50/p99)\n",
           ov50, ov99, wd.disp_p50 - wd.direct_p50, wd.disp_p99 - wd.direct_p99);

    /* 2 */
    fg_exp_disable();
    fg_exp_set_config_json("{\"cache_size\": 100000, \"enable_profiling\": false}");
    fg_exp_cache_invalidate(NULL);
    double *costs = malloc(sizeof(double) * 4096);
    static const char *const cold_ops[3] = {"relu", "exp", "add"};
    int nc = decision_costs(cold_ops, 3, 4096, false, costs);
    double cold50 = pct(costs, nc, 0.5), cold99 = pct(costs, nc, 0.99);
    fg_exp_enable(0, 1, 0, NULL);
    fg_exp_cache_invalidate(NULL);
    int nce = decision_costs(cold_ops, 3, 4096, false, costs);
    double cold50e = pct(costs, nce, 0.5);
    printf("\n2. cold decision without profiling, per new key (%d keys): p50 %.0f ns, p99 %.0f ns "
           "(experimental enabled: p50 %.0f ns)\n",
           nc, cold50, cold99, cold50e);

    /* 3 */
    fg_exp_set_config_json("{\"enable_profiling\": true, \"fallback_on_slow\": true}");
    fg_exp_cache_invalidate(NULL);
    static const char *const prof_ops[2] = {"fast_gelu", "softmax"};
    int np = decision_costs(prof_ops, 2, 4096, true, costs);
    double prof50 = pct(costs, np, 0.5) / 1e3, prof99 = pct(costs, np, 0.99) / 1e3;
    printf("3. decision with profiling on a miss (%d keys: fast_gelu with its two custom kernels, softmax "
           "custom vs "
           "stable with fallback_on_slow; warm-up 3 + 10 timed runs per candidate; 1..32768 elements): p50 "
           "%.1f us, "
           "p99 %.1f us\n",
           np, prof50, prof99);
    free(costs);
    fg_exp_reset_config();

    /* 4 */
    long calls;
    size_t keys;
    double hr = trace_hit_rate(&calls, &keys);
    printf("4. Llama trace, bfloat16, 14 ops per layer (7B: 32 layers, B x L = 1x37 then 12 decode steps, "
           "4x512 then "
           "6; 70B: 80 layers, 2x1000 then 3, 8x100 then 3): %ld calls, %zu keys, hit rate %.4f\n",
           calls, keys, hr);

    /* 5 */
    fgi_pc *pc;
    if (fgi_pc_create(1000, 1000000000, &pc) != FG_OK) die("perf cache");
    fgi_pc_stats ps;
    fgi_pc_get_stats(pc, &ps);
    fgi_pc_destroy(pc);
    printf("5. perf cache for 1000 entries: %zu bytes (%zu slots); per calling thread %zu bytes more "
           "(its 16-entry cache and counters)\n",
           ps.bytes, ps.slots, fgi_exp_thread_bytes());

    if (custom) run_custom(quick);

    if (json) {
        FILE *f = fopen(json, "w");
        if (!f) {
            fprintf(stderr, "fg-bench-dispatch: cannot write %s\n", json);
            return 1;
        }
        fprintf(f,
                "{\n  \"warm_overhead_ns_p50\": %.2f,\n  \"warm_overhead_ns_p99\": %.2f,\n  \"cold_ns_p50\": "
                "%.1f,\n"
                "  \"profiled_us_p50\": %.2f,\n  \"hit_rate\": %.5f,\n  \"bytes_per_1000_entries\": %zu,\n",
                ov50, ov99, cold50, prof50, hr, ps.bytes);
        fprintf(f,
                "  \"warm_direct_ns_p50\": %.2f,\n  \"warm_public_ns_p50\": %.2f,\n  "
                "\"warm_dispatch_only_overhead_ns_p50\": "
                "%.2f,\n  \"warm_public_enabled_ns_p50\": %.2f,\n  \"cold_ns_p99\": %.1f,\n  "
                "\"profiled_us_p99\": %.2f,\n"
                "  \"trace_calls\": %ld,\n  \"trace_keys\": %zu,\n  \"custom\": [",
                wd.direct_p50, wd.pub_p50, wd.disp_p50 - wd.direct_p50, we.pub_p50, cold99, prof99, calls,
                keys);
        for (int i = 0; i < ncrows; i++)
            fprintf(f,
                    "%s\n    {\"op\": \"%s\", \"shape\": \"%s\", \"dtype\": \"%s\", \"kernel\": \"%s\", "
                    "\"us\": %.3f, "
                    "\"baseline\": \"%s\", \"baseline_kind\": \"%s\", \"baseline_us\": %.3f, \"speedup\": %.3f}",
                    i ? "," : "", crows[i].op, crows[i].shape, crows[i].dtype, crows[i].custom,
                    crows[i].custom_us, crows[i].base, crows[i].role, crows[i].base_us, crows[i].speedup);
        fprintf(f, "%s]\n}\n", ncrows ? "\n  " : "");
        fclose(f);
    }
    return 0;
}
