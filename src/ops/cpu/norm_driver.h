/* The layer_norm and rms_norm kernels, written once against the pk_* inner
 * loops (see reduction_driver.h for the scheme): norm.c includes it after
 * the portable loops, norm_avx2.c after the AVX2 ones.
 *
 * Rows of len (the last dim). Rows up to RC_ROW_CACHE are fetched whole (or
 * several at once) and take two passes for the statistics plus the write
 * pass, all from L1/L2 after the first read. Longer rows are read in chunks
 * that stay in L1: each chunk's mean and squared deviations are exact two-
 * pass values merged with Chan's formula, so the row is read twice from
 * memory (statistics, write), and a few long rows are cut into segments for
 * the threads. Weight and bias are converted to float32 once per call. */
#ifndef FGI_OPS_CPU_NORM_DRIVER_H
#define FGI_OPS_CPU_NORM_DRIVER_H

#include <math.h>

#include "ops/cpu/reduction_common.h"

typedef struct nm_ctx {
    bool layer; /* layer_norm, else rms_norm */
    fgi_tensor x, out;
    const float *w, *b; /* float32 weight and bias, NULL when absent */
    double eps;
    int64_t outer, len, nseg, seglen;
    bool stream;
    char *ws;
    size_t wsz;
    double *part; /* per segment (count, mean, M2) or sum of squares, then per row (mean, rstd) */
} nm_ctx;

static inline float *nm_buf(const nm_ctx *c, int tid) { return (float *)(c->ws + (size_t)tid * c->wsz); }

/* Statistics of a row held whole: two passes, the second over deviations.
 * next (may be NULL): the following row, whose lines are requested in
 * pieces while this row is worked on in cache, so that memory does not idle
 * during the arithmetic. rms_norm has no second statistics pass; it
 * prefetches during its write instead (nm_write_row). */
static inline void nm_row_stats(const nm_ctx *c, const float *row, const float *next, double *mean,
                                double *rstd)
{
    int64_t len = c->len;
    double n = (double)len, mu = 0.0, ss = 0.0;
    if (!c->layer) {
        ss = pk_sum_sq(row, len);
    } else {
        mu = pk_sum(row, len) / n;
        for (int64_t i = 0; i < len; i += 512) {
            int64_t k = rc_min(512, len - i);
            if (next) pk_prefetch(next + i, k * 4);
            ss += pk_sum_sqdev(row + i, k, mu);
        }
    }
    *mean = mu;
    *rstd = 1.0 / sqrt(ss / n + c->eps);
}

static inline void nm_write(const nm_ctx *c, float *d, const float *x, int64_t n, int64_t col,
                            double mean, double rstd)
{
    if (c->layer)
        pk_ln_write(d, x, n, mean, rstd, c->w ? c->w + col : NULL, c->b ? c->b + col : NULL, c->stream);
    else
        pk_rms_write(d, x, n, rstd, c->w ? c->w + col : NULL, c->stream);
}

static inline void nm_write_row(const nm_ctx *c, float *d, const float *x, const float *next,
                                double mean, double rstd)
{
    if (c->layer || !next) {
        nm_write(c, d, x, c->len, 0, mean, rstd);
        return;
    }
    for (int64_t i = 0; i < c->len; i += 512) {
        int64_t k = rc_min(512, c->len - i);
        pk_prefetch(next + i, k * 4);
        nm_write(c, d + i, x + i, k, i, mean, rstd);
    }
}

static void nm_rows_task(void *vc, int64_t r0, int64_t r1, int tid)
{
    const nm_ctx *c = vc;
    float *buf = nm_buf(c, tid);
    int64_t len = c->len, g = rc_max(1, RC_CHUNK / len);
    bool pf = rc_direct(&c->x);
    for (int64_t r = r0; r < r1; r += g) {
        int64_t nr = rc_min(g, r1 - r), n = nr * len;
        const float *blk = rc_load(&c->x, r * len, n, buf);
        float *d = rc_dst(&c->out, r * len, buf);
        for (int64_t j = 0; j < nr; j++) {
            double mean, rstd;
            const float *row = blk + j * len, *next = pf && r + j + 1 < r1 ? row + len : NULL;
            nm_row_stats(c, row, next, &mean, &rstd);
            /* read before written: d may be the same row as blk (in place) */
            nm_write_row(c, d + j * len, row, next, mean, rstd);
        }
        rc_store(&c->out, r * len, n, d);
    }
    if (c->stream) pk_fence();
}

/* Statistics of elements [a, b) of row r by chunks: (count, mean, M2) for
 * layer_norm (Chan's merge), (count, sum of squares) for rms_norm. */
static inline void nm_seg_stats(const nm_ctx *c, int64_t r, int64_t a, int64_t b, float *buf,
                                double st[3])
{
    double cnt = 0.0, mean = 0.0, m2 = 0.0;
    for (int64_t p0 = a; p0 < b; p0 += RC_CHUNK) {
        int64_t n = rc_min(RC_CHUNK, b - p0);
        const float *p = rc_load(&c->x, r * c->len + p0, n, buf);
        if (!c->layer) {
            m2 += pk_sum_sq(p, n);
            cnt += (double)n;
            continue;
        }
        double nb = (double)n, mb = pk_sum(p, n) / nb, m2b = pk_sum_sqdev(p, n, mb);
        double tot = cnt + nb, delta = mb - mean;
        mean += delta * (nb / tot);
        m2 += m2b + delta * delta * (cnt * nb / tot);
        cnt = tot;
    }
    st[0] = cnt;
    st[1] = mean;
    st[2] = m2;
}

