/* Refused calls: every op entry point, every tensor argument, every
 * documented error. Each must return its fg_status, name the problem in
 * fg_last_error() (with the entry point as the last frame), and leave every
 * buffer untouched: all tensors live in one arena whose bytes are compared
 * before and after. Also: exact in-place aliasing works and matches the
 * out-of-place result. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "testutil.h"

fg_status fgi_op_fast_gelu(DLTensor *out, const DLTensor *x);

/* ---------------------------------------------------------------- arena */

#define ARENA_FLOATS 16384
static float arena[ARENA_FLOATS];
static unsigned char snapshot[sizeof arena];
static size_t cursor;

static void arena_reset(void)
{
    tu_rng r = {99};
    for (size_t i = 0; i < ARENA_FLOATS; i++) arena[i] = (float)tu_uniform(&r, -1, 1);
    /* a margin before the first tensor: a write just below a tensor still
     * lands in the arena, where the byte comparison sees it */
    cursor = 64;
}

static float *take(int64_t n)
{
    float *p = &arena[cursor];
    cursor += (size_t)(n > 0 ? n : 0) + 16;
    assert_true(cursor < ARENA_FLOATS);
    return p;
}

/* A tensor argument: room for FG_MAX_DIMS + 1 dims so "too many dims" can
 * be expressed. */
typedef struct tslot {
    DLTensor t;
    int64_t shape[FG_MAX_DIMS + 2];
    int64_t strides[FG_MAX_DIMS + 2];
    bool present;
} tslot;

static void slot(tslot *s, int ndim, const int64_t *shape)
{
    memset(s, 0, sizeof *s);
    s->present = true;
    s->t.ndim = ndim;
    s->t.shape = s->shape;
    s->t.strides = s->strides;
    s->t.dtype = (DLDataType){kDLFloat, 32, 1};
    s->t.device = (DLDevice){kDLCPU, 0};
    for (int d = 0; d < FG_MAX_DIMS + 2; d++) s->shape[d] = s->strides[d] = 1;
    int64_t n = 1;
    for (int d = ndim - 1; d >= 0; d--) {
        s->shape[d] = shape[d];
        s->strides[d] = n;
        n *= shape[d];
    }
    s->t.data = take(n);
}

#define SHAPE(...) ((const int64_t[]){__VA_ARGS__})

typedef struct call_set {
    tslot out, in[3];
    double alpha, eps;
    int approx, dim, keepdim;
} call_set;

static DLTensor *P(tslot *s) { return s->present ? &s->t : NULL; }

/* ---------------------------------------------------------------- entry points */

typedef struct entry {
    const char *name;  /* as in the last frame of messages */
    int nin;
    const char *in_names[3];
    bool optional[3];
    bool in_place; /* out may alias an input exactly */
    void (*setup)(call_set *);
    fg_status (*call)(call_set *);
} entry;

static void setup_binary(call_set *c)
{
    slot(&c->out, 2, SHAPE(4, 6));
    slot(&c->in[0], 2, SHAPE(4, 6));
    slot(&c->in[1], 2, SHAPE(4, 6));
    c->alpha = 1.5;
}
static void setup_unary(call_set *c)
{
    slot(&c->out, 2, SHAPE(4, 6));
    slot(&c->in[0], 2, SHAPE(4, 6));
    c->approx = FG_GELU_NONE;
}
static void setup_reduce(call_set *c)
{
    slot(&c->out, 1, SHAPE(4));
    slot(&c->in[0], 2, SHAPE(4, 6));
    c->dim = 1;
    c->keepdim = 0;
}
static void setup_softmax(call_set *c)
{
    setup_unary(c);
    c->dim = 1;
}
static void setup_layer_norm(call_set *c)
{
    setup_unary(c);
    slot(&c->in[1], 1, SHAPE(6));
    slot(&c->in[2], 1, SHAPE(6));
    c->eps = 1e-5;
}
static void setup_rms_norm(call_set *c)
{
    setup_unary(c);
    slot(&c->in[1], 1, SHAPE(6));
    c->eps = 1e-5;
}
static void setup_mm(call_set *c)
{
    slot(&c->out, 2, SHAPE(4, 6));
    slot(&c->in[0], 2, SHAPE(4, 5));
    slot(&c->in[1], 2, SHAPE(5, 6));
}
static void setup_bmm(call_set *c)
{
    slot(&c->out, 3, SHAPE(2, 4, 6));
    slot(&c->in[0], 3, SHAPE(2, 4, 5));
    slot(&c->in[1], 3, SHAPE(2, 5, 6));
}

