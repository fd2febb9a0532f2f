/* The shared blocked mm/bmm driver (see gemm_common.h) and the portable
 * stable kernels built on it. */
#include <string.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "core/alloc.h"
#include "core/cpu.h"
#include "core/error.h"
#include "ops/cpu/gemm_common.h"
#include "ops/registry.h"

/* A matrix operand: element strides for rows and columns. */
typedef struct mat {
    char *data;
    int64_t rs, cs;
} mat;

/* How finished tiles reach the output:
 *  DIRECT  float32 output with unit column stride: the micro-kernel writes
 *          and accumulates in place (edge tiles through scratch).
 *  TILE    one KC slice covers K: each tile is computed once into scratch
 *          and stored converted, with any strides.
 *  BUFFER  otherwise: a float32 buffer accumulates a chunk of rows across
 *          the KC slices and is stored converted afterwards, so float16 and
 *          bfloat16 round once, not once per slice. */
enum store_mode { STORE_DIRECT, STORE_TILE, STORE_BUFFER };

/* BUFFER mode: the per-thread float32 accumulation buffer holds at most
 * CBUF_FLOATS (4 MB, in L3 next to the packed B panel), and column blocks
 * are at most CBUF_NC wide so that a buffer fill spans ~1000 rows: B is
 * repacked (and converted) once per fill, A once per column block, and both
 * stay a few percent of the multiply-adds. */
#define CBUF_FLOATS ((int64_t)1 << 20)
#define CBUF_NC 1024

/* Elements converted per fgi_to_f32 call while packing (stack scratch). */
#define PACK_CHUNK 256

typedef struct plan {
    fgi_dtype dt;
    int64_t m, n, k;
    int64_t mc, kc, nc; /* effective block sizes for this call */
    int64_t ldcb;       /* BUFFER: row stride of the buffer (nc rounded to nr) */
    int64_t chunk;      /* BUFFER: rows per buffer fill; else all rows */
    enum store_mode mode;
    const fgi_gemm_config *cfg;
} plan;

static inline int64_t min64(int64_t a, int64_t b) { return a < b ? a : b; }
static inline int64_t round_up(int64_t x, int64_t m) { return (x + m - 1) / m * m; }
static inline int64_t ceil_div(int64_t x, int64_t m) { return (x + m - 1) / m; }

static inline float load_f32(const char *p, fgi_dtype dt)
{
    if (dt == FGI_F32) return *(const float *)p;
    uint16_t h = *(const uint16_t *)p;
    return dt == FGI_F16 ? fgi_f16_to_f32(h) : fgi_bf16_to_f32(h);
}

static inline void store_f32(char *p, fgi_dtype dt, float v)
{
    if (dt == FGI_F32)
        *(float *)p = v;
    else if (dt == FGI_F16)
        *(uint16_t *)p = fgi_f32_to_f16(v);
    else
        *(uint16_t *)p = fgi_f32_to_bf16(v);
}

/* ------------------------------------------------------------ packing */

/* Both packers walk the source along its unit-stride dimension and scatter
 * into the micro-panels: reading a row-major B panel-by-panel instead would
 * touch one 64-byte piece of each of KC rows (8 KB apart for N = 2048),
 * which defeats the hardware prefetcher and costs several percent of the
 * whole product. Half-precision sources are converted PACK_CHUNK elements at
 * a time through fgi_to_f32 (F16C when available). */

/* Copies n floats to an mr- or nr-wide panel row and zero-fills it to w. */
static inline void put_row(float *restrict d, const float *restrict s, int n, int w)
{
    /* Constant sizes become a few vector moves; GCC would turn the general
     * loop into a memmove call per 64 bytes. */
    if (n == w && w == 16) {
        memcpy(d, s, 16 * sizeof(float));
        return;
    }
    if (n == w && w == 8) {
        memcpy(d, s, 8 * sizeof(float));
        return;
    }
    for (int c = 0; c < n; c++) d[c] = s[c];
    for (int c = n; c < w; c++) d[c] = 0.0f;
}

/* Packs rows [p0, p0+kc) x cols [j0, j0+nc) of b into nr-column
 * micro-panels: panel q holds, for each k, the nr values b[p0+k, j0+q*nr+c];
 * columns past nc are zero. */
