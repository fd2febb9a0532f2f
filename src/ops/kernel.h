/* The op call a kernel receives, and kernel descriptors. Internal. */
#ifndef FGI_OPS_KERNEL_H
#define FGI_OPS_KERNEL_H

#include <stdbool.h>

#include "core/tensor.h"

/* Every op, in one list: X(name, category). */
#define FGI_OP_LIST(X)            \
    X(add, pointwise)             \
    X(mul, pointwise)             \
    X(relu, pointwise)            \
    X(gelu, pointwise)            \
    X(silu, pointwise)            \
    X(exp, pointwise)             \
    X(fast_gelu, pointwise)       \
    X(sum, reduction)             \
    X(mean, reduction)            \
    X(amax, reduction)            \
    X(softmax, reduction)         \
    X(layer_norm, reduction)      \
    X(rms_norm, reduction)        \
    X(mm, blas)                   \
    X(bmm, blas)

typedef enum fgi_op {
#define X(name, cat) FGI_OP_##name,
    FGI_OP_LIST(X)
#undef X
        FGI_OP_COUNT
} fgi_op;

const char *fgi_op_name(fgi_op op);
const char *fgi_op_category(fgi_op op);

/* A validated call. Geometry conventions per op family:
 *  - add, mul: in[0] = a, in[1] = b, both already broadcast to out's shape
 *    (ndim == out.ndim, stride 0 on broadcast dims). alpha for add.
 *  - unary (relu, gelu, silu, exp, fast_gelu): in[0] = x, same shape as out.
 *    approx for gelu (fg_gelu_approx).
 *  - sum, mean, amax, softmax: in[0] = x; dim in [0, x.ndim) or -1 for all
 *    elements; x is seen as [outer, len, inner] around dim (for all:
 *    outer = inner = 1, len = numel). For reductions out holds outer*inner
 *    elements in row-major order of (outer, inner) whatever keepdim was.
 *  - layer_norm, rms_norm: in[0] = x seen as [outer = numel / len, len],
 *    len = last dim; in[1] = weight, in[2] = bias (data NULL when absent,
 *    has_weight / has_bias say so); eps.
 *  - mm: in[0] = a [M,K], in[1] = b [K,N], out [M,N]; bmm adds a leading
 *    batch dim: outer = batch. m, n, k hold M, N, K.
 * All tensors share dtype (call->dtype). Kernels write every element of out
 * and nothing else. */
/* view_call in src/ops/ops.c initializes every field: extend it with any
 * field added here. */
typedef struct fgi_call {
    fgi_op op;
    fgi_dtype dtype;
    fgi_tensor out;
    fgi_tensor in[3];
    int nin;
    bool has_weight, has_bias;
    double alpha;
    int approx;
    int dim;
    bool keepdim;
    double eps;
    int64_t outer, len, inner;
    int64_t m, n, k;
    bool contiguous; /* out and every input row-major dense, same shape as out
                        (pointwise) or dense (others) */
} fgi_call;

typedef enum fgi_tier { FGI_TIER_REFERENCE = 0, FGI_TIER_STABLE = 1, FGI_TIER_EXPERIMENTAL = 2 } fgi_tier;
typedef enum fgi_group { FGI_GROUP_NONE = 0, FGI_GROUP_GENERATED = 1, FGI_GROUP_CUSTOM = 2 } fgi_group;

typedef struct fgi_kernel {
    const char *id;        /* "gelu.cpu.stable.avx2" */
    fgi_op op;
    fgi_tier tier;
    fgi_group group;
    bool specialized;      /* accepts only some shapes (see supports) */
    DLDeviceType device;
    unsigned dtypes;       /* FGI_DTYPE_BIT mask */
    unsigned isa;          /* FG_CPU_* bits required */
    int priority;          /* higher first within a tier */
    bool (*supports)(const fgi_call *call); /* NULL: everything the op accepts */
    fg_status (*run)(const fgi_call *call);
    /* Kernels added at run time (fg_exp_register_kernels): the runtime's
     * record of the public descriptor, whose supports/run the registry calls
     * instead of the two above. NULL for kernels listed in kernels.def. */
    const struct fgi_ext_kernel *ext;
} fgi_kernel;

#endif
