/* The sum, mean, amax and softmax kernels, written once against the pk_*
 * inner loops: reduction.c includes it after the portable loops,
 * reduction_avx2.c after the AVX2 ones, so each file gets its own copy
 * compiled for its ISA.
 *
 * x is seen as [outer, len, inner] around the reduced dim. Two layouts:
 *  - inner == 1: each slice is a contiguous row. Short rows are fetched in
 *    blocks of several rows; long rows in chunks, and a few long rows are cut
 *    into segments so every thread gets work (partials are combined after).
 *  - inner > 1: vectorize across inner. A task owns (outer index, inner
 *    tile, len segment) and accumulates whole rows of its tile into a
 *    buffer that stays in L1. Inner < 16 is folded into a period of
 *    lcm(inner, 8) lanes so short rows still fill vectors.
 * Fetching goes through rc_load/rc_dst/rc_store: float32 dense tensors are
 * used in place, float16/bfloat16 and strided ones are converted in chunks
 * (strided ones narrower than RC_GATHER_MIN are packed whole first).
 * Memory is the limit for large tensors, so dense float32 reductions read
 * two distant regions at once (two hardware prefetch streams), and softmax
 * rows prefetch the next row while the exponentials of this one are
 * computed in cache. */
#ifndef FGI_OPS_CPU_REDUCTION_DRIVER_H
#define FGI_OPS_CPU_REDUCTION_DRIVER_H

#include <math.h>
#include <string.h>

#include "ops/cpu/reduction_common.h"

/* Float accumulators of the inner > 1 path get this many additions per lane
 * before they are added into double ones. */
#define RD_FLUSH 256
/* Largest period of the inner < 16 folding: lcm(15, 8). */
#define RD_PMAX 120

typedef struct rd_ctx {
    fgi_op op;
    fgi_tensor x, out;
    int64_t outer, len, inner;
    int64_t nseg, seglen; /* len cut into nseg segments of seglen */
    int64_t T, ntiles, P; /* inner tiles of width T; P: accumulator period */
    bool stream;          /* streaming stores for the output */
    bool cached;          /* softmax inner > 1: the tile stays in L2 */
    char *ws;             /* per-thread workspace, wsz bytes each */
    size_t wsz;
    double *part; /* per-task partial results, then per-row statistics */
} rd_ctx;

static inline char *rd_ws(const rd_ctx *c, int tid) { return c->ws + (size_t)tid * c->wsz; }

/* ------------------------------------------------------------ sum, mean, amax */

static inline double rd_ident(fgi_op op) { return op == FGI_OP_amax ? -INFINITY : 0.0; }

static inline double rd_comb(fgi_op op, double a, double b)
{
    return op == FGI_OP_amax ? rc_maxd(a, b) : a + b;
}

static inline double rd_piece(fgi_op op, const float *p, int64_t n)
{
    return op == FGI_OP_amax ? (double)pk_max(p, n, -INFINITY) : pk_sum(p, n);
}

static inline float rd_finish(const rd_ctx *c, double v)
{
    return (float)(c->op == FGI_OP_mean ? v / (double)c->len : v);
}

/* Workspace of the reduction tasks: fetch buffer, result buffer, float and
 * double accumulators, double results. */
static inline size_t rd_red_wsz(const rd_ctx *c)
{
    int64_t fb = rc_max(RC_CHUNK, c->T), pm = rc_max(RD_PMAX, c->T);
    return 2 * rc_bytes((size_t)fb * 4) + rc_bytes((size_t)pm * 4) + rc_bytes((size_t)pm * 8) +
           rc_bytes((size_t)c->T * 8);
}

/* The reductions of two equally long runs a and b, read as two streams. */
static inline void rd_piece2(fgi_op op, const float *a, const float *b, int64_t n, double *ra, double *rb)
{
    if (op == FGI_OP_amax) {
        float u, v;
        pk_max2(a, b, n, &u, &v);
        *ra = u;
        *rb = v;
    } else {
        pk_sum2(a, b, n, ra, rb);
    }
}

/* Reduction of elements [a, b) of row r (inner == 1). Dense float32 is read
 * as two half-ranges at once; anything else in converted chunks. */
static inline double rd_row_range(const rd_ctx *c, int64_t r, int64_t a, int64_t b, float *buf)
{
    double acc = rd_ident(c->op);
    if (rc_direct(&c->x) && b - a >= 2 * RC_CHUNK) {
        const float *p = (const float *)c->x.data + r * c->len;
        int64_t h = (b - a) / 2;
        double u, v;
        rd_piece2(c->op, p + a, p + a + h, h, &u, &v);
        acc = rd_comb(c->op, u, v);
        a += 2 * h;
    }
    for (int64_t s = a; s < b; s += RC_CHUNK) {
        int64_t n = rc_min(RC_CHUNK, b - s);
        acc = rd_comb(c->op, acc, rd_piece(c->op, rc_load(&c->x, r * c->len + s, n, buf), n));
    }
    return acc;
}

