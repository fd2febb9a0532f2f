/* Vectorized exp for the softmax kernels (AVX2 + FMA). Only for files
 * compiled with -mavx2 -mfma. */
#ifndef FGI_OPS_CPU_REDUCTION_VEXP_AVX2_H
#define FGI_OPS_CPU_REDUCTION_VEXP_AVX2_H

#include <immintrin.h>

/* exp(x) for x <= 88 (softmax feeds x - max <= 0) within 2e-7 relative
 * (about 3 ulp, 6x inside the float32 rtol of 1.3e-6): reduction by ln 2,
 * then a degree-5 minimax polynomial (coefficients fitted for relative error
 * on [-ln2/2, ln2/2]); two terms fewer than Cephes' expf, and that is most
 * of the softmax's arithmetic. Rounding by adding 1.5 * 2^23 leaves k in the
 * low mantissa bits, which then become the exponent of 2^k directly.
 * Arguments below -87.34, -Inf and NaN (max_ps returns its second operand
 * for a NaN) give 2^-126 instead of a denormal or NaN: far below every
 * tolerance; the softmax drivers poison NaN lanes through the scale factor. */
static inline __m256 rv_exp256(__m256 x)
{
    /* 1.5 * 2^23 + 127: kf's low mantissa bits hold k + 127, the biased
     * exponent of 2^k, so one shift builds the scale */
    const __m256 magic = _mm256_set1_ps(12583039.0f);
    x = _mm256_max_ps(x, _mm256_set1_ps(-87.33654f));
    __m256 kf = _mm256_fmadd_ps(x, _mm256_set1_ps(1.44269504088896341f), magic);
    __m256 k = _mm256_sub_ps(kf, magic);
    __m256 r = _mm256_fnmadd_ps(k, _mm256_set1_ps(0.693359375f), x);
    r = _mm256_fnmadd_ps(k, _mm256_set1_ps(-2.12194440e-4f), r);
    const __m256 one = _mm256_set1_ps(1.0f);
    __m256 p = _mm256_set1_ps(8.312525228e-03f);
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(4.189011455e-02f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.666711420e-01f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(4.999923110e-01f));
    p = _mm256_fmadd_ps(p, r, one);
    p = _mm256_fmadd_ps(p, r, one);
    return _mm256_mul_ps(p, _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_castps_si256(kf), 23)));
}

#endif
