/* 07_add_generated_op, part 2: use the committed generated kernels.
 *
 * Generated kernels are experimental: a program opts in (here with
 * fg_exp_enable; or FLAGGEMS_EXP_ENABLE=generated). With profiling on (the
 * default), the dispatcher times each candidate for a shape once, the
 * stable kernel included, and keeps the fastest; a generated kernel that
 * fails falls back to the stable one. This program lists the generated
 * rms_norm kernels, runs rms_norm on a Llama-style shape, prints which
 * kernel served it, and checks the result against the reference kernel. */
#define FG_EXPERIMENTAL_API
#include <flaggems/experimental.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ROWS 64
#define HIDDEN 4096

static DLTensor tensor(float *data, int ndim, int64_t *shape)
{
    return (DLTensor){.data = data, .device = {kDLCPU, 0}, .ndim = ndim, .dtype = {kDLFloat, 32, 1},
                      .shape = shape};
}

int main(void)
{
    fg_exp_kernel_info info[32];
    size_t n = 0;
    if (fg_exp_get_op_info("rms_norm", info, 32, &n) != FG_OK) {
        fprintf(stderr, "fg_exp_get_op_info: %s\n", fg_last_error());
        return 1;
    }
    printf("rms_norm kernels, in the order the dispatcher tries them:\n");
    int generated = 0;
    for (size_t i = 0; i < n; i++) {
        printf("  %-32s %-12s %s%s\n", info[i].id, info[i].tier, info[i].group,
               info[i].specialized ? " (shape-specialized)" : "");
        generated += strcmp(info[i].group, "generated") == 0;
    }
    if (generated < 3) {
        fprintf(stderr, "expected at least three generated rms_norm kernels, found %d\n", generated);
        return 1;
    }

    static float x[ROWS * HIDDEN], w[HIDDEN], out[ROWS * HIDDEN], ref[ROWS * HIDDEN];
    for (int i = 0; i < ROWS * HIDDEN; i++) x[i] = sinf(0.001f * (float)i) * 3.0f;
    for (int i = 0; i < HIDDEN; i++) w[i] = 1.0f + 0.01f * (float)(i % 7);
    int64_t xs[2] = {ROWS, HIDDEN}, ws[1] = {HIDDEN};
    DLTensor tx = tensor(x, 2, xs), tw = tensor(w, 1, ws), to = tensor(out, 2, xs), tr = tensor(ref, 2, xs);

    if (fg_exp_force_kernel("rms_norm.cpu.reference") != FG_OK || fg_rms_norm(&tr, &tx, &tw, 1e-6) != FG_OK) {
        fprintf(stderr, "reference: %s\n", fg_last_error());
        return 1;
    }
    fg_exp_force_kernel(NULL);

    /* opt in: generated kernels, fallback on, warnings off */
    if (fg_exp_enable(FG_EXP_GROUP_GENERATED, 1, 0, NULL) != FG_OK) {
        fprintf(stderr, "fg_exp_enable: %s\n", fg_last_error());
        return 1;
    }
    for (int call = 0; call < 3; call++) {
        if (fg_rms_norm(&to, &tx, &tw, 1e-6) != FG_OK) {
            fprintf(stderr, "fg_rms_norm: %s\n", fg_last_error());
            return 1;
        }
        printf("call %d served by %s\n", call, fg_last_kernel());
    }
    double worst = 0;
    for (int i = 0; i < ROWS * HIDDEN; i++) {
        double e = fabs((double)out[i] - ref[i]) / (1e-4 + 1.3e-6 * fabs(ref[i]));
        if (e > worst) worst = e;
    }
    printf("largest error / tolerance: %.3f\n", worst);
    fg_exp_disable();
    return worst <= 1.0 ? 0 : 1;
}
