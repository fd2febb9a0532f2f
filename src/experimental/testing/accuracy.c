/* The accuracy tool: a kernel against a reference kernel over test
 * configurations. Both run through the op's public entry point with the
 * kernel forced (fgi_force_kernel), so they see exactly the calls users
 * make: the same validation, broadcasting and call geometry. */
#include "experimental/testing/accuracy.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/alloc.h"
#include "core/cpu.h"
#include "core/error.h"
#include "core/time.h"
#include "ops/registry.h"

#define FG_EXPERIMENTAL_API
#include "flaggems/experimental.h"

/* ================================================================ tolerances */

static const fgi_acc_tolerances k_tol_default = {{{1e-5, 1e-3}, {1e-4, 1e-3}, {1e-4, 0.016}}};
static const fgi_acc_tolerances k_tol_flaggems = {{{1e-4, 1.3e-6}, {1e-4, 1e-3}, {1e-4, 0.016}}};

const fgi_acc_tolerances *fgi_acc_tolerances_default(void) { return &k_tol_default; }
const fgi_acc_tolerances *fgi_acc_tolerances_flaggems(void) { return &k_tol_flaggems; }

const fgi_acc_tolerances *fgi_acc_tolerances_named(const char *name)
{
    if (!name) return NULL;
    if (strcmp(name, "default") == 0) return &k_tol_default;
    if (strcmp(name, "flaggems") == 0) return &k_tol_flaggems;
    return NULL;
}

/* ================================================================ names */

const char *fgi_acc_layout_name(fgi_acc_layout layout)
{
    static const char *const names[FGI_ACC_LAYOUT_COUNT] = {"contiguous", "offset", "strided",
                                                            "transposed", "expanded"};
    return (unsigned)layout < FGI_ACC_LAYOUT_COUNT ? names[layout] : "?";
}

const char *fgi_acc_outcome_name(fgi_acc_outcome outcome)
{
    switch (outcome) {
    case FGI_ACC_PASS: return "pass";
    case FGI_ACC_FAIL: return "fail";
    case FGI_ACC_SKIP: return "skip";
    }
    return "?";
}

static bool two_inputs(fgi_op op)
{
    return op == FGI_OP_add || op == FGI_OP_mul || op == FGI_OP_mm || op == FGI_OP_bmm;
}

static bool is_reduction(fgi_op op)
{
    return op == FGI_OP_sum || op == FGI_OP_mean || op == FGI_OP_amax;
}

static bool is_norm(fgi_op op) { return op == FGI_OP_layer_norm || op == FGI_OP_rms_norm; }

/* "(4, 4096)", Python's tuple repr: "(1024,)", "()". */
static void tuple_str(char *buf, size_t size, int ndim, const int64_t *shape)
{
    size_t n = (size_t)snprintf(buf, size, "(");
    for (int d = 0; d < ndim && n < size; d++)
        n += (size_t)snprintf(buf + n, size - n, "%s%lld", d ? ", " : "", (long long)shape[d]);
    if (n < size) snprintf(buf + n, size - n, ndim == 1 ? ",)" : ")");
}

void fgi_acc_shape_string(const fgi_acc_config *c, char *buf, size_t size)
{
    tuple_str(buf, size, c->ndim, c->shape);
}

void fgi_acc_config_describe(const fgi_acc_config *c, char *buf, size_t size)
{
    char a[96], b[96];
    tuple_str(a, sizeof a, c->ndim, c->shape);
    tuple_str(b, sizeof b, c->ndim_b, c->shape_b);
    const char *op = fgi_op_name(c->op);
    size_t n;
    if (two_inputs(c->op))
        n = (size_t)snprintf(buf, size, "%s %s %s %s", op, a,
                             c->op == FGI_OP_add ? "+" : c->op == FGI_OP_mul ? "*" : "@", b);
    else
        n = (size_t)snprintf(buf, size, "%s %s", op, a);
    n += (size_t)snprintf(buf + (n < size ? n : size), n < size ? size - n : 0, " %s",
                          fgi_dtype_name(c->dtype));
#define MORE(...)                                                                          \
    do {                                                                                   \
        if (n < size) n += (size_t)snprintf(buf + n, size - n, __VA_ARGS__);               \
    } while (0)
    if (c->op == FGI_OP_add) MORE(", alpha %g", c->alpha);
    if (c->op == FGI_OP_gelu) MORE(", approximate %s", c->approx ? "tanh" : "none");
    if (is_reduction(c->op) || c->op == FGI_OP_softmax) {
        if (c->dim == FG_DIM_ALL) MORE(", all dims");
        else MORE(", dim %d", c->dim);
        if (c->keepdim && c->op != FGI_OP_softmax) MORE(", keepdim");
    }
    if (is_norm(c->op))
        MORE(", eps %g%s%s", c->eps, c->weight ? ", weight" : "", c->bias ? ", bias" : "");
    if (c->layout != FGI_ACC_CONTIG) MORE(", %s", fgi_acc_layout_name(c->layout));
    if (c->specials) MORE(", NaN/Inf");
    if (c->device != kDLCPU) MORE(", device %d", (int)c->device);
#undef MORE
}

/* ================================================================ tensors */

