/* 01_basic_usage: turn experimental kernels on, call ops as usual, see
 * which kernel served each call, list the experimental kernels, read the
 * dispatcher's statistics, turn them off again.
 * Build: cc 01_basic_usage.c -I include -L build/lib -lflaggems */
#define FG_EXPERIMENTAL_API
#include <flaggems/experimental.h>

#include <stdio.h>

#define CHECK(call)                                                     \
    do {                                                                \
        if ((call) != FG_OK) {                                          \
            fprintf(stderr, "%s failed: %s\n", #call, fg_last_error()); \
            return 1;                                                   \
        }                                                               \
    } while (0)

int main(void)
{
    enum { ROWS = 4, COLS = 256 };
    static float x[ROWS * COLS], y[ROWS * COLS], w[COLS];
    for (int i = 0; i < ROWS * COLS; i++) x[i] = (float)((i * 37) % 100) / 25.0f - 2.0f;
    for (int i = 0; i < COLS; i++) w[i] = 1.0f + (float)i / COLS;
    int64_t shape[2] = {ROWS, COLS}, hidden[1] = {COLS};
    DLTensor X = {.data = x, .device = {kDLCPU, 0}, .ndim = 2, .dtype = {kDLFloat, 32, 1}, .shape = shape};
    DLTensor Y = X, W = X;
    Y.data = y;
    W.data = w;
    W.ndim = 1;
    W.shape = hidden;

    /* Off by default: ops run on the stable kernels. */
    CHECK(fg_softmax(&Y, &X, -1));
    printf("disabled: softmax served by %s\n", fg_last_kernel());

    /* Opt in: every group (0), fall back on errors (1), no first-use
     * message (0), no config overrides (NULL). Same as starting the program
     * with FLAGGEMS_EXP_ENABLE=all. */
    CHECK(fg_exp_enable(0, 1, 0, NULL));
    CHECK(fg_softmax(&Y, &X, -1));
    printf("enabled:  softmax served by %s\n", fg_last_kernel());
    CHECK(fg_rms_norm(&Y, &X, &W, 1e-6));
    printf("enabled:  rms_norm served by %s\n", fg_last_kernel());
    /* An experimental-only op has its own typed entry point. */
    CHECK(fg_exp_fast_gelu(&Y, &X));
    printf("enabled:  fast_gelu served by %s, y[0] = %.5f\n", fg_last_kernel(), y[0]);

    /* What is there, and in which state. */
    fg_exp_kernel_info info[32];
    size_t n;
    CHECK(fg_exp_list_ops(NULL, NULL, info, 32, &n));
    printf("\n%zu experimental kernels:\n", n);
    for (size_t i = 0; i < n && i < 32; i++)
        printf("  %-38s %-10s %-7s %s%s\n", info[i].id, info[i].category, info[i].group,
               info[i].specialized ? "shape-specialized" : "general",
               info[i].available ? "" : " (needs AVX2+FMA+F16C)");

    /* Repeated calls hit the perf cache. */
    for (int i = 0; i < 100; i++) CHECK(fg_softmax(&Y, &X, -1));
    fg_exp_statistics st;
    CHECK(fg_exp_stats(&st));
    printf("\n%llu calls, %llu experimental, hit rate %.3f, %llu cache entries\n",
           (unsigned long long)st.calls, (unsigned long long)st.experimental_calls, st.hit_rate,
           (unsigned long long)st.cache_entries);

    CHECK(fg_exp_disable());
    CHECK(fg_softmax(&Y, &X, -1));
    printf("disabled again: softmax served by %s\n", fg_last_kernel());
    return st.calls >= 103 && st.hit_rate > 0.9 ? 0 : 1;
}
