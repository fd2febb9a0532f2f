/* Every function of the metadata store API, on the happy path and on the
 * refusals a wrong implementation would get wrong. */
#include "meta_test.h"

#include <fcntl.h>
#include <math.h>
#include <sys/stat.h>

#include <jansson.h>

static fgi_meta_store *open_new(mt_repo *r, unsigned flags)
{
    fgi_meta_options o = {FGI_META_KIND_METADATA, FGI_META_CREATE | flags, NULL};
    fgi_meta_store *s = NULL;
    ST_OK(fgi_meta_open(r->file, &o, &s));
    return s;
}

static int setup(void **state)
{
    mt_repo *r = calloc(1, sizeof *r);
    mt_repo_init(r);
    *state = r;
    return 0;
}

static int teardown(void **state)
{
    mt_repo_free(*state);
    free(*state);
    return 0;
}

/* ---------------------------------------------------------------- enums, helpers */

static void test_enums_and_transitions(void **state)
{
    (void)state;
    fgi_meta_status s;
    ST_OK(fgi_meta_status_parse("GRADUATION_CANDIDATE", &s));
    assert_int_equal(s, FGI_META_GRADUATION_CANDIDATE);
    ST_ERR(fgi_meta_status_parse("validated", &s), FG_ERR_INVALID_ARG, "EXPERIMENTAL, VALIDATED");
    fgi_meta_category c;
    ST_OK(fgi_meta_category_parse("reduction", &c));
    assert_int_equal(c, FGI_META_REDUCTION);
    ST_ERR(fgi_meta_category_parse("conv", &c), FG_ERR_INVALID_ARG, "blas, reduction");
    assert_string_equal(fgi_meta_status_name(FGI_META_DEPRECATED), "DEPRECATED");
    assert_string_equal(fgi_meta_status_name((fgi_meta_status)42), "?");
    assert_string_equal(fgi_meta_category_name(FGI_META_BLAS), "blas");

    /* Exactly the DESIGN.md §2 graph: 5 forward steps, 2 demotions (a
     * validated kernel or a candidate back to EXPERIMENTAL), self. */
    int allowed = 0;
    for (int a = 0; a < FGI_META_STATUS_COUNT; a++)
        for (int b = 0; b < FGI_META_STATUS_COUNT; b++)
            if (a != b && fgi_meta_transition_allowed((fgi_meta_status)a, (fgi_meta_status)b))
                allowed++;
    assert_int_equal(allowed, 7);
    assert_true(fgi_meta_transition_allowed(FGI_META_VALIDATED, FGI_META_EXPERIMENTAL));
    assert_true(fgi_meta_transition_allowed(FGI_META_STABLE, FGI_META_DEPRECATED));
    assert_false(fgi_meta_transition_allowed(FGI_META_EXPERIMENTAL, FGI_META_GRADUATED));
    assert_true(fgi_meta_transition_allowed(FGI_META_GRADUATION_CANDIDATE, FGI_META_EXPERIMENTAL));
    assert_false(fgi_meta_transition_allowed(FGI_META_GRADUATION_CANDIDATE, FGI_META_VALIDATED));
    assert_false(fgi_meta_transition_allowed(FGI_META_DEPRECATED, FGI_META_EXPERIMENTAL));
    assert_true(fgi_meta_transition_allowed(FGI_META_STABLE, FGI_META_STABLE));
}

static void test_time_and_uuid(void **state)
{
    (void)state;
    int64_t ns;
    ST_OK(fgi_meta_time_parse("2025-12-19T10:30:00Z", &ns));
    assert_true(ns == INT64_C(1766140200) * 1000000000);
    int64_t ns2;
    ST_OK(fgi_meta_time_parse("2025-12-19T18:30:00.5+08:00", &ns2));
    assert_true(ns2 == ns + 500000000);
    char buf[40];
    fgi_meta_time_format(ns2, buf, sizeof buf);
    assert_string_equal(buf, "2025-12-19T10:30:00.500Z");
    fgi_meta_time_format(ns + 1000, buf, sizeof buf);
    assert_string_equal(buf, "2025-12-19T10:30:00.000001Z");
    ST_OK(fgi_meta_time_parse("2024-02-29T00:00:00Z", &ns));
    ST_ERR(fgi_meta_time_parse("2025-02-29T00:00:00Z", &ns), FG_ERR_INVALID_ARG, "day out of range");
    ST_ERR(fgi_meta_time_parse("2025-12-19 10:30:00Z", &ns), FG_ERR_INVALID_ARG, "'T'");
    ST_ERR(fgi_meta_time_parse("2025-12-19T10:30:00", &ns), FG_ERR_INVALID_ARG, "time zone");
    ST_ERR(fgi_meta_time_parse("2025-12-19T24:00:00Z", &ns), FG_ERR_INVALID_ARG, "out of range");

    char a[37], b[37];
    ST_OK(fgi_meta_uuid_v4(a, sizeof a));
    ST_OK(fgi_meta_uuid_v4(b, sizeof b));
    assert_int_equal(strlen(a), 36);
    assert_int_equal(a[14], '4');
    assert_non_null(strchr("89ab", a[19]));
    assert_string_not_equal(a, b);
    for (int i = 0; i < 36; i++) {
        if (i == 8 || i == 13 || i == 18 || i == 23) assert_int_equal(a[i], '-');
        else assert_non_null(strchr("0123456789abcdef", a[i]));
    }
    ST_ERR(fgi_meta_uuid_v4(a, 10), FG_ERR_INVALID_ARG, "37 bytes");
}

static void test_normalize_path(void **state)
{
    mt_repo *r = *state;
    char out[1100];
    ST_OK(fgi_meta_normalize_path("./src//experimental/./x/../gelu.c", NULL, out, sizeof out));
    assert_string_equal(out, "src/experimental/gelu.c");
    ST_ERR(fgi_meta_normalize_path("/etc/passwd", NULL, out, sizeof out), FG_ERR_INVALID_ARG,
           "absolute");
    ST_ERR(fgi_meta_normalize_path("src/../../x.c", NULL, out, sizeof out), FG_ERR_INVALID_ARG,
           "escapes the repository root");
    ST_ERR(fgi_meta_normalize_path("src\\x.c", NULL, out, sizeof out), FG_ERR_INVALID_ARG,
           "backslash");
    ST_ERR(fgi_meta_normalize_path("a/..", NULL, out, sizeof out), FG_ERR_INVALID_ARG,
           "repository root, not a file");
    ST_ERR(fgi_meta_normalize_path("", NULL, out, sizeof out), FG_ERR_INVALID_ARG, "empty");

    /* Symlink escapes: a link inside the repo that points outside. */
    char p[600];
    snprintf(p, sizeof p, "%s/src", r->root);
    mkdir(p, 0755);
    snprintf(p, sizeof p, "%s/src/out", r->root);
    assert_int_equal(symlink("/usr", p), 0);
    snprintf(p, sizeof p, "%s/src/in", r->root);
    assert_int_equal(symlink(".", p), 0);
    ST_ERR(fgi_meta_normalize_path("src/out/lib/x.c", r->root, out, sizeof out),
           FG_ERR_INVALID_ARG, "symbolic link");
    ST_ERR(fgi_meta_normalize_path("src/out", r->root, out, sizeof out), FG_ERR_INVALID_ARG,
           "symbolic link");
    ST_OK(fgi_meta_normalize_path("src/in/new/file.c", r->root, out, sizeof out));
    ST_OK(fgi_meta_normalize_path("src/not/yet/there.c", r->root, out, sizeof out));
}

/* ---------------------------------------------------------------- open, register, get */