static fg_status c_add(call_set *c) { return fg_add(P(&c->out), P(&c->in[0]), P(&c->in[1]), c->alpha); }
static fg_status c_mul(call_set *c) { return fg_mul(P(&c->out), P(&c->in[0]), P(&c->in[1])); }
static fg_status c_relu(call_set *c) { return fg_relu(P(&c->out), P(&c->in[0])); }
static fg_status c_gelu(call_set *c)
{
    return fg_gelu(P(&c->out), P(&c->in[0]), (fg_gelu_approx)c->approx);
}
static fg_status c_silu(call_set *c) { return fg_silu(P(&c->out), P(&c->in[0])); }
static fg_status c_exp(call_set *c) { return fg_exp(P(&c->out), P(&c->in[0])); }
static fg_status c_fast_gelu(call_set *c) { return fgi_op_fast_gelu(P(&c->out), P(&c->in[0])); }
static fg_status c_sum(call_set *c) { return fg_sum(P(&c->out), P(&c->in[0]), c->dim, c->keepdim); }
static fg_status c_mean(call_set *c) { return fg_mean(P(&c->out), P(&c->in[0]), c->dim, c->keepdim); }
static fg_status c_amax(call_set *c) { return fg_amax(P(&c->out), P(&c->in[0]), c->dim, c->keepdim); }
static fg_status c_softmax(call_set *c) { return fg_softmax(P(&c->out), P(&c->in[0]), c->dim); }
static fg_status c_layer_norm(call_set *c)
{
    return fg_layer_norm(P(&c->out), P(&c->in[0]), P(&c->in[1]), P(&c->in[2]), c->eps);
}
static fg_status c_rms_norm(call_set *c)
{
    return fg_rms_norm(P(&c->out), P(&c->in[0]), P(&c->in[1]), c->eps);
}
static fg_status c_mm(call_set *c) { return fg_mm(P(&c->out), P(&c->in[0]), P(&c->in[1])); }
static fg_status c_bmm(call_set *c) { return fg_bmm(P(&c->out), P(&c->in[0]), P(&c->in[1])); }

enum {
    E_ADD, E_MUL, E_RELU, E_GELU, E_SILU, E_EXP, E_FAST_GELU, E_SUM, E_MEAN, E_AMAX,
    E_SOFTMAX, E_LAYER_NORM, E_RMS_NORM, E_MM, E_BMM, E_COUNT
};

static const entry entries[E_COUNT] = {
    {"fg_add", 2, {"a", "b"}, {0}, true, setup_binary, c_add},
    {"fg_mul", 2, {"a", "b"}, {0}, true, setup_binary, c_mul},
    {"fg_relu", 1, {"x"}, {0}, true, setup_unary, c_relu},
    {"fg_gelu", 1, {"x"}, {0}, true, setup_unary, c_gelu},
    {"fg_silu", 1, {"x"}, {0}, true, setup_unary, c_silu},
    {"fg_exp", 1, {"x"}, {0}, true, setup_unary, c_exp},
    {"fast_gelu", 1, {"x"}, {0}, true, setup_unary, c_fast_gelu},
    {"fg_sum", 1, {"x"}, {0}, false, setup_reduce, c_sum},
    {"fg_mean", 1, {"x"}, {0}, false, setup_reduce, c_mean},
    {"fg_amax", 1, {"x"}, {0}, false, setup_reduce, c_amax},
    {"fg_softmax", 1, {"x"}, {0}, true, setup_softmax, c_softmax},
    {"fg_layer_norm", 3, {"x", "weight", "bias"}, {false, true, true}, true, setup_layer_norm,
     c_layer_norm},
    {"fg_rms_norm", 2, {"x", "weight"}, {false, true}, true, setup_rms_norm, c_rms_norm},
    {"fg_mm", 2, {"a", "b"}, {0}, false, setup_mm, c_mm},
    {"fg_bmm", 2, {"a", "b"}, {0}, false, setup_bmm, c_bmm},
};

/* ---------------------------------------------------------------- checking */

static bool ends_with(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && strcmp(s + a - b, suffix) == 0;
}

static int printed;

/* Runs the (corrupted) call; true when it was refused as expected. */
static bool expect_refused(const entry *e, call_set *c, fg_status want, const char *sub,
                           const char *what)
{
    memcpy(snapshot, arena, sizeof arena);
    fg_status s = e->call(c);
    const char *m = fg_last_error();
    char frame[64];
    snprintf(frame, sizeof frame, " <- %s", e->name);
    const char *problem = NULL;
    if (s != want)
        problem = "wrong status";
    else if (strncmp(m, fg_status_name(want), strlen(fg_status_name(want))) != 0)
        problem = "message does not start with the status name";
    else if (!strstr(m, sub))
        problem = "message does not name the problem";
    else if (!ends_with(m, frame))
        problem = "message does not end with the entry point's frame";
    else if (memcmp(snapshot, arena, sizeof arena) != 0)
        problem = "a buffer was modified";
    if (!problem) return true;
    if (printed++ < 60)
        print_error("%s, %s: %s: returned %s (want %s, message containing '%s'); message: '%s'\n",
                    e->name, what, problem, fg_status_name(s), fg_status_name(want), sub, m);
    return false;
}

/* ---------------------------------------------------------------- corruptions of one tensor */