/* inner == 1, whole rows [r0, r1). Short dense float32 rows are taken in
 * pairs from the two halves of the range (two streams); otherwise blocks of
 * rows are fetched at once. */
static void rd_rows_task(void *vc, int64_t r0, int64_t r1, int tid)
{
    const rd_ctx *c = vc;
    float *buf = (float *)rd_ws(c, tid), *res = buf + rc_max(RC_CHUNK, c->T);
    int64_t len = c->len;
    if (len <= RC_CHUNK && rc_direct(&c->x) && r1 - r0 >= 2) {
        const float *xp = (const float *)c->x.data;
        int64_t na = (r1 - r0 + 1) / 2, gh = rc_max(1, rc_min(RC_CHUNK / len, RC_CHUNK / 2));
        for (int64_t j = 0; j < na; j += gh) {
            int64_t m = rc_min(gh, na - j), ra = r0 + j, rb = r0 + na + j;
            int64_t mb = rc_max(0, rc_min(m, r1 - rb));
            float *da = rc_dst(&c->out, ra, res), *db = rc_dst(&c->out, rb, res + RC_CHUNK / 2);
            for (int64_t k = 0; k < mb; k++) {
                double u, v;
                rd_piece2(c->op, xp + (ra + k) * len, xp + (rb + k) * len, len, &u, &v);
                da[k] = rd_finish(c, u);
                db[k] = rd_finish(c, v);
            }
            for (int64_t k = mb; k < m; k++) da[k] = rd_finish(c, rd_piece(c->op, xp + (ra + k) * len, len));
            rc_store(&c->out, ra, m, da);
            if (mb > 0) rc_store(&c->out, rb, mb, db);
        }
        return;
    }
    if (len <= RC_CHUNK) {
        int64_t g = RC_CHUNK / len;
        for (int64_t r = r0; r < r1; r += g) {
            int64_t nr = rc_min(g, r1 - r);
            const float *blk = rc_load(&c->x, r * len, nr * len, buf);
            float *d = rc_dst(&c->out, r, res);
            for (int64_t j = 0; j < nr; j++) d[j] = rd_finish(c, rd_piece(c->op, blk + j * len, len));
            rc_store(&c->out, r, nr, d);
        }
        return;
    }
    for (int64_t r = r0; r < r1; r++) {
        float *d = rc_dst(&c->out, r, res);
        d[0] = rd_finish(c, rd_row_range(c, r, 0, len, buf));
        rc_store(&c->out, r, 1, d);
    }
}

/* inner == 1, task t = segment t % nseg of row t / nseg: a partial. */
static void rd_segs_task(void *vc, int64_t t0, int64_t t1, int tid)
{
    const rd_ctx *c = vc;
    float *buf = (float *)rd_ws(c, tid);
    for (int64_t t = t0; t < t1; t++) {
        int64_t r = t / c->nseg, a = (t % c->nseg) * c->seglen;
        c->part[t] = rd_row_range(c, r, a, rc_min(c->len, a + c->seglen), buf);
    }
}

