/* The performance tool: see performance.h. */
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "core/cpu.h"
#include "core/error.h"
#include "core/time.h"
#include "experimental/config.h"
#include "experimental/dispatcher.h"
#include "experimental/perfdb.h"
#include "experimental/testing/performance.h"

/* ---------------------------------------------------------------- CPU timer */

static void cpu_start(void *ctx) { *(int64_t *)ctx = fgi_now_ns(); }
static int64_t cpu_stop(void *ctx) { return fgi_now_ns() - *(int64_t *)ctx; }

static _Thread_local int64_t cpu_t0;

const fgi_perf_timer *fgi_perf_cpu_timer(void)
{
    /* ctx is per thread: each thread gets its own view of this struct */
    static _Thread_local fgi_perf_timer t;
    t = (fgi_perf_timer){"cpu-monotonic", &cpu_t0, cpu_start, cpu_stop, NULL};
    return &t;
}

/* ---------------------------------------------------------------- configs */

typedef struct shape_set {
    int ndim;
    int64_t shape[3];
    int64_t n;
    const char *label;
} shape_set;

/* Per op family: LLaMA-7B (hidden 4096, FFN 11008, vocabulary 32000,
 * 32 heads of 128), BERT-base (768). */
static const shape_set PW[] = {{2, {1, 4096}, 0, "decode token, hidden"},
                               {2, {512, 11008}, 0, "prefill 512, llama ffn"},
                               {2, {2048, 4096}, 0, "prefill 2048, hidden"}};
static const shape_set RED[] = {{2, {1, 4096}, 0, "decode token, hidden"},
                                {2, {32, 32000}, 0, "logits, batch 32"},
                                {2, {2048, 4096}, 0, "prefill 2048, hidden"}};
static const shape_set SMX[] = {{3, {32, 128, 128}, 0, "attention scores, 32 heads"},
                                {2, {32, 32000}, 0, "logits, batch 32"},
                                {2, {256, 1024}, 0, "attention 256 x 1024"}};
static const shape_set NORM[] = {{2, {1, 4096}, 0, "decode token, llama"},
                                 {2, {512, 768}, 0, "bert-base, 512 tokens"},
                                 {2, {2048, 4096}, 0, "prefill 2048, llama"}};
static const shape_set MM[] = {{2, {1, 4096}, 4096, "decode gemv, q proj"},
                               {2, {128, 4096}, 512, "128 tokens, narrow proj"},
                               {2, {256, 1024}, 1024, "256 tokens, 1024 square"}};
static const shape_set BMM[] = {{3, {32, 128, 128}, 128, "attention qk, 32 heads"},
                                {3, {8, 512, 64}, 512, "attention 8 heads, 512 tokens"}};

fg_status fgi_perf_default_configs(fgi_op op, fgi_perf_config **out, size_t *n)
{
    FG_RETURN_IF(!out || !n, FG_ERR_NULL, "out or n is NULL");
    *out = NULL;
    *n = 0;
    const shape_set *set;
    size_t ns;
#define SET(a) (set = (a), ns = sizeof(a) / sizeof((a)[0]))
    switch (op) {
    case FGI_OP_add:
    case FGI_OP_mul:
    case FGI_OP_relu:
    case FGI_OP_gelu:
    case FGI_OP_silu:
    case FGI_OP_exp:
    case FGI_OP_fast_gelu: SET(PW); break;
    case FGI_OP_sum:
    case FGI_OP_mean:
    case FGI_OP_amax: SET(RED); break;
    case FGI_OP_softmax: SET(SMX); break;
    case FGI_OP_layer_norm:
    case FGI_OP_rms_norm: SET(NORM); break;
    case FGI_OP_mm: SET(MM); break;
    case FGI_OP_bmm: SET(BMM); break;
    default: return FG_ERROR(FG_ERR_INVALID_ARG, "no default configs for op %d", (int)op);
    }
#undef SET
    static const fgi_dtype dts[3] = {FGI_F32, FGI_F16, FGI_BF16};
    fgi_perf_config *c = calloc(ns * 3, sizeof *c);
    FG_RETURN_IF(!c, FG_ERR_NO_MEMORY, "default configs");
    for (size_t d = 0; d < 3; d++)
        for (size_t i = 0; i < ns; i++) {
            fgi_perf_config *x = &c[d * ns + i];
            *x = (fgi_perf_config){.op = op,
                                   .dtype = dts[d],
                                   .ndim = set[i].ndim,
                                   .n = set[i].n,
                                   .dim = -1,
                                   .approx = op == FGI_OP_gelu ? 1 : 0,
                                   .weight = true,
                                   .bias = op == FGI_OP_layer_norm};
            memcpy(x->shape, set[i].shape, sizeof set[i].shape);
            snprintf(x->label, sizeof x->label, "%s", set[i].label);
        }
    *out = c;
    *n = ns * 3;
    return FG_OK;
}

const char *fgi_perf_config_str(const fgi_perf_config *c, char *buf, size_t cap)
{
    char s[200];
    fgi_shape_str(s, sizeof s, c->ndim, c->shape);
    switch (c->op) {
    case FGI_OP_mm:
    case FGI_OP_bmm: snprintf(buf, cap, "%s x %" PRId64 " cols", s, c->n); break;
    case FGI_OP_sum:
    case FGI_OP_mean:
    case FGI_OP_amax:
    case FGI_OP_softmax:
        if (c->dim == FG_DIM_ALL)
            snprintf(buf, cap, "%s dim all", s);
        else
            snprintf(buf, cap, "%s dim %d", s, c->dim);
        break;
    case FGI_OP_gelu: snprintf(buf, cap, "%s %s", s, c->approx ? "tanh" : "erf"); break;
    case FGI_OP_layer_norm:
    case FGI_OP_rms_norm:
        snprintf(buf, cap, "%s%s%s", s, c->weight ? " weight" : "",
                 c->bias && c->op == FGI_OP_layer_norm ? " bias" : "");
        break;
    default: snprintf(buf, cap, "%s", s);
    }
    return buf;
}

static fg_status parse_dtype(const char *s, fgi_dtype *dt)
{
    static const fgi_dtype all[3] = {FGI_F32, FGI_F16, FGI_BF16};
    for (int i = 0; i < 3; i++)
        if (!strcmp(s, fgi_dtype_name(all[i]))) {
            *dt = all[i];
            return FG_OK;
        }
    return FG_ERROR(FG_ERR_INVALID_ARG, "dtype \"%.40s\": expected float32, float16 or bfloat16", s);
}

