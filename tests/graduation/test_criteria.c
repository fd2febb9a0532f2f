/* Graduation criteria: each check at, just under and just over its
 * threshold; partial credit; the weighted score and the pass mark; the
 * accuracy block; the policy file; the metadata hook; the renderers. */
#include <math.h>

#include <jansson.h>

#include "grad_test.h"

#define CHECK(r, c) ((r).checks[FGI_GRAD_##c])

static void test_versions(void **state)
{
    (void)state;
    int a, b;
    assert_int_equal(fgi_grad_version_parse("v4.1", &a, &b), 0);
    assert_int_equal(a, 4);
    assert_int_equal(b, 1);
    assert_int_equal(fgi_grad_version_parse("0.1.0", &a, &b), 0);
    assert_int_equal(fgi_grad_version_parse("1.2.3-rc1", &a, &b), 0);
    assert_int_equal(fgi_grad_version_parse("v4", &a, &b), -1);
    assert_int_equal(fgi_grad_version_parse("4.x", &a, &b), -1);
    assert_int_equal(fgi_grad_version_parse("", &a, &b), -1);
    assert_int_equal(fgi_grad_version_parse(NULL, &a, &b), -1);
    assert_int_equal(fgi_grad_version_parse("1.2.3+build.5", &a, &b), 0);
    assert_int_equal(fgi_grad_version_parse("1.2-rc1\"); x(\"", &a, &b), -1); /* lands in C and branch names */
    assert_int_equal(fgi_grad_version_parse("1.2 ", &a, &b), -1);
    assert_int_equal(fgi_grad_versions_between("v4.1", "v4.3"), 2);
    assert_int_equal(fgi_grad_versions_between("v4.5", "5.0"), 1);
    assert_int_equal(fgi_grad_versions_between("v4.5", "5.1.2"), 2);
    assert_int_equal(fgi_grad_versions_between("0.1.0", "0.1.9"), 0); /* patches do not count */
    assert_true(fgi_grad_versions_between("v5.0", "v4.9") < 0);
    assert_int_equal(fgi_grad_versions_between("soon", "v4.9"), -1000);
    char buf[32];
    fgi_grad_next_version("v4.2", buf, sizeof buf);
    assert_string_equal(buf, "v4.3");
    fgi_grad_next_version("0.1.0", buf, sizeof buf);
    assert_string_equal(buf, "0.2.0");
}

static void test_stable_period(void **state)
{
    (void)state;
    kspec k = ks_eligible();
    k.since = "v0.1"; /* 0.1 -> 0.3: exactly 2 */
    fgi_grad_report r = ks_judge(&k, NULL);
    assert_true(CHECK(r, STABLE_PERIOD).passed);
    assert_float_equal(CHECK(r, STABLE_PERIOD).score, 1.0, 1e-12);
    assert_int_equal(r.facts.versions_elapsed, 2);
    k.since = "0.2.0"; /* 1 version: half the credit */
    r = ks_judge(&k, NULL);
    assert_false(CHECK(r, STABLE_PERIOD).passed);
    assert_float_equal(CHECK(r, STABLE_PERIOD).score, 0.5, 1e-12);
    assert_int_equal(CHECK(r, STABLE_PERIOD).n_recommendations, 1);
    k.since = "v0.0"; /* 3 versions: still full credit */
    r = ks_judge(&k, NULL);
    assert_true(CHECK(r, STABLE_PERIOD).passed);
    assert_float_equal(CHECK(r, STABLE_PERIOD).score, 1.0, 1e-12);
    k.since = "v0.9"; /* later than the library */
    r = ks_judge(&k, NULL);
    assert_false(CHECK(r, STABLE_PERIOD).passed);
    assert_float_equal(CHECK(r, STABLE_PERIOD).score, 0.0, 0);
    assert_non_null(strstr(CHECK(r, STABLE_PERIOD).details, "later than"));
}

