/* AVX2 helpers for 16-bit float conversion, for *_avx2.c files only. */
#ifndef FGI_CORE_DTYPE_AVX2_H
#define FGI_CORE_DTYPE_AVX2_H

#include <immintrin.h>

/* Eight float32 to bfloat16 as fgi_f32_to_bf16 does: round to nearest even;
 * NaN keeps its upper half with the quiet bit set. */
static inline __m128i fgi_v8_to_bf16(__m256 v)
{
    __m256i x = _mm256_castps_si256(v);
    __m256i lsb = _mm256_and_si256(_mm256_srli_epi32(x, 16), _mm256_set1_epi32(1));
    __m256i r = _mm256_add_epi32(x, _mm256_add_epi32(lsb, _mm256_set1_epi32(0x7fff)));
    __m256 isnan = _mm256_cmp_ps(v, v, _CMP_UNORD_Q);
    __m256i q = _mm256_or_si256(x, _mm256_set1_epi32(0x400000));
    r = _mm256_srli_epi32(_mm256_blendv_epi8(r, q, _mm256_castps_si256(isnan)), 16);
    return _mm_packus_epi32(_mm256_castsi256_si128(r), _mm256_extracti128_si256(r, 1));
}

#endif
