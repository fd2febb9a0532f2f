/* Reference kernels of the reductions, softmax and the norms: the accuracy
 * oracle and the last fallback. Plain loops over any strides and dtype,
 * accumulation in double, results rounded once to the output dtype. Speed is
 * not a goal; obviousness is. */
#include <math.h>

#include "ops/registry.h"

/* Element l of slice (o, i) of x seen as [outer, len, inner] in row-major
 * order of x's shape (dim == -1: outer = inner = 1, the whole tensor). */
static double ref_x(const fgi_call *call, int64_t o, int64_t l, int64_t i)
{
    const fgi_tensor *x = &call->in[0];
    int64_t flat = (o * call->len + l) * call->inner + i;
    return fgi_load_f64(fgi_tensor_at(x, flat), x->dtype);
}

/* NaN-propagating max: once a NaN is seen the result stays NaN. */
static double ref_max(double a, double b) { return (b > a || isnan(b)) ? b : a; }

/* sum, mean and amax share one loop; op selects the combine and finish. */
static fg_status ref_reduce(const fgi_call *call)
{
    fgi_tensor *out = (fgi_tensor *)&call->out;
    for (int64_t o = 0; o < call->outer; o++) {
        for (int64_t i = 0; i < call->inner; i++) {
            double acc = call->op == FGI_OP_amax ? -INFINITY : 0.0;
            for (int64_t l = 0; l < call->len; l++) {
                double v = ref_x(call, o, l, i);
                acc = call->op == FGI_OP_amax ? ref_max(acc, v) : acc + v;
            }
            /* mean of an empty slice is 0/0 = NaN, as in PyTorch */
            if (call->op == FGI_OP_mean) acc /= (double)call->len;
            fgi_store_f64(fgi_tensor_at(out, o * call->inner + i), out->dtype, acc);
        }
    }
    return FG_OK;
}

fg_status fgi_ref_sum(const fgi_call *call) { return ref_reduce(call); }
fg_status fgi_ref_mean(const fgi_call *call) { return ref_reduce(call); }
fg_status fgi_ref_amax(const fgi_call *call) { return ref_reduce(call); }

fg_status fgi_ref_softmax(const fgi_call *call)
{
    fgi_tensor *out = (fgi_tensor *)&call->out;
    for (int64_t o = 0; o < call->outer; o++) {
        for (int64_t i = 0; i < call->inner; i++) {
            /* A NaN max poisons the whole slice, and so does an infinite one
             * (+Inf - +Inf and -Inf - -Inf are NaN), which is PyTorch's
             * answer for a slice of all -Inf or one holding +Inf. */
            double m = -INFINITY;
            for (int64_t l = 0; l < call->len; l++) m = ref_max(m, ref_x(call, o, l, i));
            double s = 0.0;
            for (int64_t l = 0; l < call->len; l++) s += exp(ref_x(call, o, l, i) - m);
            /* Read each element before writing it: out may be x (in place). */
            for (int64_t l = 0; l < call->len; l++) {
                double y = exp(ref_x(call, o, l, i) - m) / s;
                int64_t flat = (o * call->len + l) * call->inner + i;
                fgi_store_f64(fgi_tensor_at(out, flat), out->dtype, y);
            }
        }
    }
    return FG_OK;
}

/* Weight or bias element l as double; `dflt` when the tensor is absent. */
static double ref_param(const fgi_call *call, int which, bool present, int64_t l, double dflt)
{
    if (!present) return dflt;
    const fgi_tensor *t = &call->in[which];
    return fgi_load_f64(fgi_tensor_at(t, l), t->dtype);
}

/* layer_norm and rms_norm over rows of length len (the last dim). */
static fg_status ref_norm(const fgi_call *call)
{
    const fgi_tensor *x = &call->in[0];
    fgi_tensor *out = (fgi_tensor *)&call->out;
    int64_t len = call->len;
    bool layer = call->op == FGI_OP_layer_norm;
    for (int64_t r = 0; r < call->outer; r++) {
        int64_t base = r * len;
        double mean = 0.0;
        if (layer) {
            for (int64_t l = 0; l < len; l++) mean += fgi_load_f64(fgi_tensor_at(x, base + l), x->dtype);
            mean /= (double)len;
        }
        /* two passes: the variance of deviations, not E[x^2] - E[x]^2 */
        double ss = 0.0;
        for (int64_t l = 0; l < len; l++) {
            double d = fgi_load_f64(fgi_tensor_at(x, base + l), x->dtype) - mean;
            ss += d * d;
        }
        double rstd = 1.0 / sqrt(ss / (double)len + call->eps);
        for (int64_t l = 0; l < len; l++) {
            double v = fgi_load_f64(fgi_tensor_at(x, base + l), x->dtype);
            double y = (v - mean) * rstd * ref_param(call, 1, call->has_weight, l, 1.0);
            if (layer) y += ref_param(call, 2, call->has_bias, l, 0.0);
            fgi_store_f64(fgi_tensor_at(out, base + l), out->dtype, y);
        }
    }
    return FG_OK;
}

fg_status fgi_ref_layer_norm(const fgi_call *call) { return ref_norm(call); }
fg_status fgi_ref_rms_norm(const fgi_call *call) { return ref_norm(call); }
