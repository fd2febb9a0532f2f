/* Validated tensor views and strided iteration. */
#ifndef FGI_CORE_TENSOR_H
#define FGI_CORE_TENSOR_H

#include <stdbool.h>
#include <stdint.h>

#include "core/dtype.h"
#include "flaggems/flaggems.h"

/* A DLTensor after validation: strides always filled in (elements), data
 * already offset by byte_offset. */
typedef struct fgi_tensor {
    char *data;
    int ndim;
    fgi_dtype dtype;
    int64_t shape[FG_MAX_DIMS];
    int64_t strides[FG_MAX_DIMS];
    int64_t numel;
    bool contiguous; /* row-major dense (dims of size 1 may have any stride) */
    DLDeviceType device;
} fgi_tensor;

/* Validates t (named `name` in messages) and fills *v. Checks NULL, ndim
 * range, lanes, dtype (float32/16, bfloat16), negative sizes and strides,
 * numel and byte-extent overflow, data NULL when numel > 0. The checks one
 * at a time, each with its own message; fgi_tensor_view below gives the
 * same result and view for every input, faster. */
fg_status fgi_tensor_view_checked(fgi_tensor *v, const DLTensor *t, const char *name);
/* The common case in one backward pass over the dims: sizes, strides (or
 * the row-major ones), element count, extent and contiguity together, the
 * checks folded into a few flags. Anything unusual, valid or not, goes to
 * fgi_tensor_view_checked, which then decides and names the problem; so
 * this path only ever accepts what that one accepts, with the same view.
 * Unusual: NULL data, no elements (a size 0 must not hide an overflow of
 * the sizes before it), an extent of 2^59 elements or more, a byte offset
 * of 2^62 or more (below both, the byte extent cannot overflow). */
static inline fg_status fgi_tensor_view(fgi_tensor *v, const DLTensor *t, const char *name)
{
    if (__builtin_expect(!t, 0)) return fgi_tensor_view_checked(v, t, name);
    enum { F32 = kDLFloat | 32u << 8 | 1u << 16, F16 = kDLFloat | 16u << 8 | 1u << 16,
           BF16 = kDLBfloat | 16u << 8 | 1u << 16 };
    uint32_t dt = (uint32_t)t->dtype.code | (uint32_t)t->dtype.bits << 8 | (uint32_t)t->dtype.lanes << 16;
    int nd = t->ndim;
    const int64_t *shape = t->shape, *strides = t->strides;
    if (__builtin_expect(!t->data || (unsigned)nd > FG_MAX_DIMS || (nd && !shape) ||
                             t->device.device_type != kDLCPU || t->byte_offset >> 62 ||
                             (dt != F32 && dt != F16 && dt != BF16),
                         0))
        return fgi_tensor_view_checked(v, t, name);
    int64_t numel = 1, extent;
    uint64_t sign = 0; /* sign bit: a negative size or stride */
    bool ovf = false, contig = true;
    if (!strides) { /* row-major: the extent is numel - 1 */
        for (int d = nd - 1; d >= 0; d--) {
            int64_t s = shape[d];
            sign |= (uint64_t)s;
            v->shape[d] = s;
            v->strides[d] = numel;
            ovf |= __builtin_mul_overflow(numel, s, &numel);
        }
        extent = numel > 0 ? numel - 1 : 0; /* numel <= 0 is refused below */
    } else {
        extent = 0;
        for (int d = nd - 1; d >= 0; d--) {
            int64_t s = shape[d], st = strides[d], span;
            sign |= (uint64_t)s | (uint64_t)st;
            v->shape[d] = s;
            v->strides[d] = st;
            contig &= s == 1 || st == numel;
            /* s - 1 wraps for s = INT64_MIN: refused by the sign anyway */
            ovf |= __builtin_mul_overflow((int64_t)((uint64_t)s - 1), st, &span) |
                   __builtin_add_overflow(extent, span, &extent) |
                   __builtin_mul_overflow(numel, s, &numel);
        }
    }
    if (__builtin_expect((sign >> 63) || ovf || numel == 0 || (uint64_t)extent >> 59, 0))
        return fgi_tensor_view_checked(v, t, name);
    v->dtype = dt == F32 ? FGI_F32 : dt == F16 ? FGI_F16 : FGI_BF16;
    v->device = kDLCPU;
    v->ndim = nd;
    v->numel = numel;
    v->data = (char *)t->data + t->byte_offset;
    v->contiguous = contig;
    return FG_OK;
}