static fg_status parse_one(fgi_op op, json_t *o, fgi_perf_config *c)
{
    FG_RETURN_IF(!json_is_object(o), FG_ERR_INVALID_ARG, "expected an object");
    *c = (fgi_perf_config){
        .op = op, .dtype = FGI_F32, .dim = -1, .weight = true, .bias = op == FGI_OP_layer_norm};
    const char *k;
    json_t *v;
    bool have_shape = false;
    json_object_foreach(o, k, v)
    {
        if (!strcmp(k, "dtype")) {
            FG_RETURN_IF(!json_is_string(v), FG_ERR_INVALID_ARG, "dtype: expected a string");
            FG_FORWARD(parse_dtype(json_string_value(v), &c->dtype), "dtype");
        } else if (!strcmp(k, "shape")) {
            FG_RETURN_IF(!json_is_array(v) || json_array_size(v) > FG_MAX_DIMS, FG_ERR_INVALID_ARG,
                         "shape: expected an array of at most %d sizes", FG_MAX_DIMS);
            c->ndim = (int)json_array_size(v);
            for (int d = 0; d < c->ndim; d++) {
                json_t *e = json_array_get(v, (size_t)d);
                FG_RETURN_IF(!json_is_integer(e) || json_integer_value(e) < 0, FG_ERR_INVALID_ARG,
                             "shape[%d]: expected a size >= 0", d);
                c->shape[d] = json_integer_value(e);
            }
            have_shape = true;
        } else if (!strcmp(k, "n")) {
            FG_RETURN_IF(!json_is_integer(v) || json_integer_value(v) < 0, FG_ERR_INVALID_ARG,
                         "n: expected a size >= 0");
            c->n = json_integer_value(v);
        } else if (!strcmp(k, "dim")) {
            if (json_is_string(v) && !strcmp(json_string_value(v), "all"))
                c->dim = FG_DIM_ALL;
            else {
                FG_RETURN_IF(!json_is_integer(v) || json_integer_value(v) < -FG_MAX_DIMS ||
                                 json_integer_value(v) >= FG_MAX_DIMS,
                             FG_ERR_INVALID_ARG, "dim: expected an integer in -%d..%d or \"all\"",
                             FG_MAX_DIMS, FG_MAX_DIMS - 1);
                c->dim = (int)json_integer_value(v);
            }
        } else if (!strcmp(k, "approx")) {
            const char *a = json_string_value(v);
            FG_RETURN_IF(!a || (strcmp(a, "none") && strcmp(a, "tanh")), FG_ERR_INVALID_ARG,
                         "approx: expected \"none\" or \"tanh\"");
            c->approx = !strcmp(a, "tanh");
        } else if (!strcmp(k, "weight") || !strcmp(k, "bias")) {
            FG_RETURN_IF(!json_is_boolean(v), FG_ERR_INVALID_ARG, "%s: expected true or false", k);
            *(k[0] == 'w' ? &c->weight : &c->bias) = json_is_true(v);
        } else if (!strcmp(k, "label")) {
            FG_RETURN_IF(!json_is_string(v), FG_ERR_INVALID_ARG, "label: expected a string");
            snprintf(c->label, sizeof c->label, "%s", json_string_value(v));
        } else {
            return FG_ERROR(
                FG_ERR_INVALID_ARG,
                "unknown key \"%.40s\" (allowed: dtype, shape, n, dim, approx, weight, bias, label)", k);
        }
    }
    FG_RETURN_IF(!have_shape, FG_ERR_INVALID_ARG, "shape is required");
    return FG_OK;
}

fg_status fgi_perf_parse_configs(fgi_op op, const char *text, fgi_perf_config **out, size_t *n)
{
    FG_RETURN_IF(!text || !out || !n, FG_ERR_NULL, "configs, out or n is NULL");
    *out = NULL;
    *n = 0;
    json_error_t err;
    json_t *root = json_loads(text, JSON_REJECT_DUPLICATES, &err);
    FG_RETURN_IF(!root, FG_ERR_PARSE, "configs: line %d, column %d: %s", err.line, err.column, err.text);
    fg_status s = FG_OK;
    size_t cnt = json_is_array(root) ? json_array_size(root) : 0;
    fgi_perf_config *c = cnt ? calloc(cnt, sizeof *c) : NULL;
    if (!json_is_array(root) || cnt == 0)
        s = FG_ERROR(FG_ERR_INVALID_ARG, "configs: expected a non-empty JSON array of objects");
    else if (!c)
        s = FG_ERROR(FG_ERR_NO_MEMORY, "configs");
    for (size_t i = 0; i < cnt && s == FG_OK; i++) {
        s = parse_one(op, json_array_get(root, i), &c[i]);
        if (s != FG_OK) fgi_error_push(s, "configs[%zu]", i);
    }
    json_decref(root);
    if (s != FG_OK) {
        free(c);
        return s;
    }
    *out = c;
    *n = cnt;
    return FG_OK;
}

/* ---------------------------------------------------------------- one case */

/* A config turned into a call with buffers: x, b (add/mul/mm/bmm) or
 * weight and bias (norms), and out. */
typedef struct bcase {
    fgi_call call;
    DLTensor t[4]; /* out, in0, in1, in2 */
    int64_t shp[4][FG_MAX_DIMS];
    void *buf[4];
    size_t bytes[4];
    double moved; /* bytes read and written by one run */
    double flops; /* < 0: no standard count */
} bcase;

static void case_free(bcase *b)
{
    for (int i = 0; i < 4; i++) free(b->buf[i]);
    memset(b, 0, sizeof *b);
}

