/* Corrupt and hostile inputs: every truncation, wrong types, bad enums,
 * huge numbers, 10 000-deep nesting, invalid UTF-8, 100 MB strings. Each
 * gets a clear error with a path or a line and column, never a crash. */
#include "meta_test.h"

#include <jansson.h>

static char *seed_text(size_t *n) { return mt_fixture("seed_example.json", n); }

/* Opens `text` as a metadata document and expects `code` with `msg`. */
static void expect_doc(const char *text, size_t len, fg_status code, const char *msg)
{
    fgi_meta_store *s = NULL;
    fg_status st = fgi_meta_open_buffer(text, len, NULL, "doc", &s);
    if (code == FG_OK) {
        if (st != FG_OK) fail_msg("expected success: %s", fg_last_error());
        fgi_meta_close(s);
        return;
    }
    if (st != code) fail_msg("expected %s (%s), got %s: %s", fg_status_name(code), msg,
                             fg_status_name(st), fg_last_error());
    if (!strstr(fg_last_error(), msg)) fail_msg("message lacks \"%s\": %s", msg, fg_last_error());
    assert_null(s);
    assert_true(strlen(fg_last_error()) < 1024);
}

/* The seed document with one field replaced (path of keys, NULL-ended). */
static void expect_field(const char *const *keys, json_t *value, const char *msg)
{
    size_t n;
    char *seed = seed_text(&n);
    json_t *root = json_loads(seed, 0, NULL);
    free(seed);
    json_t *o = root;
    size_t i = 0;
    for (; keys[i + 1]; i++) o = json_object_get(o, keys[i]);
    if (value) json_object_set_new(o, keys[i], value);
    else json_object_del(o, keys[i]);
    char *text = json_dumps(root, JSON_INDENT(2));
    expect_doc(text, strlen(text), FG_ERR_PARSE, msg);
    free(text);
    json_decref(root);
}

#define K(...) ((const char *const[]){__VA_ARGS__, NULL})
#define OP "ops", "fast_gelu_v1"

static void test_every_truncation(void **state)
{
    (void)state;
    size_t n;
    char *seed = seed_text(&n);
    int ok = 0;
    for (size_t len = 0; len < n; len++) {
        fgi_meta_store *s = NULL;
        fg_status st = fgi_meta_open_buffer(seed, len, NULL, "t", &s);
        if (st == FG_OK) {
            ok++; /* only the copy without its final newline is complete */
            assert_int_equal(len, n - 1);
            fgi_meta_close(s);
            continue;
        }
        if (st != FG_ERR_PARSE) fail_msg("prefix %zu: %s", len, fg_last_error());
        if (len > 0 && !strstr(fg_last_error(), "t: line "))
            fail_msg("prefix %zu: no line/column: %s", len, fg_last_error());
    }
    assert_int_equal(ok, 1);
    /* Each byte replaced by a few hostile ones: errors or valid, no crash. */
    static const char subs[] = {'#', '"', '{', ']', '\0', '\x80', '9'};
    for (size_t i = 0; i < n; i += 3) {
        for (size_t k = 0; k < sizeof subs; k++) {
            char saved = seed[i];
            seed[i] = subs[k];
            fgi_meta_store *s = NULL;
            fg_status st = fgi_meta_open_buffer(seed, n, NULL, "b", &s);
            assert_true(st == FG_OK || st == FG_ERR_PARSE || st == FG_ERR_UNSUPPORTED);
            if (st != FG_OK) assert_true(fg_last_error()[0] != '\0');
            fgi_meta_close(s);
            seed[i] = saved;
        }
    }
    free(seed);
}

