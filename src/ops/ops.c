/* Public op entry points: validate every tensor, build the call, dispatch.
 * A refused call writes nothing. */
#include <inttypes.h>
#include <math.h>
#include <string.h>

#include "core/error.h"
#include "ops/registry.h"

enum { ALIAS_NONE = 0, ALIAS_EXACT = 1 };

/* view_call and the op families it serves are inlined into each entry
 * point: nin and the alias policy become constants there, which unrolls the
 * input loop (a tenth of a tiny call's cost). */
#define FGI_INLINE static inline __attribute__((always_inline))

/* When input t is laid out exactly as out, whose view o was taken (same
 * dims, sizes, strides (both NULL, or equal), dtype and device, data not
 * NULL, a byte offset no larger than out's), fills v with o's view but t's
 * data and returns true: fgi_tensor_view would accept t with that view, and
 * t agrees with out in dtype and device. The common elementwise call takes
 * this in a few compares. Otherwise returns false, v partly written. */
static inline bool view_like_out(fgi_tensor *v, const DLTensor *t, const DLTensor *out,
                                 const fgi_tensor *o)
{
    _Static_assert(sizeof(DLDataType) == 4 && sizeof(DLDevice) == 8, "DLPack field sizes");
    int nd = out->ndim;
    const int64_t *ts = t->strides;
    uint32_t tdt, odt; /* code, bits and lanes at once; likewise type and id of the device */
    uint64_t tdev, odev;
    memcpy(&tdt, &t->dtype, 4);
    memcpy(&odt, &out->dtype, 4);
    memcpy(&tdev, &t->device, 8);
    memcpy(&odev, &out->device, 8);
    if (!t->data || t->ndim != nd || (nd && !t->shape) || t->byte_offset > out->byte_offset ||
        tdt != odt || tdev != odev || !ts != !out->strides)
        return false;
    /* one loop that checks and copies (a plain copy loop would become a
     * memmove call, dearer than the loop for a few dims) */
    bool same = true;
    for (int d = 0; d < nd; d++) {
        int64_t s = t->shape[d], st = ts ? ts[d] : o->strides[d];
        same &= (s == o->shape[d]) & (st == o->strides[d]);
        v->shape[d] = s;
        v->strides[d] = st;
    }
    if (!same) return false;
    v->data = (char *)t->data + t->byte_offset;
    v->ndim = nd;
    v->dtype = o->dtype;
    v->numel = o->numel;
    v->contiguous = o->contiguous;
    v->device = o->device;
    return true;
}

/* Views out and the inputs (NULL optional inputs are skipped), checks dtype
 * and device agreement, output self-overlap, and output/input overlap.
 * *like gets bit i set when input i is laid out exactly as out (so it has
 * out's shape). */
FGI_INLINE fg_status view_call(fgi_call *c, fgi_op op, DLTensor *out, const DLTensor *const *ins,
                               const char *const *names, int nin, int alias_policy, unsigned *like)
{
    /* Field by field rather than `*c = (fgi_call){...}`: zeroing the whole
     * struct (four tensor views) was a third of a tiny call's overhead. The
     * views are filled by fgi_tensor_view; an absent input gets NULL data,
     * no dims and no elements (its shape and strides are never read). */
    *like = 0;
    c->op = op;
    c->nin = nin;
    c->has_weight = c->has_bias = c->keepdim = c->contiguous = false;
    c->alpha = c->eps = 0;
    c->approx = 0;
    c->dim = -1;
    c->outer = c->len = c->inner = c->m = c->n = c->k = 0;
    FG_FORWARD(fgi_tensor_view(&c->out, out, "out"), "out");
    c->dtype = c->out.dtype;
    for (int i = 0; i < 3; i++) {
        if (i >= nin || !ins[i]) {
            fgi_tensor *t = &c->in[i];
            t->data = NULL;
            t->ndim = 0;
            t->dtype = c->dtype;
            t->numel = 0;
            t->contiguous = false;
            t->device = c->out.device;
            continue;
        }
        if (view_like_out(&c->in[i], ins[i], out, &c->out)) {
            *like |= 1u << i;
            continue;
        }
        FG_FORWARD(fgi_tensor_view(&c->in[i], ins[i], names[i]), "%s", names[i]);
        FG_RETURN_IF(c->in[i].dtype != c->dtype, FG_ERR_DTYPE, "%s has dtype %s, out has %s",
                     names[i], fgi_dtype_name(c->in[i].dtype), fgi_dtype_name(c->dtype));
        FG_RETURN_IF(ins[i]->device.device_id != out->device.device_id, FG_ERR_DEVICE,
                     "%s is on device %d, out on device %d", names[i], ins[i]->device.device_id,
                     out->device.device_id);
    }
    if (!c->out.contiguous) FG_FORWARD(fgi_tensor_check_output(&c->out, "out"), "out");
    if (c->out.numel == 0) return FG_OK; /* nothing written, nothing to overlap */
    uintptr_t olo, ohi, lo, hi;
    fgi_tensor_byte_range(&c->out, &olo, &ohi);
    for (int i = 0; i < nin; i++) {
        if (!ins[i] || c->in[i].numel == 0) continue;
        fgi_tensor_byte_range(&c->in[i], &lo, &hi);
        if (lo > ohi || olo > hi) continue;
        bool exact = alias_policy == ALIAS_EXACT && fgi_tensor_same_view(&c->out, &c->in[i]);
        FG_RETURN_IF(!exact, FG_ERR_ALIAS,
                     alias_policy == ALIAS_EXACT
                         ? "out overlaps %s without being exactly the same view"
                         : "out overlaps %s; this op cannot run in place",
                     names[i]);
    }
    return FG_OK;
}

