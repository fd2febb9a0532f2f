/* fg-bench-ops: times every stable op against its reference kernel and the
 * peers (oneDNN, OpenBLAS sgemm) and a STREAM triad measured in the same run,
 * at working sets of about 1 MB, 64 MB and 256 MB.
 *
 * A benchmark never passes or fails on speed; the exit status says only
 * whether our kernels ran and produced sane output (1), or whether the
 * command line was bad (2). */
#include <getopt.h>
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cblas.h>
#include <oneapi/dnnl/dnnl.h>
#include <oneapi/dnnl/dnnl_debug.h>

#include "bench_util.h"
#include "core/cpu.h"
#include "core/dtype.h"
#include "flaggems/flaggems.h"
#include "ops/registry.h"

#define COLS 4096 /* row length of every 2-D op (LLM hidden size) */
#define EPS 1e-5
#define MAX_SIZES 8
#define MIB (1LL << 20)
#define NOISY 1.3 /* median / min above this marks a disturbed measurement */

/* ------------------------------------------------------------ cases */

typedef enum fn_id {
    F_ADD, F_MUL, F_RELU, F_GELU, F_GELU_TANH, F_SILU, F_EXP,
    F_SUM, F_MEAN, F_AMAX, F_SOFTMAX, F_LAYER_NORM, F_RMS_NORM, F_MM, F_BMM
} fn_id;

typedef enum kind { K_BINARY, K_UNARY, K_REDUCE, K_SOFTMAX, K_NORM, K_MM } kind;

typedef struct op_case {
    const char *label;   /* "op" of a result row: unique per variant */
    const char *op;      /* library op: kernel ids, --ops filter */
    const char *variant;
    fn_id fn;
    kind kind;
    bool all;            /* reductions: reduce every element */
} op_case;

static const op_case cases[] = {
    {"add", "add", "", F_ADD, K_BINARY, false},
    {"mul", "mul", "", F_MUL, K_BINARY, false},
    {"relu", "relu", "", F_RELU, K_UNARY, false},
    {"gelu", "gelu", "none", F_GELU, K_UNARY, false},
    {"gelu_tanh", "gelu", "tanh", F_GELU_TANH, K_UNARY, false},
    {"silu", "silu", "", F_SILU, K_UNARY, false},
    {"exp", "exp", "", F_EXP, K_UNARY, false},
    {"sum", "sum", "last", F_SUM, K_REDUCE, false},
    {"sum_all", "sum", "all", F_SUM, K_REDUCE, true},
    {"mean", "mean", "last", F_MEAN, K_REDUCE, false},
    {"mean_all", "mean", "all", F_MEAN, K_REDUCE, true},
    {"amax", "amax", "last", F_AMAX, K_REDUCE, false},
    {"amax_all", "amax", "all", F_AMAX, K_REDUCE, true},
    {"softmax", "softmax", "last", F_SOFTMAX, K_SOFTMAX, false},
    {"layer_norm", "layer_norm", "", F_LAYER_NORM, K_NORM, false},
    {"rms_norm", "rms_norm", "", F_RMS_NORM, K_NORM, false},
    {"mm", "mm", "", F_MM, K_MM, false},
    {"bmm", "bmm", "", F_BMM, K_MM, false},
};
#define NCASES ((int)(sizeof cases / sizeof cases[0]))

typedef struct dtype_info {
    fgi_dtype dt;
    const char *name;
    uint8_t code, bits;
    dnnl_data_type_t dnnl;
    double rtol; /* the accuracy contract's rtol */
} dtype_info;

static const dtype_info dtypes[3] = {
    {FGI_F32, "float32", kDLFloat, 32, dnnl_f32, 1.3e-6},
    {FGI_F16, "float16", kDLFloat, 16, dnnl_f16, 1e-3},
    {FGI_BF16, "bfloat16", kDLBfloat, 16, dnnl_bf16, 0.016},
};

/* ------------------------------------------------------------ options, globals */

typedef struct options {
    bool op_on[NCASES];
    bool dt_on[3];
    int64_t sizes[MAX_SIZES];
    int nsizes;
    double budget;
    bool quick, no_ref;
    const char *json;
} options;

static options opt;
static int g_threads;
static dnnl_engine_t g_eng;
static dnnl_stream_t g_stream;
static int g_failures; /* our kernels: errors or failed checks */

/* ------------------------------------------------------------ result rows */

typedef enum row_state { ROW_OK, ROW_NA, ROW_SKIP, ROW_FAIL } row_state;

typedef struct row {
    const char *op, *variant, *dtype, *kernel;
    int64_t size_class;
    char shape[48];
    char kernel_id[112];
    row_state state;
    double median_s, min_s;
    int reps;
    double bytes, flops, gbps, gflops;
    double triad_gbps; /* stable rows: the triad their "% triad" compares with */
    bool check_ok;
    char note[240];
} row;

static row *g_rows;
static int g_nrows, g_caprows;

static row *add_row(void)
{
    if (g_nrows == g_caprows) {
        int cap = g_caprows ? 2 * g_caprows : 256;
        row *r = realloc(g_rows, (size_t)cap * sizeof *r);
        if (!r) {
            fprintf(stderr, "fg-bench-ops: out of memory\n");
            exit(1);
        }
        g_rows = r;
        g_caprows = cap;
    }
    row *r = &g_rows[g_nrows++];
    memset(r, 0, sizeof *r);
    r->median_s = r->min_s = r->gbps = r->gflops = r->triad_gbps = NAN;
    r->state = ROW_SKIP; /* until measured */
    r->variant = "";
    r->check_ok = true;
    return r;
}

/* ------------------------------------------------------------ one instance */

/* One (op, dtype, working set): buffers, tensors and counted traffic. */
typedef struct inst {
    const op_case *c;
    const dtype_info *d;
    int es;
    int64_t size_class;
    int64_t rows, cols;           /* 2-D ops */
    int64_t batch, m, n, k;       /* mm, bmm */
    int nx;
    void *x[3];                   /* a,b | x | x,weight,bias */
    size_t xbytes[3];
    int64_t xnumel[3];
    void *out;
    size_t outbytes;
    int64_t outnumel;
    float *scale, *shift;         /* oneDNN layer_norm wants float32 scale/shift */
    int64_t shp[4][3];            /* shapes of x[0..2], out */
    DLTensor tx[3], tout;
    double bytes, flops;
    char shape[48];
} inst;

static void set_tensor(DLTensor *t, void *data, int ndim, int64_t *shape, const dtype_info *d)
{
    *t = (DLTensor){.data = data,
                    .device = {kDLCPU, 0},
                    .ndim = ndim,
                    .dtype = {d->code, d->bits, 1},
                    .shape = shape,
                    .strides = NULL,
                    .byte_offset = 0};
}

/* Random data of dtype dt: float32 chunks converted, so a 16-bit input
 * never needs a float32 copy of the whole array. */
static void fill_input(void *buf, int64_t n, fgi_dtype dt, float lo, float hi, uint64_t seed)
{
    if (dt == FGI_F32) {
        bench_fill_uniform(buf, n, lo, hi, seed, g_threads);
        return;
    }
    enum { CHUNK = 1 << 20 };
    static float tmp[CHUNK];
    for (int64_t i = 0, c = 0; i < n; i += CHUNK, c++) {
        int64_t len = n - i < CHUNK ? n - i : CHUNK;
        bench_fill_uniform(tmp, len, lo, hi, seed * 1000003u + (uint64_t)c, g_threads);
        fgi_from_f32((char *)buf + i * 2, tmp, len, dt);
    }
}

static int mm_size(int64_t size_class)
{
    return size_class <= MIB ? 512 : size_class <= 64 * MIB ? 1024 : 2048;
}