static void test_accuracy(void **state)
{
    (void)state;
    kspec k = ks_eligible();
    k.shapes = 20;
    fgi_grad_report r = ks_judge(&k, NULL);
    assert_true(CHECK(r, ACCURACY).passed);
    assert_int_equal(r.facts.distinct_shapes, 20);
    assert_float_equal(CHECK(r, ACCURACY).score, 1.0, 1e-12);
    k.shapes = 19;
    r = ks_judge(&k, NULL);
    assert_false(CHECK(r, ACCURACY).passed);
    assert_float_equal(CHECK(r, ACCURACY).score, 19.0 / 20.0, 1e-12);
    assert_non_null(strstr(CHECK(r, ACCURACY).recommendations[0], "1 more shapes"));
    k.shapes = 21;
    r = ks_judge(&k, NULL);
    assert_true(CHECK(r, ACCURACY).passed);
    assert_float_equal(CHECK(r, ACCURACY).score, 1.0, 1e-12);
    /* failed or never run: no credit, whatever the coverage */
    k.acc_passed = 0;
    r = ks_judge(&k, NULL);
    assert_false(CHECK(r, ACCURACY).passed);
    assert_float_equal(CHECK(r, ACCURACY).score, 0.0, 0);
    assert_non_null(strstr(CHECK(r, ACCURACY).details, "failed"));
    k.acc_passed = 1;
    k.acc_run = 0;
    r = ks_judge(&k, NULL);
    assert_false(CHECK(r, ACCURACY).passed);
    assert_non_null(strstr(CHECK(r, ACCURACY).details, "never ran"));
}

/* The same shape in two dtypes, or written with other spacing, counts once. */
static void test_distinct_shapes(void **state)
{
    (void)state;
    kfix f;
    kspec k = ks_eligible();
    kfix_open(&f, &k);
    ST_OK(fgi_meta_update_op(f.store, "fast_gelu.cpu.custom.avx2_v1",
                             "{\"validation_info\": {\"accuracy_tests\": {\"coverage\": {"
                             "\"float32\": [\"(1, 64)\", \"(2,64)\"], "
                             "\"float16\": [\"(1,64)\", \"(2, 64)\", \"(3, 64)\"]}}}}"));
    const fgi_meta_op *op;
    ST_OK(fgi_meta_get_op(f.store, "fast_gelu.cpu.custom.avx2_v1", &op));
    fgi_grad_report r;
    ST_OK(fgi_grad_check_all(op, NULL, GT_VERSION, &r));
    assert_int_equal(r.facts.distinct_shapes, 3);
    assert_float_equal(r.checks[FGI_GRAD_ACCURACY].score, 3.0 / 20.0, 1e-12);
    fgi_meta_op_release(op);
    kfix_close(&f);
}

static void test_performance(void **state)
{
    (void)state;
    kspec k = ks_eligible();
    k.speedups[0] = 0.8; /* at the threshold */
    fgi_grad_report r = ks_judge(&k, NULL);
    assert_true(CHECK(r, PERFORMANCE).passed);
    assert_float_equal(CHECK(r, PERFORMANCE).score, 1.0, 1e-12);
    k.speedups[0] = 0.79; /* one of three under */
    r = ks_judge(&k, NULL);
    assert_false(CHECK(r, PERFORMANCE).passed);
    assert_float_equal(CHECK(r, PERFORMANCE).score, 2.0 / 3.0, 1e-12);
    assert_float_equal(r.facts.speedup_min, 0.79, 1e-12);
    assert_float_equal(r.facts.speedup_geomean, cbrt(0.79 * 0.95 * 1.6), 1e-9);
    assert_non_null(strstr(CHECK(r, PERFORMANCE).recommendations[0], "0.790x"));
    k.speedups[0] = 0.81;
    r = ks_judge(&k, NULL);
    assert_true(CHECK(r, PERFORMANCE).passed);
    k.n_speedups = 0;
    r = ks_judge(&k, NULL);
    assert_false(CHECK(r, PERFORMANCE).passed);
    assert_float_equal(CHECK(r, PERFORMANCE).score, 0.0, 0);
}