/* inner > 1, task t = (o, tile, segment). */
static void rd_inner_task(void *vc, int64_t t0, int64_t t1, int tid)
{
    const rd_ctx *c = vc;
    fgi_op op = c->op;
    bool is_max = op == FGI_OP_amax, full = c->ntiles == 1;
    int64_t fb = rc_max(RC_CHUNK, c->T), pm = rc_max(RD_PMAX, c->T);
    char *ws = rd_ws(c, tid);
    float *buf = (float *)ws;
    float *res = (float *)(ws + rc_bytes((size_t)fb * 4));
    float *acc = (float *)(ws + 2 * rc_bytes((size_t)fb * 4));
    double *dacc = (double *)((char *)acc + rc_bytes((size_t)pm * 4));
    double *rv = (double *)((char *)dacc + rc_bytes((size_t)pm * 8));
    int64_t len = c->len, inner = c->inner;
    for (int64_t t = t0; t < t1; t++) {
        int64_t seg = t % c->nseg, u = t / c->nseg, tile = u % c->ntiles, o = u / c->ntiles;
        int64_t i0 = tile * c->T, w = rc_min(c->T, inner - i0);
        int64_t l0 = seg * c->seglen, l1 = rc_min(len, l0 + c->seglen);
        int64_t P = full ? c->P : w;
        float id = is_max ? -INFINITY : 0.0f;
        for (int64_t k = 0; k < P; k++) {
            acc[k] = id;
            dacc[k] = 0.0;
        }
        int64_t adds = 0;
        /* full: rows are contiguous, fetch blocks of B rows at once */
        int64_t B = full ? rc_max(1, RC_CHUNK / inner) : 1;
        /* dense float32: the two halves of [l0, l1) as two streams */
        int64_t hn = rc_direct(&c->x) ? (l1 - l0) / 2 : 0;
        const float *xp = (const float *)c->x.data;
        for (int64_t j = 0; j < hn; j += B) {
            int64_t nb = rc_min(B, hn - j), n = full ? nb * inner : w;
            const float *pa = xp + (o * len + l0 + j) * inner + i0, *pb = pa + hn * inner;
            for (int64_t k = 0; k < n; k += P) {
                if (is_max)
                    pk_acc_max2(acc, pa + k, pb + k, rc_min(P, n - k));
                else
                    pk_acc_add2(acc, pa + k, pb + k, rc_min(P, n - k));
            }
            adds += 2 * rc_cdiv(n, P);
            if (!is_max && adds >= RD_FLUSH) {
                for (int64_t k = 0; k < P; k++) {
                    dacc[k] += acc[k];
                    acc[k] = 0.0f;
                }
                adds = 0;
            }
        }
        for (int64_t l = l0 + 2 * hn; l < l1; l += B) {
            int64_t nb = rc_min(B, l1 - l), n = full ? nb * inner : w;
            const float *blk = rc_load(&c->x, (o * len + l) * inner + i0, n, buf);
            for (int64_t k = 0; k < n; k += P) {
                if (is_max)
                    pk_acc_max(acc, blk + k, rc_min(P, n - k));
                else
                    pk_acc_add(acc, blk + k, rc_min(P, n - k));
            }
            adds += rc_cdiv(n, P);
            if (!is_max && adds >= RD_FLUSH) {
                for (int64_t k = 0; k < P; k++) {
                    dacc[k] += acc[k];
                    acc[k] = 0.0f;
                }
                adds = 0;
            }
        }
        double idd = rd_ident(op);
        for (int64_t i = 0; i < w; i++) rv[i] = idd;
        for (int64_t k = 0; k < P; k++) {
            /* lane k holds column k % inner (k when not folded, P == w) */
            int64_t i = full ? k % inner : k;
            rv[i] = is_max ? rc_maxd(rv[i], (double)acc[k]) : rv[i] + (dacc[k] + (double)acc[k]);
        }
        if (c->nseg == 1) {
            float *d = rc_dst(&c->out, o * inner + i0, res);
            for (int64_t i = 0; i < w; i++) d[i] = rd_finish(c, rv[i]);
            rc_store(&c->out, o * inner + i0, w, d);
        } else {
            for (int64_t i = 0; i < w; i++) c->part[t * c->T + i] = rv[i];
        }
    }
}

static inline int64_t rd_gcd(int64_t a, int64_t b)
{
    while (b) {
        int64_t t = a % b;
        a = b;
        b = t;
    }
    return a;
}

static inline fg_status rd_alloc_ws(rd_ctx *c, int nt, size_t part_doubles, const char *what)
{
    size_t bytes = (size_t)nt * c->wsz + part_doubles * sizeof(double);
    c->ws = fgi_alloc(bytes, what);
    if (!c->ws) return FG_ERR_NO_MEMORY;
    c->part = (double *)(c->ws + (size_t)nt * c->wsz);
    return FG_OK;
}

static fg_status rd_reduce(const fgi_call *call)
{
    rd_ctx c = {.op = call->op, .x = call->in[0], .out = call->out, .outer = call->outer,
                .len = call->len, .inner = call->inner};
    if (c.len == 0) {
        /* empty slices: sum 0, mean 0/0 = NaN (amax was refused before) */
        float v = c.op == FGI_OP_mean ? NAN : 0.0f, tmp[256];
        for (int64_t s = 0; s < c.out.numel; s += 256) {
            int64_t n = rc_min(256, c.out.numel - s);
            float *d = rc_dst(&c.out, s, tmp);
            for (int64_t j = 0; j < n; j++) d[j] = v;
            rc_store(&c.out, s, n, d);
        }
        return FG_OK;
    }
    int nt = fgi_threads_for(c.outer * c.len * c.inner);
    int64_t units;
    if (c.inner == 1) {
        c.T = 1;
        c.ntiles = 1;
        units = c.outer;
    } else {
        c.T = c.inner <= RC_CHUNK ? c.inner : RC_CHUNK / 2;
        c.ntiles = rc_cdiv(c.inner, c.T);
        c.P = c.inner >= 16 ? c.inner : c.inner * 8 / rd_gcd(c.inner, 8);
        units = c.outer * c.ntiles;
    }
    int64_t min_seg = rc_max(1, 16384 / c.T);
    c.nseg = c.len >= (c.inner == 1 ? RC_SPLIT_MIN : 2 * min_seg)
                 ? rc_segments(nt, units, c.len, min_seg)
                 : 1;
    c.seglen = rc_cdiv(c.len, c.nseg);
    c.nseg = rc_cdiv(c.len, c.seglen);
    c.wsz = rd_red_wsz(&c);
    int64_t ntasks = units * c.nseg;
    size_t npart = c.nseg > 1 ? (size_t)(ntasks * c.T) : 0;
    if (rd_alloc_ws(&c, nt, npart, "reduction workspace") != FG_OK) return FG_ERR_NO_MEMORY;

    if (c.inner == 1 && c.nseg == 1) {
        rc_parallel(nt, c.outer, rd_rows_task, &c);
    } else {
        rc_parallel(nt, ntasks, c.inner == 1 ? rd_segs_task : rd_inner_task, &c);
    }
    if (c.nseg > 1) {
        /* few units here (that is why they were cut): combine serially */
        float *res = (float *)c.ws;
        for (int64_t u = 0; u < units; u++) {
            int64_t o = u / c.ntiles, i0 = (u % c.ntiles) * c.T, w = rc_min(c.T, c.inner - i0);
            float *d = rc_dst(&c.out, o * c.inner + i0, res);
            for (int64_t i = 0; i < w; i++) {
                double v = rd_ident(c.op);
                for (int64_t s = 0; s < c.nseg; s++) v = rd_comb(c.op, v, c.part[(u * c.nseg + s) * c.T + i]);
                d[i] = rd_finish(&c, v);
            }
            rc_store(&c.out, o * c.inner + i0, w, d);
        }
    }
    fgi_free(c.ws, (size_t)nt * c.wsz + npart * sizeof(double));
    return FG_OK;
}

