#include "core/dtype.h"

#include "core/cpu.h"
#include "flaggems/flaggems.h"

const char *fgi_dtype_name(fgi_dtype dt)
{
    switch (dt) {
    case FGI_F32: return "float32";
    case FGI_F16: return "float16";
    case FGI_BF16: return "bfloat16";
    case FGI_F64: return "float64";
    }
    return "unknown";
}

void fgi_to_f32_generic(float *dst, const void *src, int64_t n, fgi_dtype dt)
{
    const uint16_t *s = src;
    switch (dt) {
    case FGI_F32: memmove(dst, src, (size_t)n * 4); break;
    case FGI_F16:
        for (int64_t i = 0; i < n; i++) dst[i] = fgi_f16_to_f32(s[i]);
        break;
    case FGI_BF16:
        for (int64_t i = 0; i < n; i++) dst[i] = fgi_bf16_to_f32(s[i]);
        break;
    default:
        for (int64_t i = 0; i < n; i++) dst[i] = (float)((const double *)src)[i];
        break;
    }
}

void fgi_from_f32_generic(void *dst, const float *src, int64_t n, fgi_dtype dt)
{
    uint16_t *d = dst;
    switch (dt) {
    case FGI_F32: memmove(dst, src, (size_t)n * 4); break;
    case FGI_F16:
        for (int64_t i = 0; i < n; i++) d[i] = fgi_f32_to_f16(src[i]);
        break;
    case FGI_BF16:
        for (int64_t i = 0; i < n; i++) d[i] = fgi_f32_to_bf16(src[i]);
        break;
    default:
        for (int64_t i = 0; i < n; i++) ((double *)dst)[i] = src[i];
        break;
    }
}

static int use_avx2(void)
{
    return (fgi_cpu_features() & FGI_ISA_AVX2_SET) == FGI_ISA_AVX2_SET;
}

void fgi_to_f32(float *dst, const void *src, int64_t n, fgi_dtype dt)
{
    if (dt != FGI_F32 && dt != FGI_F64 && use_avx2())
        fgi_to_f32_avx2(dst, src, n, dt);
    else
        fgi_to_f32_generic(dst, src, n, dt);
}

void fgi_from_f32(void *dst, const float *src, int64_t n, fgi_dtype dt)
{
    if (dt != FGI_F32 && dt != FGI_F64 && use_avx2())
        fgi_from_f32_avx2(dst, src, n, dt);
    else
        fgi_from_f32_generic(dst, src, n, dt);
}
