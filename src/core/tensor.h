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
 * numel and byte-extent overflow, data NULL when numel > 0. */
fg_status fgi_tensor_view(fgi_tensor *v, const DLTensor *t, const char *name);

/* FG_ERR_SHAPE unless v has exactly `ndim` dims equal to `shape`. */
fg_status fgi_tensor_expect_shape(const fgi_tensor *v, const char *name, int ndim,
                                  const int64_t *shape);

/* Output checks: no stride 0 (or other self-overlap that a zero stride
 * causes) on dims of size > 1. */
fg_status fgi_tensor_check_output(const fgi_tensor *out, const char *name);

/* Exact alias: same data pointer, shape and strides (for dims of size > 1). */
bool fgi_tensor_same_view(const fgi_tensor *a, const fgi_tensor *b);
/* Whether the byte ranges [lowest, highest] of a and b intersect. */
bool fgi_tensor_ranges_overlap(const fgi_tensor *a, const fgi_tensor *b);

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
