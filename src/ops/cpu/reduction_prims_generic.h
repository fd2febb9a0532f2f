/* Portable inner loops of the reduction, softmax and norm kernels, over
 * contiguous float32. Plain C written so that GCC vectorizes it (independent
 * lane accumulators instead of one serial chain, no reassociation needed).
 * The drivers (reduction_driver.h, norm_driver.h) are written against these
 * names; reduction_prims_avx2.h defines the same set with intrinsics. */
#ifndef FGI_OPS_CPU_REDUCTION_PRIMS_GENERIC_H
#define FGI_OPS_CPU_REDUCTION_PRIMS_GENERIC_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "ops/cpu/reduction_common.h"

/* Float partial sums cover at most this many elements before they are added
 * in double: blocked summation keeps float32 sums over millions of elements
 * accurate at float speed. */
#define PK_BLOCK 4096
#define PK_LANES 16

static inline float pkg_sum_block(const float *restrict p, int64_t n)
{
    float acc[PK_LANES] = {0};
    int64_t i = 0;
    for (; i + PK_LANES <= n; i += PK_LANES)
        for (int j = 0; j < PK_LANES; j++) acc[j] += p[i + j];
    for (int j = 0; i < n; i++, j++) acc[j] += p[i];
    for (int w = PK_LANES / 2; w > 0; w >>= 1)
        for (int j = 0; j < w; j++) acc[j] += acc[j + w];
    return acc[0];
}

/* Sum of p[0..n). */
static inline double pk_sum(const float *p, int64_t n)
{
    double s = 0.0;
    for (int64_t i = 0; i < n; i += PK_BLOCK) s += pkg_sum_block(p + i, rc_min(PK_BLOCK, n - i));
    return s;
}

/* NaN-sticky max step: a NaN in v or a replaces a for good. `|`, not `||`:
 * no short-circuit branch, so the loops vectorize. */
static inline float pkg_max1(float a, float v) { return ((v > a) | (v != v)) ? v : a; }

/* max(m, p[0..n)), NaN if any of them is NaN. */
static inline float pk_max(const float *restrict p, int64_t n, float m)
{
    float acc[PK_LANES];
    for (int j = 0; j < PK_LANES; j++) acc[j] = m;
    int64_t i = 0;
    for (; i + PK_LANES <= n; i += PK_LANES)
        for (int j = 0; j < PK_LANES; j++) acc[j] = pkg_max1(acc[j], p[i + j]);
    for (int j = 0; i < n; i++, j++) acc[j] = pkg_max1(acc[j], p[i]);
    for (int w = PK_LANES / 2; w > 0; w >>= 1)
        for (int j = 0; j < w; j++) acc[j] = pkg_max1(acc[j], acc[j + w]);
    return acc[0];
}

/* Two-stream forms (see reduction_prims_avx2.h for why the drivers use
 * them): plain pairs of the one-stream loops in the portable build. */
static inline void pk_sum2(const float *a, const float *b, int64_t n, double *sa, double *sb)
{
    *sa = pk_sum(a, n);
    *sb = pk_sum(b, n);
}

static inline void pk_max2(const float *a, const float *b, int64_t n, float *ma, float *mb)
{
    *ma = pk_max(a, n, -INFINITY);
    *mb = pk_max(b, n, -INFINITY);
}

static inline void pk_acc_add2(float *restrict acc, const float *restrict p, const float *restrict q,
                               int64_t w)
{
    for (int64_t i = 0; i < w; i++) acc[i] += p[i] + q[i];
}

static inline void pk_acc_max2(float *restrict acc, const float *restrict p, const float *restrict q,
                               int64_t w)
{
    for (int64_t i = 0; i < w; i++) acc[i] = pkg_max1(pkg_max1(acc[i], p[i]), q[i]);
}

/* acc[i] += p[i] and acc[i] = max(acc[i], p[i]) (NaN-sticky), i < w. */
static inline void pk_acc_add(float *restrict acc, const float *restrict p, int64_t w)
{
    for (int64_t i = 0; i < w; i++) acc[i] += p[i];
}

static inline void pk_acc_max(float *restrict acc, const float *restrict p, int64_t w)
{
    for (int64_t i = 0; i < w; i++) acc[i] = pkg_max1(acc[i], p[i]);
}

