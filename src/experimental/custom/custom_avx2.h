/* Inner loops shared by the custom AVX2 kernels (only for *_avx2.c files):
 * lane masks, horizontal sums, a short exp for non-positive arguments, stores
 * that stream large outputs past the cache, and row-parallel drivers. */
#ifndef FGI_EXPERIMENTAL_CUSTOM_AVX2_H
#define FGI_EXPERIMENTAL_CUSTOM_AVX2_H

#if !defined(__AVX2__) || !defined(__FMA__)
#error "custom_avx2.h is for files compiled with -mavx2 -mfma (name them *_avx2.c)"
#endif

#include <immintrin.h>
#include <omp.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/cpu.h"
#include "ops/kernel.h"

#define CX_INLINE static inline __attribute__((always_inline))

/* float32 outputs at least this large are written with streaming stores:
 * they leave the cache anyway, and skipping the read-for-ownership saves a
 * third of the memory traffic (the stable kernels use the same bound). */
#define CX_STREAM_BYTES ((int64_t)16 << 20)

/* Lanes [0, k) on, k in [0, 8]. */
CX_INLINE __m256i cx_mask(int64_t k)
{
    return _mm256_cmpgt_epi32(_mm256_set1_epi32((int)k), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}

CX_INLINE float cx_hsum(__m256 v)
{
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

CX_INLINE float cx_hmax(__m256 v)
{
    __m128 s = _mm_max_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_max_ps(s, _mm_movehl_ps(s, s));
    s = _mm_max_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

/* Adds the 8 lanes of v to a double accumulator vector pair: sums of up
 * to a few hundred floats stay in float, longer ones continue in double. */
CX_INLINE __m256d cx_widen_sum(__m256 v)
{
    return _mm256_add_pd(_mm256_cvtps_pd(_mm256_castps256_ps128(v)),
                         _mm256_cvtps_pd(_mm256_extractf128_ps(v, 1)));
}

CX_INLINE double cx_hsum_pd(__m256d v)
{
    __m128d h = _mm_add_pd(_mm256_castpd256_pd128(v), _mm256_extractf128_pd(v, 1));
    return _mm_cvtsd_f64(_mm_add_sd(h, _mm_unpackhi_pd(h, h)));
}

/* exp(x) for x <= 88.7 where a relative error of 3e-6 is plenty (softmax,
 * x <= 0: its outputs are at most 1 and are judged with an absolute
 * tolerance of 1e-4; fast_gelu's sigmoid denominator).
 * exp(x) = 2^n 2^f with n = round(x log2 e) and f = x log2 e - n in
 * [-0.5, 0.5] (one FMA keeps the product exact), 2^f a degree-4 minimax
 * polynomial (relative error 2.7e-6 evaluated in float32; fitted with a
 * Lawson iteration over Chebyshev nodes): 11 vector operations against
 * 17 for a Cody-Waite exp with Cephes' degree-6 polynomial. The argument is
 * clamped at -87.3 so that 2^n stays a normal number and can be applied by
 * adding n to the exponent field: arguments below give 2^-126 instead of a
 * denormal or 0, an absolute error below 1.2e-38. */
CX_INLINE __m256 cx_exp_neg_fast(__m256 x)
{
    const __m256 magic = _mm256_set1_ps(12582912.0f), log2e = _mm256_set1_ps(1.44269504088896341f);
    x = _mm256_max_ps(x, _mm256_set1_ps(-87.3f));
    __m256 t = _mm256_fmadd_ps(x, log2e, magic);
    __m256 f = _mm256_fmsub_ps(x, log2e, _mm256_sub_ps(t, magic));
    __m256 p = _mm256_set1_ps(9.570101276e-03f);
    p = _mm256_fmadd_ps(p, f, _mm256_set1_ps(5.591785908e-02f));
    p = _mm256_fmadd_ps(p, f, _mm256_set1_ps(2.402474433e-01f));
    p = _mm256_fmadd_ps(p, f, _mm256_set1_ps(6.931217909e-01f));
    p = _mm256_fmadd_ps(p, f, _mm256_set1_ps(9.999992847e-01f));
    __m256i k = _mm256_slli_epi32(_mm256_sub_epi32(_mm256_castps_si256(t), _mm256_castps_si256(magic)), 23);
    return _mm256_castsi256_ps(_mm256_add_epi32(_mm256_castps_si256(p), k));
}

/* Stores v to d (8 floats): streaming when asked (d must then be 32-byte
 * aligned), else unaligned. */
CX_INLINE void cx_store(float *d, __m256 v, bool stream)
{
    if (stream)
        _mm256_stream_ps(d, v);
    else
        _mm256_storeu_ps(d, v);
}

/* Runs fn(ctx, r0, r1) over rows [0, rows) on up to nt threads, each taking
 * one contiguous block. One thread: no OpenMP region at all, which matters
 * for the many small calls these kernels are made for. */
typedef void (*cx_rows_fn)(void *ctx, int64_t r0, int64_t r1);

static inline void cx_parallel_rows(int nt, int64_t rows, cx_rows_fn fn, void *ctx)
{
    if (rows <= 0) return;
    if (nt > rows) nt = (int)rows;
    if (nt <= 1) {
        fn(ctx, 0, rows);
        return;
    }
#pragma omp parallel num_threads(nt)
    {
        int tid = omp_get_thread_num(), n = omp_get_num_threads();
        int64_t a = rows * tid / n, b = rows * (tid + 1) / n;
        if (a < b) fn(ctx, a, b);
    }
}

#endif
