/* fg-example-block: pushes random data through a small transformer-style
 * block — layer_norm -> mm -> gelu -> mm -> add (residual) -> softmax -> sum —
 * in float32, float16 and bfloat16. For each op it prints the kernel that
 * served the call, its median time, and the largest error against the
 * reference kernel run on the same inputs. Exits 1 if any op is outside its
 * tolerance or fails. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/dtype.h"
#include "core/time.h"
#include "flaggems/flaggems.h"
#include "ops/registry.h"

enum { T = 128, H = 512, F = 2048, REPEAT = 5 };

typedef struct buf {
    DLTensor t;
    int64_t shape[2];
    void *data;
} buf;

static DLDataType dl_dtype(fgi_dtype dt)
{
    switch (dt) {
    case FGI_F16: return (DLDataType){kDLFloat, 16, 1};
    case FGI_BF16: return (DLDataType){kDLBfloat, 16, 1};
    default: return (DLDataType){kDLFloat, 32, 1};
    }
}

static void buf_init(buf *b, fgi_dtype dt, int ndim, int64_t d0, int64_t d1)
{
    b->shape[0] = d0;
    b->shape[1] = d1;
    int64_t n = ndim == 0 ? 1 : ndim == 1 ? d0 : d0 * d1;
    b->data = calloc((size_t)n, (size_t)fgi_dtype_size(dt));
    if (!b->data) {
        fprintf(stderr, "out of memory\n");
        exit(1);
    }
    b->t = (DLTensor){.data = b->data, .device = {kDLCPU, 0}, .ndim = ndim,
                      .dtype = dl_dtype(dt), .shape = b->shape};
}

static int64_t numel(const buf *b)
{
    int64_t n = 1;
    for (int d = 0; d < b->t.ndim; d++) n *= b->shape[d];
    return n;
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;
static float rnd(float scale)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return scale * ((float)(rng_state >> 40) / (float)(1 << 24) * 2.0f - 1.0f);
}

static void buf_fill(buf *b, fgi_dtype dt, float scale, float offset)
{
    int64_t n = numel(b);
    float *tmp = malloc((size_t)n * sizeof(float));
    for (int64_t i = 0; i < n; i++) tmp[i] = offset + rnd(scale);
    fgi_from_f32(b->data, tmp, n, dt);
    free(tmp);
}

static double buf_get(const buf *b, fgi_dtype dt, int64_t i)
{
    return fgi_load_f64((const char *)b->data + i * fgi_dtype_size(dt), dt);
}

typedef fg_status (*op_fn)(void *ctx);

typedef struct step {
    const char *name;
    const char *ref_id;
    double rtol_scale; /* atol multiplier: reduced length for sums and products */
} step;

static double rtol_of(fgi_dtype dt)
{
    return dt == FGI_F16 ? 1e-3 : dt == FGI_BF16 ? 0.016 : 1.3e-6;
}

/* Runs `fn` with the stable dispatch (timed) into out, then with the
 * reference kernel into ref, and prints one line. Returns 0 when within
 * tolerance. */
static int run_step(const step *s, fgi_dtype dt, fg_status (*fn)(DLTensor *, void *), void *ctx,
                    buf *out, buf *ref)
{
    double times[REPEAT];
    fg_status st = FG_OK;
    for (int r = 0; r < REPEAT && st == FG_OK; r++) {
        int64_t t0 = fgi_now_ns();
        st = fn(&out->t, ctx);
        times[r] = (double)(fgi_now_ns() - t0) * 1e-6;
    }
    char kernel[64];
    snprintf(kernel, sizeof kernel, "%s", fg_last_kernel());
    if (st != FG_OK) {
        printf("%-9s %-10s FAILED: %s\n", fgi_dtype_name(dt), s->name, fg_last_error());
        return 1;
    }
    fgi_force_kernel(s->ref_id);
    st = fn(&ref->t, ctx);
    fgi_force_kernel(NULL);
    if (st != FG_OK) {
        printf("%-9s %-10s reference FAILED: %s\n", fgi_dtype_name(dt), s->name, fg_last_error());
        return 1;
    }
    for (int i = 1; i < REPEAT; i++) /* insertion sort for the median */
        for (int j = i; j > 0 && times[j] < times[j - 1]; j--) {
            double t = times[j];
            times[j] = times[j - 1];
            times[j - 1] = t;
        }
    double max_abs = 0, worst = 0;
    int64_t n = numel(out);
    for (int64_t i = 0; i < n; i++) {
        double a = buf_get(out, dt, i), b = buf_get(ref, dt, i);
        double err = fabs(a - b);
        if (!(err <= max_abs)) max_abs = isnan(err) ? INFINITY : err;
        double allowed = 1e-4 * s->rtol_scale + rtol_of(dt) * fabs(b);
        if (!(err <= allowed * 1.0000001)) worst = err / allowed > worst ? err / allowed : worst;
        if (isnan(err)) worst = INFINITY;
    }
    int ok = worst == 0;
    printf("%-9s %-10s %-30s %9.3f %12.3g  %s\n", fgi_dtype_name(dt), s->name, kernel,
           times[REPEAT / 2], max_abs, ok ? "ok" : "OUT OF TOLERANCE");
    return ok ? 0 : 1;
}

typedef struct block {
    fgi_dtype dt;
    buf x, ln_w, ln_b, w1, w2, ln, h1, g, h2, r, p, total;
    buf ref_ln, ref_h1, ref_g, ref_h2, ref_r, ref_p, ref_total;
} block;