/* Sets and returns the FG_ERR_SHAPE of fgi_tensor_expect_shape. */
fg_status fgi_tensor_shape_error(const fgi_tensor *v, const char *name, int ndim, const int64_t *shape);

/* FG_ERR_SHAPE unless v has exactly `ndim` dims equal to `shape`. */
static inline fg_status fgi_tensor_expect_shape(const fgi_tensor *v, const char *name, int ndim,
                                                const int64_t *shape)
{
    bool ok = v->ndim == ndim;
    for (int d = 0; ok && d < ndim; d++) ok = v->shape[d] == shape[d];
    return ok ? FG_OK : fgi_tensor_shape_error(v, name, ndim, shape);
}

/* Output checks: no stride 0 (or other self-overlap that a zero stride
 * causes) on dims of size > 1. */
fg_status fgi_tensor_check_output(const fgi_tensor *out, const char *name);

/* Exact alias: same data pointer, shape and strides (for dims of size > 1). */
static inline bool fgi_tensor_same_view(const fgi_tensor *a, const fgi_tensor *b)
{
    if (a->data != b->data || a->ndim != b->ndim || a->dtype != b->dtype) return false;
    for (int d = 0; d < a->ndim; d++) {
        if (a->shape[d] != b->shape[d]) return false;
        if (a->shape[d] > 1 && a->strides[d] != b->strides[d]) return false;
    }
    return true;
}

/* The bytes [lo, hi] that t's elements occupy (t->numel > 0). */
static inline void fgi_tensor_byte_range(const fgi_tensor *t, uintptr_t *lo, uintptr_t *hi)
{
    int64_t extent = t->numel - 1; /* row-major dense */
    if (!t->contiguous) {
        extent = 0;
        for (int d = 0; d < t->ndim; d++) extent += (t->shape[d] - 1) * t->strides[d];
    }
    *lo = (uintptr_t)t->data;
    *hi = *lo + (uintptr_t)((extent + 1) * fgi_dtype_size(t->dtype)) - 1;
}

/* Whether the byte ranges [lowest, highest] of a and b intersect. */
static inline bool fgi_tensor_ranges_overlap(const fgi_tensor *a, const fgi_tensor *b)
{
    if (a->numel == 0 || b->numel == 0) return false;
    uintptr_t alo, ahi, blo, bhi;
    fgi_tensor_byte_range(a, &alo, &ahi);
    fgi_tensor_byte_range(b, &blo, &bhi);
    return alo <= bhi && blo <= ahi;
}

/* Formats "[4,8]" into buf. */
const char *fgi_shape_str(char *buf, size_t cap, int ndim, const int64_t *shape);

/* Address of element `index` in row-major order of v's shape. */
static inline char *fgi_tensor_at(const fgi_tensor *v, int64_t index)
{
    int64_t off = 0;
    for (int d = v->ndim - 1; d >= 0; d--) {
        int64_t s = v->shape[d];
        off += (index % s) * v->strides[d];
        index /= s;
    }
    return v->data + off * fgi_dtype_size(v->dtype);
}

/* Byte address of the element at multi-index idx. */
static inline char *fgi_tensor_at_idx(const fgi_tensor *v, const int64_t *idx)
{
    int64_t off = 0;
    for (int d = 0; d < v->ndim; d++) off += idx[d] * v->strides[d];
    return v->data + off * fgi_dtype_size(v->dtype);
}

/* Copies the elements [start, start+n) (row-major order of v) to dst as
 * float32, for any strides and dtype. */
void fgi_tensor_gather_f32(float *dst, const fgi_tensor *v, int64_t start, int64_t n);
/* Writes n float32 values to elements [start, start+n) of v. */
void fgi_tensor_scatter_f32(fgi_tensor *v, int64_t start, int64_t n, const float *src);

#endif