typedef enum corruption {
    K_NULL_TENSOR, K_NULL_DATA, K_NULL_SHAPE, K_NDIM_9, K_NDIM_NEG, K_NEG_SIZE, K_NEG_STRIDE,
    K_LANES, K_INT32, K_FLOAT64, K_DTYPE_MISMATCH, K_CUDA, K_DEVICE_ID, K_NUMEL_OVERFLOW,
    K_EXTENT_OVERFLOW, K_OFFSET_OVERFLOW, K_OFFSET_WRAP, K_COUNT
} corruption;

static const char *const k_names[K_COUNT] = {
    "NULL tensor", "NULL data", "NULL shape", "9 dims", "negative ndim", "negative size",
    "negative stride", "lanes 4", "int32", "float64", "dtype mismatch", "kDLCUDA",
    "device id mismatch", "numel overflow", "byte extent overflow", "byte_offset INT64_MAX",
    "byte_offset 2^64 - 8"};

/* Applies corruption k to tensor s (named name; is_out for the output) and
 * says what the library must answer. Returns false when k does not apply. */
static bool corrupt(tslot *s, corruption k, const char *name, bool is_out, bool optional,
                    const char *first_in, fg_status *want, char *sub, size_t cap)
{
    switch (k) {
    case K_NULL_TENSOR:
        if (optional) return false; /* NULL means absent */
        s->present = false;
        *want = FG_ERR_NULL;
        snprintf(sub, cap, "%s is NULL", name);
        return true;
    case K_NULL_DATA:
        s->t.data = NULL;
        *want = FG_ERR_NULL;
        snprintf(sub, cap, "%s->data is NULL", name);
        return true;
    case K_NULL_SHAPE:
        s->t.shape = NULL;
        *want = FG_ERR_NULL;
        snprintf(sub, cap, "%s->shape is NULL", name);
        return true;
    case K_NDIM_9:
        s->t.ndim = FG_MAX_DIMS + 1;
        *want = FG_ERR_UNSUPPORTED;
        snprintf(sub, cap, "%s has 9 dims", name);
        return true;
    case K_NDIM_NEG:
        s->t.ndim = -1;
        *want = FG_ERR_INVALID_ARG;
        snprintf(sub, cap, "%s has negative ndim", name);
        return true;
    case K_NEG_SIZE:
        s->shape[0] = -3;
        *want = FG_ERR_INVALID_ARG;
        snprintf(sub, cap, "%s has negative size", name);
        return true;
    case K_NEG_STRIDE:
        s->strides[0] = -1;
        *want = FG_ERR_INVALID_ARG;
        snprintf(sub, cap, "%s has negative stride", name);
        return true;
    case K_LANES:
        s->t.dtype.lanes = 4;
        *want = FG_ERR_UNSUPPORTED;
        snprintf(sub, cap, "%s has 4 lanes", name);
        return true;
    case K_INT32:
        s->t.dtype = (DLDataType){kDLInt, 32, 1};
        *want = FG_ERR_DTYPE;
        snprintf(sub, cap, "%s has dtype", name);
        return true;
    case K_FLOAT64:
        s->t.dtype = (DLDataType){kDLFloat, 64, 1};
        *want = FG_ERR_DTYPE;
        snprintf(sub, cap, "%s has dtype", name);
        return true;
    case K_DTYPE_MISMATCH:
        s->t.dtype = (DLDataType){kDLFloat, 16, 1};
        *want = FG_ERR_DTYPE;
        if (is_out)
            snprintf(sub, cap, "%s has dtype float32, out has float16", first_in);
        else
            snprintf(sub, cap, "%s has dtype float16", name);
        return true;
    case K_CUDA:
        s->t.device = (DLDevice){kDLCUDA, 0};
        *want = FG_ERR_DEVICE;
        snprintf(sub, cap, "%s is on device type 2", name);
        return true;
    case K_DEVICE_ID:
        s->t.device.device_id = 1;
        *want = FG_ERR_DEVICE;
        if (is_out)
            snprintf(sub, cap, "out on device 1");
        else
            snprintf(sub, cap, "%s is on device 1", name);
        return true;
    case K_NUMEL_OVERFLOW:
        s->t.ndim = 2;
        s->shape[0] = s->shape[1] = (int64_t)1 << 40;
        s->t.strides = NULL;
        *want = FG_ERR_OVERFLOW;
        snprintf(sub, cap, "%s: number of elements overflows", name);
        return true;
    case K_EXTENT_OVERFLOW:
        s->t.ndim = 2;
        s->shape[0] = (int64_t)1 << 20;
        s->shape[1] = 4;
        s->strides[0] = (int64_t)1 << 44;
        s->strides[1] = 1;
        *want = FG_ERR_OVERFLOW;
        snprintf(sub, cap, "%s: byte extent overflows", name);
        return true;
    case K_OFFSET_OVERFLOW:
        s->t.byte_offset = (uint64_t)INT64_MAX;
        *want = FG_ERR_OVERFLOW;
        snprintf(sub, cap, "%s: byte extent overflows", name);
        return true;
    case K_OFFSET_WRAP:
        /* data + byte_offset would wrap around to just below data */
        s->t.byte_offset = UINT64_MAX - 7;
        *want = FG_ERR_OVERFLOW;
        snprintf(sub, cap, "%s: byte extent overflows", name);
        return true;
    default: return false;
    }
}