static void pack_b(float *restrict dst, const mat *b, fgi_dtype dt, int64_t p0, int64_t kc,
                   int64_t j0, int64_t nc, int nr)
{
    const int64_t es = fgi_dtype_size(dt);
    const char *base = b->data + (p0 * b->rs + j0 * b->cs) * es;
    float tmp[PACK_CHUNK];
    if (b->cs == 1 || nc == 1) {
        /* row-major B: each k reads nc contiguous values */
        const int64_t span = PACK_CHUNK - PACK_CHUNK % nr;
        for (int64_t p = 0; p < kc; p++) {
            const char *row = base + p * b->rs * es;
            for (int64_t j = 0; j < nc; j += span) {
                int64_t len = min64(span, nc - j);
                const float *src = (const float *)(row + j * es);
                if (dt != FGI_F32) {
                    fgi_to_f32(tmp, row + j * es, len, dt);
                    src = tmp;
                }
                for (int64_t q = 0; q < len; q += nr)
                    put_row(dst + (j + q) * kc + p * nr, src + q, (int)min64(nr, len - q), nr);
            }
        }
        return;
    }
    for (int64_t jp = 0; jp < nc; jp += nr) {
        int cols = (int)min64(nr, nc - jp);
        float *restrict d = dst + jp * kc;
        const char *pb = base + jp * b->cs * es;
        if (dt == FGI_F32 && (b->rs == 1 || kc == 1)) {
            /* column-major B (and row-major A): cols streams along k,
             * contiguous writes */
            const float *s[FGI_GEMM_MAX_NR];
            for (int c = 0; c < cols; c++) s[c] = (const float *)(pb + c * b->cs * es);
            if (cols == 6 && nr == 6) { /* the AVX2 A tile: constant trip count, unrolled */
                for (int64_t p = 0; p < kc; p++)
                    for (int c = 0; c < 6; c++) d[p * 6 + c] = s[c][p];
                continue;
            }
            for (int64_t p = 0; p < kc; p++) {
                for (int c = 0; c < cols; c++) d[p * nr + c] = s[c][p];
                for (int c = cols; c < nr; c++) d[p * nr + c] = 0.0f;
            }
        } else if (b->rs == 1) {
            /* 16-bit, column-major: each column converted along k in chunks */
            for (int c = 0; c < nr; c++) {
                for (int64_t p = 0; p < kc; p += PACK_CHUNK) {
                    int64_t len = min64(PACK_CHUNK, kc - p);
                    if (c < cols)
                        fgi_to_f32(tmp, pb + (c * b->cs + p) * es, len, dt);
                    else
                        memset(tmp, 0, (size_t)len * sizeof(float));
                    for (int64_t q = 0; q < len; q++) d[(p + q) * nr + c] = tmp[q];
                }
            }
        } else {
            for (int64_t p = 0; p < kc; p++) {
                for (int c = 0; c < cols; c++)
                    d[p * nr + c] = load_f32(pb + (p * b->rs + c * b->cs) * es, dt);
                for (int c = cols; c < nr; c++) d[p * nr + c] = 0.0f;
            }
        }
    }
}

/* Packs rows [i0, i0+mc) x cols [p0, p0+kc) of a into mr-row micro-panels:
 * panel q holds, for each k, the mr values a[i0+q*mr+r, p0+k]; rows past mc
 * are zero so edge tiles need no special case in the micro-kernel. That is
 * exactly pack_b of the transposed view of a. */
static void pack_a(float *restrict dst, const mat *a, fgi_dtype dt, int64_t i0, int64_t mc,
                   int64_t p0, int64_t kc, int mr)
{
    const mat at = {a->data, a->cs, a->rs};
    pack_b(dst, &at, dt, p0, kc, i0, mc, mr);
}

/* ------------------------------------------------------------ storing */