static void inst_free(inst *s)
{
    for (int i = 0; i < 3; i++) bench_free(s->x[i]);
    bench_free(s->out);
    free(s->scale);
    free(s->shift);
    memset(s, 0, sizeof *s);
}

static bool inst_init(inst *s, const op_case *c, const dtype_info *d, int64_t size_class)
{
    memset(s, 0, sizeof *s);
    s->c = c;
    s->d = d;
    s->es = fgi_dtype_size(d->dt);
    s->size_class = size_class;
    int es = s->es;
    float lo = -2, hi = 2;
    int ndim_x = 2, ndim_out = 2;
    if (c->kind == K_MM) {
        int n = mm_size(size_class);
        s->batch = c->fn == F_BMM ? 8 : 1;
        if (c->fn == F_BMM) n /= 2; /* 8 products of (n/2)^3: the work of one n^3 */
        s->m = s->n = s->k = n;
        s->nx = 2;
        int nd = c->fn == F_BMM ? 3 : 2, o = nd - 2;
        if (o) s->shp[0][0] = s->shp[1][0] = s->shp[3][0] = s->batch;
        s->shp[0][o] = s->m, s->shp[0][o + 1] = s->k;
        s->shp[1][o] = s->k, s->shp[1][o + 1] = s->n;
        s->shp[3][o] = s->m, s->shp[3][o + 1] = s->n;
        s->xnumel[0] = s->batch * s->m * s->k;
        s->xnumel[1] = s->batch * s->k * s->n;
        s->outnumel = s->batch * s->m * s->n;
        ndim_x = ndim_out = nd;
        lo = -1, hi = 1;
        s->flops = 2.0 * (double)s->batch * (double)s->m * (double)s->n * (double)s->k;
        if (c->fn == F_BMM)
            snprintf(s->shape, sizeof s->shape, "%lldx%lld^3", (long long)s->batch, (long long)n);
        else
            snprintf(s->shape, sizeof s->shape, "%lld^3", (long long)n);
    } else {
        /* full-size tensors: the working set is split evenly among them */
        int nfull = c->kind == K_BINARY ? 3 : c->kind == K_REDUCE ? 1 : 2;
        s->cols = COLS;
        s->rows = size_class / ((int64_t)nfull * COLS * es);
        if (s->rows < 1) s->rows = 1;
        int64_t numel = s->rows * s->cols;
        s->shp[0][0] = s->shp[3][0] = s->rows;
        s->shp[0][1] = s->shp[3][1] = s->cols;
        s->xnumel[0] = numel;
        s->outnumel = numel;
        s->nx = 1;
        if (c->kind == K_BINARY) {
            s->nx = 2;
            s->xnumel[1] = numel;
            s->shp[1][0] = s->rows, s->shp[1][1] = s->cols;
        } else if (c->kind == K_REDUCE) {
            /* data centred at 1 so that sum and mean have a clear expected
             * value; a kernel returning zeros cannot pass */
            lo = -1, hi = 3;
            if (c->all) {
                s->shp[3][0] = s->shp[3][1] = 1; /* keepdim: [1,1] */
                s->outnumel = 1;
            } else {
                ndim_out = 1;
                s->shp[3][0] = s->rows;
                s->outnumel = s->rows;
            }
        } else if (c->kind == K_NORM) {
            s->nx = c->fn == F_LAYER_NORM ? 3 : 2;
            for (int t = 1; t < s->nx; t++) {
                s->xnumel[t] = s->cols;
                s->shp[t][0] = s->cols;
            }
        }
        snprintf(s->shape, sizeof s->shape, "[%lld,%lld]", (long long)s->rows, (long long)s->cols);
    }
    s->outbytes = (size_t)s->outnumel * (size_t)es;
    s->out = bench_alloc(s->outbytes);
    if (!s->out) return false;
    for (int t = 0; t < s->nx; t++) {
        s->xbytes[t] = (size_t)s->xnumel[t] * (size_t)es;
        s->x[t] = bench_alloc(s->xbytes[t]);
        if (!s->x[t]) return false;
        float tlo = lo, thi = hi;
        if (c->kind == K_NORM && t == 1) tlo = 0.5f, thi = 1.5f;   /* weight */
        if (c->kind == K_NORM && t == 2) tlo = -0.5f, thi = 0.5f;  /* bias */
        fill_input(s->x[t], s->xnumel[t], d->dt, tlo, thi,
                   (uint64_t)(c - cases) * 131 + (uint64_t)t * 7 + (uint64_t)d->dt + 1);
        set_tensor(&s->tx[t], s->x[t], c->kind == K_NORM && t > 0 ? 1 : ndim_x, s->shp[t], d);
        s->bytes += (double)s->xbytes[t];
    }
    set_tensor(&s->tout, s->out, ndim_out, s->shp[3], d);
    s->bytes += (double)s->outbytes;
    if (c->fn == F_LAYER_NORM) {
        s->scale = malloc((size_t)s->cols * sizeof(float));
        s->shift = malloc((size_t)s->cols * sizeof(float));
        if (!s->scale || !s->shift) return false;
        fgi_to_f32(s->scale, s->x[1], s->cols, d->dt);
        fgi_to_f32(s->shift, s->x[2], s->cols, d->dt);
    }
    return true;
}

/* ------------------------------------------------------------ our calls */

static fg_status call_ours(inst *s)
{
    DLTensor *o = &s->tout, *x = s->tx;
    switch (s->c->fn) {
    case F_ADD: return fg_add(o, &x[0], &x[1], 1.0);
    case F_MUL: return fg_mul(o, &x[0], &x[1]);
    case F_RELU: return fg_relu(o, &x[0]);
    case F_GELU: return fg_gelu(o, &x[0], FG_GELU_NONE);
    case F_GELU_TANH: return fg_gelu(o, &x[0], FG_GELU_TANH);
    case F_SILU: return fg_silu(o, &x[0]);
    case F_EXP: return fg_exp(o, &x[0]);
    case F_SUM: return fg_sum(o, &x[0], s->c->all ? FG_DIM_ALL : -1, s->c->all);
    case F_MEAN: return fg_mean(o, &x[0], s->c->all ? FG_DIM_ALL : -1, s->c->all);
    case F_AMAX: return fg_amax(o, &x[0], s->c->all ? FG_DIM_ALL : -1, s->c->all);
    case F_SOFTMAX: return fg_softmax(o, &x[0], -1);
    case F_LAYER_NORM: return fg_layer_norm(o, &x[0], &x[1], &x[2], EPS);
    case F_RMS_NORM: return fg_rms_norm(o, &x[0], &x[1], EPS);
    case F_MM: return fg_mm(o, &x[0], &x[1]);
    case F_BMM: return fg_bmm(o, &x[0], &x[1]);
    }
    return FG_ERR_INTERNAL;
}

static int run_ours(void *ctx) { return (int)call_ours(ctx); }

/* ------------------------------------------------------------ sanity check */

static double in_at(const inst *s, int t, int64_t i)
{
    return fgi_load_f64((const char *)s->x[t] + i * s->es, s->d->dt);
}

static double out_at(const inst *s, int64_t i)
{
    return fgi_load_f64((const char *)s->out + i * s->es, s->d->dt);
}

