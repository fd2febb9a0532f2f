/* The dispatcher's metadata: the copy of _metadata.json embedded at build
 * time (ctest runs this from a scratch folder: nothing is read from the
 * source tree), FLAGGEMS_EXP_METADATA overrides, and their effects on
 * dispatch: a DEPRECATED kernel is never used, expected speedups order the
 * candidates when nothing was measured, shape constraints are honored in
 * addition to supports(); a bad override is reported once and the embedded
 * copy used. */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "exp_test.h"
#include "experimental/dispatcher.h"
#include "experimental/meta_runtime.h"
#include "ops/registry.h"

#define SOFTMAX_CUSTOM "softmax.cpu.custom.rows_le_1024_v1"
#define NORM_CUSTOM "layer_norm.cpu.custom.h64_v1"
#define GELU_AVX2 "fast_gelu.cpu.custom.avx2_v1"
#define GELU_GENERIC "fast_gelu.cpu.custom.generic_v1"
/* profiling off: the order of the candidates is what the metadata says */
#define NO_PROFILING "{\"enable_profiling\": false}"

static bool have_avx2(void) { return strcmp(fg_cpu_isa_name(), "avx2") == 0; }

static const char *stable_id(const char *op, char *buf, size_t cap)
{
    snprintf(buf, cap, "%s.cpu.stable.%s", op, fg_cpu_isa_name());
    return buf;
}

/* Points the runtime at path (NULL: the embedded copy) and starts clean. */
static void use_metadata(const char *path)
{
    if (path)
        setenv("FLAGGEMS_EXP_METADATA", path, 1);
    else
        unsetenv("FLAGGEMS_EXP_METADATA");
    fgi_exp_meta_reload();
    et_reset();
    assert_int_equal(fg_exp_enable(FG_EXP_GROUP_CUSTOM, 1, 0, NO_PROFILING), FG_OK);
}

/* The embedded document with `patch` (an object {kernel_id: partial entry})
 * merged into its ops, written to the scratch folder as name. */
static const char *write_variant(const char *name, const char *patch, char *buf, size_t cap)
{
    json_error_t err;
    json_t *doc = json_loads(fgi_meta_embedded, 0, &err);
    assert_non_null(doc);
    json_t *p = json_loads(patch, 0, &err);
    if (!p) print_error("patch: %s\n", err.text);
    assert_non_null(p);
    json_t *ops = json_object_get(doc, "ops");
    const char *kid;
    json_t *entry;
    json_object_foreach(p, kid, entry)
    {
        json_t *e = json_object_get(ops, kid);
        assert_non_null(e);
        const char *sec;
        json_t *val;
        json_object_foreach(entry, sec, val)
        {
            json_t *dst = json_object_get(e, sec);
            if (json_is_object(dst) && json_is_object(val))
                json_object_update(dst, val);
            else
                json_object_set(e, sec, val);
        }
    }
    const char *path = et_tmp(name, buf, cap);
    assert_int_equal(json_dump_file(doc, path, JSON_SORT_KEYS | JSON_INDENT(2)), 0);
    json_decref(p);
    json_decref(doc);
    return path;
}

/* Runs op on a fresh float32 input of shape [rows, cols]; returns the
 * serving kernel's id (static storage of the library). */
static const char *serve(const char *op, int64_t rows, int64_t cols)
{
    int64_t shape[2] = {rows, cols};
    tu_tensor *x = et_rand(FGI_F32, 2, shape, 7, -3, 3), *out = tu_new(FGI_F32, 2, shape, TU_CONTIG);
    et_case c = {.op = op, .x = x, .dim = -1, .eps = 1e-5};
    fg_status s = et_run(&c, &out->t);
    if (s != FG_OK) print_error("%s: %s\n", op, fg_last_error());
    assert_int_equal(s, FG_OK);
    const char *kernel = fg_last_kernel();
    assert_true(et_matches(&c, out, op)); /* runs the reference */
    tu_free(x);
    tu_free(out);
    return kernel;
}

/* ---------------------------------------------------------------- embedded */

/* Every experimental kernel of the build has an entry; statuses and
 * expected speedups are the embedded document's (recomputed here from the
 * JSON: geometric mean of the dtype's baselines). */
