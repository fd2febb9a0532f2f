/* layer_norm and rms_norm for dense rows whose length is a multiple of 64,
 * up to 16384 (custom group, shape-specialized, AVX2 + FMA + F16C).
 * float32 outputs of 16 MB and more are left to the stable kernel: there
 * both are bound by memory bandwidth (one read of x, one streamed write)
 * and measured level ([4096, 4096]: x0.96 to x1.10 over runs), so the
 * specialization buys nothing. float16/bfloat16 keep every size: their
 * blocked conversion measured x1.1 to x1.3 faster at [4096, 4096].
 *
 * Why it beats the general stable kernel on these shapes: every row is a
 * whole number of 64-element blocks, so the loops have no tails or masks;
 * a row of at most 64 KB stays in L1/L2 between its passes; float32 needs
 * no workspace at all. Statistics are exact enough without double
 * arithmetic on every element: each 64-element block is summed in float32
 * (a tree of 8 vectors), and block sums are accumulated in double, so the
 * relative error of mean and variance stays near 1e-7 for any row length
 * accepted. The variance is the two-pass sum of squared deviations (no
 * cancellation), the mean is applied as a hi + lo pair, and the rstd is
 * computed in double: the same numerics as the reference up to float32
 * rounding of the elementwise terms.
 *
 * out may be the same view as x: each row's statistics are complete before
 * any of its elements is written. */
#include <math.h>

#include "core/alloc.h"
#include "core/dtype.h"
#include "core/tensor.h"
#include "experimental/custom/custom_avx2.h"
#include "experimental/exp_kernels.h"

#define MAX_LEN 16384

bool fgi_custom_norm_h64_supports(const fgi_call *call)
{
    return call->len >= 64 && call->len <= MAX_LEN && call->len % 64 == 0 && call->contiguous &&
           !(call->dtype == FGI_F32 && call->out.numel * 4 >= CX_STREAM_BYTES);
}

CX_INLINE __m256 sum8(const float *p)
{
    __m256 a = _mm256_add_ps(_mm256_loadu_ps(p), _mm256_loadu_ps(p + 8));
    __m256 b = _mm256_add_ps(_mm256_loadu_ps(p + 16), _mm256_loadu_ps(p + 24));
    __m256 c = _mm256_add_ps(_mm256_loadu_ps(p + 32), _mm256_loadu_ps(p + 40));
    __m256 d = _mm256_add_ps(_mm256_loadu_ps(p + 48), _mm256_loadu_ps(p + 56));
    return _mm256_add_ps(_mm256_add_ps(a, b), _mm256_add_ps(c, d));
}

CX_INLINE __m256 sqdev8(const float *p, __m256 m)
{
    __m256 acc[4];
    for (int j = 0; j < 4; j++) {
        __m256 u = _mm256_sub_ps(_mm256_loadu_ps(p + 16 * j), m);
        __m256 v = _mm256_sub_ps(_mm256_loadu_ps(p + 16 * j + 8), m);
        acc[j] = _mm256_fmadd_ps(v, v, _mm256_mul_ps(u, u));
    }
    return _mm256_add_ps(_mm256_add_ps(acc[0], acc[1]), _mm256_add_ps(acc[2], acc[3]));
}

/* Sum of the row (layer_norm mean). */
static inline double row_sum(const float *x, int64_t len)
{
    __m256d a0 = _mm256_setzero_pd(), a1 = a0;
    int64_t i = 0;
    for (; i + 128 <= len; i += 128) {
        a0 = _mm256_add_pd(a0, cx_widen_sum(sum8(x + i)));
        a1 = _mm256_add_pd(a1, cx_widen_sum(sum8(x + i + 64)));
    }
    if (i < len) a0 = _mm256_add_pd(a0, cx_widen_sum(sum8(x + i)));
    return cx_hsum_pd(_mm256_add_pd(a0, a1));
}

CX_INLINE __m256 sq8(const float *p)
{
    __m256 acc[4];
    for (int j = 0; j < 4; j++) {
        __m256 u = _mm256_loadu_ps(p + 16 * j), v = _mm256_loadu_ps(p + 16 * j + 8);
        acc[j] = _mm256_fmadd_ps(v, v, _mm256_mul_ps(u, u));
    }
    return _mm256_add_ps(_mm256_add_ps(acc[0], acc[1]), _mm256_add_ps(acc[2], acc[3]));
}

/* Sum of x^2 over the row (rms_norm). */
static inline double row_sumsq(const float *x, int64_t len)
{
    __m256d a0 = _mm256_setzero_pd();
    for (int64_t i = 0; i < len; i += 64) a0 = _mm256_add_pd(a0, cx_widen_sum(sq8(x + i)));
    return cx_hsum_pd(a0);
}

/* Sums of d = x - k and of d^2 in one pass (k: the row's first element, a
 * shift that keeps d small). */
