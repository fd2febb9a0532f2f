#include <inttypes.h>
#include <stdio.h>

#include "core/error.h"
#include "core/tensor.h"

const char *fgi_shape_str(char *buf, size_t cap, int ndim, const int64_t *shape)
{
    size_t n = 0;
    n += (size_t)snprintf(buf, cap, "[");
    for (int i = 0; i < ndim && n < cap; i++)
        n += (size_t)snprintf(buf + n, cap - n, "%s%" PRId64, i ? "," : "", shape[i]);
    if (n < cap) snprintf(buf + n, cap - n, "]");
    return buf;
}

fg_status fgi_tensor_view_checked(fgi_tensor *v, const DLTensor *t, const char *name)
{
    FG_RETURN_IF(!t, FG_ERR_NULL, "%s is NULL", name);
    FG_RETURN_IF(t->ndim < 0, FG_ERR_INVALID_ARG, "%s has negative ndim %d", name, t->ndim);
    FG_RETURN_IF(t->ndim > FG_MAX_DIMS, FG_ERR_UNSUPPORTED, "%s has %d dims, at most %d supported",
                 name, t->ndim, FG_MAX_DIMS);
    FG_RETURN_IF(t->ndim > 0 && !t->shape, FG_ERR_NULL, "%s->shape is NULL", name);
    FG_RETURN_IF(t->dtype.lanes != 1, FG_ERR_UNSUPPORTED, "%s has %u lanes, only 1 supported", name,
                 (unsigned)t->dtype.lanes);
    if (t->dtype.code == kDLFloat && t->dtype.bits == 32)
        v->dtype = FGI_F32;
    else if (t->dtype.code == kDLFloat && t->dtype.bits == 16)
        v->dtype = FGI_F16;
    else if (t->dtype.code == kDLBfloat && t->dtype.bits == 16)
        v->dtype = FGI_BF16;
    else
        return FG_ERROR(FG_ERR_DTYPE,
                        "%s has dtype code %u bits %u; expected float32, float16 or bfloat16", name,
                        (unsigned)t->dtype.code, (unsigned)t->dtype.bits);
    FG_RETURN_IF(t->device.device_type != kDLCPU, FG_ERR_DEVICE,
                 "%s is on device type %d; only kDLCPU (1) is supported", name,
                 (int)t->device.device_type);
    v->device = t->device.device_type;
    v->ndim = t->ndim;
    int64_t numel = 1, extent = 0; /* extent: largest element offset */
    bool overflow = false;
    for (int d = 0; d < t->ndim; d++) {
        int64_t s = t->shape[d];
        FG_RETURN_IF(s < 0, FG_ERR_INVALID_ARG, "%s has negative size %" PRId64 " in dim %d", name,
                     s, d);
        v->shape[d] = s;
        if (__builtin_mul_overflow(numel, s, &numel)) overflow = true;
    }
    FG_RETURN_IF(overflow, FG_ERR_OVERFLOW, "%s: number of elements overflows int64", name);
    int64_t run = 1;
    for (int d = t->ndim - 1; d >= 0; d--) {
        int64_t st = t->strides ? t->strides[d] : run;
        FG_RETURN_IF(st < 0, FG_ERR_INVALID_ARG, "%s has negative stride %" PRId64 " in dim %d",
                     name, st, d);
        v->strides[d] = st;
        if (numel > 0) {
            int64_t span;
            if (__builtin_mul_overflow(v->shape[d] - 1, st, &span) ||
                __builtin_add_overflow(extent, span, &extent))
                overflow = true;
        }
        /* saturates: it can overflow only when a size is 0 (no elements) */
        if (!t->strides && __builtin_mul_overflow(run, v->shape[d], &run)) run = INT64_MAX;
    }
    int64_t bytes;
    FG_RETURN_IF(overflow || __builtin_add_overflow(extent, 1, &bytes) ||
                     __builtin_mul_overflow(bytes, (int64_t)fgi_dtype_size(v->dtype), &bytes) ||
                     t->byte_offset > (uint64_t)INT64_MAX ||
                     (uint64_t)bytes > (uint64_t)INT64_MAX - t->byte_offset,
                 FG_ERR_OVERFLOW, "%s: byte extent overflows int64", name);
    FG_RETURN_IF(numel > 0 && !t->data, FG_ERR_NULL, "%s->data is NULL", name);
    v->numel = numel;
    v->data = (char *)t->data + t->byte_offset;
    bool contig = true;
    int64_t expect = 1;
    for (int d = t->ndim - 1; d >= 0; d--) {
        if (v->shape[d] != 1 && v->strides[d] != expect) contig = false;
        if (__builtin_mul_overflow(expect, v->shape[d], &expect)) expect = INT64_MAX; /* as run */
    }
    v->contiguous = contig;
    return FG_OK;
}

