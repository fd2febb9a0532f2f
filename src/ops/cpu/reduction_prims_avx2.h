/* AVX2 + FMA inner loops of the reduction, softmax and norm kernels: the same
 * set of pk_* functions as reduction_prims_generic.h (see there for what each
 * computes), over contiguous float32. Only for *_avx2.c files. */
#ifndef FGI_OPS_CPU_REDUCTION_PRIMS_AVX2_H
#define FGI_OPS_CPU_REDUCTION_PRIMS_AVX2_H

#include <immintrin.h>
#include <stdbool.h>
#include <stdint.h>

#include "ops/cpu/reduction_common.h"
#include "ops/cpu/reduction_vexp_avx2.h"

#define PK_BLOCK 4096
#define PK_INLINE static inline __attribute__((always_inline))

/* Lanes [0, k) on, k in [0, 8]. */
PK_INLINE __m256i pkv_mask(int64_t k)
{
    return _mm256_cmpgt_epi32(_mm256_set1_epi32((int)k), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}

PK_INLINE float pkv_hsum(__m256 v)
{
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

/* NaN-sticky max: max_ps(v, a) keeps a NaN in a (it returns its second
 * operand when one is NaN); the blend then lets a NaN in v in. */
PK_INLINE __m256 pkv_max(__m256 a, __m256 v)
{
    return _mm256_blendv_ps(_mm256_max_ps(v, a), v, _mm256_cmp_ps(v, v, _CMP_UNORD_Q));
}

PK_INLINE float pkv_hmax(__m256 v)
{
    float t[8], m;
    _mm256_storeu_ps(t, v);
    m = t[0];
    for (int j = 1; j < 8; j++) m = (t[j] > m || t[j] != t[j]) ? t[j] : m;
    return m;
}

/* Float sum of at most PK_BLOCK elements, four independent chains. */
static inline float pkv_sum_block(const float *p, int64_t n)
{
    __m256 a0 = _mm256_setzero_ps(), a1 = a0, a2 = a0, a3 = a0;
    int64_t i = 0;
    for (; i + 32 <= n; i += 32) {
        a0 = _mm256_add_ps(a0, _mm256_loadu_ps(p + i));
        a1 = _mm256_add_ps(a1, _mm256_loadu_ps(p + i + 8));
        a2 = _mm256_add_ps(a2, _mm256_loadu_ps(p + i + 16));
        a3 = _mm256_add_ps(a3, _mm256_loadu_ps(p + i + 24));
    }
    for (; i + 8 <= n; i += 8) a0 = _mm256_add_ps(a0, _mm256_loadu_ps(p + i));
    if (i < n) a1 = _mm256_add_ps(a1, _mm256_maskload_ps(p + i, pkv_mask(n - i)));
    return pkv_hsum(_mm256_add_ps(_mm256_add_ps(a0, a1), _mm256_add_ps(a2, a3)));
}

static inline double pk_sum(const float *p, int64_t n)
{
    double s = 0.0;
    for (int64_t i = 0; i < n; i += PK_BLOCK) s += pkv_sum_block(p + i, rc_min(PK_BLOCK, n - i));
    return s;
}

static inline float pk_max(const float *p, int64_t n, float m)
{
    __m256 a0 = _mm256_set1_ps(m), a1 = a0, a2 = a0, a3 = a0;
    int64_t i = 0;
    for (; i + 32 <= n; i += 32) {
        a0 = pkv_max(a0, _mm256_loadu_ps(p + i));
        a1 = pkv_max(a1, _mm256_loadu_ps(p + i + 8));
        a2 = pkv_max(a2, _mm256_loadu_ps(p + i + 16));
        a3 = pkv_max(a3, _mm256_loadu_ps(p + i + 24));
    }
    for (; i + 8 <= n; i += 8) a0 = pkv_max(a0, _mm256_loadu_ps(p + i));
    float r = pkv_hmax(pkv_max(pkv_max(a0, a1), pkv_max(a2, a3)));
    for (; i < n; i++) r = (p[i] > r || p[i] != p[i]) ? p[i] : r;
    return r;
}

/* Two-stream forms: one hardware prefetch stream per core leaves read
 * bandwidth unused (measured here: 17-20 GB/s with one stream per thread,
 * 22-25 GB/s with two, for 2 threads), so the drivers walk two distant
 * regions at once. pk_sum2 / pk_max2: results for a and for b, n each. */
static inline void pkv_sum2_block(const float *a, const float *b, int64_t n, float *ra, float *rb)
{
    __m256 a0 = _mm256_setzero_ps(), a1 = a0, b0 = a0, b1 = a0;
    int64_t i = 0;
    for (; i + 16 <= n; i += 16) {
        a0 = _mm256_add_ps(a0, _mm256_loadu_ps(a + i));
        b0 = _mm256_add_ps(b0, _mm256_loadu_ps(b + i));
        a1 = _mm256_add_ps(a1, _mm256_loadu_ps(a + i + 8));
        b1 = _mm256_add_ps(b1, _mm256_loadu_ps(b + i + 8));
    }
    for (; i < n; i += 8) {
        __m256i k = pkv_mask(n - i);
        a0 = _mm256_add_ps(a0, _mm256_maskload_ps(a + i, k));
        b0 = _mm256_add_ps(b0, _mm256_maskload_ps(b + i, k));
    }
    *ra = pkv_hsum(_mm256_add_ps(a0, a1));
    *rb = pkv_hsum(_mm256_add_ps(b0, b1));
}

static inline void pk_sum2(const float *a, const float *b, int64_t n, double *sa, double *sb)
{
    double x = 0.0, y = 0.0;
    for (int64_t i = 0; i < n; i += PK_BLOCK) {
        float u, v;
        pkv_sum2_block(a + i, b + i, rc_min(PK_BLOCK, n - i), &u, &v);
        x += u;
        y += v;
    }
    *sa = x;
    *sb = y;
}

static inline void pk_max2(const float *a, const float *b, int64_t n, float *ma, float *mb)
{
    __m256 a0 = _mm256_set1_ps(-INFINITY), a1 = a0, b0 = a0, b1 = a0;
    int64_t i = 0;
    for (; i + 16 <= n; i += 16) {
        a0 = pkv_max(a0, _mm256_loadu_ps(a + i));
        b0 = pkv_max(b0, _mm256_loadu_ps(b + i));
        a1 = pkv_max(a1, _mm256_loadu_ps(a + i + 8));
        b1 = pkv_max(b1, _mm256_loadu_ps(b + i + 8));
    }
    float x = pkv_hmax(pkv_max(a0, a1)), y = pkv_hmax(pkv_max(b0, b1));
    for (; i < n; i++) {
        x = (a[i] > x || a[i] != a[i]) ? a[i] : x;
        y = (b[i] > y || b[i] != b[i]) ? b[i] : y;
    }
    *ma = x;
    *mb = y;
}

/* acc[i] += p[i] + q[i] and acc[i] = max(acc[i], p[i], q[i]). */
static inline void pk_acc_add2(float *acc, const float *p, const float *q, int64_t w)
{
    int64_t i = 0;
    for (; i + 8 <= w; i += 8)
        _mm256_storeu_ps(acc + i, _mm256_add_ps(_mm256_loadu_ps(acc + i),
                                                _mm256_add_ps(_mm256_loadu_ps(p + i), _mm256_loadu_ps(q + i))));
    for (; i < w; i++) acc[i] += p[i] + q[i];
}

static inline void pk_acc_max2(float *acc, const float *p, const float *q, int64_t w)
{
    int64_t i = 0;
    for (; i + 8 <= w; i += 8)
        _mm256_storeu_ps(acc + i, pkv_max(pkv_max(_mm256_loadu_ps(acc + i), _mm256_loadu_ps(p + i)),
                                          _mm256_loadu_ps(q + i)));
    for (; i < w; i++) {
        acc[i] = (p[i] > acc[i] || p[i] != p[i]) ? p[i] : acc[i];
        acc[i] = (q[i] > acc[i] || q[i] != q[i]) ? q[i] : acc[i];
    }
}

static inline void pk_acc_add(float *acc, const float *p, int64_t w)
{
    int64_t i = 0;
    for (; i + 8 <= w; i += 8)
        _mm256_storeu_ps(acc + i, _mm256_add_ps(_mm256_loadu_ps(acc + i), _mm256_loadu_ps(p + i)));
    if (i < w) {
        __m256i k = pkv_mask(w - i);
        _mm256_maskstore_ps(acc + i, k,
                            _mm256_add_ps(_mm256_maskload_ps(acc + i, k), _mm256_maskload_ps(p + i, k)));
    }
}

static inline void pk_acc_max(float *acc, const float *p, int64_t w)
{
    int64_t i = 0;
    for (; i + 8 <= w; i += 8)
        _mm256_storeu_ps(acc + i, pkv_max(_mm256_loadu_ps(acc + i), _mm256_loadu_ps(p + i)));
    for (; i < w; i++) acc[i] = (p[i] > acc[i] || p[i] != p[i]) ? p[i] : acc[i];
}

/* One accumulator: adding the pair first keeps the loop-carried chain at
 * one add per 16 elements and leaves registers for the exp's constants. */
static inline float pk_exp_sum_store(float *e, const float *x, int64_t n, float m)
{
    __m256 mv = _mm256_set1_ps(m), acc = _mm256_setzero_ps();
    int64_t i = 0;
    for (; i + 16 <= n; i += 16) {
        __m256 v0 = rv_exp256(_mm256_sub_ps(_mm256_loadu_ps(x + i), mv));
        __m256 v1 = rv_exp256(_mm256_sub_ps(_mm256_loadu_ps(x + i + 8), mv));
        _mm256_storeu_ps(e + i, v0);
        _mm256_storeu_ps(e + i + 8, v1);
        acc = _mm256_add_ps(acc, _mm256_add_ps(v0, v1));
    }
    for (; i < n; i += 8) {
        __m256i k = pkv_mask(n - i);
        __m256 v = rv_exp256(_mm256_sub_ps(_mm256_maskload_ps(x + i, k), mv));
        v = _mm256_and_ps(v, _mm256_castsi256_ps(k));
        _mm256_maskstore_ps(e + i, k, v);
        acc = _mm256_add_ps(acc, v);
    }
    return pkv_hsum(acc);
}

static inline float pk_exp_sum(const float *x, int64_t n, float m)
{
    __m256 mv = _mm256_set1_ps(m), acc = _mm256_setzero_ps();
    int64_t i = 0;
    for (; i + 16 <= n; i += 16) {
        __m256 v0 = rv_exp256(_mm256_sub_ps(_mm256_loadu_ps(x + i), mv));
        __m256 v1 = rv_exp256(_mm256_sub_ps(_mm256_loadu_ps(x + i + 8), mv));
        acc = _mm256_add_ps(acc, _mm256_add_ps(v0, v1));
    }
    for (; i < n; i += 8) {
        __m256i k = pkv_mask(n - i);
        __m256 v = rv_exp256(_mm256_sub_ps(_mm256_maskload_ps(x + i, k), mv));
        acc = _mm256_add_ps(acc, _mm256_and_ps(v, _mm256_castsi256_ps(k)));
    }
    return pkv_hsum(acc);
}

static inline void pk_acc_exp_sum(float *acc, const float *p, const float *m, int64_t w)
{
    int64_t i = 0;
    for (; i + 8 <= w; i += 8) {
        __m256 v = rv_exp256(_mm256_sub_ps(_mm256_loadu_ps(p + i), _mm256_loadu_ps(m + i)));
        _mm256_storeu_ps(acc + i, _mm256_add_ps(_mm256_loadu_ps(acc + i), v));
    }
    if (i < w) {
        __m256i k = pkv_mask(w - i);
        __m256 v = rv_exp256(_mm256_sub_ps(_mm256_maskload_ps(p + i, k), _mm256_maskload_ps(m + i, k)));
        _mm256_maskstore_ps(acc + i, k, _mm256_add_ps(_mm256_maskload_ps(acc + i, k), v));
    }
}

/* Per-lane online softmax state; see reduction_prims_generic.h. After the
 * first rows a lane's max rarely rises, so the rescaling exp is skipped
 * when no lane of the vector changed (NaN compares unequal: it rescales). */
PK_INLINE __m256 pkv_online(__m256 mo, __m256 v, __m256 *s)
{
    __m256 mn = pkv_max(mo, v), sv = *s;
    if (_mm256_movemask_ps(_mm256_cmp_ps(mn, mo, _CMP_NEQ_UQ)))
        sv = _mm256_mul_ps(sv, rv_exp256(_mm256_sub_ps(mo, mn)));
    *s = _mm256_add_ps(sv, rv_exp256(_mm256_sub_ps(v, mn)));
    return mn;
}

static inline void pk_online(float *m, float *s, const float *p, int64_t w)
{
    int64_t i = 0;
    for (; i + 8 <= w; i += 8) {
        __m256 sv = _mm256_loadu_ps(s + i);
        _mm256_storeu_ps(m + i, pkv_online(_mm256_loadu_ps(m + i), _mm256_loadu_ps(p + i), &sv));
        _mm256_storeu_ps(s + i, sv);
    }
    if (i < w) {
        __m256i k = pkv_mask(w - i);
        __m256 sv = _mm256_maskload_ps(s + i, k);
        __m256 mn = pkv_online(_mm256_maskload_ps(m + i, k), _mm256_maskload_ps(p + i, k), &sv);
        _mm256_maskstore_ps(m + i, k, mn);
        _mm256_maskstore_ps(s + i, k, sv);
    }
}

static inline void pk_online_merge(float *m, float *s, const float *m2, const float *s2, int64_t w)
{
    int64_t i = 0;
    for (; i < w; i += 8) {
        __m256i k = i + 8 <= w ? _mm256_set1_epi32(-1) : pkv_mask(w - i);
        __m256 mo = _mm256_maskload_ps(m + i, k), v = _mm256_maskload_ps(m2 + i, k), mn = pkv_max(mo, v);
        __m256 t = _mm256_mul_ps(_mm256_maskload_ps(s2 + i, k), rv_exp256(_mm256_sub_ps(v, mn)));
        _mm256_maskstore_ps(s + i, k, _mm256_fmadd_ps(_mm256_maskload_ps(s + i, k), rv_exp256(_mm256_sub_ps(mo, mn)), t));
        _mm256_maskstore_ps(m + i, k, mn);
    }
}

/* Elementwise output maps, one loop for all: d[i] = f(inputs at i). `kind`
 * is a constant at every call site, so after inlining the switch folds away.
 * Streaming stores need 32-byte alignment: a masked head reaches it. */
enum { PKM_SCALE, PKM_EXP_SCALE, PKM_EXP_SCALE_LANES, PKM_LN, PKM_RMS };

typedef struct pkm_args {
    const float *x, *w, *b, *m, *f;
    float s0, s1, s2; /* SCALE: f; EXP_SCALE: m, f; LN: mean hi, mean lo, rstd; RMS: rstd */
} pkm_args;

PK_INLINE __m256 pkm_load(const float *p, __m256i k, bool full)
{
    return full ? _mm256_loadu_ps(p) : _mm256_maskload_ps(p, k);
}

PK_INLINE __m256 pkm_eval(int kind, const pkm_args *a, int64_t i, __m256i k, bool full)
{
    __m256 x = pkm_load(a->x + i, k, full), y;
    switch (kind) {
    case PKM_SCALE: return _mm256_mul_ps(x, _mm256_set1_ps(a->s0));
    case PKM_EXP_SCALE:
        return _mm256_mul_ps(rv_exp256(_mm256_sub_ps(x, _mm256_set1_ps(a->s0))), _mm256_set1_ps(a->s1));
    case PKM_EXP_SCALE_LANES:
        return _mm256_mul_ps(rv_exp256(_mm256_sub_ps(x, pkm_load(a->m + i, k, full))),
                             pkm_load(a->f + i, k, full));
    case PKM_LN:
        y = _mm256_sub_ps(_mm256_sub_ps(x, _mm256_set1_ps(a->s0)), _mm256_set1_ps(a->s1));
        y = _mm256_mul_ps(y, _mm256_set1_ps(a->s2));
        if (a->w && a->b) return _mm256_fmadd_ps(y, pkm_load(a->w + i, k, full), pkm_load(a->b + i, k, full));
        if (a->w) return _mm256_mul_ps(y, pkm_load(a->w + i, k, full));
        if (a->b) return _mm256_add_ps(y, pkm_load(a->b + i, k, full));
        return y;
    default: /* PKM_RMS */
        y = _mm256_mul_ps(x, _mm256_set1_ps(a->s0));
        return a->w ? _mm256_mul_ps(y, pkm_load(a->w + i, k, full)) : y;
    }
}

PK_INLINE void pkm_run(int kind, float *d, int64_t n, bool stream, const pkm_args *a)
{
    __m256i all = _mm256_set1_epi32(-1);
    int64_t i = 0;
    if (stream) {
        /* d is float-aligned, so a head of 0..7 elements reaches 32 bytes */
        int64_t head = rc_min(n, (int64_t)((32 - ((uintptr_t)d & 31)) & 31) / 4);
        if (head > 0) {
            __m256i k = pkv_mask(head);
            _mm256_maskstore_ps(d, k, pkm_eval(kind, a, 0, k, false));
            i = head;
        }
    }
    if (stream) {
        for (; i + 8 <= n; i += 8) _mm256_stream_ps(d + i, pkm_eval(kind, a, i, all, true));
    } else {
        for (; i + 8 <= n; i += 8) _mm256_storeu_ps(d + i, pkm_eval(kind, a, i, all, true));
    }
    if (i < n) {
        __m256i k = pkv_mask(n - i);
        _mm256_maskstore_ps(d + i, k, pkm_eval(kind, a, i, k, false));
    }
}

static inline void pk_scale(float *d, const float *s, int64_t n, float f, bool stream)
{
    pkm_args a = {.x = s, .s0 = f};
    pkm_run(PKM_SCALE, d, n, stream, &a);
}

static inline void pk_exp_scale(float *d, const float *x, int64_t n, float m, float f, bool stream)
{
    pkm_args a = {.x = x, .s0 = m, .s1 = f};
    pkm_run(PKM_EXP_SCALE, d, n, stream, &a);
}

static inline void pk_exp_scale_lanes(float *d, const float *p, const float *m, const float *f, int64_t w)
{
    pkm_args a = {.x = p, .m = m, .f = f};
    pkm_run(PKM_EXP_SCALE_LANES, d, w, false, &a);
}

static inline void pk_ln_write(float *d, const float *x, int64_t n, double mean, double rstd,
                               const float *w, const float *b, bool stream)
{
    float mh = (float)mean;
    pkm_args a = {.x = x, .w = w, .b = b, .s0 = mh, .s1 = (float)(mean - (double)mh), .s2 = (float)rstd};
    pkm_run(PKM_LN, d, n, stream, &a);
}

static inline void pk_rms_write(float *d, const float *x, int64_t n, double rstd, const float *w,
                                bool stream)
{
    pkm_args a = {.x = x, .w = w, .s0 = (float)rstd};
    pkm_run(PKM_RMS, d, n, stream, &a);
}

/* Sum of (p[i] - mean)^2 in double (squares of large float32 values would
 * overflow a float accumulator); four chains of four doubles. */
static inline double pk_sum_sqdev(const float *p, int64_t n, double mean)
{
    __m256d mv = _mm256_set1_pd(mean), a0 = _mm256_setzero_pd(), a1 = a0, a2 = a0, a3 = a0;
    int64_t i = 0;
    for (; i + 16 <= n; i += 16) {
        __m256 v0 = _mm256_loadu_ps(p + i), v1 = _mm256_loadu_ps(p + i + 8);
        __m256d d0 = _mm256_sub_pd(_mm256_cvtps_pd(_mm256_castps256_ps128(v0)), mv);
        __m256d d1 = _mm256_sub_pd(_mm256_cvtps_pd(_mm256_extractf128_ps(v0, 1)), mv);
        __m256d d2 = _mm256_sub_pd(_mm256_cvtps_pd(_mm256_castps256_ps128(v1)), mv);
        __m256d d3 = _mm256_sub_pd(_mm256_cvtps_pd(_mm256_extractf128_ps(v1, 1)), mv);
        a0 = _mm256_fmadd_pd(d0, d0, a0);
        a1 = _mm256_fmadd_pd(d1, d1, a1);
        a2 = _mm256_fmadd_pd(d2, d2, a2);
        a3 = _mm256_fmadd_pd(d3, d3, a3);
    }
    for (; i + 4 <= n; i += 4) {
        __m256d d0 = _mm256_sub_pd(_mm256_cvtps_pd(_mm_loadu_ps(p + i)), mv);
        a0 = _mm256_fmadd_pd(d0, d0, a0);
    }
    __m256d s = _mm256_add_pd(_mm256_add_pd(a0, a1), _mm256_add_pd(a2, a3));
    __m128d h = _mm_add_pd(_mm256_castpd256_pd128(s), _mm256_extractf128_pd(s, 1));
    double r = _mm_cvtsd_f64(_mm_add_sd(h, _mm_unpackhi_pd(h, h)));
    for (; i < n; i++) {
        double dd = (double)p[i] - mean;
        r += dd * dd;
    }
    return r;
}

static inline double pk_sum_sq(const float *p, int64_t n) { return pk_sum_sqdev(p, n, 0.0); }

static inline void pk_fence(void) { _mm_sfence(); }

/* Asks for the cache lines of [p, p + bytes) ahead of use. */
static inline void pk_prefetch(const void *p, int64_t bytes)
{
    for (int64_t b = 0; b < bytes; b += 64) _mm_prefetch((const char *)p + b, _MM_HINT_T0);
}

#endif
