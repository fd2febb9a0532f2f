/* Stable pointwise kernels, AVX2 + FMA + F16C variant (reached only when the
 * CPU has all three). The driver in pointwise_driver.h does the layouts,
 * dtypes and threads; this file supplies the 8-lane inner loops: float32,
 * and float16 / bfloat16 loops that convert in registers (F16C, shifts) for
 * dense tensors. Large outputs are stored past the caches. */
#include <stdint.h>
#include <string.h>

#include "core/dtype_avx2.h"
#include "ops/cpu/pointwise_driver.h"
#include "ops/cpu/vmath_avx2.h"
#include "ops/registry.h"

/* Calls moving at least this many bytes (inputs + output) store with
 * non-temporal writes when the output aliases no input: past the last-level
 * cache a normal store first reads the line it overwrites, and that read is
 * a third of a unary op's traffic. Smaller outputs stay cached for the next
 * op. */
#ifndef FGI_PW_STREAM_BYTES
#define FGI_PW_STREAM_BYTES (16 << 20)
#endif

/* ------------------------------------------------------------ 8-lane ops */

static inline __m256 op_add1(__m256 a, __m256 b, const fgi_pw_ctx *c) { return _mm256_add_ps(a, b); }

/* alpha exactly a float: one FMA rounds a + alpha*b once */
static inline __m256 op_addf(__m256 a, __m256 b, const fgi_pw_ctx *c)
{
    return _mm256_fmadd_ps(_mm256_set1_ps(c->alpha_f), b, a);
}

/* any other alpha: in double, as the reference does, so that cancellation
 * between a and alpha*b cannot expose alpha's float rounding */
static inline __m256 op_addd(__m256 a, __m256 b, const fgi_pw_ctx *c)
{
    __m256d al = _mm256_set1_pd(c->alpha);
    __m256d lo = _mm256_fmadd_pd(al, _mm256_cvtps_pd(_mm256_castps256_ps128(b)),
                                 _mm256_cvtps_pd(_mm256_castps256_ps128(a)));
    __m256d hi = _mm256_fmadd_pd(al, _mm256_cvtps_pd(_mm256_extractf128_ps(b, 1)),
                                 _mm256_cvtps_pd(_mm256_extractf128_ps(a, 1)));
    return _mm256_set_m128(_mm256_cvtpd_ps(hi), _mm256_cvtpd_ps(lo));
}

static inline __m256 op_mul(__m256 a, __m256 b, const fgi_pw_ctx *c) { return _mm256_mul_ps(a, b); }

/* max(0, x) returns x when x is NaN (the second operand wins) */
static inline __m256 op_relu(__m256 a, __m256 b, const fgi_pw_ctx *c)
{
    return _mm256_max_ps(_mm256_setzero_ps(), a);
}

static inline __m256 op_gelu_erf(__m256 a, __m256 b, const fgi_pw_ctx *c) { return fgi_v8_gelu_erf(a); }

static inline __m256 op_gelu_tanh(__m256 a, __m256 b, const fgi_pw_ctx *c)
{
    return fgi_v8_gelu_tanh(a);
}

static inline __m256 op_silu(__m256 a, __m256 b, const fgi_pw_ctx *c) { return fgi_v8_x_sigmoid(a, a); }

static inline __m256 op_exp(__m256 a, __m256 b, const fgi_pw_ctx *c) { return fgi_v8_exp(a); }

/* ------------------------------------------------------------ element access */

/* Load 8 elements as float32, store 8 float32 results (rounded to nearest
 * even, NaN kept as a quiet NaN), and the non-temporal store (address
 * aligned to the 8-element vector). */
static inline __m256 ld_f32(const float *p) { return _mm256_loadu_ps(p); }
static inline void st_f32(float *p, __m256 v) { _mm256_storeu_ps(p, v); }
static inline void nt_f32(float *p, __m256 v) { _mm256_stream_ps(p, v); }

static inline __m256 ld_f16(const uint16_t *p)
{
    return _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)p));
}
static inline __m128i to_f16(__m256 v) { return _mm256_cvtps_ph(v, _MM_FROUND_TO_NEAREST_INT); }
static inline void st_f16(uint16_t *p, __m256 v) { _mm_storeu_si128((__m128i *)p, to_f16(v)); }
static inline void nt_f16(uint16_t *p, __m256 v) { _mm_stream_si128((__m128i *)p, to_f16(v)); }

static inline __m256 ld_bf16(const uint16_t *p)
{
    __m256i w = _mm256_cvtepu16_epi32(_mm_loadu_si128((const __m128i *)p));
    return _mm256_castsi256_ps(_mm256_slli_epi32(w, 16));
}
static inline void st_bf16(uint16_t *p, __m256 v) { _mm_storeu_si128((__m128i *)p, fgi_v8_to_bf16(v)); }
static inline void nt_bf16(uint16_t *p, __m256 v) { _mm_stream_si128((__m128i *)p, fgi_v8_to_bf16(v)); }

