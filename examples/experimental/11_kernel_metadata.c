/* 11_kernel_metadata: the metadata the dispatcher runs with.
 *
 * The library embeds src/experimental/generated/_metadata.json at build
 * time, so this program needs no source tree: it lists each experimental
 * kernel's status and expected speedup as the dispatcher sees them. Then it
 * writes its own metadata file, in which the custom softmax kernel is
 * DEPRECATED and the custom layer_norm kernel takes only inputs of at least
 * 65 536 elements, and runs itself again with FLAGGEMS_EXP_METADATA
 * pointing at it (the variable is read once, before the first op call) to
 * show the effect on dispatch.
 * Build: cc 11_kernel_metadata.c -I include -L build/lib -lflaggems */
#define FG_EXPERIMENTAL_API
#include <flaggems/experimental.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CHECK(call)                                                     \
    do {                                                                \
        if ((call) != FG_OK) {                                          \
            fprintf(stderr, "%s failed: %s\n", #call, fg_last_error()); \
            return 1;                                                   \
        }                                                               \
    } while (0)

#define SOFTMAX_CUSTOM "softmax.cpu.custom.rows_le_1024_v1"
#define NORM_CUSTOM "layer_norm.cpu.custom.h64_v1"

/* One `ops` entry: every key of the schema is required. */
static void entry(FILE *f, const char *id, const char *op, const char *uuid, const char *status,
                  const char *constraints, const char *file, int first, int last)
{
    fprintf(f,
            "\"%s\": {\"op_name\": \"%s\", \"op_id\": \"%s\", \"category\": \"reduction\", "
            "\"status\": \"%s\",\n"
            " \"generation_info\": {\"generator_tool\": null, \"generator_version\": null, "
            "\"source_template\": null, \"generation_date\": null, \"generation_config\": {}},\n"
            " \"validation_info\": {\"accuracy_tests\": {\"passed\": false, \"test_cases\": 0, "
            "\"last_run\": null, \"coverage\": {}}, \"performance_tests\": {\"baselines\": [], "
            "\"last_run\": null}},\n"
            " \"hardware_support\": {\"tested_devices\": [], \"optimal_devices\": [], "
            "\"shape_constraints\": %s},\n"
            " \"graduation_tracking\": {\"eligible\": false, \"in_experimental_since\": \"v0.1.0\", "
            "\"checklist\": {\"stable_period_met\": false, \"accuracy_passed\": false, "
            "\"performance_passed\": false, \"multi_hardware_validated\": false, "
            "\"code_review_approved\": false, \"documentation_complete\": false}, "
            "\"blocking_issues\": []},\n"
            " \"code_location\": {\"file_path\": \"%s\", \"line_start\": %d, \"line_end\": %d, "
            "\"commit_hash\": null}}",
            id, op, uuid, status, constraints, file, first, last);
}

static int write_override(const char *path)
{
    FILE *f = fopen(path, "w");
    if (!f) return 1;
    fputs("{\"version\": \"1.0\", \"last_updated\": \"2026-01-01T00:00:00Z\", \"ops\": {\n", f);
    entry(f, SOFTMAX_CUSTOM, "softmax", "3f1c2b9a-1d2e-4c3b-9a8f-0e1d2c3b4a59", "DEPRECATED", "{}",
          "src/experimental/custom/reduction/softmax_rows_avx2.c", 241, 252);
    fputs(",\n", f);
    entry(f, NORM_CUSTOM, "layer_norm", "9b7e6d5c-4a3b-4c2d-8e1f-a0b1c2d3e4f5", "EXPERIMENTAL",
          "{\"min_size\": 65536, \"last_dim_multiple\": 64}",
          "src/experimental/custom/reduction/norm_h64_avx2.c", 270, 316);
    fputs("}}\n", f);
    return fclose(f) != 0;
}

static int list_kernels(void)
{
    fg_exp_kernel_info info[32];
    size_t n;
    CHECK(fg_exp_list_ops(NULL, NULL, info, 32, &n));
    for (size_t i = 0; i < n && i < 32; i++)
        printf("  %-36s %-13s expected speedup (float32) %s%.2f%s\n", info[i].id, info[i].status,
               info[i].expected_speedup > 0 ? "x" : "", info[i].expected_speedup,
               info[i].enabled ? "" : "  (not dispatched)");
    return 0;
}

/* Runs op on [rows, cols] float32; the serving kernel's id. */
static const char *serve(const char *op, int64_t rows, int64_t cols)
{
    static float x[64 * 1024], y[64 * 1024], w[1024];
    for (int64_t i = 0; i < rows * cols; i++) x[i] = (float)((i * 37) % 100) / 25.0f - 2.0f;
    for (int64_t i = 0; i < cols; i++) w[i] = 1.0f;
    int64_t shape[2] = {rows, cols}, hidden[1] = {cols};
    DLTensor X = {.data = x, .device = {kDLCPU, 0}, .ndim = 2, .dtype = {kDLFloat, 32, 1}, .shape = shape};
    DLTensor Y = X, W = X;
    Y.data = y;
    W.data = w;
    W.ndim = 1;
    W.shape = hidden;
    fg_status s = !strcmp(op, "softmax") ? fg_softmax(&Y, &X, -1) : fg_layer_norm(&Y, &X, &W, NULL, 1e-5);
    if (s != FG_OK) {
        fprintf(stderr, "%s: %s\n", op, fg_last_error());
        return "(failed)";
    }
    return fg_last_kernel();
}

static int have_avx2(void) { return strcmp(fg_cpu_isa_name(), "avx2") == 0; }

int main(int argc, char **argv)
{
    CHECK(fg_exp_enable(FG_EXP_GROUP_CUSTOM, 1, 0, "{\"enable_profiling\": false}"));
    if (argc > 1 && !strcmp(argv[1], "--override")) {
        printf("\nwith FLAGGEMS_EXP_METADATA=%s:\n", getenv("FLAGGEMS_EXP_METADATA"));
        if (list_kernels()) return 1;
        const char *sm = serve("softmax", 4, 256), *small = serve("layer_norm", 4, 256),
                   *big = serve("layer_norm", 64, 1024);
        printf("softmax [4,256] served by %s\nlayer_norm [4,256] by %s, [64,1024] by %s\n", sm, small, big);
        if (!have_avx2()) return 0; /* the custom kernels need AVX2 */
        return strcmp(sm, SOFTMAX_CUSTOM) != 0 && strcmp(small, NORM_CUSTOM) != 0 && !strcmp(big, NORM_CUSTOM)
                   ? 0
                   : 1;
    }

    printf("metadata embedded at build time:\n");
    if (list_kernels()) return 1;
    const char *sm = serve("softmax", 4, 256);
    printf("softmax [4,256] served by %s\n", sm);
    if (have_avx2() && strcmp(sm, SOFTMAX_CUSTOM) != 0) return 1;

    char path[] = "/tmp/fg-example-metadata-XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0 || close(fd) != 0 || write_override(path) != 0) {
        perror("metadata file");
        return 1;
    }
    char cmd[512];
    snprintf(cmd, sizeof cmd, "FLAGGEMS_EXP_METADATA='%s' '/proc/%ld/exe' --override", path, (long)getpid());
    fflush(stdout);
    int rc = system(cmd);
    remove(path);
    return rc == 0 ? 0 : 1;
}