/* Expected out[i] in double from the (already rounded) inputs. */
static double expected(const inst *s, int64_t i)
{
    const double sqrt1_2 = 0.70710678118654752440, k_tanh = 0.79788456080286535588;
    int64_t cols = s->cols;
    switch (s->c->fn) {
    case F_ADD: return in_at(s, 0, i) + in_at(s, 1, i);
    case F_MUL: return in_at(s, 0, i) * in_at(s, 1, i);
    case F_RELU: return fmax(in_at(s, 0, i), 0);
    case F_GELU: {
        double x = in_at(s, 0, i);
        return 0.5 * x * (1 + erf(x * sqrt1_2));
    }
    case F_GELU_TANH: {
        double x = in_at(s, 0, i);
        return 0.5 * x * (1 + tanh(k_tanh * (x + 0.044715 * x * x * x)));
    }
    case F_SILU: {
        double x = in_at(s, 0, i);
        return x / (1 + exp(-x));
    }
    case F_EXP: return exp(in_at(s, 0, i));
    case F_SUM:
    case F_MEAN:
    case F_AMAX: {
        int64_t b = s->c->all ? 0 : i * cols, e = s->c->all ? s->xnumel[0] : b + cols;
        double acc = s->c->fn == F_AMAX ? -INFINITY : 0;
        for (int64_t j = b; j < e; j++)
            acc = s->c->fn == F_AMAX ? fmax(acc, in_at(s, 0, j)) : acc + in_at(s, 0, j);
        return s->c->fn == F_MEAN ? acc / (double)(e - b) : acc;
    }
    case F_SOFTMAX: {
        int64_t r = i / cols * cols;
        double mx = -INFINITY, sum = 0;
        for (int64_t j = 0; j < cols; j++) mx = fmax(mx, in_at(s, 0, r + j));
        for (int64_t j = 0; j < cols; j++) sum += exp(in_at(s, 0, r + j) - mx);
        return exp(in_at(s, 0, i) - mx) / sum;
    }
    case F_LAYER_NORM:
    case F_RMS_NORM: {
        int64_t r = i / cols * cols, j = i % cols;
        double mean = 0, var = 0;
        if (s->c->fn == F_LAYER_NORM) {
            for (int64_t q = 0; q < cols; q++) mean += in_at(s, 0, r + q);
            mean /= (double)cols;
        }
        for (int64_t q = 0; q < cols; q++) {
            double dlt = in_at(s, 0, r + q) - mean;
            var += dlt * dlt;
        }
        var /= (double)cols;
        double y = (in_at(s, 0, i) - mean) / sqrt(var + EPS) * in_at(s, 1, j);
        return s->c->fn == F_LAYER_NORM ? y + in_at(s, 2, j) : y;
    }
    case F_MM:
    case F_BMM: {
        int64_t b = i / (s->m * s->n), rc = i % (s->m * s->n), r = rc / s->n, c = rc % s->n;
        double acc = 0;
        for (int64_t q = 0; q < s->k; q++)
            acc += in_at(s, 0, (b * s->m + r) * s->k + q) * in_at(s, 1, (b * s->k + q) * s->n + c);
        return acc;
    }
    }
    return NAN;
}

/* The expected value as the dtype can hold it: a float16 sum of many
 * elements overflows to Inf, and then Inf is right. */
static double expected_in_dtype(const inst *s, int64_t i)
{
    double want = expected(s, i);
    if (s->d->dt == FGI_F32) return want;
    union { uint16_t h; double d; } buf; /* room for any dtype */
    fgi_store_f64(&buf, s->d->dt, want);
    return fgi_load_f64(&buf, s->d->dt);
}

/* Whether out looks right: no NaN (out was filled with NaN before the kernel
 * ran, so this also shows that every element was written), Inf only where
 * the math overflows the dtype, and a few hundred sampled elements within 4x
 * the accuracy contract's tolerance. This is a sanity check; the test suite
 * checks accuracy. */
static bool check_output(const inst *s, char *msg, size_t cap)
{
    for (int64_t i = 0; i < s->outnumel; i++) {
        double v = out_at(s, i);
        if (isnan(v) || (isinf(v) && expected_in_dtype(s, i) != v)) {
            snprintf(msg, cap, "out[%lld] = %g, expected %.9g%s", (long long)i, v,
                     expected_in_dtype(s, i), isnan(v) ? " (NaN: never written?)" : "");
            return false;
        }
    }
    double rtol = 4 * s->d->rtol, atol = 4e-4;
    if (s->c->fn == F_SUM) atol *= (double)(s->c->all ? s->xnumel[0] : s->cols);
    if (s->c->kind == K_MM) atol *= (double)s->k;
    if (s->c->fn == F_SOFTMAX) atol = 1e-6; /* outputs are ~1/4096: atol 4e-4 would hide garbage */
    enum { SAMPLES = 256 };
    uint64_t st = 0x1234567ull + (uint64_t)s->outnumel;
    bool every = s->outnumel <= SAMPLES + 2; /* small outputs: check them all */
    for (int k = 0; k < (every ? s->outnumel : SAMPLES + 2); k++) {
        int64_t i;
        if (every) i = k;
        else if (k == 0) i = 0;
        else if (k == 1) i = s->outnumel - 1;
        else {
            st = st * 6364136223846793005ull + 1442695040888963407ull;
            i = (int64_t)((st >> 17) % (uint64_t)s->outnumel);
        }
        double want = expected_in_dtype(s, i), got = out_at(s, i);
        if (isinf(want) && got == want) continue;
        if (!(fabs(got - want) <= atol + rtol * fabs(want))) {
            snprintf(msg, cap, "out[%lld] = %.9g, expected %.9g (tolerance %.3g)", (long long)i,
                     got, want, atol + rtol * fabs(want));
            return false;
        }
        if (s->c->fn == F_SOFTMAX && k < 8) {
            int64_t r = i / s->cols * s->cols;
            double sum = 0;
            for (int64_t j = 0; j < s->cols; j++) sum += out_at(s, r + j);
            double tol = s->d->dt == FGI_F32 ? 1e-4 : 1e-2;
            if (!(fabs(sum - 1) <= tol)) {
                snprintf(msg, cap, "row %lld of softmax sums to %.9g", (long long)(i / s->cols),
                         sum);
                return false;
            }
        }
    }
    return true;
}

/* ------------------------------------------------------------ oneDNN */

typedef struct dnnl_peer {
    dnnl_primitive_t prim;
    dnnl_memory_t mem[4];
    dnnl_exec_arg_t args[4];
    int nargs;
    bool unchecked; /* computes something else than ours: output not checked */
    char id[96];
    char why[160]; /* when !ok */
} dnnl_peer;

static void dnnl_peer_free(dnnl_peer *p)
{
    if (p->prim) dnnl_primitive_destroy(p->prim);
    for (int i = 0; i < p->nargs; i++) dnnl_memory_destroy(p->mem[i]);
    p->prim = NULL;
    p->nargs = 0;
}

static bool dnnl_arg(dnnl_peer *p, int arg, const dnnl_memory_desc_t *md, void *ptr)
{
    dnnl_memory_t m;
    dnnl_status_t st = dnnl_memory_create(&m, md, g_eng, ptr);
    if (st != dnnl_success) {
        snprintf(p->why, sizeof p->why, "memory creation failed: %s", dnnl_status2str(st));
        return false;
    }
    p->mem[p->nargs] = m;
    p->args[p->nargs].arg = arg;
    p->args[p->nargs].memory = m;
    p->nargs++;
    return true;
}

/* Creates the primitive for an initialized op descriptor. "n/a" when oneDNN
 * has no implementation for it on this CPU (bf16/f16 without AVX-512). */