static inline uint32_t pkg_bits(float f)
{
    uint32_t u;
    memcpy(&u, &f, sizeof u);
    return u;
}

static inline float pkg_float(uint32_t u)
{
    float f;
    memcpy(&f, &u, sizeof f);
    return f;
}

/* c ? a : b as a mask on the bits. A float `?:` is control flow to GCC
 * under the default -ftrapping-math and stops vectorization; this is not. */
static inline float pkg_select(int c, float a, float b)
{
    uint32_t m = 0u - (uint32_t)c;
    return pkg_float((pkg_bits(a) & m) | (pkg_bits(b) & ~m));
}

/* exp(x) for the softmax's x - max <= 0, within 2.1e-7 relative: the
 * reduction and degree-5 minimax polynomial of reduction_vexp_avx2.h, with
 * Cephes' two-part ln 2 so that no FMA is needed (k * 0.693359375f is
 * exact). Rounding by adding 1.5 * 2^23 + 127 leaves the biased exponent
 * of 2^k in kf's low bits. Arguments below -87.34 (so -Inf and NaN, which
 * compare false) give 2^-126 rather than a denormal: far below every
 * tolerance. */
static inline float pkg_exp(float x)
{
    x = pkg_select(x >= -87.33654f, x, -87.33654f);
    x = pkg_select(x <= 88.0f, x, 88.0f);
    float kf = x * 1.44269504088896341f + 12583039.0f;
    float k = kf - 12583039.0f;
    float r = x - k * 0.693359375f;
    r = r + k * 2.12194440e-4f;
    float p = 8.312525228e-03f;
    p = p * r + 4.189011455e-02f;
    p = p * r + 1.666711420e-01f;
    p = p * r + 4.999923110e-01f;
    p = p * r + 1.0f;
    p = p * r + 1.0f;
    return p * pkg_float(pkg_bits(kf) << 23);
}

/* e[i] = exp(x[i] - m); returns the sum of e. e may be x. */
static inline float pk_exp_sum_store(float *e, const float *x, int64_t n, float m)
{
    float acc[PK_LANES] = {0};
    int64_t i = 0;
    for (; i + PK_LANES <= n; i += PK_LANES)
        for (int j = 0; j < PK_LANES; j++) {
            float v = pkg_exp(x[i + j] - m);
            e[i + j] = v;
            acc[j] += v;
        }
    for (int j = 0; i < n; i++, j++) {
        float v = pkg_exp(x[i] - m);
        e[i] = v;
        acc[j] += v;
    }
    for (int w = PK_LANES / 2; w > 0; w >>= 1)
        for (int j = 0; j < w; j++) acc[j] += acc[j + w];
    return acc[0];
}

/* Sum of exp(x[i] - m). */
static inline float pk_exp_sum(const float *restrict x, int64_t n, float m)
{
    float acc[PK_LANES] = {0};
    int64_t i = 0;
    for (; i + PK_LANES <= n; i += PK_LANES)
        for (int j = 0; j < PK_LANES; j++) acc[j] += pkg_exp(x[i + j] - m);
    for (int j = 0; i < n; i++, j++) acc[j] += pkg_exp(x[i] - m);
    for (int w = PK_LANES / 2; w > 0; w >>= 1)
        for (int j = 0; j < w; j++) acc[j] += acc[j + w];
    return acc[0];
}

/* d[i] = s[i] * f. d may be s. `stream` (no cache allocation) is an AVX2-only
 * refinement. */
static inline void pk_scale(float *d, const float *s, int64_t n, float f, bool stream)
{
    (void)stream;
    for (int64_t i = 0; i < n; i++) d[i] = s[i] * f;
}

/* d[i] = exp(x[i] - m) * f. d may be x. */
static inline void pk_exp_scale(float *d, const float *x, int64_t n, float m, float f, bool stream)
{
    (void)stream;
    for (int64_t i = 0; i < n; i++) d[i] = pkg_exp(x[i] - m) * f;
}

/* Per-lane softmax steps across inner: acc[i] += exp(p[i] - m[i]) and
 * d[i] = exp(p[i] - m[i]) * f[i]. d may be p. */