/* ------------------------------------------------------------ loops */

/* One inner loop per op and element type: full vectors, stored normally or
 * streamed (after a partial vector that aligns y to the vector size), and a
 * partial vector for the rest, computed on a zero-padded copy. The loads of
 * element i precede its store, so y may be exactly a or b. */
#define FGI_PW_AVX2_LOOP(name, T, LD, ST, NT, OP, BINARY)                                   \
    static inline void name##_part(T *y, const T *a, const T *b, int64_t m,                 \
                                   const fgi_pw_ctx *c)                                     \
    {                                                                                       \
        T ta[8] = {0}, tb[8] = {0}, ty[8];                                                  \
        memcpy(ta, a, (size_t)m * sizeof(T));                                               \
        if (BINARY) memcpy(tb, b, (size_t)m * sizeof(T));                                   \
        ST(ty, OP(LD(ta), LD(tb), c));                                                      \
        memcpy(y, ty, (size_t)m * sizeof(T));                                               \
    }                                                                                       \
    static void name(T *y, const T *a, const T *b, int64_t n, const fgi_pw_ctx *c)          \
    {                                                                                       \
        const __m256 zero = _mm256_setzero_ps();                                            \
        const uintptr_t vbytes = 8 * sizeof(T);                                             \
        int64_t i = 0;                                                                      \
        if (c->stream && (uintptr_t)y % sizeof(T) == 0) {                                   \
            int64_t head = (int64_t)((vbytes - (uintptr_t)y % vbytes) % vbytes / sizeof(T)); \
            if (head > n) head = n;                                                         \
            if (head > 0) name##_part(y, a, b, head, c);                                    \
            for (i = head; i + 8 <= n; i += 8)                                              \
                NT(y + i, OP(LD(a + i), BINARY ? LD(b + i) : zero, c));                     \
            _mm_sfence();                                                                   \
        } else {                                                                            \
            for (; i + 8 <= n; i += 8) ST(y + i, OP(LD(a + i), BINARY ? LD(b + i) : zero, c)); \
        }                                                                                   \
        if (i < n) name##_part(y + i, a + i, BINARY ? b + i : NULL, n - i, c);              \
    }

/* The three loops of an op and their table. */
#define FGI_PW_AVX2_OP(name, OP, BINARY)                                                    \
    FGI_PW_AVX2_LOOP(name##_f32, float, ld_f32, st_f32, nt_f32, OP, BINARY)                 \
    FGI_PW_AVX2_LOOP(name##_f16, uint16_t, ld_f16, st_f16, nt_f16, OP, BINARY)              \
    FGI_PW_AVX2_LOOP(name##_bf16, uint16_t, ld_bf16, st_bf16, nt_bf16, OP, BINARY)          \
    static const fgi_pw_loops name##_loops = {name##_f32, name##_f16, name##_bf16};

FGI_PW_AVX2_OP(add1, op_add1, 1)
FGI_PW_AVX2_OP(addf, op_addf, 1)
FGI_PW_AVX2_OP(addd, op_addd, 1)
FGI_PW_AVX2_OP(mul, op_mul, 1)
FGI_PW_AVX2_OP(relu, op_relu, 0)
FGI_PW_AVX2_OP(gelu_erf, op_gelu_erf, 0)
FGI_PW_AVX2_OP(gelu_tanh, op_gelu_tanh, 0)
FGI_PW_AVX2_OP(silu, op_silu, 0)
FGI_PW_AVX2_OP(exp, op_exp, 0)

/* ------------------------------------------------------------ kernels */

static fg_status run(const fgi_call *call, fgi_pw_loops loops)
{
    return fgi_pw_run(call, loops, fgi_pw_ctx_of(call), FGI_PW_STREAM_BYTES);
}

fg_status fgi_cpu_add_avx2(const fgi_call *call)
{
    fgi_pw_ctx c = fgi_pw_ctx_of(call);
    return run(call, call->alpha == 1.0 ? add1_loops : c.alpha_is_f ? addf_loops : addd_loops);
}

fg_status fgi_cpu_mul_avx2(const fgi_call *call) { return run(call, mul_loops); }
fg_status fgi_cpu_relu_avx2(const fgi_call *call) { return run(call, relu_loops); }

fg_status fgi_cpu_gelu_avx2(const fgi_call *call)
{
    return run(call, call->approx == FG_GELU_TANH ? gelu_tanh_loops : gelu_erf_loops);
}

fg_status fgi_cpu_silu_avx2(const fgi_call *call) { return run(call, silu_loops); }
fg_status fgi_cpu_exp_avx2(const fgi_call *call) { return run(call, exp_loops); }