static void test_tensor_corruptions(void **state)
{
    (void)state;
    printed = 0;
    tu_tally tally = {0, 0};
    for (int ei = 0; ei < E_COUNT; ei++) {
        const entry *e = &entries[ei];
        for (int role = -1; role < e->nin; role++) {
            for (int k = 0; k < K_COUNT; k++) {
                call_set c;
                memset(&c, 0, sizeof c);
                arena_reset();
                e->setup(&c);
                tslot *s = role < 0 ? &c.out : &c.in[role];
                const char *name = role < 0 ? "out" : e->in_names[role];
                fg_status want;
                char sub[128], what[160];
                if (!corrupt(s, (corruption)k, name, role < 0, role >= 0 && e->optional[role],
                             e->in_names[0], &want, sub, sizeof sub))
                    continue;
                snprintf(what, sizeof what, "%s: %s", name, k_names[k]);
                tu_tally_add(&tally, expect_refused(e, &c, want, sub, what));
            }
        }
    }
    tu_tally_finish(&tally, "tensor corruptions");
}

/* ---------------------------------------------------------------- op-specific refusals */

typedef struct special {
    int entry;
    const char *what;
    void (*tweak)(call_set *);
    fg_status want;
    const char *sub;
} special;

/* shapes */
static void out_4x7(call_set *c) { slot(&c->out, 2, SHAPE(4, 7)); }
static void out_1x4x6(call_set *c) { slot(&c->out, 3, SHAPE(1, 4, 6)); }
static void out_24(call_set *c) { slot(&c->out, 1, SHAPE(24)); }
static void b_4x5(call_set *c) { slot(&c->in[1], 2, SHAPE(4, 5)); }
static void out_4x1(call_set *c) { slot(&c->out, 2, SHAPE(4, 1)); }
static void keepdim_out_4(call_set *c) { c->keepdim = 1; }
static void out_6(call_set *c) { slot(&c->out, 1, SHAPE(6)); }
static void dim_2(call_set *c) { c->dim = 2; }
static void dim_m3(call_set *c) { c->dim = -3; }
static void dim_big(call_set *c) { c->dim = 1 << 30; }
static void dim_all(call_set *c) { c->dim = FG_DIM_ALL; }
static void x_4x0(call_set *c) { slot(&c->in[0], 2, SHAPE(4, 0)); }
static void x_scalar_dim1(call_set *c)
{
    slot(&c->in[0], 0, NULL);
    slot(&c->out, 0, NULL);
    c->dim = 1;
}
static void weight_5(call_set *c) { slot(&c->in[1], 1, SHAPE(5)); }
static void bias_6x1(call_set *c) { slot(&c->in[2], 2, SHAPE(6, 1)); }
static void x_scalar(call_set *c)
{
    slot(&c->in[0], 0, NULL);
    slot(&c->out, 0, NULL);
}
static void a_3d(call_set *c) { slot(&c->in[0], 3, SHAPE(1, 4, 5)); }
static void b_1d(call_set *c) { slot(&c->in[1], 1, SHAPE(5)); }
static void b_6x6(call_set *c) { slot(&c->in[1], 2, SHAPE(6, 6)); }
static void bmm_b_batch3(call_set *c) { slot(&c->in[1], 3, SHAPE(3, 5, 6)); }
static void bmm_a_2d(call_set *c) { slot(&c->in[0], 2, SHAPE(4, 5)); }
static void bmm_b_k6(call_set *c) { slot(&c->in[1], 3, SHAPE(2, 6, 6)); }
/* attributes */
static void approx_7(call_set *c) { c->approx = 7; }
static void approx_m1(call_set *c) { c->approx = -1; }
static void eps_neg(call_set *c) { c->eps = -1e-5; }
static void eps_nan(call_set *c) { c->eps = NAN; }
static void eps_inf(call_set *c) { c->eps = INFINITY; }
static void alpha_nan(call_set *c) { c->alpha = NAN; }
static void alpha_inf(call_set *c) { c->alpha = -INFINITY; }
/* overlaps */
static void shift(tslot *out, const tslot *in, int64_t elems)
{
    out->t.data = (float *)in->t.data + elems;
}
static void out_overlaps_in0(call_set *c) { shift(&c->out, &c->in[0], 1); }
static void out_overlaps_in1(call_set *c) { shift(&c->out, &c->in[1], 5); }
static void out_overlaps_in2(call_set *c) { shift(&c->out, &c->in[2], 2); }
static void out_inside_in0(call_set *c) { shift(&c->out, &c->in[0], 2); } /* reductions */
static void out_before_in0(call_set *c)
{
    /* out ends inside x: x starts 3 floats before out's last element */
    c->in[0].t.data = (float *)c->out.t.data + 3;
}
static void out_offset_overlap(call_set *c)
{
    c->out.t.data = c->in[0].t.data;
    c->out.t.byte_offset = 4; /* same buffer, one element later, through byte_offset */
}
static void out_self_stride0(call_set *c)
{
    c->out.strides[0] = 0;
}
static void out_self_overlap(call_set *c)
{
    c->out.strides[0] = 1;
    c->out.strides[1] = 1;
}
static void out_transposed_view_of_in0(call_set *c)
{
    /* same bytes as x, different strides: not the same view */
    slot(&c->in[0], 2, SHAPE(6, 6));
    slot(&c->out, 2, SHAPE(6, 6));
    c->out.t.data = c->in[0].t.data;
    c->out.strides[0] = 1;
    c->out.strides[1] = 6;
}
static void add_out_is_broadcast_b(call_set *c)
{
    slot(&c->in[1], 1, SHAPE(6));
    c->out.t.data = c->in[1].t.data;
}
static void reduce_in_place(call_set *c)
{
    /* x [4,1] reduced over dim 1 with keepdim: out could be exactly x */
    slot(&c->in[0], 2, SHAPE(4, 1));
    slot(&c->out, 2, SHAPE(4, 1));
    c->out.t.data = c->in[0].t.data;
    c->keepdim = 1;
}
static void mm_in_place(call_set *c)
{
    slot(&c->in[0], 2, SHAPE(4, 4));
    slot(&c->in[1], 2, SHAPE(4, 4));
    slot(&c->out, 2, SHAPE(4, 4));
    c->out.t.data = c->in[0].t.data;
}
static void mm_out_is_b(call_set *c)
{
    slot(&c->in[0], 2, SHAPE(4, 4));
    slot(&c->in[1], 2, SHAPE(4, 4));
    slot(&c->out, 2, SHAPE(4, 4));
    c->out.t.data = c->in[1].t.data;
}
static void bmm_in_place(call_set *c)
{
    slot(&c->in[0], 3, SHAPE(2, 4, 4));
    slot(&c->in[1], 3, SHAPE(2, 4, 4));
    slot(&c->out, 3, SHAPE(2, 4, 4));
    c->out.t.data = c->in[0].t.data;
}
static void norm_out_is_weight(call_set *c)
{
    slot(&c->in[0], 1, SHAPE(6));
    slot(&c->out, 1, SHAPE(6));
    c->out.t.data = c->in[1].t.data;
}

