/* Element types and float16/bfloat16 conversion (round to nearest even,
 * NaN stays NaN (quieted), Inf stays Inf, denormals exact). */
#ifndef FGI_CORE_DTYPE_H
#define FGI_CORE_DTYPE_H

#include <stdint.h>
#include <string.h>

typedef enum fgi_dtype { FGI_F32 = 0, FGI_F16 = 1, FGI_BF16 = 2, FGI_F64 = 3 } fgi_dtype;

#define FGI_DTYPE_BIT(dt) (1u << (dt))
#define FGI_DTYPES_ALL (FGI_DTYPE_BIT(FGI_F32) | FGI_DTYPE_BIT(FGI_F16) | FGI_DTYPE_BIT(FGI_BF16))

static inline int fgi_dtype_size(fgi_dtype dt)
{
    return dt == FGI_F64 ? 8 : dt == FGI_F32 ? 4 : 2;
}

const char *fgi_dtype_name(fgi_dtype dt); /* "float32", "float16", "bfloat16", "float64" */

static inline uint32_t fgi_f32_bits(float f)
{
    uint32_t u;
    memcpy(&u, &f, 4);
    return u;
}

static inline float fgi_bits_f32(uint32_t u)
{
    float f;
    memcpy(&f, &u, 4);
    return f;
}

static inline float fgi_f16_to_f32(uint16_t h)
{
    uint32_t sign = (uint32_t)(h & 0x8000u) << 16;
    uint32_t exp = (h >> 10) & 0x1fu, mant = h & 0x3ffu;
    if (exp == 0) {
        /* zero or denormal: value = mant * 2^-24, exact in float32 */
        float v = (float)mant * 0x1p-24f;
        return fgi_bits_f32(fgi_f32_bits(v) | sign);
    }
    if (exp == 31) return fgi_bits_f32(sign | 0x7f800000u | (mant << 13) | (mant ? 0x400000u : 0));
    return fgi_bits_f32(sign | ((exp + 112u) << 23) | (mant << 13));
}

static inline uint16_t fgi_f32_to_f16(float f)
{
    uint32_t x = fgi_f32_bits(f);
    uint32_t sign = (x >> 16) & 0x8000u;
    x &= 0x7fffffffu;
    uint32_t o;
    if (x >= 0x47800000u) { /* >= 65536, Inf or NaN */
        o = x > 0x7f800000u ? 0x7e00u | ((x >> 13) & 0x3ffu) : 0x7c00u;
    } else if (x < 0x38800000u) { /* result is a denormal or zero */
        const uint32_t magic = ((127 - 15) + (23 - 10) + 1) << 23;
        float t = fgi_bits_f32(x) + fgi_bits_f32(magic); /* rounds to nearest even */
        o = fgi_f32_bits(t) - magic;
    } else {
        uint32_t odd = (x >> 13) & 1u;
        x += ((uint32_t)(15 - 127) << 23) + 0xfffu + odd;
        o = x >> 13; /* may carry into Inf: correct for [65520, 65536) */
    }
    return (uint16_t)(o | sign);
}

static inline float fgi_bf16_to_f32(uint16_t b) { return fgi_bits_f32((uint32_t)b << 16); }

static inline uint16_t fgi_f32_to_bf16(float f)
{
    uint32_t x = fgi_f32_bits(f);
    if ((x & 0x7fffffffu) > 0x7f800000u) return (uint16_t)((x >> 16) | 0x40u);
    x += 0x7fffu + ((x >> 16) & 1u);
    return (uint16_t)(x >> 16);
}

/* Element i of a buffer of dtype dt, as double / float. */
static inline double fgi_load_f64(const void *p, fgi_dtype dt)
{
    switch (dt) {
    case FGI_F32: return *(const float *)p;
    case FGI_F16: return fgi_f16_to_f32(*(const uint16_t *)p);
    case FGI_BF16: return fgi_bf16_to_f32(*(const uint16_t *)p);
    default: return *(const double *)p;
    }
}

/* Rounds through float32 for f16/bf16 (double -> f32 -> f16 can double-round;
 * the reference kernels accept that: it is below every tolerance). */
static inline void fgi_store_f64(void *p, fgi_dtype dt, double v)
{
    switch (dt) {
    case FGI_F32: *(float *)p = (float)v; break;
    case FGI_F16: *(uint16_t *)p = fgi_f32_to_f16((float)v); break;
    case FGI_BF16: *(uint16_t *)p = fgi_f32_to_bf16((float)v); break;
    default: *(double *)p = v; break;
    }
}

/* Bulk conversion of n contiguous elements to and from float32; uses F16C or
 * AVX2 when the CPU has them. src and dst must not overlap (except
 * dt == FGI_F32, which is a plain copy). */
void fgi_to_f32(float *dst, const void *src, int64_t n, fgi_dtype dt);
void fgi_from_f32(void *dst, const float *src, int64_t n, fgi_dtype dt);

/* Portable and AVX2 implementations behind fgi_to_f32 / fgi_from_f32. */
void fgi_to_f32_generic(float *dst, const void *src, int64_t n, fgi_dtype dt);
void fgi_from_f32_generic(void *dst, const float *src, int64_t n, fgi_dtype dt);
void fgi_to_f32_avx2(float *dst, const void *src, int64_t n, fgi_dtype dt);
void fgi_from_f32_avx2(void *dst, const float *src, int64_t n, fgi_dtype dt);

#endif