/* ------------------------------------------------------------ softmax */

/* Rows up to RC_ROW_CACHE: the exponentials are kept in a per-thread buffer
 * (one exp per element), then scaled into out. */
/* e = exp(row - m), returning the sum, in pieces between which the next
 * row's lines are requested (next may be NULL). */
static inline float sm_exp_pass(float *e, const float *row, int64_t len, float m, const float *next)
{
    if (!next) return pk_exp_sum_store(e, row, len, m);
    float s = 0.0f;
    for (int64_t i = 0; i < len; i += 512) {
        int64_t n = rc_min(512, len - i);
        pk_prefetch(next + i, n * 4);
        s += pk_exp_sum_store(e + i, row + i, n, m);
    }
    return s;
}

static void sm_rows_task(void *vc, int64_t r0, int64_t r1, int tid)
{
    const rd_ctx *c = vc;
    float *buf = (float *)rd_ws(c, tid);
    bool pf = rc_direct(&c->x);
    int64_t len = c->len, g = rc_max(1, RC_CHUNK / len);
    for (int64_t r = r0; r < r1; r += g) {
        int64_t nr = rc_min(g, r1 - r), n = nr * len;
        const float *blk = rc_load(&c->x, r * len, n, buf);
        float *d = rc_dst(&c->out, r * len, buf);
        for (int64_t j = 0; j < nr; j++) {
            const float *row = blk + j * len;
            float *e = buf + j * len;
            float m = pk_max(row, len, -INFINITY);
            /* While this row is in cache for the exp pass, fetch the next
             * one: the memory otherwise idles during the arithmetic. */
            const float *next = pf && r + j + 1 < r1 ? row + len : NULL;
            float s = sm_exp_pass(e, row, len, m, next);
            /* NaN or +-Inf max: the whole row is NaN (see the reference) */
            float inv = isfinite(m) ? 1.0f / s : NAN;
            pk_scale(d + j * len, e, len, inv, c->stream);
        }
        rc_store(&c->out, r * len, n, d);
    }
    if (c->stream) pk_fence();
}

/* Online max and sum of exp over elements [a, b) of row r, chunk by chunk:
 * the sum is rescaled when a chunk raises the max. *m is NaN when the
 * segment holds NaN or +Inf, which poisons the row. */
static inline void sm_seg_stats(const rd_ctx *c, int64_t r, int64_t a, int64_t b, float *buf,
                                double *m_out, double *s_out)
{
    float m = -INFINITY;
    double s = 0.0;
    for (int64_t p0 = a; p0 < b; p0 += RC_CHUNK) {
        int64_t n = rc_min(RC_CHUNK, b - p0);
        const float *p = rc_load(&c->x, r * c->len + p0, n, buf);
        float mc = pk_max(p, n, -INFINITY);
        if (!(mc < INFINITY)) {
            m = NAN;
            break;
        }
        if (mc == -INFINITY) continue;
        if (mc > m) {
            s *= exp((double)m - (double)mc);
            m = mc;
        }
        s += pk_exp_sum(p, n, m);
    }
    *m_out = m;
    *s_out = s;
}

static inline void sm_seg_write(const rd_ctx *c, int64_t r, int64_t a, int64_t b, float m,
                                float inv, float *buf)
{
    for (int64_t p0 = a; p0 < b; p0 += RC_CHUNK) {
        int64_t n = rc_min(RC_CHUNK, b - p0), at = r * c->len + p0;
        const float *p = rc_load(&c->x, at, n, buf);
        float *d = rc_dst(&c->out, at, buf);
        pk_exp_scale(d, p, n, m, inv, c->stream);
        rc_store(&c->out, at, n, d);
    }
}

/* 1 / sum, or NaN for a poisoned or all -Inf row. */
static inline float sm_inv(double m, double s)
{
    return (m != m || m == -INFINITY) ? NAN : (float)(1.0 / s);
}

/* Long rows, one task per row: statistics, then the write pass while the
 * row's tail may still be in L2/L3. */