static const special specials[] = {
    /* shapes */
    {E_ADD, "out [4,7]", out_4x7, FG_ERR_SHAPE, "out has shape [4,7], expected [4,6]"},
    {E_ADD, "out [1,4,6]", out_1x4x6, FG_ERR_SHAPE, "out has shape [1,4,6], expected [4,6]"},
    {E_ADD, "b [4,5]", b_4x5, FG_ERR_SHAPE, "do not broadcast"},
    {E_MUL, "b [4,5]", b_4x5, FG_ERR_SHAPE, "do not broadcast"},
    {E_MUL, "out [24]", out_24, FG_ERR_SHAPE, "out has shape [24], expected [4,6]"},
    {E_RELU, "out [4,7]", out_4x7, FG_ERR_SHAPE, "out has shape [4,7], expected [4,6]"},
    {E_GELU, "out [24]", out_24, FG_ERR_SHAPE, "out has shape [24]"},
    {E_SILU, "out [1,4,6]", out_1x4x6, FG_ERR_SHAPE, "out has shape [1,4,6]"},
    {E_EXP, "out [4,7]", out_4x7, FG_ERR_SHAPE, "out has shape [4,7]"},
    {E_FAST_GELU, "out [4,7]", out_4x7, FG_ERR_SHAPE, "out has shape [4,7]"},
    {E_SUM, "out [4,1] without keepdim", out_4x1, FG_ERR_SHAPE, "out has shape [4,1], expected [4]"},
    {E_MEAN, "out [4] with keepdim", keepdim_out_4, FG_ERR_SHAPE, "out has shape [4], expected [4,1]"},
    {E_AMAX, "out [6]", out_6, FG_ERR_SHAPE, "out has shape [6], expected [4]"},
    {E_SUM, "dim 2", dim_2, FG_ERR_INVALID_ARG, "dim 2 out of range"},
    {E_MEAN, "dim -3", dim_m3, FG_ERR_INVALID_ARG, "dim -3 out of range"},
    {E_AMAX, "dim 2^30", dim_big, FG_ERR_INVALID_ARG, "out of range"},
    {E_SUM, "0-dim x, dim 1", x_scalar_dim1, FG_ERR_INVALID_ARG, "dim 1 out of range"},
    {E_AMAX, "amax over an empty dim", x_4x0, FG_ERR_SHAPE, "empty"},
    {E_SOFTMAX, "dim 2", dim_2, FG_ERR_INVALID_ARG, "dim 2 out of range"},
    {E_SOFTMAX, "dim -3", dim_m3, FG_ERR_INVALID_ARG, "dim -3 out of range"},
    {E_SOFTMAX, "FG_DIM_ALL", dim_all, FG_ERR_INVALID_ARG, "FG_DIM_ALL"},
    {E_SOFTMAX, "out [4,7]", out_4x7, FG_ERR_SHAPE, "out has shape [4,7]"},
    {E_LAYER_NORM, "weight [5]", weight_5, FG_ERR_SHAPE, "weight has shape [5], expected [6]"},
    {E_LAYER_NORM, "bias [6,1]", bias_6x1, FG_ERR_SHAPE, "bias has shape [6,1], expected [6]"},
    {E_LAYER_NORM, "0-dim x", x_scalar, FG_ERR_SHAPE, "at least 1 dim"},
    {E_LAYER_NORM, "out [4,7]", out_4x7, FG_ERR_SHAPE, "out has shape [4,7]"},
    {E_RMS_NORM, "weight [5]", weight_5, FG_ERR_SHAPE, "weight has shape [5], expected [6]"},
    {E_RMS_NORM, "out [24]", out_24, FG_ERR_SHAPE, "out has shape [24]"},
    {E_MM, "a 3-D", a_3d, FG_ERR_SHAPE, "a has 3 dims, expected 2"},
    {E_MM, "b 1-D", b_1d, FG_ERR_SHAPE, "b has 1 dims, expected 2"},
    {E_MM, "K 5 vs 6", b_6x6, FG_ERR_SHAPE, "inner dims differ"},
    {E_MM, "out [4,7]", out_4x7, FG_ERR_SHAPE, "out has shape [4,7], expected [4,6]"},
    {E_BMM, "batch 2 vs 3", bmm_b_batch3, FG_ERR_SHAPE, "batch sizes differ"},
    {E_BMM, "a 2-D", bmm_a_2d, FG_ERR_SHAPE, "a has 2 dims, expected 3"},
    {E_BMM, "K 5 vs 6", bmm_b_k6, FG_ERR_SHAPE, "inner dims differ"},
    {E_BMM, "out [4,7]", out_4x7, FG_ERR_SHAPE, "out has shape [4,7], expected [2,4,6]"},
    /* attributes */
    {E_GELU, "approximate 7", approx_7, FG_ERR_INVALID_ARG, "approximate is 7"},
    {E_GELU, "approximate -1", approx_m1, FG_ERR_INVALID_ARG, "approximate is -1"},
    {E_LAYER_NORM, "eps < 0", eps_neg, FG_ERR_INVALID_ARG, "eps"},
    {E_LAYER_NORM, "eps NaN", eps_nan, FG_ERR_INVALID_ARG, "eps"},
    {E_LAYER_NORM, "eps Inf", eps_inf, FG_ERR_INVALID_ARG, "eps"},
    {E_RMS_NORM, "eps < 0", eps_neg, FG_ERR_INVALID_ARG, "eps"},
    {E_RMS_NORM, "eps NaN", eps_nan, FG_ERR_INVALID_ARG, "eps"},
    {E_ADD, "alpha NaN", alpha_nan, FG_ERR_INVALID_ARG, "alpha must be finite"},
    {E_ADD, "alpha -Inf", alpha_inf, FG_ERR_INVALID_ARG, "alpha must be finite"},
    /* overlaps */
    {E_ADD, "out partly over a", out_overlaps_in0, FG_ERR_ALIAS, "out overlaps a"},
    {E_ADD, "out partly over b", out_overlaps_in1, FG_ERR_ALIAS, "out overlaps b"},
    {E_ADD, "out exactly the broadcast b", add_out_is_broadcast_b, FG_ERR_ALIAS, "out overlaps b"},
    {E_MUL, "out partly over a (byte_offset)", out_offset_overlap, FG_ERR_ALIAS, "out overlaps a"},
    {E_RELU, "out partly over x", out_overlaps_in0, FG_ERR_ALIAS, "out overlaps x"},
    {E_RELU, "x partly over out", out_before_in0, FG_ERR_ALIAS, "out overlaps x"},
    {E_GELU, "out a transposed view of x", out_transposed_view_of_in0, FG_ERR_ALIAS,
     "out overlaps x"},
    {E_SILU, "out partly over x", out_overlaps_in0, FG_ERR_ALIAS, "out overlaps x"},
    {E_EXP, "out partly over x", out_offset_overlap, FG_ERR_ALIAS, "out overlaps x"},
    {E_FAST_GELU, "out partly over x", out_overlaps_in0, FG_ERR_ALIAS, "out overlaps x"},
    {E_SOFTMAX, "out partly over x", out_overlaps_in0, FG_ERR_ALIAS, "out overlaps x"},
    {E_SOFTMAX, "out a transposed view of x", out_transposed_view_of_in0, FG_ERR_ALIAS,
     "out overlaps x"},
    {E_SUM, "out inside x", out_inside_in0, FG_ERR_ALIAS, "out overlaps x"},
    {E_MEAN, "out exactly x (keepdim)", reduce_in_place, FG_ERR_ALIAS, "out overlaps x"},
    {E_AMAX, "out inside x", out_inside_in0, FG_ERR_ALIAS, "out overlaps x"},
    {E_LAYER_NORM, "out partly over x", out_overlaps_in0, FG_ERR_ALIAS, "out overlaps x"},
    {E_LAYER_NORM, "out over weight", out_overlaps_in1, FG_ERR_ALIAS, "out overlaps weight"},
    {E_LAYER_NORM, "out over bias", out_overlaps_in2, FG_ERR_ALIAS, "out overlaps bias"},
    {E_LAYER_NORM, "out exactly weight", norm_out_is_weight, FG_ERR_ALIAS, "out overlaps weight"},
    {E_RMS_NORM, "out over weight", out_overlaps_in1, FG_ERR_ALIAS, "out overlaps weight"},
    {E_RMS_NORM, "out exactly weight", norm_out_is_weight, FG_ERR_ALIAS, "out overlaps weight"},
    {E_MM, "out exactly a", mm_in_place, FG_ERR_ALIAS, "out overlaps a"},
    {E_MM, "out exactly b", mm_out_is_b, FG_ERR_ALIAS, "out overlaps b"},
    {E_MM, "out partly over a", out_overlaps_in0, FG_ERR_ALIAS, "out overlaps a"},
    {E_BMM, "out exactly a", bmm_in_place, FG_ERR_ALIAS, "out overlaps a"},
    {E_BMM, "out partly over b", out_overlaps_in1, FG_ERR_ALIAS, "out overlaps b"},
};
#define N_SPECIALS ((int)(sizeof specials / sizeof specials[0]))