/* A tensor that owns its buffer. Buffer slots that are not elements (the
 * offset, gaps of strided layouts) hold a signalling-NaN "poison" pattern
 * that arithmetic and conversions never produce, as do output elements
 * before a kernel runs. */
typedef struct acc_tensor {
    DLTensor t;
    int64_t shape[FG_MAX_DIMS], strides[FG_MAX_DIMS];
    fgi_dtype dt;
    int64_t numel, slots, offset;
    bool dense; /* element i is slot offset + i */
    char *buf;
    size_t bytes;
} acc_tensor;

/* The poison element of t's dtype, as bytes. */
static void poison_pattern(fgi_dtype dt, unsigned char pat[4])
{
    uint32_t p32 = 0x7fa5a5a5u;
    uint16_t p16 = dt == FGI_F16 ? 0x7d5au : 0x7f95u;
    if (dt == FGI_F32) memcpy(pat, &p32, 4);
    else memcpy(pat, &p16, 2);
}

static bool is_poison(const acc_tensor *t, int64_t slot, const unsigned char *pat)
{
    int es = fgi_dtype_size(t->dt);
    return memcmp(t->buf + slot * es, pat, (size_t)es) == 0;
}

static int64_t elem_slot(const acc_tensor *t, int64_t i)
{
    if (t->dense) return t->offset + i;
    int64_t off = t->offset;
    for (int d = t->t.ndim - 1; d >= 0; d--) {
        off += (i % t->shape[d]) * t->strides[d];
        i /= t->shape[d];
    }
    return off;
}

static void tensor_free(acc_tensor *t)
{
    if (t && t->buf) fgi_free(t->buf, t->bytes);
    if (t) t->buf = NULL;
}

static DLDataType dl_dtype(fgi_dtype dt)
{
    DLDataType d = {(uint8_t)(dt == FGI_BF16 ? kDLBfloat : kDLFloat),
                    (uint8_t)(fgi_dtype_size(dt) * 8), 1};
    return d;
}

/* shape with strides of `layout`; `zero_stride` marks dims (may be NULL)
 * that get stride 0 (expanded views). */
static fg_status tensor_make(acc_tensor *t, fgi_dtype dt, int ndim, const int64_t *shape,
                             fgi_acc_layout layout, const bool *zero_stride, const char *what)
{
    memset(t, 0, sizeof *t);
    t->dt = dt;
    t->numel = 1;
    for (int d = 0; d < ndim; d++) {
        t->shape[d] = shape[d];
        t->numel *= shape[d];
    }
    int64_t s = 1;
    if (layout == FGI_ACC_TRANSPOSED) {
        for (int d = 0; d < ndim; d++) {
            t->strides[d] = s;
            s *= shape[d] > 0 ? shape[d] : 1;
        }
    } else {
        s = layout == FGI_ACC_STRIDED ? 2 : 1;
        for (int d = ndim - 1; d >= 0; d--) {
            t->strides[d] = s;
            s = s * (shape[d] > 0 ? shape[d] : 1) + (layout == FGI_ACC_STRIDED ? 1 : 0);
        }
    }
    bool any_zero = false;
    for (int d = 0; zero_stride && d < ndim; d++)
        if (zero_stride[d]) {
            t->strides[d] = 0;
            any_zero = true;
        }
    t->offset = layout == FGI_ACC_OFFSET ? 1 : 0;
    int64_t extent = 0;
    if (t->numel > 0) {
        extent = 1;
        for (int d = 0; d < ndim; d++) extent += (shape[d] - 1) * t->strides[d];
    }
    /* one slack slot after the last element catches writes past the end */
    t->slots = t->offset + extent + 1;
    /* row-major order of the elements is slot order */
    t->dense = !any_zero && layout != FGI_ACC_STRIDED && (layout != FGI_ACC_TRANSPOSED || ndim <= 1);
    t->bytes = (size_t)t->slots * (size_t)fgi_dtype_size(dt);
    t->buf = fgi_alloc(t->bytes, what);
    if (!t->buf) return FG_ERR_NO_MEMORY;
    unsigned char pat[4];
    poison_pattern(dt, pat);
    int es = fgi_dtype_size(dt);
    for (int64_t i = 0; i < t->slots; i++) memcpy(t->buf + es * i, pat, (size_t)es);
    t->t.data = t->buf;
    t->t.device = (DLDevice){kDLCPU, 0};
    t->t.ndim = ndim;
    t->t.dtype = dl_dtype(dt);
    t->t.shape = t->shape;
    t->t.strides = t->strides;
    t->t.byte_offset = (uint64_t)(t->offset * fgi_dtype_size(dt));
    return FG_OK;
}

/* ================================================================ inputs */