CX_INLINE void sum_sq8(const float *p, __m256 k, __m256 *s, __m256 *q)
{
    __m256 d[8];
    for (int j = 0; j < 8; j++) d[j] = _mm256_sub_ps(_mm256_loadu_ps(p + 8 * j), k);
    __m256 s01 = _mm256_add_ps(d[0], d[1]), s23 = _mm256_add_ps(d[2], d[3]);
    __m256 s45 = _mm256_add_ps(d[4], d[5]), s67 = _mm256_add_ps(d[6], d[7]);
    *s = _mm256_add_ps(_mm256_add_ps(s01, s23), _mm256_add_ps(s45, s67));
    __m256 q01 = _mm256_fmadd_ps(d[1], d[1], _mm256_mul_ps(d[0], d[0]));
    __m256 q23 = _mm256_fmadd_ps(d[3], d[3], _mm256_mul_ps(d[2], d[2]));
    __m256 q45 = _mm256_fmadd_ps(d[5], d[5], _mm256_mul_ps(d[4], d[4]));
    __m256 q67 = _mm256_fmadd_ps(d[7], d[7], _mm256_mul_ps(d[6], d[6]));
    *q = _mm256_add_ps(_mm256_add_ps(q01, q23), _mm256_add_ps(q45, q67));
}

/* Sum of (x - m)^2 over the row. */
static inline double row_sqdev(const float *x, int64_t len, float m)
{
    __m256 mv = _mm256_set1_ps(m);
    __m256d a0 = _mm256_setzero_pd(), a1 = a0;
    int64_t i = 0;
    for (; i + 128 <= len; i += 128) {
        a0 = _mm256_add_pd(a0, cx_widen_sum(sqdev8(x + i, mv)));
        a1 = _mm256_add_pd(a1, cx_widen_sum(sqdev8(x + i + 64, mv)));
    }
    if (i < len) a0 = _mm256_add_pd(a0, cx_widen_sum(sqdev8(x + i, mv)));
    return cx_hsum_pd(_mm256_add_pd(a0, a1));
}

typedef struct ctx {
    const fgi_call *call;
    bool layer;
    const float *w, *b;
    float *ws;   /* float16/bfloat16: a row buffer per thread */
    int64_t wsz; /* floats per thread */
} ctx;

/* The normalized values of elements [i, i+8) of a row; kind (a constant
 * after inlining): bit 0 layer_norm, bit 1 weight, bit 2 bias. */
CX_INLINE __m256 norm8(const int kind, const float *x, const float *w, const float *b, int64_t i, __m256 vm,
                       __m256 vl, __m256 vr)
{
    __m256 v = _mm256_loadu_ps(x + i), y;
    if (kind & 1)
        y = _mm256_mul_ps(_mm256_sub_ps(_mm256_sub_ps(v, vm), vl), vr);
    else
        y = _mm256_mul_ps(v, vr);
    if ((kind & 6) == 6) return _mm256_fmadd_ps(y, _mm256_loadu_ps(w + i), _mm256_loadu_ps(b + i));
    if (kind & 2) return _mm256_mul_ps(y, _mm256_loadu_ps(w + i));
    if (kind & 4) return _mm256_add_ps(y, _mm256_loadu_ps(b + i));
    return y;
}

/* Writes a row (len a multiple of 64: no tail). */
CX_INLINE void write_row(const int kind, float *d, const float *x, const float *w, const float *b,
                         int64_t len, __m256 vm, __m256 vl, __m256 vr)
{
    for (int64_t i = 0; i < len; i += 8) _mm256_storeu_ps(d + i, norm8(kind, x, w, b, i, vm, vl, vr));
}

/* Normalizes one float32 row from x into d (may be x). */
static inline void norm_row(const ctx *c, float *d, const float *x, int64_t len)
{
    double mean = 0.0, var;
    float mh = 0.0f;
    if (c->layer) {
        /* One pass over shifted values: var = E[d^2] - E[d]^2 with d = x -
         * x[0]. Its rounding error grows with E[d]^2 / var; when the shift
         * was a poor guess of the mean (E[d]^2 > 16 var: an outlier first
         * element) the row takes the exact two-pass route, still in L1. */
        float k0 = x[0];
        __m256 kv = _mm256_set1_ps(k0);
        __m256d sa = _mm256_setzero_pd(), qa = sa;
        for (int64_t i = 0; i < len; i += 64) {
            __m256 bs, bq;
            sum_sq8(x + i, kv, &bs, &bq);
            sa = _mm256_add_pd(sa, cx_widen_sum(bs));
            qa = _mm256_add_pd(qa, cx_widen_sum(bq));
        }
        double md = cx_hsum_pd(sa) / (double)len;
        var = cx_hsum_pd(qa) / (double)len - md * md;
        mean = (double)k0 + md;
        if (!(md * md <= 16.0 * var)) {
            mean = row_sum(x, len) / (double)len;
            mh = (float)mean;
            /* deviations from the float mean mh: the sum of squares about
             * mh exceeds the one about the exact mean by (mean - mh)^2 */
            double dm = mean - (double)mh;
            var = row_sqdev(x, len, mh) / (double)len - dm * dm;
        }
        if (var < 0) var = 0;
        mh = (float)mean;
    } else {
        var = row_sumsq(x, len) / (double)len;
    }
    float rstd = (float)(1.0 / sqrt(var + c->call->eps));
    __m256 vm = _mm256_set1_ps(mh), vl = _mm256_set1_ps((float)(mean - (double)mh)),
           vr = _mm256_set1_ps(rstd);
    const float *w = c->w, *b = c->b;
    /* one loop per kind, without per-element branches */
    switch ((c->layer ? 1 : 0) | (w ? 2 : 0) | (b ? 4 : 0)) {
    case 0:
        write_row(0, d, x, w, b, len, vm, vl, vr);
        break;
    case 1:
        write_row(1, d, x, w, b, len, vm, vl, vr);
        break;
    case 2:
        write_row(2, d, x, w, b, len, vm, vl, vr);
        break;
    case 3:
        write_row(3, d, x, w, b, len, vm, vl, vr);
        break;
    case 5:
        write_row(5, d, x, w, b, len, vm, vl, vr);
        break;
    case 7:
        write_row(7, d, x, w, b, len, vm, vl, vr);
        break;
    default:
        write_row(6, d, x, w, b, len, vm, vl, vr);
        break;
    }
}