static bool dnnl_make(dnnl_peer *p, const void *desc, dnnl_status_t init, const char *dt)
{
    if (init != dnnl_success) {
        snprintf(p->why, sizeof p->why, "descriptor refused: %s", dnnl_status2str(init));
        return false;
    }
    dnnl_primitive_desc_t pd;
    dnnl_status_t st = dnnl_primitive_desc_create(&pd, desc, NULL, g_eng, NULL);
    if (st != dnnl_success) {
        if (st == dnnl_unimplemented)
            snprintf(p->why, sizeof p->why, "unimplemented for %s on this CPU", dt);
        else
            snprintf(p->why, sizeof p->why, "primitive creation failed: %s", dnnl_status2str(st));
        return false;
    }
    const char *impl = NULL;
    if (dnnl_primitive_desc_query(pd, dnnl_query_impl_info_str, 0, &impl) != dnnl_success)
        impl = "?";
    snprintf(p->id, sizeof p->id, "onednn:%s", impl ? impl : "?");
    st = dnnl_primitive_create(&p->prim, pd);
    dnnl_primitive_desc_destroy(pd);
    if (st != dnnl_success) {
        p->prim = NULL;
        snprintf(p->why, sizeof p->why, "primitive creation failed: %s", dnnl_status2str(st));
        return false;
    }
    return true;
}

static bool dnnl_setup(dnnl_peer *p, inst *s)
{
    memset(p, 0, sizeof *p);
    dnnl_data_type_t dt = s->d->dnnl;
    const char *dn = s->d->name;
    dnnl_memory_desc_t md_x, md_out;
    dnnl_dims_t dx = {s->rows, s->cols}, dout = {s->rows, 1};
    if (s->c->kind != K_MM) {
        dnnl_memory_desc_init_by_tag(&md_x, 2, dx, dt, dnnl_ab);
        md_out = md_x;
    }
    switch (s->c->kind) {
    case K_UNARY: {
        dnnl_alg_kind_t alg = s->c->fn == F_RELU        ? dnnl_eltwise_relu
                              : s->c->fn == F_GELU      ? dnnl_eltwise_gelu_erf
                              : s->c->fn == F_GELU_TANH ? dnnl_eltwise_gelu_tanh
                              : s->c->fn == F_SILU      ? dnnl_eltwise_swish
                                                        : dnnl_eltwise_exp;
        /* swish is x * sigmoid(alpha x): alpha 1 is silu; relu's alpha is
         * its negative slope */
        float alpha = s->c->fn == F_SILU ? 1.0f : 0.0f;
        dnnl_eltwise_desc_t d;
        dnnl_status_t st =
            dnnl_eltwise_forward_desc_init(&d, dnnl_forward_inference, alg, &md_x, alpha, 0);
        if (!dnnl_make(p, &d, st, dn)) return false;
        if (!dnnl_arg(p, DNNL_ARG_SRC, &md_x, s->x[0]) || !dnnl_arg(p, DNNL_ARG_DST, &md_x, s->out))
            return false;
        break;
    }
    case K_BINARY: {
        dnnl_binary_desc_t d;
        dnnl_status_t st = dnnl_binary_desc_init(
            &d, s->c->fn == F_ADD ? dnnl_binary_add : dnnl_binary_mul, &md_x, &md_x, &md_x);
        if (!dnnl_make(p, &d, st, dn)) return false;
        if (!dnnl_arg(p, DNNL_ARG_SRC_0, &md_x, s->x[0]) ||
            !dnnl_arg(p, DNNL_ARG_SRC_1, &md_x, s->x[1]) || !dnnl_arg(p, DNNL_ARG_DST, &md_x, s->out))
            return false;
        break;
    }
    case K_REDUCE: {
        if (s->c->all) dout[0] = 1;
        dnnl_memory_desc_init_by_tag(&md_out, 2, dout, dt, dnnl_ab);
        dnnl_alg_kind_t alg = s->c->fn == F_SUM    ? dnnl_reduction_sum
                              : s->c->fn == F_MEAN ? dnnl_reduction_mean
                                                   : dnnl_reduction_max;
        dnnl_reduction_desc_t d;
        dnnl_status_t st = dnnl_reduction_desc_init(&d, alg, &md_x, &md_out, 0, 0);
        if (!dnnl_make(p, &d, st, dn)) return false;
        if (!dnnl_arg(p, DNNL_ARG_SRC, &md_x, s->x[0]) ||
            !dnnl_arg(p, DNNL_ARG_DST, &md_out, s->out))
            return false;
        break;
    }
    case K_SOFTMAX: {
        dnnl_softmax_desc_t d;
        dnnl_status_t st = dnnl_softmax_forward_desc_init(&d, dnnl_forward_inference, &md_x, 1);
        if (!dnnl_make(p, &d, st, dn)) return false;
        if (!dnnl_arg(p, DNNL_ARG_SRC, &md_x, s->x[0]) || !dnnl_arg(p, DNNL_ARG_DST, &md_x, s->out))
            return false;
        break;
    }
    case K_NORM: {
        if (s->c->fn == F_RMS_NORM) {
            snprintf(p->why, sizeof p->why, "oneDNN 2.x has no RMS normalization");
            return false;
        }
        /* with scale and shift like ours; without them where oneDNN has
         * no such implementation (then the row is not quite like for like) */
        bool affine = true;
        dnnl_layer_normalization_desc_t d;
        dnnl_status_t st = dnnl_layer_normalization_forward_desc_init(
            &d, dnnl_forward_inference, &md_x, NULL, (float)EPS, dnnl_use_scale | dnnl_use_shift);
        if (!dnnl_make(p, &d, st, dn)) {
            affine = false;
            st = dnnl_layer_normalization_forward_desc_init(&d, dnnl_forward_inference, &md_x,
                                                            NULL, (float)EPS, 0);
            if (!dnnl_make(p, &d, st, dn)) return false;
            size_t len = strlen(p->id);
            snprintf(p->id + len, sizeof p->id - len, "(no scale/shift)");
            p->unchecked = true;
        }
        dnnl_memory_desc_t md_w;
        dnnl_dims_t dw = {s->cols};
        dnnl_memory_desc_init_by_tag(&md_w, 1, dw, dnnl_f32, dnnl_a);
        if (!dnnl_arg(p, DNNL_ARG_SRC, &md_x, s->x[0]) || !dnnl_arg(p, DNNL_ARG_DST, &md_x, s->out))
            return false;
        if (affine && (!dnnl_arg(p, DNNL_ARG_SCALE, &md_w, s->scale) ||
                       !dnnl_arg(p, DNNL_ARG_SHIFT, &md_w, s->shift)))
            return false;
        break;
    }
    case K_MM: {
        int nd = s->c->fn == F_BMM ? 3 : 2;
        dnnl_memory_desc_t md_a, md_b, md_c;
        dnnl_format_tag_t tag = nd == 3 ? dnnl_abc : dnnl_ab;
        dnnl_dims_t da = {0}, db = {0}, dc = {0}; /* the API reads a full dnnl_dims_t */
        memcpy(da, s->shp[0], sizeof s->shp[0]);
        memcpy(db, s->shp[1], sizeof s->shp[1]);
        memcpy(dc, s->shp[3], sizeof s->shp[3]);
        dnnl_memory_desc_init_by_tag(&md_a, nd, da, dt, tag);
        dnnl_memory_desc_init_by_tag(&md_b, nd, db, dt, tag);
        dnnl_memory_desc_init_by_tag(&md_c, nd, dc, dt, tag);
        dnnl_matmul_desc_t d;
        dnnl_status_t st = dnnl_matmul_desc_init(&d, &md_a, &md_b, NULL, &md_c);
        if (!dnnl_make(p, &d, st, dn)) return false;
        if (!dnnl_arg(p, DNNL_ARG_SRC, &md_a, s->x[0]) ||
            !dnnl_arg(p, DNNL_ARG_WEIGHTS, &md_b, s->x[1]) ||
            !dnnl_arg(p, DNNL_ARG_DST, &md_c, s->out))
            return false;
        break;
    }
    }
    return true;
}

static int run_dnnl(void *ctx)
{
    dnnl_peer *p = ctx;
    if (dnnl_primitive_execute(p->prim, g_stream, p->nargs, p->args) != dnnl_success) return 1;
    return dnnl_stream_wait(g_stream) != dnnl_success;
}