static void test_open_create_and_flags(void **state)
{
    mt_repo *r = *state;
    fgi_meta_store *s = NULL;
    fgi_meta_options ro = {FGI_META_KIND_METADATA, 0, NULL};
    ST_ERR(fgi_meta_open(r->file, &ro, &s), FG_ERR_NOT_FOUND, "FGI_META_CREATE");
    assert_null(s);
    ST_ERR(fgi_meta_open(NULL, &ro, &s), FG_ERR_NULL, "path");
    s = open_new(r, 0);
    assert_string_equal(fgi_meta_open_report(s), "created: _metadata.json did not exist; wrote an "
                                                 "empty document");
    assert_int_equal(fgi_meta_count(s), 0);
    fgi_meta_close(s);
    /* The empty document on disk. */
    char *text = mt_read(r->file, NULL);
    assert_non_null(text);
    assert_non_null(strstr(text, "\"ops\": {},\n  \"version\": \"1.0\"\n}\n"));
    assert_memory_equal(text, "{\n  \"last_updated\": \"", 20);
    free(text);
    fgi_meta_close(NULL); /* no-op */

    /* READONLY refuses mutations and never writes. */
    fgi_meta_options o = {FGI_META_KIND_METADATA, FGI_META_READONLY, NULL};
    ST_OK(fgi_meta_open(r->file, &o, &s));
    char e[512];
    ST_ERR(fgi_meta_register_op(s, "k", mt_entry(e, sizeof e, "relu", "pointwise")),
           FG_ERR_UNSUPPORTED, "read-only");
    fgi_meta_close(s);
    assert_false(mt_exists(r->bak));
}

static void test_register_defaults_and_get(void **state)
{
    mt_repo *r = *state;
    fgi_meta_store *s = open_new(r, 0);
    char e[512];
    ST_OK(fgi_meta_register_op(s, "gelu.cpu.gen.v1", mt_entry(e, sizeof e, "gelu", "pointwise")));
    assert_int_equal(fgi_meta_count(s), 1);
    assert_true(mt_exists(r->bak)); /* the empty version */

    const fgi_meta_op *op;
    ST_OK(fgi_meta_get_op(s, "gelu.cpu.gen.v1", &op));
    assert_string_equal(op->kernel_id, "gelu.cpu.gen.v1");
    assert_string_equal(op->op_name, "gelu");
    assert_int_equal(op->category, FGI_META_POINTWISE);
    assert_int_equal(op->status, FGI_META_EXPERIMENTAL);
    assert_string_equal(op->group, "generated");
    assert_string_equal(op->device, "cpu");
    assert_int_equal(strlen(op->op_id), 36);
    assert_int_equal(op->op_id[14], '4');
    assert_null(op->generation_info.generator_tool);
    assert_string_equal(op->generation_info.generation_config, "{}");
    assert_int_equal(op->validation_info.accuracy_tests.passed, 0);
    assert_int_equal(op->validation_info.accuracy_tests.test_cases, 0);
    assert_null(op->validation_info.accuracy_tests.last_run);
    assert_int_equal(op->validation_info.performance_tests.n_baselines, 0);
    assert_string_equal(op->hardware_support.shape_constraints, "{}");
    assert_int_equal(op->graduation_tracking.eligible, 0);
    char since[32];
    snprintf(since, sizeof since, "v%s", fg_version());
    assert_string_equal(op->graduation_tracking.in_experimental_since, since);
    assert_string_equal(op->code_location.file_path, "src/experimental/generated/gelu.c");
    assert_int_equal(op->code_location.line_start, 3);
    assert_int_equal(op->code_location.line_end, 40);
    assert_null(op->code_location.commit_hash);

    /* By op_id, also in upper case. */
    char uuid[37];
    snprintf(uuid, sizeof uuid, "%s", op->op_id);
    const fgi_meta_op *op2;
    ST_OK(fgi_meta_get_op(s, uuid, &op2));
    assert_ptr_equal(op, op2);
    fgi_meta_op_release(op2);
    for (char *p = uuid; *p; p++)
        if (*p >= 'a' && *p <= 'f') *p = (char)(*p - 32);
    ST_OK(fgi_meta_get_op(s, uuid, &op2));
    assert_ptr_equal(op, op2);
    fgi_meta_op_release(op2);
    ST_ERR(fgi_meta_get_op(s, "nope", &op2), FG_ERR_NOT_FOUND, "no kernel 'nope'");
    assert_null(op2);

    /* An op stays valid after the store changes and after it closes. */
    ST_OK(fgi_meta_update_op(s, "gelu.cpu.gen.v1", "{\"status\": \"VALIDATED\"}"));
    assert_int_equal(op->status, FGI_META_EXPERIMENTAL);
    const fgi_meta_op *op3;
    ST_OK(fgi_meta_get_op(s, "gelu.cpu.gen.v1", &op3));
    assert_int_equal(op3->status, FGI_META_VALIDATED);
    fgi_meta_close(s);
    assert_string_equal(op->op_name, "gelu");
    assert_string_equal(op3->op_id, op->op_id);
    fgi_meta_op_release(op);
    fgi_meta_op_release(op3);
    fgi_meta_op_release(NULL);

    /* register with explicit fields and a custom id layout. */
    s = open_new(r, 0);
    ST_OK(fgi_meta_register_op(
        s, "fast_gelu.cuda.custom.v1",
        "{\"op_name\": \"fast_gelu\", \"category\": \"custom\", \"op_id\": "
        "\"550E8400-E29B-41D4-A716-446655440000\", \"code_location\": {\"file_path\": "
        "\"src/experimental/custom/fast_gelu.cu\", \"commit_hash\": \"A1B2C3D4\"}, "
        "\"hardware_support\": {\"tested_devices\": [\"NVIDIA-H100\"]}}"));
    ST_OK(fgi_meta_get_op(s, "fast_gelu.cuda.custom.v1", &op));
    assert_string_equal(op->op_id, "550e8400-e29b-41d4-a716-446655440000");
    assert_string_equal(op->code_location.commit_hash, "a1b2c3d4");
    assert_string_equal(op->group, "custom");
    assert_string_equal(op->device, "cuda");
    assert_int_equal(op->code_location.line_end, 1);
    fgi_meta_op_release(op);
    fgi_meta_close(s);
}

static void test_register_refusals(void **state)
{
    mt_repo *r = *state;
    fgi_meta_store *s = open_new(r, 0);
    char e[512];
    ST_OK(fgi_meta_register_op(s, "k1", mt_entry(e, sizeof e, "relu", "pointwise")));
    char *before = mt_read(r->file, NULL);

    ST_ERR(fgi_meta_register_op(s, "k1", mt_entry(e, sizeof e, "relu", "pointwise")),
           FG_ERR_INVALID_ARG, "already registered");
    ST_ERR(fgi_meta_register_op(s, "bad id!", e), FG_ERR_INVALID_ARG, "kernel id 'bad id!'");
    ST_ERR(fgi_meta_register_op(s, ".hidden", e), FG_ERR_INVALID_ARG, "starts with a letter");
    ST_ERR(fgi_meta_register_op(s, "k2", "{\"op_name\": \"relu\"}"), FG_ERR_INVALID_ARG,
           "ops.k2.category: missing required key");
    ST_ERR(fgi_meta_register_op(s, "k2", "{\"op_name\": \"relu\", \"category\": \"conv\", "
                                         "\"code_location\": {\"file_path\": \"a.c\"}}"),
           FG_ERR_INVALID_ARG, "ops.k2.category: expected one of blas, reduction, pointwise, "
                               "custom, got \"conv\"");
    ST_ERR(fgi_meta_register_op(s, "k2", "{\"op_name\": \"relu\", \"category\": \"blas\", "
                                         "\"code_location\": {\"file_path\": \"/abs/a.c\"}}"),
           FG_ERR_INVALID_ARG, "ops.k2.code_location.file_path: \"/abs/a.c\" is absolute");
    ST_ERR(fgi_meta_register_op(s, "k2", "{\"op_name\": \"relu\", \"category\": \"blas\", "
                                         "\"code_location\": {\"file_path\": \"../a.c\"}}"),
           FG_ERR_INVALID_ARG, "escapes the repository root");
    ST_ERR(fgi_meta_register_op(s, "k2", "{\"op_name\": \"relu\", \"category\": \"blas\", "
                                         "\"status\": \"STABLE\", "
                                         "\"code_location\": {\"file_path\": \"a.c\"}}"),
           FG_ERR_INVALID_ARG, "registered as EXPERIMENTAL");
    ST_ERR(fgi_meta_register_op(s, "k2", "{\"op_name\": \"relu\", \"category\": \"blas\", "
                                         "\"colour\": 1, "
                                         "\"code_location\": {\"file_path\": \"a.c\"}}"),
           FG_ERR_INVALID_ARG, "ops.k2.colour: unknown key");
    ST_ERR(fgi_meta_register_op(s, "k2", "{\"op_name\": "), FG_ERR_PARSE,
           "entry_json: line 1, column");
    ST_ERR(fgi_meta_register_op(s, "k2", "[1]"), FG_ERR_INVALID_ARG, "expected a JSON object");
    /* Same op_id as k1. */
    const fgi_meta_op *k1;
    ST_OK(fgi_meta_get_op(s, "k1", &k1));
    char body[600];
    snprintf(body, sizeof body, "{\"op_name\": \"relu\", \"category\": \"blas\", \"op_id\": \"%s\", "
                                "\"code_location\": {\"file_path\": \"a.c\"}}", k1->op_id);
    fgi_meta_op_release(k1);
    ST_ERR(fgi_meta_register_op(s, "k2", body), FG_ERR_INVALID_ARG, "is already the op_id of 'k1'");
    ST_ERR(fgi_meta_register_op(s, "k2", "{\"op_name\": \"relu\", \"category\": \"blas\", "
                                         "\"op_id\": \"550e8400-e29b-11d4-a716-446655440000\", "
                                         "\"code_location\": {\"file_path\": \"a.c\"}}"),
           FG_ERR_INVALID_ARG, "ops.k2.op_id: expected a UUID v4");
    /* Several problems: all counted, the first ones shown. */
    ST_ERR(fgi_meta_register_op(s, "k2", "{\"op_name\": \"Relu\", \"category\": 3, "
                                         "\"code_location\": {\"file_path\": \"a.c\", "
                                         "\"line_start\": 0}}"),
           FG_ERR_INVALID_ARG, "ops.k2.op_name: expected an op name");
    assert_non_null(strstr(fg_last_error(), "ops.k2.category: expected a string, got 3"));
    assert_non_null(strstr(fg_last_error(), "ops.k2.code_location.line_start: expected an integer "
                                            "in [1, 1000000000], got 0"));
    ST_ERR(fgi_meta_register_op(NULL, "k", "{}"), FG_ERR_NULL, "NULL");

    assert_int_equal(fgi_meta_count(s), 1);
    char *after = mt_read(r->file, NULL);
    assert_string_equal(before, after); /* refused calls changed nothing */
    free(before);
    free(after);
    fgi_meta_close(s);
}