/* Tensor slot i of shape (nd, shape), filled from rng (inputs). */
static fg_status case_tensor(bcase *b, int i, fgi_dtype dt, int nd, const int64_t *shape, uint64_t *rng)
{
    static const DLDataType dl[3] = {{kDLFloat, 32, 1}, {kDLFloat, 16, 1}, {kDLBfloat, 16, 1}};
    int64_t numel = 1;
    for (int d = 0; d < nd; d++) {
        FG_RETURN_IF(shape[d] < 0, FG_ERR_SHAPE, "dim %d is negative", d);
        FG_RETURN_IF(__builtin_mul_overflow(numel, shape[d], &numel), FG_ERR_OVERFLOW,
                     "element count overflows");
        b->shp[i][d] = shape[d];
    }
    size_t bytes;
    FG_RETURN_IF(__builtin_mul_overflow((size_t)numel, (size_t)fgi_dtype_size(dt), &bytes) ||
                     bytes > ((size_t)1 << 36),
                 FG_ERR_OVERFLOW, "a tensor of %" PRId64 " elements is too large to benchmark", numel);
    FG_RETURN_IF(posix_memalign(&b->buf[i], 64, bytes ? bytes : 64) != 0, FG_ERR_NO_MEMORY,
                 "%zu bytes of benchmark data", bytes);
    b->bytes[i] = bytes;
    b->t[i] =
        (DLTensor){.data = b->buf[i], .device = {kDLCPU, 0}, .ndim = nd, .dtype = dl[dt], .shape = b->shp[i]};
    for (int64_t e = 0; rng && e < numel; e++) {
        uint64_t z = (*rng += 0x9E3779B97F4A7C15ull);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        z ^= z >> 31;
        fgi_store_f64((char *)b->buf[i] + e * fgi_dtype_size(dt), dt,
                      (double)(z >> 11) * 0x1p-53 * 8.0 - 4.0);
    }
    FG_FORWARD(fgi_tensor_view(i ? &b->call.in[i - 1] : &b->call.out, &b->t[i], i ? "input" : "out"),
               "tensor %d", i);
    b->moved += (double)bytes;
    return FG_OK;
}

/* Builds the call an op entry point would build for this config (same
 * geometry, so the dispatcher key matches the one live calls produce). */
static fg_status case_build(const fgi_perf_config *c, uint64_t seed, bcase *b)
{
    memset(b, 0, sizeof *b);
    fgi_call *k = &b->call;
    k->op = c->op;
    k->dtype = c->dtype;
    k->dim = -1;
    uint64_t rng = seed;
    int nd = c->ndim;
    int64_t x_numel = 1;
    FG_RETURN_IF(nd < 0 || nd > FG_MAX_DIMS, FG_ERR_INVALID_ARG, "%d dims: expected 0..%d", nd, FG_MAX_DIMS);
    for (int d = 0; d < nd; d++) {
        FG_RETURN_IF(c->shape[d] < 0, FG_ERR_SHAPE, "dim %d is negative", d);
        FG_RETURN_IF(__builtin_mul_overflow(x_numel, c->shape[d], &x_numel), FG_ERR_OVERFLOW,
                     "element count overflows");
    }
    switch (c->op) {
    case FGI_OP_add:
    case FGI_OP_mul:
        k->nin = 2;
        k->alpha = 1.0;
        FG_FORWARD(case_tensor(b, 1, c->dtype, nd, c->shape, &rng), "x");
        FG_FORWARD(case_tensor(b, 2, c->dtype, nd, c->shape, &rng), "b");
        FG_FORWARD(case_tensor(b, 0, c->dtype, nd, c->shape, NULL), "out");
        b->flops = (double)x_numel;
        break;
    case FGI_OP_relu:
    case FGI_OP_gelu:
    case FGI_OP_silu:
    case FGI_OP_exp:
    case FGI_OP_fast_gelu:
    case FGI_OP_softmax:
        k->nin = 1;
        k->approx = c->approx;
        FG_FORWARD(case_tensor(b, 1, c->dtype, nd, c->shape, &rng), "x");
        FG_FORWARD(case_tensor(b, 0, c->dtype, nd, c->shape, NULL), "out");
        b->flops = c->op == FGI_OP_relu ? (double)x_numel : -1;
        if (c->op != FGI_OP_softmax) break;
        __attribute__((fallthrough)); /* softmax's geometry */
    case FGI_OP_sum:
    case FGI_OP_mean:
    case FGI_OP_amax: {
        bool all = c->dim == FG_DIM_ALL || nd == 0;
        FG_RETURN_IF(c->op == FGI_OP_softmax && c->dim == FG_DIM_ALL, FG_ERR_INVALID_ARG,
                     "softmax needs a dim, not \"all\"");
        FG_RETURN_IF(!all && (c->dim < -nd || c->dim >= nd), FG_ERR_INVALID_ARG,
                     "dim %d out of range for %d dims", c->dim, nd);
        int dim = all ? -1 : c->dim < 0 ? c->dim + nd : c->dim;
        k->dim = dim;
        k->outer = k->inner = 1;
        for (int d = 0; d < nd && !all; d++) {
            if (d < dim) k->outer *= c->shape[d];
            if (d > dim) k->inner *= c->shape[d];
        }
        k->len = all ? x_numel : c->shape[dim];
        if (c->op == FGI_OP_softmax) break;
        k->nin = 1;
        FG_FORWARD(case_tensor(b, 1, c->dtype, nd, c->shape, &rng), "x");
        int64_t os[FG_MAX_DIMS];
        int ond = 0;
        for (int d = 0; d < nd && !all; d++)
            if (d != dim) os[ond++] = c->shape[d];
        FG_RETURN_IF(c->op == FGI_OP_amax && k->len == 0, FG_ERR_SHAPE, "amax over an empty dim");
        FG_FORWARD(case_tensor(b, 0, c->dtype, ond, os, NULL), "out");
        b->flops = c->op == FGI_OP_amax ? -1 : (double)x_numel;
        break;
    }
    case FGI_OP_layer_norm:
    case FGI_OP_rms_norm: {
        FG_RETURN_IF(nd < 1, FG_ERR_SHAPE, "norms need at least 1 dim");
        int64_t h = c->shape[nd - 1];
        k->nin = 3;
        k->has_weight = c->weight;
        k->has_bias = c->bias && c->op == FGI_OP_layer_norm;
        k->eps = 1e-5;
        k->len = h;
        k->outer = h ? x_numel / h : 0;
        k->inner = 1;
        k->dim = nd - 1;
        FG_FORWARD(case_tensor(b, 1, c->dtype, nd, c->shape, &rng), "x");
        if (k->has_weight) FG_FORWARD(case_tensor(b, 2, c->dtype, 1, &h, &rng), "weight");
        if (k->has_bias) FG_FORWARD(case_tensor(b, 3, c->dtype, 1, &h, &rng), "bias");
        FG_FORWARD(case_tensor(b, 0, c->dtype, nd, c->shape, NULL), "out");
        b->flops = -1;
        break;
    }
    case FGI_OP_mm:
    case FGI_OP_bmm: {
        int want = c->op == FGI_OP_bmm ? 3 : 2, o = want - 2;
        FG_RETURN_IF(nd != want, FG_ERR_SHAPE, "%s needs a %d-dim shape, got %d dims", fgi_op_name(c->op),
                     want, nd);
        FG_RETURN_IF(c->n < 1, FG_ERR_SHAPE, "%s needs n >= 1 (columns of b)", fgi_op_name(c->op));
        k->nin = 2;
        k->outer = o ? c->shape[0] : 1;
        k->m = c->shape[o];
        k->k = c->shape[o + 1];
        k->n = c->n;
        int64_t bs[3] = {k->outer, k->k, k->n}, os[3] = {k->outer, k->m, k->n};
        FG_FORWARD(case_tensor(b, 1, c->dtype, nd, c->shape, &rng), "a");
        FG_FORWARD(case_tensor(b, 2, c->dtype, nd, bs + (o ? 0 : 1), &rng), "b");
        FG_FORWARD(case_tensor(b, 0, c->dtype, nd, os + (o ? 0 : 1), NULL), "out");
        b->flops = 2.0 * (double)k->outer * (double)k->m * (double)k->n * (double)k->k;
        break;
    }
    default: return FG_ERROR(FG_ERR_INVALID_ARG, "op %d", (int)c->op);
    }
    k->contiguous = true; /* every tensor here is dense row-major, same shape */
    return FG_OK;
}