static void test_embedded(void **state)
{
    (void)state;
    use_metadata(NULL);
    assert_string_equal(fgi_exp_meta_origin(), "embedded");
    json_error_t err;
    json_t *doc = json_loads(fgi_meta_embedded, 0, &err);
    assert_non_null(doc);
    json_t *ops = json_object_get(doc, "ops");
    assert_int_equal(fgi_exp_meta_kernel_count(), json_object_size(ops));
    int n;
    const fgi_kernel *const *all = fgi_kernels(&n);
    int experimental = 0;
    for (int i = 0; i < n; i++) {
        const fgi_kernel *k = all[i];
        if (k->tier != FGI_TIER_EXPERIMENTAL || k->ext) continue;
        experimental++;
        json_t *e = json_object_get(ops, k->id);
        if (!e) print_error("%s has no entry in the embedded metadata\n", k->id);
        assert_non_null(e);
        assert_string_equal(fgi_exp_kernel_status(k), json_string_value(json_object_get(e, "status")));
        assert_string_equal(json_string_value(json_object_get(e, "op_name")), fgi_op_name(k->op));
        double sum = 0;
        int cnt = 0;
        size_t j;
        json_t *b;
        json_array_foreach(json_object_get(json_object_get(json_object_get(e, "validation_info"),
                                                           "performance_tests"),
                                           "baselines"),
                           j, b)
        {
            if (strcmp(json_string_value(json_object_get(b, "dtype")), "float32") != 0) continue;
            sum += log(json_number_value(json_object_get(b, "speedup")));
            cnt++;
        }
        double want = cnt ? exp(sum / cnt) : 0.0;
        assert_float_equal(fgi_exp_expected_speedup(k, FGI_F32), want, 1e-9);
    }
    assert_true(experimental >= 5);
    /* the benchmark measured the custom softmax faster than stable */
    assert_true(fgi_exp_expected_speedup(fgi_kernel_find(SOFTMAX_CUSTOM), FGI_F32) > 1.0);
    json_decref(doc);
}

/* The embedded shape constraints of the custom norms (last dim a multiple
 * of 64, at most 16384) hold, and the kernels serve what they allow. */
static void test_embedded_constraints(void **state)
{
    (void)state;
    if (!have_avx2()) skip();
    use_metadata(NULL);
    char st[64];
    assert_string_equal(serve("layer_norm", 8, 128), NORM_CUSTOM);
    assert_string_equal(serve("layer_norm", 8, 100), stable_id("layer_norm", st, sizeof st));
    assert_string_equal(serve("softmax", 8, 1000), SOFTMAX_CUSTOM);
}

/* ---------------------------------------------------------------- overrides */

static void test_override_deprecated(void **state)
{
    (void)state;
    if (!have_avx2()) skip();
    char buf[512], st[64];
    const char *path = write_variant("meta_deprecated.json",
                                     "{\"" SOFTMAX_CUSTOM "\": {\"status\": \"DEPRECATED\"}}", buf, sizeof buf);
    use_metadata(path);
    assert_string_equal(fgi_exp_meta_origin(), path);
    assert_string_equal(fgi_exp_kernel_status(fgi_kernel_find(SOFTMAX_CUSTOM)), "DEPRECATED");
    assert_string_equal(serve("softmax", 8, 64), stable_id("softmax", st, sizeof st));
    /* listing still shows the kernel, with its status */
    fg_exp_kernel_info info[8];
    size_t count = 0;
    assert_int_equal(fg_exp_get_op_info("softmax", info, 8, &count), FG_OK);
    bool seen = false;
    for (size_t i = 0; i < count && i < 8; i++)
        if (!strcmp(info[i].id, SOFTMAX_CUSTOM)) {
            seen = true;
            assert_string_equal(info[i].status, "DEPRECATED");
            assert_int_equal(info[i].enabled, 0);
        }
    assert_true(seen);
    /* back to the embedded copy: the custom kernel serves again */
    use_metadata(NULL);
    assert_string_equal(serve("softmax", 8, 64), SOFTMAX_CUSTOM);
    assert_int_equal(fg_exp_get_op_info(SOFTMAX_CUSTOM, info, 8, &count), FG_OK);
    assert_int_equal(count, 1);
    assert_string_not_equal(info[0].status, "DEPRECATED");
    assert_int_equal(info[0].enabled, 1);
}