static fg_status check_same_shape(const fgi_tensor *out, const fgi_tensor *x, const char *name)
{
    FG_FORWARD(fgi_tensor_expect_shape(out, "out", x->ndim, x->shape), "vs %s", name);
    return FG_OK;
}

static fg_status run(fgi_call *c)
{
    if (c->out.numel == 0 && c->op != FGI_OP_mm && c->op != FGI_OP_bmm) return FG_OK;
    return fgi_dispatch(c);
}

/* ------------------------------------------------------------ pointwise */

/* Broadcasts a and b (in[0], in[1]) to out's shape, which must be theirs
 * broadcast together; sets c->contiguous. */
static fg_status broadcast(fgi_call *c)
{
    /* a and b of one shape need no broadcasting */
    fgi_tensor *ta = &c->in[0], *tb = &c->in[1];
    bool same_ab = ta->ndim == tb->ndim;
    for (int d = 0; same_ab && d < ta->ndim; d++) same_ab = ta->shape[d] == tb->shape[d];
    int nd = ta->ndim > tb->ndim ? ta->ndim : tb->ndim;
    int64_t bshape[FG_MAX_DIMS];
    const int64_t *shape = ta->shape;
    if (!same_ab) {
        for (int d = 0; d < nd; d++) {
            int da = d - (nd - ta->ndim), db = d - (nd - tb->ndim);
            int64_t sa = da >= 0 ? ta->shape[da] : 1, sb = db >= 0 ? tb->shape[db] : 1;
            char s1[160], s2[160];
            FG_RETURN_IF(sa != sb && sa != 1 && sb != 1, FG_ERR_SHAPE,
                         "a %s and b %s do not broadcast (dim %d: %" PRId64 " vs %" PRId64 ")",
                         fgi_shape_str(s1, sizeof s1, ta->ndim, ta->shape),
                         fgi_shape_str(s2, sizeof s2, tb->ndim, tb->shape), d, sa, sb);
            bshape[d] = sa == 1 ? sb : sa;
        }
        shape = bshape;
    }
    FG_FORWARD(fgi_tensor_expect_shape(&c->out, "out", nd, shape), "broadcast of a and b");
    c->contiguous = c->out.contiguous && ta->contiguous && tb->contiguous;
    for (int i = 0; i < 2 && !same_ab; i++) {
        fgi_tensor *t = &c->in[i];
        bool same = t->ndim == nd;
        for (int d = 0; same && d < nd; d++) same = t->shape[d] == shape[d];
        c->contiguous = c->contiguous && same;
        if (same) continue; /* already the broadcast view */
        /* Expand in place from the last dim down: dim d reads only src <= d,
         * which is not yet overwritten. */
        int shift = nd - t->ndim;
        for (int d = nd - 1; d >= 0; d--) {
            int src = d - shift;
            bool bcast = src < 0 || t->shape[src] != shape[d];
            t->strides[d] = bcast ? 0 : t->strides[src];
            t->shape[d] = shape[d];
        }
        t->ndim = nd;
        t->numel = c->out.numel;
        t->contiguous = false;
    }
    return FG_OK;
}