/* Writes rows x cols of a float32 tile (row stride ld) to o at (i, j). */
static void store_tile(const mat *o, fgi_dtype dt, int64_t i, int64_t j, const float *t,
                       int64_t ld, int64_t rows, int64_t cols)
{
    const int64_t es = fgi_dtype_size(dt);
    for (int64_t r = 0; r < rows; r++) {
        char *dst = o->data + ((i + r) * o->rs + j * o->cs) * es;
        const float *s = t + r * ld;
        if (o->cs == 1 && cols >= 8)
            fgi_from_f32(dst, s, cols, dt);
        else
            for (int64_t c = 0; c < cols; c++) store_f32(dst + c * o->cs * es, dt, s[c]);
    }
}

/* ------------------------------------------------------------ driver */

/* Per-thread packing space, in floats (each a multiple of 16 so that every
 * buffer stays 64-byte aligned). */
typedef struct workspace {
    float *a, *b, *c;
} workspace;

static int64_t ws_a_floats(const plan *pl) { return round_up(pl->mc * pl->kc, 16); }
static int64_t ws_b_floats(const plan *pl) { return round_up(pl->nc * pl->kc, 16); }
static int64_t ws_c_floats(const plan *pl)
{
    return pl->mode == STORE_BUFFER ? round_up(round_up(pl->chunk, pl->cfg->mr) * pl->ldcb, 16)
                                    : 0;
}

/* Multiplies the packed mc x kc block of A by the packed kc x nc panel of B
 * and delivers the tiles for output rows [ic, ic+mc), cols [jc, jc+nc).
 * row0 is the first row the BUFFER chunk holds. */
static void macro_kernel(const plan *pl, const workspace *ws, const mat *o, int64_t ic,
                         int64_t mc, int64_t jc, int64_t nc, int64_t kc, int accumulate,
                         int64_t row0)
{
    const int mr = pl->cfg->mr, nr = pl->cfg->nr;
    const fgi_gemm_ukernel uk = pl->cfg->ukernel;
    float tile[FGI_GEMM_MAX_MR * FGI_GEMM_MAX_NR];
    for (int64_t jr = 0; jr < nc; jr += nr) {
        const float *bp = ws->b + jr * kc;
        int64_t cols = min64(nr, nc - jr);
        for (int64_t ir = 0; ir < mc; ir += mr) {
            const float *ap = ws->a + ir * kc;
            int64_t rows = min64(mr, mc - ir);
            if (pl->mode == STORE_BUFFER) {
                /* the buffer is padded to whole tiles */
                uk(kc, ap, bp, ws->c + (ic - row0 + ir) * pl->ldcb + jr, pl->ldcb, accumulate);
            } else if (pl->mode == STORE_DIRECT && rows == mr && cols == nr) {
                uk(kc, ap, bp, (float *)o->data + (ic + ir) * o->rs + jc + jr, o->rs, accumulate);
            } else if (pl->mode == STORE_DIRECT) {
                uk(kc, ap, bp, tile, nr, 0);
                float *dst = (float *)o->data + (ic + ir) * o->rs + jc + jr;
                for (int64_t r = 0; r < rows; r++)
                    for (int64_t c = 0; c < cols; c++)
                        dst[r * o->rs + c] =
                            accumulate ? dst[r * o->rs + c] + tile[r * nr + c] : tile[r * nr + c];
            } else {
                uk(kc, ap, bp, tile, nr, 0);
                store_tile(o, pl->dt, ic + ir, jc + jr, tile, nr, rows, cols);
            }
        }
    }
}

/* Computes output rows [r0, r1) x cols [c0, c1) of one product. */
static void run_region(const plan *pl, const workspace *ws, const mat *o, const mat *a,
                       const mat *b, int64_t r0, int64_t r1, int64_t c0, int64_t c1)
{
    const int mr = pl->cfg->mr, nr = pl->cfg->nr;
    for (int64_t h0 = r0; h0 < r1; h0 += pl->chunk) {
        int64_t h1 = min64(r1, h0 + pl->chunk);
        for (int64_t jc = c0; jc < c1; jc += pl->nc) {
            int64_t nc = min64(pl->nc, c1 - jc);
            for (int64_t pc = 0; pc < pl->k; pc += pl->kc) {
                int64_t kc = min64(pl->kc, pl->k - pc);
                pack_b(ws->b, b, pl->dt, pc, kc, jc, nc, nr);
                for (int64_t ic = h0; ic < h1; ic += pl->mc) {
                    int64_t mc = min64(pl->mc, h1 - ic);
                    pack_a(ws->a, a, pl->dt, ic, mc, pc, kc, mr);
                    macro_kernel(pl, ws, o, ic, mc, jc, nc, kc, pc > 0, h0);
                }
            }
            if (pl->mode == STORE_BUFFER)
                store_tile(o, pl->dt, h0, jc, ws->c, pl->ldcb, h1 - h0, nc);
        }
    }
}