static void sm_long_task(void *vc, int64_t r0, int64_t r1, int tid)
{
    const rd_ctx *c = vc;
    float *buf = (float *)rd_ws(c, tid);
    for (int64_t r = r0; r < r1; r++) {
        double m, s;
        sm_seg_stats(c, r, 0, c->len, buf, &m, &s);
        sm_seg_write(c, r, 0, c->len, (float)m, sm_inv(m, s), buf);
    }
    if (c->stream) pk_fence();
}

/* Long rows cut into segments: phase 1 statistics per segment ... */
static void sm_segstats_task(void *vc, int64_t t0, int64_t t1, int tid)
{
    const rd_ctx *c = vc;
    float *buf = (float *)rd_ws(c, tid);
    for (int64_t t = t0; t < t1; t++) {
        int64_t r = t / c->nseg, a = (t % c->nseg) * c->seglen;
        sm_seg_stats(c, r, a, rc_min(c->len, a + c->seglen), buf, &c->part[2 * t], &c->part[2 * t + 1]);
    }
}

/* ... phase 2 writes each segment with its row's combined statistics,
 * stored after the per-segment ones. */
static void sm_segwrite_task(void *vc, int64_t t0, int64_t t1, int tid)
{
    const rd_ctx *c = vc;
    float *buf = (float *)rd_ws(c, tid);
    const double *rows = c->part + 2 * c->outer * c->nseg;
    for (int64_t t = t0; t < t1; t++) {
        int64_t r = t / c->nseg, a = (t % c->nseg) * c->seglen;
        sm_seg_write(c, r, a, rc_min(c->len, a + c->seglen), (float)rows[2 * r], (float)rows[2 * r + 1], buf);
    }
    if (c->stream) pk_fence();
}

/* inner > 1: task t = (o, tile) owns columns [i0, i0 + w) of slab o. Lanes
 * of the per-task state map to columns: lane k is column k % inner when
 * whole rows are folded into a period P (full), column k of the tile
 * otherwise. Two schemes:
 *  - cached: the tile fits in L2, so three passes (max, sum of exp, write)
 *    cost one exp per element and one read from memory;
 *  - online: one pass keeps a running (max, sum) per lane, merged every
 *    RD_FLUSH rows into a second state (pairwise, for accuracy), then the
 *    write pass: two reads from memory instead of three. */
typedef struct sm_lanes {
    float *m, *s, *m2, *s2, *inv;
    double *sd;
} sm_lanes;

/* Lanes of per-task state: the accumulator period or the tile width. */
static inline int64_t sm_lane_cap(const rd_ctx *c) { return rc_max(RD_PMAX, rc_max(c->P, c->T)); }

static inline size_t sm_inner_wsz(const rd_ctx *c)
{
    size_t fb = (size_t)rc_max(RC_CHUNK, c->T), wl = (size_t)sm_lane_cap(c);
    return 2 * rc_bytes(fb * 4) + 5 * rc_bytes(wl * 4) + rc_bytes(wl * 8);
}

static inline sm_lanes sm_lanes_of(const rd_ctx *c, int tid, float **buf, float **obuf)
{
    size_t fb = rc_bytes((size_t)rc_max(RC_CHUNK, c->T) * 4), lb = rc_bytes((size_t)sm_lane_cap(c) * 4);
    char *ws = rd_ws(c, tid), *lane0 = ws + 2 * fb;
    *buf = (float *)ws;
    *obuf = (float *)(ws + fb);
    sm_lanes L = {(float *)lane0, (float *)(lane0 + lb), (float *)(lane0 + 2 * lb),
                  (float *)(lane0 + 3 * lb), (float *)(lane0 + 4 * lb), (double *)(lane0 + 5 * lb)};
    return L;
}

/* Task t = (o, tile, segment of len): its columns [i0, i0 + w), rows
 * [l0, l1) and lane count P. */
typedef struct sm_geom {
    int64_t o, i0, w, l0, l1, P;
} sm_geom;

static inline sm_geom sm_geom_of(const rd_ctx *c, int64_t t)
{
    sm_geom g;
    int64_t seg = t % c->nseg, u = t / c->nseg;
    g.o = u / c->ntiles;
    g.i0 = (u % c->ntiles) * c->T;
    g.w = rc_min(c->T, c->inner - g.i0);
    g.l0 = seg * c->seglen;
    g.l1 = rc_min(c->len, g.l0 + c->seglen);
    g.P = c->ntiles == 1 ? c->P : g.w;
    return g;
}

/* Calls body(piece, n) for consecutive pieces of at most P elements of rows
 * [l0, l1) of the task's tile; every piece starts at lane 0. */
