/* Vectorized float32 elementary functions on 8 lanes (AVX2 + FMA), for
 * kernels in *_avx2.c files. Accuracy targets the float32 tolerance of the
 * test suite (|err| <= 1e-4 + 1.3e-6 |ref|) over the whole float range, with
 * the special values a float64 reference produces: exp overflows to +Inf
 * above ln(FLT_MAX) ~ 88.7228 and underflows through the denormals to 0; erf
 * and tanh saturate to +-1; NaN propagates through every function. The error
 * figures in the comments were measured by sweeping float32 inputs against
 * libm in double. */
#ifndef FGI_OPS_CPU_VMATH_AVX2_H
#define FGI_OPS_CPU_VMATH_AVX2_H

#if !defined(__AVX2__) || !defined(__FMA__)
#error "vmath_avx2.h is for files compiled with -mavx2 -mfma (name them *_avx2.c)"
#endif

#include <immintrin.h>

/* Clamps to [lo, hi] keeping NaN: min/max return their second operand when
 * either is NaN, so x goes second. */
static inline __m256 fgi_v8_clamp(__m256 x, float lo, float hi)
{
    return _mm256_max_ps(_mm256_set1_ps(lo), _mm256_min_ps(_mm256_set1_ps(hi), x));
}

/* exp(x) for any x: Cody-Waite reduction x = n ln2 + r (|r| <= ln2/2) with
 * FMA, a degree-6 polynomial (Cephes expf coefficients), and 2^n applied as
 * two factors 2^(n/2) 2^(n - n/2) so that n in [-150, 128] scales into the
 * denormals and overflows to +Inf exactly where the rounded result does.
 * Relative error at most 1 ulp (1.2e-7) for normal results. */
static inline __m256 fgi_v8_exp_full(__m256 x)
{
    /* beyond these every result is 0 or +Inf; clamping keeps n in range */
    x = fgi_v8_clamp(x, -104.0f, 89.0f);
    __m256 n = _mm256_round_ps(_mm256_mul_ps(x, _mm256_set1_ps(1.44269504088896341f)),
                               _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m256 r = _mm256_fnmadd_ps(n, _mm256_set1_ps(0.693145751953125f), x);
    r = _mm256_fnmadd_ps(n, _mm256_set1_ps(1.428606765330187045e-06f), r);
    __m256 p = _mm256_set1_ps(1.9875691500e-4f);
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.3981999507e-3f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(8.3334519073e-3f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(4.1665795894e-2f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.6666665459e-1f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(5.0000001201e-1f));
    p = _mm256_fmadd_ps(p, _mm256_mul_ps(r, r), _mm256_add_ps(r, _mm256_set1_ps(1.0f)));
    /* NaN gives an arbitrary n, but p is NaN and so is the product */
    __m256i k = _mm256_cvtps_epi32(n);
    __m256i k1 = _mm256_srai_epi32(k, 1), k2 = _mm256_sub_epi32(k, k1);
    __m256i bias = _mm256_set1_epi32(127);
    __m256 s1 = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(k1, bias), 23));
    __m256 s2 = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(k2, bias), 23));
    return _mm256_mul_ps(_mm256_mul_ps(p, s1), s2);
}

/* exp(x), the same results as fgi_v8_exp_full, cheaper in the common case:
 * with every lane in [-86, 88] the result is a normal float, so n is
 * rounded by adding 1.5*2^23 and 2^n is applied by adding n to the exponent
 * field. A vector with any lane outside (or NaN) takes fgi_v8_exp_full. */
