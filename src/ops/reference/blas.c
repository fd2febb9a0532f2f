/* Reference mm and bmm: the accuracy oracle. Plain loops over any strides,
 * float64 accumulation, one rounding to the output dtype at the end. Kept
 * free of blocking tricks so that it is obviously right; speed only matters
 * enough for the test suite to compare 1024^3 products in seconds. */
#include "core/error.h"
#include "ops/registry.h"

/* Output columns handled per pass: the float64 accumulators live on the
 * stack (no workspace, so the oracle cannot fail), and the row of b that
 * one a[i,p] scales is read contiguously when b is row-major. */
#define REF_COLS 256

/* acc[0..n) += a * b[j*cs] for j < n. Switching on the dtype outside the
 * loop lets the float32 case vectorize. */
static void axpy_row(double *acc, double a, const char *b, int64_t cs, int64_t n, fgi_dtype dt)
{
    switch (dt) {
    case FGI_F32: {
        const float *p = (const float *)b;
        for (int64_t j = 0; j < n; j++) acc[j] += a * (double)p[j * cs];
        break;
    }
    case FGI_F16: {
        const uint16_t *p = (const uint16_t *)b;
        for (int64_t j = 0; j < n; j++) acc[j] += a * (double)fgi_f16_to_f32(p[j * cs]);
        break;
    }
    default: {
        const uint16_t *p = (const uint16_t *)b;
        for (int64_t j = 0; j < n; j++) acc[j] += a * (double)fgi_bf16_to_f32(p[j * cs]);
        break;
    }
    }
}

/* out[i,j] = sum_p a[i,p] * b[p,j] for one product; strides in elements,
 * rs = row stride, cs = column stride. The sum runs over p in increasing
 * order for every element. K == 0 stores zeros. */
static void ref_product(char *out, int64_t ors, int64_t ocs, const char *a, int64_t ars,
                        int64_t acs, const char *b, int64_t brs, int64_t bcs, int64_t m,
                        int64_t n, int64_t k, fgi_dtype dt)
{
    const int64_t es = fgi_dtype_size(dt);
    double acc[REF_COLS];
    for (int64_t i = 0; i < m; i++) {
        for (int64_t j0 = 0; j0 < n; j0 += REF_COLS) {
            int64_t nj = n - j0 < REF_COLS ? n - j0 : REF_COLS;
            for (int64_t j = 0; j < nj; j++) acc[j] = 0.0;
            for (int64_t p = 0; p < k; p++) {
                double av = fgi_load_f64(a + (i * ars + p * acs) * es, dt);
                axpy_row(acc, av, b + (p * brs + j0 * bcs) * es, bcs, nj, dt);
            }
            for (int64_t j = 0; j < nj; j++)
                fgi_store_f64(out + (i * ors + (j0 + j) * ocs) * es, dt, acc[j]);
        }
    }
}

fg_status fgi_ref_mm(const fgi_call *call)
{
    const fgi_tensor *o = &call->out, *a = &call->in[0], *b = &call->in[1];
    ref_product(o->data, o->strides[0], o->strides[1], a->data, a->strides[0], a->strides[1],
                b->data, b->strides[0], b->strides[1], call->m, call->n, call->k, call->dtype);
    return FG_OK;
}

fg_status fgi_ref_bmm(const fgi_call *call)
{
    const fgi_tensor *o = &call->out, *a = &call->in[0], *b = &call->in[1];
    const int64_t es = fgi_dtype_size(call->dtype);
    for (int64_t bi = 0; bi < call->outer; bi++)
        ref_product(o->data + bi * o->strides[0] * es, o->strides[1], o->strides[2],
                    a->data + bi * a->strides[0] * es, a->strides[1], a->strides[2],
                    b->data + bi * b->strides[0] * es, b->strides[1], b->strides[2], call->m,
                    call->n, call->k, call->dtype);
    return FG_OK;
}
