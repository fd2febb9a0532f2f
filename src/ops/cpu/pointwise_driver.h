/* The shared driver of the stable pointwise kernels, included by the
 * portable (pointwise.c) and the AVX2 (pointwise_avx2.c) variants, which
 * supply only the inner loops.
 *
 * Every op is out[i] = f(a[i], b[i]) over all elements (b absent for unary
 * ops), and the order of the elements does not matter. So the dims are
 * first normalized, the same way for every tensor: size-1 dims dropped,
 * dims ordered so that out is walked in memory order, and dims merged
 * where every tensor is contiguous across them (a transposed in-place op, or
 * a permuted layout shared by all tensors, becomes one dense run). The
 * elements are then split into one contiguous range per thread, and each
 * range is walked in segments. Per segment, every tensor is reached the
 * cheapest way its layout allows:
 *   dense     row-major: float32 is used in place, float16 and bfloat16 are
 *             converted through an on-stack chunk (or, when every tensor is
 *             dense and the variant has one, handled by a 16-bit inner loop
 *             that converts in registers);
 *   periodic  a dense row repeated along broadcast (stride 0) leading dims,
 *             e.g. a bias [N] added to [M, N], or a scalar: element i is
 *             row[i % P]. Short rows are converted and replicated once per
 *             thread into a buffer, so segments stay long;
 *   strided   anything else (transposes, inner broadcasts): gathered into /
 *             scattered from an on-stack chunk.
 * When everything is used in place, a thread's range is one call of the
 * inner loop, which may then stream its stores.
 *
 * In place: an output may be exactly the same view as an input. Segments
 * read all their inputs before writing, and the inner loops read element i
 * before writing it, so that is safe. */
#ifndef FGI_OPS_CPU_POINTWISE_DRIVER_H
#define FGI_OPS_CPU_POINTWISE_DRIVER_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "core/cpu.h"
#include "core/tensor.h"
#include "ops/kernel.h"

/* Elements per on-stack chunk: three float32 chunks and two replication
 * buffers (20 KiB) stay in the 32 KiB L1 data cache. */
#define FGI_PW_CHUNK 1024

/* Attributes the inner loops need. */
typedef struct fgi_pw_ctx {
    double alpha;    /* add: out = a + alpha * b */
    float alpha_f;   /* alpha rounded to float32 */
    bool alpha_is_f; /* alpha == (double)alpha_f: one float FMA is exact */
    int approx;      /* gelu: fg_gelu_approx */
    bool stream;     /* the loop may use non-temporal stores for y */
} fgi_pw_ctx;

/* y[i] = f(a[i], b[i]) for i < n; b is NULL for unary ops. y may equal a or
 * b exactly (in place); it never overlaps them otherwise. */
typedef void (*fgi_pw_loop)(float *y, const float *a, const float *b, int64_t n,
                            const fgi_pw_ctx *ctx);
/* The same on float16 or bfloat16 elements (computing in float32). */
typedef void (*fgi_pw_loop16)(uint16_t *y, const uint16_t *a, const uint16_t *b, int64_t n,
                              const fgi_pw_ctx *ctx);

/* A variant's inner loops for one op; f16 and bf16 may be NULL. */
typedef struct fgi_pw_loops {
    fgi_pw_loop f32;
    fgi_pw_loop16 f16, bf16;
} fgi_pw_loops;

/* The call's tensors after normalization (all with out's ndim and shape). */
typedef struct fgi_pw_geom {
    fgi_tensor out, in[2];
    int nin;
    fgi_dtype dt;
} fgi_pw_geom;

enum { FGI_PW_DENSE, FGI_PW_PERIODIC, FGI_PW_STRIDED };

typedef struct fgi_pw_src {
    const fgi_tensor *t;
    int kind;
    int64_t period; /* PERIODIC: row length P */
} fgi_pw_src;

/* Drops size-1 dims, orders dims by decreasing out stride (memory order of
 * out; validation guarantees out's strides are distinct), merges adjacent
 * dims that are contiguous in every tensor, and recomputes the contiguous
 * flags. Element i of every tensor still pairs with element i of the
 * others. */