/* ------------------------------------------------------------ OpenBLAS */

static int run_openblas(void *ctx)
{
    inst *s = ctx;
    int64_t sa = s->m * s->k, sb = s->k * s->n, sc = s->m * s->n;
    for (int64_t b = 0; b < s->batch; b++)
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)s->m, (int)s->n, (int)s->k,
                    1.0f, (const float *)s->x[0] + b * sa, (int)s->k,
                    (const float *)s->x[1] + b * sb, (int)s->n, 0.0f, (float *)s->out + b * sc,
                    (int)s->n);
    return 0;
}

/* ------------------------------------------------------------ STREAM triad */

typedef struct triad {
    double *a, *b, *c;
    int64_t n;
} triad;

static int run_triad(void *ctx)
{
    triad *t = ctx;
    double *restrict a = t->a;
    const double *restrict b = t->b, *restrict c = t->c;
    const double scalar = 3.0;
    int64_t n = t->n;
#pragma omp parallel for schedule(static) num_threads(g_threads)
    for (int64_t i = 0; i < n; i++) a[i] = b[i] + scalar * c[i];
    return 0;
}

static void triad_free(triad *t)
{
    bench_free(t->a);
    bench_free(t->b);
    bench_free(t->c);
    memset(t, 0, sizeof *t);
}

/* Three double arrays that together make the working set (STREAM counts 24
 * bytes per element: two reads and one write). */
static bool triad_init(triad *t, int64_t size_class)
{
    t->n = size_class / 24 > 0 ? size_class / 24 : 1;
    size_t bytes = (size_t)t->n * sizeof(double);
    t->a = bench_alloc(bytes);
    t->b = bench_alloc(bytes);
    t->c = bench_alloc(bytes);
    if (!t->a || !t->b || !t->c) {
        triad_free(t);
        return false;
    }
    /* first touch by the threads that will use the pages */
    int64_t n = t->n;
#pragma omp parallel for schedule(static) num_threads(g_threads)
    for (int64_t i = 0; i < n; i++) {
        t->a[i] = 0;
        t->b[i] = 1.0 + (double)(i & 1023) * 1e-3;
        t->c[i] = 2.0;
    }
    return true;
}

static double triad_gbps(const triad *t, double median_s) { return 24.0 * (double)t->n / median_s * 1e-9; }

/* ------------------------------------------------------------ measuring */

/* OpenBLAS's idle workers spin for up to 2^28 cycles before they sleep; a
 * pause after each sgemm keeps them off the cores of the next call. */
#define OPENBLAS_SETTLE_S 0.1

static bench_timing default_timing(void)
{
    return (bench_timing){opt.budget, fmin(0.05, opt.budget / 4), 1, 3, 100000};
}

static void fill_row_common(row *r, const inst *s, const char *kernel)
{
    r->op = s->c->label;
    r->variant = s->c->variant;
    r->dtype = s->d->name;
    r->kernel = kernel;
    r->size_class = s->size_class;
    snprintf(r->shape, sizeof r->shape, "%s", s->shape);
    r->bytes = s->bytes;
    r->flops = s->flops;
}

static void finish_row(row *r, const bench_result *br)
{
    r->state = ROW_OK;
    r->median_s = br->median_s;
    r->min_s = br->min_s;
    r->reps = br->reps;
    r->gbps = r->bytes / br->median_s * 1e-9;
    if (r->flops > 0) r->gflops = r->flops / br->median_s * 1e-9;
}

static void poison_output(inst *s) { memset(s->out, 0xff, s->outbytes); /* NaN in every dtype */ }

/* One call of ours into a NaN-filled output, then the sanity check. false
 * when the call failed (the row says why); a failed check is counted but the
 * kernel is still timed. */
static bool probe_ours(inst *s, row *r)
{
    poison_output(s);
    fg_status st = call_ours(s);
    if (st != FG_OK) {
        r->state = ROW_FAIL;
        snprintf(r->note, sizeof r->note, "%s: %s", fg_status_name(st), fg_last_error());
        g_failures++;
        return false;
    }
    snprintf(r->kernel_id, sizeof r->kernel_id, "%s", fg_last_kernel());
    char msg[200];
    if (!check_output(s, msg, sizeof msg)) {
        r->check_ok = false;
        snprintf(r->note, sizeof r->note, "CHECK FAILED: %s", msg);
        g_failures++;
    }
    return true;
}

/* The same for a peer; its failures are reported, not counted. */
static bool probe_peer(inst *s, bench_fn fn, void *ctx, row *r, bool unchecked)
{
    poison_output(s);
    if (fn(ctx) != 0) {
        r->state = ROW_FAIL;
        snprintf(r->note, sizeof r->note, "execution failed");
        return false;
    }
    char msg[200];
    if (unchecked) {
        snprintf(r->note, sizeof r->note, "without scale/shift (oneDNN has none here)");
    } else if (!check_output(s, msg, sizeof msg)) {
        r->check_ok = false;
        snprintf(r->note, sizeof r->note, "check failed (peer, not counted): %s", msg);
    }
    return true;
}

/* The reference kernel, forced, on its own (it is far slower than the others
 * and would dominate shared rounds): few calls. */
static void measure_reference(inst *s, row *r)
{
    bool big = s->size_class > MIB, mm = s->c->kind == K_MM;
    char id[64];
    snprintf(id, sizeof id, "%s.cpu.reference", s->c->op);
    snprintf(r->kernel_id, sizeof r->kernel_id, "%s", id);
    if (mm ? big : s->size_class > 64 * MIB) {
        r->state = ROW_SKIP;
        snprintf(r->note, sizeof r->note, "reference runs only up to %s", mm ? "512^3" : "64MB");
        return;
    }
    if (fgi_force_kernel(id) != FG_OK) {
        r->state = ROW_FAIL;
        snprintf(r->note, sizeof r->note, "cannot force %s: %s", id, fg_last_error());
        g_failures++;
        return;
    }
    if (probe_ours(s, r)) {
        /* the probe was the warm-up */
        bench_timing tm = {fmin(opt.budget, 0.1), 0, 0, 1,
                           big ? 3 : mm ? (opt.quick ? 1 : 2) : 100000};
        bench_result br = bench_measure(run_ours, s, &tm);
        if (br.status == 0) {
            finish_row(r, &br);
        } else {
            r->state = ROW_FAIL;
            snprintf(r->note, sizeof r->note, "%s: %s", fg_status_name((fg_status)br.status),
                     fg_last_error());
            g_failures++;
        }
    }
    fgi_force_kernel(NULL);
}

/* ------------------------------------------------------------ printing */

static void print_header_line(void)
{
    printf("%-11s %-8s %-14s %-9s %-34s %12s %11s %6s %8s %8s  %s\n", "op", "dtype", "shape",
           "kernel", "kernel id", "median", "min", "reps", "GB/s", "GFLOP/s", "notes");
}

static void print_row(const row *r)
{
    char t[32], med[40], mn[32] = "-", gb[16] = "-", gf[16] = "-", reps[16] = "-";
    if (r->state == ROW_OK) {
        /* '*': the median is well above the fastest call, i.e. other
         * processes disturbed this measurement */
        snprintf(med, sizeof med, "%s%s", bench_time_str(r->median_s, t, sizeof t),
                 r->median_s > NOISY * r->min_s ? "*" : " ");
        bench_time_str(r->min_s, mn, sizeof mn);
        snprintf(gb, sizeof gb, "%.2f", r->gbps);
        if (isfinite(r->gflops)) snprintf(gf, sizeof gf, "%.1f", r->gflops);
        snprintf(reps, sizeof reps, "%d", r->reps);
    } else {
        snprintf(med, sizeof med, "%s ", r->state == ROW_NA     ? "n/a"
                                         : r->state == ROW_SKIP ? "skipped"
                                                                : "FAILED");
    }
    printf("%-11s %-8s %-14s %-9s %-34s %12s %11s %6s %8s %8s  %s\n", r->op, r->dtype, r->shape,
           r->kernel, r->kernel_id, med, mn, reps, gb, gf, r->note);
}