#define SM_FOR_PIECES(c, g, buf, piece, n, body)                                             \
    do {                                                                                    \
        bool full_ = (c)->ntiles == 1;                                                      \
        int64_t B_ = full_ ? rc_max(1, RC_CHUNK / (c)->inner) : 1;                          \
        for (int64_t l_ = (g).l0; l_ < (g).l1; l_ += B_) {                                  \
            int64_t nb_ = rc_min(B_, (g).l1 - l_), tot_ = full_ ? nb_ * (c)->inner : (g).w; \
            const float *blk_ =                                                             \
                rc_load(&(c)->x, ((g).o * (c)->len + l_) * (c)->inner + (g).i0, tot_, (buf)); \
            for (int64_t k_ = 0; k_ < tot_; k_ += (g).P) {                                  \
                const float *piece = blk_ + k_;                                             \
                int64_t n = rc_min((g).P, tot_ - k_);                                       \
                body;                                                                       \
            }                                                                               \
        }                                                                                   \
    } while (0)

/* Online pass over the task's rows: unfolded per-lane state in (m2, s2),
 * merged from (m, s) every RD_FLUSH rows (pairwise, for accuracy). */
static inline void sm_online_stats(const rd_ctx *c, sm_geom g, float *buf, sm_lanes L)
{
    for (int64_t k = 0; k < g.P; k++) {
        L.m[k] = L.m2[k] = -INFINITY;
        L.s[k] = L.s2[k] = 0.0f;
    }
    int64_t adds = 0;
    SM_FOR_PIECES(c, g, buf, p, n, {
        pk_online(L.m, L.s, p, n);
        if (++adds >= RD_FLUSH) {
            pk_online_merge(L.m2, L.s2, L.m, L.s, g.P);
            for (int64_t k = 0; k < g.P; k++) {
                L.m[k] = -INFINITY;
                L.s[k] = 0.0f;
            }
            adds = 0;
        }
    });
    pk_online_merge(L.m2, L.s2, L.m, L.s, g.P);
}

/* From an unfolded (max, sum) state per lane to the write pass's max and
 * 1 / sum per lane: the period is folded in double (column max, then the
 * rescaled sums) and spread back over the lanes. NaN or infinite max: the
 * column is poisoned (1 / sum = NaN), as in the reference. */
static inline void sm_fold(const rd_ctx *c, sm_geom g, const float *ms, const float *ss, float *m, float *inv)
{
    int64_t inner = c->inner;
    for (int64_t i = 0; i < g.w; i++) {
        double mi = -INFINITY, si = 0.0;
        for (int64_t k = i; k < g.P; k += inner) mi = rc_maxd(mi, ms[k]);
        if (g.P == g.w)
            si = ss[i];
        else
            for (int64_t k = i; k < g.P; k += inner)
                if (ms[k] != -INFINITY) si += ss[k] * exp(ms[k] - mi);
        m[i] = (float)mi;
        inv[i] = isfinite(mi) ? (float)(1.0 / si) : NAN;
    }
    for (int64_t k = g.w; k < g.P; k++) {
        m[k] = m[k % inner];
        inv[k] = inv[k % inner];
    }
}

/* The write pass over the task's rows: exp(x - m) * inv per lane. */
static inline void sm_write_rows(const rd_ctx *c, sm_geom g, const float *m, const float *inv, float *buf,
                                 float *obuf)
{
    int64_t len = c->len, inner = c->inner;
    bool full = c->ntiles == 1;
    int64_t B = full ? rc_max(1, RC_CHUNK / inner) : 1;
    for (int64_t l = g.l0; l < g.l1; l += B) {
        int64_t nb = rc_min(B, g.l1 - l), at = (g.o * len + l) * inner + g.i0, n = full ? nb * inner : g.w;
        const float *blk = rc_load(&c->x, at, n, buf);
        float *d = rc_dst(&c->out, at, obuf);
        for (int64_t k = 0; k < n; k += g.P) pk_exp_scale_lanes(d + k, blk + k, m, inv, rc_min(g.P, n - k));
        rc_store(&c->out, at, n, d);
    }
}

/* inner > 1, one task per (o, tile) over all rows. Lane k of the state is
 * column k % inner when whole rows are folded into a period P, column k of
 * the tile otherwise. Two schemes:
 *  - cached: the tile fits in L2, so three passes (max, sum of exp, write)
 *    cost one exp per element and one read from memory;
 *  - online: one pass keeps a running (max, sum) per lane, then the write
 *    pass: two reads from memory instead of three. */