static void test_wrong_types_and_enums(void **state)
{
    (void)state;
    expect_field(K(OP, "validation_info", "accuracy_tests", "test_cases"), json_string("many"),
                 "doc: ops.fast_gelu_v1.validation_info.accuracy_tests.test_cases: expected a "
                 "non-negative integer, got \"many\"");
    expect_field(K(OP, "status"), json_string("validated"),
                 "ops.fast_gelu_v1.status: expected one of EXPERIMENTAL, VALIDATED, "
                 "GRADUATION_CANDIDATE, GRADUATED, STABLE, DEPRECATED, got \"validated\"");
    expect_field(K(OP, "category"), json_integer(7),
                 "ops.fast_gelu_v1.category: expected a string, got 7");
    expect_field(K(OP, "category"), json_string("conv"),
                 "ops.fast_gelu_v1.category: expected one of blas, reduction, pointwise, custom, got "
                 "\"conv\"");
    expect_field(K(OP, "hardware_support", "tested_devices"), json_string("A100"),
                 "ops.fast_gelu_v1.hardware_support.tested_devices: expected an array, got \"A100\"");
    expect_field(K(OP, "graduation_tracking", "checklist", "accuracy_passed"), json_integer(1),
                 "ops.fast_gelu_v1.graduation_tracking.checklist.accuracy_passed: expected true or "
                 "false, got 1");
    expect_field(K(OP, "graduation_tracking", "checklist", "stable_period_met"), NULL,
                 "ops.fast_gelu_v1.graduation_tracking.checklist.stable_period_met: missing "
                 "required key");
    expect_field(K(OP, "validation_info", "accuracy_tests", "last_run"),
                 json_string("2025-13-01T00:00:00Z"),
                 "accuracy_tests.last_run: expected an RFC 3339 UTC time like "
                 "\"2025-12-19T10:30:00Z\" (month out of range), got \"2025-13-01T00:00:00Z\"");
    expect_field(K(OP, "op_id"), json_string("not-a-uuid"),
                 "ops.fast_gelu_v1.op_id: expected a UUID v4");
    expect_field(K(OP, "graduation_tracking", "in_experimental_since"), json_string("soon"),
                 "in_experimental_since: expected a version like \"v4.1\" or \"0.1.0\", got \"soon\"");
    expect_field(K(OP, "code_location", "commit_hash"), json_string("xyz"),
                 "code_location.commit_hash: expected a commit hash (4..64 hex digits), got \"xyz\"");
    expect_field(K(OP, "code_location", "file_path"), json_string("../../etc/passwd"),
                 "code_location.file_path: \"../../etc/passwd\" escapes the repository root");
    expect_field(K(OP, "validation_info", "accuracy_tests", "coverage"),
                 json_pack("{s:[s]}", "float8", "(1,)"),
                 "accuracy_tests.coverage.float8: expected a dtype");
    expect_field(K(OP, "validation_info", "accuracy_tests", "coverage"),
                 json_pack("{s:[s]}", "float32", "1024"),
                 "accuracy_tests.coverage.float32[0]: expected a shape like \"(256, 256)\", got "
                 "\"1024\"");
    expect_field(K(OP, "validation_info", "performance_tests", "baselines"),
                 json_pack("[{s:s,s:[i,i],s:s,s:f,s:f,s:s,s:s}]", "device", "d", "shape", 1, -2,
                           "dtype", "float16", "speedup", 1.0, "memory_overhead", 0.0,
                           "reference_impl", "torch", "timestamp", "2025-12-10T10:00:00Z"),
                 "performance_tests.baselines[0].shape[1]: expected a non-negative integer "
                 "dimension, got -2");
    expect_field(K(OP, "validation_info", "performance_tests", "baselines"), json_pack("[i]", 3),
                 "performance_tests.baselines[0]: expected an object, got 3");
    expect_field(K(OP, "generation_info", "generation_config"), json_pack("[]"),
                 "generation_info.generation_config: expected an object, got an array");
    expect_field(K(OP, "graduation_tracking", "blocking_issues"), json_pack("[s]", "a\nb"),
                 "graduation_tracking.blocking_issues[0]: expected a non-empty single-line string");
    expect_field(K(OP, "graduation_tracking", "blocking_issues"), json_pack("[s]", ""),
                 "expected a non-empty single-line string");
    expect_field(K(OP, "surprise"), json_true(),
                 "ops.fast_gelu_v1.surprise: unknown key (allowed here: category, code_location");
    expect_field(K("extra"), json_true(), "extra: unknown key (allowed here: last_updated, ops, version)");
    expect_field(K("ops"), json_pack("[]"), "ops: expected an object {kernel_id: entry}, got an array");
    expect_field(K("last_updated"), json_null(), "last_updated: expected an RFC 3339 UTC time string, "
                                                 "got null");
    expect_doc("[1, 2]", 6, FG_ERR_PARSE, "expected an object at the top level, got an array");
    expect_doc("{\"version\": \"1.0\", \"version\": \"1.0\"}", 36, FG_ERR_PARSE,
               "duplicate object key");

    /* Keys that are not identifiers are quoted in paths; hostile ones are cut. */
    char doc[600];
    snprintf(doc, sizeof doc, "{\"version\": \"1.0\", \"last_updated\": \"2025-12-19T10:30:00Z\", "
                              "\"ops\": {\"gelu.cpu.gen.v1\": {\"op_name\": 1}}}");
    expect_doc(doc, strlen(doc), FG_ERR_PARSE, "ops[\"gelu.cpu.gen.v1\"].op_name: expected a string, got 1");
    snprintf(doc, sizeof doc, "{\"version\": \"1.0\", \"last_updated\": \"2025-12-19T10:30:00Z\", "
                              "\"ops\": {\"bad key\\\"\": {}}}");
    expect_doc(doc, strlen(doc), FG_ERR_PARSE, "ops[\"bad key?\"]: a kernel id has only letters");
}

