/* F16C/AVX2 bulk conversions. Compiled with -mavx2 -mfma -mf16c; reached only
 * after fgi_cpu_features() reported all three. */
#include <immintrin.h>

#include "core/dtype.h"

static inline __m256i bf16_round(__m256 v)
{
    __m256i x = _mm256_castps_si256(v);
    __m256i lsb = _mm256_and_si256(_mm256_srli_epi32(x, 16), _mm256_set1_epi32(1));
    __m256i r = _mm256_add_epi32(x, _mm256_add_epi32(lsb, _mm256_set1_epi32(0x7fff)));
    /* NaN: keep the upper half and set the quiet bit instead of rounding */
    __m256 isnan = _mm256_cmp_ps(v, v, _CMP_UNORD_Q);
    __m256i q = _mm256_or_si256(x, _mm256_set1_epi32(0x400000));
    r = _mm256_blendv_epi8(r, q, _mm256_castps_si256(isnan));
    return _mm256_srli_epi32(r, 16);
}

void fgi_to_f32_avx2(float *dst, const void *src, int64_t n, fgi_dtype dt)
{
    const uint16_t *s = src;
    int64_t i = 0;
    if (dt == FGI_F16) {
        for (; i + 8 <= n; i += 8)
            _mm256_storeu_ps(dst + i, _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(s + i))));
    } else if (dt == FGI_BF16) {
        for (; i + 8 <= n; i += 8) {
            __m256i w = _mm256_cvtepu16_epi32(_mm_loadu_si128((const __m128i *)(s + i)));
            _mm256_storeu_ps(dst + i, _mm256_castsi256_ps(_mm256_slli_epi32(w, 16)));
        }
    }
    if (i < n) fgi_to_f32_generic(dst + i, s + i, n - i, dt);
}

void fgi_from_f32_avx2(void *dst, const float *src, int64_t n, fgi_dtype dt)
{
    uint16_t *d = dst;
    int64_t i = 0;
    if (dt == FGI_F16) {
        for (; i + 8 <= n; i += 8)
            _mm_storeu_si128((__m128i *)(d + i),
                             _mm256_cvtps_ph(_mm256_loadu_ps(src + i), _MM_FROUND_TO_NEAREST_INT));
    } else if (dt == FGI_BF16) {
        for (; i + 8 <= n; i += 8) {
            __m256i r = bf16_round(_mm256_loadu_ps(src + i));
            __m128i lo = _mm256_castsi256_si128(r), hi = _mm256_extracti128_si256(r, 1);
            _mm_storeu_si128((__m128i *)(d + i), _mm_packus_epi32(lo, hi));
        }
    }
    if (i < n) fgi_from_f32_generic(d + i, src + i, n - i, dt);
}