static inline void fgi_pw_normalize(fgi_pw_geom *g)
{
    fgi_tensor *ts[3] = {&g->out, &g->in[0], &g->in[1]};
    int nt = 1 + g->nin, nd = g->out.ndim;
    int perm[FG_MAX_DIMS], n = 0;
    for (int d = 0; d < nd; d++)
        if (g->out.shape[d] != 1) perm[n++] = d;
    for (int i = 1; i < n; i++)
        for (int j = i; j > 0 && g->out.strides[perm[j]] > g->out.strides[perm[j - 1]]; j--) {
            int t = perm[j];
            perm[j] = perm[j - 1];
            perm[j - 1] = t;
        }
    int64_t shape[FG_MAX_DIMS], strides[3][FG_MAX_DIMS];
    int m = 0;
    for (int i = 0; i < n; i++) {
        int d = perm[i];
        bool merge = m > 0;
        for (int t = 0; merge && t < nt; t++)
            merge = strides[t][m - 1] == ts[t]->strides[d] * ts[t]->shape[d];
        if (merge) {
            shape[m - 1] *= g->out.shape[d];
            for (int t = 0; t < nt; t++) strides[t][m - 1] = ts[t]->strides[d];
        } else {
            shape[m] = g->out.shape[d];
            for (int t = 0; t < nt; t++) strides[t][m] = ts[t]->strides[d];
            m++;
        }
    }
    for (int t = 0; t < nt; t++) {
        ts[t]->ndim = m;
        int64_t expect = 1;
        bool dense = true;
        for (int d = m - 1; d >= 0; d--) {
            ts[t]->shape[d] = shape[d];
            ts[t]->strides[d] = strides[t][d];
            dense = dense && strides[t][d] == expect;
            expect *= shape[d];
        }
        ts[t]->contiguous = dense;
    }
}

/* The length P of the dense trailing row that t repeats along stride-0
 * leading dims, numel when t is dense, or -1 when t is neither. */
static inline int64_t fgi_pw_period(const fgi_tensor *t)
{
    int64_t expect = 1;
    int d = t->ndim - 1;
    for (; d >= 0; d--) {
        if (t->shape[d] == 1) continue;
        if (t->strides[d] != expect) break;
        expect *= t->shape[d];
    }
    for (; d >= 0; d--)
        if (t->shape[d] != 1 && t->strides[d] != 0) return -1;
    return expect;
}

static inline fgi_pw_src fgi_pw_classify(const fgi_tensor *t)
{
    fgi_pw_src s = {.t = t, .kind = FGI_PW_STRIDED, .period = 0};
    int64_t p = fgi_pw_period(t);
    if (p == t->numel)
        s.kind = FGI_PW_DENSE;
    else if (p > 0) {
        s.kind = FGI_PW_PERIODIC;
        s.period = p;
    }
    return s;
}

/* Per-thread state of a periodic input. */
typedef struct fgi_pw_rep {
    float buf[FGI_PW_CHUNK];
    int64_t len; /* > 0: buf holds the row replicated to len elements */
} fgi_pw_rep;

/* Short rows (P <= half a chunk) are converted once and replicated, so that
 * every segment can still be at least half a chunk long. */
static inline void fgi_pw_rep_init(fgi_pw_rep *rep, const fgi_pw_src *s)
{
    rep->len = 0;
    if (s->kind != FGI_PW_PERIODIC || s->period > FGI_PW_CHUNK / 2) return;
    int64_t p = s->period, copies = FGI_PW_CHUNK / p;
    fgi_to_f32(rep->buf, s->t->data, p, s->t->dtype);
    for (int64_t c = 1; c < copies; c++) memcpy(rep->buf + c * p, rep->buf, (size_t)p * 4);
    rep->len = copies * p;
}

