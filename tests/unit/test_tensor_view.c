/* Tensor validation on the entry points' fast paths:
 *  - fgi_tensor_view (one pass, falls back on anything unusual) against
 *    fgi_tensor_view_checked (one check at a time) on random DLTensors,
 *    valid and not: same status, same message, same view;
 *  - an elementwise call whose inputs are laid out exactly as out takes
 *    out's view for them: results, in-place calls, overlaps, and every
 *    near miss of "the same layout" (strides, byte offsets, dtype, device,
 *    a size-1 dim with another stride) give what the general path gives. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/tensor.h"
#include "testutil.h"

/* ---------------------------------------------------------------- fast view vs checked view */

static int64_t pick_size(tu_rng *r)
{
    switch (tu_below(r, 12)) {
    case 0: return 0;
    case 1: return -1 - tu_below(r, 3);
    case 2: return (int64_t)1 << (40 + tu_below(r, 23)); /* products overflow */
    case 3: return INT64_MAX - tu_below(r, 2);
    case 4: return 1;
    default: return 1 + tu_below(r, 9);
    }
}

static int64_t pick_stride(tu_rng *r)
{
    switch (tu_below(r, 10)) {
    case 0: return 0;
    case 1: return -1 - tu_below(r, 4);
    case 2: return (int64_t)1 << (30 + tu_below(r, 33));
    default: return 1 + tu_below(r, 64);
    }
}

static const DLDataType dtypes[] = {
    {kDLFloat, 32, 1}, {kDLFloat, 16, 1}, {kDLBfloat, 16, 1}, {kDLFloat, 64, 1},
    {kDLFloat, 32, 2}, {kDLInt, 32, 1},   {kDLBfloat, 32, 1}, {kDLFloat, 8, 1},
};

static void random_tensor(tu_rng *r, DLTensor *t, int64_t *shape, int64_t *strides)
{
    static float backing[4];
    memset(t, 0, sizeof *t);
    t->ndim = (int)tu_below(r, FG_MAX_DIMS + 3) - (tu_below(r, 20) == 0 ? 3 : 0);
    int n = t->ndim < 0 ? 0 : t->ndim > FG_MAX_DIMS + 2 ? FG_MAX_DIMS + 2 : t->ndim;
    for (int d = 0; d < n; d++) {
        /* mostly valid small tensors, with one bad field now and then */
        shape[d] = tu_below(r, 4) ? 1 + tu_below(r, 6) : pick_size(r);
        strides[d] = pick_stride(r);
    }
    t->shape = tu_below(r, 30) ? shape : NULL;
    if (tu_below(r, 2)) {
        t->strides = strides;
        if (tu_below(r, 2)) { /* row-major, as most callers give them */
            uint64_t run = 1; /* wraps for the huge sizes: those are refused anyway */
            for (int d = n - 1; d >= 0; d--) {
                strides[d] = (int64_t)run;
                run *= (uint64_t)(shape[d] > 0 ? shape[d] : 1);
            }
        }
    }
    t->dtype = tu_below(r, 6) ? dtypes[tu_below(r, 3)] : dtypes[tu_below(r, 8)];
    t->device = (DLDevice){tu_below(r, 20) ? kDLCPU : kDLCUDA, (int32_t)tu_below(r, 2)};
    t->data = tu_below(r, 25) ? (void *)backing : NULL;
    switch (tu_below(r, 8)) {
    case 0: t->byte_offset = (uint64_t)1 << (55 + tu_below(r, 9)); break;
    case 1: t->byte_offset = UINT64_MAX - tu_below(r, 8); break;
    case 2: t->byte_offset = (uint64_t)INT64_MAX - tu_below(r, 16); break;
    default: t->byte_offset = 4 * (uint64_t)tu_below(r, 3); break;
    }
}

static void expect_same_view(const fgi_tensor *a, const fgi_tensor *b)
{
    assert_ptr_equal(a->data, b->data);
    assert_int_equal(a->ndim, b->ndim);
    assert_int_equal(a->dtype, b->dtype);
    assert_int_equal(a->numel, b->numel);
    assert_int_equal(a->contiguous, b->contiguous);
    assert_int_equal(a->device, b->device);
    for (int d = 0; d < a->ndim; d++) {
        assert_int_equal(a->shape[d], b->shape[d]);
        assert_int_equal(a->strides[d], b->strides[d]);
    }
}