static void test_huge_numbers(void **state)
{
    (void)state;
    size_t n;
    char *seed = seed_text(&n);
    char *doc = malloc(n + 64);
    const char *at = strstr(seed, "\"test_cases\": 45");
    size_t pre = (size_t)(at - seed) + 14;
    static const struct {
        const char *num, *msg;
    } cases[] = {
        {"99999999999999999999999", "too big integer"},
        {"1e400", "real number overflow"},
        {"1e10", "test_cases: expected a non-negative integer, got 10000000000.0"},
        {"1099511627776", "test_cases: expected a non-negative integer, got 1099511627776"},
        {"-9223372036854775808", "test_cases: expected a non-negative integer, got -9223372036854775808"},
        {"4.5", "expected a non-negative integer, got 4.5"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        memcpy(doc, seed, pre);
        size_t k = strlen(cases[i].num);
        memcpy(doc + pre, cases[i].num, k);
        memcpy(doc + pre + k, at + 16, n - pre - 2);
        size_t len = pre + k + (n - pre - 2);
        expect_doc(doc, len, FG_ERR_PARSE, cases[i].msg);
        if (i < 2) assert_non_null(strstr(fg_last_error(), "doc: line 23, column"));
    }
    free(doc);
    expect_field(K(OP, "validation_info", "performance_tests", "baselines"),
                 json_pack("[{s:s,s:[I],s:s,s:f,s:f,s:s,s:s}]", "device", "d", "shape",
                           (json_int_t)INT64_MAX, "dtype", "float16", "speedup", 1.0,
                           "memory_overhead", 0.0, "reference_impl", "torch", "timestamp",
                           "2025-12-10T10:00:00Z"),
                 "shape[0]: expected a non-negative integer dimension, got 9223372036854775807");
    expect_field(K(OP, "validation_info", "performance_tests", "baselines"),
                 json_pack("[{s:s,s:[],s:s,s:f,s:f,s:s,s:s}]", "device", "d", "shape", "dtype",
                           "float16", "speedup", 1e300, "memory_overhead", 0.0, "reference_impl",
                           "torch", "timestamp", "2025-12-10T10:00:00Z"),
                 "speedup: expected a number in (0, 1e+06], got 1e+300");
    expect_field(K(OP, "code_location", "line_start"), json_integer(INT64_MAX),
                 "line_start: expected an integer in [1, 1000000000], got 9223372036854775807");
    free(seed);
}

static char *deep(size_t depth, const char *open, const char *close, const char *pre,
                  const char *post)
{
    size_t lo = strlen(open), lc = strlen(close), lp = strlen(pre), lq = strlen(post);
    char *s = malloc(lp + lq + depth * (lo + lc) + 8);
    char *p = s;
    memcpy(p, pre, lp);
    p += lp;
    for (size_t i = 0; i < depth; i++, p += lo) memcpy(p, open, lo);
    *p++ = '1';
    for (size_t i = 0; i < depth; i++, p += lc) memcpy(p, close, lc);
    memcpy(p, post, lq);
    p[lq] = '\0';
    return s;
}

static void test_deep_nesting(void **state)
{
    mt_repo r;
    mt_repo_init(&r);
    (void)state;
    char *d = deep(10000, "[", "]", "", "");
    expect_doc(d, strlen(d), FG_ERR_PARSE, "maximum parsing depth reached");
    free(d);
    d = deep(10000, "{\"a\":", "}", "{\"version\":\"1.0\",\"x\":", "}");
    expect_doc(d, strlen(d), FG_ERR_PARSE, "maximum parsing depth reached");
    free(d);
    /* Deep but under the parser's limit: our own limit names the field. */
    size_t n;
    char *seed = seed_text(&n);
    mt_write(r.file, seed, n);
    free(seed);
    fgi_meta_options o = {FGI_META_KIND_METADATA, 0, NULL};
    fgi_meta_store *s;
    ST_OK(fgi_meta_open(r.file, &o, &s));
    char *p = deep(40, "{\"a\":", "}", "{\"generation_info\": {\"generation_config\": ", "}}");
    ST_ERR(fgi_meta_update_op(s, "fast_gelu_v1", p), FG_ERR_INVALID_ARG,
           "ops.fast_gelu_v1.generation_info.generation_config: nested more than 16 levels deep");
    free(p);
    p = deep(10000, "{\"a\":", "}", "{\"generation_info\": {\"generation_config\": ", "}}");
    ST_ERR(fgi_meta_update_op(s, "fast_gelu_v1", p), FG_ERR_PARSE,
           "patch_json: line 1, column");
    assert_non_null(strstr(fg_last_error(), "maximum parsing depth reached"));
    free(p);
    p = deep(10000, "[", "]", "{\"hardware_support\": {\"shape_constraints\": {\"k\": ", "}}}");
    ST_ERR(fgi_meta_update_op(s, "fast_gelu_v1", p), FG_ERR_PARSE, "maximum parsing depth reached");
    free(p);
    fgi_meta_close(s);
    mt_repo_free(&r);
}

static void test_invalid_utf8(void **state)
{
    (void)state;
    size_t n;
    char *seed = seed_text(&n);
    char *at = strstr(seed, "Code review pending");
    at[0] = (char)0xC3;
    at[1] = '(';
    expect_doc(seed, n, FG_ERR_PARSE, "unable to decode byte 0xc3");
    assert_non_null(strstr(fg_last_error(), "doc: line 66, column 11: unable to decode byte 0xc3"));
    at[0] = (char)0xFF;
    expect_doc(seed, n, FG_ERR_PARSE, "unable to decode byte 0xff");
    free(seed);
    expect_doc("{\"version\": \"1.0\", \"ops\": {}, \"last_updated\": \"\\u0000\"}", 55,
               FG_ERR_PARSE, "\\u0000 is not allowed");
    expect_doc("{\"version\": \"1.\xed\xa0\x80\"}", 22, FG_ERR_PARSE, "unable to decode byte");

    mt_repo r;
    mt_repo_init(&r);
    fgi_meta_options o = {FGI_META_KIND_METADATA, FGI_META_CREATE, NULL};
    fgi_meta_store *s;
    ST_OK(fgi_meta_open(r.file, &o, &s));
    char e[512];
    ST_OK(fgi_meta_register_op(s, "k", mt_entry(e, sizeof e, "relu", "pointwise")));
    ST_ERR(fgi_meta_update_op(s, "k", "{\"graduation_tracking\": {\"blocking_issues\": [\"\xff\"]}}"),
           FG_ERR_PARSE, "patch_json: line 1, column");
    ST_ERR(fgi_meta_register_op(s, "k\xc3\x28", e), FG_ERR_INVALID_ARG, "a kernel id has only");
    int64_t sh[1] = {4};
    fgi_meta_baseline bl = {"dev\xc3\x28", sh, 1, "float32", 1.0, 0.0, "torch", NULL};
    fgi_meta_performance_result pr = {&bl, 1, -1, NULL};
    fgi_meta_validation_result vr = {NULL, &pr};
    ST_ERR(fgi_meta_update_validation_status(s, "k", &vr), FG_ERR_INVALID_ARG,
           "performance.baselines[].device is not valid UTF-8");
    const char *shapes[] = {"(1,)\xe2\x82"};
    fgi_meta_coverage cov = {"float32", shapes, 1};
    fgi_meta_accuracy_result acc = {1, 1, &cov, 1, NULL};
    fgi_meta_validation_result va = {&acc, NULL};
    ST_ERR(fgi_meta_update_validation_status(s, "k", &va), FG_ERR_INVALID_ARG, "not valid UTF-8");
    fgi_meta_close(s);
    fgi_meta_options t = {FGI_META_KIND_TRACKER, FGI_META_CREATE, NULL};
    ST_OK(fgi_meta_open(r.tracker, &t, &s));
    fgi_meta_candidate c = {"123e4567-e89b-42d3-a456-426614174000", "add", "BLOCKED", NULL, 0.5,
                            NULL, 0, 0, "next \xf0\x9f"};
    ST_ERR(fgi_meta_tracker_upsert_candidate(s, &c), FG_ERR_INVALID_ARG,
           "candidate.next_action is not valid UTF-8");
    fgi_meta_close(s);
    mt_repo_free(&r);
}

static void test_huge_strings(void **state)
{
    (void)state;
    mt_repo r;
    mt_repo_init(&r);
    const size_t big = (size_t)100 << 20;
    char *doc = malloc(big + 128);
    int k = snprintf(doc, 128, "{\"version\": \"1.0\", \"last_updated\": \"");
    memset(doc + k, 'x', big);
    memcpy(doc + k + big, "\", \"ops\": {}}", 14);
    size_t len = (size_t)k + big + 13;
    /* In memory and on disk: refused by size before any parsing. */
    expect_doc(doc, len, FG_ERR_PARSE, "more than the 67108864-byte limit");
    mt_write(r.file, doc, len);
    fgi_meta_options o = {FGI_META_KIND_METADATA, 0, NULL};
    fgi_meta_store *s = NULL;
    char msg[128];
    snprintf(msg, sizeof msg, "the file is %zu bytes, more than the 67108864-byte limit", len);
    ST_ERR(fgi_meta_open(r.file, &o, &s), FG_ERR_PARSE, msg);
    assert_non_null(strstr(fg_last_error(), "no backup exists; nothing was changed"));
    unlink(r.file);

    /* As an input string: patches are capped at 4 MiB. */
    o.flags = FGI_META_CREATE;
    ST_OK(fgi_meta_open(r.file, &o, &s));
    char e[512];
    ST_OK(fgi_meta_register_op(s, "k", mt_entry(e, sizeof e, "relu", "pointwise")));
    k = snprintf(doc, 128, "{\"generation_info\": {\"generator_tool\": \"");
    memset(doc + k, 'y', big);
    memcpy(doc + k + big, "\"}}", 4);
    snprintf(msg, sizeof msg, "patch_json is %zu bytes, more than the 4194304-byte limit",
             strlen(doc));
    ST_ERR(fgi_meta_update_op(s, "k", doc), FG_ERR_INVALID_ARG, msg);
    /* A 1 MB string fits the input but not the field. */
    memcpy(doc + k + ((size_t)1 << 20), "\"}}", 4);
    ST_ERR(fgi_meta_update_op(s, "k", doc), FG_ERR_INVALID_ARG,
           "ops.k.generation_info.generator_tool: expected a non-empty single-line string of at "
           "most 128 bytes, got a string of 1048576 bytes starting \"yyyyyyyyyyyyyyyyyyyyyyyy\"...");
    memset(doc + k, 'z', 5000);
    memcpy(doc + k + 5000, "\"}}", 4);
    memcpy(doc, "{\"graduation_tracking\": {\"blocking_issues\": [\"", 46);
    k = 46;
    memset(doc + k, 'z', 5000);
    memcpy(doc + k + 5000, "\"]}}", 5);
    ST_ERR(fgi_meta_update_op(s, "k", doc), FG_ERR_INVALID_ARG,
           "blocking_issues[0]: expected a non-empty single-line string of at most 4096 bytes, got "
           "a string of 5000 bytes");
    fgi_meta_close(s);
    free(doc);
    mt_repo_free(&r);
}

static void test_many_errors_fit(void **state)
{
    (void)state;
    /* 5 000 broken ops: the message lists the first ones and counts the rest. */
    size_t cap = 64 << 20, len = 0;
    char *doc = malloc(cap);
    len += (size_t)snprintf(doc, cap, "{\"version\": \"1.0\", \"last_updated\": \"2025-12-19T10:30:00Z\", \"ops\": {");
    for (int i = 0; i < 5000; i++)
        len += (size_t)snprintf(doc + len, cap - len, "%s\"k%d\": {\"op_name\": %d}", i ? "," : "", i, i);
    len += (size_t)snprintf(doc + len, cap - len, "}}");
    expect_doc(doc, len, FG_ERR_PARSE, "more problems");
    assert_non_null(strstr(fg_last_error(), "ops.k0.op_name: expected a string, got 0"));
    free(doc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_truncation),
        cmocka_unit_test(test_wrong_types_and_enums),
        cmocka_unit_test(test_huge_numbers),
        cmocka_unit_test(test_deep_nesting),
        cmocka_unit_test(test_invalid_utf8),
        cmocka_unit_test(test_huge_strings),
        cmocka_unit_test(test_many_errors_fit),
    };
    return cmocka_run_group_tests_name("metadata_hostile", tests, NULL, NULL);
}
