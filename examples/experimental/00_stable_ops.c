/* 00_stable_ops: the stable API in a few lines — wrap caller memory in
 * DLTensors, call ops, read errors, see which kernel served a call.
 * Build: cc 00_stable_ops.c -I include -L build/lib -lflaggems */
#include <stdio.h>

#include <flaggems/flaggems.h>

int main(void)
{
    float xs[2 * 3] = {1, 2, 3, 4, 5, 6}, ys[2 * 3], row_sums[2];
    int64_t shape[2] = {2, 3}, rows[1] = {2};
    DLTensor x = {.data = xs, .device = {kDLCPU, 0}, .ndim = 2, .dtype = {kDLFloat, 32, 1},
                  .shape = shape};
    DLTensor y = x;
    y.data = ys;
    DLTensor s = {.data = row_sums, .device = {kDLCPU, 0}, .ndim = 1,
                  .dtype = {kDLFloat, 32, 1}, .shape = rows};

    /* softmax over the last dim, then the sum of each row (1 up to rounding) */
    if (fg_softmax(&y, &x, -1) != FG_OK) {
        fprintf(stderr, "error: %s\n", fg_last_error());
        return 1;
    }
    printf("softmax row 0: %.4f %.4f %.4f (kernel %s)\n", ys[0], ys[1], ys[2], fg_last_kernel());
    if (fg_sum(&s, &y, -1, 0) != FG_OK) {
        fprintf(stderr, "error: %s\n", fg_last_error());
        return 1;
    }
    printf("row sums: %.6f %.6f (kernel %s)\n", row_sums[0], row_sums[1], fg_last_kernel());

    /* in place: out may be exactly the same view as the input */
    if (fg_gelu(&x, &x, FG_GELU_TANH) != FG_OK) return 1;
    printf("gelu_tanh in place: %.4f ... %.4f\n", xs[0], xs[5]);

    /* a refused call explains itself and writes nothing */
    int64_t wrong[2] = {3, 2};
    y.shape = wrong;
    fg_status st = fg_softmax(&y, &x, -1);
    printf("wrong shape -> %s\n  %s\n", fg_status_name(st), fg_last_error());
    if (st != FG_ERR_SHAPE) return 1;
    return (row_sums[0] > 0.999f && row_sums[0] < 1.001f) ? 0 : 1;
}
