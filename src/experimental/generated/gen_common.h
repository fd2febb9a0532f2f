/* Support code shared by the generated kernels (hand-written, not
 * generated): the threading policy and the parallel drivers. Portable C;
 * AVX2 kernels include gen_avx2.h, which includes this file. The templates
 * in tools/codegen/templates/ name these helpers; change both together. */
#ifndef FGI_EXPERIMENTAL_GENERATED_GEN_COMMON_H
#define FGI_EXPERIMENTAL_GENERATED_GEN_COMMON_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "core/cpu.h"
#include "core/dtype.h"
#include "core/tensor.h"
#include "experimental/exp_kernels.h"

/* Elements per work block of the element-parallel (pointwise) kernels: 64
 * elements keep every thread's range on whole 256-byte boundaries. */
#define GX_BLOCK 64

/* Outputs at least this large may be written with streaming stores (the
 * stable kernels use the same bound). */
#define GX_STREAM_BYTES ((int64_t)16 << 20)

/* The threads a generated kernel uses for `work` elements: the library's
 * policy (fgi_threads_for), but no more than one thread per `min_per_thread`
 * elements (the template parameter block_size). */
static inline int gx_threads(int64_t work, int64_t min_per_thread)
{
    int nt = fgi_threads_for(work);
    int64_t cap = min_per_thread > 0 ? work / min_per_thread : nt;
    if (cap < 1) cap = 1;
    return nt < cap ? nt : (int)cap;
}

/* Runs fn(ctx, u0, u1) over units [0, units) on up to nt threads, each
 * taking one contiguous share. One thread: no OpenMP region. */
typedef void (*gx_units_fn)(void *ctx, int64_t u0, int64_t u1);

static inline void gx_parallel(int nt, int64_t units, gx_units_fn fn, void *ctx)
{
    if (units <= 0) return;
    if (nt > units) nt = (int)units;
    if (nt <= 1) {
        fn(ctx, 0, units);
        return;
    }
#pragma omp parallel num_threads(nt)
    {
        int tid = 0, n = 1;
#ifdef _OPENMP
        tid = omp_get_thread_num();
        n = omp_get_num_threads();
#endif
        int64_t a = units * tid / n, b = units * (tid + 1) / n;
        if (a < b) fn(ctx, a, b);
    }
}

/* Whether t repeats one dense row of its last dim along every other dim
 * (stride 0 there): a bias [N] broadcast to [M, N]. */
static inline bool gx_is_row_broadcast(const fgi_tensor *t)
{
    int nd = t->ndim;
    if (nd < 1 || (t->shape[nd - 1] != 1 && t->strides[nd - 1] != 1)) return false;
    for (int d = 0; d < nd - 1; d++)
        if (t->shape[d] != 1 && t->strides[d] != 0) return false;
    return true;
}

/* Whether t is one element broadcast everywhere. */
static inline bool gx_is_scalar_broadcast(const fgi_tensor *t)
{
    for (int d = 0; d < t->ndim; d++)
        if (t->shape[d] != 1 && t->strides[d] != 0) return false;
    return true;
}

#endif