static const char *gelu_baselines(double avx2, double generic, char *buf, size_t cap)
{
    static const char *const fmt =
        "{\"" GELU_AVX2 "\": {\"validation_info\": {\"performance_tests\": {\"last_run\": null, \"baselines\": ["
        "{\"device\": \"cpu\", \"dtype\": \"float32\", \"shape\": [64, 64], \"speedup\": %g, "
        "\"memory_overhead\": 0.0, \"reference_impl\": \"stable\", \"timestamp\": \"2026-01-01T00:00:00Z\"}]}}},"
        "\"" GELU_GENERIC "\": {\"validation_info\": {\"performance_tests\": {\"last_run\": null, \"baselines\": ["
        "{\"device\": \"cpu\", \"dtype\": \"float32\", \"shape\": [64, 64], \"speedup\": %g, "
        "\"memory_overhead\": 0.0, \"reference_impl\": \"stable\", \"timestamp\": \"2026-01-01T00:00:00Z\"},"
        "{\"device\": \"cpu\", \"dtype\": \"bfloat16\", \"shape\": [64, 64], \"speedup\": 0.5, "
        "\"memory_overhead\": 0.0, \"reference_impl\": \"stable\", \"timestamp\": \"2026-01-01T00:00:00Z\"}]}}}}";
    snprintf(buf, cap, fmt, avx2, generic);
    return buf;
}

/* Two general custom fast_gelu kernels, profiling off: the one the
 * metadata expects faster serves, whatever their priorities say. */
static void test_override_speedup(void **state)
{
    (void)state;
    if (!have_avx2()) skip();
    char patch[2048], buf[512];
    use_metadata(write_variant("meta_speedup_generic.json", gelu_baselines(1.1, 3.0, patch, sizeof patch),
                               buf, sizeof buf));
    const fgi_kernel *g = fgi_kernel_find(GELU_GENERIC);
    assert_float_equal(fgi_exp_expected_speedup(g, FGI_F32), 3.0, 1e-12);
    assert_float_equal(fgi_exp_expected_speedup(g, FGI_BF16), 0.5, 1e-12);
    /* no float16 baseline: the mean over all of them */
    assert_float_equal(fgi_exp_expected_speedup(g, FGI_F16), sqrt(3.0 * 0.5), 1e-12);
    assert_string_equal(serve("fast_gelu", 16, 64), GELU_GENERIC);
    use_metadata(write_variant("meta_speedup_avx2.json", gelu_baselines(3.0, 1.1, patch, sizeof patch), buf,
                               sizeof buf));
    assert_string_equal(serve("fast_gelu", 16, 64), GELU_AVX2);
}

/* Constraints from the metadata narrow what supports() accepts. */
static void test_override_constraints(void **state)
{
    (void)state;
    if (!have_avx2()) skip();
    char buf[512], st[64];
    use_metadata(write_variant("meta_constraints.json",
                               "{\"" NORM_CUSTOM "\": {\"hardware_support\": {\"shape_constraints\": "
                               "{\"min_size\": 4096, \"last_dim_multiple\": 128, \"note\": \"kept, ignored\"}}},"
                               "\"" SOFTMAX_CUSTOM "\": {\"hardware_support\": {\"shape_constraints\": "
                               "{\"dtypes\": [\"bfloat16\"]}}}}",
                               buf, sizeof buf));
    const char *stable = stable_id("layer_norm", st, sizeof st);
    assert_string_equal(serve("layer_norm", 64, 128), NORM_CUSTOM); /* 8192 elements, 128 | 128 */
    assert_string_equal(serve("layer_norm", 16, 128), stable);      /* 2048 < min_size */
    assert_string_equal(serve("layer_norm", 64, 192), stable);      /* 192 % 128 != 0 */
    /* one cache key (dims round up to 32 x 256) decided for the custom
     * kernel, then a call in it that the constraints refuse: checked per
     * call, as supports() is */
    assert_string_equal(serve("layer_norm", 32, 256), NORM_CUSTOM);
    assert_string_equal(serve("layer_norm", 32, 192), stable);
    assert_string_equal(serve("layer_norm", 32, 256), NORM_CUSTOM);
    assert_string_equal(serve("softmax", 8, 64), stable_id("softmax", st, sizeof st)); /* float32 */
}

