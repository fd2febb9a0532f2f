/* AVX2+FMA mm/bmm: the shared Goto/BLIS driver (gemm.c) with a 6 x 16 FMA
 * micro-kernel and block sizes tuned for Zen 3. */
#include <immintrin.h>

#include "ops/cpu/gemm_common.h"
#include "ops/registry.h"

/* 6 x 16 tile: 12 ymm accumulators + 2 for the B row + 1 broadcast = 15 of
 * the 16 registers. Per k step: 2 loads of B, 6 broadcasts of A and 12 FMAs;
 * Zen 3 issues 2 FMAs per cycle, so loads never limit. */
#define MR 6
#define NR 16

static void ukernel_6x16(int64_t k, const float *restrict a, const float *restrict b,
                         float *restrict c, int64_t ldc, int accumulate)
{
    __m256 c00 = _mm256_setzero_ps(), c01 = _mm256_setzero_ps();
    __m256 c10 = _mm256_setzero_ps(), c11 = _mm256_setzero_ps();
    __m256 c20 = _mm256_setzero_ps(), c21 = _mm256_setzero_ps();
    __m256 c30 = _mm256_setzero_ps(), c31 = _mm256_setzero_ps();
    __m256 c40 = _mm256_setzero_ps(), c41 = _mm256_setzero_ps();
    __m256 c50 = _mm256_setzero_ps(), c51 = _mm256_setzero_ps();
    /* Both lines of each C row: rows are usually not 64-byte aligned. */
    for (int r = 0; r < MR; r++) {
        _mm_prefetch((const char *)(c + r * ldc), _MM_HINT_T0);
        _mm_prefetch((const char *)(c + r * ldc + NR - 1), _MM_HINT_T0);
    }
#pragma GCC unroll 4
    for (int64_t p = 0; p < k; p++) {
        __m256 b0 = _mm256_load_ps(b), b1 = _mm256_load_ps(b + 8), av;
        av = _mm256_broadcast_ss(a + 0);
        c00 = _mm256_fmadd_ps(av, b0, c00);
        c01 = _mm256_fmadd_ps(av, b1, c01);
        av = _mm256_broadcast_ss(a + 1);
        c10 = _mm256_fmadd_ps(av, b0, c10);
        c11 = _mm256_fmadd_ps(av, b1, c11);
        av = _mm256_broadcast_ss(a + 2);
        c20 = _mm256_fmadd_ps(av, b0, c20);
        c21 = _mm256_fmadd_ps(av, b1, c21);
        av = _mm256_broadcast_ss(a + 3);
        c30 = _mm256_fmadd_ps(av, b0, c30);
        c31 = _mm256_fmadd_ps(av, b1, c31);
        av = _mm256_broadcast_ss(a + 4);
        c40 = _mm256_fmadd_ps(av, b0, c40);
        c41 = _mm256_fmadd_ps(av, b1, c41);
        av = _mm256_broadcast_ss(a + 5);
        c50 = _mm256_fmadd_ps(av, b0, c50);
        c51 = _mm256_fmadd_ps(av, b1, c51);
        a += MR;
        b += NR;
    }
    __m256 acc[MR][2] = {{c00, c01}, {c10, c11}, {c20, c21}, {c30, c31}, {c40, c41}, {c50, c51}};
    for (int r = 0; r < MR; r++) {
        float *row = c + r * ldc;
        __m256 v0 = acc[r][0], v1 = acc[r][1];
        if (accumulate) {
            v0 = _mm256_add_ps(v0, _mm256_loadu_ps(row));
            v1 = _mm256_add_ps(v1, _mm256_loadu_ps(row + 8));
        }
        _mm256_storeu_ps(row, v0);
        _mm256_storeu_ps(row + 8, v1);
    }
}

/* Zen 3 (the BLIS zen3 values): KC = 256 keeps one KC x 16 B micro-panel
 * (16 KB) resident in the 32 KB L1d while 6 x KC A micro-panels (6 KB each)
 * stream past it; the MC x KC block of A (144 KB) sits in the 512 KB L2;
 * KC x NC of B (4 MB) sits in the shared L3. With 2 threads at 2048^3,
 * MC 72/96/240 and KC 320/384 measured slower or tied. */
static const fgi_gemm_config avx2_cfg = {
    .mr = MR, .nr = NR, .mc = 144, .kc = 256, .nc = 4080, .ukernel = ukernel_6x16};

fg_status fgi_cpu_mm_avx2(const fgi_call *call) { return fgi_gemm_driver(call, &avx2_cfg); }

fg_status fgi_cpu_bmm_avx2(const fgi_call *call) { return fgi_gemm_driver(call, &avx2_cfg); }