/* ---------------------------------------------------------------- statistics */

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Nearest-rank quantile of sorted v. */
static double q_at(const double *v, int64_t n, double q) { return v[(int64_t)llround(q * (double)(n - 1))]; }

/* Relative 95 % CI half-width of the median (McGill's notch). */
static double noise_of(const double *samples, int64_t n, double *tmp)
{
    if (n < 4) return INFINITY;
    memcpy(tmp, samples, (size_t)n * sizeof *tmp);
    qsort(tmp, (size_t)n, sizeof *tmp, cmp_d);
    double med = q_at(tmp, n, 0.5);
    return med > 0 ? 1.57 * (q_at(tmp, n, 0.75) - q_at(tmp, n, 0.25)) / sqrt((double)n) / med : INFINITY;
}

static void summarize(fgi_perf_result *r, const double *samples, int64_t n, double *tmp, const bcase *b)
{
    memcpy(tmp, samples, (size_t)n * sizeof *tmp);
    qsort(tmp, (size_t)n, sizeof *tmp, cmp_d);
    double sum = 0;
    for (int64_t i = 0; i < n; i++) sum += tmp[i];
    r->samples = n;
    r->median_ns = q_at(tmp, n, 0.5);
    r->p10_ns = q_at(tmp, n, 0.1);
    r->p90_ns = q_at(tmp, n, 0.9);
    r->min_ns = tmp[0];
    r->mean_ns = sum / (double)n;
    r->spread = r->median_ns > 0 ? (r->p90_ns - r->p10_ns) / r->median_ns : 0;
    r->noise = noise_of(samples, n, tmp);
    double sec = r->median_ns > 0 ? r->median_ns * 1e-9 : 1e-9;
    r->gbps = b->moved / sec / 1e9;
    r->gflops = b->flops < 0 ? -1 : b->flops / sec / 1e9;
}

/* ---------------------------------------------------------------- running */

void fgi_perf_options_default(fgi_perf_options *o)
{
    *o = (fgi_perf_options){
        .warmup = 3, .repeat = 10, .max_samples = 1000, .budget_ms = 100, .target_noise = 0.01, .seed = 1};
}

fg_status fgi_perf_options_check(const fgi_perf_options *o)
{
    FG_RETURN_IF(o->warmup < 0 || o->warmup > 1000, FG_ERR_INVALID_ARG, "warmup %d: expected 0..1000",
                 o->warmup);
    FG_RETURN_IF(o->repeat < 1 || o->repeat > 100000, FG_ERR_INVALID_ARG, "repeat %d: expected 1..100000",
                 o->repeat);
    FG_RETURN_IF(o->max_samples < o->repeat || o->max_samples > 1000000, FG_ERR_INVALID_ARG,
                 "max_samples %d: expected repeat (%d)..1000000", o->max_samples, o->repeat);
    FG_RETURN_IF(!(o->budget_ms > 0 && o->budget_ms <= 3600e3), FG_ERR_INVALID_ARG,
                 "budget_ms %g: expected > 0 and <= 3600000", o->budget_ms);
    FG_RETURN_IF(!(o->target_noise >= 0 && o->target_noise < 1), FG_ERR_INVALID_ARG,
                 "target_noise %g: expected 0 <= x < 1", o->target_noise);
    return FG_OK;
}

int fgi_perf_default_baselines(const fgi_kernel *k, const fgi_kernel **out, int cap)
{
    int n_all, m = 0;
    const fgi_kernel *const *all = fgi_kernels(&n_all);
    const fgi_kernel *stable = NULL, *ref = NULL;
    unsigned feat = fgi_cpu_features();
    for (int i = 0; i < n_all; i++) {
        const fgi_kernel *c = all[i];
        if (c == k || c->op != k->op || c->device != k->device || !c->run || (feat & c->isa) != c->isa)
            continue;
        if (c->tier == FGI_TIER_STABLE && (!stable || c->priority > stable->priority)) stable = c;
        if (c->tier == FGI_TIER_REFERENCE && !ref) ref = c;
    }
    if (stable && m < cap) out[m++] = stable;
    if (ref && m < cap) out[m++] = ref;
    return m;
}

typedef struct cand_run {
    double *samples;
    int64_t n, batch;
    double best; /* fastest warm-up run */
    bool active;
} cand_run;

/* One timed sample of kernel k: `batch` runs, ns per run. */
static fg_status sample(const fgi_perf_timer *tm, const fgi_kernel *k, const fgi_call *call, int64_t batch,
                        double *ns)
{
    if (tm->flush) tm->flush(tm->ctx);
    fg_status s = FG_OK;
    tm->start(tm->ctx);
    for (int64_t i = 0; i < batch && s == FG_OK; i++) s = fgi_kernel_run_quiet(k, call);
    int64_t t = tm->stop(tm->ctx);
    *ns = (double)t / (double)batch;
    return s;
}

static void fail_result(fgi_perf_result *r, fg_status s, const char *what)
{
    r->status = s;
    snprintf(r->error, sizeof r->error, "%s", what);
}