/* ---------------------------------------------------------------- shape constraints */

/* The keys of shape_constraints the dispatcher honors are validated and
 * typed; other keys stay free-form. */
static void test_shape_constraints(void **state)
{
    mt_repo *r = *state;
    fgi_meta_store *s = open_new(r, 0);
    static const char *const head = "{\"op_name\": \"relu\", \"category\": \"pointwise\", "
                                    "\"code_location\": {\"file_path\": \"a.c\"}, "
                                    "\"hardware_support\": {\"shape_constraints\": ";
    char e[1024];
    snprintf(e, sizeof e, "%s{\"min_size\": 256, \"max_size\": 4096, \"min_last_dim\": 8, "
                          "\"max_last_dim\": 1024, \"last_dim_multiple\": 32, \"alignment\": 64, "
                          "\"contiguous\": true, \"dtypes\": [\"bfloat16\", \"float32\"], "
                          "\"block\": \"any\"}}}", head);
    ST_OK(fgi_meta_register_op(s, "k1", e));
    const fgi_meta_op *op;
    ST_OK(fgi_meta_get_op(s, "k1", &op));
    const fgi_meta_shape_rule *sr = &op->hardware_support.shape_rule;
    assert_int_equal(sr->min_size, 256);
    assert_int_equal(sr->max_size, 4096);
    assert_int_equal(sr->min_last_dim, 8);
    assert_int_equal(sr->max_last_dim, 1024);
    assert_int_equal(sr->last_dim_multiple, 32);
    assert_int_equal(sr->alignment, 64);
    assert_int_equal(sr->contiguous, 1);
    assert_int_equal(sr->dtypes, 1u | 4u);
    assert_non_null(strstr(op->hardware_support.shape_constraints, "\"block\":\"any\""));
    fgi_meta_op_release(op);
    /* the seed's example keys */
    snprintf(e, sizeof e, "%s{\"min_size\": 256, \"alignment\": 32}}}", head);
    ST_OK(fgi_meta_register_op(s, "k2", e));
    static const struct {
        const char *sc, *msg;
    } bad[] = {
        {"{\"alignment\": 24}", "ops.k3.hardware_support.shape_constraints.alignment: expected a power of two, got 24"},
        {"{\"min_size\": 0}", "ops.k3.hardware_support.shape_constraints.min_size: expected an integer in [1, "},
        {"{\"max_last_dim\": \"1024\"}", "shape_constraints.max_last_dim: expected an integer in [1, "},
        {"{\"contiguous\": 1}", "shape_constraints.contiguous: expected true or false, got 1"},
        {"{\"dtypes\": []}", "shape_constraints.dtypes: expected a non-empty array"},
        {"{\"dtypes\": [\"float32\", \"int8\"]}", "shape_constraints.dtypes[1]: expected \"float32\", \"float16\" or \"bfloat16\", got \"int8\""},
        {"{\"min_size\": 10, \"max_size\": 5}", "shape_constraints: min_size 10 is larger than max_size 5"},
        {"{\"min_last_dim\": 10, \"max_last_dim\": 5}", "min_last_dim 10 is larger than max_last_dim 5"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        snprintf(e, sizeof e, "%s%s}}", head, bad[i].sc);
        ST_ERR(fgi_meta_register_op(s, "k3", e), FG_ERR_INVALID_ARG, bad[i].msg);
        char patch[256];
        snprintf(patch, sizeof patch, "{\"hardware_support\": {\"shape_constraints\": %s}}", bad[i].sc);
        ST_ERR(fgi_meta_update_op(s, "k1", patch), FG_ERR_INVALID_ARG, "ops.k1.hardware_support.shape_constraints");
    }
    assert_int_equal(fgi_meta_count(s), 2);
    fgi_meta_close(s);
}

/* ---------------------------------------------------------------- update */

static void test_update_op(void **state)
{
    mt_repo *r = *state;
    fgi_meta_store *s = open_new(r, 0);
    char e[512];
    ST_OK(fgi_meta_register_op(s, "k", mt_entry(e, sizeof e, "silu", "pointwise")));

    /* Merge: only the named fields change. */
    ST_OK(fgi_meta_update_op(s, "k", "{\"generation_info\": {\"generator_tool\": \"KernelGen\", "
                                     "\"generation_config\": {\"block\": 256}}, "
                                     "\"hardware_support\": {\"tested_devices\": [\"a\", \"b\"], "
                                     "\"optimal_devices\": [\"b\"]}}"));
    const fgi_meta_op *op;
    ST_OK(fgi_meta_get_op(s, "k", &op));
    assert_string_equal(op->generation_info.generator_tool, "KernelGen");
    assert_string_equal(op->generation_info.generation_config, "{\"block\":256}");
    assert_int_equal(op->hardware_support.n_tested_devices, 2);
    assert_string_equal(op->code_location.file_path, "src/experimental/generated/silu.c");
    fgi_meta_op_release(op);

    /* Free-form objects replace; null sets a nullable field; arrays replace. */
    ST_OK(fgi_meta_update_op(s, "k", "{\"generation_info\": {\"generator_tool\": null, "
                                     "\"generation_config\": {\"warps\": 4}}, "
                                     "\"hardware_support\": {\"optimal_devices\": []}}"));
    ST_OK(fgi_meta_get_op(s, "k", &op));
    assert_null(op->generation_info.generator_tool);
    assert_string_equal(op->generation_info.generation_config, "{\"warps\":4}");
    assert_int_equal(op->hardware_support.n_optimal_devices, 0);
    fgi_meta_op_release(op);

    /* Refusals change nothing. */
    char *before = mt_read(r->file, NULL);
    ST_ERR(fgi_meta_update_op(s, "k", "{\"validation_info\": {\"accuracy_tests\": "
                                      "{\"test_cases\": \"many\"}}}"),
           FG_ERR_INVALID_ARG,
           "ops.k.validation_info.accuracy_tests.test_cases: expected a non-negative integer, got "
           "\"many\"");
    ST_ERR(fgi_meta_update_op(s, "k", "{\"hardware_support\": {\"optimal_devices\": [\"z\"]}}"),
           FG_ERR_INVALID_ARG, "ops.k.hardware_support.optimal_devices[0]: \"z\" is not in "
                               "tested_devices");
    ST_ERR(fgi_meta_update_op(s, "k", "{\"code_location\": null}"), FG_ERR_INVALID_ARG,
           "ops.k.code_location: expected an object, got null");
    ST_ERR(fgi_meta_update_op(s, "k", "{\"op_name\": \"gelu\"}"), FG_ERR_INVALID_ARG,
           "ops.k.op_name: cannot be changed");
    ST_ERR(fgi_meta_update_op(s, "k", "{\"op_id\": \"550e8400-e29b-41d4-a716-446655440000\"}"),
           FG_ERR_INVALID_ARG, "ops.k.op_id: cannot be changed");
    ST_ERR(fgi_meta_update_op(s, "k", "{\"status\": \"GRADUATED\"}"), FG_ERR_INVALID_ARG,
           "ops.k.status: cannot go from EXPERIMENTAL to GRADUATED (allowed from EXPERIMENTAL: "
           "VALIDATED)");
    ST_ERR(fgi_meta_update_op(s, "k", "{\"status\": \"validated\"}"), FG_ERR_INVALID_ARG,
           "ops.k.status: expected one of EXPERIMENTAL");
    ST_ERR(fgi_meta_update_op(s, "k", "{\"code_location\": {\"line_end\": 1}}"),
           FG_ERR_INVALID_ARG, "ops.k.code_location.line_end: 1 is before line_start 3");
    ST_ERR(fgi_meta_update_op(s, "missing", "{}"), FG_ERR_NOT_FOUND, "no kernel 'missing'");
    ST_ERR(fgi_meta_update_op(s, "k", "{\"a\": 1,}"), FG_ERR_PARSE, "patch_json: line 1, column");
    char *after = mt_read(r->file, NULL);
    assert_string_equal(before, after);
    free(before);
    free(after);

    /* The whole lifecycle, with the demotion, and every refusal on the way. */
    static const char *const path[] = {"VALIDATED", "EXPERIMENTAL", "VALIDATED",
                                       "GRADUATION_CANDIDATE", "GRADUATED", "STABLE", "DEPRECATED"};
    for (size_t i = 0; i < sizeof path / sizeof *path; i++) {
        char patch[96];
        snprintf(patch, sizeof patch, "{\"status\": \"%s\"}", path[i]);
        ST_OK(fgi_meta_update_op(s, "k", patch));
        ST_OK(fgi_meta_update_op(s, "k", patch)); /* same status: a no-op */
    }
    ST_ERR(fgi_meta_update_op(s, "k", "{\"status\": \"STABLE\"}"), FG_ERR_INVALID_ARG,
           "cannot go from DEPRECATED to STABLE (allowed from DEPRECATED: nothing)");
    fgi_meta_close(s);
}

/* ---------------------------------------------------------------- query */

static void test_query_ops(void **state)
{
    mt_repo *r = *state;
    fgi_meta_store *s = open_new(r, FGI_META_MANUAL_SAVE);
    char e[512];
    ST_OK(fgi_meta_register_op(s, "gelu.cpu.gen.a", mt_entry(e, sizeof e, "gelu", "pointwise")));
    ST_OK(fgi_meta_register_op(s, "gelu.cuda.custom.b", mt_entry(e, sizeof e, "gelu", "pointwise")));
    ST_OK(fgi_meta_register_op(s, "mm.cuda.gen.c", mt_entry(e, sizeof e, "mm", "blas")));
    ST_OK(fgi_meta_register_op(s, "sum_v1", mt_entry(e, sizeof e, "sum", "reduction")));
    ST_OK(fgi_meta_update_op(s, "gelu.cuda.custom.b", "{\"status\": \"VALIDATED\", "
                                                      "\"graduation_tracking\": {\"eligible\": true}}"));
    ST_OK(fgi_meta_update_op(s, "sum_v1", "{\"hardware_support\": {\"tested_devices\": "
                                          "[\"NVIDIA-H100\", \"cpu\"]}}"));

    fgi_meta_op_list l;
    ST_OK(fgi_meta_query_ops(s, NULL, &l));
    assert_int_equal(l.count, 4);
    assert_string_equal(l.ops[0]->kernel_id, "gelu.cpu.gen.a"); /* sorted */
    assert_string_equal(l.ops[3]->kernel_id, "sum_v1");
    fgi_meta_op_list_release(&l);
    assert_null(l.ops);

    fgi_meta_filter f = {0}; /* zero-initialized: everything */
    ST_OK(fgi_meta_query_ops(s, &f, &l));
    assert_int_equal(l.count, 4);
    fgi_meta_op_list_release(&l);
    f.op_name = "gelu";
    ST_OK(fgi_meta_query_ops(s, &f, &l));
    assert_int_equal(l.count, 2);
    fgi_meta_op_list_release(&l);

    f.status_mask = 1u << FGI_META_VALIDATED; /* AND op_name gelu */
    ST_OK(fgi_meta_query_ops(s, &f, &l));
    assert_int_equal(l.count, 1);
    assert_string_equal(l.ops[0]->kernel_id, "gelu.cuda.custom.b");
    fgi_meta_op_list_release(&l);

    fgi_meta_filter g = {.category_mask = 1u << FGI_META_BLAS | 1u << FGI_META_REDUCTION};
    ST_OK(fgi_meta_query_ops(s, &g, &l));
    assert_int_equal(l.count, 2);
    fgi_meta_op_list_release(&l);

    fgi_meta_filter grp = {.group = "generated"};
    ST_OK(fgi_meta_query_ops(s, &grp, &l));
    assert_int_equal(l.count, 3); /* two by id, sum_v1 by its path */
    fgi_meta_op_list_release(&l);
    grp.group = "custom";
    ST_OK(fgi_meta_query_ops(s, &grp, &l));
    assert_int_equal(l.count, 1);
    fgi_meta_op_list_release(&l);

    fgi_meta_filter dev = {.device = "CUDA"};
    ST_OK(fgi_meta_query_ops(s, &dev, &l));
    assert_int_equal(l.count, 2);
    fgi_meta_op_list_release(&l);
    dev.device = "nvidia-h100";
    ST_OK(fgi_meta_query_ops(s, &dev, &l));
    assert_int_equal(l.count, 1);
    assert_string_equal(l.ops[0]->kernel_id, "sum_v1");
    fgi_meta_op_list_release(&l);
    dev.device = "cpu"; /* id component or tested device */
    ST_OK(fgi_meta_query_ops(s, &dev, &l));
    assert_int_equal(l.count, 2);
    fgi_meta_op_list_release(&l);

    fgi_meta_filter el = {.eligible = FGI_META_ELIGIBLE_YES};
    ST_OK(fgi_meta_query_ops(s, &el, &l));
    assert_int_equal(l.count, 1);
    fgi_meta_op_list_release(&l);
    el.eligible = FGI_META_ELIGIBLE_NO;
    ST_OK(fgi_meta_query_ops(s, &el, &l));
    assert_int_equal(l.count, 3);
    fgi_meta_op_list_release(&l);

    fgi_meta_filter none = {.op_name = "nothing"};
    ST_OK(fgi_meta_query_ops(s, &none, &l));
    assert_int_equal(l.count, 0);
    fgi_meta_op_list_release(&l);

    fgi_meta_filter bad = {.status_mask = 1u << 9};
    ST_ERR(fgi_meta_query_ops(s, &bad, &l), FG_ERR_INVALID_ARG, "status_mask");
    fgi_meta_filter badg = {.group = "gen"};
    ST_ERR(fgi_meta_query_ops(s, &badg, &l), FG_ERR_INVALID_ARG, "group 'gen'");
    fgi_meta_filter bade = {.eligible = -1};
    ST_ERR(fgi_meta_query_ops(s, &bade, &l), FG_ERR_INVALID_ARG, "eligible must be");
    fgi_meta_close(s);
}

/* ---------------------------------------------------------------- validation results */

static void test_update_validation_status(void **state)
{
    mt_repo *r = *state;
    fgi_meta_store *s = open_new(r, 0);
    char e[512];
    ST_OK(fgi_meta_register_op(s, "k", mt_entry(e, sizeof e, "exp", "pointwise")));

    const char *shapes32[] = {"(1024,)", "(256, 256)"};
    fgi_meta_coverage cov[] = {{"float32", shapes32, 2}};
    fgi_meta_accuracy_result acc = {1, 45, cov, 1, "2025-12-15T14:22:00Z"};
    fgi_meta_validation_result vr = {&acc, NULL};
    ST_OK(fgi_meta_update_validation_status(s, "k", &vr));
    const fgi_meta_op *op;
    ST_OK(fgi_meta_get_op(s, "k", &op));
    assert_int_equal(op->status, FGI_META_VALIDATED); /* passed -> VALIDATED */
    assert_int_equal(op->validation_info.accuracy_tests.test_cases, 45);
    assert_string_equal(op->validation_info.accuracy_tests.last_run, "2025-12-15T14:22:00Z");
    assert_int_equal(op->validation_info.accuracy_tests.n_coverage, 1);
    assert_int_equal(op->validation_info.accuracy_tests.coverage[0].n_shapes, 2);
    assert_true(op->graduation_tracking.checklist.accuracy_passed);
    fgi_meta_op_release(op);

    /* Coverage is merged, duplicates dropped; baselines upserted by key. */
    const char *shapes16[] = {"(1024,)"};
    const char *more32[] = {"(1024,)", "(8, 128, 128)"};
    fgi_meta_coverage cov2[] = {{"float32", more32, 2}, {"float16", shapes16, 1}};
    fgi_meta_accuracy_result acc2 = {1, 60, cov2, 2, NULL};
    int64_t sh[2] = {8192, 4096}, sh2[1] = {1 << 20};
    fgi_meta_baseline bl[] = {{"NVIDIA-A100", sh, 2, "float16", 1.23, 0.5, "torch", NULL},
                              {"NVIDIA-A100", sh2, 1, "float32", 0.9, 0.0, "stable",
                               "2025-12-10T10:00:00Z"}};
    fgi_meta_performance_result perf = {bl, 2, 1, "2025-12-16T00:00:00Z"};
    fgi_meta_validation_result vr2 = {&acc2, &perf};
    ST_OK(fgi_meta_update_validation_status(s, "k", &vr2));
    bl[0].speedup = 1.5; /* re-measured: replaces, does not append */
    fgi_meta_performance_result perf2 = {bl, 1, -1, NULL};
    fgi_meta_validation_result vr3 = {NULL, &perf2};
    ST_OK(fgi_meta_update_validation_status(s, "k", &vr3));
    ST_OK(fgi_meta_get_op(s, "k", &op));
    const fgi_meta_accuracy_tests *at = &op->validation_info.accuracy_tests;
    assert_int_equal(at->n_coverage, 2);
    assert_string_equal(at->coverage[0].dtype, "float16"); /* sorted */
    assert_int_equal(at->coverage[1].n_shapes, 3);
    const fgi_meta_performance_tests *pt = &op->validation_info.performance_tests;
    assert_int_equal(pt->n_baselines, 2);
    assert_true(pt->baselines[0].speedup == 1.5);
    assert_string_equal(pt->baselines[0].timestamp, pt->last_run);
    assert_string_equal(pt->baselines[1].timestamp, "2025-12-10T10:00:00Z");
    assert_int_equal(pt->baselines[1].shape[0], 1 << 20);
    assert_true(op->graduation_tracking.checklist.performance_passed);
    assert_int_equal(op->status, FGI_META_VALIDATED);
    fgi_meta_op_release(op);

    /* A failed accuracy run demotes VALIDATED -> EXPERIMENTAL and clears eligible. */
    ST_OK(fgi_meta_update_op(s, "k", "{\"graduation_tracking\": {\"eligible\": true}}"));
    fgi_meta_accuracy_result bad = {0, 60, NULL, 0, NULL};
    fgi_meta_validation_result vr4 = {&bad, NULL};
    ST_OK(fgi_meta_update_validation_status(s, "k", &vr4));
    ST_OK(fgi_meta_get_op(s, "k", &op));
    assert_int_equal(op->status, FGI_META_EXPERIMENTAL);
    assert_int_equal(op->graduation_tracking.eligible, 0);
    assert_false(op->graduation_tracking.checklist.accuracy_passed);
    fgi_meta_op_release(op);

    /* A performance failure demotes too; later statuses are left alone. */
    ST_OK(fgi_meta_update_validation_status(s, "k", &vr));
    fgi_meta_performance_result pfail = {NULL, 0, 0, NULL};
    fgi_meta_validation_result vr5 = {NULL, &pfail};
    ST_OK(fgi_meta_update_validation_status(s, "k", &vr5));
    ST_OK(fgi_meta_get_op(s, "k", &op));
    assert_int_equal(op->status, FGI_META_EXPERIMENTAL);
    fgi_meta_op_release(op);
    ST_OK(fgi_meta_update_validation_status(s, "k", &vr));
    ST_OK(fgi_meta_update_op(s, "k", "{\"status\": \"GRADUATION_CANDIDATE\"}"));
    ST_OK(fgi_meta_update_validation_status(s, "k", &vr4));
    ST_OK(fgi_meta_get_op(s, "k", &op));
    assert_int_equal(op->status, FGI_META_GRADUATION_CANDIDATE);
    fgi_meta_op_release(op);

    /* Bad results are refused with a path. */
    fgi_meta_baseline nan_bl = {"d", sh, 2, "float32", NAN, 0, "torch", NULL};
    fgi_meta_performance_result pn = {&nan_bl, 1, -1, NULL};
    fgi_meta_validation_result vn = {NULL, &pn};
    ST_ERR(fgi_meta_update_validation_status(s, "k", &vn), FG_ERR_INVALID_ARG, "not a finite number");
    fgi_meta_baseline neg = {"d", sh, 2, "float32", -1.0, 0, "torch", NULL};
    pn.baselines = &neg;
    ST_ERR(fgi_meta_update_validation_status(s, "k", &vn), FG_ERR_INVALID_ARG,
           "ops.k.validation_info.performance_tests.baselines[2].speedup: expected a number in (0, "
           "1e+06], got -1.0");
    fgi_meta_baseline dt = {"d", sh, 2, "fp32", 1, 0, "torch", NULL};
    pn.baselines = &dt;
    ST_ERR(fgi_meta_update_validation_status(s, "k", &vn), FG_ERR_INVALID_ARG, "expected a dtype");
    fgi_meta_accuracy_result badtime = {1, 1, NULL, 0, "yesterday"};
    fgi_meta_validation_result vt = {&badtime, NULL};
    ST_ERR(fgi_meta_update_validation_status(s, "k", &vt), FG_ERR_INVALID_ARG,
           "ops.k.validation_info.accuracy_tests.last_run: expected an RFC 3339 UTC time");
    fgi_meta_accuracy_result negc = {1, -5, NULL, 0, NULL};
    vt.accuracy = &negc;
    ST_ERR(fgi_meta_update_validation_status(s, "k", &vt), FG_ERR_INVALID_ARG,
           "test_cases: expected a non-negative integer, got -5");
    fgi_meta_validation_result empty = {NULL, NULL};
    ST_ERR(fgi_meta_update_validation_status(s, "k", &empty), FG_ERR_INVALID_ARG, "neither");
    ST_ERR(fgi_meta_update_validation_status(s, "nope", &vr), FG_ERR_NOT_FOUND, "no kernel");
    fgi_meta_close(s);
}

/* ---------------------------------------------------------------- graduation view */

static fg_status strict(const fgi_meta_op *op, fgi_meta_grad_report *r, void *ctx)
{
    int *calls = ctx;
    (*calls)++;
    if (op->validation_info.performance_tests.n_baselines < 2) {
        r->eligible = 0;
        snprintf(r->summary, sizeof r->summary, "needs 2 baselines");
    }
    return FG_OK;
}

static void test_graduation_eligibility(void **state)
{
    mt_repo *r = *state;
    fgi_meta_store *s = open_new(r, 0);
    char e[512];
    ST_OK(fgi_meta_register_op(s, "k", mt_entry(e, sizeof e, "relu", "pointwise")));
    fgi_meta_grad_report g;
    ST_OK(fgi_meta_check_graduation_eligibility(s, "k", &g));
    assert_false(g.eligible);
    assert_int_equal(g.n_items, 5);
    assert_true(g.score == 0.0);
    assert_string_equal(g.items[0].name, "stable_period");
    assert_non_null(strstr(g.summary, "status is EXPERIMENTAL"));

    ST_OK(fgi_meta_update_op(
        s, "k", "{\"status\": \"VALIDATED\", \"validation_info\": {\"accuracy_tests\": "
                "{\"passed\": true, \"last_run\": \"2025-12-01T00:00:00Z\"}}, "
                "\"graduation_tracking\": {\"checklist\": {\"stable_period_met\": true, "
                "\"accuracy_passed\": true, \"performance_passed\": true, "
                "\"multi_hardware_validated\": true, \"code_review_approved\": true, "
                "\"documentation_complete\": false}, \"blocking_issues\": [\"review\"]}}"));
    ST_OK(fgi_meta_check_graduation_eligibility(s, "k", &g));
    assert_false(g.eligible);
    assert_true(fabs(g.score - 0.95) < 1e-12);
    assert_int_equal(g.n_blocking_issues, 1);
    assert_non_null(strstr(g.summary, "code_quality fails"));
    ST_OK(fgi_meta_update_op(s, "k", "{\"graduation_tracking\": {\"checklist\": "
                                     "{\"documentation_complete\": true}, \"blocking_issues\": []}}"));
    ST_OK(fgi_meta_check_graduation_eligibility(s, "k", &g));
    assert_true(g.eligible);
    assert_true(fabs(g.score - 1.0) < 1e-12);
    assert_string_equal(g.summary, "eligible");
    assert_string_equal(g.kernel_id, "k");

    int calls = 0;
    fgi_meta_set_criteria(s, strict, &calls);
    ST_OK(fgi_meta_check_graduation_eligibility(s, "k", &g));
    assert_int_equal(calls, 1);
    assert_false(g.eligible);
    assert_string_equal(g.summary, "needs 2 baselines");
    fgi_meta_set_criteria(s, NULL, NULL);
    ST_OK(fgi_meta_check_graduation_eligibility(s, "k", &g));
    assert_true(g.eligible);
    ST_ERR(fgi_meta_check_graduation_eligibility(s, "x", &g), FG_ERR_NOT_FOUND, "no kernel 'x'");
    fgi_meta_close(s);
}

/* ---------------------------------------------------------------- reports */

static void test_export_report(void **state)
{
    mt_repo *r = *state;
    size_t n;
    char *seed = mt_fixture("seed_example.json", &n);
    mt_write(r->file, seed, n);
    free(seed);
    fgi_meta_store *s = open_new(r, 0);
    char e[512];
    ST_OK(fgi_meta_register_op(s, "x.cpu.custom.b", mt_entry(e, sizeof e, "relu", "pointwise")));
    ST_OK(fgi_meta_register_op(s, "relu_v2", mt_entry(e, sizeof e, "relu", "pointwise")));
    ST_OK(fgi_meta_update_op(s, "relu_v2", "{\"graduation_tracking\": {\"blocking_issues\": "
                                           "[\"<script>alert(1)</script> | pipe\"]}}"));
    char *md, *md2, *js, *ht;
    size_t len;
    ST_OK(fgi_meta_export_report(s, NULL, 0, FGI_META_FORMAT_MARKDOWN, &md, &len));
    assert_int_equal(strlen(md), len);
    assert_non_null(strstr(md, "# Experimental kernels report"));
    assert_non_null(strstr(md, "| `fast_gelu_v1` | fast_gelu | pointwise | VALIDATED | generated | 1.23x | 1 |"
                               " passed (45 cases) | no |"));
    assert_non_null(strstr(md, "| NVIDIA-A100 | [8192, 4096] | float16 | 1.23x | 0.50 | torch |"));
    assert_non_null(strstr(md, "&lt;script&gt;alert(1)&lt;/script&gt; \\| pipe"));
    assert_null(strstr(md, "<script>alert"));
    /* Deterministic: the same document gives the same bytes. */
    ST_OK(fgi_meta_export_report(s, NULL, 0, FGI_META_FORMAT_MARKDOWN, &md2, NULL));
    assert_string_equal(md, md2);
    fgi_meta_free(md2);

    const char *keys[] = {"fast_gelu_v1"};
    ST_OK(fgi_meta_export_report(s, keys, 1, FGI_META_FORMAT_JSON, &js, &len));
    assert_int_equal(js[len - 1], '\n');
    json_error_t err;
    json_t *j = json_loads(js, 0, &err);
    assert_non_null(j);
    json_t *ks = json_object_get(j, "kernels");
    assert_int_equal(json_array_size(ks), 1);
    json_t *k0 = json_array_get(ks, 0);
    assert_string_equal(json_string_value(json_object_get(k0, "kernel_id")), "fast_gelu_v1");
    assert_string_equal(json_string_value(json_object_get(k0, "op_id")),
                        "550e8400-e29b-41d4-a716-446655440000");
    json_t *grad = json_object_get(k0, "graduation");
    assert_true(json_is_false(json_object_get(grad, "eligible")));
    assert_int_equal(json_array_size(json_object_get(grad, "checks")), 5);
    assert_true(json_real_value(json_object_get(json_object_get(k0, "speedup"), "geomean")) == 1.23);
    json_decref(j);

    ST_OK(fgi_meta_export_report(s, NULL, 0, FGI_META_FORMAT_HTML, &ht, &len));
    assert_memory_equal(ht, "<!DOCTYPE html>", 15);
    assert_non_null(strstr(ht, "<svg xmlns=\"http://www.w3.org/2000/svg\""));
    assert_non_null(strstr(ht, "<table id=\"kernels\">"));
    assert_non_null(strstr(ht, "addEventListener('click'"));
    assert_non_null(strstr(ht, "geomean 1.23x"));
    assert_non_null(strstr(ht, "&lt;script&gt;alert(1)"));
    assert_null(strstr(ht, "<script>alert"));
    assert_null(strstr(ht, "http://www.w3.org/1999")); /* no external resource but the SVG ns */
    assert_null(strstr(ht, "src="));
    assert_null(strstr(ht, "href="));
    /* Every kernel appears as a table row and as a chart bar label. */
    assert_non_null(strstr(ht, "<code>relu_v2</code>"));
    assert_non_null(strstr(ht, ">relu_v2</text>"));
    assert_non_null(strstr(ht, ">x.cpu.custom.b</text>"));
    fgi_meta_free(md);
    fgi_meta_free(js);
    fgi_meta_free(ht);

    const char *missing[] = {"fast_gelu_v1", "nope"};
    ST_ERR(fgi_meta_export_report(s, missing, 2, FGI_META_FORMAT_MARKDOWN, &md, NULL),
           FG_ERR_NOT_FOUND, "no kernel 'nope'");
    assert_null(md);
    ST_ERR(fgi_meta_export_report(s, NULL, 0, (fgi_meta_format)7, &md, NULL), FG_ERR_INVALID_ARG,
           "unknown report format 7");
    fgi_meta_close(s);
}

/* ---------------------------------------------------------------- text form */

static void test_deterministic_text(void **state)
{
    mt_repo *r = *state;
    size_t n;
    char *seed = mt_fixture("seed_example.json", &n);
    mt_write(r->file, seed, n);
    fgi_meta_store *s = open_new(r, FGI_META_READONLY);
    char *t1, *t2;
    size_t l1, l2;
    ST_OK(fgi_meta_to_json(s, &t1, &l1));
    fgi_meta_close(s);
    /* Canonical: sorted keys, 2 spaces, trailing newline, and a fixed point. */
    assert_int_equal(t1[l1 - 1], '\n');
    assert_non_null(strstr(t1, "{\n  \"last_updated\": \"2025-12-19T10:30:00Z\",\n  \"ops\": {\n"
                               "    \"fast_gelu_v1\": {\n      \"category\": \"pointwise\",\n"
                               "      \"code_location\": {\n        \"commit_hash\": \"a1b2c3d4\","));
    assert_non_null(strstr(t1, "\"float16\": [\"(1024,)\", \"(256, 256)\"],\n"));
    assert_non_null(strstr(t1, "\"shape\": [8192, 4096],\n"));
    assert_non_null(strstr(t1, "\"shape_constraints\": {\n          \"alignment\": 32,\n"
                               "          \"min_size\": 256\n        },"));
    assert_non_null(strstr(t1, "\"speedup\": 1.23,"));
    assert_non_null(strstr(t1, "\"version\": \"1.0\"\n}\n"));
    ST_OK(fgi_meta_open_buffer(t1, l1, NULL, "canonical", &s));
    ST_OK(fgi_meta_to_json(s, &t2, &l2));
    assert_int_equal(l1, l2);
    assert_memory_equal(t1, t2, l1);
    /* Every field survives: compare with the fixture as JSON values. */
    json_t *a = json_loadb(seed, n, 0, NULL), *b = json_loadb(t2, l2, 0, NULL);
    assert_true(json_equal(a, b));
    json_decref(a);
    json_decref(b);
    fgi_meta_close(s);
    fgi_meta_free(t1);
    fgi_meta_free(t2);
    free(seed);
}

/* ---------------------------------------------------------------- manual save, reload */

static void test_manual_save_conflict_reload(void **state)
{
    mt_repo *r = *state;
    fgi_meta_store *a = open_new(r, FGI_META_MANUAL_SAVE);
    fgi_meta_store *b = open_new(r, 0);
    char e[512];
    ST_OK(fgi_meta_register_op(a, "ka", mt_entry(e, sizeof e, "relu", "pointwise")));
    assert_int_equal(fgi_meta_unsaved(a), 1);
    ST_OK(fgi_meta_update_op(a, "ka", "{\"status\": \"VALIDATED\"}"));
    assert_int_equal(fgi_meta_unsaved(a), 2);
    char *on_disk = mt_read(r->file, NULL);
    assert_null(strstr(on_disk, "\"ka\"")); /* not written yet */
    free(on_disk);

    /* Another writer changes the file: a's copy is now stale. */
    ST_OK(fgi_meta_register_op(b, "kb", mt_entry(e, sizeof e, "silu", "pointwise")));
    ST_ERR(fgi_meta_save(a), FG_ERR_CONFLICT, "changed on disk since this handle read it");
    ST_ERR(fgi_meta_update_op(a, "ka", "{}"), FG_ERR_CONFLICT, "2 unsaved change(s)");
    on_disk = mt_read(r->file, NULL);
    assert_non_null(strstr(on_disk, "\"kb\""));
    assert_null(strstr(on_disk, "\"ka\"")); /* never merged, never overwritten */
    free(on_disk);

    ST_OK(fgi_meta_reload(a));
    assert_int_equal(fgi_meta_unsaved(a), 0);
    assert_int_equal(fgi_meta_count(a), 1);
    ST_OK(fgi_meta_register_op(a, "ka", mt_entry(e, sizeof e, "relu", "pointwise")));
    ST_OK(fgi_meta_save(a));
    ST_OK(fgi_meta_save(a)); /* nothing unsaved: a no-op */
    /* Touched but not changed (new times, same bytes): not a conflict. */
    ST_OK(fgi_meta_update_op(a, "ka", "{\"graduation_tracking\": {\"eligible\": true}}"));
    struct timespec times[2] = {{0, UTIME_OMIT}, {12345, 0}};
    assert_int_equal(utimensat(AT_FDCWD, r->file, times, 0), 0);
    ST_OK(fgi_meta_save(a));
    ST_OK(fgi_meta_update_op(a, "ka", "{\"graduation_tracking\": {\"eligible\": false}}"));
    ST_OK(fgi_meta_save(a));
    assert_int_equal(fgi_meta_unsaved(a), 0);

    /* b has nothing unsaved: its next update reads a's write first. */
    char seen[48];
    ST_OK(fgi_meta_last_updated(b, seen, sizeof seen)); /* b's copy: before a's save */
    ST_OK(fgi_meta_update_op(b, "ka", "{\"status\": \"VALIDATED\"}"));
    assert_int_equal(fgi_meta_count(b), 2);
    /* An edit of an older copy is refused, a current one goes through. */
    ST_ERR(fgi_meta_update_op_if(b, "ka", "{\"status\": \"EXPERIMENTAL\"}", seen), FG_ERR_CONFLICT,
           "changed since the copy was read");
    ST_OK(fgi_meta_update_op(a, "kb", "{\"status\": \"VALIDATED\"}"));
    ST_OK(fgi_meta_last_updated(a, seen, sizeof seen));
    ST_OK(fgi_meta_update_op_if(b, "ka", "{\"status\": \"EXPERIMENTAL\"}", seen));
    ST_OK(fgi_meta_update_op(b, "ka", "{\"status\": \"VALIDATED\"}"));
    fgi_meta_close(a);
    fgi_meta_close(b);

    fgi_meta_options o = {FGI_META_KIND_METADATA, FGI_META_READONLY, NULL};
    fgi_meta_store *c;
    ST_OK(fgi_meta_open(r->file, &o, &c));
    const fgi_meta_op *op;
    ST_OK(fgi_meta_get_op(c, "ka", &op));
    assert_int_equal(op->status, FGI_META_VALIDATED);
    fgi_meta_op_release(op);
    char lu[48];
    ST_OK(fgi_meta_last_updated(c, lu, sizeof lu));
    int64_t t;
    ST_OK(fgi_meta_time_parse(lu, &t));
    fgi_meta_write_stats ws;
    ST_OK(fgi_meta_get_write_stats(c, &ws));
    assert_int_equal(ws.bytes, 0); /* this handle wrote nothing */
    fgi_meta_close(c);
}

static void test_write_stats_and_bak(void **state)
{
    mt_repo *r = *state;
    fgi_meta_store *s = open_new(r, 0);
    char e[512];
    ST_OK(fgi_meta_register_op(s, "k", mt_entry(e, sizeof e, "relu", "pointwise")));
    char *v1 = mt_read(r->file, NULL);
    char lu1[48];
    ST_OK(fgi_meta_last_updated(s, lu1, sizeof lu1));
    ST_OK(fgi_meta_update_op(s, "k", "{\"status\": \"VALIDATED\"}"));
    char lu2[48];
    ST_OK(fgi_meta_last_updated(s, lu2, sizeof lu2));
    assert_true(strcmp(lu1, lu2) != 0);
    int64_t t1, t2;
    ST_OK(fgi_meta_time_parse(lu1, &t1));
    ST_OK(fgi_meta_time_parse(lu2, &t2));
    assert_true(t2 > t1); /* strictly increasing */
    char *bak = mt_read(r->bak, NULL);
    assert_string_equal(v1, bak); /* the previous version is the .bak */
    fgi_meta_write_stats ws;
    ST_OK(fgi_meta_get_write_stats(s, &ws));
    size_t n;
    free(mt_read(r->file, &n));
    assert_int_equal(ws.bytes, n);
    assert_true(ws.total_ns >= ws.fsync_ns && ws.fsync_ns > 0);
    /* Later writes reuse the old backup's inode for the next version (no
     * document-sized free inside a write): versions shorter and longer than
     * the recycled file come out exact, and .bak is always the previous one. */
    char *prev = mt_read(r->file, NULL);
    ST_OK(fgi_meta_update_op(s, "k", "{\"graduation_tracking\": {\"blocking_issues\": "
                                     "[\"a long reason, long enough to make this version the longest\"]}}"));
    char *bak2 = mt_read(r->bak, NULL);
    assert_string_equal(prev, bak2);
    free(prev);
    free(bak2);
    prev = mt_read(r->file, NULL);
    ST_OK(fgi_meta_update_op(s, "k", "{\"graduation_tracking\": {\"blocking_issues\": []}}"));
    bak2 = mt_read(r->bak, NULL);
    assert_string_equal(prev, bak2);
    char *now = mt_read(r->file, NULL);
    assert_non_null(strstr(now, "\"blocking_issues\": []"));
    assert_null(strstr(now, "a long reason")); /* no tail of the longer recycled version */
    assert_int_equal(now[strlen(now) - 1], '\n');
    free(prev);
    free(bak2);
    free(now);
    /* A backup with another name (a hard link someone made) is never
     * overwritten: that name keeps its content. */
    char keep[400];
    snprintf(keep, sizeof keep, "%s/kept-copy.json", r->root);
    assert_int_equal(link(r->bak, keep), 0);
    char *kept = mt_read(keep, NULL);
    ST_OK(fgi_meta_update_op(s, "k", "{\"status\": \"EXPERIMENTAL\"}"));
    ST_OK(fgi_meta_update_op(s, "k", "{\"status\": \"VALIDATED\"}"));
    char *kept2 = mt_read(keep, NULL);
    assert_string_equal(kept, kept2);
    free(kept);
    free(kept2);
    free(v1);
    free(bak);
    fgi_meta_close(s);
}

/* ---------------------------------------------------------------- tracker */

static void test_tracker(void **state)
{
    mt_repo *r = *state;
    size_t n;
    char *seed = mt_fixture("tracker_seed.json", &n);
    mt_write(r->tracker, seed, n);
    free(seed);
    fgi_meta_options o = {FGI_META_KIND_TRACKER, 0, NULL};
    fgi_meta_store *t;
    ST_OK(fgi_meta_open(r->tracker, &o, &t));
    assert_int_equal(fgi_meta_count(t), 0);
    char e[512];
    ST_ERR(fgi_meta_register_op(t, "k", mt_entry(e, sizeof e, "relu", "pointwise")),
           FG_ERR_INVALID_ARG, "needs a _metadata.json store");

    const char *issues[] = {"needs MLU"};
    fgi_meta_candidate c = {"123e4567-e89b-42d3-a456-426614174000", "add", "BLOCKED",
                            "2025-12-18", 0.7, issues, 1, 0, "Validate on MLU"};
    ST_OK(fgi_meta_tracker_upsert_candidate(t, &c));
    c.status = "PR_CREATED";
    c.pr_number = 42;
    c.n_blocking_issues = 0;
    ST_OK(fgi_meta_tracker_upsert_candidate(t, &c)); /* replaces by op_id */
    fgi_meta_graduated g = {"fast_gelu", "v4.3", "2025-12-20", "v4.4"};
    ST_OK(fgi_meta_tracker_add_graduated(t, &g));
    ST_OK(fgi_meta_tracker_add_graduated(t, &g)); /* same op and version: replaced */
    ST_OK(fgi_meta_tracker_remove_candidate(t, "550e8400-e29b-41d4-a716-446655440000"));
    ST_ERR(fgi_meta_tracker_remove_candidate(t, "550e8400-e29b-41d4-a716-446655440000"),
           FG_ERR_NOT_FOUND, "no graduation candidate");

    fgi_meta_candidate badc = c;
    badc.status = "DONE";
    ST_ERR(fgi_meta_tracker_upsert_candidate(t, &badc), FG_ERR_INVALID_ARG,
           "expected one of READY_FOR_REVIEW, BLOCKED");
    badc = c;
    badc.graduation_score = 1.5;
    ST_ERR(fgi_meta_tracker_upsert_candidate(t, &badc), FG_ERR_INVALID_ARG,
           "graduation_score: expected a number in [0, 1], got 1.5");
    badc = c;
    badc.eligible_since = "2025-13-01";
    ST_ERR(fgi_meta_tracker_upsert_candidate(t, &badc), FG_ERR_INVALID_ARG, "month out of range");
    badc = c;
    badc.op_id = "nope";
    ST_ERR(fgi_meta_tracker_upsert_candidate(t, &badc), FG_ERR_INVALID_ARG, "UUID v4");

    char *text;
    ST_OK(fgi_meta_to_json(t, &text, &n));
    fgi_meta_close(t);
    char *disk = mt_read(r->tracker, NULL);
    assert_string_equal(text, disk);
    fgi_meta_free(text);
    json_t *j = json_loads(disk, 0, NULL);
    free(disk);
    json_t *cands = json_object_get(j, "graduation_candidates");
    assert_int_equal(json_array_size(cands), 1);
    json_t *c0 = json_array_get(cands, 0);
    assert_string_equal(json_string_value(json_object_get(c0, "status")), "PR_CREATED");
    assert_int_equal(json_integer_value(json_object_get(c0, "pr_number")), 42);
    assert_int_equal(json_array_size(json_object_get(c0, "blocking_issues")), 0);
    json_t *grads = json_object_get(j, "recently_graduated");
    assert_int_equal(json_array_size(grads), 2);
    /* Sorted by graduation date: the seed's 2025-12-10 first. */
    assert_string_equal(json_string_value(json_object_get(json_array_get(grads, 0), "op_name")),
                        "efficient_softmax");
    assert_string_equal(json_string_value(json_object_get(j, "tracking_version")), "1.0");
    json_decref(j);

    /* A metadata store refuses tracker calls; a fresh tracker is created empty. */
    fgi_meta_store *m = open_new(r, 0);
    ST_ERR(fgi_meta_tracker_upsert_candidate(m, &c), FG_ERR_INVALID_ARG, "needs a tracker.json store");
    fgi_meta_close(m);
    char p2[400];
    snprintf(p2, sizeof p2, "%s/graduation_tracker.json", r->root);
    o.flags = FGI_META_CREATE;
    ST_OK(fgi_meta_open(p2, &o, &t));
    ST_OK(fgi_meta_to_json(t, &text, NULL));
    assert_non_null(strstr(text, "\"graduation_candidates\": [],"));
    assert_non_null(strstr(text, "\"tracking_version\": \"1.0\"\n}\n"));
    fgi_meta_free(text);
    fgi_meta_close(t);
}

static void test_open_buffer(void **state)
{
    (void)state;
    size_t n;
    char *seed = mt_fixture("seed_example.json", &n);
    fgi_meta_store *s;
    fg_memory_stats m0, m1, m2;
    ST_OK(fg_memory_get_stats(&m0));
    ST_OK(fgi_meta_open_buffer(seed, n, NULL, "embedded", &s));
    assert_int_equal(fgi_meta_count(s), 1);
    /* entries live in the library allocator's memory */
    ST_OK(fg_memory_get_stats(&m1));
    assert_true(m1.live_bytes > m0.live_bytes);
    const fgi_meta_op *op;
    ST_OK(fgi_meta_get_op(s, "fast_gelu_v1", &op));
    assert_int_equal(op->status, FGI_META_VALIDATED);
    assert_true(op->validation_info.performance_tests.baselines[0].speedup == 1.23);
    assert_string_equal(op->hardware_support.shape_constraints, "{\"alignment\":32,\"min_size\":256}");
    assert_int_equal(op->hardware_support.shape_rule.alignment, 32);
    assert_int_equal(op->hardware_support.shape_rule.min_size, 256);
    fgi_meta_op_release(op);
    ST_ERR(fgi_meta_update_op(s, "fast_gelu_v1", "{}"), FG_ERR_UNSUPPORTED, "read-only");
    ST_OK(fgi_meta_save(s)); /* nothing unsaved */
    ST_ERR(fgi_meta_reload(s), FG_ERR_UNSUPPORTED, "in-memory");
    fgi_meta_close(s);
    ST_OK(fg_memory_get_stats(&m2));
    assert_int_equal(m2.live_bytes, m0.live_bytes);
    ST_ERR(fgi_meta_open_buffer(seed, n / 2, NULL, "half", &s), FG_ERR_PARSE, "half: line");
    assert_null(s);
    free(seed);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_enums_and_transitions),
        cmocka_unit_test(test_time_and_uuid),
        cmocka_unit_test_setup_teardown(test_normalize_path, setup, teardown),
        cmocka_unit_test_setup_teardown(test_open_create_and_flags, setup, teardown),
        cmocka_unit_test_setup_teardown(test_register_defaults_and_get, setup, teardown),
        cmocka_unit_test_setup_teardown(test_register_refusals, setup, teardown),
        cmocka_unit_test_setup_teardown(test_shape_constraints, setup, teardown),
        cmocka_unit_test_setup_teardown(test_update_op, setup, teardown),
        cmocka_unit_test_setup_teardown(test_query_ops, setup, teardown),
        cmocka_unit_test_setup_teardown(test_update_validation_status, setup, teardown),
        cmocka_unit_test_setup_teardown(test_graduation_eligibility, setup, teardown),
        cmocka_unit_test_setup_teardown(test_export_report, setup, teardown),
        cmocka_unit_test_setup_teardown(test_deterministic_text, setup, teardown),
        cmocka_unit_test_setup_teardown(test_manual_save_conflict_reload, setup, teardown),
        cmocka_unit_test_setup_teardown(test_write_stats_and_bak, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tracker, setup, teardown),
        cmocka_unit_test(test_open_buffer),
    };
    return cmocka_run_group_tests_name("metadata_api", tests, NULL, NULL);
}
