/* The blocked matrix-product driver shared by the mm/bmm CPU kernels.
 *
 * Goto/BLIS structure: for each NC-wide column block of the output, for each
 * KC-deep slice of the inner dimension, B's KC x NC panel is packed into
 * NR-column micro-panels; for each MC-tall row block, A's MC x KC block is
 * packed into MR-row micro-panels; then a micro-kernel computes MR x NR tiles
 * from one A micro-panel (streamed from L2) and one B micro-panel (kept in
 * L1). Packing converts float16/bfloat16 to float32 and absorbs any strides,
 * so transposed inputs take the same path as row-major ones. Only the
 * micro-kernel and the block sizes differ between the ISA variants. */
#ifndef FGI_OPS_CPU_GEMM_COMMON_H
#define FGI_OPS_CPU_GEMM_COMMON_H

#include "ops/kernel.h"

/* The largest tile any micro-kernel uses (for edge-tile scratch space). */
#define FGI_GEMM_MAX_MR 8
#define FGI_GEMM_MAX_NR 16

/* Computes the MR x NR tile c = a_panel * b_panel over k steps (accumulate
 * 0) or adds it to c (accumulate 1). a holds k groups of MR floats, b k
 * groups of NR floats; c is row-major with row stride ldc and column stride
 * 1. Every element of the full tile is written; c is never read when
 * accumulate is 0 (it may hold NaN garbage). */
typedef void (*fgi_gemm_ukernel)(int64_t k, const float *a, const float *b, float *c,
                                 int64_t ldc, int accumulate);

typedef struct fgi_gemm_config {
    int mr, nr;             /* micro-tile, mr <= FGI_GEMM_MAX_MR, nr <= FGI_GEMM_MAX_NR */
    int64_t mc, kc, nc;     /* cache blocks; mc multiple of mr, nc multiple of nr */
    fgi_gemm_ukernel ukernel;
} fgi_gemm_config;

/* Runs a validated mm or bmm call with cfg's micro-kernel and blocking.
 * Parallel (OpenMP) over batches and/or over row or column ranges of each
 * product; packing buffers come from fgi_alloc and are freed before return.
 * FG_ERR_NO_MEMORY when they cannot be allocated (out untouched then). */
fg_status fgi_gemm_driver(const fgi_call *call, const fgi_gemm_config *cfg);

#endif