/* splitmix64: a fixed sequence for a seed on every platform. */
static uint64_t rng_next(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static double rng_uniform(uint64_t *s, double lo, double hi)
{
    return lo + (hi - lo) * ((double)(rng_next(s) >> 11) * 0x1p-53);
}

/* Value ranges that exercise each op where models use it without leaving
 * the dtype's range (exp of 8 fits float16). */
static void input_range(fgi_op op, int input, double *lo, double *hi)
{
    *lo = -4;
    *hi = 4;
    switch (op) {
    case FGI_OP_gelu:
    case FGI_OP_silu:
    case FGI_OP_fast_gelu: *lo = -6, *hi = 6; break;
    case FGI_OP_exp:
    case FGI_OP_softmax: *lo = -8, *hi = 8; break;
    case FGI_OP_sum:
    case FGI_OP_mean:
    case FGI_OP_amax:
    case FGI_OP_mm:
    case FGI_OP_bmm: *lo = -1, *hi = 1; break;
    case FGI_OP_layer_norm:
    case FGI_OP_rms_norm:
        /* x off-centre (cancellation in the variance); weight around 1 */
        if (input == 0) *lo = -2, *hi = 4;
        else if (input == 1) *lo = 0.5, *hi = 1.5;
        else *lo = -0.5, *hi = 0.5;
        break;
    default: break;
    }
}

static void fill(acc_tensor *t, uint64_t *rng, double lo, double hi)
{
    int es = fgi_dtype_size(t->dt);
    for (int64_t i = 0; i < t->numel; i++)
        fgi_store_f64(t->buf + elem_slot(t, i) * es, t->dt, rng_uniform(rng, lo, hi));
}

static void put_specials(acc_tensor *t, uint64_t *rng)
{
    static const double v[3] = {NAN, INFINITY, -INFINITY};
    int es = fgi_dtype_size(t->dt);
    for (int k = 0; k < 3 && t->numel > 0; k++) {
        int64_t i = (int64_t)(rng_next(rng) % (uint64_t)t->numel);
        fgi_store_f64(t->buf + elem_slot(t, i) * es, t->dt, v[k]);
    }
}

/* ================================================================ one configuration */

typedef struct acc_run {
    const fgi_acc_config *c;
    acc_tensor in[3];
    int nin;
    bool present[3];
    int out_ndim;
    int64_t out_shape[FG_MAX_DIMS];
    double scale; /* atol multiplier */
} acc_run;

static fg_status out_geometry(acc_run *r, char *why, size_t why_size)
{
    const fgi_acc_config *c = r->c;
    r->scale = 1;
    switch (c->op) {
    case FGI_OP_add:
    case FGI_OP_mul: {
        int nd = c->ndim > c->ndim_b ? c->ndim : c->ndim_b;
        for (int d = 0; d < nd; d++) {
            int da = d - (nd - c->ndim), db = d - (nd - c->ndim_b);
            int64_t sa = da >= 0 ? c->shape[da] : 1, sb = db >= 0 ? c->shape_b[db] : 1;
            if (sa != sb && sa != 1 && sb != 1) {
                snprintf(why, why_size, "a and b do not broadcast at dim %d", d);
                return FG_ERR_INVALID_ARG;
            }
            r->out_shape[d] = sa == 1 ? sb : sa;
        }
        r->out_ndim = nd;
        return FG_OK;
    }
    case FGI_OP_mm:
    case FGI_OP_bmm: {
        int nd = c->op == FGI_OP_mm ? 2 : 3, o = nd - 2;
        if (c->ndim != nd || c->ndim_b != nd || c->shape[o + 1] != c->shape_b[o] ||
            (o && c->shape[0] != c->shape_b[0])) {
            snprintf(why, why_size, "a and b are not %s operands", fgi_op_name(c->op));
            return FG_ERR_INVALID_ARG;
        }
        if (o) r->out_shape[0] = c->shape[0];
        r->out_shape[o] = c->shape[o];
        r->out_shape[o + 1] = c->shape_b[o + 1];
        r->out_ndim = nd;
        r->scale = c->shape[o + 1] > 1 ? (double)c->shape[o + 1] : 1;
        return FG_OK;
    }
    default: break;
    }
    if (!is_reduction(c->op)) {
        r->out_ndim = c->ndim;
        memcpy(r->out_shape, c->shape, sizeof c->shape);
        return FG_OK;
    }
    bool all = c->dim == FG_DIM_ALL || c->ndim == 0;
    int dim = c->dim < 0 && !all ? c->dim + c->ndim : c->dim;
    if (!all && (dim < 0 || dim >= c->ndim)) {
        snprintf(why, why_size, "dim %d out of range for %d dims", c->dim, c->ndim);
        return FG_ERR_INVALID_ARG;
    }
    int64_t len = 1;
    int nd = 0;
    for (int d = 0; d < c->ndim; d++) {
        bool reduced = all || d == dim;
        if (reduced) len *= c->shape[d];
        if (reduced && !c->keepdim) continue;
        r->out_shape[nd++] = reduced ? 1 : c->shape[d];
    }
    r->out_ndim = nd;
    if (c->op == FGI_OP_sum && len > 1) r->scale = (double)len;
    return FG_OK;
}

/* Builds and fills the inputs of configuration c from rng. */
static fg_status make_inputs(acc_run *r, uint64_t *rng, char *why, size_t why_size)
{
    const fgi_acc_config *c = r->c;
    fgi_acc_layout in_layout = c->layout == FGI_ACC_EXPANDED ? FGI_ACC_CONTIG : c->layout;
    FG_FORWARD(tensor_make(&r->in[0], c->dtype, c->ndim, c->shape, in_layout, NULL, "accuracy input"),
               "input x/a");
    r->present[0] = true;
    r->nin = 1;
    if (two_inputs(c->op)) {
        if (c->layout == FGI_ACC_EXPANDED && c->op != FGI_OP_mm && c->op != FGI_OP_bmm) {
            /* b at the output's shape, stride 0 where it broadcasts */
            bool zero[FG_MAX_DIMS];
            int shift = r->out_ndim - c->ndim_b;
            for (int d = 0; d < r->out_ndim; d++)
                zero[d] = d < shift || c->shape_b[d - shift] != r->out_shape[d];
            FG_FORWARD(tensor_make(&r->in[1], c->dtype, r->out_ndim, r->out_shape, FGI_ACC_CONTIG,
                                   zero, "accuracy input"),
                       "input b");
        } else {
            FG_FORWARD(tensor_make(&r->in[1], c->dtype, c->ndim_b, c->shape_b, in_layout, NULL,
                                   "accuracy input"),
                       "input b");
        }
        r->present[1] = true;
        r->nin = 2;
    } else if (is_norm(c->op)) {
        int64_t h = c->ndim > 0 ? c->shape[c->ndim - 1] : 0;
        if (c->ndim < 1) {
            snprintf(why, why_size, "%s needs at least one dim", fgi_op_name(c->op));
            return FG_ERR_INVALID_ARG;
        }
        bool zero[1] = {c->layout == FGI_ACC_EXPANDED};
        fgi_acc_layout wl = c->layout == FGI_ACC_STRIDED || c->layout == FGI_ACC_OFFSET
                                ? c->layout
                                : FGI_ACC_CONTIG;
        for (int i = 1; i <= 2; i++) {
            if (!(i == 1 ? c->weight : c->bias && c->op == FGI_OP_layer_norm)) continue;
            FG_FORWARD(tensor_make(&r->in[i], c->dtype, 1, &h, wl, zero, "accuracy input"),
                       "weight/bias");
            r->present[i] = true;
        }
        r->nin = 3;
    }
    for (int i = 0; i < 3; i++) {
        if (!r->present[i]) continue;
        double lo, hi;
        input_range(c->op, i, &lo, &hi);
        fill(&r->in[i], rng, lo, hi);
    }
    if (c->specials) put_specials(&r->in[0], rng);
    return FG_OK;
}

/* One call of the op through its public entry point. */
static fg_status call_op(const acc_run *r, DLTensor *out)
{
    const fgi_acc_config *c = r->c;
    const DLTensor *x = &r->in[0].t;
    const DLTensor *b = r->present[1] ? &r->in[1].t : NULL;
    const DLTensor *bias = r->present[2] ? &r->in[2].t : NULL;
    switch (c->op) {
    case FGI_OP_add: return fg_add(out, x, b, c->alpha);
    case FGI_OP_mul: return fg_mul(out, x, b);
    case FGI_OP_relu: return fg_relu(out, x);
    case FGI_OP_gelu: return fg_gelu(out, x, (fg_gelu_approx)c->approx);
    case FGI_OP_silu: return fg_silu(out, x);
    case FGI_OP_exp: return fg_exp(out, x);
    case FGI_OP_fast_gelu: return fg_exp_fast_gelu(out, x);
    case FGI_OP_sum: return fg_sum(out, x, c->dim, c->keepdim);
    case FGI_OP_mean: return fg_mean(out, x, c->dim, c->keepdim);
    case FGI_OP_amax: return fg_amax(out, x, c->dim, c->keepdim);
    case FGI_OP_softmax: return fg_softmax(out, x, c->dim);
    case FGI_OP_layer_norm: return fg_layer_norm(out, x, b, bias, c->eps);
    case FGI_OP_rms_norm: return fg_rms_norm(out, x, b, c->eps);
    case FGI_OP_mm: return fg_mm(out, x, b);
    case FGI_OP_bmm: return fg_bmm(out, x, b);
    default: return FG_ERROR(FG_ERR_INVALID_ARG, "unknown op %d", (int)c->op);
    }
}

static fg_status run_forced(const fgi_kernel *k, const acc_run *r, acc_tensor *out)
{
    FG_FORWARD(fgi_force_kernel(k->id), "forcing %s", k->id);
    fg_status s = call_op(r, &out->t);
    return s;
}

/* Compares out with the dense reference ref element by element. The worst
 * element is the first NaN/Inf/unwritten disagreement if there is one, else
 * the element with the largest error relative to its bound. */
static void compare(fgi_acc_case *k, const acc_tensor *out, const acc_tensor *ref)
{
    int es = fgi_dtype_size(out->dt);
    unsigned char poison[4];
    poison_pattern(out->dt, poison);
    bool have_bad = false;
    k->worst_index = -1;
    for (int64_t i = 0; i < out->numel; i++) {
        int64_t slot = elem_slot(out, i);
        double r = fgi_load_f64(ref->buf + (ref->offset + i) * es, ref->dt);
        double o = NAN;
        bool bad;
        k->checked++;
        if (is_poison(out, slot, poison)) {
            k->unwritten++;
            bad = true;
        } else if (o = fgi_load_f64(out->buf + slot * es, out->dt), isnan(o) || isnan(r)) {
            bad = isnan(o) != isnan(r);
            k->nan_mismatches += bad;
        } else if (isinf(o) || isinf(r)) {
            bad = o != r;
            k->inf_mismatches += bad;
        } else {
            double d = fabs(o - r), bound = k->atol + k->rtol * fabs(r);
            double ratio = bound > 0 ? d / bound : (d > 0 ? HUGE_VAL : 0);
            if (d > k->max_abs_error) k->max_abs_error = d;
            if (r != 0 && d / fabs(r) > k->max_rel_error) k->max_rel_error = d / fabs(r);
            k->mismatches += d > bound;
            if (ratio > k->worst_ratio) {
                k->worst_ratio = ratio;
                if (!have_bad) k->worst_index = i, k->worst_out = o, k->worst_ref = r;
            }
            continue;
        }
        k->mismatches += bad;
        if (bad && !have_bad) k->worst_index = i, k->worst_out = o, k->worst_ref = r, have_bad = true;
    }
}

/* Buffer slots of `out` outside its elements that no longer hold poison. */
static fg_status count_outside(const acc_tensor *out, int64_t *count)
{
    *count = 0;
    unsigned char poison[4];
    poison_pattern(out->dt, poison);
    if (out->dense) {
        for (int64_t s = 0; s < out->slots; s++)
            if (s < out->offset || s >= out->offset + out->numel) *count += !is_poison(out, s, poison);
        return FG_OK;
    }
    size_t n = (size_t)out->slots;
    unsigned char *mark = fgi_alloc(n, "accuracy slot map");
    if (!mark) return FG_ERR_NO_MEMORY;
    memset(mark, 0, n);
    for (int64_t i = 0; i < out->numel; i++) mark[elem_slot(out, i)] = 1;
    for (int64_t s = 0; s < out->slots; s++) *count += !mark[s] && !is_poison(out, s, poison);
    fgi_free(mark, n);
    return FG_OK;
}

static double elems(int ndim, const int64_t *shape)
{
    double n = 1;
    for (int d = 0; d < ndim; d++) n *= (double)shape[d];
    return n;
}

/* Refuses a configuration whose buffers (inputs, output, reference output)
 * would not fit in the machine's memory: filling them would page the
 * machine to death instead of failing cleanly. */
static fg_status check_memory(const fgi_acc_config *c, const acc_run *r, char *why, size_t why_size)
{
    double need = (elems(c->ndim, c->shape) + (two_inputs(c->op) ? elems(c->ndim_b, c->shape_b) : 0) +
                   2 * elems(r->out_ndim, r->out_shape)) *
                  fgi_dtype_size(c->dtype);
    long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
    double have = pages > 0 && page > 0 ? (double)pages * (double)page : INFINITY;
    if (need <= have) return FG_OK;
    snprintf(why, why_size, "needs %.1f GiB of buffers, the machine has %.1f GiB", need / (1 << 30),
             have / (1 << 30));
    return FG_ERR_NO_MEMORY;
}

static void set_message(fgi_acc_case *k, const char *fmt, const char *detail)
{
    snprintf(k->message, sizeof k->message, fmt, detail);
}

/* Inputs larger than this are not copied to check that kernels leave them
 * unchanged (the large tier). */
#define KEEP_INPUT_COPY_MAX ((size_t)256 << 20)

static fg_status run_case(const fgi_kernel *kernel, const fgi_kernel *reference,
                          const fgi_acc_config *c, const fgi_acc_tolerance *tol, uint64_t seed,
                          fgi_acc_case *k)
{
    memset(k, 0, sizeof *k);
    k->config = *c;
    k->worst_index = -1;
    acc_run r = {.c = c};
    acc_tensor out = {0}, ref = {0};
    void *copy[3] = {NULL, NULL, NULL};
    char why[160] = "";
    fg_status st = FG_OK;

    if (c->device != kernel->device) {
        k->outcome = FGI_ACC_SKIP;
        snprintf(k->message, sizeof k->message, "kernel runs on device %d, configuration on %d",
                 (int)kernel->device, (int)c->device);
        return FG_OK;
    }
    /* what the descriptor rules out, even where the op would not call the
     * kernel (empty outputs) */
    if (!(kernel->dtypes & FGI_DTYPE_BIT(c->dtype)) || (kernel->isa & ~fgi_cpu_features())) {
        k->outcome = FGI_ACC_SKIP;
        snprintf(k->message, sizeof k->message, "kernel %s %s", kernel->id,
                 kernel->isa & ~fgi_cpu_features() ? "needs CPU features this machine lacks"
                                                   : "has no variant for this dtype");
        return FG_OK;
    }
    st = out_geometry(&r, why, sizeof why);
    if (st == FG_OK) st = check_memory(c, &r, why, sizeof why);
    if (st == FG_OK) st = make_inputs(&r, &seed, why, sizeof why);
    if (st == FG_OK) {
        fgi_acc_layout ol = c->layout == FGI_ACC_OFFSET || c->layout == FGI_ACC_STRIDED
                                ? c->layout
                                : FGI_ACC_CONTIG;
        st = tensor_make(&out, c->dtype, r.out_ndim, r.out_shape, ol, NULL, "accuracy output");
        if (st == FG_OK)
            st = tensor_make(&ref, c->dtype, r.out_ndim, r.out_shape, FGI_ACC_CONTIG, NULL,
                             "accuracy reference output");
    }
    if (st != FG_OK) {
        if (why[0]) FG_ERROR(st, "%s", why);
        goto done;
    }
    k->atol = tol->atol * r.scale;
    k->rtol = tol->rtol;

    for (int i = 0; i < 3; i++) {
        if (!r.present[i] || r.in[i].bytes > KEEP_INPUT_COPY_MAX) continue;
        copy[i] = fgi_alloc(r.in[i].bytes, "accuracy input copy");
        if (!copy[i]) {
            st = FG_ERR_NO_MEMORY;
            goto done;
        }
        memcpy(copy[i], r.in[i].buf, r.in[i].bytes);
    }

    st = run_forced(reference, &r, &ref);
    if (st != FG_OK) {
        if (st == FG_ERR_UNSUPPORTED && reference->tier != FGI_TIER_REFERENCE) {
            k->outcome = FGI_ACC_SKIP;
            set_message(k, "the reference kernel does not take it: %s", fg_last_error());
            st = FG_OK;
        } else if (st != FG_ERR_NO_MEMORY) {
            st = fgi_error_push(FG_ERR_INVALID_ARG, "reference kernel %s refused the configuration",
                                reference->id);
        }
        goto done;
    }
    fg_status ks = run_forced(kernel, &r, &out);
    k->status = ks;
    if (ks == FG_ERR_UNSUPPORTED) {
        k->outcome = FGI_ACC_SKIP;
        set_message(k, "%s", fg_last_error());
        goto done;
    }
    if (ks != FG_OK) {
        k->outcome = FGI_ACC_FAIL;
        set_message(k, "the kernel failed: %s", fg_last_error());
        goto done;
    }
    compare(k, &out, &ref);
    st = count_outside(&out, &k->written_outside);
    if (st != FG_OK) goto done;
    for (int i = 0; i < 3; i++)
        if (copy[i] && memcmp(copy[i], r.in[i].buf, r.in[i].bytes) != 0) k->inputs_modified = true;

    k->outcome = k->mismatches || k->written_outside || k->inputs_modified ? FGI_ACC_FAIL
                                                                           : FGI_ACC_PASS;
    if (k->outcome == FGI_ACC_FAIL) {
        char *m = k->message;
        size_t cap = sizeof k->message, n = 0;
        if (k->mismatches)
            n += (size_t)snprintf(m + n, cap - n,
                                  "%lld of %lld elements wrong (%lld NaN, %lld Inf, %lld unwritten); "
                                  "first worst at %lld: got %.9g, expected %.9g",
                                  (long long)k->mismatches, (long long)k->checked,
                                  (long long)k->nan_mismatches, (long long)k->inf_mismatches,
                                  (long long)k->unwritten, (long long)k->worst_index,
                                  k->worst_out, k->worst_ref);
        if (k->written_outside && n < cap)
            n += (size_t)snprintf(m + n, cap - n, "%s%lld slots written outside the output view",
                                  n ? "; " : "", (long long)k->written_outside);
        if (k->inputs_modified && n < cap)
            snprintf(m + n, cap - n, "%sthe kernel modified its inputs", n ? "; " : "");
    }

done:
    for (int i = 0; i < 3; i++) {
        if (copy[i]) fgi_free(copy[i], r.in[i].bytes);
        tensor_free(&r.in[i]);
    }
    tensor_free(&out);
    tensor_free(&ref);
    return st;
}

/* ================================================================ validation */

static const fgi_kernel *reference_of(fgi_op op)
{
    int n;
    const fgi_kernel *const *ks = fgi_kernels(&n);
    for (int i = 0; i < n; i++)
        if (ks[i]->op == op && ks[i]->tier == FGI_TIER_REFERENCE) return ks[i];
    return NULL;
}

static void now_rfc3339(char *buf, size_t size)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    struct tm tm;
    gmtime_r(&ts.tv_sec, &tm);
    strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static void summarize(fgi_acc_report *r)
{
    memset(r->dtypes, 0, sizeof r->dtypes);
    r->passed = r->failed = r->skipped = 0;
    for (size_t i = 0; i < r->n_cases; i++) {
        const fgi_acc_case *k = &r->cases[i];
        fgi_acc_dtype_summary *s = &r->dtypes[k->config.dtype];
        s->cases++;
        if (k->outcome == FGI_ACC_PASS) s->passed++, r->passed++;
        if (k->outcome == FGI_ACC_FAIL) s->failed++, r->failed++;
        if (k->outcome == FGI_ACC_SKIP) s->skipped++, r->skipped++;
        if (k->outcome == FGI_ACC_SKIP) continue;
        if (k->max_abs_error > s->max_abs_error) s->max_abs_error = k->max_abs_error;
        if (k->max_rel_error > s->max_rel_error) s->max_rel_error = k->max_rel_error;
        if (k->worst_ratio > s->worst_ratio) s->worst_ratio = k->worst_ratio;
    }
    r->ok = r->passed > 0 && r->failed == 0;
}

/* Dims >= 0 and at most 1 TiB of elements in the dtype. */
static fg_status check_shape(int ndim, const int64_t *shape, fgi_dtype dt, size_t i, const char *which)
{
    FG_RETURN_IF(ndim < 0 || ndim > FG_MAX_DIMS, FG_ERR_INVALID_ARG,
                 "configuration %zu: %s has ndim %d (0..%d)", i, which, ndim, FG_MAX_DIMS);
    int64_t bytes = fgi_dtype_size(dt);
    for (int d = 0; d < ndim; d++) {
        FG_RETURN_IF(shape[d] < 0, FG_ERR_INVALID_ARG, "configuration %zu: %s has dim %d = %lld",
                     i, which, d, (long long)shape[d]);
        FG_RETURN_IF(shape[d] && bytes > ((int64_t)1 << 40) / shape[d], FG_ERR_OVERFLOW,
                     "configuration %zu: %s is over 1 TiB", i, which);
        bytes *= shape[d] ? shape[d] : 1;
    }
    return FG_OK;
}

static fg_status check_config(const fgi_kernel *kernel, const fgi_acc_config *c, size_t i)
{
    FG_RETURN_IF(c->op != kernel->op, FG_ERR_INVALID_ARG,
                 "configuration %zu is for op %s, the kernel %s is for %s", i,
                 (unsigned)c->op < FGI_OP_COUNT ? fgi_op_name(c->op) : "?", kernel->id,
                 fgi_op_name(kernel->op));
    FG_RETURN_IF(c->dtype != FGI_F32 && c->dtype != FGI_F16 && c->dtype != FGI_BF16,
                 FG_ERR_INVALID_ARG, "configuration %zu has dtype %d; expected float32, "
                 "float16 or bfloat16", i, (int)c->dtype);
    FG_RETURN_IF((unsigned)c->layout >= FGI_ACC_LAYOUT_COUNT, FG_ERR_INVALID_ARG,
                 "configuration %zu has layout %d", i, (int)c->layout);
    FG_FORWARD(check_shape(c->ndim, c->shape, c->dtype, i, "the first input"), "configs");
    if (two_inputs(c->op)) FG_FORWARD(check_shape(c->ndim_b, c->shape_b, c->dtype, i, "b"), "configs");
    return FG_OK;
}

fg_status fgi_acc_validate(const fgi_kernel *kernel, const fgi_kernel *reference,
                           const fgi_acc_config *configs, size_t n_configs,
                           const fgi_acc_tolerances *tolerance, const fgi_acc_options *opts,
                           fgi_acc_report **out)
{
    fgi_error_clear();
    FG_RETURN_IF(!out, FG_ERR_NULL, "out is NULL");
    *out = NULL;
    FG_RETURN_IF(!kernel, FG_ERR_NULL, "kernel is NULL");
    FG_RETURN_IF(n_configs && !configs, FG_ERR_NULL, "configs is NULL");
    FG_RETURN_IF(fgi_kernel_index(kernel) < 0, FG_ERR_INVALID_ARG,
                 "kernel %s is not a registered kernel", kernel->id ? kernel->id : "?");
    if (!reference) reference = reference_of(kernel->op);
    FG_RETURN_IF(!reference, FG_ERR_NOT_FOUND, "op %s has no reference kernel",
                 fgi_op_name(kernel->op));
    FG_RETURN_IF(fgi_kernel_index(reference) < 0, FG_ERR_INVALID_ARG,
                 "reference %s is not a registered kernel", reference->id ? reference->id : "?");
    FG_RETURN_IF(reference->op != kernel->op, FG_ERR_INVALID_ARG,
                 "reference %s is a kernel of %s, not of %s", reference->id,
                 fgi_op_name(reference->op), fgi_op_name(kernel->op));
    if (!tolerance) tolerance = &k_tol_default;
    for (int d = 0; d < 3; d++) {
        const fgi_acc_tolerance *t = &tolerance->dtype[d];
        FG_RETURN_IF(!(t->atol >= 0 && t->rtol >= 0 && isfinite(t->atol) && isfinite(t->rtol)),
                     FG_ERR_INVALID_ARG, "tolerance of %s is atol %g rtol %g; both must be "
                     "finite and >= 0", fgi_dtype_name((fgi_dtype)d), t->atol, t->rtol);
    }
    for (size_t i = 0; i < n_configs; i++) FG_FORWARD(check_config(kernel, &configs[i], i), "fgi_acc_validate");

    fgi_acc_report *r = calloc(1, sizeof *r);
    fgi_acc_case *cases = calloc(n_configs ? n_configs : 1, sizeof *cases);
    if (!r || !cases) {
        free(r);
        free(cases);
        return FG_ERROR(FG_ERR_NO_MEMORY, "report of %zu cases", n_configs);
    }
    r->cases = cases;
    r->n_cases = n_configs;
    snprintf(r->kernel, sizeof r->kernel, "%s", kernel->id);
    snprintf(r->reference, sizeof r->reference, "%s", reference->id);
    snprintf(r->op, sizeof r->op, "%s", fgi_op_name(kernel->op));
    snprintf(r->device, sizeof r->device, "%s", kernel->device == kDLCUDA ? "cuda" : "cpu");
    r->tolerance = *tolerance;
    r->seed = opts && opts->seed ? opts->seed : 20251219u;
    now_rfc3339(r->run_time, sizeof r->run_time);
    int64_t t0 = fgi_now_ns();

    const fgi_kernel *prev = fgi_forced_kernel();
    fg_status st = FG_OK;
    for (size_t i = 0; i < n_configs && st == FG_OK; i++) {
        /* configuration i draws from its own stream: reordering or
         * filtering configurations does not change its inputs */
        uint64_t seed = r->seed ^ ((uint64_t)(i + 1) * 0xd1b54a32d192ed03ull);
        st = run_case(kernel, reference, &configs[i], &tolerance->dtype[configs[i].dtype], seed,
                      &cases[i]);
        if (st != FG_OK) {
            char d[200];
            fgi_acc_config_describe(&configs[i], d, sizeof d);
            fgi_error_push(st, "configuration %zu (%s)", i, d);
        }
        if (opts && opts->progress) opts->progress(i + 1, n_configs, opts->progress_ctx);
    }
    fgi_force_kernel(prev ? prev->id : NULL);
    if (st != FG_OK) {
        fgi_acc_report_free(r);
        return st;
    }
    r->seconds = (double)(fgi_now_ns() - t0) * 1e-9;
    summarize(r);
    fgi_error_clear();
    *out = r;
    return FG_OK;
}

fg_status fgi_acc_validate_id(const char *kernel_id, fgi_acc_tier tier, unsigned dtypes,
                              const fgi_acc_tolerances *tolerance, const fgi_acc_options *opts,
                              fgi_acc_report **out)
{
    fgi_error_clear();
    FG_RETURN_IF(!out, FG_ERR_NULL, "out is NULL");
    *out = NULL;
    FG_RETURN_IF(!kernel_id, FG_ERR_NULL, "kernel_id is NULL");
    const fgi_kernel *k = fgi_kernel_find(kernel_id);
    FG_RETURN_IF(!k, FG_ERR_NOT_FOUND, "no kernel with id '%.140s'", kernel_id);
    fgi_acc_config *cs;
    size_t n;
    FG_FORWARD(fgi_acc_default_configs(k->op, tier, dtypes, &cs, &n), "default configurations");
    fg_status st = fgi_acc_validate(k, NULL, cs, n, tolerance, opts, out);
    fgi_acc_configs_free(cs);
    return st;
}

void fgi_acc_report_free(fgi_acc_report *report)
{
    if (!report) return;
    free(report->cases);
    free(report);
}

/* ================================================================ metadata */

fg_status fgi_acc_coverage(const fgi_acc_report *report, fgi_meta_coverage **out, size_t *n)
{
    FG_RETURN_IF(!out || !n, FG_ERR_NULL, "out or n is NULL");
    *out = NULL;
    *n = 0;
    FG_RETURN_IF(!report, FG_ERR_NULL, "report is NULL");
    enum { SHAPE_CAP = 160 };
    /* one block: coverage[3], then pointer arrays, then the strings */
    size_t ncases = report->n_cases;
    size_t bytes = 3 * sizeof(fgi_meta_coverage) + 3 * (ncases + 1) * sizeof(char *) +
                   ncases * SHAPE_CAP + 16;
    char *block = calloc(1, bytes);
    FG_RETURN_IF(!block, FG_ERR_NO_MEMORY, "coverage");
    fgi_meta_coverage *cov = (fgi_meta_coverage *)(void *)block;
    const char **ptrs = (const char **)(void *)(block + 3 * sizeof *cov);
    char *text = (char *)(ptrs + 3 * (ncases + 1));
    size_t ndt = 0;
    for (int dt = FGI_F32; dt <= FGI_BF16; dt++) {
        const char **list = ptrs + (size_t)dt * (ncases + 1);
        size_t m = 0;
        for (size_t i = 0; i < ncases; i++) {
            const fgi_acc_case *k = &report->cases[i];
            if (k->config.dtype != (fgi_dtype)dt || k->outcome == FGI_ACC_SKIP) continue;
            char s[SHAPE_CAP];
            fgi_acc_shape_string(&k->config, s, sizeof s);
            bool seen = false;
            for (size_t j = 0; j < m && !seen; j++) seen = strcmp(list[j], s) == 0;
            if (seen) continue;
            memcpy(text, s, strlen(s) + 1);
            list[m++] = text;
            text += strlen(s) + 1;
        }
        if (!m) continue;
        cov[ndt].dtype = fgi_dtype_name((fgi_dtype)dt);
        cov[ndt].shapes = list;
        cov[ndt].n_shapes = m;
        ndt++;
    }
    *out = cov;
    *n = ndt;
    return FG_OK;
}

fg_status fgi_acc_record(fgi_meta_store *store, const char *key, const fgi_acc_report *report)
{
    fgi_error_clear();
    FG_RETURN_IF(!store || !report, FG_ERR_NULL, "store or report is NULL");
    fgi_meta_coverage *cov;
    size_t n;
    FG_FORWARD(fgi_acc_coverage(report, &cov, &n), "fgi_acc_record");
    fgi_meta_accuracy_result acc = {
        .passed = report->ok,
        .test_cases = report->passed + report->failed,
        .coverage = cov,
        .n_coverage = n,
        .run_time = report->run_time,
    };
    fgi_meta_validation_result res = {.accuracy = &acc, .performance = NULL};
    fg_status st = fgi_meta_update_validation_status(store, key ? key : report->kernel, &res);
    free(cov);
    if (st != FG_OK) fgi_error_push(st, "fgi_acc_record");
    return st;
}