fg_status fgi_tensor_shape_error(const fgi_tensor *v, const char *name, int ndim, const int64_t *shape)
{
    char got[160], want[160];
    return FG_ERROR(FG_ERR_SHAPE, "%s has shape %s, expected %s", name,
                    fgi_shape_str(got, sizeof got, v->ndim, v->shape),
                    fgi_shape_str(want, sizeof want, ndim, shape));
}

fg_status fgi_tensor_check_output(const fgi_tensor *out, const char *name)
{
    if (out->numel <= 1 || out->contiguous) return FG_OK;
    /* Sort dims of size > 1 by stride; a dense non-overlapping layout needs
     * each stride >= the extent of the dims below it. */
    int idx[FG_MAX_DIMS], n = 0;
    for (int d = 0; d < out->ndim; d++)
        if (out->shape[d] > 1) idx[n++] = d;
    for (int i = 1; i < n; i++)
        for (int j = i; j > 0 && out->strides[idx[j]] < out->strides[idx[j - 1]]; j--) {
            int t = idx[j];
            idx[j] = idx[j - 1];
            idx[j - 1] = t;
        }
    int64_t need = 1;
    for (int i = 0; i < n; i++) {
        int d = idx[i];
        FG_RETURN_IF(out->strides[d] < need, FG_ERR_ALIAS,
                     "%s overlaps itself (stride %" PRId64 " in dim %d of size %" PRId64 ")", name,
                     out->strides[d], d, out->shape[d]);
        need = out->strides[d] * out->shape[d];
    }
    return FG_OK;
}

/* Walks elements [start, start+n) in row-major order, calling the body with
 * the element address; the innermost dim is walked by pointer increments. */
#define FGI_WALK(v, start, n, BODY)                                                       \
    do {                                                                                  \
        int64_t idx_[FG_MAX_DIMS] = {0}, rem_ = (start);                                  \
        for (int d_ = (v)->ndim - 1; d_ >= 0; d_--) {                                     \
            idx_[d_] = rem_ % (v)->shape[d_];                                             \
            rem_ /= (v)->shape[d_];                                                       \
        }                                                                                 \
        int64_t esz_ = fgi_dtype_size((v)->dtype);                                        \
        int last_ = (v)->ndim - 1;                                                        \
        int64_t done_ = 0;                                                                \
        while (done_ < (n)) {                                                             \
            char *p_ = fgi_tensor_at_idx((v), idx_);                                      \
            int64_t len_ = last_ >= 0 ? (v)->shape[last_] - idx_[last_] : 1;              \
            if (len_ > (n) - done_) len_ = (n) - done_;                                   \
            int64_t step_ = last_ >= 0 ? (v)->strides[last_] * esz_ : 0;                  \
            for (int64_t k_ = 0; k_ < len_; k_++, p_ += step_, done_++) {                 \
                char *elem = p_;                                                          \
                BODY;                                                                     \
            }                                                                             \
            if (last_ < 0) break;                                                         \
            idx_[last_] += len_;                                                          \
            for (int d_ = last_; d_ > 0 && idx_[d_] >= (v)->shape[d_]; d_--) {            \
                idx_[d_] = 0;                                                             \
                idx_[d_ - 1]++;                                                           \
            }                                                                             \
        }                                                                                 \
    } while (0)

void fgi_tensor_gather_f32(float *dst, const fgi_tensor *v, int64_t start, int64_t n)
{
    if (v->contiguous) {
        fgi_to_f32(dst, v->data + start * fgi_dtype_size(v->dtype), n, v->dtype);
        return;
    }
    int64_t i = 0;
    switch (v->dtype) {
    case FGI_F32: FGI_WALK(v, start, n, dst[i++] = *(const float *)elem); break;
    case FGI_F16: FGI_WALK(v, start, n, dst[i++] = fgi_f16_to_f32(*(const uint16_t *)elem)); break;
    case FGI_BF16:
        FGI_WALK(v, start, n, dst[i++] = fgi_bf16_to_f32(*(const uint16_t *)elem));
        break;
    default: FGI_WALK(v, start, n, dst[i++] = (float)*(const double *)elem); break;
    }
}

void fgi_tensor_scatter_f32(fgi_tensor *v, int64_t start, int64_t n, const float *src)
{
    if (v->contiguous) {
        fgi_from_f32(v->data + start * fgi_dtype_size(v->dtype), src, n, v->dtype);
        return;
    }
    int64_t i = 0;
    switch (v->dtype) {
    case FGI_F32: FGI_WALK(v, start, n, *(float *)elem = src[i++]); break;
    case FGI_F16: FGI_WALK(v, start, n, *(uint16_t *)elem = fgi_f32_to_f16(src[i++])); break;
    case FGI_BF16: FGI_WALK(v, start, n, *(uint16_t *)elem = fgi_f32_to_bf16(src[i++])); break;
    default: FGI_WALK(v, start, n, *(double *)elem = src[i++]); break;
    }
}