/* A bad override: one warning, then the embedded copy; ops never fail. */
static void test_bad_override(void **state)
{
    (void)state;
    char path[512], log_path[512];
    et_tmp("meta_bad.json", path, sizeof path);
    et_tmp("meta_bad.log", log_path, sizeof log_path);
    remove(log_path);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("{\"version\": \"1.0\", \"ops\": {\"x\": ", f); /* truncated */
    fclose(f);
    const char *cases[2] = {path, "/nonexistent/flaggems/_metadata.json"};
    for (int c = 0; c < 2; c++) {
        setenv("FLAGGEMS_EXP_METADATA", cases[c], 1);
        fgi_exp_meta_reload();
        et_reset();
        assert_int_equal(fg_exp_set_option("log_file", log_path), FG_OK);
        assert_int_equal(fg_exp_enable(FG_EXP_GROUP_CUSTOM, 1, 0, NULL), FG_OK);
        for (int rep = 0; rep < 3; rep++) {
            serve("softmax", 4 + rep, 64);
            serve("layer_norm", 4, 64 * (rep + 1));
        }
        assert_string_equal(fgi_exp_meta_origin(), "embedded");
        assert_string_equal(fg_last_error(), "");
        char *log = et_read_file(log_path);
        char needle[700];
        snprintf(needle, sizeof needle, "FLAGGEMS_EXP_METADATA='%s' ignored: ", cases[c]);
        if (et_count(log, needle) != 1) print_error("log:\n%s\n", log);
        assert_int_equal(et_count(log, needle), 1);
        assert_int_equal(et_count(log, "using the metadata embedded at build time"), c + 1);
        free(log);
    }
    unsetenv("FLAGGEMS_EXP_METADATA");
    fgi_exp_meta_reload();
    et_reset();
}

/* ---------------------------------------------------------------- rules */

static void test_rule_accepts(void **state)
{
    (void)state;
    float data[64] __attribute__((aligned(64)));
    fgi_call call = {.op = FGI_OP_relu, .dtype = FGI_F32, .nin = 1, .contiguous = true};
    call.in[0] = (fgi_tensor){.data = (char *)data, .ndim = 2, .dtype = FGI_F32, .shape = {4, 16}, .numel = 64};
    call.out = call.in[0];
    fgi_exp_shape_rule r = {0};
    assert_true(fgi_exp_rule_accepts(&r, &call));
    r = (fgi_exp_shape_rule){.min_size = 65};
    assert_false(fgi_exp_rule_accepts(&r, &call));
    r = (fgi_exp_shape_rule){.min_size = 64, .max_size = 64};
    assert_true(fgi_exp_rule_accepts(&r, &call));
    r = (fgi_exp_shape_rule){.max_size = 63};
    assert_false(fgi_exp_rule_accepts(&r, &call));
    r = (fgi_exp_shape_rule){.min_last_dim = 16, .max_last_dim = 16, .last_dim_multiple = 8};
    assert_true(fgi_exp_rule_accepts(&r, &call));
    r = (fgi_exp_shape_rule){.max_last_dim = 15};
    assert_false(fgi_exp_rule_accepts(&r, &call));
    r = (fgi_exp_shape_rule){.min_last_dim = 17};
    assert_false(fgi_exp_rule_accepts(&r, &call));
    r = (fgi_exp_shape_rule){.last_dim_multiple = 32};
    assert_false(fgi_exp_rule_accepts(&r, &call));
    r = (fgi_exp_shape_rule){.dtypes = FGI_DTYPE_BIT(FGI_BF16)};
    assert_false(fgi_exp_rule_accepts(&r, &call));
    r = (fgi_exp_shape_rule){.alignment = 64};
    assert_true(fgi_exp_rule_accepts(&r, &call));
    call.in[0].data = (char *)(data + 1);
    assert_false(fgi_exp_rule_accepts(&r, &call));
    r = (fgi_exp_shape_rule){.contiguous = 1};
    assert_true(fgi_exp_rule_accepts(&r, &call));
    call.contiguous = false;
    assert_false(fgi_exp_rule_accepts(&r, &call));
}

int main(void)
{
    /* nothing may come from the source tree (or the build tree's cwd) */
    if (chdir("/") != 0) return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rule_accepts),
        cmocka_unit_test(test_embedded),
        cmocka_unit_test(test_embedded_constraints),
        cmocka_unit_test(test_override_deprecated),
        cmocka_unit_test(test_override_speedup),
        cmocka_unit_test(test_override_constraints),
        cmocka_unit_test(test_bad_override),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