static void test_multi_hardware(void **state)
{
    (void)state;
    kspec k = ks_eligible(); /* cpu + NVIDIA = 2 platforms */
    fgi_grad_report r = ks_judge(&k, NULL);
    assert_true(CHECK(r, MULTI_HARDWARE).passed);
    assert_int_equal(r.facts.n_platforms, 2);
    /* two NVIDIA devices are one platform (the seed's example is blocked on this) */
    k.devices[0] = "NVIDIA-A100";
    k.devices[1] = "NVIDIA-H800";
    r = ks_judge(&k, NULL);
    assert_false(CHECK(r, MULTI_HARDWARE).passed);
    assert_float_equal(CHECK(r, MULTI_HARDWARE).score, 0.5, 1e-12);
    k.devices[2] = "Cambricon-MLU370";
    k.n_devices = 3;
    r = ks_judge(&k, NULL);
    assert_true(CHECK(r, MULTI_HARDWARE).passed);
    assert_float_equal(CHECK(r, MULTI_HARDWARE).score, 1.0, 1e-12);
    /* counting devices instead, two NVIDIA devices are two */
    fgi_grad_policy p;
    fgi_grad_policy_default(&p);
    p.hardware_by_vendor = 0;
    k.n_devices = 2;
    r = ks_judge(&k, &p);
    assert_true(CHECK(r, MULTI_HARDWARE).passed);
    /* FlagGems' rule: NVIDIA plus two others */
    fgi_grad_policy_default(&p);
    p.min_hardware = 3;
    snprintf(p.required_platforms[0], sizeof p.required_platforms[0], "NVIDIA");
    p.n_required_platforms = 1;
    k.devices[0] = "cpu-zen3";
    k.devices[1] = "Cambricon-MLU370";
    k.devices[2] = "Ascend-910B";
    k.n_devices = 3;
    r = ks_judge(&k, &p);
    assert_false(CHECK(r, MULTI_HARDWARE).passed); /* 3 platforms but no NVIDIA */
    assert_float_equal(CHECK(r, MULTI_HARDWARE).score, 0.0, 0);
    assert_non_null(strstr(CHECK(r, MULTI_HARDWARE).details, "missing required: NVIDIA"));
    k.devices[2] = "NVIDIA-H100";
    r = ks_judge(&k, &p);
    assert_true(CHECK(r, MULTI_HARDWARE).passed);
    k.n_devices = 2; /* NVIDIA present, one short */
    k.devices[0] = "NVIDIA-H100";
    r = ks_judge(&k, &p);
    assert_false(CHECK(r, MULTI_HARDWARE).passed);
    assert_float_equal(CHECK(r, MULTI_HARDWARE).score, 2.0 / 3.0, 1e-12);
}

static void test_code_quality(void **state)
{
    (void)state;
    kspec k = ks_eligible();
    fgi_grad_report r = ks_judge(&k, NULL);
    assert_true(CHECK(r, CODE_QUALITY).passed);
    k.review = 0;
    r = ks_judge(&k, NULL);
    assert_false(CHECK(r, CODE_QUALITY).passed);
    assert_float_equal(CHECK(r, CODE_QUALITY).score, 0.5, 1e-12);
    k.docs = 0;
    r = ks_judge(&k, NULL);
    assert_float_equal(CHECK(r, CODE_QUALITY).score, 0.0, 0);
    assert_int_equal(CHECK(r, CODE_QUALITY).n_recommendations, 2);
    fgi_grad_policy p;
    fgi_grad_policy_default(&p);
    p.require_code_review = 0;
    p.require_documentation = 0;
    r = ks_judge(&k, &p);
    assert_true(CHECK(r, CODE_QUALITY).passed);
    assert_float_equal(CHECK(r, CODE_QUALITY).score, 1.0, 0);
}