FGI_INLINE fg_status binary(fgi_op op, DLTensor *out, const DLTensor *a, const DLTensor *b,
                            double alpha)
{
    fgi_call c;
    const DLTensor *ins[2] = {a, b};
    static const char *const names[2] = {"a", "b"};
    unsigned like;
    FG_FORWARD(view_call(&c, op, out, ins, names, 2, ALIAS_EXACT, &like), "validating tensors");
    FG_RETURN_IF(!a, FG_ERR_NULL, "a is NULL");
    FG_RETURN_IF(!b, FG_ERR_NULL, "b is NULL");
    if (like == 3) { /* a, b and out of one layout: nothing to broadcast */
        c.contiguous = c.out.contiguous;
    } else {
        fg_status s = broadcast(&c);
        if (s != FG_OK) return s;
    }
    c.alpha = alpha;
    FG_RETURN_IF(!isfinite(alpha) && op == FGI_OP_add, FG_ERR_INVALID_ARG,
                 "alpha must be finite, got %g", alpha);
    return run(&c);
}

fg_status fg_add(DLTensor *out, const DLTensor *a, const DLTensor *b, double alpha)
{
    fgi_error_clear();
    FG_FORWARD(binary(FGI_OP_add, out, a, b, alpha), "fg_add");
    return FG_OK;
}

fg_status fg_mul(DLTensor *out, const DLTensor *a, const DLTensor *b)
{
    fgi_error_clear();
    FG_FORWARD(binary(FGI_OP_mul, out, a, b, 1.0), "fg_mul");
    return FG_OK;
}

FGI_INLINE fg_status unary(fgi_op op, DLTensor *out, const DLTensor *x, int approx)
{
    fgi_call c;
    static const char *const names[1] = {"x"};
    unsigned like;
    FG_FORWARD(view_call(&c, op, out, &x, names, 1, ALIAS_EXACT, &like), "validating tensors");
    FG_RETURN_IF(!x, FG_ERR_NULL, "x is NULL");
    if (!like) FG_FORWARD(check_same_shape(&c.out, &c.in[0], "x"), "shape check");
    c.contiguous = c.out.contiguous && c.in[0].contiguous;
    c.approx = approx;
    return run(&c);
}

fg_status fg_relu(DLTensor *out, const DLTensor *x)
{
    fgi_error_clear();
    FG_FORWARD(unary(FGI_OP_relu, out, x, 0), "fg_relu");
    return FG_OK;
}

fg_status fg_gelu(DLTensor *out, const DLTensor *x, fg_gelu_approx approximate)
{
    fgi_error_clear();
    if (approximate != FG_GELU_NONE && approximate != FG_GELU_TANH)
        return fgi_error_push(FG_ERROR(FG_ERR_INVALID_ARG,
                                       "approximate is %d; expected FG_GELU_NONE (0) or "
                                       "FG_GELU_TANH (1)",
                                       (int)approximate),
                              "fg_gelu");
    FG_FORWARD(unary(FGI_OP_gelu, out, x, (int)approximate), "fg_gelu");
    return FG_OK;
}

fg_status fg_silu(DLTensor *out, const DLTensor *x)
{
    fgi_error_clear();
    FG_FORWARD(unary(FGI_OP_silu, out, x, 0), "fg_silu");
    return FG_OK;
}

fg_status fg_exp(DLTensor *out, const DLTensor *x)
{
    fgi_error_clear();
    FG_FORWARD(unary(FGI_OP_exp, out, x, 0), "fg_exp");
    return FG_OK;
}

fg_status fgi_op_fast_gelu(DLTensor *out, const DLTensor *x)
{
    fgi_error_clear();
    FG_FORWARD(unary(FGI_OP_fast_gelu, out, x, 0), "fast_gelu");
    return FG_OK;
}

/* ------------------------------------------------------------ reductions */

/* Normalizes dim for x and sets outer/len/inner. dim_all: reduce everything. */
static fg_status dim_geometry(fgi_call *c, int dim, bool allow_all)
{
    const fgi_tensor *x = &c->in[0];
    if (dim == FG_DIM_ALL || x->ndim == 0) {
        FG_RETURN_IF(dim == FG_DIM_ALL && !allow_all, FG_ERR_INVALID_ARG,
                     "FG_DIM_ALL is not accepted by this op");
        FG_RETURN_IF(x->ndim == 0 && dim != FG_DIM_ALL && dim != 0 && dim != -1,
                     FG_ERR_INVALID_ARG, "dim %d out of range for a 0-dim tensor", dim);
        c->dim = -1;
        c->outer = c->inner = 1;
        c->len = x->numel;
        return FG_OK;
    }
    FG_RETURN_IF(dim < -x->ndim || dim >= x->ndim, FG_ERR_INVALID_ARG,
                 "dim %d out of range for x with %d dims (expected %d..%d)", dim, x->ndim,
                 -x->ndim, x->ndim - 1);
    if (dim < 0) dim += x->ndim;
    c->dim = dim;
    c->outer = c->inner = 1;
    for (int d = 0; d < dim; d++) c->outer *= x->shape[d];
    for (int d = dim + 1; d < x->ndim; d++) c->inner *= x->shape[d];
    c->len = x->shape[dim];
    return FG_OK;
}