static void test_view_matches_checked(void **state)
{
    (void)state;
    tu_rng r = {0x5eed1234u};
    int ok = 0, refused = 0;
    for (int i = 0; i < 200000; i++) {
        DLTensor t;
        int64_t shape[FG_MAX_DIMS + 2], strides[FG_MAX_DIMS + 2];
        random_tensor(&r, &t, shape, strides);
        fgi_tensor fast, checked;
        char msg[1024];
        fg_status sc = fgi_tensor_view_checked(&checked, &t, "t");
        snprintf(msg, sizeof msg, "%s", fg_last_error());
        fg_status sf = fgi_tensor_view(&fast, &t, "t");
        if (sf != sc) fail_msg("tensor %d: fast view says %d, checked view %d (%s)", i, sf, sc, msg);
        if (sc == FG_OK) {
            expect_same_view(&fast, &checked);
            ok++;
        } else {
            assert_string_equal(fg_last_error(), msg);
            refused++;
        }
    }
    /* both kinds well represented */
    assert_true(ok > 20000);
    assert_true(refused > 20000);
    /* a NULL tensor goes the checked way too */
    fgi_tensor v;
    assert_int_equal(fgi_tensor_view(&v, NULL, "x"), FG_ERR_NULL);
    assert_non_null(strstr(fg_last_error(), "x is NULL"));
}

/* ---------------------------------------------------------------- inputs laid out as out */

typedef struct buf3 {
    float v[64];
} buf3;

static DLTensor dl(void *data, int ndim, int64_t *shape, int64_t *strides, uint64_t offset)
{
    DLTensor t = {.data = data,
                  .device = {kDLCPU, 0},
                  .ndim = ndim,
                  .dtype = {kDLFloat, 32, 1},
                  .shape = shape,
                  .strides = strides,
                  .byte_offset = offset};
    return t;
}

static void fill(float *p, int n, float base)
{
    for (int i = 0; i < n; i++) p[i] = base + (float)i;
}

static void test_same_layout_results(void **state)
{
    (void)state;
    float a[24], b[24], o[24];
    int64_t shape[3] = {2, 3, 4}, rm[3] = {12, 4, 1};
    fill(a, 24, 1.0f);
    fill(b, 24, 100.0f);
    /* NULL strides everywhere, then explicit row-major strides everywhere */
    for (int k = 0; k < 2; k++) {
        int64_t *st = k ? rm : NULL;
        DLTensor ta = dl(a, 3, shape, st, 0), tb = dl(b, 3, shape, st, 0), to = dl(o, 3, shape, st, 0);
        memset(o, 0, sizeof o);
        assert_int_equal(fg_add(&to, &ta, &tb, 2.0), FG_OK);
        for (int i = 0; i < 24; i++) assert_true(o[i] == a[i] + 2.0f * b[i]);
        assert_int_equal(fg_mul(&to, &ta, &tb), FG_OK);
        for (int i = 0; i < 24; i++) assert_true(o[i] == a[i] * b[i]);
        assert_int_equal(fg_relu(&to, &ta), FG_OK);
        for (int i = 0; i < 24; i++) assert_true(o[i] == a[i]);
    }
    /* a mixed pair: out row-major by NULL, a by explicit strides: the
     * general path, same result */
    DLTensor ta = dl(a, 3, shape, rm, 0), tb = dl(b, 3, shape, NULL, 0), to = dl(o, 3, shape, NULL, 0);
    assert_int_equal(fg_add(&to, &ta, &tb, 1.0), FG_OK);
    for (int i = 0; i < 24; i++) assert_true(o[i] == a[i] + b[i]);
    /* a size-1 dim may carry any stride: a takes its own, not out's */
    int64_t s1[3] = {2, 1, 12}, st_a[3] = {12, 999, 1}, st_o[3] = {12, 12, 1};
    DLTensor a1 = dl(a, 3, s1, st_a, 0), b1 = dl(b, 3, s1, st_o, 0), o1 = dl(o, 3, s1, st_o, 0);
    assert_int_equal(fg_add(&o1, &a1, &b1, 1.0), FG_OK);
    for (int i = 0; i < 24; i++) assert_true(o[i] == a[i] + b[i]);
    /* a strided (non-contiguous) layout shared by all three */
    float a2[48], b2[48], o2[48];
    int64_t sh2[2] = {3, 4}, st2[2] = {16, 2};
    fill(a2, 48, 1.0f);
    fill(b2, 48, 50.0f);
    for (int i = 0; i < 48; i++) o2[i] = -7.0f;
    DLTensor a3 = dl(a2, 2, sh2, st2, 4), b3 = dl(b2, 2, sh2, st2, 4), o3 = dl(o2, 2, sh2, st2, 4);
    assert_int_equal(fg_add(&o3, &a3, &b3, 1.0), FG_OK);
    for (int i = 0; i < 48; i++) {
        bool hit = i >= 1 && (i - 1) % 2 == 0 && (i - 1) % 16 < 8 && (i - 1) / 16 < 3;
        assert_true(o2[i] == (hit ? a2[i] + b2[i] : -7.0f));
    }
}