static void test_score_and_eligibility(void **state)
{
    (void)state;
    kspec k = ks_eligible();
    fgi_grad_report r = ks_judge(&k, NULL);
    assert_true(r.eligible);
    assert_float_equal(r.score, 1.0, 1e-12);
    assert_int_equal(r.n_blockers, 0);

    /* 1 version (0.5 x 0.20) and review missing (0.5 x 0.10): 0.85 exactly -> eligible */
    k.since = "0.2.0";
    k.review = 0;
    r = ks_judge(&k, NULL);
    assert_float_equal(r.score, 0.2 * 0.5 + 0.3 + 0.25 + 0.15 + 0.1 * 0.5, 1e-12);
    assert_true(r.eligible);

    /* plus one platform short (0.5 x 0.15): 0.775 -> not eligible, the score is the blocker */
    k.devices[1] = "cpu-epyc";
    r = ks_judge(&k, NULL);
    assert_float_equal(r.score, 0.1 + 0.3 + 0.25 + 0.075 + 0.05, 1e-12);
    assert_false(r.eligible);
    assert_int_equal(r.n_blockers, 1);
    assert_non_null(strstr(r.blockers[0], "score 0.775 is under the pass mark 0.85"));
    assert_non_null(strstr(r.blockers[0], "stable_period, multi_hardware, code_quality"));

    /* accuracy one shape short: score 0.985, but accuracy blocks whatever the score */
    k = ks_eligible();
    k.shapes = 19;
    r = ks_judge(&k, NULL);
    assert_float_equal(r.score, 0.7 + 0.3 * 0.95, 1e-12);
    assert_false(r.eligible);
    assert_non_null(strstr(r.blockers[0], "accuracy failed (blocks graduation whatever the score)"));

    /* a policy that does not block on accuracy lets the score decide */
    fgi_grad_policy p;
    fgi_grad_policy_default(&p);
    p.blocking = 0;
    r = ks_judge(&k, &p);
    assert_true(r.eligible);

    /* status: EXPERIMENTAL cannot graduate */
    k = ks_eligible();
    k.status = "EXPERIMENTAL";
    r = ks_judge(&k, NULL);
    assert_false(r.eligible);
    assert_non_null(strstr(r.blockers[0], "status is EXPERIMENTAL"));

    /* a blocking issue recorded by a person blocks; the checker's demotion notes do not */
    k = ks_eligible();
    k.blocking = "Need validation on Cambricon MLU";
    r = ks_judge(&k, NULL);
    assert_false(r.eligible);
    assert_string_equal(r.blockers[0], "blocking issue: Need validation on Cambricon MLU");
    k.blocking = "demoted from VALIDATED on 2026-11-01: the accuracy run of ... failed";
    r = ks_judge(&k, NULL);
    assert_true(r.eligible);

    /* weights change the arithmetic */
    fgi_grad_policy_default(&p);
    const double w[5] = {0.1, 0.4, 0.3, 0.1, 0.1};
    memcpy(p.weights, w, sizeof w);
    k = ks_eligible();
    k.review = 0;
    k.docs = 0;
    r = ks_judge(&k, &p);
    assert_float_equal(r.score, 0.9, 1e-12);
    assert_float_equal(r.checks[FGI_GRAD_ACCURACY].weight, 0.4, 0);
}

static void test_bad_arguments(void **state)
{
    (void)state;
    kfix f;
    kspec k = ks_eligible();
    kfix_open(&f, &k);
    fgi_grad_report r;
    ST_ERR(fgi_grad_check_all(NULL, NULL, NULL, &r), FG_ERR_NULL, "required");
    ST_ERR(fgi_grad_check_all(f.op, NULL, "latest", &r), FG_ERR_INVALID_ARG, "version \"latest\"");
    fgi_grad_policy p;
    fgi_grad_policy_default(&p);
    p.weights[0] = 0.5;
    ST_ERR(fgi_grad_check_all(f.op, &p, NULL, &r), FG_ERR_INVALID_ARG, "weights: must sum to 1, got 1.3");
    kfix_close(&f);
}

/* ---------------------------------------------------------------- policy file */