static fg_status do_ln(DLTensor *out, void *c)
{
    block *b = c;
    return fg_layer_norm(out, &b->x.t, &b->ln_w.t, &b->ln_b.t, 1e-5);
}
static fg_status do_mm1(DLTensor *out, void *c)
{
    block *b = c;
    return fg_mm(out, &b->ln.t, &b->w1.t);
}
static fg_status do_gelu(DLTensor *out, void *c)
{
    block *b = c;
    return fg_gelu(out, &b->h1.t, FG_GELU_NONE);
}
static fg_status do_mm2(DLTensor *out, void *c)
{
    block *b = c;
    return fg_mm(out, &b->g.t, &b->w2.t);
}
static fg_status do_add(DLTensor *out, void *c)
{
    block *b = c;
    return fg_add(out, &b->h2.t, &b->x.t, 1.0);
}
static fg_status do_softmax(DLTensor *out, void *c)
{
    block *b = c;
    return fg_softmax(out, &b->r.t, -1);
}
static fg_status do_sum(DLTensor *out, void *c)
{
    block *b = c;
    return fg_sum(out, &b->p.t, FG_DIM_ALL, 0);
}

static void block_free(block *b)
{
    buf *all[] = {&b->x,      &b->ln_w,   &b->ln_b,  &b->w1,     &b->w2,    &b->ln,
                  &b->h1,     &b->g,      &b->h2,    &b->r,      &b->p,     &b->total,
                  &b->ref_ln, &b->ref_h1, &b->ref_g, &b->ref_h2, &b->ref_r, &b->ref_p,
                  &b->ref_total};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) free(all[i]->data);
}

static int run_block(fgi_dtype dt)
{
    block b = {.dt = dt};
    buf_init(&b.x, dt, 2, T, H);
    buf_init(&b.ln_w, dt, 1, H, 0);
    buf_init(&b.ln_b, dt, 1, H, 0);
    buf_init(&b.w1, dt, 2, H, F);
    buf_init(&b.w2, dt, 2, F, H);
    buf *acts[][2] = {{&b.ln, &b.ref_ln}, {&b.g, &b.ref_g}, {&b.r, &b.ref_r}, {&b.p, &b.ref_p}};
    for (size_t i = 0; i < 4; i++) {
        bool wide = acts[i][0] == &b.g;
        buf_init(acts[i][0], dt, 2, T, wide ? F : H);
        buf_init(acts[i][1], dt, 2, T, wide ? F : H);
    }
    buf_init(&b.h1, dt, 2, T, F);
    buf_init(&b.ref_h1, dt, 2, T, F);
    buf_init(&b.h2, dt, 2, T, H);
    buf_init(&b.ref_h2, dt, 2, T, H);
    buf_init(&b.total, dt, 0, 0, 0);
    buf_init(&b.ref_total, dt, 0, 0, 0);
    buf_fill(&b.x, dt, 2.0f, 0.0f);
    buf_fill(&b.ln_w, dt, 0.2f, 1.0f);
    buf_fill(&b.ln_b, dt, 0.1f, 0.0f);
    buf_fill(&b.w1, dt, 1.0f / sqrtf((float)H), 0.0f);
    buf_fill(&b.w2, dt, 1.0f / sqrtf((float)F), 0.0f);

    const step steps[] = {
        {"layer_norm", "layer_norm.cpu.reference", 1},
        {"mm", "mm.cpu.reference", H},
        {"gelu", "gelu.cpu.reference", 1},
        {"mm", "mm.cpu.reference", F},
        {"add", "add.cpu.reference", 1},
        {"softmax", "softmax.cpu.reference", 1},
        {"sum", "sum.cpu.reference", (double)T * H},
    };
    fg_status (*fns[])(DLTensor *, void *) = {do_ln, do_mm1, do_gelu, do_mm2, do_add, do_softmax,
                                              do_sum};
    buf *outs[][2] = {{&b.ln, &b.ref_ln}, {&b.h1, &b.ref_h1}, {&b.g, &b.ref_g},
                      {&b.h2, &b.ref_h2}, {&b.r, &b.ref_r},   {&b.p, &b.ref_p},
                      {&b.total, &b.ref_total}};
    int bad = 0;
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++)
        bad += run_step(&steps[i], dt, fns[i], &b, outs[i][0], outs[i][1]);
    printf("%-9s %-10s sum of softmax rows = %.4f (expected %d)\n", fgi_dtype_name(dt), "check",
           buf_get(&b.total, dt, 0), T);
    block_free(&b);
    return bad;
}

int main(int argc, char **argv)
{
    if (argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
        printf("usage: %s\n\nRuns layer_norm -> mm -> gelu -> mm -> add -> softmax -> sum on random\n"
               "data ([%d,%d] tokens x hidden, FFN %d) in float32, float16 and bfloat16, and\n"
               "prints per op the kernel used, its median time over %d runs and the\n"
               "largest error against the reference kernel. Exit status 1 if any op\n"
               "fails or is outside FlagGems' tolerance.\n",
               argv[0], T, H, F, REPEAT);
        return 0;
    }
    if (argc > 1) {
        fprintf(stderr, "%s: unexpected argument '%s' (try --help)\n", argv[0], argv[1]);
        return 2;
    }
    printf("libflaggems %s, cpu isa %s, %d threads\n\n", fg_version(), fg_cpu_isa_name(),
           fg_get_num_threads());
    printf("%-9s %-10s %-30s %9s %12s  %s\n", "dtype", "op", "kernel", "ms", "max |err|",
           "vs tolerance");
    int bad = 0;
    const fgi_dtype dts[] = {FGI_F32, FGI_F16, FGI_BF16};
    for (int i = 0; i < 3; i++) bad += run_block(dts[i]);
    printf("\n%s\n", bad ? "FAILED: some ops were outside tolerance" : "all ops within tolerance");
    return bad ? 1 : 0;
}