static fg_status reduction(fgi_op op, DLTensor *out, const DLTensor *x, int dim, int keepdim)
{
    fgi_call c;
    unsigned like;
    static const char *const names[1] = {"x"};
    FG_FORWARD(view_call(&c, op, out, &x, names, 1, ALIAS_NONE, &like), "validating tensors");
    FG_RETURN_IF(!x, FG_ERR_NULL, "x is NULL");
    FG_FORWARD(dim_geometry(&c, dim, true), "dim");
    c.keepdim = keepdim != 0;
    int64_t shape[FG_MAX_DIMS];
    int nd = 0;
    for (int d = 0; d < c.in[0].ndim; d++) {
        bool reduced = c.dim < 0 || d == c.dim;
        if (reduced && !c.keepdim) continue;
        shape[nd++] = reduced ? 1 : c.in[0].shape[d];
    }
    FG_FORWARD(fgi_tensor_expect_shape(&c.out, "out", nd, shape), "%s of x",
               c.keepdim ? "reduced shape (keepdim)" : "reduced shape");
    FG_RETURN_IF(op == FGI_OP_amax && c.len == 0 && c.out.numel > 0, FG_ERR_SHAPE,
                 "amax over an empty dim has no identity");
    c.contiguous = c.out.contiguous && c.in[0].contiguous;
    return run(&c);
}

fg_status fg_sum(DLTensor *out, const DLTensor *x, int dim, int keepdim)
{
    fgi_error_clear();
    FG_FORWARD(reduction(FGI_OP_sum, out, x, dim, keepdim), "fg_sum");
    return FG_OK;
}

fg_status fg_mean(DLTensor *out, const DLTensor *x, int dim, int keepdim)
{
    fgi_error_clear();
    FG_FORWARD(reduction(FGI_OP_mean, out, x, dim, keepdim), "fg_mean");
    return FG_OK;
}

fg_status fg_amax(DLTensor *out, const DLTensor *x, int dim, int keepdim)
{
    fgi_error_clear();
    FG_FORWARD(reduction(FGI_OP_amax, out, x, dim, keepdim), "fg_amax");
    return FG_OK;
}

fg_status fg_softmax(DLTensor *out, const DLTensor *x, int dim)
{
    fgi_error_clear();
    fgi_call c;
    unsigned like;
    static const char *const names[1] = {"x"};
    FG_FORWARD(view_call(&c, FGI_OP_softmax, out, &x, names, 1, ALIAS_EXACT, &like), "fg_softmax");
    if (!x) return fgi_error_push(FG_ERROR(FG_ERR_NULL, "x is NULL"), "fg_softmax");
    FG_FORWARD(dim_geometry(&c, dim, false), "fg_softmax");
    if (!like) FG_FORWARD(check_same_shape(&c.out, &c.in[0], "x"), "fg_softmax");
    c.contiguous = c.out.contiguous && c.in[0].contiguous;
    FG_FORWARD(run(&c), "fg_softmax");
    return FG_OK;
}

/* ------------------------------------------------------------ norms */