static inline __m256 fgi_v8_exp(__m256 x)
{
    const __m256 magic = _mm256_set1_ps(12582912.0f);
    __m256 t = _mm256_fmadd_ps(x, _mm256_set1_ps(1.44269504088896341f), magic);
    __m256 n = _mm256_sub_ps(t, magic);
    __m256 r = _mm256_fnmadd_ps(n, _mm256_set1_ps(0.693145751953125f), x);
    r = _mm256_fnmadd_ps(n, _mm256_set1_ps(1.428606765330187045e-06f), r);
    __m256 p = _mm256_set1_ps(1.9875691500e-4f);
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.3981999507e-3f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(8.3334519073e-3f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(4.1665795894e-2f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.6666665459e-1f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(5.0000001201e-1f));
    p = _mm256_fmadd_ps(p, _mm256_mul_ps(r, r), _mm256_add_ps(r, _mm256_set1_ps(1.0f)));
    __m256i k = _mm256_sub_epi32(_mm256_castps_si256(t), _mm256_castps_si256(magic));
    __m256 y = _mm256_castsi256_ps(
        _mm256_add_epi32(_mm256_castps_si256(p), _mm256_slli_epi32(k, 23)));
    __m256 out = _mm256_or_ps(_mm256_cmp_ps(x, _mm256_set1_ps(88.0f), _CMP_NLE_UQ),
                              _mm256_cmp_ps(x, _mm256_set1_ps(-86.0f), _CMP_NGE_UQ));
    if (__builtin_expect(_mm256_movemask_ps(out) != 0, 0)) return fgi_v8_exp_full(x);
    return y;
}

/* 1 / (1 + exp(-x)); 0 for x -> -Inf, 1 for x -> +Inf. Relative error
 * below 2.5e-7. */
static inline __m256 fgi_v8_sigmoid(__m256 x)
{
    __m256 one = _mm256_set1_ps(1.0f);
    __m256 e = fgi_v8_exp(_mm256_sub_ps(_mm256_setzero_ps(), x));
    return _mm256_div_ps(one, _mm256_add_ps(one, e));
}

/* x / (1 + exp(-cx)): silu (c = 1) and quick GELU (c = 1.702). A division
 * instead of x * sigmoid(cx) keeps full relative accuracy and gives the
 * special values of the same formula in float64: x = -Inf gives
 * -Inf / Inf = NaN, large negative x gives -0. */
static inline __m256 fgi_v8_x_sigmoid(__m256 x, __m256 cx)
{
    __m256 e = fgi_v8_exp(_mm256_sub_ps(_mm256_setzero_ps(), cx));
    return _mm256_div_ps(x, _mm256_add_ps(_mm256_set1_ps(1.0f), e));
}

/* erfc(a) for a = |z| >= 0 (Abramowitz-Stegun 7.1.26, absolute error below
 * 1.5e-7; nothing is subtracted from 1, so small results keep their
 * absolute accuracy). */
static inline __m256 fgi_v8_erfc_abs(__m256 a)
{
    __m256 one = _mm256_set1_ps(1.0f);
    __m256 t = _mm256_div_ps(one, _mm256_fmadd_ps(_mm256_set1_ps(0.3275911f), a, one));
    __m256 q = _mm256_set1_ps(1.061405429f);
    q = _mm256_fmadd_ps(q, t, _mm256_set1_ps(-1.453152027f));
    q = _mm256_fmadd_ps(q, t, _mm256_set1_ps(1.421413741f));
    q = _mm256_fmadd_ps(q, t, _mm256_set1_ps(-0.284496736f));
    q = _mm256_fmadd_ps(q, t, _mm256_set1_ps(0.254829592f));
    q = _mm256_mul_ps(q, t);
    __m256 e = fgi_v8_exp(_mm256_sub_ps(_mm256_setzero_ps(), _mm256_mul_ps(a, a)));
    return _mm256_mul_ps(q, e);
}

/* erf(z): Taylor series to z^15 for |z| < 0.5 (truncation error below
 * 1e-10 relative), 1 - erfc(|z|) above; relative error below 7e-7 (largest
 * just above 0.5). Saturates to +-1, NaN stays NaN. */
static inline __m256 fgi_v8_erf(__m256 z)
{
    __m256 sign = _mm256_set1_ps(-0.0f);
    __m256 a = _mm256_andnot_ps(sign, z);
    __m256 big = _mm256_sub_ps(_mm256_set1_ps(1.0f), fgi_v8_erfc_abs(a));
    big = _mm256_or_ps(big, _mm256_and_ps(z, sign));
    /* 2/sqrt(pi) * sum_k (-1)^k z^(2k+1) / (k! (2k+1)) */
    __m256 z2 = _mm256_mul_ps(z, z);
    __m256 s = _mm256_set1_ps(-1.1283791670955126f / 75600.0f);
    s = _mm256_fmadd_ps(s, z2, _mm256_set1_ps(1.1283791670955126f / 9360.0f));
    s = _mm256_fmadd_ps(s, z2, _mm256_set1_ps(-1.1283791670955126f / 1320.0f));
    s = _mm256_fmadd_ps(s, z2, _mm256_set1_ps(1.1283791670955126f / 216.0f));
    s = _mm256_fmadd_ps(s, z2, _mm256_set1_ps(-1.1283791670955126f / 42.0f));
    s = _mm256_fmadd_ps(s, z2, _mm256_set1_ps(1.1283791670955126f / 10.0f));
    s = _mm256_fmadd_ps(s, z2, _mm256_set1_ps(-1.1283791670955126f / 3.0f));
    s = _mm256_fmadd_ps(s, z2, _mm256_set1_ps(1.1283791670955126f));
    __m256 small = _mm256_mul_ps(s, z);
    /* NaN compares false and takes the erfc branch, which is NaN too */
    __m256 use_small = _mm256_cmp_ps(a, _mm256_set1_ps(0.5f), _CMP_LT_OQ);
    return _mm256_blendv_ps(big, small, use_small);
}

/* tanh(x): odd polynomial for |x| < 0.625 (Cephes tanhf), else
 * 1 - 2 / (exp(2|x|) + 1) with the sign of x; +-1 for large |x|. Relative
 * error below 2e-7. */
static inline __m256 fgi_v8_tanh(__m256 x)
{
    __m256 sign = _mm256_set1_ps(-0.0f), one = _mm256_set1_ps(1.0f);
    __m256 a = _mm256_andnot_ps(sign, x);
    __m256 e = fgi_v8_exp(_mm256_add_ps(a, a));
    __m256 big = _mm256_sub_ps(one, _mm256_div_ps(_mm256_set1_ps(2.0f), _mm256_add_ps(e, one)));
    big = _mm256_or_ps(big, _mm256_and_ps(x, sign));
    __m256 z = _mm256_mul_ps(x, x);
    __m256 p = _mm256_set1_ps(-5.70498872745e-3f);
    p = _mm256_fmadd_ps(p, z, _mm256_set1_ps(2.06390887954e-2f));
    p = _mm256_fmadd_ps(p, z, _mm256_set1_ps(-5.37397155531e-2f));
    p = _mm256_fmadd_ps(p, z, _mm256_set1_ps(1.33314422036e-1f));
    p = _mm256_fmadd_ps(p, z, _mm256_set1_ps(-3.33332819422e-1f));
    __m256 small = _mm256_fmadd_ps(_mm256_mul_ps(p, z), x, x);
    return _mm256_blendv_ps(big, small, _mm256_cmp_ps(a, _mm256_set1_ps(0.625f), _CMP_LT_OQ));
}

/* h(a) = 1 - Phi(a) = erfc(a / sqrt2) / 2 (erf GELU) and
 * h(a) = 1 - sigmoid(2y(a)), y(a) = sqrt(2/pi) (a + 0.044715 a^3) (tanh
 * GELU), for a >= 0, as degree-5 polynomials on 8 intervals of width 0.7f
 * covering [0, 5.6), in u = a - (interval centre 0.35f + k 0.7f); row j
 * holds the u^j coefficients of the 8 intervals. Chebyshev fits (mpmath, 40
 * digits), coefficients rounded to float32: absolute error below 1.7e-7.
 * Past 5.6 both are below 1.1e-8. */
static const float fgi_gelu_erf_tab[6][8] = {
    {3.631694913e-01f, 1.468591541e-01f, 4.005908594e-02f, 7.142776623e-03f, 8.163620951e-04f, 5.906535444e-05f, 2.683421144e-06f, 7.614042374e-08f},
    {-3.752402961e-01f, -2.298821956e-01f, -8.627733588e-02f, -1.983734034e-02f, -2.794256667e-03f, -2.411283058e-04f, -1.274783153e-05f, -4.128996522e-07f},
    {6.564626843e-02f, 1.206735596e-01f, 7.550344616e-02f, 2.430591173e-02f, 4.399538971e-03f, 4.632245109e-04f, 2.883515481e-05f, 1.070408985e-06f},
    {5.487288535e-02f, -3.920459189e-03f, -2.965623513e-02f, -1.654165797e-02f, -4.155627452e-03f, -5.552508519e-04f, -4.178645031e-05f, -1.820025318e-06f},
    {-1.529173926e-02f, -1.876610704e-02f, 1.570516906e-04f, 5.968242884e-03f, 2.569921315e-03f, 4.778441216e-04f, 4.635383812e-05f, 2.505036491e-06f},
    {-6.998207420e-03f, 4.450364038e-03f, 4.276500084e-03f, -4.490050778e-04f, -9.689813596e-04f, -2.741387580e-04f, -3.422870577e-05f, -2.221125442e-06f},
};
static const float fgi_gelu_tanh_tab[6][8] = {
    {3.631824553e-01f, 1.470210701e-01f, 4.011685401e-02f, 6.971065421e-03f, 7.047804538e-04f, 3.659735376e-05f, 8.477226743e-07f, 7.596644203e-09f},
    {-3.751357496e-01f, -2.297153026e-01f, -8.669367433e-02f, -1.994157396e-02f, -2.619780600e-03f, -1.744850451e-04f, -5.103013336e-06f, -5.656070101e-08f},
    {6.589913368e-02f, 1.203278154e-01f, 7.534394413e-02f, 2.469650470e-02f, 4.389711190e-03f, 3.848192282e-04f, 1.437835272e-05f, 1.950486705e-07f},
    {5.495120212e-02f, -4.293859936e-03f, -2.919031121e-02f, -1.661807671e-02f, -4.302806687e-03f, -5.197608261e-04f, -2.590004442e-05f, -4.601557748e-07f},
    {-1.558706071e-02f, -1.856452227e-02f, 2.215374407e-04f, 5.759189837e-03f, 2.661989769e-03f, 4.924850655e-04f, 3.611396460e-05f, 9.403473769e-07f},
    {-7.082848810e-03f, 4.672742449e-03f, 4.045550711e-03f, -3.505412024e-04f, -9.543030756e-04f, -2.982385049e-04f, -3.134823055e-05f, -1.074833790e-06f},
};

/* x - |x| h(|x|) for x >= 0 and -|x| h(|x|) for x < 0, i.e. x (1 - h) and
 * x h: both GELUs are x times a symmetric sigmoid-like function. Each lane's
 * 6 coefficients are picked with one permute each: no exp, no division.
 * Past 5.6 the value of h at 5.59 (~1e-8) is used: relative error 1e-8 for
 * x > 0, a result of about -6e-8 for x < 0. The first term is x where the
 * sign bit is clear and x * 0 where it is set: -0 for finite x < 0 but NaN
 * for x = -Inf, so that -Inf gives NaN and +Inf gives +Inf as the float64
 * formulas do; NaN stays NaN.
 * Measured over every float32 in [2^-7, 12]: error at most 0.31 of the
 * float32 rtol for x > 0 (no atol), absolute error below 1.7e-7 for x < 0. */
static inline __m256 fgi_v8_gelu_table(__m256 x, const float (*tab)[8])
{
    __m256 a = _mm256_andnot_ps(_mm256_set1_ps(-0.0f), x);
    /* NaN: min keeps it, cvtt turns it into an index whose low 3 bits (all
     * that permutes read) are in range, and the result is NaN anyway */
    __m256 ac = _mm256_min_ps(_mm256_set1_ps(5.59f), a);
    __m256i k = _mm256_cvttps_epi32(_mm256_mul_ps(ac, _mm256_set1_ps(1.0f / 0.7f)));
    __m256 u = _mm256_fnmadd_ps(_mm256_cvtepi32_ps(k), _mm256_set1_ps(0.7f),
                                _mm256_sub_ps(ac, _mm256_set1_ps(0.35f)));
    __m256 h = _mm256_permutevar8x32_ps(_mm256_loadu_ps(tab[5]), k);
    for (int j = 4; j >= 0; j--)
        h = _mm256_fmadd_ps(h, u, _mm256_permutevar8x32_ps(_mm256_loadu_ps(tab[j]), k));
    __m256 pos = _mm256_blendv_ps(x, _mm256_mul_ps(x, _mm256_setzero_ps()), x);
    return _mm256_fnmadd_ps(ac, h, pos);
}

/* GELU, erf form: 0.5 x (1 + erf(x / sqrt2)) = x Phi(x). */
static inline __m256 fgi_v8_gelu_erf(__m256 x) { return fgi_v8_gelu_table(x, fgi_gelu_erf_tab); }

/* GELU, tanh form: 0.5 x (1 + tanh(y)) = x sigmoid(2y). */
static inline __m256 fgi_v8_gelu_tanh(__m256 x) { return fgi_v8_gelu_table(x, fgi_gelu_tanh_tab); }

#endif