/* Measures every candidate on one config. */
static void run_config(const fgi_perf_report *rep, const bcase *b, fgi_perf_result *res, cand_run *cr,
                       double *tmp)
{
    const fgi_perf_options *o = &rep->options;
    const fgi_perf_timer *tm = o->timer;
    int nc = rep->ncand;
    /* acceptance, one checked run each, workspace */
    for (int j = 0; j < nc; j++) {
        const fgi_kernel *k = rep->cands[j];
        cr[j] = (cand_run){.samples = cr[j].samples, .batch = 1, .best = INFINITY};
        if (!fgi_kernel_accepts(k, &b->call)) {
            fail_result(&res[j], FG_ERR_UNSUPPORTED, "does not accept this call");
            continue;
        }
        fg_memory_stats m0, m1;
        fg_memory_get_stats(&m0);
        fg_memory_reset_peak();
        fg_status s = fgi_kernel_run_quiet(k, &b->call);
        fg_memory_get_stats(&m1);
        if (s != FG_OK) {
            fail_result(&res[j], s, fg_last_error());
            fgi_error_clear();
            continue;
        }
        res[j].workspace_bytes = (int64_t)(m1.peak_bytes - m0.live_bytes);
        cr[j].active = true;
    }
    int64_t budget = (int64_t)(o->budget_ms * 1e6);
    int64_t t0 = fgi_now_ns();
    for (int w = 0; w < o->warmup && (w == 0 || fgi_now_ns() - t0 < budget / 2); w++)
        for (int j = 0; j < nc; j++) {
            double ns;
            if (cr[j].active && sample(tm, rep->cands[j], &b->call, 1, &ns) == FG_OK && ns < cr[j].best)
                cr[j].best = ns;
        }
    for (int j = 0; j < nc; j++)
        if (cr[j].active && !tm->flush && isfinite(cr[j].best)) {
            double want = ceil(FGI_PERF_MIN_SAMPLE_NS / (cr[j].best > 1 ? cr[j].best : 1));
            cr[j].batch = want < 1 ? 1 : want > 65536 ? 65536 : (int64_t)want;
        }
    t0 = fgi_now_ns();
    for (int r = 0;; r++) {
        for (int q = 0; q < nc; q++) {
            int j = (q + r) % nc;
            if (!cr[j].active || cr[j].n >= o->max_samples) continue;
            double ns;
            fg_status s = sample(tm, rep->cands[j], &b->call, cr[j].batch, &ns);
            if (s != FG_OK) {
                fail_result(&res[j], s, fg_last_error());
                fgi_error_clear();
                cr[j].active = false;
                continue;
            }
            cr[j].samples[cr[j].n++] = ns;
        }
        int64_t el = fgi_now_ns() - t0;
        bool min_met = true, all_max = true, quiet = true, one_each = true;
        for (int j = 0; j < nc; j++) {
            if (!cr[j].active) continue;
            min_met = min_met && cr[j].n >= o->repeat;
            all_max = all_max && cr[j].n >= o->max_samples;
            one_each = one_each && cr[j].n >= 1;
        }
        /* the noise check sorts: every 4th round is enough */
        if (min_met && el < budget && (r & 3) == 3)
            for (int j = 0; j < nc && quiet; j++)
                quiet = !cr[j].active || noise_of(cr[j].samples, cr[j].n, tmp) <= o->target_noise;
        else
            quiet = false;
        if (all_max || (min_met && (quiet || el >= budget)) || (one_each && el >= 10 * budget)) break;
    }
    for (int j = 0; j < nc; j++)
        if (cr[j].active && cr[j].n > 0) {
            summarize(&res[j], cr[j].samples, cr[j].n, tmp, b);
            res[j].batch = cr[j].batch;
        }
}

/* perf database rows (source benchmark) of one config. */
static int64_t record_config(const fgi_perf_report *rep, const bcase *b, const fgi_perf_result *res)
{
    fgi_perfdb *db = fgi_perfdb_shared();
    if (!db) return 0;
    fgi_perf_sample_stats st[FGI_PERF_MAX_CANDS];
    for (int j = 0; j < rep->ncand; j++) {
        const fgi_perf_result *x = &res[j];
        st[j] = (fgi_perf_sample_stats){
            x->median_ns,      x->p10_ns, x->p90_ns, x->min_ns, x->status == FG_OK ? x->samples : 0,
            x->workspace_bytes};
    }
    size_t n;
    if (fgi_perfdb_record(db, &b->call, rep->cands, st, rep->ncand, FGI_PERF_BENCHMARK, rep->timestamp, &n) !=
        FG_OK) {
        fgi_exp_log(FG_EXP_LEVEL_WARNING, "benchmark results not recorded: %s", fg_last_error());
        fgi_error_clear();
        return 0;
    }
    return (int64_t)n;
}

static void speedups(fgi_perf_report *r)
{
    for (int bi = 1; bi < r->ncand; bi++) {
        fgi_perf_speedup *sp = &r->speedup[bi];
        double sum = 0, lsum = 0;
        *sp = (fgi_perf_speedup){.min = INFINITY, .max = 0};
        for (size_t c = 0; c < r->nconfig; c++) {
            const fgi_perf_result *k = &r->results[c * (size_t)r->ncand], *b = &k[bi];
            if (k->status != FG_OK || b->status != FG_OK || k->median_ns <= 0 || b->median_ns <= 0) continue;
            double s = b->median_ns / k->median_ns;
            sum += s;
            lsum += log(s);
            sp->min = fmin(sp->min, s);
            sp->max = fmax(sp->max, s);
            sp->configs++;
        }
        if (sp->configs) {
            sp->mean = sum / sp->configs;
            sp->geomean = exp(lsum / sp->configs);
        } else {
            sp->min = 0;
        }
    }
}