static void sm_inner_task(void *vc, int64_t t0, int64_t t1, int tid)
{
    const rd_ctx *c = vc;
    float *buf, *obuf;
    sm_lanes L = sm_lanes_of(c, tid, &buf, &obuf);
    int64_t inner = c->inner;
    for (int64_t t = t0; t < t1; t++) {
        sm_geom g = sm_geom_of(c, t);
        int64_t P = g.P, w = g.w;
        if (!c->cached) {
            sm_online_stats(c, g, buf, L);
            sm_fold(c, g, L.m2, L.s2, L.m, L.inv);
            sm_write_rows(c, g, L.m, L.inv, buf, obuf);
            continue;
        }
        for (int64_t k = 0; k < P; k++) {
            L.m[k] = -INFINITY;
            L.s[k] = 0.0f;
            L.sd[k] = 0.0;
        }
        SM_FOR_PIECES(c, g, buf, p, n, pk_acc_max(L.m, p, n));
        if (P != w) {
            /* fold the period: column max, then spread back over lanes */
            for (int64_t i = 0; i < w; i++) L.m2[i] = -INFINITY;
            for (int64_t k = 0; k < P; k++) L.m2[k % inner] = (float)rc_maxd(L.m2[k % inner], L.m[k]);
            for (int64_t k = 0; k < P; k++) L.m[k] = L.m2[k % inner];
        }
        int64_t adds = 0;
        SM_FOR_PIECES(c, g, buf, p, n, {
            pk_acc_exp_sum(L.s, p, L.m, n);
            if (++adds >= RD_FLUSH) {
                for (int64_t k = 0; k < P; k++) {
                    L.sd[k] += L.s[k];
                    L.s[k] = 0.0f;
                }
                adds = 0;
            }
        });
        for (int64_t k = 0; k < P; k++) L.sd[k] += L.s[k];
        if (P != w) {
            for (int64_t k = w; k < P; k++) L.sd[k % inner] += L.sd[k];
            for (int64_t k = w; k < P; k++) L.sd[k] = L.sd[k % inner];
        }
        for (int64_t k = 0; k < P; k++) L.inv[k] = isfinite(L.m[k]) ? (float)(1.0 / L.sd[k]) : NAN;
        sm_write_rows(c, g, L.m, L.inv, buf, obuf);
    }
}

/* inner > 1 with the rows cut into segments (few (o, tile) units, many
 * rows): each thread streams whole rows of its segment. Phase 1 stores each
 * task's unfolded online state; the states of a unit are merged serially
 * (they are few) into its max and 1 / sum per lane; phase 2 writes. Part
 * layout, in floats of stride S = sm_lane_cap: per task (m, s), then per
 * unit (m, inv). */
static inline float *sm_part(const rd_ctx *c) { return (float *)c->part; }

static void sm_segstats_inner_task(void *vc, int64_t t0, int64_t t1, int tid)
{
    const rd_ctx *c = vc;
    float *buf, *obuf;
    sm_lanes L = sm_lanes_of(c, tid, &buf, &obuf);
    int64_t S = sm_lane_cap(c);
    for (int64_t t = t0; t < t1; t++) {
        sm_geom g = sm_geom_of(c, t);
        sm_online_stats(c, g, buf, L);
        memcpy(sm_part(c) + 2 * t * S, L.m2, (size_t)g.P * 4);
        memcpy(sm_part(c) + (2 * t + 1) * S, L.s2, (size_t)g.P * 4);
    }
}

static void sm_segwrite_inner_task(void *vc, int64_t t0, int64_t t1, int tid)
{
    const rd_ctx *c = vc;
    float *buf, *obuf;
    sm_lanes_of(c, tid, &buf, &obuf);
    int64_t S = sm_lane_cap(c), ntasks = c->outer * c->ntiles * c->nseg;
    for (int64_t t = t0; t < t1; t++) {
        const float *unit = sm_part(c) + 2 * S * (ntasks + t / c->nseg);
        sm_write_rows(c, sm_geom_of(c, t), unit, unit + S, buf, obuf);
    }
}

static void sm_merge_units(const rd_ctx *c, sm_lanes L)
{
    int64_t S = sm_lane_cap(c), units = c->outer * c->ntiles, ntasks = units * c->nseg;
    for (int64_t u = 0; u < units; u++) {
        sm_geom g = sm_geom_of(c, u * c->nseg);
        for (int64_t k = 0; k < g.P; k++) {
            double m = -INFINITY, s = 0.0;
            for (int64_t q = 0; q < c->nseg; q++) m = rc_maxd(m, sm_part(c)[2 * (u * c->nseg + q) * S + k]);
            if (isfinite(m))
                for (int64_t q = 0; q < c->nseg; q++) {
                    const float *st = sm_part(c) + 2 * (u * c->nseg + q) * S;
                    if (st[k] != -INFINITY) s += (double)st[S + k] * exp((double)st[k] - m);
                }
            L.m2[k] = (float)m;
            L.s2[k] = (float)s;
        }
        float *unit = sm_part(c) + 2 * S * (ntasks + u);
        sm_fold(c, g, L.m2, L.s2, unit, unit + S);
    }
}

