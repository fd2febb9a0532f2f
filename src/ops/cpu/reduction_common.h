/* Plumbing shared by the CPU reduction, softmax and norm kernels (portable
 * and AVX2 files alike): element access for any dtype and strides, packing,
 * workspaces and splitting work across threads. Free of intrinsics, so both
 * kinds of file may include it. */
#ifndef FGI_OPS_CPU_REDUCTION_COMMON_H
#define FGI_OPS_CPU_REDUCTION_COMMON_H

#include <math.h>
#include <omp.h>
#include <stdint.h>

#include "core/alloc.h"
#include "core/cpu.h"
#include "core/error.h"
#include "ops/kernel.h"

/* Elements fetched and converted at a time: 16 KB of float32 stays in L1. */
#define RC_CHUNK 4096
/* Rows up to this long are kept whole in a per-thread buffer (128 KB, in L2)
 * so later passes over them hit the cache. */
#define RC_ROW_CACHE 32768
/* Rows at least this long may be cut into segments run by several threads. */
#define RC_SPLIT_MIN 65536
/* float32 outputs at least this large are written with streaming stores:
 * they would not stay in the cache anyway, and skipping the read-for-
 * ownership saves a third of the traffic (measured: 15-25% faster
 * softmax/norms at 64 MB). Not in place: there the lines are already cached
 * by the reads, and plain stores measured faster. */
#define RC_NT_BYTES ((int64_t)16 << 20)
/* Accesses narrower than this on a strided tensor make per-piece gathers too
 * costly: such tensors are packed whole first. */
#define RC_GATHER_MIN 64

static inline int64_t rc_min(int64_t a, int64_t b) { return a < b ? a : b; }
static inline int64_t rc_max(int64_t a, int64_t b) { return a > b ? a : b; }
static inline int64_t rc_cdiv(int64_t a, int64_t b) { return (a + b - 1) / b; }
static inline int64_t rc_round_up(int64_t a, int64_t m) { return rc_cdiv(a, m) * m; }
/* n bytes rounded up to whole cache lines: workspace pieces never share one. */
static inline size_t rc_bytes(size_t n) { return (n + 63) & ~(size_t)63; }

/* float32 and row-major dense: elements are read and written in place. */
static inline bool rc_direct(const fgi_tensor *t) { return t->dtype == FGI_F32 && t->contiguous; }

/* Elements [start, start+n) of t in row-major order, as float32: a pointer
 * into t itself when it is direct, else converted or gathered into buf. */
static inline const float *rc_load(const fgi_tensor *t, int64_t start, int64_t n, float *buf)
{
    if (rc_direct(t)) return (const float *)t->data + start;
    fgi_tensor_gather_f32(buf, t, start, n);
    return buf;
}

/* Where to compute elements [start, ...) of t: t itself when direct, else
 * buf, which rc_store then writes back. */
static inline float *rc_dst(const fgi_tensor *t, int64_t start, float *buf)
{
    return rc_direct(t) ? (float *)t->data + start : buf;
}

static inline void rc_store(const fgi_tensor *t, int64_t start, int64_t n, const float *vals)
{
    if (!rc_direct(t)) fgi_tensor_scatter_f32((fgi_tensor *)t, start, n, vals);
}

static inline bool rc_stream(const fgi_tensor *out, const fgi_tensor *x)
{
    return rc_direct(out) && out->numel * 4 >= RC_NT_BYTES && out->data != x->data;
}

/* A row-major float32 view of data with t's shape. */
static inline fgi_tensor rc_f32_view(const fgi_tensor *t, float *data)
{
    fgi_tensor v = *t;
    v.data = (char *)data;
    v.dtype = FGI_F32;
    v.contiguous = true;
    int64_t s = 1;
    for (int d = v.ndim - 1; d >= 0; d--) {
        v.strides[d] = s;
        s *= v.shape[d];
    }
    return v;
}

/* Runs fn over tasks [0, ntasks) on up to nt threads, each thread taking one
 * contiguous range (neighbouring tasks touch neighbouring memory). tid
 * indexes per-thread workspace and is < nt. One thread: no OpenMP region,
 * which matters for the many small calls. */
typedef void (*rc_task_fn)(void *ctx, int64_t t0, int64_t t1, int tid);