static int64_t gcd64(int64_t a, int64_t b)
{
    while (b) {
        int64_t t = a % b;
        a = b;
        b = t;
    }
    return a;
}

/* K == 0: every output element is an empty sum. */
static void store_zeros(const fgi_call *call)
{
    const fgi_tensor *o = &call->out;
    const int64_t es = fgi_dtype_size(call->dtype);
    const int d = o->ndim - 2;
    for (int64_t bi = 0; bi < call->outer; bi++)
        for (int64_t i = 0; i < call->m; i++)
            for (int64_t j = 0; j < call->n; j++)
                memset(o->data +
                           ((d ? bi * o->strides[0] : 0) + i * o->strides[d] + j * o->strides[d + 1]) *
                               es,
                       0, (size_t)es);
}

fg_status fgi_gemm_driver(const fgi_call *call, const fgi_gemm_config *cfg)
{
    if (call->out.numel == 0) return FG_OK;
    if (call->k == 0) {
        store_zeros(call);
        return FG_OK;
    }
    const fgi_tensor *to = &call->out, *ta = &call->in[0], *tb = &call->in[1];
    const int d = to->ndim - 2; /* 1 for bmm: dim 0 is the batch */
    const int64_t batch = call->outer;
    mat o = {to->data, to->strides[d], to->strides[d + 1]};
    mat a = {ta->data, ta->strides[d], ta->strides[d + 1]};
    mat b = {tb->data, tb->strides[d], tb->strides[d + 1]};
    int64_t ob = d ? to->strides[0] : 0, ab = d ? ta->strides[0] : 0, bb = d ? tb->strides[0] : 0;
    plan pl = {.dt = call->dtype, .m = call->m, .n = call->n, .k = call->k, .cfg = cfg};
    /* A unit stride on an extent of 1 means nothing; normalize so the fast
     * paths see it. */
    if (pl.n == 1) o.cs = 1;
    if (pl.m == 1) o.rs = 1;

    /* A float32 output with unit row stride (a transposed view) is written
     * in place through the transposed problem out^T = b^T a^T. */
    if (pl.dt == FGI_F32 && o.cs != 1 && o.rs == 1) {
        mat t = a;
        a = (mat){b.data, b.cs, b.rs};
        b = (mat){t.data, t.cs, t.rs};
        o = (mat){o.data, o.cs, o.rs};
        int64_t tbat = ab;
        ab = bb;
        bb = tbat;
        pl.m = call->n;
        pl.n = call->m;
    }

    const int mr = cfg->mr, nr = cfg->nr;
    /* Equal KC slices: K = 300 runs as 2 x 150, not 256 + 44. */
    int64_t nk = ceil_div(pl.k, cfg->kc);
    pl.kc = ceil_div(pl.k, nk);
    pl.mc = min64(cfg->mc, round_up(pl.m, mr));
    pl.nc = min64(cfg->nc, round_up(pl.n, nr));
    if (pl.dt == FGI_F32 && o.cs == 1)
        pl.mode = STORE_DIRECT;
    else if (nk == 1)
        pl.mode = STORE_TILE;
    else
        pl.mode = STORE_BUFFER;
    pl.chunk = pl.m;
    if (pl.mode == STORE_BUFFER) {
        pl.nc = min64(pl.nc, round_up(CBUF_NC, nr));
        pl.ldcb = round_up(pl.nc, nr);
        int64_t rows = CBUF_FLOATS / pl.ldcb / pl.mc * pl.mc;
        pl.chunk = min64(pl.m, rows > pl.mc ? rows : pl.mc);
    }

    /* Threads: the work is batch x splits tasks, splits per product chosen
     * so that the task count is a multiple of the thread count (even load):
     * a large even batch runs whole products per thread, a single product
     * is cut into row (or column) ranges. Below ~500K multiply-adds the
     * fork costs more than a second thread saves. */
    int64_t madds = batch * pl.m * pl.n * pl.k;
    int nt = fgi_threads_for(madds / 8);
    int64_t tiles_m = ceil_div(pl.m, mr), tiles_n = ceil_div(pl.n, nr);
    int64_t splits = nt / gcd64(batch, nt);
    int split_rows = tiles_m >= tiles_n;
    int64_t split_tiles = split_rows ? tiles_m : tiles_n;
    if (splits > split_tiles) splits = split_tiles;
    int64_t tasks = batch * splits;
    if (nt > tasks) nt = (int)tasks;

    const int64_t per_thread = ws_a_floats(&pl) + ws_b_floats(&pl) + ws_c_floats(&pl);
    const size_t bytes = (size_t)nt * (size_t)per_thread * sizeof(float);
    float *space = fgi_alloc(bytes, "matrix product packing buffers");
    if (!space) return FG_ERR_NO_MEMORY;

    const int64_t es = fgi_dtype_size(pl.dt);
#pragma omp parallel num_threads(nt) if (nt > 1)
    {
#ifdef _OPENMP
        int t = omp_get_thread_num(), nth = omp_get_num_threads();
#else
        int t = 0, nth = 1;
#endif
        float *mine = space + (int64_t)t * per_thread;
        workspace ws = {mine, mine + ws_a_floats(&pl), mine + ws_a_floats(&pl) + ws_b_floats(&pl)};
        for (int64_t task = tasks * t / nth; task < tasks * (t + 1) / nth; task++) {
            int64_t bi = task / splits, s = task % splits;
            mat ob_ = {o.data + bi * ob * es, o.rs, o.cs};
            mat ab_ = {a.data + bi * ab * es, a.rs, a.cs};
            mat bb_ = {b.data + bi * bb * es, b.rs, b.cs};
            int64_t lo = split_tiles * s / splits, hi = split_tiles * (s + 1) / splits;
            if (split_rows)
                run_region(&pl, &ws, &ob_, &ab_, &bb_, lo * mr, min64(pl.m, hi * mr), 0, pl.n);
            else
                run_region(&pl, &ws, &ob_, &ab_, &bb_, 0, pl.m, lo * nr, min64(pl.n, hi * nr));
        }
    }
    fgi_free(space, bytes);
    return FG_OK;
}

