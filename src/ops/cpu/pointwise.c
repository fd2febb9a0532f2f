/* Stable pointwise kernels, portable C. The inner loops are written so that
 * GCC vectorizes them for the baseline ISA (SSE2 on x86-64): branch-free
 * float32 math with selects instead of branches, and integer bit tricks
 * instead of float-to-int conversions of possibly-NaN values. The driver in
 * pointwise_driver.h does the layouts, dtypes and threads. */
#include <math.h>

#include "ops/cpu/pointwise_driver.h"
#include "ops/registry.h"

/* ------------------------------------------------------------ scalar math */

/* c ? t : f as bit operations. A ?: between computed floats keeps a branch
 * (GCC will not speculate float operations under trapping math, and it
 * threads constant arms into separate paths), which stops vectorization. */
static inline float select_f(int c, float t, float f)
{
    uint32_t m = 0u - (uint32_t)c;
    return fgi_bits_f32((fgi_f32_bits(t) & m) | (fgi_f32_bits(f) & ~m));
}

/* exp(x) as in vmath_avx2.h but without FMA: the Cephes split of ln2 into
 * C1 (9 significant bits, so n*C1 is exact) and C2, rounding to an integer
 * by adding 1.5*2^23, and 2^n applied as two factors so that results reach
 * into the denormals and overflow to +Inf where the rounded exp does. */
static inline float exp_f(float x)
{
    x = select_f(x > 89.0f, 89.0f, x); /* NaN compares false and stays NaN */
    x = select_f(x < -104.0f, -104.0f, x);
    const float magic = 12582912.0f;
    float t = x * 1.44269504088896341f + magic;
    float n = t - magic;
    float r = x - n * 0.693359375f;
    r = r - n * -2.12194440e-4f;
    /* Estrin's scheme: without FMA a Horner chain is 12 dependent steps */
    float r2 = r * r;
    float p01 = 1.6666665459e-1f * r + 5.0000001201e-1f;
    float p23 = 8.3334519073e-3f * r + 4.1665795894e-2f;
    float p45 = 1.9875691500e-4f * r + 1.3981999507e-3f;
    float p = (p45 * r2 + p23) * r2 + p01;
    p = p * r2 + (r + 1.0f);
    /* n from t's low bits: defined even when x is NaN (then p is NaN) */
    int32_t k = (int32_t)(fgi_f32_bits(t) - fgi_f32_bits(magic));
    int32_t k1 = k >> 1, k2 = k - k1;
    float s1 = fgi_bits_f32((uint32_t)(k1 + 127) << 23);
    float s2 = fgi_bits_f32((uint32_t)(k2 + 127) << 23);
    return p * s1 * s2;
}

/* x / (1 + exp(-cx)): silu, tanh-GELU and quick GELU; see vmath_avx2.h. */
static inline float x_sigmoid_f(float x, float cx) { return x / (1.0f + exp_f(-cx)); }

/* erfc(a) for a >= 0, Abramowitz-Stegun 7.1.26 (absolute error < 1.5e-7). */
static inline float erfc_abs_f(float a)
{
    float t = 1.0f / (1.0f + 0.3275911f * a);
    float q = 1.061405429f;
    q = q * t - 1.453152027f;
    q = q * t + 1.421413741f;
    q = q * t - 0.284496736f;
    q = q * t + 0.254829592f;
    return q * t * exp_f(-(a * a));
}

static inline float gelu_erf_f(float x)
{
    float h = 0.5f * erfc_abs_f(fabsf(x) * 0.70710678118654752f);
    return x * select_f(x < 0.0f, h, 1.0f - h);
}

static inline float gelu_tanh_f(float x)
{
    float inner = x + 0.044715f * (x * x) * x;
    return x_sigmoid_f(x, inner * (2.0f * 0.79788456080286536f));
}

/* ------------------------------------------------------------ inner loops */

/* y may be exactly a or b (in place): each iteration reads its inputs
 * before writing, and nothing is carried between iterations, which is what
 * ivdep asserts. */
#define FGI_PW_FOR(n) _Pragma("GCC ivdep") for (int64_t i = 0; i < (n); i++)

static void add_loop(float *y, const float *a, const float *b, int64_t n, const fgi_pw_ctx *c)
{
    if (c->alpha == 1.0) {
        FGI_PW_FOR(n) y[i] = a[i] + b[i];
    } else {
        /* in double like the reference: alpha * b is exact there for float
         * alpha and nearly so otherwise, so cancellation cannot hurt */
        double al = c->alpha;
        FGI_PW_FOR(n) y[i] = (float)((double)a[i] + al * (double)b[i]);
    }
}

static void mul_loop(float *y, const float *a, const float *b, int64_t n, const fgi_pw_ctx *c)
{
    FGI_PW_FOR(n) y[i] = a[i] * b[i];
}

static void relu_loop(float *y, const float *a, const float *b, int64_t n, const fgi_pw_ctx *c)
{
    FGI_PW_FOR(n) y[i] = 0.0f > a[i] ? 0.0f : a[i]; /* NaN: 0 > NaN is false */
}

static void gelu_loop(float *y, const float *a, const float *b, int64_t n, const fgi_pw_ctx *c)
{
    if (c->approx == FG_GELU_TANH) {
        FGI_PW_FOR(n) y[i] = gelu_tanh_f(a[i]);
    } else {
        FGI_PW_FOR(n) y[i] = gelu_erf_f(a[i]);
    }
}

static void silu_loop(float *y, const float *a, const float *b, int64_t n, const fgi_pw_ctx *c)
{
    FGI_PW_FOR(n) y[i] = x_sigmoid_f(a[i], a[i]);
}

static void exp_loop(float *y, const float *a, const float *b, int64_t n, const fgi_pw_ctx *c)
{
    FGI_PW_FOR(n) y[i] = exp_f(a[i]);
}

/* ------------------------------------------------------------ kernels */

/* float16 and bfloat16 go through float32 chunks (no 16-bit loops here). */
static fg_status run(const fgi_call *call, fgi_pw_loop loop)
{
    fgi_pw_loops loops = {.f32 = loop};
    return fgi_pw_run(call, loops, fgi_pw_ctx_of(call), 0);
}

fg_status fgi_cpu_add_generic(const fgi_call *call) { return run(call, add_loop); }
fg_status fgi_cpu_mul_generic(const fgi_call *call) { return run(call, mul_loop); }
fg_status fgi_cpu_relu_generic(const fgi_call *call) { return run(call, relu_loop); }
fg_status fgi_cpu_gelu_generic(const fgi_call *call) { return run(call, gelu_loop); }
fg_status fgi_cpu_silu_generic(const fgi_call *call) { return run(call, silu_loop); }
fg_status fgi_cpu_exp_generic(const fgi_call *call) { return run(call, exp_loop); }