fg_status fgi_perf_benchmark(const fgi_kernel *kernel, const fgi_kernel *const *baselines, int nbase,
                             const fgi_perf_config *configs, size_t n, const fgi_perf_options *opt,
                             fgi_perf_report **out)
{
    FG_RETURN_IF(!out || !kernel, FG_ERR_NULL, "kernel or out is NULL");
    *out = NULL;
    FG_RETURN_IF(nbase < 0 || nbase >= FGI_PERF_MAX_CANDS || (nbase && !baselines), FG_ERR_INVALID_ARG,
                 "%d baselines: expected 0..%d", nbase, FGI_PERF_MAX_CANDS - 1);
    fgi_perf_report *r = calloc(1, sizeof *r);
    FG_RETURN_IF(!r, FG_ERR_NO_MEMORY, "report");
    fg_status s = FG_OK;
    if (opt)
        r->options = *opt;
    else
        fgi_perf_options_default(&r->options);
    if (!r->options.timer) r->options.timer = fgi_perf_cpu_timer();
    if (!r->options.seed) r->options.seed = 1;
    s = fgi_perf_options_check(&r->options);
    r->cands[r->ncand++] = kernel;
    const fgi_kernel *defb[FGI_PERF_MAX_CANDS];
    if (!nbase) {
        nbase = fgi_perf_default_baselines(kernel, defb, FGI_PERF_MAX_CANDS - 1);
        baselines = defb;
    }
    for (int i = 0; i < nbase && s == FG_OK; i++) {
        const fgi_kernel *b = baselines[i];
        if (!b)
            s = FG_ERROR(FG_ERR_NULL, "baseline %d is NULL", i);
        else if (b->op != kernel->op)
            s = FG_ERROR(FG_ERR_INVALID_ARG, "baseline %s is a %s kernel, %s is %s", b->id,
                         fgi_op_name(b->op), kernel->id, fgi_op_name(kernel->op));
        else if (b != kernel)
            r->cands[r->ncand++] = b;
    }
    if (s == FG_OK && configs && n) {
        r->configs = malloc(n * sizeof *r->configs);
        if (r->configs) memcpy(r->configs, configs, n * sizeof *configs);
        r->nconfig = n;
        s = r->configs ? FG_OK : FG_ERROR(FG_ERR_NO_MEMORY, "configs");
    } else if (s == FG_OK) {
        s = fgi_perf_default_configs(kernel->op, &r->configs, &r->nconfig);
    }
    for (size_t c = 0; c < r->nconfig && s == FG_OK; c++)
        if (r->configs[c].op != kernel->op)
            s = FG_ERROR(FG_ERR_INVALID_ARG, "config %zu is a %s config, the kernel is %s", c,
                         fgi_op_name(r->configs[c].op), fgi_op_name(kernel->op));
    r->results = s == FG_OK ? calloc(r->nconfig * (size_t)r->ncand, sizeof *r->results) : NULL;
    if (s == FG_OK && !r->results) s = FG_ERROR(FG_ERR_NO_MEMORY, "results");
    if (s != FG_OK) {
        fgi_perf_report_free(r);
        return s;
    }
    fgi_machine_describe(r->machine, sizeof r->machine);
    fgi_machine_fingerprint(r->fingerprint, sizeof r->fingerprint);
    snprintf(r->version, sizeof r->version, "%s", fg_version());
    fgi_build_signature(r->build, sizeof r->build);
    fgi_perfdb_now(r->timestamp, sizeof r->timestamp);
    snprintf(r->timer, sizeof r->timer, "%s", r->options.timer->name);

    cand_run cr[FGI_PERF_MAX_CANDS] = {{0}};
    double *tmp = malloc((size_t)r->options.max_samples * sizeof *tmp);
    bool ok = tmp != NULL;
    for (int j = 0; j < r->ncand && ok; j++)
        ok = (cr[j].samples = malloc((size_t)r->options.max_samples * sizeof(double))) != NULL;
    if (!ok) s = FG_ERROR(FG_ERR_NO_MEMORY, "sample buffers");
    for (size_t c = 0; c < r->nconfig && s == FG_OK; c++) {
        bcase b;
        char what[256];
        s = case_build(&r->configs[c], r->options.seed + c, &b);
        if (s != FG_OK) {
            fgi_error_push(s, "config %zu (%s)", c, fgi_perf_config_str(&r->configs[c], what, sizeof what));
        } else {
            fgi_perf_result *res = &r->results[c * (size_t)r->ncand];
            run_config(r, &b, res, cr, tmp);
            if (r->options.record) r->recorded += record_config(r, &b, res);
        }
        case_free(&b);
    }
    for (int j = 0; j < r->ncand; j++) free(cr[j].samples);
    free(tmp);
    if (s != FG_OK) {
        fgi_perf_report_free(r);
        return s;
    }
    speedups(r);
    *out = r;
    return FG_OK;
}

void fgi_perf_report_free(fgi_perf_report *r)
{
    if (!r) return;
    free(r->configs);
    free(r->results);
    free(r);
}

/* ---------------------------------------------------------------- Markdown */

typedef struct sbuf {
    char *p;
    size_t n, cap;
    bool oom;
} sbuf;

static void sb_printf(sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sb_printf(sbuf *b, const char *fmt, ...)
{
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        size_t room = b->cap - b->n;
        int w = b->p ? vsnprintf(b->p + b->n, room, fmt, ap) : -1;
        va_end(ap);
        if (w >= 0 && (size_t)w < room) {
            b->n += (size_t)w;
            return;
        }
        size_t cap = b->cap ? b->cap * 2 : 4096;
        while (w >= 0 && cap < b->n + (size_t)w + 1) cap *= 2;
        char *p = b->oom ? NULL : realloc(b->p, cap);
        if (!p) {
            b->oom = true;
            return;
        }
        b->p = p;
        b->cap = cap;
    }
}

static void fmt_us(char *buf, size_t cap, double ns)
{
    if (ns >= 1e5)
        snprintf(buf, cap, "%.0f", ns / 1e3);
    else if (ns >= 1e4)
        snprintf(buf, cap, "%.1f", ns / 1e3);
    else
        snprintf(buf, cap, "%.2f", ns / 1e3);
}

static void fmt_bytes(char *buf, size_t cap, int64_t b)
{
    if (b >= (1 << 20))
        snprintf(buf, cap, "%.1f MiB", (double)b / (1 << 20));
    else if (b >= 1024)
        snprintf(buf, cap, "%.1f KiB", (double)b / 1024);
    else
        snprintf(buf, cap, "%" PRId64 " B", b);
}

