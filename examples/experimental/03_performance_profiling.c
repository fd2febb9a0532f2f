/* 03_performance_profiling: benchmark an experimental kernel against its
 * baselines (fg_exp_benchmark), read the report, keep the results in the
 * performance database, and watch the dispatcher start warm from them
 * instead of measuring again.
 * Build: cc 03_performance_profiling.c -I include -L build/lib -lflaggems
 * Run with FLAGGEMS_EXP_PERF_DB=/tmp/perf.db to keep the database out of
 * ~/.cache (an empty value turns the database off). */
#define FG_EXPERIMENTAL_API
#include <flaggems/experimental.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHECK(call)                                                                                          \
    do {                                                                                                     \
        if ((call) != FG_OK) {                                                                               \
            fprintf(stderr, "%s failed: %s\n", #call, fg_last_error());                                      \
            return 1;                                                                                        \
        }                                                                                                    \
    } while (0)

int main(void)
{
    char db[1024];
    CHECK(fg_exp_perfdb_path(db, sizeof db));
    printf("performance database: %s\n\n", db[0] ? db : "(disabled)");

    /* The fast_gelu kernels this CPU can run, in dispatch order: the
     * custom ones first, the reference last. */
    fg_exp_kernel_info info[8];
    size_t n;
    CHECK(fg_exp_get_op_info("fast_gelu", info, 8, &n));
    const char *kernel = NULL;
    char baselines[512] = "";
    int custom = 0;
    for (size_t i = 0; i < n && i < 8; i++) {
        if (!info[i].available) continue;
        if (!kernel) {
            kernel = info[i].id;
        } else {
            strcat(baselines, baselines[0] ? "," : "");
            strncat(baselines, info[i].id, sizeof baselines - strlen(baselines) - 2);
        }
        custom += strcmp(info[i].group, "custom") == 0;
    }
    if (!kernel) return 1;

    /* Two LLaMA-sized activations; each config gets 50 ms, the candidates
     * take turns sample by sample, and the results go into the database. */
    fg_exp_bench_options opt = {.warmup = 3, .repeat = 10, .budget_ms = 50, .record = 1};
    const char *configs = "[{\"shape\": [1, 4096], \"label\": \"decode token\"},"
                          " {\"shape\": [64, 4096], \"dtype\": \"bfloat16\", \"label\": \"64 tokens\"}]";
    char *md = NULL, *json = NULL;
    CHECK(fg_exp_benchmark(kernel, baselines, configs, &opt, &md, &json));
    fputs(md, stdout);
    printf("\n(the same report as JSON: %zu bytes, e.g. for a CI dashboard)\n\n", strlen(json));
    fg_exp_free(md);
    fg_exp_free(json);

    /* The dispatcher on a cold miss would time the custom kernels before
     * choosing; the benchmark above already measured them on this shape,
     * machine and build, so it takes their times from the database. */
    CHECK(fg_exp_enable(FG_EXP_GROUP_CUSTOM, 1, 0, NULL));
    CHECK(fg_exp_reset_stats());
    enum { ROWS = 64, COLS = 4096 };
    uint16_t *x = calloc(ROWS * COLS, sizeof *x), *y = calloc(ROWS * COLS, sizeof *y);
    if (!x || !y) return 1;
    for (int i = 0; i < ROWS * COLS; i++) x[i] = (uint16_t)(0x3f80 + (i % 64)); /* bfloat16 1.0 .. 1.49 */
    int64_t shape[2] = {ROWS, COLS};
    DLTensor X = {.data = x, .device = {kDLCPU, 0}, .ndim = 2, .dtype = {kDLBfloat, 16, 1}, .shape = shape};
    DLTensor Y = X;
    Y.data = y;
    CHECK(fg_exp_fast_gelu(&Y, &X));
    fg_exp_statistics st;
    CHECK(fg_exp_stats(&st));
    printf("dispatch of fast_gelu [64, 4096] bfloat16: served by %s; measured %llu time(s), "
           "warm-started %llu time(s) from the database\n",
           fg_last_kernel(), (unsigned long long)st.profiled, (unsigned long long)st.perfdb_warm_starts);
    free(x);
    free(y);
    CHECK(fg_exp_disable());
    /* With a database and two custom kernels to choose between, the choice
     * must have come from the benchmark's rows. */
    if (db[0] && custom >= 2 && st.perfdb_warm_starts != 1) {
        fprintf(stderr, "expected a warm start from the performance database\n");
        return 1;
    }
    return 0;
}