static void rows_f32(void *vc, int64_t r0, int64_t r1)
{
    const ctx *c = vc;
    int64_t len = c->call->len;
    const float *x = (const float *)c->call->in[0].data;
    float *d = (float *)c->call->out.data;
    for (int64_t r = r0; r < r1; r++) norm_row(c, d + r * len, x + r * len, len);
}

/* float16 / bfloat16: blocks of rows converted to float32 at once (one
 * conversion call per 4096 elements, not per row), normalized in place,
 * converted back. Rows up to 4096 use a stack block; longer ones a row
 * buffer per thread from the call's workspace. */
#define HALF_BLOCK 4096

static void rows_half(void *vc, int64_t r0, int64_t r1)
{
    const ctx *c = vc;
    int64_t len = c->call->len;
    fgi_dtype dt = c->call->dtype;
    const char *x = c->call->in[0].data;
    char *d = c->call->out.data;
    float stack[HALF_BLOCK] __attribute__((aligned(64)));
    float *buf = stack;
    if (len > HALF_BLOCK) {
        /* the row buffer of this thread (cx_parallel_rows: at most nt threads) */
        int tid = omp_in_parallel() ? omp_get_thread_num() : 0;
        buf = c->ws + (int64_t)tid * c->wsz;
    }
    int64_t g = len >= HALF_BLOCK ? 1 : HALF_BLOCK / len;
    for (int64_t r = r0; r < r1; r += g) {
        int64_t nr = r1 - r < g ? r1 - r : g;
        fgi_to_f32_avx2(buf, x + r * len * 2, nr * len, dt);
        for (int64_t j = 0; j < nr; j++) norm_row(c, buf + j * len, buf + j * len, len);
        fgi_from_f32_avx2(d + r * len * 2, buf, nr * len, dt);
    }
}

static fg_status run(const fgi_call *call, bool layer)
{
    ctx c = {.call = call, .layer = layer};
    int64_t len = call->len;
    int nt = fgi_threads_for(call->out.numel);
    if (nt > call->outer) nt = (int)(call->outer > 0 ? call->outer : 1);
    bool half = call->dtype != FGI_F32;
    bool has_b = layer && call->has_bias;
    int nparams = (call->has_weight ? 1 : 0) + (has_b ? 1 : 0);
    int64_t rowbufs = half && len > HALF_BLOCK ? (int64_t)nt * len : 0;
    size_t bytes = half ? (size_t)(rowbufs + nparams * len) * sizeof(float) : 0;
    float *ws = NULL;
    if (bytes) {
        ws = fgi_alloc(bytes, layer ? "layer_norm row buffers" : "rms_norm row buffers");
        if (!ws) return FG_ERR_NO_MEMORY;
    }
    float *pw = ws ? ws + rowbufs : NULL;
    if (call->has_weight) {
        if (half) {
            fgi_to_f32_avx2(pw, call->in[1].data, len, call->dtype);
            c.w = pw;
            pw += len;
        } else {
            c.w = (const float *)call->in[1].data;
        }
    }
    if (has_b) {
        if (half) {
            fgi_to_f32_avx2(pw, call->in[2].data, len, call->dtype);
            c.b = pw;
        } else {
            c.b = (const float *)call->in[2].data;
        }
    }
    if (half) {
        c.ws = ws;
        c.wsz = len;
        cx_parallel_rows(nt, call->outer, rows_half, &c);
    } else {
        cx_parallel_rows(nt, call->outer, rows_f32, &c);
    }
    if (ws) fgi_free(ws, bytes);
    return FG_OK;
}

fg_status fgi_custom_layer_norm_h64_avx2(const fgi_call *call) { return run(call, true); }
fg_status fgi_custom_rms_norm_h64_avx2(const fgi_call *call) { return run(call, false); }