static void test_same_layout_refusals(void **state)
{
    (void)state;
    float a[32], b[32], o[32];
    int64_t shape[2] = {4, 4};
    fill(a, 32, 1.0f);
    fill(b, 32, 2.0f);
    /* exact in place: allowed */
    DLTensor ta = dl(a, 2, shape, NULL, 0), tb = dl(b, 2, shape, NULL, 0);
    assert_int_equal(fg_add(&ta, &ta, &tb, 1.0), FG_OK);
    for (int i = 0; i < 16; i++) assert_true(a[i] == 1.0f + (float)i + 2.0f + (float)i);
    /* out one element into a, same layout: refused, nothing written */
    fill(a, 32, 1.0f);
    float keep[32];
    memcpy(keep, a, sizeof a);
    DLTensor shifted = dl(a, 2, shape, NULL, 4);
    assert_int_equal(fg_add(&shifted, &ta, &tb, 1.0), FG_ERR_ALIAS);
    assert_non_null(strstr(fg_last_error(), "out overlaps a"));
    assert_memory_equal(a, keep, sizeof a);
    /* the other direction: a has the larger byte offset (general path) */
    DLTensor a_off = dl(a, 2, shape, NULL, 4), o_at_a = dl(a, 2, shape, NULL, 0);
    assert_int_equal(fg_add(&o_at_a, &a_off, &tb, 1.0), FG_ERR_ALIAS);
    assert_memory_equal(a, keep, sizeof a);
    /* dtype and device disagreements still named */
    DLTensor to = dl(o, 2, shape, NULL, 0), b16 = tb;
    b16.dtype = (DLDataType){kDLBfloat, 16, 1};
    assert_int_equal(fg_add(&to, &ta, &b16, 1.0), FG_ERR_DTYPE);
    assert_non_null(strstr(fg_last_error(), "b has dtype bfloat16, out has float32"));
    DLTensor bdev = tb;
    bdev.device.device_id = 1;
    assert_int_equal(fg_add(&to, &ta, &bdev, 1.0), FG_ERR_DEVICE);
    assert_non_null(strstr(fg_last_error(), "b is on device 1, out on device 0"));
    DLTensor bnull = tb;
    bnull.data = NULL;
    assert_int_equal(fg_add(&to, &ta, &bnull, 1.0), FG_ERR_NULL);
    assert_non_null(strstr(fg_last_error(), "b->data is NULL"));
    DLTensor bshape = tb;
    bshape.shape = NULL;
    assert_int_equal(fg_add(&to, &ta, &bshape, 1.0), FG_ERR_NULL);
    /* a byte offset that overflows with the extent is refused for an input
     * even where out's own offset is fine */
    DLTensor bbig = tb;
    bbig.byte_offset = (uint64_t)INT64_MAX - 8;
    assert_int_equal(fg_add(&to, &ta, &bbig, 1.0), FG_ERR_OVERFLOW);
    /* a softmax whose x is laid out as out, and one whose x is not */
    float x[16], y[16];
    fill(x, 16, 0.0f);
    DLTensor tx = dl(x, 2, shape, NULL, 0), ty = dl(y, 2, shape, NULL, 0);
    assert_int_equal(fg_softmax(&ty, &tx, -1), FG_OK);
    for (int r = 0; r < 4; r++) {
        double s = 0;
        for (int j = 0; j < 4; j++) s += y[4 * r + j];
        assert_true(fabs(s - 1.0) < 1e-5);
    }
    int64_t other[2] = {2, 8};
    DLTensor ty2 = dl(y, 2, other, NULL, 0);
    assert_int_equal(fg_softmax(&ty2, &tx, -1), FG_ERR_SHAPE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_view_matches_checked),
        cmocka_unit_test(test_same_layout_results),
        cmocka_unit_test(test_same_layout_refusals),
    };
    return cmocka_run_group_tests_name("tensor_view", tests, NULL, NULL);
}