/* Ratios on the stable row, once the peers of the same instance ran. */
static void annotate_stable(row *st, const row *ref, const row *dn, const row *ob)
{
    if (st->state != ROW_OK) return;
    char buf[240] = "";
    size_t len = 0;
#define APPEND(...) len += (size_t)snprintf(buf + len, len < sizeof buf ? sizeof buf - len : 0, __VA_ARGS__)
    if (st->flops <= 0 && isfinite(st->triad_gbps))
        APPEND("%.0f%% triad", 100 * st->gbps / st->triad_gbps);
    if (ob && ob->state == ROW_OK)
        APPEND("%s%.0f%% openblas", len ? ", " : "", 100 * ob->median_s / st->median_s);
    if (dn && dn->state == ROW_OK)
        APPEND("%s%.3gx onednn", len ? ", " : "", dn->median_s / st->median_s);
    if (ref && ref->state == ROW_OK)
        APPEND("%s%.3gx reference", len ? ", " : "", ref->median_s / st->median_s);
    if (strstr(st->kernel_id, ".reference")) APPEND("%s(no stable kernel yet)", len ? ", " : "");
#undef APPEND
    if (st->note[0]) { /* keep a failed check visible first */
        char tmp[240];
        snprintf(tmp, sizeof tmp, "%.150s; %.80s", st->note, buf);
        snprintf(st->note, sizeof st->note, "%s", tmp);
    } else {
        snprintf(st->note, sizeof st->note, "%s", buf);
    }
}

/* ------------------------------------------------------------ JSON */

static void json_num(FILE *f, double v)
{
    if (isfinite(v)) fprintf(f, "%.9g", v);
    else fputs("null", f);
}

static bool write_json(FILE *f)
{
    fputs("[\n", f);
    bool first = true;
    for (int i = 0; i < g_nrows; i++) {
        const row *r = &g_rows[i];
        if (r->state != ROW_OK) continue;
        char sz[32];
        fputs(first ? "  {" : ",\n  {", f);
        first = false;
        fputs("\"op\": ", f), bench_json_string(f, r->op);
        fputs(", \"variant\": ", f), bench_json_string(f, r->variant);
        fputs(", \"dtype\": ", f), bench_json_string(f, r->dtype);
        fprintf(f, ", \"size_bytes\": %lld, \"size\": ", (long long)r->size_class);
        bench_json_string(f, bench_size_str(r->size_class, sz, sizeof sz));
        fputs(", \"shape\": ", f), bench_json_string(f, r->shape);
        fputs(", \"kernel\": ", f), bench_json_string(f, r->kernel);
        fputs(", \"kernel_id\": ", f), bench_json_string(f, r->kernel_id);
        fputs(", \"median_s\": ", f), json_num(f, r->median_s);
        fputs(", \"min_s\": ", f), json_num(f, r->min_s);
        fprintf(f, ", \"reps\": %d, \"bytes\": %.0f", r->reps, r->bytes);
        fputs(", \"gbps\": ", f), json_num(f, r->gbps);
        fputs(", \"gflops\": ", f), json_num(f, r->gflops);
        if (strcmp(r->kernel, "stable") == 0) fputs(", \"triad_gbps\": ", f), json_num(f, r->triad_gbps);
        fprintf(f, ", \"threads\": %d, \"check\": \"%s\"}", g_threads, r->check_ok ? "ok" : "failed");
    }
    fputs(first ? "]\n" : "\n]\n", f);
    return fflush(f) == 0 && !ferror(f);
}

/* ------------------------------------------------------------ command line */

static void usage(FILE *f)
{
    fprintf(f,
            "usage: fg-bench-ops [options]\n"
            "\n"
            "Times libflaggems' stable kernels (the public entry points), the reference\n"
            "kernels, oneDNN and OpenBLAS sgemm, and a STREAM triad measured in the same\n"
            "run, at working sets of about 1 MB, 64 MB and 256 MB.\n"
            "\n"
            "options:\n"
            "  --ops LIST      comma-separated ops (default: all):\n"
            "                  add mul relu gelu gelu_tanh silu exp sum sum_all mean mean_all\n"
            "                  amax amax_all softmax layer_norm rms_norm mm bmm\n"
            "                  (gelu, sum, mean, amax also select their variants)\n"
            "  --dtypes LIST   float32,float16,bfloat16 (or f32,f16,bf16; default: all)\n"
            "  --sizes LIST    working sets, e.g. 1MB,64MB,256MB (the default); mm and bmm\n"
            "                  use 512^3 up to 1MB, 1024^3 up to 64MB, 2048^3 above\n"
            "                  (bmm: batch 8 of half that size, the same work)\n"
            "  --budget SEC    time per measurement (default 0.3); the median is reported\n"
            "  --threads N     threads for ours, oneDNN and OpenBLAS (default:\n"
            "                  fg_get_num_threads())\n"
            "  --quick         only 1MB and a tiny budget (smoke test)\n"
            "  --no-reference  do not time the reference kernels\n"
            "  --json FILE     also write the results as a JSON array of rows\n"
            "  --help          this text\n"
            "\n"
            "Shapes: 2-D [rows, 4096], the working set split among the full-size tensors\n"
            "(inputs and output); reductions reduce the last dim (op) or everything\n"
            "(op_all); softmax and the norms work on the last dim.\n"
            "GB/s = (bytes of every input read once + output written once) / median;\n"
            "GFLOP/s = 2*B*M*N*K / median. Ours and the peers run in shared rounds (one\n"
            "call each per round) so that a busy machine slows them alike; a triad runs\n"
            "in the same rounds and \"%% triad\" compares with that. The reference\n"
            "kernels run alone with a 0.1 s budget, at most 3 calls above 1 MB, and are\n"
            "skipped above 64 MB (mm/bmm: above 512^3).\n"
            "JSON rows: op, variant, dtype, size_bytes (the working-set class), size,\n"
            "shape, kernel (stable|reference|onednn|openblas; the triad row has op\n"
            "\"triad\", kernel \"stream\"), kernel_id, median_s, min_s, reps, bytes, gbps,\n"
            "gflops (null except mm/bmm), triad_gbps (stable rows: the triad compared\n"
            "with), threads, check.\n"
            "\n"
            "exit status: 0 ok, 1 one of our kernels failed or gave bad output, 2 bad usage\n");
}