static fg_status rd_softmax(const fgi_call *call)
{
    rd_ctx c = {.op = call->op, .x = call->in[0], .out = call->out, .outer = call->outer,
                .len = call->len, .inner = call->inner, .nseg = 1, .ntiles = 1};
    int nt = fgi_threads_for(c.x.numel);
    int64_t len = c.len;
    rc_pack pk;
    fg_status st;
    if (c.inner == 1) {
        /* fetches are whole rows, blocks of rows or 4096-element chunks */
        c.stream = rc_stream(&c.out, &c.x);
        if (len <= RC_ROW_CACHE) {
            c.wsz = rc_bytes((size_t)rc_max(RC_CHUNK, len) * 4);
            if (rd_alloc_ws(&c, nt, 0, "softmax workspace") != FG_OK) return FG_ERR_NO_MEMORY;
            rc_parallel(nt, c.outer, sm_rows_task, &c);
            fgi_free(c.ws, (size_t)nt * c.wsz);
            return FG_OK;
        }
        c.nseg = rc_segments(nt, c.outer, len, RC_SPLIT_MIN / 2);
        c.seglen = rc_cdiv(len, c.nseg);
        c.nseg = rc_cdiv(len, c.seglen);
        c.wsz = rc_bytes(RC_CHUNK * 4);
        size_t npart = c.nseg > 1 ? (size_t)(2 * c.outer * c.nseg + 2 * c.outer) : 0;
        if (rd_alloc_ws(&c, nt, npart, "softmax workspace") != FG_OK) return FG_ERR_NO_MEMORY;
        if (c.nseg == 1) {
            rc_parallel(nt, c.outer, sm_long_task, &c);
        } else {
            int64_t ntasks = c.outer * c.nseg;
            rc_parallel(nt, ntasks, sm_segstats_task, &c);
            double *rows = c.part + 2 * ntasks;
            for (int64_t r = 0; r < c.outer; r++) {
                double m = -INFINITY, s = 0.0;
                for (int64_t k = 0; k < c.nseg; k++) m = rc_maxd(m, c.part[2 * (r * c.nseg + k)]);
                if (m == m && m != -INFINITY)
                    for (int64_t k = 0; k < c.nseg; k++) {
                        double mk = c.part[2 * (r * c.nseg + k)];
                        if (mk != -INFINITY) s += c.part[2 * (r * c.nseg + k) + 1] * exp(mk - m);
                    }
                rows[2 * r] = m;
                rows[2 * r + 1] = sm_inv(m, s);
            }
            rc_parallel(nt, ntasks, sm_segwrite_task, &c);
        }
        fgi_free(c.ws, (size_t)nt * c.wsz + npart * sizeof(double));
        return FG_OK;
    }

    /* inner > 1. A slab [len, inner] that fits in L2 (256 KB) takes the
     * cached scheme whole; else tiles of at least 256 columns (1 KB runs)
     * that fit; else the online scheme over whole rows (tiles of RC_CHUNK
     * columns for very wide ones). Long contiguous runs matter more than
     * cache fit: narrow tiles of a wide row hit a new page every row. For
     * parallelism the cached scheme narrows its tiles (not below 256
     * columns); the online one cuts the rows into segments instead, so each
     * thread still streams whole rows. */
    int64_t fit = (65536 / len) / 16 * 16;
    if (c.inner <= fit) {
        c.T = c.inner;
        c.cached = true;
    } else if (fit >= 256) {
        c.T = rc_min(fit, RC_CHUNK);
        c.cached = true;
    } else {
        c.T = rc_min(c.inner, RC_CHUNK);
    }
    int64_t want = rc_cdiv(2 * (int64_t)nt, c.outer);
    if (c.cached && nt > 1 && c.outer * rc_cdiv(c.inner, c.T) < 2 * nt && c.inner > 256) {
        int64_t t2 = rc_max(256, rc_round_up(rc_cdiv(c.inner, want), 16));
        if (t2 < c.T) c.T = t2;
    }
    c.ntiles = rc_cdiv(c.inner, c.T);
    if (c.ntiles == 1) c.T = c.inner;
    c.P = c.inner >= 16 ? c.inner : c.inner * 8 / rd_gcd(c.inner, 8);
    int64_t units = c.outer * c.ntiles;
    c.nseg = c.cached ? 1 : rc_segments(nt, units, len, rc_max(1, 16384 / c.T));
    c.seglen = rc_cdiv(len, c.nseg);
    c.nseg = rc_cdiv(len, c.seglen);
    int64_t ntasks = units * c.nseg, S = sm_lane_cap(&c);
    /* per task (m, s) and per unit (m, inv), floats, in doubles' room */
    size_t npart = c.nseg > 1 ? (size_t)rc_cdiv(2 * S * (ntasks + units), 2) : 0;
    st = rc_pack_begin(&pk, &c.x, &c.out, c.ntiles == 1 ? RC_CHUNK : c.T, "softmax packing");
    if (st != FG_OK) return st;
    c.out = rc_pack_out_view(&pk, &c.out);
    c.wsz = sm_inner_wsz(&c);
    if (rd_alloc_ws(&c, nt, npart, "softmax workspace") != FG_OK) {
        rc_pack_end(&pk, false);
        return FG_ERR_NO_MEMORY;
    }
    if (c.nseg == 1) {
        rc_parallel(nt, ntasks, sm_inner_task, &c);
    } else {
        rc_parallel(nt, ntasks, sm_segstats_inner_task, &c);
        float *buf, *obuf;
        sm_merge_units(&c, sm_lanes_of(&c, 0, &buf, &obuf));
        rc_parallel(nt, ntasks, sm_segwrite_inner_task, &c);
    }
    fgi_free(c.ws, (size_t)nt * c.wsz + npart * sizeof(double));
    rc_pack_end(&pk, true);
    return FG_OK;
}

#endif