/* Elements [begin, end) of the normalized call, on the calling thread. */
static inline void fgi_pw_range(const fgi_pw_geom *g, const fgi_pw_src *src, fgi_pw_loops loops,
                                const fgi_pw_ctx *ctx, int64_t begin, int64_t end)
{
    const fgi_tensor *out = &g->out;
    fgi_dtype dt = g->dt;
    int64_t esz = fgi_dtype_size(dt);
    int nin = g->nin;
    /* every tensor dense and a 16-bit loop: no buffers at all */
    fgi_pw_loop16 loop16 = dt == FGI_F16 ? loops.f16 : dt == FGI_BF16 ? loops.bf16 : NULL;
    bool all_dense = out->contiguous;
    for (int j = 0; j < nin; j++) all_dense = all_dense && src[j].kind == FGI_PW_DENSE;
    if (loop16 && all_dense) {
        const uint16_t *b = nin > 1 ? (const uint16_t *)g->in[1].data + begin : NULL;
        loop16((uint16_t *)out->data + begin, (const uint16_t *)g->in[0].data + begin, b,
               end - begin, ctx);
        return;
    }

    _Alignas(64) float ibuf[2][FGI_PW_CHUNK];
    _Alignas(64) float obuf[FGI_PW_CHUNK];
    fgi_pw_rep rep[2];
    bool f32 = dt == FGI_F32;
    bool out_direct = f32 && out->contiguous;
    /* Without per-segment copies a segment is as long as the periods allow. */
    bool chunked = !out_direct;
    for (int j = 0; j < nin; j++) {
        fgi_pw_rep_init(&rep[j], &src[j]);
        bool direct = src[j].kind == FGI_PW_DENSE      ? f32
                      : src[j].kind == FGI_PW_PERIODIC ? f32 || rep[j].len > 0
                                                       : false;
        chunked = chunked || !direct;
    }
    for (int64_t i = begin; i < end;) {
        int64_t n = end - i;
        if (chunked && n > FGI_PW_CHUNK) n = FGI_PW_CHUNK;
        for (int j = 0; j < nin; j++) {
            if (src[j].kind != FGI_PW_PERIODIC) continue;
            int64_t off = i % src[j].period;
            int64_t lim = rep[j].len > 0 ? rep[j].len - off : src[j].period - off;
            if (n > lim) n = lim;
        }
        const float *in[2] = {NULL, NULL};
        for (int j = 0; j < nin; j++) {
            const fgi_tensor *t = src[j].t;
            switch (src[j].kind) {
            case FGI_PW_DENSE:
                if (f32) {
                    in[j] = (const float *)t->data + i;
                } else {
                    fgi_to_f32(ibuf[j], t->data + i * esz, n, dt);
                    in[j] = ibuf[j];
                }
                break;
            case FGI_PW_PERIODIC: {
                int64_t off = i % src[j].period;
                if (rep[j].len > 0) {
                    in[j] = rep[j].buf + off;
                } else if (f32) {
                    in[j] = (const float *)t->data + off;
                } else {
                    fgi_to_f32(ibuf[j], t->data + off * esz, n, dt);
                    in[j] = ibuf[j];
                }
                break;
            }
            default:
                fgi_tensor_gather_f32(ibuf[j], t, i, n);
                in[j] = ibuf[j];
                break;
            }
        }
        float *y = out_direct ? (float *)out->data + i : obuf;
        loops.f32(y, in[0], in[1], n, ctx);
        if (!out_direct) {
            if (out->contiguous)
                fgi_from_f32(out->data + i * esz, obuf, n, dt);
            else
                fgi_tensor_scatter_f32((fgi_tensor *)out, i, n, obuf);
        }
        i += n;
    }
}

/* Runs the loops over all of call's elements, in parallel for large
 * tensors. stream_bytes: the loops may stream their stores when the output
 * is dense, aliases no input and the call moves at least this many bytes
 * (0: never). */
static inline fg_status fgi_pw_run(const fgi_call *call, fgi_pw_loops loops, fgi_pw_ctx ctx,
                                   int64_t stream_bytes)
{
    int64_t numel = call->out.numel;
    if (numel <= 0) return FG_OK;
    fgi_pw_geom g = {.out = call->out, .nin = call->nin > 2 ? 2 : call->nin, .dt = call->dtype};
    for (int j = 0; j < g.nin; j++) g.in[j] = call->in[j];
    fgi_pw_normalize(&g);
    fgi_pw_src src[2];
    for (int j = 0; j < g.nin; j++) src[j] = fgi_pw_classify(&g.in[j]);
    ctx.stream = false;
    if (stream_bytes > 0 && g.out.contiguous) {
        bool alias = false;
        int64_t esz = fgi_dtype_size(g.dt), bytes = numel * esz;
        for (int j = 0; j < g.nin; j++) {
            alias = alias || g.in[j].data == g.out.data;
            if (src[j].kind == FGI_PW_DENSE) bytes += numel * esz;
        }
        ctx.stream = !alias && bytes >= stream_bytes;
    }
    int nt = fgi_threads_for(numel);
    if (nt <= 1) {
        fgi_pw_range(&g, src, loops, &ctx, 0, numel);
        return FG_OK;
    }
#pragma omp parallel num_threads(nt)
    {
        int t = 0, count = 1;
#ifdef _OPENMP
        t = omp_get_thread_num();
        count = omp_get_num_threads();
#endif
        /* ranges start on 64-byte boundaries of a dense output */
        int64_t per = ((numel + count - 1) / count + 31) & ~(int64_t)31;
        int64_t b = (int64_t)t * per, e = b + per;
        if (e > numel) e = numel;
        if (b < e) fgi_pw_range(&g, src, loops, &ctx, b, e);
    }
    return FG_OK;
}

/* Fills the attributes of call that the inner loops read. */
static inline fgi_pw_ctx fgi_pw_ctx_of(const fgi_call *call)
{
    fgi_pw_ctx c = {.alpha = call->alpha, .approx = call->approx};
    c.alpha_f = (float)call->alpha;
    c.alpha_is_f = (double)c.alpha_f == call->alpha;
    return c;
}

#endif
