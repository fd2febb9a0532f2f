/* F16C/AVX2 bulk conversions. Compiled with -mavx2 -mfma -mf16c; reached only
 * after fgi_cpu_features() reported all three. */
#include <immintrin.h>

#include "core/dtype.h"
#include "core/dtype_avx2.h"

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
            _mm_storeu_si128((__m128i *)(d + i), fgi_v8_to_bf16(_mm256_loadu_ps(src + i)));
        }
    }
    if (i < n) fgi_from_f32_generic(d + i, src + i, n - i, dt);
}