static inline void nm_finish(const nm_ctx *c, const double st[3], double *mean, double *rstd)
{
    *mean = c->layer ? st[1] : 0.0;
    *rstd = 1.0 / sqrt(st[2] / st[0] + c->eps);
}

static inline void nm_seg_write(const nm_ctx *c, int64_t r, int64_t a, int64_t b, double mean,
                                double rstd, float *buf)
{
    for (int64_t p0 = a; p0 < b; p0 += RC_CHUNK) {
        int64_t n = rc_min(RC_CHUNK, b - p0), at = r * c->len + p0;
        const float *p = rc_load(&c->x, at, n, buf);
        float *d = rc_dst(&c->out, at, buf);
        nm_write(c, d, p, n, p0, mean, rstd);
        rc_store(&c->out, at, n, d);
    }
}

static void nm_long_task(void *vc, int64_t r0, int64_t r1, int tid)
{
    const nm_ctx *c = vc;
    float *buf = nm_buf(c, tid);
    for (int64_t r = r0; r < r1; r++) {
        double st[3], mean, rstd;
        nm_seg_stats(c, r, 0, c->len, buf, st);
        nm_finish(c, st, &mean, &rstd);
        nm_seg_write(c, r, 0, c->len, mean, rstd, buf);
    }
    if (c->stream) pk_fence();
}

static void nm_segstats_task(void *vc, int64_t t0, int64_t t1, int tid)
{
    const nm_ctx *c = vc;
    float *buf = nm_buf(c, tid);
    for (int64_t t = t0; t < t1; t++) {
        int64_t r = t / c->nseg, a = (t % c->nseg) * c->seglen;
        nm_seg_stats(c, r, a, rc_min(c->len, a + c->seglen), buf, &c->part[3 * t]);
    }
}

static void nm_segwrite_task(void *vc, int64_t t0, int64_t t1, int tid)
{
    const nm_ctx *c = vc;
    float *buf = nm_buf(c, tid);
    const double *rows = c->part + 3 * c->outer * c->nseg;
    for (int64_t t = t0; t < t1; t++) {
        int64_t r = t / c->nseg, a = (t % c->nseg) * c->seglen;
        nm_seg_write(c, r, a, rc_min(c->len, a + c->seglen), rows[2 * r], rows[2 * r + 1], buf);
    }
    if (c->stream) pk_fence();
}

/* in[k] as dense float32: the tensor itself when already so, else a copy. */
static inline const float *nm_param(const fgi_tensor *t, float *copy)
{
    if (rc_direct(t)) return (const float *)t->data;
    fgi_tensor_gather_f32(copy, t, 0, t->numel);
    return copy;
}

static fg_status nm_run(const fgi_call *call)
{
    nm_ctx c = {.layer = call->op == FGI_OP_layer_norm, .x = call->in[0], .out = call->out,
                .eps = call->eps, .outer = call->outer, .len = call->len, .nseg = 1};
    int64_t len = c.len;
    int nt = fgi_threads_for(c.x.numel);
    bool has_b = c.layer && call->has_bias;
    c.stream = rc_stream(&c.out, &c.x);
    bool whole = len <= RC_ROW_CACHE;
    if (!whole) {
        c.nseg = rc_segments(nt, c.outer, len, RC_SPLIT_MIN / 2);
        c.seglen = rc_cdiv(len, c.nseg);
        c.nseg = rc_cdiv(len, c.seglen);
    }
    c.wsz = rc_bytes((size_t)(whole ? rc_max(RC_CHUNK, len) : RC_CHUNK) * 4);
    size_t npart = c.nseg > 1 ? (size_t)(3 * c.outer * c.nseg + 2 * c.outer) : 0;
    size_t pbytes = (call->has_weight ? rc_bytes((size_t)len * 4) : 0) + (has_b ? rc_bytes((size_t)len * 4) : 0);
    size_t bytes = (size_t)nt * c.wsz + npart * sizeof(double) + pbytes;
    c.ws = fgi_alloc(bytes, c.layer ? "layer_norm workspace" : "rms_norm workspace");
    if (!c.ws) return FG_ERR_NO_MEMORY;
    c.part = (double *)(c.ws + (size_t)nt * c.wsz);
    float *pw = (float *)((char *)c.part + npart * sizeof(double));
    if (call->has_weight) {
        c.w = nm_param(&call->in[1], pw);
        pw += rc_bytes((size_t)len * 4) / 4;
    }
    if (has_b) c.b = nm_param(&call->in[2], pw);

    if (whole) {
        rc_parallel(nt, c.outer, nm_rows_task, &c);
    } else if (c.nseg == 1) {
        rc_parallel(nt, c.outer, nm_long_task, &c);
    } else {
        int64_t ntasks = c.outer * c.nseg;
        rc_parallel(nt, ntasks, nm_segstats_task, &c);
        double *rows = c.part + 3 * ntasks;
        for (int64_t r = 0; r < c.outer; r++) {
            double st[3] = {0.0, 0.0, 0.0};
            for (int64_t k = 0; k < c.nseg; k++) {
                const double *sk = &c.part[3 * (r * c.nseg + k)];
                if (!c.layer) {
                    st[0] += sk[0];
                    st[2] += sk[2];
                    continue;
                }
                double tot = st[0] + sk[0], delta = sk[1] - st[1];
                st[1] += delta * (sk[0] / tot);
                st[2] += sk[2] + delta * delta * (st[0] * sk[0] / tot);
                st[0] = tot;
            }
            nm_finish(&c, st, &rows[2 * r], &rows[2 * r + 1]);
        }
        rc_parallel(nt, ntasks, nm_segwrite_task, &c);
    }
    fgi_free(c.ws, bytes);
    return FG_OK;
}

#endif