static inline void rc_parallel(int nt, int64_t ntasks, rc_task_fn fn, void *ctx)
{
    if (ntasks <= 0) return;
    if (nt > ntasks) nt = (int)ntasks;
    if (nt <= 1) {
        fn(ctx, 0, ntasks, 0);
        return;
    }
#pragma omp parallel num_threads(nt)
    {
        int tid = omp_get_thread_num(), n = omp_get_num_threads();
        int64_t a = ntasks * tid / n, b = ntasks * (tid + 1) / n;
        if (a < b) fn(ctx, a, b, tid);
    }
}

typedef struct rc_copy_ctx {
    const fgi_tensor *t;
    float *buf;
    bool to_tensor;
} rc_copy_ctx;

static inline void rc_copy_task(void *vctx, int64_t t0, int64_t t1, int tid)
{
    (void)tid;
    rc_copy_ctx *c = vctx;
    int64_t a = t0 * RC_CHUNK, b = rc_min(t1 * RC_CHUNK, c->t->numel);
    if (c->to_tensor)
        fgi_tensor_scatter_f32((fgi_tensor *)c->t, a, b - a, c->buf + a);
    else
        fgi_tensor_gather_f32(c->buf + a, c->t, a, b - a);
}

/* Whole-tensor copies between t and a dense float32 buffer, in parallel. */
static inline void rc_gather_all(float *buf, const fgi_tensor *t)
{
    rc_copy_ctx c = {t, buf, false};
    rc_parallel(fgi_threads_for(t->numel), rc_cdiv(t->numel, RC_CHUNK), rc_copy_task, &c);
}

static inline void rc_scatter_all(const fgi_tensor *t, float *buf)
{
    rc_copy_ctx c = {t, buf, true};
    rc_parallel(fgi_threads_for(t->numel), rc_cdiv(t->numel, RC_CHUNK), rc_copy_task, &c);
}

/* Packing of tensors whose strided access would come in pieces narrower than
 * RC_GATHER_MIN elements: x is gathered whole into a float32 buffer, out is
 * computed into one and scattered at the end. `gran` is the length of the
 * contiguous runs the kernel will ask for. */
typedef struct rc_pack {
    float *xbuf, *obuf;
    size_t xbytes, obytes;
    fgi_tensor real_out; /* the caller's out, written back at the end */
} rc_pack;

static inline fg_status rc_pack_begin(rc_pack *p, fgi_tensor *x, fgi_tensor *out, int64_t gran,
                                      const char *what)
{
    *p = (rc_pack){0};
    if (!x->contiguous && gran < RC_GATHER_MIN) {
        p->xbytes = (size_t)x->numel * sizeof(float);
        p->xbuf = fgi_alloc(p->xbytes, what);
        if (!p->xbuf) return FG_ERR_NO_MEMORY;
        rc_gather_all(p->xbuf, x);
        *x = rc_f32_view(x, p->xbuf);
    }
    if (out && !out->contiguous && gran < RC_GATHER_MIN) {
        p->obytes = (size_t)out->numel * sizeof(float);
        p->obuf = fgi_alloc(p->obytes, what);
        if (!p->obuf) {
            fgi_free(p->xbuf, p->xbytes);
            p->xbuf = NULL;
            return FG_ERR_NO_MEMORY;
        }
        p->real_out = *out;
    }
    return FG_OK;
}

/* The view kernels write into: the packing buffer when out is packed. */
static inline fgi_tensor rc_pack_out_view(rc_pack *p, const fgi_tensor *out)
{
    return p->obuf ? rc_f32_view(out, p->obuf) : *out;
}

static inline void rc_pack_end(rc_pack *p, bool ok)
{
    if (p->obuf && ok) rc_scatter_all(&p->real_out, p->obuf);
    fgi_free(p->obuf, p->obytes);
    fgi_free(p->xbuf, p->xbytes);
}

/* NaN-propagating max of two scalars: once NaN, always NaN. */
static inline double rc_maxd(double a, double b) { return (b > a || b != b) ? b : a; }

/* Segments to cut each of `units` independent units of `len` elements into so
 * that nt threads all get work: 1 when the units alone are plenty. */
static inline int64_t rc_segments(int nt, int64_t units, int64_t len, int64_t min_seg)
{
    if (nt <= 1 || units >= 2 * (int64_t)nt) return 1;
    int64_t want = rc_cdiv(4 * (int64_t)nt, units);
    int64_t most = len / min_seg;
    if (want > most) want = most;
    return want < 1 ? 1 : want;
}

#endif
