/* AVX2 support code shared by the generated kernels (hand-written, not
 * generated; only for *_avx2.c files): 8-lane loads and stores of every
 * dtype, partial vectors, and the custom kernels' inner helpers
 * (custom_avx2.h: masks, horizontal sums, the short exp). */
#ifndef FGI_EXPERIMENTAL_GENERATED_GEN_AVX2_H
#define FGI_EXPERIMENTAL_GENERATED_GEN_AVX2_H

#include "core/dtype_avx2.h"
#include "experimental/custom/custom_avx2.h"
#include "experimental/generated/gen_common.h"
#include "ops/cpu/vmath_avx2.h"

/* 8 elements as float32, and back (round to nearest even; NaN stays NaN).
 * nt_*: non-temporal stores (address aligned to the 8-element vector). */
CX_INLINE __m256 gx_ld_f32(const float *p) { return _mm256_loadu_ps(p); }
CX_INLINE void gx_st_f32(float *p, __m256 v) { _mm256_storeu_ps(p, v); }
CX_INLINE void gx_nt_f32(float *p, __m256 v) { _mm256_stream_ps(p, v); }

CX_INLINE __m256 gx_ld_f16(const uint16_t *p) { return _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)p)); }
CX_INLINE void gx_st_f16(uint16_t *p, __m256 v)
{
    _mm_storeu_si128((__m128i *)p, _mm256_cvtps_ph(v, _MM_FROUND_TO_NEAREST_INT));
}
CX_INLINE void gx_nt_f16(uint16_t *p, __m256 v)
{
    _mm_stream_si128((__m128i *)p, _mm256_cvtps_ph(v, _MM_FROUND_TO_NEAREST_INT));
}

CX_INLINE __m256 gx_ld_bf16(const uint16_t *p)
{
    __m256i w = _mm256_cvtepu16_epi32(_mm_loadu_si128((const __m128i *)p));
    return _mm256_castsi256_ps(_mm256_slli_epi32(w, 16));
}
CX_INLINE void gx_st_bf16(uint16_t *p, __m256 v) { _mm_storeu_si128((__m128i *)p, fgi_v8_to_bf16(v)); }
CX_INLINE void gx_nt_bf16(uint16_t *p, __m256 v) { _mm_stream_si128((__m128i *)p, fgi_v8_to_bf16(v)); }

/* Elements [0, m) of p (m < 8) as float32; the other lanes hold fill. */
static inline __m256 gx_ld_part(const void *p, int64_t m, fgi_dtype dt, float fill)
{
    float t[8];
    for (int j = 0; j < 8; j++) t[j] = j < m ? (float)fgi_load_f64((const char *)p + j * fgi_dtype_size(dt), dt) : fill;
    return _mm256_loadu_ps(t);
}

/* Stores lanes [0, m) of v to p (m < 8). */
static inline void gx_st_part(void *p, int64_t m, fgi_dtype dt, __m256 v)
{
    float t[8];
    _mm256_storeu_ps(t, v);
    for (int64_t j = 0; j < m; j++) fgi_store_f64((char *)p + j * fgi_dtype_size(dt), dt, t[j]);
}

/* Elements before p reaches the 8-element vector alignment of streaming
 * stores (esz bytes each), at most n. */
static inline int64_t gx_head(const void *p, int64_t esz, int64_t n)
{
    uintptr_t vb = (uintptr_t)(8 * esz), mis = (uintptr_t)p % vb;
    int64_t h = mis ? (int64_t)((vb - mis) / (uintptr_t)esz) : 0;
    return h < n ? h : n;
}

#endif
