/* Helpers of the graduation tests: metadata entries with chosen validation
 * results (a kspec), registered through the store as the testing tools
 * would leave them. Builds on tests/metadata/meta_test.h (scratch folders,
 * ST_OK / ST_ERR, whole-file read and write). */
#ifndef FG_TESTS_GRAD_TEST_H
#define FG_TESTS_GRAD_TEST_H

#include "../metadata/meta_test.h"

#include "experimental/graduation/graduation.h"

/* What one kernel's metadata says. */
typedef struct kspec {
    const char *op_name;
    const char *category;
    const char *status;       /* reached from EXPERIMENTAL one allowed step at a time */
    const char *since;        /* in_experimental_since */
    int acc_run;              /* accuracy tests ran (last_run set) */
    int acc_passed;
    int shapes;               /* distinct shapes in coverage (split over two dtypes) */
    int cases;
    double speedups[8];
    int n_speedups;
    const char *devices[6];   /* tested_devices */
    int n_devices;
    int review, docs;
    const char *file_path;
    const char *blocking;     /* one blocking issue, or NULL */
    int eligible_flag;        /* graduation_tracking.eligible as stored */
} kspec;

/* Passes every default criterion with version "0.3.0": 2 versions, 24
 * shapes, speedups >= 0.8, 2 platforms, review and docs. */
static inline kspec ks_eligible(void)
{
    kspec k = {.op_name = "fast_gelu",
               .category = "pointwise",
               .status = "VALIDATED",
               .since = "v0.1",
               .acc_run = 1,
               .acc_passed = 1,
               .shapes = 24,
               .cases = 72,
               .speedups = {1.25, 0.95, 1.6},
               .n_speedups = 3,
               .devices = {"cpu-zen3", "NVIDIA-H100"},
               .n_devices = 2,
               .review = 1,
               .docs = 1,
               .file_path = "src/experimental/custom/pointwise/fast_gelu.c"};
    return k;
}

#define GT_VERSION "0.3.0"

/* The entry JSON (status EXPERIMENTAL: register_op accepts only that). */
static inline char *ks_json(const kspec *k)
{
    static char buf[16384];
    size_t n = 0;
#define PUT(...) n += (size_t)snprintf(buf + n, sizeof buf - n, __VA_ARGS__)
    PUT("{\"op_name\": \"%s\", \"category\": \"%s\", \"code_location\": {\"file_path\": \"%s\", "
        "\"line_start\": 1, \"line_end\": 20}, ",
        k->op_name, k->category, k->file_path);
    PUT("\"validation_info\": {\"accuracy_tests\": {\"passed\": %s, \"test_cases\": %d, \"last_run\": %s, "
        "\"coverage\": {\"float32\": [",
        k->acc_passed ? "true" : "false", k->cases, k->acc_run ? "\"2026-11-20T10:00:00Z\"" : "null");
    for (int i = 0; i < k->shapes; i += 2) PUT("%s\"(%d, 64)\"", i ? ", " : "", i + 1);
    PUT("], \"float16\": [");
    for (int i = 1; i < k->shapes; i += 2) PUT("%s\"(%d, 64)\"", i > 1 ? ", " : "", i + 1);
    PUT("]}}, \"performance_tests\": {\"last_run\": %s, \"baselines\": [",
        k->n_speedups ? "\"2026-11-20T11:00:00Z\"" : "null");
    for (int i = 0; i < k->n_speedups; i++)
        PUT("%s{\"device\": \"cpu-zen3\", \"shape\": [%d, 4096], \"dtype\": \"float32\", \"speedup\": %.17g, "
            "\"memory_overhead\": 0.0, \"reference_impl\": \"stable\", \"timestamp\": \"2026-11-20T11:00:00Z\"}",
            i ? ", " : "", 1 << i, k->speedups[i]);
    PUT("]}}, \"hardware_support\": {\"tested_devices\": [");
    for (int i = 0; i < k->n_devices; i++) PUT("%s\"%s\"", i ? ", " : "", k->devices[i]);
    PUT("]}, \"graduation_tracking\": {\"in_experimental_since\": \"%s\", \"eligible\": %s, "
        "\"blocking_issues\": [%s%s%s], \"checklist\": {\"code_review_approved\": %s, "
        "\"documentation_complete\": %s, \"accuracy_passed\": %s}}}",
        k->since, k->eligible_flag ? "true" : "false", k->blocking ? "\"" : "", k->blocking ? k->blocking : "",
        k->blocking ? "\"" : "", k->review ? "true" : "false", k->docs ? "true" : "false",
        k->acc_passed ? "true" : "false");
#undef PUT
    return buf;
}

static const char *const ks_chain[] = {"EXPERIMENTAL", "VALIDATED", "GRADUATION_CANDIDATE", "GRADUATED", "STABLE"};

static inline void ks_add(fgi_meta_store *s, const char *id, const kspec *k)
{
    ST_OK(fgi_meta_register_op(s, id, ks_json(k)));
    for (int i = 1; i < 5 && strcmp(ks_chain[i - 1], k->status) != 0; i++) {
        char patch[96];
        snprintf(patch, sizeof patch, "{\"status\": \"%s\"}", ks_chain[i]);
        ST_OK(fgi_meta_update_op(s, id, patch));
    }
}

/* A store in a scratch folder with one kernel; *op is its view. */
typedef struct kfix {
    mt_repo repo;
    fgi_meta_store *store;
    const fgi_meta_op *op;
} kfix;

static inline void kfix_open(kfix *f, const kspec *k)
{
    mt_repo_init(&f->repo);
    fgi_meta_options o = {.kind = FGI_META_KIND_METADATA, .flags = FGI_META_CREATE, .repo_root = f->repo.root};
    ST_OK(fgi_meta_open(f->repo.file, &o, &f->store));
    ks_add(f->store, "fast_gelu.cpu.custom.avx2_v1", k);
    ST_OK(fgi_meta_get_op(f->store, "fast_gelu.cpu.custom.avx2_v1", &f->op));
}

static inline void kfix_close(kfix *f)
{
    fgi_meta_op_release(f->op);
    fgi_meta_close(f->store);
    mt_repo_free(&f->repo);
}

/* Judges one spec with `policy` (NULL: defaults) at GT_VERSION. */
static inline fgi_grad_report ks_judge(const kspec *k, const fgi_grad_policy *policy)
{
    kfix f;
    kfix_open(&f, k);
    fgi_grad_report r;
    ST_OK(fgi_grad_check_all(f.op, policy, GT_VERSION, &r));
    kfix_close(&f);
    return r;
}

#endif