/* out overlapping itself, for every entry point */
static void test_out_self_overlap(void **state)
{
    (void)state;
    printed = 0;
    tu_tally tally = {0, 0};
    for (int ei = 0; ei < E_COUNT; ei++) {
        void (*tweaks[2])(call_set *) = {out_self_stride0, out_self_overlap};
        const char *what[2] = {"out stride 0", "out strides [1,1]"};
        for (int t = 0; t < 2; t++) {
            call_set c;
            memset(&c, 0, sizeof c);
            arena_reset();
            entries[ei].setup(&c);
            if (c.out.t.ndim < 2) slot(&c.out, 2, SHAPE(4, 6)); /* reductions: shape comes later */
            tweaks[t](&c);
            tu_tally_add(&tally, expect_refused(&entries[ei], &c, FG_ERR_ALIAS, "out overlaps itself",
                                                what[t]));
        }
    }
    tu_tally_finish(&tally, "out overlapping itself");
}

static void test_specials(void **state)
{
    (void)state;
    printed = 0;
    tu_tally tally = {0, 0};
    for (int i = 0; i < N_SPECIALS; i++) {
        const special *sp = &specials[i];
        call_set c;
        memset(&c, 0, sizeof c);
        arena_reset();
        entries[sp->entry].setup(&c);
        sp->tweak(&c);
        tu_tally_add(&tally, expect_refused(&entries[sp->entry], &c, sp->want, sp->sub, sp->what));
    }
    tu_tally_finish(&tally, "op-specific refusals");
}

