/* Reference pointwise kernels: the accuracy oracle and the last fallback.
 * One plain loop over out's elements in row-major order; every tensor is
 * addressed through its own strides (broadcast inputs have stride 0), each
 * element is read as double, the formula is evaluated in double exactly as
 * written in the op's definition, and the result is stored with
 * fgi_store_f64. Single-threaded on purpose: nothing here should need
 * reasoning about. */
#include <math.h>

#include "ops/registry.h"

/* Advances a row-major multi-index over shape; the last dim moves fastest. */
static void next_index(int64_t *idx, const int64_t *shape, int ndim)
{
    for (int d = ndim - 1; d >= 0; d--) {
        if (++idx[d] < shape[d]) return;
        idx[d] = 0;
    }
}

static double load(const fgi_tensor *t, const int64_t *idx)
{
    return fgi_load_f64(fgi_tensor_at_idx(t, idx), t->dtype);
}

static void store(const fgi_tensor *t, const int64_t *idx, double v)
{
    fgi_store_f64(fgi_tensor_at_idx(t, idx), t->dtype, v);
}

typedef double (*unary_fn)(double x, const fgi_call *call);
typedef double (*binary_fn)(double a, double b, const fgi_call *call);

/* Inputs of element i are read before its output is written, so an output
 * that is exactly the same view as an input works. */
static fg_status run_unary(const fgi_call *call, unary_fn f)
{
    const fgi_tensor *x = &call->in[0], *out = &call->out;
    int64_t idx[FG_MAX_DIMS] = {0};
    for (int64_t i = 0; i < out->numel; i++) {
        double v = load(x, idx);
        store(out, idx, f(v, call));
        next_index(idx, out->shape, out->ndim);
    }
    return FG_OK;
}

static fg_status run_binary(const fgi_call *call, binary_fn f)
{
    const fgi_tensor *a = &call->in[0], *b = &call->in[1], *out = &call->out;
    int64_t idx[FG_MAX_DIMS] = {0};
    for (int64_t i = 0; i < out->numel; i++) {
        double va = load(a, idx), vb = load(b, idx);
        store(out, idx, f(va, vb, call));
        next_index(idx, out->shape, out->ndim);
    }
    return FG_OK;
}

static double add_f(double a, double b, const fgi_call *call) { return a + call->alpha * b; }

static double mul_f(double a, double b, const fgi_call *call) { return a * b; }

static double relu_f(double x, const fgi_call *call)
{
    if (isnan(x)) return x;
    return x > 0.0 ? x : 0.0;
}

static double gelu_f(double x, const fgi_call *call)
{
    if (call->approx == FG_GELU_TANH)
        return 0.5 * x * (1.0 + tanh(sqrt(2.0 / M_PI) * (x + 0.044715 * x * x * x)));
    return 0.5 * x * (1.0 + erf(x / sqrt(2.0)));
}

static double silu_f(double x, const fgi_call *call) { return x / (1.0 + exp(-x)); }

static double exp_f(double x, const fgi_call *call) { return exp(x); }

/* "quick GELU": x * sigmoid(1.702 x) */
static double fast_gelu_f(double x, const fgi_call *call) { return x / (1.0 + exp(-1.702 * x)); }

fg_status fgi_ref_add(const fgi_call *call) { return run_binary(call, add_f); }
fg_status fgi_ref_mul(const fgi_call *call) { return run_binary(call, mul_f); }
fg_status fgi_ref_relu(const fgi_call *call) { return run_unary(call, relu_f); }
fg_status fgi_ref_gelu(const fgi_call *call) { return run_unary(call, gelu_f); }
fg_status fgi_ref_silu(const fgi_call *call) { return run_unary(call, silu_f); }
fg_status fgi_ref_exp(const fgi_call *call) { return run_unary(call, exp_f); }
fg_status fgi_ref_fast_gelu(const fgi_call *call) { return run_unary(call, fast_gelu_f); }