static void die_usage(const char *fmt, const char *arg)
{
    fprintf(stderr, "fg-bench-ops: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, " (see fg-bench-ops --help)\n");
    exit(2);
}

/* Splits a comma list in place; calls f on each non-empty item. */
static void parse_list(char *list, const char *what, void (*f)(const char *item))
{
    bool any = false;
    for (char *save = NULL, *tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        if (!*tok) continue;
        f(tok);
        any = true;
    }
    if (!any) die_usage("empty %s list", what);
}

static void select_op(const char *name)
{
    bool found = false;
    for (int i = 0; i < NCASES; i++)
        if (strcmp(name, cases[i].label) == 0 || strcmp(name, cases[i].op) == 0)
            opt.op_on[i] = found = true;
    if (!found) die_usage("unknown op '%s'", name);
}

static void select_dtype(const char *name)
{
    static const char *const alias[3][4] = {{"float32", "f32", "fp32", NULL},
                                            {"float16", "f16", "fp16", "half"},
                                            {"bfloat16", "bf16", NULL, NULL}};
    for (int d = 0; d < 3; d++)
        for (int a = 0; a < 4; a++)
            if (alias[d][a] && strcmp(name, alias[d][a]) == 0) {
                opt.dt_on[d] = true;
                return;
            }
    die_usage("unknown dtype '%s' (expected float32, float16 or bfloat16)", name);
}

static void select_size(const char *text)
{
    int64_t b;
    if (!bench_parse_size(text, &b) || b < 1024)
        die_usage("bad size '%s' (expected e.g. 1MB, 64MB, 256MB; at least 1KB)", text);
    if (opt.nsizes == MAX_SIZES) die_usage("too many sizes at '%s'", text);
    opt.sizes[opt.nsizes++] = b;
}

static void parse_args(int argc, char **argv)
{
    enum { O_OPS = 256, O_DTYPES, O_SIZES, O_BUDGET, O_QUICK, O_NOREF, O_JSON, O_THREADS, O_HELP };
    static const struct option longopts[] = {
        {"ops", required_argument, NULL, O_OPS},
        {"dtypes", required_argument, NULL, O_DTYPES},
        {"sizes", required_argument, NULL, O_SIZES},
        {"budget", required_argument, NULL, O_BUDGET},
        {"quick", no_argument, NULL, O_QUICK},
        {"no-reference", no_argument, NULL, O_NOREF},
        {"json", required_argument, NULL, O_JSON},
        {"threads", required_argument, NULL, O_THREADS},
        {"help", no_argument, NULL, O_HELP},
        {NULL, 0, NULL, 0},
    };
    bool ops_given = false, dt_given = false, budget_given = false;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
        char *end;
        switch (c) {
        case O_OPS:
            ops_given = true;
            parse_list(optarg, "--ops", select_op);
            break;
        case O_DTYPES:
            dt_given = true;
            parse_list(optarg, "--dtypes", select_dtype);
            break;
        case O_SIZES: parse_list(optarg, "--sizes", select_size); break;
        case O_BUDGET:
            opt.budget = strtod(optarg, &end);
            if (end == optarg || *end || !(opt.budget > 0 && opt.budget <= 60))
                die_usage("bad --budget '%s' (seconds, > 0 and <= 60)", optarg);
            budget_given = true;
            break;
        case O_QUICK: opt.quick = true; break;
        case O_NOREF: opt.no_ref = true; break;
        case O_JSON: opt.json = optarg; break;
        case O_THREADS: {
            long n = strtol(optarg, &end, 10);
            if (end == optarg || *end || n < 1 || n > 1024)
                die_usage("bad --threads '%s' (an integer from 1 to 1024)", optarg);
            fg_set_num_threads((int)n);
            break;
        }
        case 'h':
        case O_HELP: usage(stdout); exit(0);
        case ':': die_usage("option %s needs a value", argv[optind - 1]); break;
        default:
            if (optopt >= O_OPS) die_usage("option '%s' takes no value", argv[optind - 1]);
            if (optopt) {
                char o[3] = {'-', (char)optopt, 0};
                die_usage("unknown option '%s'", o);
            }
            die_usage("unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind < argc) die_usage("unexpected argument '%s'", argv[optind]);
    if (!ops_given)
        for (int i = 0; i < NCASES; i++) opt.op_on[i] = true;
    if (!dt_given)
        for (int d = 0; d < 3; d++) opt.dt_on[d] = true;
    if (opt.nsizes == 0) {
        opt.sizes[opt.nsizes++] = MIB;
        if (!opt.quick) {
            opt.sizes[opt.nsizes++] = 64 * MIB;
            opt.sizes[opt.nsizes++] = 256 * MIB;
        }
    }
    if (!budget_given) opt.budget = opt.quick ? 0.01 : 0.3;
}

/* ------------------------------------------------------------ main */

/* Other processes on the cores make every number noisy; say so up front. */
static void warn_if_busy(void)
{
    FILE *f = fopen("/proc/loadavg", "r");
    double load;
    if (!f) return;
    if (fscanf(f, "%lf", &load) == 1 && load >= 0.5)
        printf("note: load average %.2f on %ld cpus before starting: other processes compete "
               "for the cores, expect noisy timings (compare ratios within this run)\n",
               load, sysconf(_SC_NPROCESSORS_ONLN));
    fclose(f);
}

static int new_row(const inst *s, const char *kernel)
{
    row *r = add_row();
    fill_row_common(r, s, kernel);
    return (int)(r - g_rows);
}

/* One (op, dtype, working set). Each kernel's output is checked once; then
 * ours, the peers and the triad are timed in shared rounds (for 1 MB the
 * triad's arrays then share the caches with the op's: both still run from
 * cache); the reference on its own. tr: the section's triad arrays;
 * triad_row: index of the section's triad row (g_rows moves as it grows, so
 * no pointers are kept). */
static void run_instance(const op_case *c, const dtype_info *d, int64_t size_class,
                         triad *tr, int triad_row)
{
    inst s;
    if (!inst_init(&s, c, d, size_class)) {
        char sz[32];
        fprintf(stderr, "fg-bench-ops: cannot allocate buffers for %s %s %s\n", c->label,
                d->name, bench_size_str(size_class, sz, sizeof sz));
        inst_free(&s);
        g_failures++;
        return;
    }
    int i_st = new_row(&s, "stable");
    int i_ref = opt.no_ref ? -1 : new_row(&s, "reference");
    int i_dn = new_row(&s, "onednn");
    int i_ob = c->kind == K_MM ? new_row(&s, "openblas") : -1;
    /* no rows are added below: pointers stay valid */
    row *st = &g_rows[i_st], *ref = i_ref >= 0 ? &g_rows[i_ref] : NULL, *dn = &g_rows[i_dn],
        *ob = i_ob >= 0 ? &g_rows[i_ob] : NULL;

    bench_task tasks[4];
    row *task_row[4];
    int nt = 0;
    if (probe_ours(&s, st)) {
        tasks[nt] = (bench_task){run_ours, &s, 0, {0, NAN, NAN, 0}};
        task_row[nt++] = st;
    }
    dnnl_peer p;
    if (!dnnl_setup(&p, &s)) {
        dn->state = ROW_NA;
        snprintf(dn->kernel_id, sizeof dn->kernel_id, "%s", p.id[0] ? p.id : "onednn");
        snprintf(dn->note, sizeof dn->note, "n/a: %s", p.why);
    } else {
        snprintf(dn->kernel_id, sizeof dn->kernel_id, "%s", p.id);
        if (probe_peer(&s, run_dnnl, &p, dn, p.unchecked)) {
            tasks[nt] = (bench_task){run_dnnl, &p, 0, {0, NAN, NAN, 0}};
            task_row[nt++] = dn;
        }
    }
    if (ob) {
        snprintf(ob->kernel_id, sizeof ob->kernel_id, "openblas:%s", openblas_get_corename());
        if (d->dt != FGI_F32) {
            ob->state = ROW_NA;
            snprintf(ob->note, sizeof ob->note, "n/a: sgemm is float32 only");
        } else if (probe_peer(&s, run_openblas, &s, ob, false)) {
            tasks[nt] = (bench_task){run_openblas, &s, OPENBLAS_SETTLE_S, {0, NAN, NAN, 0}};
            task_row[nt++] = ob;
        }
    }
    int t_triad = -1;
    if (c->kind != K_MM) {
        t_triad = nt;
        tasks[nt] = (bench_task){run_triad, tr, 0, {0, NAN, NAN, 0}};
        task_row[nt++] = NULL;
    }
    bench_timing tm = default_timing();
    bench_measure_rounds(tasks, nt, &tm);
    for (int k = 0; k < nt; k++) {
        row *r = task_row[k];
        if (!r) continue;
        if (tasks[k].res.status == 0) {
            finish_row(r, &tasks[k].res);
        } else {
            r->state = ROW_FAIL;
            if (r == st) {
                snprintf(r->note, sizeof r->note, "%s: %s",
                         fg_status_name((fg_status)tasks[k].res.status), fg_last_error());
                g_failures++;
            } else {
                snprintf(r->note, sizeof r->note, "execution failed");
            }
        }
    }
    dnnl_peer_free(&p);
    if (ref) measure_reference(&s, ref);
    inst_free(&s);

    /* the triad to compare with: from the same rounds when it ran in them */
    const row *tri = &g_rows[triad_row];
    st->triad_gbps = c->kind == K_MM ? NAN /* compute-bound: no bandwidth ratio */
                     : t_triad >= 0 && tasks[t_triad].res.status == 0
                         ? triad_gbps(tr, tasks[t_triad].res.median_s)
                     : tri->state == ROW_OK ? tri->gbps
                                            : NAN;
    annotate_stable(st, ref, dn, ob);
    for (int i = i_st; i < g_nrows; i++) print_row(&g_rows[i]);
    fflush(stdout);
}

/* The section's triad row, measured on its own. */
static void run_triad_row(int64_t size_class, triad *t, bool ok)
{
    row *r = add_row();
    r->op = "triad";
    r->dtype = "float64";
    r->kernel = "stream";
    r->size_class = size_class;
    snprintf(r->kernel_id, sizeof r->kernel_id, "stream.triad.omp");
    snprintf(r->shape, sizeof r->shape, "3x[%lld]", (long long)t->n);
    r->bytes = 24.0 * (double)t->n;
    bench_timing tm = default_timing();
    bench_result br = {-1, NAN, NAN, 0};
    if (ok) br = bench_measure(run_triad, t, &tm);
    if (br.status != 0 || t->a[t->n - 1] != t->b[t->n - 1] + 3.0 * t->c[t->n - 1]) {
        r->state = ROW_FAIL;
        snprintf(r->note, sizeof r->note, "triad failed (allocation?)");
        return;
    }
    finish_row(r, &br);
    snprintf(r->note, sizeof r->note, "a[i] = b[i] + s*c[i], %d threads", g_threads);
}

int main(int argc, char **argv)
{
    parse_args(argc, argv);
    FILE *json = NULL;
    if (opt.json) {
        /* opened now: a bad path should fail before minutes of measuring */
        json = fopen(opt.json, "w");
        if (!json) {
            fprintf(stderr, "fg-bench-ops: cannot write --json file '%s'\n", opt.json);
            return 2;
        }
    }

    g_threads = fg_get_num_threads();
    omp_set_num_threads(g_threads);       /* oneDNN runs on OpenMP */
    openblas_set_num_threads(g_threads);
    if (dnnl_engine_create(&g_eng, dnnl_cpu, 0) != dnnl_success ||
        dnnl_stream_create(&g_stream, g_eng, dnnl_stream_default_flags) != dnnl_success) {
        fprintf(stderr, "fg-bench-ops: cannot create a oneDNN CPU engine\n");
        return 1;
    }

    const dnnl_version_t *dv = dnnl_version();
    printf("fg-bench-ops: libflaggems %s, cpu \"%s\", isa %s, %d threads (ours, oneDNN, "
           "OpenBLAS)\n",
           fg_version(), fgi_cpu_model(), fg_cpu_isa_name(), g_threads);
    printf("peers: oneDNN %d.%d.%d (isa %s), OpenBLAS core %s; %s\n", dv->major, dv->minor,
           dv->patch, dnnl_cpu_isa2str(dnnl_get_effective_cpu_isa()), openblas_get_corename(),
           openblas_get_config());
    printf("timing: output checked once per kernel; warm-up; then ours, the peers and the "
           "triad in shared rounds, %.3g s each (at least 3 calls), median; reference: %s\n",
           opt.budget,
           opt.no_ref ? "off (--no-reference)"
                      : "0.1 s, at most 3 calls above 1MB, skipped above 64MB (mm/bmm: above "
                        "512^3)");
    printf("GB/s = (inputs read once + output written once) / median. notes on stable rows: "
           "%% triad = GB/s vs STREAM triad at the same working set; Nx onednn = oneDNN time / "
           "ours (>1: ours faster); %% openblas = GFLOP/s vs OpenBLAS sgemm; * after a median: "
           "more than %.1fx the fastest call (disturbed by other processes)\n",
           NOISY);

    warn_if_busy();
    for (int si = 0; si < opt.nsizes; si++) {
        int64_t size_class = opt.sizes[si];
        char sz[32];
        bench_size_str(size_class, sz, sizeof sz);
        int n = mm_size(size_class);
        printf("\n== working set %s (mm %d^3, bmm 8x%d^3) ==\n", sz, n, n / 2);
        print_header_line();
        triad tr;
        bool tr_ok = triad_init(&tr, size_class);
        int triad_index = g_nrows;
        run_triad_row(size_class, &tr, tr_ok);
        print_row(&g_rows[triad_index]);
        fflush(stdout);
        if (!tr_ok) g_failures++; /* no memory for the triad: none for the ops either */
        for (int ci = 0; ci < NCASES && tr_ok; ci++) {
            if (!opt.op_on[ci]) continue;
            for (int d = 0; d < 3; d++)
                if (opt.dt_on[d])
                    run_instance(&cases[ci], &dtypes[d], size_class, &tr, triad_index);
        }
        /* a second triad on its own shows how much the machine's load moved */
        if (tr_ok && g_rows[triad_index].state == ROW_OK) {
            bench_timing tm = default_timing();
            bench_result br = bench_measure(run_triad, &tr, &tm);
            if (br.status == 0)
                printf("triad again at the end of %s: %.2f GB/s (start %.2f GB/s, %+.0f%%)\n",
                       sz, triad_gbps(&tr, br.median_s), g_rows[triad_index].gbps,
                       100 * (triad_gbps(&tr, br.median_s) / g_rows[triad_index].gbps - 1));
        }
        triad_free(&tr);
    }

    /* summary: the performance targets, for information (a benchmark never
     * fails on speed) */
    bool header = false;
    for (int i = 0; i < g_nrows; i++) {
        const row *r = &g_rows[i];
        if (strcmp(r->kernel, "stable") || strcmp(r->dtype, "float32") || r->state != ROW_OK)
            continue;
        bool mm = r->flops > 0;
        if (mm ? r->size_class <= 64 * MIB : r->size_class < 64 * MIB) continue;
        if (!header) {
            printf("\nsummary, float32 (targets: memory-bound >= 85%% triad and >= 1.00x "
                   "oneDNN at >= 64MB; mm 2048^3 >= 50%% OpenBLAS)\n");
            header = true;
        }
        char sz[32];
        printf("  %-11s %-8s %s%s\n", r->op,
               mm ? r->shape : bench_size_str(r->size_class, sz, sizeof sz), r->note,
               r->median_s > NOISY * r->min_s ? " (noisy)" : "");
    }

    if (json) {
        bool ok = write_json(json);
        ok = fclose(json) == 0 && ok;
        if (!ok) {
            fprintf(stderr, "fg-bench-ops: error writing '%s'\n", opt.json);
            g_failures++;
        }
    }
    dnnl_stream_destroy(g_stream);
    dnnl_engine_destroy(g_eng);
    free(g_rows);
    if (g_failures) {
        fprintf(stderr, "fg-bench-ops: %d failure(s) of our kernels (see FAILED / CHECK FAILED "
                        "rows)\n",
                g_failures);
        return 1;
    }
    return 0;
}