fg_status fgi_perf_render_markdown(const fgi_perf_report *r, char **out)
{
    FG_RETURN_IF(!r || !out, FG_ERR_NULL, "report or out is NULL");
    *out = NULL;
    sbuf b = {0};
    const fgi_perf_options *o = &r->options;
    sb_printf(&b, "## Performance: `%s`\n\n", r->cands[0]->id);
    sb_printf(&b, "| | |\n|---|---|\n");
    sb_printf(&b, "| machine | %s, fingerprint `%s` |\n", r->machine, r->fingerprint);
    sb_printf(&b, "| library | libflaggems %s, build `%s` |\n", r->version, r->build);
    sb_printf(&b, "| run | %s, timer %s |\n", r->timestamp, r->timer);
    sb_printf(
        &b,
        "| method | warm-up %d, at least %d samples (at most %d) per candidate, budget %g ms per config, "
        "stop at %.1f %% median noise, candidates interleaved |\n",
        o->warmup, o->repeat, o->max_samples, o->budget_ms, o->target_noise * 100);
    sb_printf(&b, "| baselines |");
    for (int j = 1; j < r->ncand; j++) sb_printf(&b, "%s `%s`", j > 1 ? "," : "", r->cands[j]->id);
    sb_printf(&b, "%s |\n\n", r->ncand > 1 ? "" : " none");

    sb_printf(&b, "### Speedup\n\nBaseline median / kernel median per config; mean over configs as FlagGems "
                  "reports it, and the geometric mean.\n\n");
    sb_printf(&b, "| baseline | configs | mean | geomean | min | max |\n|---|---:|---:|---:|---:|---:|\n");
    for (int j = 1; j < r->ncand; j++) {
        const fgi_perf_speedup *s = &r->speedup[j];
        if (s->configs)
            sb_printf(&b, "| `%s` | %d | %.3f | %.3f | %.3f | %.3f |\n", r->cands[j]->id, s->configs, s->mean,
                      s->geomean, s->min, s->max);
        else
            sb_printf(&b, "| `%s` | 0 | - | - | - | - |\n", r->cands[j]->id);
    }
    sb_printf(&b, "\n### Per config\n\nTimes in microseconds per run; spread = (p90 - p10) / median; "
                  "speedup = that row's median / the kernel's.\n\n");
    sb_printf(
        &b, "| # | config | dtype | candidate | median | p10 | p90 | min | spread | samples | GB/s | GFLOP/s "
            "| workspace | speedup |\n");
    sb_printf(&b, "|---:|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (size_t c = 0; c < r->nconfig; c++) {
        const fgi_perf_config *cf = &r->configs[c];
        const fgi_perf_result *row = &r->results[c * (size_t)r->ncand];
        char cs[256], what[320];
        fgi_perf_config_str(cf, cs, sizeof cs);
        snprintf(what, sizeof what, "%s%s%s%s", cs, cf->label[0] ? " (" : "", cf->label,
                 cf->label[0] ? ")" : "");
        for (int j = 0; j < r->ncand; j++) {
            const fgi_perf_result *x = &row[j];
            if (j)
                sb_printf(&b, "| | | | `%s` ", r->cands[j]->id);
            else
                sb_printf(&b, "| %zu | %s | %s | `%s` ", c + 1, what, fgi_dtype_name(cf->dtype),
                          r->cands[j]->id);
            if (x->status != FG_OK) {
                sb_printf(&b, "| %s: %s | | | | | | | | | |\n", fg_status_name(x->status), x->error);
                continue;
            }
            char m[32], p1[32], p9[32], mn[32], ws[32], fl[32], sp[32];
            fmt_us(m, sizeof m, x->median_ns);
            fmt_us(p1, sizeof p1, x->p10_ns);
            fmt_us(p9, sizeof p9, x->p90_ns);
            fmt_us(mn, sizeof mn, x->min_ns);
            fmt_bytes(ws, sizeof ws, x->workspace_bytes);
            snprintf(fl, sizeof fl, x->gflops < 0 ? "-" : "%.2f", x->gflops);
            if (j && row[0].status == FG_OK && row[0].median_ns > 0)
                snprintf(sp, sizeof sp, "%.3f", x->median_ns / row[0].median_ns);
            else
                snprintf(sp, sizeof sp, "-");
            sb_printf(&b, "| %s | %s | %s | %s | %.1f %% | %" PRId64 " | %.2f | %s | %s | %s |\n", m, p1, p9,
                      mn, x->spread * 100, x->samples, x->gbps, fl, ws, sp);
        }
    }
    if (o->record) sb_printf(&b, "\n%" PRId64 " rows recorded in the performance database.\n", r->recorded);
    FG_RETURN_IF(b.oom || !b.p, FG_ERR_NO_MEMORY, "Markdown report");
    *out = b.p;
    return FG_OK;
}

/* ---------------------------------------------------------------- JSON */

static json_t *shape_json(int nd, const int64_t *shape)
{
    json_t *a = json_array();
    for (int d = 0; a && d < nd; d++) json_array_append_new(a, json_integer(shape[d]));
    return a;
}

static json_t *result_json(const fgi_perf_result *x, const fgi_kernel *k, const fgi_perf_result *kernel_row)
{
    json_t *o = json_pack("{s:s, s:s}", "kernel", k->id, "status", fg_status_name(x->status));
    if (!o) return NULL;
    if (x->status != FG_OK) {
        json_object_set_new(o, "error", json_string(x->error));
        return o;
    }
    json_t *more = json_pack(
        "{s:f, s:f, s:f, s:f, s:f, s:f, s:f, s:I, s:I, s:f, s:I}", "median_ns", x->median_ns, "p10_ns",
        x->p10_ns, "p90_ns", x->p90_ns, "min_ns", x->min_ns, "mean_ns", x->mean_ns, "spread", x->spread,
        "gbps", x->gbps, "samples", (json_int_t)x->samples, "batch", (json_int_t)x->batch, "noise",
        isfinite(x->noise) ? x->noise : -1.0, "workspace_bytes", (json_int_t)x->workspace_bytes);
    if (!more) {
        json_decref(o);
        return NULL;
    }
    json_object_update(o, more);
    json_decref(more);
    json_object_set_new(o, "gflops", x->gflops < 0 ? json_null() : json_real(x->gflops));
    if (kernel_row && kernel_row->status == FG_OK && kernel_row->median_ns > 0)
        json_object_set_new(o, "speedup", json_real(x->median_ns / kernel_row->median_ns));
    return o;
}

