#include "testutil.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ops/registry.h"

/* Slots left after the last element: a write past the view's extent that
 * stays inside the buffer is caught by the gap check rather than only by ASan. */
#define TU_SLACK 5

/* Messages printed per cmocka test before the rest are suppressed: a missing
 * kernel fails every case, one screen of that is enough. */
#define TU_PRINT_BUDGET 8
static int print_budget = TU_PRINT_BUDGET;

static void report(const char *fmt, ...) CMOCKA_PRINTF_ATTRIBUTE(1, 2);
static void report(const char *fmt, ...)
{
    if (print_budget <= 0) return;
    if (--print_budget == 0) {
        print_error("(further failures of this test are not printed)\n");
        return;
    }
    va_list ap;
    va_start(ap, fmt);
    vprint_error(fmt, ap);
    va_end(ap);
}

/* ---------------------------------------------------------------- PRNG */

uint64_t tu_next(tu_rng *r)
{
    uint64_t z = (r->s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

double tu_uniform(tu_rng *r, double lo, double hi)
{
    double u = (double)(tu_next(r) >> 11) * 0x1p-53;
    return lo + (hi - lo) * u;
}

int64_t tu_below(tu_rng *r, int64_t n) { return n <= 0 ? 0 : (int64_t)(tu_next(r) % (uint64_t)n); }

/* ---------------------------------------------------------------- tensors */

DLDataType tu_dl_dtype(fgi_dtype dt)
{
    switch (dt) {
    case FGI_F32: return (DLDataType){kDLFloat, 32, 1};
    case FGI_F16: return (DLDataType){kDLFloat, 16, 1};
    case FGI_BF16: return (DLDataType){kDLBfloat, 16, 1};
    default: return (DLDataType){kDLFloat, 64, 1};
    }
}

const char *tu_dtype_name(fgi_dtype dt)
{
    switch (dt) {
    case FGI_F32: return "float32";
    case FGI_F16: return "float16";
    case FGI_BF16: return "bfloat16";
    default: return "float64";
    }
}

int tu_esize(fgi_dtype dt) { return fgi_dtype_size(dt); }
#define tu_esize(dt) fgi_dtype_size(dt)

static int64_t max1(int64_t v) { return v > 1 ? v : 1; }

tu_tensor *tu_new_strided(fgi_dtype dt, int ndim, const int64_t *shape, const int64_t *strides,
                          int64_t offset)
{
    tu_tensor *t = calloc(1, sizeof *t);
    assert_non_null(t);
    assert_true(ndim >= 0 && ndim <= FG_MAX_DIMS);
    t->dt = dt;
    t->offset = offset;
    t->numel = 1;
    int64_t ext = 0, expect = 1;
    t->row_major = true;
    for (int d = ndim - 1; d >= 0; d--) {
        t->shape[d] = shape[d];
        t->strides[d] = strides[d];
        t->numel *= shape[d];
        if (shape[d] > 0) ext += (shape[d] - 1) * strides[d];
        if (shape[d] != 1 && strides[d] != expect) t->row_major = false;
        expect *= shape[d];
    }
    t->cap = offset + TU_SLACK + (t->numel > 0 ? ext + 1 : 0);
    size_t bytes = (size_t)t->cap * (size_t)tu_esize(dt);
    t->buf = aligned_alloc(64, (bytes + 63) / 64 * 64);
    assert_non_null(t->buf);
    t->t.data = t->buf;
    t->t.device = (DLDevice){kDLCPU, 0};
    t->t.ndim = ndim;
    t->t.dtype = tu_dl_dtype(dt);
    t->t.shape = t->shape;
    t->t.strides = t->strides;
    t->t.byte_offset = (uint64_t)(offset * tu_esize(dt));
    tu_poison(t);
    return t;
}

tu_tensor *tu_new(fgi_dtype dt, int ndim, const int64_t *shape, tu_layout layout)
{
    int64_t st[FG_MAX_DIMS + 1];
    int64_t off = 0, s = 1;
    int last = ndim - 1;
    switch (layout) {
    case TU_REVERSED:
        for (int d = 0; d < ndim; d++) {
            st[d] = s;
            s *= max1(shape[d]);
        }
        break;
    case TU_ROTATED: /* with one dim this is row-major */
        for (int d = ndim - 2; d >= 0; d--) {
            st[d] = s;
            s *= max1(shape[d]);
        }
        if (ndim > 0) st[last] = s;
        break;
    case TU_CONTIG:
    case TU_OFFSET:
    default:
        for (int d = last; d >= 0; d--) {
            st[d] = s;
            s *= max1(shape[d]);
        }
        if (layout == TU_OFFSET) off = 3;
        break;
    case TU_GAPPY:
        if (ndim > 0) st[last] = 2;
        for (int d = last - 1; d >= 0; d--) st[d] = st[d + 1] * max1(shape[d + 1]) + 1;
        off = 1;
        break;
    }
    tu_tensor *t = tu_new_strided(dt, ndim, shape, st, off);
    /* Dense tensors without offset go in with strides NULL, the other common
     * way callers hand tensors over. */
    if (layout == TU_CONTIG) t->t.strides = NULL;
    return t;
}

tu_tensor *tu_clone_contig(const tu_tensor *src)
{
    tu_tensor *t = tu_new(src->dt, src->t.ndim, src->shape, TU_CONTIG);
    for (int64_t i = 0; i < src->numel; i++) tu_set(t, i, tu_get(src, i));
    return t;
}

void tu_free(tu_tensor *t)
{
    if (!t) return;
    free(t->buf);
    free(t);
}

int64_t tu_elem_offset(const tu_tensor *t, int64_t i)
{
    if (t->row_major) return t->offset + i;
    int64_t off = t->offset;
    for (int d = t->t.ndim - 1; d >= 0; d--) {
        int64_t s = t->shape[d];
        off += (i % s) * t->strides[d];
        i /= s;
    }
    return off;
}

double tu_get(const tu_tensor *t, int64_t i)
{
    return fgi_load_f64(t->buf + tu_elem_offset(t, i) * tu_esize(t->dt), t->dt);
}

void tu_set(tu_tensor *t, int64_t i, double v)
{
    fgi_store_f64(t->buf + tu_elem_offset(t, i) * tu_esize(t->dt), t->dt, v);
}

static inline uint32_t slot_bits(const tu_tensor *t, int64_t slot)
{
    const char *p = t->buf + slot * tu_esize(t->dt);
    if (t->dt == FGI_F32) {
        uint32_t u;
        memcpy(&u, p, 4);
        return u;
    }
    uint16_t h;
    memcpy(&h, p, 2);
    return h;
}

uint32_t tu_bits(const tu_tensor *t, int64_t i) { return slot_bits(t, tu_elem_offset(t, i)); }

void tu_fill_uniform(tu_tensor *t, tu_rng *r, double lo, double hi)
{
    tu_poison(t);
    if (t->row_major && t->dt == FGI_F32) {
        float *p = (float *)t->buf + t->offset;
        for (int64_t i = 0; i < t->numel; i++) p[i] = (float)tu_uniform(r, lo, hi);
        return;
    }
    for (int64_t i = 0; i < t->numel; i++) tu_set(t, i, tu_uniform(r, lo, hi));
}

void tu_fill_specials(tu_tensor *t, tu_rng *r, int count, const double *extra, int n_extra)
{
    if (t->numel == 0) return;
    double denorm = t->dt == FGI_F16 ? 3e-6 : 1e-39; /* below each type's smallest normal */
    const double base[] = {NAN, INFINITY, -INFINITY, 0.0, -0.0, denorm, -denorm};
    int nb = (int)(sizeof base / sizeof base[0]);
    for (int c = 0; c < count; c++) {
        int64_t i = tu_below(r, t->numel);
        int64_t k = tu_below(r, nb + n_extra);
        /* the first few cover every special once even in short tensors */
        if (c < nb + n_extra) k = c;
        tu_set(t, i, k < nb ? base[k] : extra[k - nb]);
    }
}

void tu_set_values(tu_tensor *t, const double *v, int64_t n)
{
    for (int64_t i = 0; i < n && i < t->numel; i++) tu_set(t, i, v[i]);
}

uint32_t tu_poison_bits(fgi_dtype dt)
{
    switch (dt) {
    case FGI_F32: return 0x7fa5a5a5u; /* sNaN: quiet bit 22 clear */
    case FGI_F16: return 0x7d5au;     /* sNaN: quiet bit 9 clear */
    default: return 0x7f95u;          /* bf16 sNaN: quiet bit 6 clear */
    }
}

void tu_poison(tu_tensor *t)
{
    uint32_t p = tu_poison_bits(t->dt);
    size_t esz = (size_t)tu_esize(t->dt), total = (size_t)t->cap * esz, done = esz;
    if (total == 0) return;
    if (esz == 4) {
        memcpy(t->buf, &p, 4);
    } else {
        uint16_t h = (uint16_t)p;
        memcpy(t->buf, &h, 2);
    }
    /* doubling copies: a few memcpy calls instead of one store per slot */
    while (done < total) {
        size_t n = done < total - done ? done : total - done;
        memcpy(t->buf + done, t->buf, n);
        done += n;
    }
}

bool tu_is_poison(const tu_tensor *t, int64_t i) { return tu_bits(t, i) == tu_poison_bits(t->dt); }

bool tu_gaps_intact(const tu_tensor *t, const char *what)
{
    unsigned char *mask = calloc((size_t)t->cap, 1);
    assert_non_null(mask);
    if (t->row_major)
        memset(mask + t->offset, 1, (size_t)t->numel);
    else
        for (int64_t i = 0; i < t->numel; i++) mask[tu_elem_offset(t, i)] = 1;
    bool ok = true;
    uint32_t p = tu_poison_bits(t->dt);
    for (int64_t s = 0; s < t->cap && ok; s++) {
        if (mask[s] || slot_bits(t, s) == p) continue;
        report("%s: buffer slot %lld (not an element of the view; element 0 is slot %lld) was "
               "written: bits 0x%x\n",
               what, (long long)s, (long long)t->offset, (unsigned)slot_bits(t, s));
        ok = false;
    }
    free(mask);
    return ok;
}

/* ---------------------------------------------------------------- checks */

double tu_rtol(fgi_dtype dt)
{
    switch (dt) {
    case FGI_F32: return 1.3e-6;
    case FGI_F16: return 1e-3;
    case FGI_BF16: return 0.016;
    default: return 1e-12;
    }
}

const char *tu_shape_str(char *buf, size_t cap, int ndim, const int64_t *shape)
{
    size_t n = (size_t)snprintf(buf, cap, "[");
    for (int d = 0; d < ndim && n < cap; d++)
        n += (size_t)snprintf(buf + n, cap - n, "%s%lld", d ? "," : "", (long long)shape[d]);
    if (n < cap) snprintf(buf + n, cap - n, "]");
    return buf;
}

const char *tu_layout_name(tu_layout l)
{
    static const char *const names[] = {"contig", "offset", "reversed", "rotated", "gappy"};
    return l < TU_LAYOUT_COUNT ? names[l] : "?";
}

static const char *index_str(char *buf, size_t cap, const tu_tensor *t, int64_t i)
{
    int64_t idx[FG_MAX_DIMS];
    for (int d = t->t.ndim - 1; d >= 0; d--) {
        idx[d] = i % t->shape[d];
        i /= t->shape[d];
    }
    return tu_shape_str(buf, cap, t->t.ndim, idx);
}

static inline double bits_value(uint32_t b, fgi_dtype dt)
{
    switch (dt) {
    case FGI_F32: return fgi_bits_f32(b);
    case FGI_F16: return fgi_f16_to_f32((uint16_t)b);
    default: return fgi_bf16_to_f32((uint16_t)b);
    }
}

int64_t tu_compare(const tu_tensor *out, const tu_tensor *ref, double atol, double rtol,
                   const char *what)
{
    int64_t bad = 0;
    const uint32_t poison = tu_poison_bits(out->dt);
    for (int64_t i = 0; i < out->numel; i++) {
        const char *problem = NULL;
        uint32_t ob = slot_bits(out, tu_elem_offset(out, i));
        uint32_t rb = slot_bits(ref, tu_elem_offset(ref, i));
        double o = bits_value(ob, out->dt), r = bits_value(rb, ref->dt);
        if (ob == poison)
            problem = "unwritten (still poison)";
        else if (rb == poison)
            problem = "reference left it unwritten";
        else if (isnan(r))
            problem = isnan(o) ? NULL : "expected NaN";
        else if (isinf(r))
            problem = o == r ? NULL : "expected the same Inf";
        else if (!isfinite(o))
            problem = "expected a finite value";
        else if (!(fabs(o - r) <= atol + rtol * fabs(r)))
            problem = "outside tolerance";
        if (!problem) continue;
        if (bad++ == 0) {
            char ib[160];
            report("%s: element %lld %s: got %.9g (bits 0x%x), reference %.9g (bits 0x%x): %s "
                   "(atol %g, rtol %g)\n",
                   what, (long long)i, index_str(ib, sizeof ib, out, i), o, (unsigned)ob, r,
                   (unsigned)rb, problem, atol, rtol);
        }
    }
    if (bad > 1) report("%s: %lld of %lld elements differ\n", what, (long long)bad,
                        (long long)out->numel);
    return bad;
}

bool tu_env_generic(void)
{
    const char *v = getenv("FLAGGEMS_CPU_ISA");
    return v && strcasecmp(v, "generic") == 0;
}

bool tu_kernel_ok(const char *op, const char *id, char *why, size_t cap)
{
    const char *isa = fg_cpu_isa_name();
    if (tu_env_generic() && strcmp(isa, "generic") != 0) {
        snprintf(why, cap, "FLAGGEMS_CPU_ISA=generic but fg_cpu_isa_name() is '%s'", isa);
        return false;
    }
    int n;
    const fgi_kernel *const *table = fgi_kernels(&n);
    char want_isa[96], want_generic[96], want[96];
    snprintf(want_isa, sizeof want_isa, "%s.cpu.stable.%s", op, isa);
    snprintf(want_generic, sizeof want_generic, "%s.cpu.stable.generic", op);
    bool has_stable = false, has_isa = false;
    for (int i = 0; i < n; i++) {
        if (strcmp(fgi_op_name(table[i]->op), op) != 0 || table[i]->tier != FGI_TIER_STABLE ||
            table[i]->device != kDLCPU)
            continue;
        has_stable = true;
        if (strcmp(table[i]->id, want_isa) == 0) has_isa = true;
    }
    if (!has_stable)
        snprintf(want, sizeof want, "%s.cpu.reference", op);
    else
        snprintf(want, sizeof want, "%s", has_isa ? want_isa : want_generic);
    if (strcmp(id, want) == 0 && (!has_stable || strstr(id, ".cpu.stable."))) return true;
    snprintf(why, cap, "served by kernel '%s', expected '%s' (ISA %s)", id, want, isa);
    return false;
}

bool tu_check_op(const char *op, tu_op_fn fn, void *ctx, tu_tensor *out, double atol,
                 const char *desc)
{
    char ref_id[96], why[256];
    snprintf(ref_id, sizeof ref_id, "%s.cpu.reference", op);
    tu_tensor *ref = tu_new(out->dt, out->t.ndim, out->shape, TU_CONTIG);
    bool ok = false;
    fg_status s = fgi_force_kernel(ref_id);
    if (s != FG_OK) {
        report("%s: cannot force %s: %s\n", desc, ref_id, fg_last_error());
        goto done;
    }
    s = fn(&ref->t, ctx);
    fgi_force_kernel(NULL);
    if (s != FG_OK) {
        report("%s: reference run returned %s: %s\n", desc, fg_status_name(s), fg_last_error());
        goto done;
    }
    if (out->numel > 0 && strcmp(fg_last_kernel(), ref_id) != 0) {
        report("%s: forced run was served by '%s'\n", desc, fg_last_kernel());
        goto done;
    }
    tu_poison(out);
    s = fn(&out->t, ctx);
    if (s != FG_OK) {
        report("%s: returned %s: %s\n", desc, fg_status_name(s), fg_last_error());
        goto done;
    }
    /* (fast_gelu's entry point is internal and does not clear the message) */
    if (fg_last_error()[0] != '\0' && strcmp(op, "fast_gelu") != 0) {
        report("%s: succeeded but fg_last_error() is '%s'\n", desc, fg_last_error());
        goto done;
    }
    /* An empty output runs no kernel, so the last kernel is left as it was. */
    if (out->numel > 0 && !tu_kernel_ok(op, fg_last_kernel(), why, sizeof why)) {
        report("%s: %s\n", desc, why);
        goto done;
    }
    if (tu_compare(out, ref, atol, tu_rtol(out->dt), desc) != 0) goto done;
    ok = tu_gaps_intact(out, desc);
done:
    tu_free(ref);
    return ok;
}

void tu_tally_add(tu_tally *t, bool ok)
{
    t->cases++;
    if (!ok) t->failures++;
}

void tu_tally_finish(const tu_tally *t, const char *name)
{
    print_budget = TU_PRINT_BUDGET;
    print_message("[ info ] %s: %d cases, %d failed\n", name, t->cases, t->failures);
    if (t->failures) {
        print_error("%s: %d of %d cases failed\n", name, t->failures, t->cases);
        fail();
    }
}

int tu_run_group(const char *group, int n, const char *const *names, void (*fn)(void **state),
                 void *const *params)
{
    struct CMUnitTest *tests = calloc((size_t)n, sizeof *tests);
    assert_non_null(tests);
    for (int i = 0; i < n; i++)
        tests[i] = (struct CMUnitTest){names[i], fn, NULL, NULL, params[i]};
    int rc = _cmocka_run_group_tests(group, tests, (size_t)n, NULL, NULL);
    free(tests);
    return rc;
}