/* NULL data is fine when there are no elements. */
static void test_null_data_empty(void **state)
{
    (void)state;
    int64_t s0[2] = {4, 0};
    DLTensor x = {NULL, {kDLCPU, 0}, 2, {kDLFloat, 32, 1}, s0, NULL, 0};
    DLTensor out = x;
    assert_int_equal(fg_relu(&out, &x), FG_OK);
    assert_int_equal(fg_add(&out, &x, &x, 1.0), FG_OK);
    assert_int_equal(fg_softmax(&out, &x, 0), FG_OK);
    int64_t s4[1] = {4};
    DLTensor o4 = {NULL, {kDLCPU, 0}, 1, {kDLFloat, 32, 1}, s4, NULL, 0};
    float buf[4] = {-7, -7, -7, -7};
    o4.data = buf;
    assert_int_equal(fg_sum(&o4, &x, 1, 0), FG_OK); /* sums of empty rows: zeros */
    for (int i = 0; i < 4; i++) assert_true(buf[i] == 0.0f);
    assert_string_equal(fg_last_error(), "");
}

/* ---------------------------------------------------------------- in place */

typedef enum ip_op {
    IP_ADD_A, IP_ADD_B, IP_MUL_A, IP_RELU, IP_GELU, IP_GELU_TANH, IP_SILU, IP_EXP, IP_FAST_GELU,
    IP_SOFTMAX_LAST, IP_SOFTMAX_0, IP_LAYER_NORM, IP_RMS_NORM, IP_COUNT
} ip_op;
static const char *const ip_names[IP_COUNT] = {
    "add out=a", "add out=b", "mul out=a", "relu", "gelu", "gelu tanh", "silu", "exp",
    "fast_gelu", "softmax dim -1", "softmax dim 0", "layer_norm", "rms_norm"};