/* ------------------------------------------------------------ portable kernel */

/* 4 x 8 tile: 8 xmm accumulators plus operands fit baseline x86-64's 16
 * SSE registers; GCC vectorizes the j loop without reassociating anything
 * because every accumulator is independent. */
#define GEN_MR 4
#define GEN_NR 8

static void ukernel_generic(int64_t k, const float *restrict a, const float *restrict b,
                            float *restrict c, int64_t ldc, int accumulate)
{
    float acc[GEN_MR][GEN_NR];
    for (int i = 0; i < GEN_MR; i++)
        for (int j = 0; j < GEN_NR; j++) acc[i][j] = 0.0f;
    for (int64_t p = 0; p < k; p++) {
        const float *ap = a + p * GEN_MR, *bp = b + p * GEN_NR;
        for (int i = 0; i < GEN_MR; i++)
            for (int j = 0; j < GEN_NR; j++) acc[i][j] += ap[i] * bp[j];
    }
    for (int i = 0; i < GEN_MR; i++)
        for (int j = 0; j < GEN_NR; j++)
            c[i * ldc + j] = accumulate ? c[i * ldc + j] + acc[i][j] : acc[i][j];
}

static const fgi_gemm_config generic_cfg = {
    .mr = GEN_MR, .nr = GEN_NR, .mc = 128, .kc = 256, .nc = 2048, .ukernel = ukernel_generic};

fg_status fgi_cpu_mm_generic(const fgi_call *call) { return fgi_gemm_driver(call, &generic_cfg); }

fg_status fgi_cpu_bmm_generic(const fgi_call *call) { return fgi_gemm_driver(call, &generic_cfg); }