static fg_status norm(fgi_op op, DLTensor *out, const DLTensor *x, const DLTensor *weight,
                      const DLTensor *bias, double eps)
{
    fgi_call c;
    unsigned like;
    const DLTensor *ins[3] = {x, weight, bias};
    static const char *const names[3] = {"x", "weight", "bias"};
    FG_FORWARD(view_call(&c, op, out, ins, names, 3, ALIAS_EXACT, &like), "validating tensors");
    FG_RETURN_IF(!x, FG_ERR_NULL, "x is NULL");
    FG_RETURN_IF(c.in[0].ndim < 1, FG_ERR_SHAPE, "x must have at least 1 dim");
    if (!(like & 1)) FG_FORWARD(check_same_shape(&c.out, &c.in[0], "x"), "shape check");
    FG_RETURN_IF(!isfinite(eps) || eps < 0, FG_ERR_INVALID_ARG,
                 "eps must be finite and >= 0, got %g", eps);
    int64_t h = c.in[0].shape[c.in[0].ndim - 1];
    for (int i = 1; i < 3; i++) {
        if (!ins[i]) continue;
        FG_FORWARD(fgi_tensor_expect_shape(&c.in[i], names[i], 1, &h), "normalized dim");
        FG_RETURN_IF(fgi_tensor_ranges_overlap(&c.out, &c.in[i]), FG_ERR_ALIAS,
                     "out overlaps %s", names[i]);
    }
    c.has_weight = weight != NULL;
    c.has_bias = bias != NULL;
    c.eps = eps;
    c.len = h;
    c.outer = h ? c.in[0].numel / h : 0;
    c.inner = 1;
    c.dim = c.in[0].ndim - 1;
    c.contiguous = c.out.contiguous && c.in[0].contiguous &&
                   (!weight || c.in[1].contiguous) && (!bias || c.in[2].contiguous);
    return run(&c);
}

fg_status fg_layer_norm(DLTensor *out, const DLTensor *x, const DLTensor *weight,
                        const DLTensor *bias, double eps)
{
    fgi_error_clear();
    FG_FORWARD(norm(FGI_OP_layer_norm, out, x, weight, bias, eps), "fg_layer_norm");
    return FG_OK;
}

fg_status fg_rms_norm(DLTensor *out, const DLTensor *x, const DLTensor *weight, double eps)
{
    fgi_error_clear();
    FG_FORWARD(norm(FGI_OP_rms_norm, out, x, weight, NULL, eps), "fg_rms_norm");
    return FG_OK;
}

/* ------------------------------------------------------------ blas */

static fg_status matmul(fgi_op op, DLTensor *out, const DLTensor *a, const DLTensor *b)
{
    fgi_call c;
    unsigned like;
    const DLTensor *ins[2] = {a, b};
    static const char *const names[2] = {"a", "b"};
    FG_FORWARD(view_call(&c, op, out, ins, names, 2, ALIAS_NONE, &like), "validating tensors");
    FG_RETURN_IF(!a, FG_ERR_NULL, "a is NULL");
    FG_RETURN_IF(!b, FG_ERR_NULL, "b is NULL");
    int nd = op == FGI_OP_bmm ? 3 : 2, o = nd - 2;
    FG_RETURN_IF(c.in[0].ndim != nd, FG_ERR_SHAPE, "a has %d dims, expected %d", c.in[0].ndim, nd);
    FG_RETURN_IF(c.in[1].ndim != nd, FG_ERR_SHAPE, "b has %d dims, expected %d", c.in[1].ndim, nd);
    FG_RETURN_IF(o && c.in[0].shape[0] != c.in[1].shape[0], FG_ERR_SHAPE,
                 "batch sizes differ: a has %" PRId64 ", b has %" PRId64, c.in[0].shape[0],
                 c.in[1].shape[0]);
    FG_RETURN_IF(c.in[0].shape[o + 1] != c.in[1].shape[o], FG_ERR_SHAPE,
                 "inner dims differ: a is [.., %" PRId64 "], b is [%" PRId64 ", ..]",
                 c.in[0].shape[o + 1], c.in[1].shape[o]);
    c.outer = o ? c.in[0].shape[0] : 1;
    c.m = c.in[0].shape[o];
    c.k = c.in[0].shape[o + 1];
    c.n = c.in[1].shape[o + 1];
    int64_t shape[3] = {c.outer, c.m, c.n};
    FG_FORWARD(fgi_tensor_expect_shape(&c.out, "out", nd, shape + (o ? 0 : 1)), "product shape");
    c.contiguous = c.out.contiguous && c.in[0].contiguous && c.in[1].contiguous;
    if (c.out.numel == 0) return FG_OK;
    return fgi_dispatch(&c);
}

fg_status fg_mm(DLTensor *out, const DLTensor *a, const DLTensor *b)
{
    fgi_error_clear();
    FG_FORWARD(matmul(FGI_OP_mm, out, a, b), "fg_mm");
    return FG_OK;
}

fg_status fg_bmm(DLTensor *out, const DLTensor *a, const DLTensor *b)
{
    fgi_error_clear();
    FG_FORWARD(matmul(FGI_OP_bmm, out, a, b), "fg_bmm");
    return FG_OK;
}