typedef struct ip_ctx {
    ip_op op;
    tu_tensor *other, *w, *bias; /* second operand of add/mul; norm weight and bias */
} ip_ctx;

static fg_status ip_call(ip_op op, DLTensor *out, DLTensor *x, const ip_ctx *c)
{
    switch (op) {
    case IP_ADD_A: return fg_add(out, x, &c->other->t, -0.75);
    case IP_ADD_B: return fg_add(out, &c->other->t, x, 1.25);
    case IP_MUL_A: return fg_mul(out, x, &c->other->t);
    case IP_RELU: return fg_relu(out, x);
    case IP_GELU: return fg_gelu(out, x, FG_GELU_NONE);
    case IP_GELU_TANH: return fg_gelu(out, x, FG_GELU_TANH);
    case IP_SILU: return fg_silu(out, x);
    case IP_EXP: return fg_exp(out, x);
    case IP_FAST_GELU: return fgi_op_fast_gelu(out, x);
    case IP_SOFTMAX_LAST: return fg_softmax(out, x, -1);
    case IP_SOFTMAX_0: return fg_softmax(out, x, 0);
    case IP_LAYER_NORM: return fg_layer_norm(out, x, &c->w->t, &c->bias->t, 1e-5);
    default: return fg_rms_norm(out, x, &c->w->t, 1e-6);
    }
}

static void test_in_place(void **state)
{
    (void)state;
    const fgi_dtype dts[3] = {FGI_F32, FGI_F16, FGI_BF16};
    const struct {
        int64_t shape[2];
        tu_layout layout;
    } shapes[] = {{{37, 65}, TU_CONTIG}, {{13, 17}, TU_GAPPY}, {{33, 29}, TU_REVERSED},
                  {{300, 301}, TU_CONTIG}, {{301, 300}, TU_ROTATED}};
    tu_tally tally = {0, 0};
    tu_rng r = {31337};
    for (int op = 0; op < IP_COUNT; op++)
        for (int d = 0; d < 3; d++)
            for (size_t si = 0; si < sizeof shapes / sizeof shapes[0]; si++) {
                fgi_dtype dt = dts[d];
                const int64_t *shape = shapes[si].shape;
                ip_ctx c = {(ip_op)op, NULL, NULL, NULL};
                tu_tensor *x = tu_new(dt, 2, shape, shapes[si].layout);
                tu_fill_uniform(x, &r, -3, 3);
                /* a broadcast second operand for add/mul */
                c.other = tu_new(dt, 1, &shape[1], TU_CONTIG);
                tu_fill_uniform(c.other, &r, -2, 2);
                c.w = tu_new(dt, 1, &shape[1], TU_CONTIG);
                c.bias = tu_new(dt, 1, &shape[1], TU_CONTIG);
                tu_fill_uniform(c.w, &r, -2, 2);
                tu_fill_uniform(c.bias, &r, -1, 1);
                tu_tensor *out = tu_new(dt, 2, shape, TU_CONTIG);
                char what[160];
                snprintf(what, sizeof what, "in-place %s, %s [%lld,%lld] %s", ip_names[op],
                         tu_dtype_name(dt), (long long)shape[0], (long long)shape[1],
                         tu_layout_name(shapes[si].layout));
                bool ok = true;
                fg_status s = ip_call((ip_op)op, &out->t, &x->t, &c);
                if (s != FG_OK) {
                    print_error("%s: out of place: %s\n", what, fg_last_error());
                    ok = false;
                }
                s = ip_call((ip_op)op, &x->t, &x->t, &c);
                if (ok && s != FG_OK) {
                    print_error("%s: %s\n", what, fg_last_error());
                    ok = false;
                }
                if (ok) ok = tu_compare(x, out, TU_ATOL, tu_rtol(dt), what) == 0;
                if (ok) ok = tu_gaps_intact(x, what);
                tu_tally_add(&tally, ok);
                tu_free(x);
                tu_free(out);
                tu_free(c.other);
                tu_free(c.w);
                tu_free(c.bias);
            }
    tu_tally_finish(&tally, "in place");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tensor_corruptions),
        cmocka_unit_test(test_specials),
        cmocka_unit_test(test_out_self_overlap),
        cmocka_unit_test(test_null_data_empty),
        cmocka_unit_test(test_in_place),
    };
    return cmocka_run_group_tests_name(tu_env_generic() ? "bad_input_generic" : "bad_input",
                                       tests, NULL, NULL);
}