fg_status fgi_perf_render_json(const fgi_perf_report *r, char **out)
{
    FG_RETURN_IF(!r || !out, FG_ERR_NULL, "report or out is NULL");
    *out = NULL;
    const fgi_perf_options *o = &r->options;
    json_t *root =
        json_pack("{s:{s:s, s:s}, s:{s:s, s:s}, s:s, s:s, s:s, s:{s:i, s:i, s:i, s:f, s:f, s:I, s:b}, s:I}",
                  "machine", "description", r->machine, "fingerprint", r->fingerprint, "library", "version",
                  r->version, "build_signature", r->build, "timestamp", r->timestamp, "timer", r->timer,
                  "kernel", r->cands[0]->id, "options", "warmup", o->warmup, "repeat", o->repeat,
                  "max_samples", o->max_samples, "budget_ms", o->budget_ms, "target_noise", o->target_noise,
                  "seed", (json_int_t)o->seed, "record", (int)o->record, "recorded", (json_int_t)r->recorded);
    json_t *bl = json_array(), *sp = json_object(), *configs = json_array();
    bool ok = root && bl && sp && configs;
    for (int j = 1; j < r->ncand && ok; j++) {
        const fgi_perf_speedup *s = &r->speedup[j];
        ok = json_array_append_new(bl, json_string(r->cands[j]->id)) == 0;
        json_t *e = s->configs ? json_pack("{s:i, s:f, s:f, s:f, s:f}", "configs", s->configs, "mean",
                                           s->mean, "geomean", s->geomean, "min", s->min, "max", s->max)
                               : json_pack("{s:i, s:n, s:n, s:n, s:n}", "configs", 0, "mean", "geomean",
                                           "min", "max");
        ok = ok && e && json_object_set_new(sp, r->cands[j]->id, e) == 0;
    }
    for (size_t c = 0; c < r->nconfig && ok; c++) {
        const fgi_perf_config *cf = &r->configs[c];
        const fgi_perf_result *row = &r->results[c * (size_t)r->ncand];
        char cs[256];
        json_t *cands = json_array();
        json_t *e = json_pack("{s:s, s:s, s:o, s:s, s:s}", "op", fgi_op_name(cf->op), "dtype",
                              fgi_dtype_name(cf->dtype), "shape", shape_json(cf->ndim, cf->shape), "label",
                              cf->label, "config", fgi_perf_config_str(cf, cs, sizeof cs));
        ok = e && cands;
        for (int j = 0; j < r->ncand && ok; j++) {
            json_t *x = result_json(&row[j], r->cands[j], j ? &row[0] : NULL);
            ok = x && json_array_append_new(cands, x) == 0;
        }
        if (ok && (cf->op == FGI_OP_mm || cf->op == FGI_OP_bmm))
            json_object_set_new(e, "n", json_integer(cf->n));
        if (ok && (cf->op == FGI_OP_sum || cf->op == FGI_OP_mean || cf->op == FGI_OP_amax ||
                   cf->op == FGI_OP_softmax))
            json_object_set_new(e, "dim", cf->dim == FG_DIM_ALL ? json_string("all") : json_integer(cf->dim));
        ok = ok && json_object_set_new(e, "candidates", cands) == 0;
        cands = NULL;
        ok = ok && json_array_append_new(configs, e) == 0;
        e = NULL;
        json_decref(cands);
        json_decref(e);
    }
    if (ok) {
        ok = json_object_set_new(root, "baselines", bl) == 0;
        bl = NULL;
        ok = ok && json_object_set_new(root, "speedup", sp) == 0;
        sp = NULL;
        ok = ok && json_object_set_new(root, "results", configs) == 0;
        configs = NULL;
    }
    if (ok) *out = json_dumps(root, JSON_SORT_KEYS | JSON_INDENT(2) | JSON_REAL_PRECISION(6));
    json_decref(bl);
    json_decref(sp);
    json_decref(configs);
    json_decref(root);
    FG_RETURN_IF(!*out, FG_ERR_NO_MEMORY, "JSON report");
    return FG_OK;
}

/* ---------------------------------------------------------------- public API */

static fg_status parse_baselines(const char *list, const fgi_kernel **out, int *n)
{
    *n = 0;
    for (const char *p = list; *p;) {
        while (*p == ',' || *p == ' ') p++;
        const char *e = p;
        while (*e && *e != ',' && *e != ' ') e++;
        if (e > p) {
            char id[160];
            FG_RETURN_IF((size_t)(e - p) >= sizeof id, FG_ERR_INVALID_ARG, "baseline id too long");
            snprintf(id, sizeof id, "%.*s", (int)(e - p), p);
            FG_RETURN_IF(*n >= FGI_PERF_MAX_CANDS - 1, FG_ERR_INVALID_ARG, "more than %d baselines",
                         FGI_PERF_MAX_CANDS - 1);
            out[*n] = fgi_kernel_find(id);
            FG_RETURN_IF(!out[*n], FG_ERR_NOT_FOUND, "baseline %s is not a registered kernel", id);
            (*n)++;
        }
        p = e;
    }
    return FG_OK;
}

static fg_status benchmark(const char *kernel_id, const char *baselines, const char *configs,
                           const fg_exp_bench_options *options, char **markdown, char **json)
{
    FG_RETURN_IF(!kernel_id, FG_ERR_NULL, "kernel_id is NULL");
    fgi_exp_init();
    const fgi_kernel *k = fgi_kernel_find(kernel_id);
    FG_RETURN_IF(!k, FG_ERR_NOT_FOUND, "kernel %.160s is not registered", kernel_id);
    const fgi_kernel *bl[FGI_PERF_MAX_CANDS];
    int nb = 0;
    if (baselines) FG_FORWARD(parse_baselines(baselines, bl, &nb), "baselines");
    fgi_perf_options o;
    fgi_perf_options_default(&o);
    if (options) {
        if (options->warmup) o.warmup = options->warmup;
        if (options->repeat) o.repeat = options->repeat;
        if (options->max_samples)
            o.max_samples = options->max_samples;
        else if (o.max_samples < o.repeat)
            o.max_samples = o.repeat;
        if (options->budget_ms != 0) o.budget_ms = options->budget_ms;
        if (options->target_noise != 0) o.target_noise = options->target_noise;
        if (options->seed) o.seed = options->seed;
        o.record = options->record != 0;
    }
    fgi_perf_config *cf = NULL;
    size_t ncf = 0;
    if (configs) FG_FORWARD(fgi_perf_parse_configs(k->op, configs, &cf, &ncf), "configs");
    fgi_perf_report *r;
    fg_status s = fgi_perf_benchmark(k, bl, nb, cf, ncf, &o, &r);
    free(cf);
    FG_FORWARD(s, "benchmark of %s", kernel_id);
    if (markdown) s = fgi_perf_render_markdown(r, markdown);
    if (json && s == FG_OK) s = fgi_perf_render_json(r, json);
    fgi_perf_report_free(r);
    if (s != FG_OK && markdown) {
        free(*markdown);
        *markdown = NULL;
    }
    return s;
}

fg_status fg_exp_benchmark(const char *kernel_id, const char *baselines, const char *configs,
                           const fg_exp_bench_options *options, char **markdown, char **json)
{
    fgi_error_clear();
    if (markdown) *markdown = NULL;
    if (json) *json = NULL;
    FG_FORWARD(benchmark(kernel_id, baselines, configs, options, markdown, json), "fg_exp_benchmark");
    return FG_OK;
}

fg_status fg_exp_perfdb_path(char *buf, size_t cap)
{
    fgi_error_clear();
    bool off;
    FG_FORWARD(fgi_perfdb_default_path(buf, cap, &off), "fg_exp_perfdb_path");
    return FG_OK;
}