static void test_policy_file(void **state)
{
    (void)state;
    fgi_grad_policy p, def;
    fgi_grad_policy_default(&def);
    /* the committed defaults are the built-in defaults */
    ST_OK(fgi_grad_policy_load(FG_GRAD_SOURCE_DIR "/src/experimental/graduation/policy.json", &p));
    assert_memory_equal(&p, &def, sizeof p);
    /* FlagGems' own rule */
    ST_OK(fgi_grad_policy_load(FG_GRAD_SOURCE_DIR "/src/experimental/graduation/policy_flaggems.json", &p));
    assert_int_equal(p.min_hardware, 3);
    assert_int_equal(p.n_required_platforms, 1);
    assert_string_equal(p.required_platforms[0], "NVIDIA");
    assert_int_equal(p.blocking, (1u << FGI_GRAD_ACCURACY) | (1u << FGI_GRAD_MULTI_HARDWARE) |
                                     (1u << FGI_GRAD_PERFORMANCE));
    /* partial files keep the other defaults */
    ST_OK(fgi_grad_policy_parse("{\"thresholds\": {\"min_speedup\": 1.0}, \"pass_score\": 0.9}", "t", &p));
    assert_float_equal(p.min_speedup, 1.0, 0);
    assert_float_equal(p.pass_score, 0.9, 0);
    assert_int_equal(p.min_test_shapes, 20);
    /* round trip */
    char *j = fgi_grad_policy_to_json(&p);
    fgi_grad_policy q;
    ST_OK(fgi_grad_policy_parse(j, "round trip", &q));
    free(j);
    assert_memory_equal(&p, &q, sizeof p);

    /* refusals leave *out alone */
    fgi_grad_policy keep = p;
    ST_ERR(fgi_grad_policy_parse("{\"thresholds\": {\"min_speedup\": 0.8,}}", "bad.json", &p), FG_ERR_PARSE,
           "bad.json: line 1, column");
    ST_ERR(fgi_grad_policy_parse("{\"thresholds\": {\"min_speed\": 1}}", "t", &p), FG_ERR_INVALID_ARG,
           "thresholds.min_speed: unknown key (allowed: stable_period_versions");
    ST_ERR(fgi_grad_policy_parse("{\"weights\": {\"accuracy\": 0.4}}", "t", &p), FG_ERR_INVALID_ARG,
           "weights: must sum to 1, got 1.1");
    ST_ERR(fgi_grad_policy_parse("{\"weights\": {\"accuracy\": -0.1}}", "t", &p), FG_ERR_INVALID_ARG,
           "weights.accuracy: expected a number in [0, 1], got -0.1");
    ST_ERR(fgi_grad_policy_parse("{\"thresholds\": {\"min_test_shapes\": \"20\"}}", "t", &p), FG_ERR_INVALID_ARG,
           "thresholds.min_test_shapes: expected an integer in 0..1000000");
    ST_ERR(fgi_grad_policy_parse("{\"thresholds\": {\"min_speedup\": 0}}", "t", &p), FG_ERR_INVALID_ARG,
           "thresholds.min_speedup: expected a number in (0, 1000], got 0");
    ST_ERR(fgi_grad_policy_parse("{\"pass_score\": 1.5}", "t", &p), FG_ERR_INVALID_ARG, "pass_score");
    ST_ERR(fgi_grad_policy_parse("{\"blocking_criteria\": [\"speed\"]}", "t", &p), FG_ERR_INVALID_ARG,
           "blocking_criteria[0]: expected one of stable_period");
    ST_ERR(fgi_grad_policy_parse("{\"thresholds\": {\"hardware_count_by\": \"chip\"}}", "t", &p),
           FG_ERR_INVALID_ARG, "\"vendor\" or \"device\"");
    ST_ERR(fgi_grad_policy_parse("{\"policy_version\": \"2.0\"}", "t", &p), FG_ERR_UNSUPPORTED, "\"1.0\"");
    ST_ERR(fgi_grad_policy_parse("[1]", "t", &p), FG_ERR_INVALID_ARG, "expected a JSON object");
    ST_ERR(fgi_grad_policy_parse("{\"pass_score\": 0.9, \"pass_score\": 0.8}", "t", &p), FG_ERR_PARSE,
           "duplicate");
    ST_ERR(fgi_grad_policy_load("/nonexistent/policy.json", &p), FG_ERR_NOT_FOUND, "/nonexistent/policy.json");
    assert_memory_equal(&p, &keep, sizeof p);
}

/* Random edits of a real policy file (a fixed seed, so the run repeats):
 * each is refused with a message and leaves *out alone, or is accepted as a
 * valid policy that survives a round trip. */