static inline void pk_acc_exp_sum(float *restrict acc, const float *restrict p,
                                  const float *restrict m, int64_t w)
{
    for (int64_t i = 0; i < w; i++) acc[i] += pkg_exp(p[i] - m[i]);
}

/* Per-lane online softmax state (max m, sum s relative to m): folding in
 * values p[i] (pk_online) or another state (m2, s2) (pk_online_merge)
 * rescales s whenever the max rises. -Inf - -Inf is NaN, which pkg_exp
 * turns into 2^-126: an all -Inf lane keeps s near 0 and m = -Inf, and the
 * drivers poison lanes whose max is not finite anyway. */
static inline void pk_online(float *restrict m, float *restrict s, const float *restrict p, int64_t w)
{
    for (int64_t i = 0; i < w; i++) {
        float mo = m[i], mn = pkg_max1(mo, p[i]);
        s[i] = s[i] * pkg_exp(mo - mn) + pkg_exp(p[i] - mn);
        m[i] = mn;
    }
}

static inline void pk_online_merge(float *restrict m, float *restrict s, const float *restrict m2,
                                   const float *restrict s2, int64_t w)
{
    for (int64_t i = 0; i < w; i++) {
        float mo = m[i], mn = pkg_max1(mo, m2[i]);
        s[i] = s[i] * pkg_exp(mo - mn) + s2[i] * pkg_exp(m2[i] - mn);
        m[i] = mn;
    }
}

static inline void pk_exp_scale_lanes(float *d, const float *p, const float *restrict m,
                                      const float *restrict f, int64_t w)
{
    for (int64_t i = 0; i < w; i++) d[i] = pkg_exp(p[i] - m[i]) * f[i];
}

/* Sum of (p[i] - mean)^2 and of p[i]^2, in double: squares of float32 values
 * above 1.8e19 would overflow a float accumulator. */
static inline double pk_sum_sqdev(const float *restrict p, int64_t n, double mean)
{
    double acc[8] = {0};
    int64_t i = 0;
    for (; i + 8 <= n; i += 8)
        for (int j = 0; j < 8; j++) {
            double d = (double)p[i + j] - mean;
            acc[j] += d * d;
        }
    for (int j = 0; i < n; i++, j++) {
        double d = (double)p[i] - mean;
        acc[j] += d * d;
    }
    return ((acc[0] + acc[4]) + (acc[1] + acc[5])) + ((acc[2] + acc[6]) + (acc[3] + acc[7]));
}

static inline double pk_sum_sq(const float *p, int64_t n) { return pk_sum_sqdev(p, n, 0.0); }

/* layer_norm row: d = (x - mean) * rstd * w + b; w and b may be NULL. mean
 * is split into two floats so a large mean costs no precision. d may be x. */
static inline void pk_ln_write(float *d, const float *x, int64_t n, double mean, double rstd,
                               const float *restrict w, const float *restrict b, bool stream)
{
    (void)stream;
    float mh = (float)mean, ml = (float)(mean - (double)mh), r = (float)rstd;
    if (w && b)
        for (int64_t i = 0; i < n; i++) d[i] = ((x[i] - mh) - ml) * r * w[i] + b[i];
    else if (w)
        for (int64_t i = 0; i < n; i++) d[i] = ((x[i] - mh) - ml) * r * w[i];
    else if (b)
        for (int64_t i = 0; i < n; i++) d[i] = ((x[i] - mh) - ml) * r + b[i];
    else
        for (int64_t i = 0; i < n; i++) d[i] = ((x[i] - mh) - ml) * r;
}

/* rms_norm row: d = x * rstd * w; w may be NULL. d may be x. */
static inline void pk_rms_write(float *d, const float *x, int64_t n, double rstd,
                                const float *restrict w, bool stream)
{
    (void)stream;
    float r = (float)rstd;
    if (w)
        for (int64_t i = 0; i < n; i++) d[i] = x[i] * r * w[i];
    else
        for (int64_t i = 0; i < n; i++) d[i] = x[i] * r;
}

/* Orders streaming stores before the thread ends its work: nothing to do
 * without them. */
static inline void pk_fence(void) {}

/* Prefetching is an AVX2-file refinement; the hardware prefetcher serves the
 * portable build. */
static inline void pk_prefetch(const void *p, int64_t bytes)
{
    (void)p;
    (void)bytes;
}

#endif