static void test_policy_mutations(void **state)
{
    (void)state;
    char *base = mt_read(FG_GRAD_SOURCE_DIR "/src/experimental/graduation/policy_flaggems.json", NULL);
    assert_non_null(base);
    size_t n = strlen(base);
    char *buf = malloc(n + 64);
    static const char pool[] = "{}[]\",:0123456789.-eE truefalsnul\\x";
    unsigned seed = 12345;
    int accepted = 0, refused = 0;
    for (int iter = 0; iter < 3000; iter++) {
        memcpy(buf, base, n + 1);
        size_t len = n;
        int edits = 1 + (int)(rand_r(&seed) % 4);
        for (int e = 0; e < edits && len; e++) {
            size_t at = (size_t)rand_r(&seed) % len;
            char c = pool[rand_r(&seed) % (sizeof pool - 1)];
            switch (rand_r(&seed) % 3) {
            case 0: buf[at] = c; break;
            case 1: memmove(buf + at, buf + at + 1, len - at), len--; break;
            default:
                if (len < n + 60) memmove(buf + at + 1, buf + at, len - at + 1), buf[at] = c, len++;
            }
        }
        fgi_grad_policy p, keep;
        fgi_grad_policy_default(&p);
        keep = p;
        if (fgi_grad_policy_parse(buf, "mutant", &p) == FG_OK) {
            accepted++;
            ST_OK(fgi_grad_policy_check(&p));
            char *j = fgi_grad_policy_to_json(&p);
            fgi_grad_policy q;
            ST_OK(fgi_grad_policy_parse(j, "round trip", &q));
            free(j);
            assert_memory_equal(&p, &q, sizeof p);
        } else {
            refused++;
            assert_non_null(strstr(fg_last_error(), "mutant"));
            assert_memory_equal(&p, &keep, sizeof p);
        }
    }
    print_message("policy mutations: %d accepted, %d refused\n", accepted, refused);
    assert_true(accepted > 0 && refused > 0);
    free(buf);
    free(base);
}

/* ---------------------------------------------------------------- hook and renderers */

static void test_metadata_hook(void **state)
{
    (void)state;
    kfix f;
    kspec k = ks_eligible();
    k.shapes = 10; /* accuracy half: blocked */
    kfix_open(&f, &k);
    fgi_grad_policy holder;
    fgi_grad_install(f.store, NULL, &holder);
    fgi_meta_grad_report mr;
    ST_OK(fgi_meta_check_graduation_eligibility(f.store, "fast_gelu.cpu.custom.avx2_v1", &mr));
    assert_int_equal(mr.n_items, 5);
    assert_string_equal(mr.items[1].name, "accuracy");
    assert_float_equal(mr.items[1].score, 0.5, 1e-12);
    assert_false(mr.eligible);
    /* fgi_grad_check_all with the library version, as the hook uses it */
    fgi_grad_report r;
    ST_OK(fgi_grad_check_all(f.op, NULL, NULL, &r));
    assert_float_equal(mr.score, r.score, 1e-12);
    assert_non_null(strstr(mr.summary, "accuracy failed"));
    kfix_close(&f);
}

static void test_renderers(void **state)
{
    (void)state;
    kspec k = ks_eligible();
    k.speedups[0] = 0.5;
    fgi_grad_report r = ks_judge(&k, NULL);
    char *j = fgi_grad_report_to_json(&r);
    json_error_t e;
    json_t *doc = json_loads(j, 0, &e);
    assert_non_null(doc);
    assert_string_equal(json_string_value(json_object_get(doc, "kernel_id")), "fast_gelu.cpu.custom.avx2_v1");
    json_t *perf = json_array_get(json_object_get(doc, "checks"), 2);
    assert_string_equal(json_string_value(json_object_get(perf, "name")), "performance");
    assert_false(json_is_true(json_object_get(perf, "passed")));
    assert_float_equal(json_real_value(json_object_get(perf, "score")), 2.0 / 3.0, 1e-6);
    assert_int_equal(json_array_size(json_object_get(perf, "recommendations")), 1);
    json_decref(doc);
    free(j);
    char *md = fgi_grad_report_to_markdown(&r);
    assert_non_null(strstr(md, "| performance | 0.25 | 0.667 | no |"));
    assert_non_null(strstr(md, "Recommendations:"));
    free(md);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_versions),         cmocka_unit_test(test_stable_period),
        cmocka_unit_test(test_accuracy),         cmocka_unit_test(test_distinct_shapes),
        cmocka_unit_test(test_performance),
        cmocka_unit_test(test_multi_hardware),   cmocka_unit_test(test_code_quality),
        cmocka_unit_test(test_score_and_eligibility), cmocka_unit_test(test_bad_arguments),
        cmocka_unit_test(test_policy_file),      cmocka_unit_test(test_policy_mutations),
        cmocka_unit_test(test_metadata_hook),
        cmocka_unit_test(test_renderers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
